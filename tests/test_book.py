"""The briefing book PDF, read back: outline, contents, links, attachments, metadata, fonts,
PDF/A identification, and what its pages look like."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PIL import Image

from briefing.core.project import Project
from briefing.evidence.excerpts import excerpts_name
from briefing.factbase.model import FactBase
from briefing.factbase.plan import chapter_order, on_record_order
from briefing.pdf.document import brief_meta, write_pdf
from briefing.pdf.measure import blank_space, loose_pages, part_ends
from briefing.render.attachments import BUNDLE, MANIFEST
from briefing.render.pages import PACKAGE_TEMPLATES, Renderer
from briefing.site.build import checked_facts, render_site
from briefing.site.publish import part_anchors, publish
from tests.carried import carried
from tests.conftest import FIXTURES

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Built:
    project: Project
    facts: FactBase
    book: Path


@pytest.fixture(scope="module")
def built(shipped: Project) -> Built:
    """The suite's one build of the shipped project."""
    _, facts, plan = checked_facts(shipped)
    return Built(shipped, facts, shipped.build / plan.book)


@pytest.fixture(scope="module")
def reader(built: Built) -> pypdf.PdfReader:
    return pypdf.PdfReader(built.book)


def catalog(reader: pypdf.PdfReader) -> Any:
    """The document catalog, loosely typed: PDF dictionaries are dynamic."""
    return reader.trailer["/Root"]


def outline(reader: pypdf.PdfReader) -> list[tuple[str, int, list[str]]]:
    """Top-level bookmarks as (title, page index, child titles)."""
    items: list[tuple[str, int, list[str]]] = []
    tree: list[Any] = reader.outline
    for item in tree:
        if isinstance(item, list):
            title, page, _ = items[-1]
            children = [str(child.title) for child in item if not isinstance(child, list)]
            items[-1] = (title, page, children)
        else:
            page_index = reader.get_destination_page_number(item)
            assert page_index is not None
            items.append((str(item.title), page_index, []))
    return items


def test_book_is_published_and_linked_from_the_index(built: Built) -> None:
    assert built.book.stat().st_size > 10_000
    index = (built.project.build / "index.html").read_text(encoding="utf-8")
    number = built.facts.edition.number
    assert built.book.name == f"book-ed{number}.pdf"  # the edition is in the name
    assert f'href="pdf/{built.book.name}"' in index
    for actor in chapter_order(built.facts):  # the per-actor PDFs remain
        assert (built.project.build / "pdf" / f"{actor.id}-ed{number}.pdf").is_file()
    for actor in on_record_order(built.facts):  # but none for an actor on record only
        assert not (built.project.build / "pdf" / f"{actor.id}-ed{number}.pdf").exists()


def test_outline_mirrors_the_chapters_and_their_headings(
    built: Built, reader: pypdf.PdfReader
) -> None:
    actors = chapter_order(built.facts)
    items = outline(reader)
    expected = [
        "Principal's note",  # the book opens with the note: page 1 carries the judgments
        "Contents",
        "1. Overview",
        *(f"{i}. {a.name}" for i, a in enumerate(actors, start=2)),
        "Appendix A. Sources",
        "Appendix B. Method",
    ]
    assert [title for title, _, _ in items] == expected
    pages = [page for _, page, _ in items]
    assert pages == sorted(pages) and pages[0] == 0
    # The appendices start pages of their own (that the chapters flow, short ones sharing a
    # page, is test_layout's, on a fixture: whether the shipped chapters are short is data).
    assert pages[-3] < pages[-2] < pages[-1]
    # Each chapter opens with its bottom line; an actor the analyst makes no judgment on and
    # the sources give no position for has no chapter: the overview's last section names it.
    for title, _, children in items[3:-2]:
        assert children[0] == "Bottom line up front" and "Summit position" in children, title
    overview_children = items[2][2]
    assert "Timeline" in overview_children
    folded = on_record_order(built.facts)
    assert folded, "the shipped desk has actors on record only"
    assert overview_children[-2:] == [built.facts.vocabulary.words.others, "Notes"]
    assert not {a.name for a in folded} & {title.split(". ", 1)[-1] for title, _, _ in items}
    assert items[-2][2] == [s.title for s in built.facts.sources]


