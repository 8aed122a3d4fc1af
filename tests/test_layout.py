"""Pages that hold any desk: the build measures what it lays out (briefing.pdf.measure), tables
fold what does not fit (render.fit), the cover's contents flow when they are long, and a
WeasyPrint line-breaking defect is worked around (briefing.pdf.weasy.hold_spaces).

The wide desk (tests/wide_desk.py: 30 actors with long names, seven questions, fifteen declared
pledge fields) is built once for the module.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from typing import Any

import pypdf
import pytest
import weasyprint
from weasyprint.formatting_structure import boxes

from briefing.check.facts import run_check
from briefing.cli import main
from briefing.core.project import Project
from briefing.factbase.model import Citation
from briefing.pdf.bind import anchor_pages
from briefing.pdf.measure import Misfit, blank_space, loose_pages, measure, part_ends, tally
from briefing.pdf.weasy import before_layout, hold_spaces
from briefing.render.fit import columns_fit, contents_fit_cover, note_fits
from briefing.render.pages import PACKAGE_TEMPLATES, Notes
from briefing.site.build import checked_facts, render_site
from briefing.site.publish import part_anchors
from tests.conftest import FIXTURES
from tests.test_book import check_running_titles
from tests.wide_desk import actor_name, write_wide_desk

COP = Path(__file__).resolve().parent / "fixtures" / "cop"
ACTORS = 30


def laid_out(body: str, css: str = "") -> Any:
    """A small document laid out by WeasyPrint on A5 pages with 10 mm margins."""
    style = f"@page {{ size: A5; margin: 10mm }} body {{ font: 10pt/1.4 'Noto Serif' }} {css}"
    before_layout(tally)  # as render_pdf does: what the tree holds is counted before layout
    return weasyprint.HTML(string=f"<style>{style}</style>{body}").render()


def flat(text: str) -> str:
    return " ".join(text.split())


# --- Measuring: what leaves the page, what covers what ---------------------------------------


def test_text_that_fits_is_no_misfit() -> None:
    document = laid_out("<p>" + "Words that wrap as they should. " * 60 + "</p>" * 3)
    assert measure(document) == []


def test_a_table_broader_than_the_page_leaves_it_named_by_template_and_field() -> None:
    document = laid_out(
        '<section data-template="book/cover.html"><p>Fine.</p>'
        '<table style="table-layout: fixed; width: 200mm"><tr><td style="width: 100mm">Kind'
        '</td><td data-field="conditions">'
        "Conditions attached to the pledge</td></tr></table></section>"
    )
    [misfit] = measure(document)
    assert (misfit.kind, misfit.edge, misfit.page) == ("leaves", "right", 1)
    assert (misfit.template, misfit.field) == ("book/cover.html", "conditions")
    assert misfit.text.startswith("Conditions")
    assert 20 < misfit.by_mm < 72  # a table 200 mm wide in a column of 128 mm


def test_text_dropped_past_the_foot_of_the_page_is_lost() -> None:
    # A box placed absolutely is not broken across pages: WeasyPrint drops what does not fit,
    # and no page holds it; the letters counted before layout are missing after it.
    document = laid_out(
        '<div style="position: absolute; top: 170mm; left: 0" data-field="facts">'
        "<p>One</p><p>Two</p><p>Three</p><p>Four</p><p>Five</p></div>"
    )
    found = measure(document)
    assert [(m.kind, m.field) for m in found] == [("lost", "facts")]
    assert found[0].letters == len("TwoThreeFourFive") and found[0].count == 4


def test_a_fixed_height_cover_that_holds_too_much_loses_it() -> None:
    entries = "".join(f"<li>Chapter {n}</li>" for n in range(1, 60))
    document = laid_out(
        f'<section style="height: 150mm" data-template="book/cover.html"><ol>{entries}</ol>'
        '<p style="position: absolute; bottom: 0" data-field="facts">Edition 1</p></section>'
    )
    kinds = {(m.kind, m.template) for m in measure(document)}
    assert ("lost", "book/cover.html") in kinds or ("covers", "book/cover.html") in kinds


def test_a_box_placed_over_text_covers_it() -> None:
    document = laid_out(
        '<div data-template="cover.html"><p data-field="contents" style="margin: 0">Chapter '
        'one, chapter two, chapter three</p><p data-field="facts" style="position: absolute; '
        'top: 0; left: 10mm; margin: 0">Information cut-off 10 July</p></div>'
    )
    [misfit] = measure(document)
    assert misfit.kind == "covers"
    assert misfit.other is not None
    assert {misfit.field, misfit.other.field} == {"contents", "facts"}


def test_lines_set_close_and_raised_note_markers_cover_nothing() -> None:
    # Text boxes of adjacent lines touch when the leading is tight; their ink does not.
    raised = "position: relative; top: -0.5em; font-size: 6.5pt; line-height: 1"
    marker = f'<sup style="{raised}">2</sup>'
    document = laid_out(
        "<p style='line-height: 1.2'>" + f"A sentence with a note.{marker} " * 80 + "</p>"
    )
    assert measure(document) == []


def test_page_furniture_and_fixed_stamps_may_use_the_margins() -> None:
    document = laid_out(
        "<p>Body</p><p style='position: fixed; top: -8mm; left: 0; margin: 0'>Copy 3 of 12</p>",
        "@page { @bottom-left { content: 'Edition 1 · Information cut-off 10 July 2023' } }",
    )
    assert measure(document) == []


def test_many_misfits_of_one_field_are_one_with_a_count() -> None:
    rows = "".join(
        f'<tr><td>{n}</td><td data-field="wide" style="white-space: nowrap">{"x" * 120}</td></tr>'
        for n in range(60)
    )
    [misfit] = measure(laid_out(f"<table>{rows}</table>"))
    assert misfit.field == "wide"
    assert misfit.count == 60 and misfit.pages == (1, 2)


def test_clipped_text_is_not_measured() -> None:
    hidden = '<span style="position: absolute; width: 1px; height: 1px; overflow: hidden">'
    document = laid_out(f"<p>Read {hidden}{'screen reader text ' * 20}</span></p>")
    assert measure(document) == []


# --- The build refuses a page that misfits ---------------------------------------------------


def test_build_refuses_a_template_box_that_leaves_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "cop"
    shutil.copytree(COP, root)
    cover = root / "templates" / "book" / "cover.html"
    # A line the template keeps from wrapping, longer than the page is wide.
    planted = (
        '<p class="planted" style="white-space: nowrap" data-field="planted">A line the desk '
        "keeps on one line whatever its length, the conditions of a pledge among them, and "
        "so on past the edge</p>"
    )
    text = cover.read_text(encoding="utf-8").replace("</section>", planted + "\n</section>")
    cover.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "planted" in row)
    column = text.splitlines()[line - 1].index('data-field="planted"') + 1

    assert main(["--root", str(root), "build"]) == 1
    out = capsys.readouterr()
    report = out.out + out.err
    expected = (
        f"templates/book/cover.html:{line}:{column}: error: the field 'planted' leaves the "
        "page on page 1 of the layout 'cover of pdf/book-ed1.pdf': “A line the desk keeps "
    )
    assert expected in report, report
    assert "past the right edge of the content area [L001]" in report
    assert "Traceback" not in report
    # Nothing was published.
    assert not (root / "build" / "pdf").exists()


def test_the_book_s_flow_of_chapters_is_measured_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A chapter is laid out twice: alone (its brief's PDF) and in the book's flow of chapters.
    # A line planted in every chapter leaves the page in both, and both say so.
    root = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    (root / "templates" / "book").mkdir(parents=True)
    chapter = (PACKAGE_TEMPLATES / "book" / "chapter.html").read_text(encoding="utf-8")
    planted = (
        '<p style="white-space: nowrap" data-field="planted">A line kept on one line whatever '
        "its length, long enough to run on past the right edge of the page, and then on again "
        "a good way further</p>\n</section>"
    )
    (root / "templates" / "book" / "chapter.html").write_text(
        chapter.replace("</section>", planted), encoding="utf-8"
    )
    assert main(["--root", str(root), "build", "--jobs", "1"]) == 1
    out = capsys.readouterr()
    report = out.out + out.err
    assert "of the layout 'book/chapters'" in report, report
    assert "of the layout 'overview'" in report
    assert "past the right edge of the content area [L001]" in report
    assert not (root / "build" / "pdf").exists()


# --- The wide desk: thirty chapters, seven questions, fifteen pledge fields -------------------


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_wide_desk(tmp_path_factory.mktemp("wide"), actors=ACTORS)
    assert main(["--root", str(root), "build"]) == 0
    return root


@pytest.fixture(scope="module")
def wide_book(wide: Path) -> list[str]:
    reader = pypdf.PdfReader(wide / "build" / "pdf" / "book-ed1.pdf")
    return [flat(page.extract_text() or "") for page in reader.pages]


def test_wide_desk_builds_every_pdf_with_nothing_off_the_page(wide: Path) -> None:
    # The build measured every page it laid out and refused none.
    pdfs = {p.name for p in (wide / "build" / "pdf").glob("*.pdf")}
    assert {"book-ed1.pdf", "note-ed1.pdf", "overview-ed1.pdf"} <= pdfs
    assert len(pdfs) == ACTORS + 3


def test_wide_note_counts_what_two_pages_cannot_hold_and_leads_to_it(wide: Path) -> None:
    note = (wide / "build" / "html" / "note.html").read_text(encoding="utf-8")
    # Thirty actors' answers to seven questions and thirty cards are more than two pages: the
    # note counts them, once per question, and leads to the overview that prints them.
    assert len(pypdf.PdfReader(wide / "build" / "pdf" / "note-ed1.pdf").pages) <= 2
    counts = re.search(r'<table class="matrix answer-counts">(.*?)</table>', note, re.DOTALL)
    assert counts is not None
    assert len(re.findall(r'<th scope="row"', counts.group(1))) == 7
    assert f"backs with conditions</span> ({ACTORS})" in counts.group(1)
    assert f"{ACTORS} recorded, held by {ACTORS} of {ACTORS} actors." in note
    assert 'href="overview.html#overview-matrix-h"' in note
    assert 'class="card"' not in note
    # Each chapter's line for its pledge leads to where it is printed in full.
    chapter = (wide / "build" / "html" / "a01.html").read_text(encoding="utf-8")
    assert 'href="overview.html#overview-fact-a01-pledge"' in chapter
    assert "note.html#note-fact-" not in chapter


def test_wide_matrix_folds_its_answers_under_each_actor(wide: Path) -> None:
    note = (wide / "build" / "html" / "overview.html").read_text(encoding="utf-8")
    table = re.search(r'<table class="matrix folded">(.*?)</table>', note, re.DOTALL)
    assert table is not None
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", table.group(1), re.DOTALL)
    assert len(rows) == ACTORS
    # Each row gives every question its line, labelled, with the answer.
    first = rows[0]
    assert re.findall(r'<div data-field="(q\d)"><dt>', first) == [f"q{n}" for n in range(1, 8)]
    assert "backs with conditions" in first


def test_wide_pledges_print_every_declared_field(wide: Path) -> None:
    note = (wide / "build" / "html" / "overview.html").read_text(encoding="utf-8")
    card = re.search(
        r'<div class="card" id="overview-fact-a01-pledge">(.*?)</div>', note, re.DOTALL
    )
    assert card is not None
    fields = re.findall(r'data-field="([\w-]+)"', card.group(1))
    assert [f for f in fields if f.startswith("detail_")] == [f"detail_{n}" for n in range(1, 9)]


def test_wide_cover_lists_every_chapter_and_keeps_its_facts_clear(wide_book: list[str]) -> None:
    # The contents page, after the note: it lists the note first.
    start = next(i for i, t in enumerate(wide_book) if "Contents" in t and "Principal’s note" in t)
    cover = wide_book[start]
    # The edition's facts and the cover's note come before the contents, on the cover page.
    assert cover.index("Information cut-off") < cover.index("Contents")
    # A name broken after its hyphen ("Climate- Resilient") reads whole again.
    contents = " ".join(wide_book[start : start + 3]).replace("- ", "-")
    for index in range(1, ACTORS + 1):
        assert flat(actor_name(index)) in contents
    assert "A Sources" in contents and "B Method" in contents
    # The contents went on to the next page rather than over anything.
    assert actor_name(ACTORS) not in cover


def test_shipped_size_desk_keeps_its_contents_on_the_cover() -> None:
    titles = ["Overview", "France", "Germany", "Lithuania", "Poland", "Ukraine"]
    titles += ["United Kingdom", "United States", "NATO"]
    subtitle = "Commitments and positions ahead of the NATO summit in Vilnius"
    assert contents_fit_cover(titles, "Security guarantees for Ukraine", subtitle)
    # A tenth chapter still fits; a numbered copy's line and its recipient's role above the
    # contents do not, and its contents go on in two columns.
    titles.append("Hesitant allies (unnamed)")
    assert contents_fit_cover(titles, "Security guarantees for Ukraine", subtitle)
    assert not contents_fit_cover(titles, "Security guarantees for Ukraine", subtitle, extra=2)
    assert not contents_fit_cover([actor_name(n) for n in range(1, 31)], "Pledges", None)
    # Ten long names: two lines each, more than the cover holds.
    assert not contents_fit_cover([actor_name(n) for n in range(1, 11)], "Pledges", None)


def test_note_holds_a_shipped_size_desk_but_not_thirty_actors() -> None:
    judgments = [("A judgment of two lines or so, " * 6, "Low confidence: one source " * 3)] * 4
    actions = [["A point of three lines in its narrow column, " * 5] * 3] * 2
    cards = [("Actor A bilateral agreement on guarantees", "Status: reported", "A summary " * 12)]

    def fits(rows: list[float], count: int) -> bool:
        return note_fits(
            page_one=["Bottom line " * 12],
            judgments=judgments,
            actions=actions,
            matrix_rows=rows,
            cards=cards * count,
            key="",
        )

    assert fits([1.5] * 7, 11)
    assert not fits([1.5] * 30, 30)
    # Seven questions folded under thirty names overflow on their own.
    assert not fits([10.5] * 30, 0)


# --- The chapters flow: short chapters share pages, the contents find where each starts ------


@pytest.fixture(scope="module")
def wide_pdf(wide: Path) -> bytes:
    return (wide / "build" / "pdf" / "book-ed1.pdf").read_bytes()


def test_wide_running_headers_name_the_chapter_a_page_opens_with(wide: Path) -> None:
    """Thirty short chapters flow, so some start below the top of a page: that page's header
    names the chapter its text opens with."""
    book = wide / "build" / "pdf" / "book-ed1.pdf"
    assert check_running_titles(book, pypdf.PdfReader(book)) > 0


def _starts(root: Path) -> tuple[str, ...]:
    """The anchors the parts of the desk's book open with (publish.part_anchors)."""
    project = Project.at(root)
    checked, facts, plan = checked_facts(project)
    return part_anchors(render_site(facts, project, plan, checked.texts))


