"""Editions: a release freezes the build, the fact base and a checksummed manifest into
editions/N/; the next edition's overview opens with what changed since, and its index lists
every released edition."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pypdf
import pytest

from briefing.cli import main
from briefing.core.files import STAGING_PREFIX
from briefing.core.project import Project
from briefing.editions.diff import diff
from briefing.editions.released import sha256sums
from briefing.factbase.model import FactBase, FuzzyDate, OpenQuestion, Source
from briefing.factbase.validate import load_fact_base
from tests.conftest import FIXTURES
from tests.editing_fixture import edit

MINI_EDITION = 3  # tests/fixtures/mini/facts/edition.yaml

# The changes the next edition makes, as the overview and `briefing diff` must list them.
EXPECTED_LINES = [
    "New: Northland",
    "New: Southland — Harbour accord, with Harbour Council, Northland",
    "Harbour Council, Membership: opposes → supports with conditions (April 2031)",
]


def tree(root: Path) -> dict[str, str]:
    """Every file under `root` with the SHA-256 of its bytes."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def tree_files(project: Project) -> list[Path]:
    """The files of a desk's fact base a build reads (the mini desk has no others)."""
    return [p for p in project.facts.rglob("*") if p.is_file()]


def copy_of(source: Path, target: Path) -> Project:
    shutil.copytree(source, target)
    return Project.at(target)


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The mini desk, released once (edition 3). Tests that change it work on a copy."""
    project = copy_of(FIXTURES / "mini", tmp_path_factory.mktemp("released") / "desk")
    assert main(["--root", str(project.root), "release"]) == 0
    return project


def next_edition_facts(project: Project) -> None:
    """Edition 4: the council's answer moves (a newer, dated position), a commitment with two
    parties is added (one of them an actor the sources only mention, new too)."""
    edit(
        project.actors / "council.yaml",
        "positions:\n",
        "positions:\n"
        "  - id: council-membership-2\n"
        "    question: membership\n"
        "    stance: supports with conditions\n"
        '    date: {value: "2031-04", basis: stated}\n'
        "    summary: Membership once the dispute ends.\n"
        "    citations:\n"
        "      - source: harbour\n"
        '        quote: the council "cannot offer membership while the dispute lasts"\n',
    )
    edit(
        project.actors / "south.yaml",
        "commitments:\n",
        "commitments:\n"
        "  - id: south-harbour-accord\n"
        "    title: Harbour accord\n"
        "    instrument: declaration\n"
        "    status: agreed\n"
        "    parties: [council, north]\n"
        "    mutual_defence: not stated\n"
        "    summary: An accord on the harbour.\n"
        "    citations:\n"
        "      - source: harbour\n"
        '        quote: Southland "will sign a ten-year defence pact" with Northland\n',
    )
    (project.actors / "north.yaml").write_text(
        "id: north\nname: Northland\nkind: organisation\nrole: mentioned\n", encoding="utf-8"
    )
    edit(project.facts / "edition.yaml", "number: 3", "number: 4")


@pytest.fixture(scope="module")
def second(released: Project, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the released desk, moved on to edition 4 and built with its PDFs."""
    project = copy_of(released.root, tmp_path_factory.mktemp("second") / "desk")
    next_edition_facts(project)
    assert main(["--root", str(project.root), "build"]) == 0
    return project


