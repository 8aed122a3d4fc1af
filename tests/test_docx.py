"""The Word export (briefing.site.docx): real headings, tables and footnotes quoting the
source; LibreOffice opens every file; the same inputs give the same bytes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import docx
import pytest

from briefing.core.project import Project
from briefing.site.build import build, checked_facts
from tests.conftest import FIXTURES

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def built(mini: Project) -> Project:
    build(mini, pdf=False, docx=True)
    return mini


def footnotes(path: Path) -> list[str]:
    """The text of each of the document's own footnotes (not Word's separators)."""
    with zipfile.ZipFile(path) as packed:
        root = ElementTree.fromstring(packed.read("word/footnotes.xml"))
    return [
        "".join(t.text or "" for t in note.iter(f"{W}t"))
        for note in root.iter(f"{W}footnote")
        if int(note.get(f"{W}id", "0")) > 0
    ]


def test_every_brief_gets_a_word_file_with_headings_and_tables(built: Project) -> None:
    files = sorted(p.name for p in (built.build / "docx").iterdir())
    assert files == ["council.docx", "note.docx", "overview.docx", "south.docx"]
    note = docx.Document(str(built.build / "docx" / "note.docx"))
    styles = {p.style.name for p in note.paragraphs if p.style is not None}
    assert {"Heading 1", "Heading 2"} <= styles
    matrix = note.tables[0]
    assert matrix.rows[0].cells[0].text == "Actor"
    assert len(matrix.rows) > 1
    assert any(t.rows[0].cells[1].text == "Commitment" for t in note.tables)
    actor = docx.Document(str(built.build / "docx" / "council.docx"))
    assert any(p.style is not None and p.style.name == "Heading 3" for p in actor.paragraphs)


def test_first_page_says_working_copy_and_header_carries_the_marking(built: Project) -> None:
    document = docx.Document(str(built.build / "docx" / "south.docx"))
    assert "Test marking" in document.sections[0].header.paragraphs[0].text
    opening = " ".join(p.text for p in document.paragraphs[:4])
    assert "Working copy" in opening and "PDF" in opening


def test_footnotes_are_real_and_quote_the_source(built: Project) -> None:
    _, facts, _ = checked_facts(built, pdf=False)
    (south,) = [a for a in facts.actors if a.id == "south"]
    citations = [
        *(c for p in south.positions for c in p.citations),
        *(c for f in south.commitments for c in f.citations),
        *(c for s in south.statements for c in s.citations),
    ]
    quotes = {" ".join(c.quote.split()) for c in citations}
    path = built.build / "docx" / "south.docx"
    notes = footnotes(path)
    assert notes
    with zipfile.ZipFile(path) as packed:
        body = packed.read("word/document.xml").decode()
        types = packed.read("[Content_Types].xml").decode()
        rels = packed.read("word/_rels/document.xml.rels").decode()
    assert body.count("<w:footnoteReference ") == len(notes)
    assert "footnotes+xml" in types and "relationships/footnotes" in rels
    joined = " ".join(" ".join(n.split()) for n in notes)
    # Each quote is in a passage a footnote prints (passages may merge several quotes).
    assert quotes and all(q.strip('“”"') in joined for q in quotes)


def test_same_inputs_same_bytes(tmp_path: Path) -> None:
    made = []
    for name in ("one", "two"):
        root = tmp_path / name
        shutil.copytree(FIXTURES / "mini", root)
        build(Project.at(root), pdf=False, docx=True, cache=False)
        made.append({p.name: p.read_bytes() for p in (root / "build" / "docx").iterdir()})
        # Zip entries are dated in two-second steps: the wall clock would show here.
        time.sleep(2.1)
    assert made[0] == made[1]
    with zipfile.ZipFile(tmp_path / "one" / "build" / "docx" / "note.docx") as packed:
        assert {i.date_time[:3] for i in packed.infolist()} == {(2031, 4, 1)}
        core = packed.read("docProps/core.xml").decode()
    assert "2031-04-01T00:00:00Z" in core


def test_libreoffice_converts_every_file(built: Project, tmp_path: Path) -> None:
    files = sorted(str(p) for p in (built.build / "docx").glob("*.docx"))
    out = tmp_path / "pdf"
    # A profile of its own: another soffice running on the machine would lock the default.
    profile = (tmp_path / "profile").as_uri()
    command = ["soffice", f"-env:UserInstallation={profile}", "--headless"]
    result = subprocess.run(
        [*command, "--convert-to", "pdf", "--outdir", str(out), *files],
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr
    assert sorted(p.stem for p in out.glob("*.pdf")) == sorted(Path(f).stem for f in files)
    text = subprocess.run(
        ["pdftotext", str(out / "south.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Working copy" in text and "Test marking" in text


def test_cli_flag_writes_word_files(mini: Project) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "briefing", "build", "--no-pdf", "--docx"],
        cwd=mini.root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1900000000"},
    )
    assert result.returncode == 0, result.stderr
    assert "Word in docx/" in result.stdout
    assert (mini.build / "docx" / "overview.docx").is_file()


def test_emphasis_the_desk_wrote_stays_in_word(mini: Project) -> None:
    # The fixture's first key judgment has *mutual-defence* in italics; a summary gets **bold**.
    council = mini.facts / "actors" / "council.yaml"
    text = council.read_text("utf-8")
    council.write_text(
        text.replace("No membership offer while", "No **membership** offer while", 1), "utf-8"
    )
    build(mini, pdf=False, docx=True)
    note = docx.Document(str(mini.build / "docx" / "note.docx"))
    runs = [r for p in note.paragraphs for r in p.runs]
    assert any(r.text == "mutual-defence" and r.italic for r in runs)
    assert not any("*" in r.text for r in runs)
    actor = docx.Document(str(mini.build / "docx" / "council.docx"))
    bold = [r.text for p in actor.paragraphs for r in p.runs if r.bold]
    assert "membership" in bold


def test_the_overview_carries_the_timeline(built: Project) -> None:
    from briefing.render.timeline import chronology

    _, facts, _ = checked_facts(built)
    timeline = chronology(facts)
    assert timeline.dated  # the fixture dates some facts
    overview = docx.Document(str(built.build / "docx" / "overview.docx"))
    headings = [p.text for p in overview.paragraphs if p.style is not None]
    assert "Timeline" in headings
    table = next(t for t in overview.tables if t.rows[0].cells[0].text == "When")
    labels = [row.cells[2].text for row in table.rows[1:]]
    assert [e.label for e in timeline.dated] == labels[: len(timeline.dated)]


def test_a_statement_the_sources_do_not_date_prints_no_undated(mini: Project) -> None:
    """A column of "undated" read as "not stated": an undated statement leads with who said
    it, on the page and in Word, and the date where there is one."""
    from briefing.cli import main
    from tests.editing_fixture import edit

    south = mini.facts / "actors" / "south.yaml"
    dated = (
        '    date: {value: "2031-03", basis: inferred, note: "Said \'on Tuesday\'; month '
        'inferred from the dateline."}\n'
    )
    edit(south, dated, "")
    assert main(["--root", str(mini.root), "build", "--no-pdf", "--docx"]) == 0
    page = (mini.build / "html" / "south.html").read_text(encoding="utf-8")
    head = page.split('id="south-fact-south-quill-pact"')[1].split("<p>")[0]
    assert "undated" not in head and '<span class="when">Statement</span>' in head
    word = docx.Document(str(mini.build / "docx" / "south.docx"))
    said = next(p.text for p in word.paragraphs if "sign the pact" in p.text)
    assert said.startswith("Ada Quill, Premier of Southland: Said")