def _bookmarks(reader: pypdf.PdfReader) -> list[tuple[str, int, float, list[Any]]]:
    """The outline's chapters and appendices: title, page index, the top of the heading (pt
    from the top of the page) and the bookmarks under it, the same way."""
    items: list[tuple[str, int, float, list[Any]]] = []
    for item in reader.outline:
        if isinstance(item, list):
            items[-1][3].extend(_bookmarks_of(reader, item))
        else:
            items.append((*_bookmark(reader, item), []))
    return items


def _bookmark(reader: pypdf.PdfReader, item: Any) -> tuple[str, int, float]:
    page = reader.get_destination_page_number(item)
    assert page is not None
    height = float(reader.pages[page].mediabox.height)
    return str(item.title), page, height - float(item.top)


def _bookmarks_of(reader: pypdf.PdfReader, items: list[Any]) -> list[tuple[str, int, float]]:
    return [_bookmark(reader, item) for item in items if not isinstance(item, list)]


def contents_numbers(reader: pypdf.PdfReader, pages: range) -> dict[str, int]:
    """The page number the contents (on `pages`, indexes) print for each entry, by the anchor
    its link leads to: the number is part of the entry's link, after its title (book.css), so
    it is the rightmost number inside the entry's link boxes."""
    found: dict[str, tuple[float, int]] = {}
    for index in pages:
        page = reader.pages[index]
        runs: list[tuple[float, float, str]] = []

        def keep(text: str, cm: Any, tm: Any, _font: Any, _size: float) -> None:
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((x, y, text.strip()))  # noqa: B023

        page.extract_text(visitor_text=keep)
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if "/Dest" not in annotation:
                continue
            x1, y1, x2, y2 = (float(v) for v in annotation["/Rect"])
            inside = [
                (x, int(text))
                for x, y, text in runs
                if text.isdigit()
                and min(x1, x2) - 1 <= x <= max(x1, x2) + 1
                and min(y1, y2) - 1 <= y <= max(y1, y2) + 1
            ]
            anchor = str(annotation["/Dest"])
            for x, number in inside:
                if anchor not in found or x > found[anchor][0]:
                    found[anchor] = (x, number)
    return {anchor: number for anchor, (_, number) in found.items()}