class Page(HTMLParser):
    """The ids of a page, and the links and text of its 'Since edition' section."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.headings: list[str] = []
        self.changes: list[str] = []
        self.links: list[str] = []
        self._in_since = 0
        self._in_item = False
        self._in_h2 = False
        self._item: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        since = "since" in (found.get("class") or "").split()
        if tag == "section" and (self._in_since or since):
            self._in_since += 1
        if tag == "h2":
            self._in_h2 = True
            self.headings.append("")
        if self._in_since and tag == "li":
            self._in_item, self._item = True, []
        if self._in_since and tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self._in_since:
            self._in_since -= 1
        if tag == "h2":
            self._in_h2 = False
        if tag == "li" and self._in_item:
            self._in_item = False
            self.changes.append(" ".join("".join(self._item).split()))

    def handle_data(self, data: str) -> None:
        if self._in_item:
            self._item.append(data)
        if self._in_h2:
            self.headings[-1] += data


def resolves(page: Path, href: str) -> bool:
    """Whether a relative link from a built page reaches a file, and the id it names."""
    path, _, fragment = href.partition("#")
    target = (page.parent / path) if path else page
    if not target.is_file():
        return False
    return not fragment or fragment in Page(target.read_text(encoding="utf-8")).ids


# --- Releasing ----------------------------------------------------------------------------------


def test_release_freezes_outputs_facts_and_a_manifest_sha256sum_accepts(
    released: Project,
) -> None:
    folder = released.editions / str(MINI_EDITION)
    files = set(tree(folder))
    slugs = ("overview", "council", "south")
    assert {"index.html", *(f"html/{s}.html" for s in slugs)} <= files
    assert {f"pdf/{s}-ed3.pdf" for s in (*slugs, "book")} <= files
    # Every file of the fact base the build read, byte for byte.
    facts = {p for p in files if p.startswith("facts/")}
    expected = {f"facts/{p.relative_to(released.facts).as_posix()}" for p in tree_files(released)}
    assert facts == expected
    for name in expected:
        assert (folder / name).read_bytes() == (released.root / name).read_bytes(), name
    # Built outputs as the build wrote them (the index differs: its links start in editions/3/).
    for name in files:
        if name.startswith(("html/", "pdf/")):
            assert (folder / name).read_bytes() == (released.build / name).read_bytes(), name
    record = json.loads((folder / "edition.json").read_text(encoding="utf-8"))
    assert record == {
        "number": 3,
        "title": "Shield for Northland",
        "as_of": "2031-04-01",
        "compiled": "2031-04-01",
        "released": "2031-04-01",  # no SOURCE_DATE_EPOCH: the cut-off day, never the clock
        "book": "pdf/book-ed3.pdf",
        "overview": "html/overview.html",
    }
    # SHA256SUMS: '<64 hex>  <path>', sorted by path, every other file of the edition.
    lines = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    paths = [line[66:] for line in lines]
    assert all(re.fullmatch(r"[0-9a-f]{64}  \S.*", line) for line in lines), lines
    assert paths == sorted(paths) == sorted(files - {"SHA256SUMS"})
    check = subprocess.run(
        ["sha256sum", "-c", "--strict", "SHA256SUMS"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == len(lines)
    assert not list(released.root.glob(f"{STAGING_PREFIX}*")), "no staging folder is left"
    # The snapshot loads with the same loader as the facts it was taken from.
    base, problems, _ = load_fact_base(Project.at(folder))
    assert base is not None and problems == []


def test_releasing_again_is_a_clear_error_that_changes_nothing(
    released: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree(released.root)
    capsys.readouterr()
    assert main(["--root", str(released.root), "release"]) == 1
    err = capsys.readouterr().err
    assert (
        "facts/edition.yaml:7:9: error: edition 3 is already released in editions/3/; "
        "raise 'number' in facts/edition.yaml to start the next"
    ) in err
    assert "Traceback" not in err
    after = tree(released.root)
    assert after == before  # not a byte of editions/ or build/ changed


def test_a_tampered_edition_fails_the_manifest(released: Project, tmp_path: Path) -> None:
    copy = copy_of(released.editions / "3", tmp_path / "3")
    text = copy.root / "facts" / "sources" / "harbour.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("ten-year", "nine-year"))
    check = subprocess.run(
        ["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=copy.root, capture_output=True, text=True
    )
    assert check.returncode == 1
    assert "facts/sources/harbour.txt: FAILED" in check.stdout


def test_a_release_is_reproducible(released: Project, tmp_path: Path) -> None:
    again = copy_of(FIXTURES / "mini", tmp_path / "elsewhere" / "other-name")
    assert main(["--root", str(again.root), "release"]) == 0
    manifest = "SHA256SUMS"
    assert (again.editions / "3" / manifest).read_bytes() == (
        released.editions / "3" / manifest
    ).read_bytes()


def test_a_release_with_errors_in_the_facts_releases_nothing(mini: Project) -> None:
    edit(mini.actors / "south.yaml", "status: proposed", "status: propsed")
    assert main(["--root", str(mini.root), "release"]) == 1
    assert not mini.editions.exists() and not mini.build.exists()


def test_manifest_names_that_need_escaping_are_written_as_sha256sum_does(tmp_path: Path) -> None:
    names = ["a b.txt", "back\\slash.txt", "new\nline.txt", "sub/ü.txt"]
    for name in names:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(name, encoding="utf-8")
    (tmp_path / "SHA256SUMS").write_text(sha256sums(tmp_path), encoding="utf-8")
    check = subprocess.run(
        ["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=tmp_path, capture_output=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


# --- The next edition -------------------------------------------------------------------------


def test_the_overview_opens_with_what_changed_since_the_last_edition(second: Project) -> None:
    path = second.build / "html" / "overview.html"
    page = Page(path.read_text(encoding="utf-8"))
    # First in the overview (the key judgments are the principal's note), before the rest.
    assert page.headings[:1] == ["Since edition 3"]
    assert page.changes == EXPECTED_LINES
    # Each change that can be read in this edition links to it, and every link resolves.
    assert page.links == [
        "note.html#note-fact-south-harbour-accord",  # printed in full in the note
        "council.html#council-fact-council-membership-2",  # the new position
    ]
    for href in page.links:
        assert resolves(path, href), href


def test_diff_prints_the_same_changes_as_text_and_json(
    second: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["--root", str(second.root), "diff", "--format", "json"]) == 0
    changes = json.loads(capsys.readouterr().out)
    assert changes == {
        "since": 3,
        "edition": 4,
        "actors": {"added": [{"id": "north", "name": "Northland"}], "removed": []},
        "commitments": {
            "added": [
                {
                    "id": "south-harbour-accord",
                    "actor": "south",
                    "title": "Harbour accord",
                    "parties": ["council", "north"],
                }
            ],
            "removed": [],
            "changed": [],
        },
        "answers": [
            {
                "actor": "council",
                "question": "membership",
                "from": "opposes",
                "to": "supports with conditions",
                "position": "council-membership-2",
                "date": {"value": "2031-04", "basis": "stated"},
            }
        ],
        "sources": {"added": [], "removed": []},
        "open_questions": {"added": []},
    }
    assert main(["--root", str(second.root), "diff", "--since", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "since edition 3, in edition 4: 3 changes"
    changed = [line for line in out if line.startswith("  ")]
    assert [re.sub(r"^  [+~-] (.*)  \[[^]]*\]$", r"\1", line) for line in changed] == (
        EXPECTED_LINES
    )


def test_the_index_lists_the_released_edition(second: Project) -> None:
    index = second.build / "index.html"
    text = index.read_text(encoding="utf-8")
    assert "Edition 3, released 1 April 2031" in text
    for href in ("../editions/3/pdf/book-ed3.pdf", "../editions/3/html/overview.html"):
        assert f'href="{href}"' in text
        assert resolves(index, href), href
    # The frozen copy's index reaches its siblings from inside editions/.
    frozen = second.editions / "3" / "index.html"
    assert 'href="../3/pdf/book-ed3.pdf"' in frozen.read_text(encoding="utf-8")
    assert resolves(frozen, "../3/pdf/book-ed3.pdf")


def test_pdfs_carry_the_new_edition_and_link_each_other_by_it(second: Project) -> None:
    names = {p.name for p in (second.build / "pdf").iterdir()}
    assert names == {f"{s}-ed4.pdf" for s in ("note", "overview", "council", "south", "book")}
    reader = pypdf.PdfReader(second.build / "pdf" / "overview-ed4.pdf")
    uris = set()
    for pdf_page in reader.pages:
        for annotation in pdf_page.get("/Annots") or []:
            action: Any = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                uris.add(str(action["/URI"]))
    assert "council-ed4.pdf#council-fact-council-membership-2" in uris
    assert all((second.build / "pdf" / u.partition("#")[0]).is_file() for u in uris), uris
    # The book's overview chapter opens with the same section.
    book = pypdf.PdfReader(second.build / "pdf" / "book-ed4.pdf")
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in book.pages[:4])
    assert "Since edition 3" in text and "opposes → supports with conditions" in text


def test_a_broken_snapshot_or_record_is_a_warning_not_a_crash(
    released: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_of(released.root, tmp_path / "desk")
    next_edition_facts(project)
    edit(project.editions / "3" / "facts" / "edition.yaml", "number: 3", "number: three")
    (project.editions / "3" / "edition.json").write_text("{not json", encoding="utf-8")
    capsys.readouterr()
    assert main(["--root", str(project.root), "build", "--no-pdf"]) == 0
    err = capsys.readouterr().err
    assert "editions/3: warning: the snapshot of edition 3 does not load" in err
    assert "editions/3/edition.json: warning: not a valid edition.json" in err
    assert "Traceback" not in err
    overview = (project.build / "html" / "overview.html").read_text(encoding="utf-8")
    assert "Since edition" not in overview
    assert "Released editions" not in (project.build / "index.html").read_text(encoding="utf-8")
    # Asked for explicitly, the broken snapshot is an error at its line.
    assert main(["--root", str(project.root), "diff", "--since", "3"]) == 1
    assert "editions/3/facts/edition.yaml:7:9: error: number:" in capsys.readouterr().err


def test_diff_without_an_earlier_edition(mini: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(mini.root), "diff", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["since"] is None
    assert "nothing to compare" in captured.err
    assert main(["--root", str(mini.root), "diff", "--since", "2"]) == 1
    assert "edition 2 is not released in editions/2/" in capsys.readouterr().err


# --- Information cut-off and compiled -----------------------------------------------------------


def test_compiled_is_printed_beside_the_cut_off_and_never_before_it(
    mini: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    edition = mini.facts / "edition.yaml"
    edit(edition, "as_of: 2031-04-01\n", "as_of: 2031-04-01\ncompiled: 2031-04-03\n")
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 0
    page = (mini.build / "html" / "south.html").read_text(encoding="utf-8")
    assert "Information cut-off 1 April 2031 · compiled 3 April 2031" in page
    edit(edition, "compiled: 2031-04-03", "compiled: 2031-03-31")
    capsys.readouterr()
    assert main(["--root", str(mini.root), "check"]) == 1
    err = capsys.readouterr().err
    assert (
        "facts/edition.yaml:7:11: error: compiled: 2031-03-31 is before the information "
        "cut-off (as_of: 2031-04-01)"
    ) in err


# --- diff() itself ------------------------------------------------------------------------------


def _facts() -> FactBase:
    base, problems, _ = load_fact_base(Project.at(FIXTURES / "mini"))
    assert base is not None and problems == []
    return base.facts


def test_diff_of_two_small_fact_bases() -> None:
    old = _facts()
    assert len(diff(old, old)) == 0
    council, south = old.actor("council"), old.actor("south")
    pact = south.commitments[0]
    moved = pact.model_copy(
        update={
            "status": "signed",
            "elements": ["training", "arms", "intelligence"],  # the same words, reordered
            "parties": ["council"],
            "date": FuzzyDate(value="2031-05", basis="stated"),
        }
    )
    restated = council.positions[0].model_copy(
        update={"id": "council-again", "as_of": FuzzyDate(value="2031-04", basis="stated")}
    )
    new_source = Source(
        id="wire",
        file="wire.txt",
        title="Wire report",
        outlet="The Wire",
        reliability="C",
        reliability_note="Test.",
    )
    new = old.model_copy(
        update={
            "edition": old.edition.model_copy(update={"number": 4}),
            "sources": [*old.sources, new_source],
            "overview": old.overview.model_copy(
                update={"open_questions": [OpenQuestion(text="Will  the pact\nhold?")]}
            ),
            "actors": [
                council.model_copy(update={"positions": [*council.positions, restated]}),
                south.model_copy(
                    update={
                        "commitments": [moved],
                        "open_questions": [OpenQuestion(text="Who signs for *Southland*?")],
                    }
                ),
            ],
        }
    )
    changes = diff(old, new)
    assert (changes.since, changes.edition) == (3, 4)
    # The same answer re-stated later is no change; reordered words of a list are none either.
    assert changes.answers == ()
    assert [i.line for i in changes.items()] == [
        "Changed: Southland — Ten-year defence pact: Status proposed → signed; "
        "Date not stated → May 2031; Parties none → Harbour Council",
        "New: Wire report (The Wire)",
        "Overview: Will  the pact\nhold?",
        "Southland: Who signs for *Southland*?",
    ]
    changed = changes.as_json()["commitments"]["changed"]
    assert changed == [
        {
            "id": "south-pact",
            "actor": "south",
            "title": "Ten-year defence pact",
            "fields": [
                {"field": "status", "label": "Status", "from": "proposed", "to": "signed"},
                {
                    "field": "date",
                    "label": "Date",
                    "from": None,
                    "to": {"value": "2031-05", "basis": "stated"},
                },
                {"field": "parties", "label": "Parties", "from": [], "to": ["council"]},
            ],
        }
    ]
    # Open questions are matched by their words, not their spacing; a removal is listed.
    again = new.model_copy(
        update={
            "overview": new.overview.model_copy(
                update={"open_questions": [OpenQuestion(text="Will the pact hold?")]}
            ),
            "actors": [new.actors[0]],
        }
    )
    later = diff(new, again)
    assert [(i.kind, i.change, i.text) for i in later.items()] == [
        ("actor", "removed", "Removed: Southland"),
        ("commitment", "removed", "Removed: Southland — Ten-year defence pact"),
    ]
    # An answer that moves: from the old latest to the new latest, with its id and date.
    turned = restated.model_copy(update={"id": "council-turn", "stance": "supports"})
    turned_base = new.model_copy(
        update={
            "actors": [
                council.model_copy(update={"positions": [*council.positions, turned]}),
                *new.actors[1:],
            ]
        }
    )
    (item,) = diff(old, turned_base).answers
    assert item.line == "Harbour Council, Membership: opposes → supports (April 2031)"
    assert (item.actor, item.fact) == ("council", "council-turn")


def test_a_released_edition_is_loaded_once_per_session(
    second: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """serve rebuilds on every save: the frozen edition it compares with is read once."""
    from briefing.editions import released as editions

    loads: list[int] = []
    real = editions.load_edition

    def counting(project: Project, number: int) -> Any:
        loads.append(number)
        return real(project, number)

    monkeypatch.setattr(editions, "load_edition", counting)
    base, _, _ = load_fact_base(second)
    assert base is not None
    snapshots: editions.Snapshots = {}
    first = editions.past(second, base.facts, snapshots)
    again = editions.past(second, base.facts, snapshots)
    assert loads == [3]
    assert first.changes == again.changes and first.changes is not None


def test_a_release_with_docx_freezes_the_word_files_in_its_sums(mini: Project) -> None:
    assert main(["--root", str(mini.root), "release", "--docx"]) == 0
    folder = mini.editions / str(MINI_EDITION)
    word = sorted(p.name for p in (folder / "docx").iterdir())
    assert word == ["council.docx", "note.docx", "overview.docx", "south.docx"]
    for name in word:
        assert (folder / "docx" / name).read_bytes() == (mini.build / "docx" / name).read_bytes()
    sums = (folder / "SHA256SUMS").read_text(encoding="utf-8")
    assert all(f"  docx/{name}\n" in sums for name in word)