def test_contents_page_numbers_match_the_chapters(reader: pypdf.PdfReader) -> None:
    items = outline(reader)
    contents_page = next(page for title, page, _ in items if title == "Contents")
    text = reader.pages[contents_page].extract_text()
    listed: dict[str, int] = {}
    for line in text.splitlines():
        # "3 Poland 7": number or letter, title, page number; no leader dots, which would
        # copy as a row of dots between them
        assert ". . ." not in line, line
        match = re.fullmatch(r"\w+ +(.+?) +(\d+)", line.strip())
        if match:
            listed[match.group(1)] = int(match.group(2))
    for title, page, _ in items[2:]:
        name = title.split(". ", 1)[1]
        assert listed.get(name) == page + 1, (name, listed)


# The box of the running header's right-hand string, top right of an A4 page, in points.
CROP = ["pdftotext", "-x", "360", "-y", "0", "-W", "235", "-H", "68"]


def running_title(pdf: Path, page: int) -> str:
    """The right-hand string of a page's running header, all its lines: the text of the
    header's box, cropped from the top right of the page (A4, 72 pt to the inch)."""
    text = subprocess.run(
        [*CROP, "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return " ".join(text.split())


def check_running_titles(book: Path, reader: pypdf.PdfReader) -> int:
    """Assert that each chapter page's running header names the chapter at its top; return
    how many pages a chapter starts on below their top (the case the rule is for)."""
    items = outline(reader)
    chapters = [(t.split(". ", 1)[1], page) for t, page, _ in items if re.match(r"\d+\. ", t)]
    appendix = next(page for title, page, _ in items if title.startswith("Appendix A"))
    shared = 0
    for page in range(chapters[0][1], appendix):
        starting = [title for title, start in chapters if start == page]
        before = [title for title, start in chapters if start < page]
        opens = reader.pages[page].extract_text().split("Chapter ", 1)[0].strip()
        # A page that opens with a chapter's number is that chapter's; any other page is the
        # one whose text runs on at its top, though another chapter starts lower down.
        expected = starting[0] if starting and not opens.strip(" ·") else before[-1]
        shared += bool(starting) and expected != starting[0]
        assert running_title(book, page + 1) == expected, page + 1
    return shared


def test_the_running_header_names_the_chapter_at_the_top_of_the_page(
    built: Built, reader: pypdf.PdfReader
) -> None:
    # Whether a chapter of the shipped desk starts mid-page depends on its facts; the wide
    # desk's test (test_layout) makes sure the rule meets that case.
    check_running_titles(built.book, reader)


def test_no_page_is_a_third_blank_but_the_last_of_a_part(built: Built) -> None:
    # The chapters flow, so the shipped desk's short chapters share pages (each on pages of
    # its own, six of the book's nineteen pages were 35 to 65% blank).
    _, _, plan = checked_facts(built.project)
    site = render_site(built.facts, built.project, plan)
    content = built.book.read_bytes()
    spaces = blank_space(content)
    ends = part_ends(content, part_anchors(site))
    assert [(s.page, round(s.blank, 2)) for s in loose_pages(spaces, ends)] == []
    # The note, the cover, the chapters and the two appendices end a part each.
    assert len(ends) == 5 and len(spaces) in ends


def test_every_link_lands_on_an_anchor_and_can_be_clicked(reader: pypdf.PdfReader) -> None:
    names = set(reader.named_destinations)
    dests: list[str] = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
            assert abs(x2 - x1) > 1 and abs(y2 - y1) > 1, annot
            if "/Dest" in annot:
                dests.append(str(annot["/Dest"]))
            else:
                uri = str(annot["/A"]["/URI"])
                assert not uri.startswith("file:"), uri
    assert dests and set(dests) <= names
    # Footnote markers lead to their chapter's notes, notes to the sources appendix, and the
    # appendix back to the notes.
    assert any(re.fullmatch(r"[a-z0-9_-]+-note-\d+", d) for d in dests)
    assert any(d.startswith("source-") for d in dests)
    assert any(d.startswith("appendix-") for d in dests)


def test_briefs_share_no_id_by_construction(built: Built) -> None:
    briefs = Renderer(built.facts, built.project).briefs()
    seen: dict[str, str] = {}
    for brief in briefs:
        for found in re.findall(r'\sid="([^"]+)"', str(brief.body)):
            assert found.startswith(f"{brief.slug}-"), (brief.slug, found)
            assert found not in seen, (found, seen.get(found), brief.slug)
            seen[found] = brief.slug


def test_ids_are_unique_in_the_book(built: Built) -> None:
    _, _, plan = checked_facts(built.project)
    book = render_site(built.facts, built.project, plan).book
    assert book is not None
    # The parts the book is bound from (briefing.pdf.bind), read as one document.
    # The note is printed in the cover; book.note is its own PDF, not a part of the book.
    html = "".join([book.cover, book.flow, book.sources, book.method])
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []
    for target in re.findall(r'href="#([^"]+)"', html):
        assert target in ids, target


def test_no_file_name_nor_digest_is_printed_only_how_the_sources_travel(built: Built) -> None:
    checked, _, plan = checked_facts(built.project)
    # As the build renders it: the excerpts the book carries are made from the check's proofs.
    book = render_site(built.facts, built.project, plan, proofs=checked.proofs).book
    assert book is not None
    # Appendix A prints no path, nor an "attached" line under each source: Appendix B says
    # once how they travel (a brief's PDF, with no Appendix B, says it under each source).
    assert "facts/sources/" not in book.sources and ".json" not in book.sources
    assert "attached" not in book.sources
    # Appendix B says once how the sources travel, and prints no software furniture: no
    # command, no file name, no SHA-256 (the manifest and `briefing verify` give them).
    method = " ".join(book.method.split())
    assert "attachments named by their labels (S1 …)" in method
    assert "as the passages cited with their context" in method
    assert "briefing verify" not in method and "offline" not in method
    for source in built.facts.sources:
        assert source.file not in method
        assert not source.sha256 or source.sha256 not in method
    # ... and a brief's own PDF, which has no Appendix B, says under each source what it
    # is attached as, by its label.
    labels = {s.id: f"S{i}" for i, s in enumerate(built.facts.sources, 1)}
    for slug, brief_sources in book.brief_sources.items():
        assert "facts/sources/" not in brief_sources and ".json" not in brief_sources
        for source in built.facts.sources:
            if f'id="source-{source.id}"' in brief_sources:
                assert f"attached as {labels[source.id]}." in brief_sources, (slug, source.id)


def test_the_timeline_prints_no_kind_of_fact(built: Built) -> None:
    _, _, plan = checked_facts(built.project)
    book = render_site(built.facts, built.project, plan).book
    assert book is not None
    timeline = re.search(r'<table class="chronology.*?</table>(.*?)</p>', book.flow, re.S)
    assert timeline is not None
    assert 'class="kind"' not in timeline.group(0)
    # What it leaves out, in a clause: the table holds every dated or ordered item.
    assert "The sources date or order nothing else on record" in timeline.group(1)


def test_a_chapter_s_notes_never_open_a_page(built: Built, reader: pypdf.PdfReader) -> None:
    # The short chapters flow, so their notes could fall alone at the top of a page: the
    # end of the chapter comes over with them.
    tops = []
    for number in range(1, len(reader.pages) + 1):
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(built.book), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        tops.append(lines[1] if len(lines) > 1 else "")  # below the running header
    assert "Notes" not in tops, tops


def test_the_evidence_is_attached(built: Built, reader: pypdf.PdfReader) -> None:
    attachments = {name: [content] for name, content in carried(built.book).items()}
    facts_dir = built.project.facts
    # A source the desk may not pass on travels as its excerpts (tests/test_excerpts.py).
    excerpted = {
        f"facts/sources/{excerpts_name(s.file)}": s
        for s in built.facts.sources
        if s.redistribute == "excerpts"
    }
    expected = {f"facts/sources/{s.file}" for s in built.facts.sources if s.redistribute == "whole"}
    expected |= {f"facts/{p.relative_to(facts_dir).as_posix()}" for p in facts_dir.rglob("*.yaml")}
    # The recipients of numbered copies stay at the desk (site.distribute).
    expected -= {"facts/distribution.yaml"}
    # The templates the pages are made with, which `briefing verify` derives them again from.
    expected |= {
        f"briefing/templates/{p.relative_to(PACKAGE_TEMPLATES).as_posix()}"
        for p in PACKAGE_TEMPLATES.rglob("*")
        if p.is_file()
    }
    # ... and the manifest of them that `briefing verify` reads (tests/test_verify.py).
    assert set(attachments) == expected | set(excerpted) | {MANIFEST}
    for name, source in excerpted.items():
        given = json.loads(attachments[name][0])
        text = (built.project.sources / source.file).read_bytes()
        assert given["sha256"] == hashlib.sha256(text).hexdigest() == source.sha256, name
    for name in expected:
        held = built.project.root / name
        if name.startswith("briefing/templates/"):
            held = PACKAGE_TEMPLATES / name.removeprefix("briefing/templates/")
        assert attachments[name] == [held.read_bytes()], name
    # A reader's panel shows each source by its label, and the bundle of the rest.
    shown = json.loads(attachments[MANIFEST][0])["shown"]
    assert set(shown) == {n for n in attachments if n.startswith("facts/sources/")}
    assert all(re.match(r"S\d+ ", name) for name in shown.values())
    assert set(reader.attachments) == {*shown.values(), BUNDLE}
    # PDF/A-3 associates each with the book, once, saying what it is to the book.
    associated = catalog(reader).raw_get("/AF")
    count = len(shown) + 1
    assert len({ref.idnum for ref in associated}) == len(associated) == count
    for ref in associated:
        spec = ref.get_object()
        name = str(spec["/F"])
        assert spec["/AFRelationship"] == ("/Supplement" if name == BUNDLE else "/Source"), name


def test_metadata_and_pdfa_identification(built: Built, reader: pypdf.PdfReader) -> None:
    edition = built.facts.edition
    info: Any = reader.metadata
    assert info is not None
    assert edition.title in str(info["/Title"])
    assert info["/Author"] == edition.publisher
    assert info["/Subject"] == (edition.subtitle or edition.title)
    for actor in chapter_order(built.facts):
        assert actor.name in str(info["/Keywords"])
    compact = (edition.compiled or edition.as_of).replace("-", "")
    assert str(info["/CreationDate"]).startswith(f"D:{compact}")
    assert str(info["/ModDate"]).startswith(f"D:{compact}")
    root = catalog(reader)
    assert root["/Lang"] == edition.language
    assert root["/MarkInfo"]["/Marked"]  # tagged, as PDF/A-3a needs
    assert "/StructTreeRoot" in root
    assert root["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp
    assert 'pdfaid:conformance="A"' in xmp
    assert "/ID" in reader.trailer


def pdffonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True)
    return [line.split() for line in out.stdout.splitlines()[2:] if line.strip()]


def test_fonts_are_noto_and_embedded(built: Built) -> None:
    fonts = pdffonts(built.book)
    assert fonts
    for row in fonts:
        name, emb = row[0], row[-5]
        assert re.fullmatch(r"[A-Z]{6}\+Noto-(Sans|Serif)(-\w+)?", name), row
        assert emb == "yes", row
    families = {row[0].split("+")[1].split("-")[1] for row in fonts}
    assert families == {"Sans", "Serif"}


def test_latin_extended_and_cyrillic_render_in_noto(built: Built, tmp_path: Path) -> None:
    # One brief is enough to try the glyphs: the book uses the same fonts and styles.
    facts = built.facts
    renamed = [a.model_copy(update={"name": f"Україна Nausėda {a.name}"}) for a in facts.actors]
    target = tmp_path / "brief.pdf"
    renderer = Renderer(facts.model_copy(update={"actors": renamed}), built.project)
    brief = renderer.briefs()[1]
    meta = brief_meta(facts.edition, brief.title)
    write_pdf(renderer.page(brief), target, built.project, meta)
    renamed_reader = pypdf.PdfReader(target)
    text = "".join(page.extract_text() for page in renamed_reader.pages)
    assert "Україна" in text and "Nausėda" in text
    # The identifier is a digest of the content: other content, other /ID.
    _, _, plan = checked_facts(built.project)
    original = pypdf.PdfReader(built.project.build / plan.pdf_path(brief.slug)).trailer["/ID"]
    assert renamed_reader.trailer["/ID"] != original
    for row in pdffonts(target):
        assert "+Noto-" in row[0], row  # no fallback face was needed


def page_images(pdf: Path, out: Path) -> list[Image.Image]:
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-png", str(pdf), str(out / "p")], check=True)
    return [Image.open(p).convert("L") for p in sorted(out.glob("p-*.png"))]


def test_pages_are_not_blank_and_stay_inside_the_margins(
    built: Built, reader: pypdf.PdfReader, tmp_path: Path
) -> None:
    images = page_images(built.book, tmp_path)
    assert len(images) == len(reader.pages)
    for number, image in enumerate(images, start=1):
        width, height = image.size
        mm = width / 210  # A4 pages
        dark = sum(image.histogram()[:200])
        assert dark > width * height * 0.005, f"page {number} looks blank"
        # The text block and the running header and footer keep clear of a strip along
        # every edge: nothing is cut off or pushed into the outer margin.
        strips = {
            "left": (0, 0, int(14 * mm), height),
            "right": (width - int(14 * mm), 0, width, height),
            "top": (0, 0, width, int(12 * mm)),
            "bottom": (0, height - int(12 * mm), width, height),
        }
        for side, box in strips.items():
            ink = sum(image.crop(box).histogram()[:200])
            assert ink == 0, f"page {number}: ink in the {side} margin"


def test_actor_pdfs_are_pdfa_with_metadata(built: Built) -> None:
    actor = chapter_order(built.facts)[0]
    pdf = built.project.build / "pdf" / f"{actor.id}-ed{built.facts.edition.number}.pdf"
    reader = pypdf.PdfReader(pdf)
    info: Any = reader.metadata
    assert info is not None
    assert actor.name in str(info["/Title"]) and actor.name in str(info["/Keywords"])
    assert info["/Author"] == built.facts.edition.publisher
    root = catalog(reader)
    assert root["/Lang"] == built.facts.edition.language
    assert 'pdfaid:part="3"' in root["/Metadata"].get_object().get_data().decode()
    for row in pdffonts(pdf):
        assert "+Noto-" in row[0] and row[-5] == "yes", row
    # It carries the source texts it cites, and only those.
    cited = {c.source for j in actor.bluf for c in j.citations}
    cited |= {c.source for p in actor.positions for c in p.citations}
    cited |= {c.source for m in actor.commitments for c in m.citations}
    cited |= {c.source for t in actor.statements for c in t.citations}
    cited |= {c.source for q in actor.open_questions for c in q.citations}
    # Commitments other actors hold, to which it is a party, are named in one line ("Also a
    # party to …") and cited where they are printed in full, not in its brief.
    files = {
        s.id: f"facts/sources/{s.file if s.redistribute == 'whole' else excerpts_name(s.file)}"
        for s in built.facts.sources
    }
    files_carried = carried(pdf)
    sources = {name for name in files_carried if name.startswith("facts/sources/")}
    assert sources == {files[i] for i in cited}
    # The fact base travels with it, so that `briefing verify` checks a brief on its own.
    assert "facts/edition.yaml" in files_carried and MANIFEST in files_carried


def test_rebuilds_are_byte_identical(tmp_path: Path) -> None:
    """The same inputs give the same bytes, wherever the project lies (on the fixture desk:
    the shipped facts are built once per suite)."""
    built = []
    for place in ("one", "elsewhere/other-name"):
        root = tmp_path / place
        shutil.copytree(FIXTURES / "mini", root)
        project = Project.at(root)
        _, facts, plan = checked_facts(project)
        publish(project, render_site(facts, project, plan))
        built.append(project)
    names = sorted(p.name for p in (built[0].build / "pdf").glob("*.pdf"))
    assert any(n.startswith("book-ed") for n in names) and len(names) >= 3
    for name in names:
        a = (built[0].build / "pdf" / name).read_bytes()
        b = (built[1].build / "pdf" / name).read_bytes()
        assert a == b, name


def test_no_link_of_a_bound_pdf_is_left_unresolved(built: Built) -> None:
    """The book and each brief are bound from parts laid out apart (briefing.pdf.bind): every link
    one part made to another leads inside the PDF, or to a PDF beside it that exists."""
    folder = built.book.parent
    anchors = {
        pdf.name: set(pypdf.PdfReader(pdf).named_destinations) for pdf in folder.glob("*.pdf")
    }
    for pdf in sorted(folder.glob("*.pdf")):
        reader = pypdf.PdfReader(pdf)
        names = anchors[pdf.name]
        for page in reader.pages:
            for annot in page.get("/Annots") or []:
                annot = annot.get_object()
                if "/Dest" in annot:
                    assert str(annot["/Dest"]) in names, (pdf.name, annot["/Dest"])
                    continue
                uri = str(annot["/A"]["/URI"])
                document, _, fragment = uri.partition("#")
                if document.startswith(("http:", "https:", "mailto:")):
                    continue
                assert document in anchors, (pdf.name, uri)
                assert not fragment or fragment in anchors[document], (pdf.name, uri)


def test_a_range_of_figures_is_kept_on_one_line() -> None:
    from briefing.render.pages import keep_ranges

    shown = str(keep_ranges("likely: 55–80 %; <b>5-20%</b> and 1,000 – 2,000"))
    assert '<span class="nobr">55–80 %</span>' in shown
    assert '<span class="nobr">5-20%</span>' in shown
    assert '<span class="nobr">1,000 – 2,000</span>' in shown
    assert "&lt;b&gt;" in shown  # the rest is escaped


def test_a_passage_cited_just_before_gets_no_second_marker(mini: Project) -> None:
    # A value's citation and its commitment's fall in one passage: one marker, not "(S2) 5 5".
    from briefing.factbase.model import Citation
    from briefing.render.pages import Notes
    from briefing.site.build import checked_facts

    checked, facts, _ = checked_facts(mini, pdf=False)
    notes = Notes(facts, "south", texts=checked.texts)  # finds what the facts do not cite
    value = Citation(source="harbour", quote="joint training")
    fact = Citation(source="harbour", quote="The pact covers arms deliveries, joint training")
    first = str(notes.cite([value]))
    assert 'role="doc-noteref">1</a>' in first
    assert str(notes.cite([fact], besides=[value])) == ""
    # Without `besides`, the same passage is marked again; a passage of its own always is.
    assert 'role="doc-noteref">1</a>' in str(notes.cite([fact]))
    other = Citation(source="harbour", quote="cannot offer membership while the dispute lasts")
    assert 'role="doc-noteref">2</a>' in str(notes.cite([other], besides=[value]))


def test_the_bottom_line_opens_the_note(mini: Project) -> None:
    from briefing.site.build import build

    overview = mini.facts / "overview.yaml"
    text = overview.read_text(encoding="utf-8")
    overview.write_text("bottom_line: Northland gets a pact, not a seat.\n" + text, "utf-8")
    build(mini, pdf=False)
    note = (mini.build / "html" / "note.html").read_text(encoding="utf-8")
    line = note.index("Northland gets a pact, not a seat.")
    assert note.index("Bottom line.") < line < note.index("Key judgments")


def test_a_grade_every_source_shares_is_named_once(built: Built) -> None:
    """Appendix A names a shared grade's words at its head, and each source keeps its letter
    and its reason; a book whose sources differ keeps the words under each."""
    _, _, plan = checked_facts(built.project)
    grades = {s.reliability for s in built.facts.sources}
    book = render_site(built.facts, built.project, plan).book
    assert book is not None
    vocab = built.facts.vocabulary
    for grade in grades:
        words = vocab.label("reliability", grade)
        said = book.sources.count(f"</strong> {words}:")
        if len(grades) == 1:
            assert f"Every source is graded {grade} ({words})." in book.sources
            assert said == 0
        else:
            assert said == sum(s.reliability == grade for s in built.facts.sources)
    # Planted: give one source another grade, and the shared line goes.
    first = built.facts.sources[0]
    other = next(t.id for t in vocab.lists["reliability"].terms if t.id != first.reliability)
    facts = built.facts.model_copy(
        update={
            "sources": [first.model_copy(update={"reliability": other}), *built.facts.sources[1:]]
        }
    )
    mixed = render_site(facts, built.project, plan).book
    assert mixed is not None and "Every source is graded" not in mixed.sources