def test_wide_contents_give_the_page_each_chapter_starts_on(wide: Path, wide_pdf: bytes) -> None:
    reader = pypdf.PdfReader(wide / "build" / "pdf" / "book-ed1.pdf")
    marks = _bookmarks(reader)
    contents = next(page for title, page, _, _ in marks if title == "Contents")
    chapters = [(title, page) for title, page, _, _ in marks if re.match(r"\d+\. ", title)]
    listed = contents_numbers(reader, range(contents, chapters[0][1]))
    slugs = ["overview", *(f"a{n:02d}" for n in range(1, ACTORS + 1))]
    anchors = anchor_pages(wide_pdf, ["note", *slugs, "appendix-sources", "appendix-method"])
    assert set(listed) == set(anchors), set(listed) ^ set(anchors)
    for anchor, page in anchors.items():
        assert listed[anchor] == page + 1, anchor
    # Each chapter's anchor is on the page of its heading (the outline's bookmark).
    by_title = {title.split(". ", 1)[1]: page for title, page in chapters}
    assert by_title["Overview"] == anchors["overview"]
    for n in range(1, ACTORS + 1):
        assert by_title[actor_name(n)] == anchors[f"a{n:02d}"], n
    # That the chapters flow (none starts a page of its own) is measured by the blank space
    # of every page, below.


