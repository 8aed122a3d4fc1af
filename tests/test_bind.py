"""Binding (briefing.pdf.bind): documents laid out apart become one PDF whose page numbers, links,
outline and structure tree are those of a document laid out whole."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pikepdf
import pypdf
import pytest

from briefing.core.project import Project
from briefing.pdf.bind import bind
from briefing.pdf.document import PdfJob, render_pdf
from tests.conftest import FIXTURES

REPO = Path(__file__).resolve().parent.parent

PAGE = "@page { size: A5; margin: 20mm; } h1 { bookmark-level: 1 } h2 { bookmark-level: 2 }"


def page(body: str) -> str:
    return f'<html lang="en"><head><style>{PAGE}</style></head><body>{body}</body></html>'


NUMBERS = (
    "@page { size: A5; margin: 20mm; "
    "@bottom-right { content: 'Page ' counter(page) ' of ' counter(pages) } }"
    ".n + .n { break-before: page }"
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("bind") / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    return Project.at(root)


def lay_out(project: Project, html: str, tagged: bool = True) -> bytes:
    return render_pdf(PdfJob(html, stylesheets=(), tagged=tagged), project)


def numbers(project: Project, pages: int) -> bytes:
    body = '<div class="n"></div>' * pages
    html = f'<html lang="en"><head><style>{NUMBERS}</style></head><body>{body}</body></html>'
    return lay_out(project, html, tagged=False)


@pytest.fixture(scope="module")
def bound(project: Project) -> bytes:
    # Part one runs over three pages and links to an anchor of part two; part two links back,
    # to a sibling PDF bound into the document, and to an anchor no part has.
    one = page(
        '<h1 id="one">One</h1><p><a href="#two-b">to two</a></p>'
        '<h2 id="one-a" style="break-before: page">One A</h2><p>a</p>'
        '<h2 id="one-b" style="break-before: page">One B</h2><p>b</p>'
    )
    two = page(
        '<h1 id="two">Two</h1><h2 id="two-b">Two B</h2>'
        '<p><a href="#one-a">back</a> <a href="first.pdf#one-b">by name</a> '
        '<a href="#nowhere">away</a> <a href="other.pdf#x">other</a></p>'
    )
    parts = [lay_out(project, one), lay_out(project, two)]
    return bind(parts, numbers(project, 4), inside={"first.pdf": "one"}, elsewhere="book.pdf")


def text_of(content: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return [" ".join((p.extract_text() or "").split()) for p in reader.pages]


def test_every_page_has_its_own_number(bound: bytes) -> None:
    # The three pages of part one share one resource dictionary: each still shows its number.
    pages = text_of(bound)
    assert len(pages) == 4
    for number, text in enumerate(pages, start=1):
        assert re.findall(r"Page \d+ of \d+", text) == [f"Page {number} of 4"], text


def test_links_between_parts_lead_inside(bound: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(bound))
    names = set(reader.named_destinations)
    assert {"one", "one-a", "one-b", "two", "two-b"} <= names
    dests, uris = [], []
    for pdf_page in reader.pages:
        for annotation in pdf_page.get("/Annots") or []:
            annotation = annotation.get_object()
            if "/Dest" in annotation:
                dests.append(str(annotation["/Dest"]))
            else:
                uris.append(str(annotation["/A"]["/URI"]))
    assert sorted(dests) == ["one-a", "one-b", "two-b"]
    # An anchor no part has is sought in the PDF that has everything; another PDF stays one.
    assert sorted(uris) == ["book.pdf#nowhere", "other.pdf#x"]


def test_the_outline_holds_every_part_in_order(bound: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(bound))
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert [str(item.title) for item in top] == ["One", "Two"]
    assert [reader.get_destination_page_number(item) for item in top] == [0, 3]
    children = [item for item in reader.outline if isinstance(item, list)]
    titles = [[str(c.title) for c in group if not isinstance(c, list)] for group in children]
    assert titles == [["One A", "One B"], ["Two B"]]


def test_the_structure_tree_is_one_and_whole(bound: bytes) -> None:
    with pikepdf.open(io.BytesIO(bound)) as pdf:
        tree = pdf.Root.StructTreeRoot
        assert len(tree.K) == 1 and pikepdf.Name.Document == tree.K[0].S
        pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
        flat = tree.ParentTree.Nums
        keys = [int(flat[i]) for i in range(0, len(flat), 2)]
        assert keys == sorted(set(keys)), "one parent tree, each key once"
        assert int(tree.ParentTreeNextKey) == keys[-1] + 1
        # Each page and each link annotation has its own key, and its elements are its own.
        seen: set[int] = set()
        for pdf_page in pdf.pages:
            key = int(pdf_page.obj.StructParents)
            seen.add(key)
            for element in flat[keys.index(key) * 2 + 1]:
                assert pages[element.Pg.objgen] == pages[pdf_page.obj.objgen]
            for annotation in pdf_page.obj.get("/Annots", []):
                seen.add(int(annotation.StructParent))
        assert seen == set(keys)

        def walk(element: pikepdf.Object, parent: pikepdf.Object) -> int:
            assert element.P.objgen == parent.objgen, "every element's parent holds it"
            if "/Pg" in element:
                assert element.Pg.objgen in pages
            kids = element.get("/K")
            inner = (
                [k for k in kids if isinstance(k, pikepdf.Dictionary)]
                if isinstance(kids, pikepdf.Array)
                else ([kids] if isinstance(kids, pikepdf.Dictionary) else [])
            )
            return 1 + sum(walk(k, element) for k in inner if "/S" in k)

        document = tree.K[0]
        assert sum(walk(k, document) for k in document.K) > 10


def test_page_numbers_are_one_artifact_over_the_page(bound: bytes) -> None:
    with pikepdf.open(io.BytesIO(bound)) as pdf:
        for pdf_page in pdf.pages:
            drawn = b"".join(part.read_bytes() for part in pikepdf.Array(pdf_page.obj.Contents))
            assert drawn.startswith(b"q\n")
            assert re.search(
                rb"Q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\nq\n"
                rb"/BriefingPageNumber Do\nQ\nEMC\n$",
                drawn,
            )
            form = pdf_page.obj.Resources.XObject.BriefingPageNumber
            assert b"MCID" not in form.read_bytes(), "nothing tagged inside the artifact"


def test_the_same_parts_bind_to_the_same_bytes(project: Project, bound: bytes) -> None:
    one = lay_out(project, page("<h1>x</h1>"))
    two = lay_out(project, page("<h1>y</h1>"))
    first = bind([one, two], numbers(project, 2))
    assert bind([one, two], numbers(project, 2)) == first
    assert bind([two, one], numbers(project, 2)) != first


def test_qpdf_finds_the_bound_file_sound(bound: bytes) -> None:
    with pikepdf.open(io.BytesIO(bound)) as pdf:
        assert pdf.check_pdf_syntax() == []


def test_a_cover_of_two_pages_gets_the_contents_right(tmp_path: Path) -> None:
    """The cover is laid out once the parts are, with their first pages; one that runs to a
    second page is laid out again with the page numbers that follow from its length."""
    from briefing.cli import main

    root = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", root)
    cover = (REPO / "briefing/templates/book/cover.html").read_text(encoding="utf-8")
    more = '<p style="break-before: page">A second page of the cover.</p>\n</section>'
    (root / "templates/book").mkdir(parents=True)
    # The cover's own section closes last (the principal's note, before it, is a section too).
    head, tail = cover.rsplit("</section>", 1)
    (root / "templates/book/cover.html").write_text(head + more + tail, encoding="utf-8")
    assert main(["--root", str(root), "build"]) == 0
    reader = pypdf.PdfReader(root / "build/pdf/book-ed3.pdf")
    pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    # The cover part: the note's pages, then the cover with the contents, then its second page.
    cover_at = next(i for i, text in enumerate(pages) if "Contents" in text)
    assert "A second page of the cover." in pages[cover_at + 1]
    top = [item for item in reader.outline if not isinstance(item, list)]
    starts = {str(item.title): (reader.get_destination_page_number(item) or 0) + 1 for item in top}
    assert starts["1. Overview"] == cover_at + 3
    for title, first in starts.items():
        if ". " in title:  # a numbered chapter or appendix, listed in the contents
            name = title.split(". ", 1)[1]
            assert re.search(rf"{re.escape(name)}[ .]*\b{first}\b", pages[cover_at]), (name, first)
    # The cover's own pages go unnumbered; the note before them and the rest count theirs.
    assert not re.search(r"Page \d+ of", " ".join(pages[cover_at : cover_at + 2]))
    for number, text in enumerate(pages[:cover_at], start=1):
        assert f"Page {number} of {len(pages)}" in text
    for number, text in enumerate(pages[cover_at + 2 :], start=cover_at + 3):
        assert f"Page {number} of {len(pages)}" in text
