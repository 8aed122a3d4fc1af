"""Actors on record only (plan.on_record_only): no judgment, no position, no statement. They get
no chapter and no brief; the overview ends with a section naming each, its commitments by
reference and its open questions, and every link to such an actor leads there."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import docx
import pikepdf
import pytest

from briefing.check.facts import check_project
from briefing.cli import main
from briefing.core.project import Project
from briefing.factbase.distribution import chapters_of, check_distribution
from briefing.factbase.model import Actor, Recipient
from briefing.factbase.plan import NOTE, OVERVIEW, on_record_only
from briefing.pdf.verify import verify
from briefing.site.build import build
from briefing.site.distribute import distribute
from tests.conftest import FIXTURES
from tests.editing_fixture import edit, messages

# The mini desk's council, its position and judgment gone: the desk says why it judges nothing,
# and the council holds one commitment and leaves one question open.
COUNCIL = """\
id: council
name: Harbour Council
kind: organisation
no_judgment: The record holds one remark of the council's chair, from a [S:harbour] report.
no_position: No source gives the council's stance.
commitments:
  - id: council-meeting
    title: Council meeting on the shield
    instrument: declaration
    status: expected
    mutual_defence: not stated
    summary: The council is due to meet in May.
    citations:
      - source: harbour
        quote: before the Harbour Council meets in May
open_questions:
  - text: Whether the council will take up Northland's request when it meets.
"""

DISTRIBUTION = """\
recipients:
  - id: minister
    name: The Minister
    chapters: all
  - id: partner
    name: Partner ministry
    chapters: [council]