def test_wide_book_leaves_no_page_a_third_blank_but_a_part_s_last(
    wide: Path, wide_pdf: bytes
) -> None:
    spaces = blank_space(wide_pdf)
    ends = part_ends(wide_pdf, _starts(wide))
    assert loose_pages(spaces, ends) == []
    # Four parts and the note: the note's last page, the cover's, the chapters', Appendix A's
    # and Appendix B's (the book's last).
    assert len(ends) == 5 and len(spaces) in ends


def test_wide_chapters_keep_their_headings_with_what_follows(wide_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(wide_pdf))
    spaces = blank_space(wide_pdf)
    chapters = [mark for mark in _bookmarks(reader) if re.match(r"\d+\. ", mark[0])]
    assert len(chapters) == ACTORS + 1
    for title, page, _, sections in chapters:
        # The chapter's number, title and first section's heading start on one page ...
        assert sections and sections[0][1] == page, title
        # ... and no section's heading is the last line of its page.
        for heading, on, top in sections:
            below = [line for line in spaces[on].lines if line.baseline > top + 20]
            assert below, (title, heading, on + 1)


def test_a_chapter_that_starts_a_page_again_is_flagged(tmp_path: Path) -> None:
    # The mini desk's chapters flow; made to start pages of their own, the first two leave
    # most of their pages blank, which the measure finds.
    def book(planted: str) -> tuple[bytes, Path]:
        root = tmp_path / f"mini{len(planted)}"
        shutil.copytree(FIXTURES / "mini", root)
        (root / "templates").mkdir(exist_ok=True)
        css = (PACKAGE_TEMPLATES / "book.css").read_text(encoding="utf-8") + planted
        (root / "templates" / "book.css").write_text(css, encoding="utf-8")
        assert main(["--root", str(root), "build", "--jobs", "1"]) == 0
        return (root / "build" / "pdf" / "book-ed3.pdf").read_bytes(), root

    def loose(content: bytes, root: Path) -> list[int]:
        spaces = blank_space(content)
        return [space.page for space in loose_pages(spaces, part_ends(content, _starts(root)))]

    assert loose(*book("")) == []
    assert loose(*book("\n.chapter + .chapter { break-before: page; }\n")) != []


