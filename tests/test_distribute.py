"""Numbered copies (briefing distribute): each recipient's chapters, bound from the layouts the
build left in the cache, named on every page, logged, verified; and facts/distribution.yaml
checked like every other facts file."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

from briefing.check.facts import check_project
from briefing.cli import main
from briefing.core.diagnostics import PublishError
from briefing.core.project import Project
from briefing.pdf.verify import verify
from briefing.render.attachments import BUNDLE, MANIFEST
from briefing.render.book import CHAPTERS, METHOD
from briefing.site.build import build
from briefing.site.distribute import LOG, SUMS, Distributed, distribute
from tests.carried import carried
from tests.conftest import FIXTURES

# Three recipients of the mini desk (overview, council, south), each with other chapters.
DISTRIBUTION = """\
recipients:
  - id: minister
    name: The Minister
    role: Minister for Foreign Affairs
    chapters: all
  - id: embassy
    name: Embassy in Port Meridian
    marking: Embassy use only
    chapters: [south, overview]
  - id: partner
    name: Partner ministry
    chapters: [council]
"""

# The chapters each copy holds, by their number in the book, and the line on its pages.
EXPECTED = {
    "minister": ({1, 2, 3}, "Copy 1 of 3 — issued to The Minister"),
    "embassy": ({1, 3}, "Copy 2 of 3 — issued to Embassy in Port Meridian · Embassy use only"),
    "partner": ({2}, "Copy 3 of 3 — issued to Partner ministry"),
}


@dataclass(frozen=True)
class Desk:
    project: Project
    first: Distributed
    laid_out_by_build: tuple[str, ...]


def _desk(root: Path) -> Project:
    shutil.copytree(FIXTURES / "mini", root)
    (root / "facts" / "distribution.yaml").write_text(DISTRIBUTION, encoding="utf-8")
    return Project.at(root)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    """The mini desk built, then distributed once."""
    project = _desk(tmp_path_factory.mktemp("distribute") / "mini")
    result, _ = build(project, jobs=1)
    first, checked = distribute(project, jobs=1)
    assert not [p for p in checked.problems if p.severity == "error"]
    return Desk(project, first, result.laid_out)


def _pages(path: Path) -> list[str]:
    with pikepdf.open(path) as pdf:
        count = len(pdf.pages)
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for i in range(1, count + 1)
    ]


def _chapters(path: Path) -> set[int]:
    """The numbers of the chapters in the PDF's outline ('2. Harbour Council')."""
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        titles = [str(item.title) for item in outline.root]
    return {int(m.group(1)) for t in titles if (m := re.match(r"(\d+)\. ", t))}


def _copy(desk: Desk, recipient: str) -> Path:
    return next(desk.first.folder.glob(f"book-ed3-copy*-{recipient}.pdf"))


@pytest.mark.parametrize("recipient", sorted(EXPECTED))
def test_each_copy_holds_its_chapters_numbered_and_names_its_recipient_on_every_page(
    desk: Desk, recipient: str
) -> None:
    chapters, line = EXPECTED[recipient]
    pages = _pages(_copy(desk, recipient))
    for number, text in enumerate(pages, start=1):
        assert line in " ".join(text.split()), f"page {number} does not name its copy"
    # Every page is numbered but the cover's own, which follows the principal's note, as in
    # the book.
    numbered = [n for n, text in enumerate(pages, 1) if f"Page {n} of {len(pages)}" in text]
    [cover] = [n for n in range(1, len(pages) + 1) if n not in numbered]
    assert 1 < cover <= 4 and numbered[0] == 1
    assert "Contents" in pages[cover - 1]
    assert _chapters(_copy(desk, recipient)) == chapters
    # The principal's note opens the copy, once: it is in the cover's part, not a chapter.
    with pikepdf.open(_copy(desk, recipient)) as pdf, pdf.open_outline() as outline:
        titles = [str(item.title) for item in outline.root]
    assert titles.count("Principal's note") == 1, titles
    # Appendices always come with the chapters.
    whole = "\n".join(pages)
    assert "Sources" in whole and "Method" in whole


def test_the_copy_is_named_in_its_metadata_and_manifest(desk: Desk) -> None:
    with pikepdf.open(_copy(desk, "embassy")) as pdf:
        title = str(pdf.docinfo["/Title"])
        shown = set(pdf.attachments)
    attached = carried(_copy(desk, "embassy"))
    manifest = attached[MANIFEST]
    assert BUNDLE in shown and not any(n.startswith("facts/") for n in shown)
    assert "Copy 2 of 3 — issued to Embassy in Port Meridian" in title
    assert b'"recipient": "embassy"' in manifest
    # Who else received a copy stays at the desk.
    assert "facts/distribution.yaml" not in attached


@pytest.mark.parametrize("recipient", sorted(EXPECTED))
def test_each_copy_verifies_and_says_whose_it_is(desk: Desk, recipient: str) -> None:
    result = verify(_copy(desk, recipient))
    assert result.ok, result.problems
    assert result.document == "copy"
    assert result.copy is not None
    assert result.copy.recipient == recipient
    assert (
        f"Copy {result.copy.number} of 3 — issued to {result.copy.name}" in (EXPECTED[recipient][1])
    )