"""


@dataclass(frozen=True)
class Desk:
    project: Project

    def html(self, slug: str) -> str:
        return (self.project.build / "html" / f"{slug}.html").read_text(encoding="utf-8")


def _fold_council(root: Path) -> Project:
    shutil.copytree(FIXTURES / "mini", root)
    (root / "facts" / "actors" / "council.yaml").write_text(COUNCIL, encoding="utf-8")
    (root / "facts" / "distribution.yaml").write_text(DISTRIBUTION, encoding="utf-8")
    return Project.at(root)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    """The mini desk with its council on record only, built with its PDFs."""
    project = _fold_council(tmp_path_factory.mktemp("on-record") / "mini")
    build(project, jobs=1)
    return Desk(project)


def _text(pdf: Path) -> str:
    run = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True)
    return run.stdout


def test_the_rule_needs_no_judgment_and_nothing_the_sources_give() -> None:
    base = {"id": "x", "name": "X", "kind": "organisation"}
    assert on_record_only(Actor.model_validate({**base, "no_judgment": "None."}))
    assert not on_record_only(Actor.model_validate(base))  # no word why: not folded
    assert not on_record_only(
        Actor.model_validate({**base, "no_judgment": "None.", "role": "mentioned"})
    )


def test_an_actor_on_record_only_gets_no_brief_and_no_chapter(desk: Desk) -> None:
    build_dir = desk.project.build
    assert not (build_dir / "html" / "council.html").exists()
    assert not list((build_dir / "pdf").glob("council-ed*.pdf"))
    assert (build_dir / "html" / "south.html").exists()
    index = (build_dir / "index.html").read_text(encoding="utf-8")
    assert "council.html" not in index and "south.html" in index
    [book] = (build_dir / "pdf").glob("book-ed*.pdf")
    with pikepdf.open(book) as pdf, pdf.open_outline() as outline:
        titles = [str(item.title) for item in outline.root]
    assert "2. Southland" in titles and not any("Harbour Council" in t for t in titles), titles
    contents = _text(book).split("Contents")[1].split("Sources")[0]
    assert "Southland" in contents and "Harbour Council" not in contents


def test_the_overview_ends_with_the_actor_and_what_the_record_holds_of_it(desk: Desk) -> None:
    overview = desk.html("overview")
    section = overview.split('<section class="on-record"')[1].split("</section>")[0]
    assert ">Others on record</h2>" in section
    entry = section.split('id="overview-actor-council"')[1]
    assert "Harbour Council" in entry and "one remark of the council" in entry
    # That no source gives its stance is the matrix key's to say, once, not the entry's.
    assert "No source gives the council’s stance." not in entry
    assert "Not in the table, with no position on the question: Harbour Council" in desk.html(
        "note"
    )
    assert "take up Northland’s request" in entry  # its open question
    # Its commitment is printed in full once, in the note under its name; not listed again.
    assert "Council meeting on the shield" not in entry
    assert 'id="note-fact-council-meeting"' in desk.html("note")
    assert "The council is due to meet in May." not in entry
    # One section, not a chapter: no brief headings of its own.
    assert "Bottom line up front" not in section and "<h1" not in section


def test_no_link_of_the_built_html_dangles(desk: Desk) -> None:
    folder = desk.project.build / "html"
    pages = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.html")}
    ids = {name: set(re.findall(r'\sid="([^"]+)"', html)) for name, html in pages.items()}
    checked = 0
    for name, html in pages.items():
        for href in re.findall(r'href="([^"]+)"', html):
            if href.startswith(("http:", "https:", "mailto:", "../", "data:")):
                continue
            page, _, fragment = href.partition("#")
            page = page or name
            if not page.endswith(".html"):
                continue
            assert page in pages, (name, href)
            assert not fragment or fragment in ids[page], (name, href)
            checked += 1
    assert checked > 10


def test_a_change_of_the_actor_links_to_its_entry(mini: Project) -> None:
    """The overview's "Since edition" list leads to where an actor is read: for the council,
    folded in the next edition, its entry in the overview, not a brief that is not there."""
    assert main(["--root", str(mini.root), "release", "-j", "1"]) == 0
    (mini.actors / "council.yaml").write_text(COUNCIL, encoding="utf-8")
    edit(mini.facts / "edition.yaml", "number: 3", "number: 4")
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 0
    overview = (mini.build / "html" / "overview.html").read_text(encoding="utf-8")
    since = overview.split('<section class="since"')[1].split("</section>")[0]
    assert "Whether the council will take up" in since  # its open question, added
    links = re.findall(r'href="([^"]+)"', since)
    assert "overview.html#overview-actor-council" in links, links
    assert not [link for link in links if link.startswith("council.html")], links
    assert 'id="overview-actor-council"' in overview


def test_the_book_verifies(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    [book] = (desk.project.build / "pdf").glob("book-ed*.pdf")
    result = verify(book)
    assert result.ok, result.problems
    # Derived again from what it carries, page for page: the section is the engine's.
    assert main(["verify", str(book)]) == 0
    assert "pages: identical to a fresh build, byte for byte" in capsys.readouterr().out


def test_a_distribution_naming_the_actor_gives_the_overview(desk: Desk) -> None:
    checked = check_project(desk.project, pdf=True)
    assert [p for p in checked.problems if p.severity == "error"] == []
    assert checked.plan is not None and checked.plan.on_record == ("council",)
    partner = Recipient(id="partner", name="Partner ministry", chapters=["council"])
    assert chapters_of(partner, checked.plan.slugs, checked.plan.on_record) == (NOTE, OVERVIEW)
    distributed, _ = distribute(desk.project, jobs=1)
    [copy] = [f for f in distributed.copies if f.endswith("-partner.pdf")]
    text = _text(distributed.folder / copy)
    assert "Others on record" in text and "Harbour Council" in text
    result = verify(distributed.folder / copy)
    assert result.ok, result.problems
    assert result.copy is not None and result.copy.chapters == [NOTE, OVERVIEW]


def test_an_unknown_chapter_is_still_an_error(desk: Desk) -> None:
    """Planted: a recipient naming an actor that is neither briefed nor on record."""
    assert desk.project.facts is not None
    checked = check_project(desk.project, pdf=True)
    assert checked.base is not None and checked.base.distribution_file is not None
    assert checked.plan is not None
    bad = Recipient(id="partner", name="Partner ministry", chapters=["council", "nowhere"])
    distribution = checked.base.distribution
    assert distribution is not None
    found = check_distribution(
        distribution.model_copy(update={"recipients": [bad]}),
        checked.base.distribution_file,
        checked.plan.slugs,
        checked.plan.on_record,
    )
    assert [p.message for p in found] == [
        "recipient 'partner': 'nowhere' is not a brief of this edition"
    ]


def test_no_judgment_with_a_position_keeps_its_chapter(mini: Project) -> None:
    council = mini.actors / "council.yaml"
    text = council.read_text(encoding="utf-8")
    bluf = text[text.index("bluf:") :]
    council.write_text(
        text.replace(bluf, "no_judgment: One remark of the chair, from a [S:harbour] report.\n"),
        encoding="utf-8",
    )
    assert messages(mini) == []
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 0
    page = (mini.build / "html" / "council.html").read_text(encoding="utf-8")
    assert "No judgment." in page and "Summit position" in page
    overview = (mini.build / "html" / "overview.html").read_text(encoding="utf-8")
    assert 'class="on-record"' not in overview


def _council_without_chapter(mini: Project, *, reason: bool = True) -> None:
    """The mini council, its judgment dropped for `chapter: false` (and, if `reason`, the
    desk's word why it judges nothing), its position kept."""
    council = mini.actors / "council.yaml"
    text = council.read_text(encoding="utf-8")
    bluf = text[text.index("bluf:") :]
    why = "no_judgment: One remark of the chair, from a [S:harbour] report.\n" if reason else ""
    council.write_text(text.replace(bluf, "chapter: false\n" + why), encoding="utf-8")


def test_chapter_false_prints_the_position_in_the_overview_instead(mini: Project) -> None:
    _council_without_chapter(mini)
    assert messages(mini) == []
    assert main(["--root", str(mini.root), "build", "--no-pdf", "--docx"]) == 0
    # The Word file of the overview keeps the record too.
    word = docx.Document(str(mini.build / "docx" / "overview.docx"))
    said = [p.text for p in word.paragraphs]
    assert any("No membership offer while the dispute lasts." in t for t in said), said
    assert not (mini.build / "docx" / "council.docx").exists()
    assert not (mini.build / "html" / "council.html").exists()
    overview = (mini.build / "html" / "overview.html").read_text(encoding="utf-8")
    entry = overview.split('id="overview-actor-council"')[1].split("</div>")[0]
    # The reason, then the position as the matrix names it, what was said, its note and who
    # said it: the record a chapter would have held, without its headings.
    assert "One remark of the chair" in entry
    assert "No membership offer while the dispute lasts." in entry
    assert 'id="overview-fact-council-membership"' in entry
    assert 'href="#overview-note-' in entry and "Kalyna" in entry
    assert "Bottom line up front" not in entry
    # The matrix row leads to the entry; the row's answer is still there.
    note = (mini.build / "html" / "note.html").read_text(encoding="utf-8")
    assert 'href="overview.html#overview-actor-council"' in note


def test_chapter_false_without_a_reason_is_a_located_error(mini: Project) -> None:
    """Planted: no chapter and no word why the desk judges nothing."""
    _council_without_chapter(mini, reason=False)
    found = messages(mini)
    assert any(
        m.startswith("facts/actors/council.yaml:") and "'chapter: false' but no 'no_judgment'" in m
        for m in found
    ), found