def test_blank_space_measures_below_the_last_line() -> None:
    # A4 with the book's margins: a text area of 297 - 24 - 22 = 251 mm. One line of 10 pt
    # type after 120 mm of nothing leaves about 251 - 120 - 5 = 126 mm, half of it, blank.
    css = (
        "@page { size: A4; margin: 24mm 20mm 22mm } body { margin: 0; font: 10pt/1.4 'Noto Serif' }"
    )
    html = f"<style>{css}</style><div style='height: 120mm'></div><p style='margin: 0'>Words.</p>"
    page2 = "<p style='break-before: page; margin: 0'>A page of one line.</p>"
    content = weasyprint.HTML(string=html + page2).write_pdf()
    assert content is not None
    first, second = blank_space(content)
    assert first.last == "Words." and second.last == "A page of one line."
    assert abs(first.blank - 126 / 251) < 0.01
    assert second.blank > 0.97
    assert [s.page for s in loose_pages([first, second], {2})] == [1]
    assert loose_pages([first, second], {1, 2}) == []


def test_columns_fit_by_count_and_by_word_length() -> None:
    answers = ["supports", "opposes", "no position recorded"]
    assert columns_fit([["Membership invitation", *answers], ["Security guarantees", *answers]])
    assert not columns_fit([[f"Question {n}", *answers] for n in range(7)])
    # Two columns, but one word longer than a column can hold.
    assert not columns_fit([["Short", "a" * 80], ["Short"]])