def test_verify_prints_the_copy_and_its_recipient(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", str(_copy(desk, "partner"))]) == 0
    out = capsys.readouterr().out
    assert "copy 3 of 3, issued to Partner ministry (partner): note, council" in out


def test_a_copy_is_derived_again_page_for_page(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    # The CLI's verify derives the copy from what it carries, as `distribute` bound it.
    assert main(["verify", str(_copy(desk, "embassy"))]) == 0
    out = capsys.readouterr().out
    assert "pages: identical to a fresh build, byte for byte" in out


def test_a_forged_page_of_a_copy_is_refused(
    desk: Desk, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    forged = tmp_path / "copy.pdf"
    with pikepdf.open(_copy(desk, "minister")) as pdf:
        del pdf.pages[3]
        pdf.save(forged)
    assert main(["verify", str(forged)]) == 1
    out = capsys.readouterr().out
    assert "pages: differ from a fresh build" in out
    assert "they were changed" in out


def test_sha256sums_has_a_line_per_copy(desk: Desk) -> None:
    import hashlib

    lines = (desk.first.folder / SUMS).read_text("utf-8").splitlines()
    copies = sorted(desk.first.copies)
    assert len(lines) == len(copies) == 3
    for line, name in zip(lines, copies, strict=True):
        digest = hashlib.sha256((desk.first.folder / name).read_bytes()).hexdigest()
        assert line == f"{digest}  {name}"


def test_the_log_lists_every_copy_with_its_digest(desk: Desk) -> None:
    import hashlib

    rows = list(csv.DictReader(io.StringIO((desk.first.folder / LOG).read_text("utf-8"))))
    assert [(r["copy"], r["recipient"], r["chapters"]) for r in rows] == [
        ("1", "minister", "note overview council south"),
        ("2", "embassy", "note overview south"),
        ("3", "partner", "note council"),
    ]
    for row in rows:
        content = (desk.first.folder / row["file"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == row["sha256"]


def test_a_copy_lays_out_only_what_is_its_own(desk: Desk) -> None:
    # The build laid out every chapter alone (the briefs' PDFs) and all of them in one flow
    # (the book). A copy's chapters flow as the book's: the copy of every chapter finds the
    # book's flow in the cache; the two others lay out theirs. No brief's own layout is used.
    assert {"overview", "council", "south", CHAPTERS} <= set(desk.laid_out_by_build)
    assert desk.first.laid_out.count(CHAPTERS) == 2
    assert not {"overview", "council", "south", METHOD} & set(desk.first.laid_out)


def test_distributing_again_rewrites_nothing(desk: Desk) -> None:
    folder = desk.first.folder
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}
    again, _ = distribute(desk.project, jobs=1)
    assert again.unchanged
    assert again.laid_out == ()
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()} == before


def test_copies_are_reproducible_without_the_cache(tmp_path: Path, desk: Desk) -> None:
    project = _desk(tmp_path / "mini")
    result, _ = distribute(project, jobs=1, cache=False)
    assert result.copies == desk.first.copies


def test_distribute_without_a_distribution_file_is_refused(mini: Project) -> None:
    with pytest.raises(PublishError) as raised:
        distribute(mini, jobs=1)
    assert raised.value.code == "P009"
    assert main(["--root", str(mini.root), "distribute"]) == 2


BAD = """\
recipients:
  - id: minister
    name: The Minister
    chapters: [overveiw, south]
  - id: minister
    name: Someone else
    chapters: []
"""


def test_a_bad_distribution_file_gives_located_errors(mini: Project) -> None:
    (mini.facts / "distribution.yaml").write_text(BAD, encoding="utf-8")
    checked = check_project(mini, pdf=False)
    found = {
        (p.code, p.location.line, p.location.col): (p.message, p.hint)
        for p in checked.problems
        if p.location.file == "facts/distribution.yaml"
    }
    assert found[("R101", 4, 16)][1] == "did you mean 'overview'?"
    assert "'overveiw' is not a brief of this edition" in found[("R101", 4, 16)][0]
    assert "duplicate recipient id 'minister'" in found[("R102", 5, 9)][0]
    assert "receives no chapters" in found[("R103", 7, 15)][0]
    assert main(["--root", str(mini.root), "check"]) == 1


def test_an_unknown_key_is_located_with_the_key_meant(mini: Project) -> None:
    bad = "recipients:\n  - id: partner\n    name: Partner ministry\n    chapter: all\n"
    (mini.facts / "distribution.yaml").write_text(bad, encoding="utf-8")
    problems = [p for p in check_project(mini, pdf=False).problems if p.code == "S001"]
    assert [(p.location.file, p.location.line, p.location.col, p.hint) for p in problems] == [
        ("facts/distribution.yaml", 4, 5, "did you mean 'chapters'?")
    ]


def test_an_empty_recipient_list_is_an_error(mini: Project) -> None:
    (mini.facts / "distribution.yaml").write_text("recipients: []\n", encoding="utf-8")
    checked = check_project(mini, pdf=False)
    empty = [p.location.line for p in checked.problems if p.code == "R103"]
    assert empty == [1]
