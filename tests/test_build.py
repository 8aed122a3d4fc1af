"""End to end: a small fact base builds to HTML and PDF briefs that carry their citations."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefing.check.facts import run_check
from briefing.cli import main
from briefing.core.project import Project
from briefing.factbase.model import Citation
from briefing.render.pages import Notes, quote_text
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """One build of the fixture desk for the tests that only read its output."""
    root = tmp_path_factory.mktemp("built") / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    assert main(["--root", str(root), "build"]) == 0
    return Project.at(root)


def _pdf_text(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def test_every_actor_and_the_overview_get_html_and_pdf(built: Project) -> None:
    for slug in ("overview", "south", "council"):
        assert (built.build / "html" / f"{slug}.html").is_file()
        pdf = built.build / "pdf" / f"{slug}-ed3.pdf"  # the mini desk is edition 3
        assert pdf.read_bytes().startswith(b"%PDF-")
    index = (built.build / "index.html").read_text(encoding="utf-8")
    for slug in ("overview", "south", "council"):
        assert f'href="html/{slug}.html"' in index
        assert f'href="pdf/{slug}-ed3.pdf"' in index


def test_pdf_pages_have_running_header_and_page_numbers(built: Project) -> None:
    pages = _pdf_text(built.build / "pdf" / "south-ed3.pdf")
    assert pages
    for number, text in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Edition 3" in text
        # The information cut-off, named; the compilation day is the book cover's alone, so
        # that a page carries one date the judgments speak as of.
        flat = " ".join(text.split())
        assert "Edition 3 · Information cut-off 1 April 2031" in flat
        assert "compiled" not in flat.lower()
        assert "Test marking" in text  # as written: capitals drawn by CSS would copy as such
    # A brief's PDF has no Appendix B: its sources say under each how it travels.
    assert " attached as S1" in " ".join(" ".join(pages).split())


def test_pdf_quotes_the_source_in_numbered_notes(built: Project) -> None:
    text = " ".join(" ".join(_pdf_text(built.build / "pdf" / "south-ed3.pdf")).split())
    assert "Ten-year defence pact" in text
    assert "Southland's premier, Ada Quill, said on Tuesday" in text
    assert "The Harbour Gazette" in text and "B usually reliable" in text
    # The short reference that the sources table resolves: Quill's paragraph is the first of
    # the body (the text's first line is its headline, the source's title, not a ¶).
    assert "S1, ¶1" in text
    assert "March 2031 (inferred)" in text  # a month-precision inferred date, shown as such


def test_html_footnotes_link_to_numbered_notes(built: Project) -> None:
    html = (built.build / "html" / "south.html").read_text(encoding="utf-8")
    refs = set(re.findall(r'href="#south-note-(\d+)"', html))
    notes = set(re.findall(r'id="south-note-(\d+)"', html))
    assert refs and refs == notes
    assert sorted(int(n) for n in notes) == list(range(1, len(notes) + 1))
    assert "<em>mutual-defence</em>" not in html  # only the overview judgment uses Markdown


def test_note_has_stance_matrix_and_commitments_across_actors(built: Project) -> None:
    html = (built.build / "html" / "note.html").read_text(encoding="utf-8")
    assert "<em>mutual-defence</em>" in html  # Markdown in a free-text field
    assert 'href="council.html">Harbour Council</a>' in html
    assert "answer-opposes" in html
    assert "Ten-year defence pact" in html


def test_same_quote_cited_twice_keeps_one_number(mini: Project) -> None:
    base, _ = run_check(mini)
    assert base is not None
    notes = Notes(base.facts, "south")
    first = Citation(source="harbour", quote="said on Tuesday")
    again = Citation(source="harbour", quote="said  on\nTuesday")
    other = Citation(source="harbour", quote="joint training")
    html = str(notes.cite([first, other])) + str(notes.cite([again]))
    assert [n.number for n in notes.notes] == [1, 2]
    assert html.count('class="fn-print" href="#south-note-1"') == 2
    assert notes.sources()[0].id == "harbour"


QUOTES = ("said on Tuesday", "arms deliveries", "joint training", "shared intelligence")


def test_a_run_of_three_notes_or_more_is_marked_for_paper_and_keeps_every_marker(
    mini: Project,
) -> None:
    """Notes 1 to 3, then 1 and 2: the run of three gets the dash paper prints ("1–3"), the pair
    none; every marker stays, each linked to its note (the screen shows them all)."""
    base, _ = run_check(mini)
    assert base is not None
    notes = Notes(base.facts, "south")
    run = str(notes.cite([Citation(source="harbour", quote=q) for q in QUOTES[:3]]))
    pair = str(notes.cite([Citation(source="harbour", quote=q) for q in QUOTES[:2]]))
    assert [n.number for n in notes.notes] == [1, 2, 3]
    assert run.count('class="cite-dash"') == 1 and run.count('class="cite-run"') == 1
    assert all(f'class="fn-print" href="#south-note-{n}"' in run for n in (1, 2, 3))
    assert "cite-dash" not in pair and "cite-run" not in pair


def test_console_script_builds_from_the_project_directory(mini: Project) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "briefing", "build"],
        cwd=mini.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "built 4 briefs (4 HTML, 5 PDF)" in result.stdout  # the note, and the book 5th
    assert (mini.build / "pdf" / "book-ed3.pdf").is_file()
    assert (mini.build / "pdf" / "overview-ed3.pdf").is_file()


def test_html_ids_are_unique(built: Project) -> None:
    for page in (built.build / "html").glob("*.html"):
        ids = re.findall(r'\sid="([^"]+)"', page.read_text(encoding="utf-8"))
        assert len(ids) == len(set(ids)), page.name


@pytest.mark.parametrize(
    ("quote", "shown"),
    [
        ('"Our position remains unchanged."', "Our position remains unchanged."),
        ("“Curly, and enclosing”.", "Curly, and enclosing."),
        ('he said "x" and "y"', 'he said "x" and "y"'),  # inner quotations stay
        ('"opens but never closes', '"opens but never closes'),
        ("plain   words\n here", "plain words here"),
    ],
)
def test_quote_marks_enclosing_a_whole_quote_are_left_to_q(quote: str, shown: str) -> None:
    assert quote_text(quote) == shown