# --- WeasyPrint's lone first word ---------------------------------------------------------------

# A list item whose text runs up to a link ("S2", a source reference) near the line's end.
ITEM = (
    "The year of the signing is not stated, nor whether it came before or after the summit; "
    "<a href='#s'>S2</a> alone reports it."
)
# The list's width, 100 to 170 mm; the defect strikes at a few widths only (142.5 and 143 mm).
WIDTHS = [w / 2 for w in range(200, 341)]
# Ways to build the list: none avoids the defect, which is WeasyPrint's, not the list's.
LISTS = {
    "outside marker, padding": "ul { padding-left: 6mm }",
    "outside marker, margin": "ul { padding-left: 0; margin-left: 6mm }",
    "inside marker": "ul { padding-left: 0; list-style-position: inside }",
    "no marker": "ul { padding-left: 6mm } li { display: block }",
    "marker drawn before": (
        "ul { list-style: none; padding-left: 6mm } "
        "li::before { content: '•'; display: inline-block; width: 6mm; margin-left: -6mm }"
    ),
}


def lone_first_words(css: str, hold: bool) -> list[float]:
    """The widths at which the item's first line holds its first word alone."""
    lists = "".join(f'<ul style="width: {w}mm"><li>{ITEM}</li></ul>' for w in WIDTHS)
    html = f"<style>@page {{ size: 200mm 3000mm; margin: 5mm }} {css}</style>{lists}"
    html = html.replace("<style>", "<style>body { font: 10pt/1.42 'Noto Serif' } ", 1)
    document = weasyprint.HTML(string=hold_spaces(html) if hold else html).render()
    items: list[Any] = []

    def collect(box: Any) -> None:
        if isinstance(box, boxes.BlockBox) and box.element_tag == "li":
            items.append(box)
            return
        for child in getattr(box, "children", ()):
            collect(child)

    for page in document.pages:
        collect(page._page_box)
    assert len(items) == len(WIDTHS)
    lone = []
    for width, item in zip(WIDTHS, items, strict=True):
        lines = [flat(_text(line)) for line in _lines(item)]
        lines = [line for line in lines if line not in ("", "•")]
        if len(lines) > 1 and len(lines[0].lstrip("• ").split()) == 1:
            lone.append(width)
    return lone


def _lines(box: Any) -> list[Any]:
    if isinstance(box, boxes.LineBox):
        return [box]
    return [line for child in getattr(box, "children", ()) for line in _lines(child)]


def _text(box: Any) -> str:
    if isinstance(box, boxes.TextBox):
        return str(box.text)
    return "".join(_text(child) for child in getattr(box, "children", ()))


@pytest.mark.parametrize("construction", list(LISTS))
def test_weasyprint_keeps_a_first_word_alone_whatever_the_list(construction: str) -> None:
    # If this fails, WeasyPrint no longer has the defect: hold_spaces can go.
    assert lone_first_words(LISTS[construction], hold=False) != []


@pytest.mark.parametrize("construction", list(LISTS))
def test_held_spaces_break_every_width_right(construction: str) -> None:
    assert lone_first_words(LISTS[construction], hold=True) == []


# A block whose text ends in a space ("alone. </li>", as a template leaves it before an
# empty reference list): at 101.5 mm its last line's first word stood alone.
ENDS_IN_SPACE = (
    "No text is dated or reports the outcome: by their content S3 to S5 run from about April "
    "2023 to the summit’s eve, S1 reports only its run-up, and S2, by our knowledge, mixes in "
    "2024 news and is set aside. All five carry Kyiv’s voice; Stoltenberg’s ruling, the Post’s "
    "account of Washington’s caution and the “Israeli formula” reach us through S5 alone. "
)


def lone_words(hold: bool, widths: list[float]) -> list[float]:
    """The widths at which a line other than the last holds one word alone."""
    lone = []
    for width in widths:
        html = (
            "<style>@page { size: 200mm 400mm; margin: 5mm } "
            "body { font: 10pt/1.42 'Noto Serif' } ul { padding-left: 6mm }</style>"
            f'<ul style="width: {width}mm"><li>{ENDS_IN_SPACE}</li></ul>'
        )
        document = weasyprint.HTML(string=hold_spaces(html) if hold else html).render()
        lines = [flat(_text(line)) for line in _lines(document.pages[0]._page_box)]
        lines = [line for line in lines if line not in ("", "•")]
        if any(len(line.split()) == 1 for line in lines[:-1]):
            lone.append(width)
    return lone


def test_a_space_ending_a_block_no_longer_strands_a_word() -> None:
    # If the first assertion fails, WeasyPrint no longer has the defect.
    assert lone_words(hold=False, widths=[101.5]) == [101.5]
    assert lone_words(hold=True, widths=WIDTHS) == []


def test_hold_spaces_keeps_the_text_and_touches_only_running_text() -> None:
    html = '<ul>\n  <li>from <a href="#s">S2</a> alone. <span class="c">low</span></li>\n</ul>'
    held = hold_spaces(html)
    assert held == (
        '<ul>\n  <li>from<span> </span><a href="#s">S2</a> alone.<span> </span>'
        '<span class="c">low</span></li>\n</ul>'
    )
    assert re.sub(r"<[^>]+>", "", held) == re.sub(r"<[^>]+>", "", html)
    # A space that ends a block's text goes, as the line would drop it; one that ends an
    # inline element's, a word space, stays.
    assert hold_spaces("<li>alone. </li><p>done.\n</p><p><em>kept </em>word</p>") == (
        "<li>alone.</li><p>done.</p><p><em>kept </em>word</p>"
    )


def test_misfit_is_plain_data() -> None:
    # Misfits cross from the worker process that measured them to the build.
    import pickle

    from briefing.pdf.measure import Misfits

    misfit = Misfit("leaves", 2, "Cond", "note.html", "conditions", 3.2, "right")
    again = pickle.loads(pickle.dumps(Misfits((misfit,))))
    assert again.misfits == (misfit,)


# --- The note's two pages, measured -----------------------------------------------------------


def test_a_note_longer_than_two_pages_is_reported(
    mini: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    overview = mini.facts / "overview.yaml"
    text = overview.read_text(encoding="utf-8")
    assert main(["--root", str(mini.root), "build"]) == 0
    assert "[L004]" not in capsys.readouterr().err  # the fixture's note keeps to its pages
    # Planted: more limits to the evidence than any layout of two pages holds.
    point = "The record goes on about what it cannot tell us for longer than anyone reads. " * 4
    limits = "".join(f"  - text: {point.strip()} ({n})\n" for n in range(40))
    overview.write_text(f"{text}limits:\n{limits}", encoding="utf-8")
    assert main(["--root", str(mini.root), "build"]) == 0  # a warning: the PDFs are written
    out = capsys.readouterr()
    report = out.out + out.err
    assert "facts/overview.yaml: warning: the principal's note runs to" in report, report
    assert "it is at most 2" in report and "[L004]" in report


def _line_texts(document: Any) -> list[str]:
    return [_text(line) for line in _lines(document.pages[0]._page_box)]


def test_note_marks_never_wrap_to_a_line_of_their_own_and_copy_apart() -> None:
    # The book's own rule for note marks, on a line just too short for word and marks: without
    # it the marks open the next line alone (checked by laying out without it).
    rule = next(
        line
        for line in (PACKAGE_TEMPLATES / "book.css").read_text().splitlines()
        if "sup.cite::before" in line
    )
    body = '<div class="book" style="width: 28.4mm; font: 10pt serif"><p>aaaa bbbb news.'
    body += '<sup class="cite">1,2,3</sup></p></div>'
    css = ".book sup.cite { font-size: 6.5pt }"
    alone = _line_texts(laid_out(body, css))
    held = _line_texts(laid_out(body, css + rule))
    assert alone[-1] == "1,2,3"  # the fault the rule prevents, on this line length
    assert held[-1].startswith("news.") and held[-1].endswith("1,2,3")
    # Copied, the marks stay apart from the word: "news. 1,2,3", not "news.1,2,3".
    assert "news.\u200a\u20601,2,3" in held[-1]


def test_a_run_of_note_markers_prints_as_its_ends(mini: Project) -> None:
    """On paper, notes 1 to 4 then 6 read "1–4,6" as laid out with the briefs' own print rules;
    with them gone, every number would print."""
    base, _ = run_check(mini)
    assert base is not None
    notes = Notes(base.facts, "south")
    quotes = ("said on Tuesday", "arms deliveries", "joint training", "shared intelligence")
    for quote in (*quotes, "cannot offer membership"):
        notes.add(Citation(source="harbour", quote=quote))
    six = Citation(source="harbour", quote="Nausėda Street in Україна-town was renamed")
    marks = notes.cite([*(Citation(source="harbour", quote=q) for q in quotes), six])
    css = (PACKAGE_TEMPLATES / "brief.css").read_text(encoding="utf-8")
    body = f'<div class="book"><p>news.{marks}</p></div>'
    printed = flat(" ".join(_line_texts(laid_out(body, css))))
    assert printed.endswith("news.1–4,6"), printed
    # On screen, the same stylesheet shows every marker and no dash (each marker's button is
    # read here by its print link: the number is the same).
    screen = weasyprint.HTML(
        string=f"<style>{css} .pop, .fn {{ display: none }} .fn-print {{ display: inline }}"
        f"</style>{body}",
        media_type="screen",
    ).render()
    assert flat(" ".join(_line_texts(screen))).endswith("news.1,2,3,4,6")


def test_a_note_that_pushes_what_to_watch_off_page_one_is_reported(
    mini: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """Within two pages, but what it means for us and what to watch moved to page 2, where the
    thirty-second reader does not look (L005)."""
    overview = mini.facts / "overview.yaml"
    actions = (
        "implications:\n  - text: Back the pact, and say so early.\n"
        "watch:\n  - text: The council's next statement on membership.\n"
    )
    text = overview.read_text(encoding="utf-8") + actions
    overview.write_text(text, encoding="utf-8")
    assert main(["--root", str(mini.root), "build"]) == 0
    assert "[L005]" not in capsys.readouterr().err
    # Planted: limits long enough to fill page 1, short of a third page.
    point = "The record says little about what the council will do, or when it will say so. "
    limits = "".join(f"  - text: {(point * 3).strip()} ({n})\n" for n in range(18))
    overview.write_text(f"{text}limits:\n{limits}", encoding="utf-8")
    assert main(["--root", str(mini.root), "build"]) == 0
    out = capsys.readouterr()
    report = out.out + out.err
    assert "[L004]" not in report, report
    assert "prints what it means for us or what to watch on page 2" in report, report
    assert "[L005]" in report
