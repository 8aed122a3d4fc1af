"""Measure: after WeasyPrint has laid a document out, find the words that a reader would not
read: those that leave the page's content area and those printed over other words.

WeasyPrint never refuses a layout: a table wider than the page runs past its edge and is cut
by the paper, an absolutely placed block prints over the text under it. The build measures
each layout in the same pass that makes it (briefing.pdf.document.render_pdf), from the boxes
WeasyPrint laid out, and refuses to publish one that misfits (briefing.pdf.layout).

A misfit names where it comes from as the HTML says it: the nearest `data-template` (the
template whose markup holds the box) and the nearest `data-field` (the declared field, or the
part of a fact, that the box prints), which the packaged templates put on their parts.

Apart from the build, `blank_space` reads a bound PDF back and says how much of each page is
left blank below its last line, and `loose_pages` which pages, more than a third blank, end no
part of the book (scripts/book_words.py prints them; the tests hold the book to none).

WeasyPrint's box tree (`Page._page_box`, boxes with `position_x`, `position_y`, `width`,
`height`, `baseline`, `style` and `element`) is not part of its documented API: see
briefing.pdf.weasy for what else Briefing relies on, and check both after an upgrade.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import jinja2

from briefing.core.diagnostics import BriefingError, Diagnostic, LineIndex, Location
from briefing.core.project import Project
from briefing.pdf.weasy import unlaid
from briefing.render.pages import read_template, shown_template

# CSS pixels (WeasyPrint's unit) per millimetre.
PX_PER_MM = 96 / 25.4
# How far a word may pass the edge of the content area before it counts: less than a glyph's
# side bearing, so that an italic overhang or a rounding error is not a misfit.
EDGE_TOLERANCE_MM = 0.5
# How much two words must cover each other, across and down, before they count as printed over
# each other: adjacent words in a line touch, and kerning may let them meet by a hair.
OVERLAP_TOLERANCE_MM = 0.3
# The part of a line's height that glyphs ink, from the baseline in ems: capitals and ascenders
# reach about 0.72 em above it, descenders about 0.22 em below (Noto's metrics; other Latin
# faces are close). A text box is taller than its ink (ascent and descent of the whole font,
# accents and all), and the boxes of two lines set close together touch without any glyphs
# meeting; their ink does not.
INK_ABOVE = 0.72
INK_BELOW = 0.2

Kind = Literal["leaves", "covers", "lost"]


@dataclass(frozen=True)
class Word:
    """A run of text as laid out: where its ink is on the page, and where it comes from."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    template: str | None
    field: str | None
    fixed: bool  # placed in the page's margins on purpose (page furniture, a copy's stamp)


@dataclass(frozen=True)
class Misfit:
    """Text that leaves the page's content area (`leaves`, by `by_mm` past `edge`), that
    prints over other text (`covers`, the `other`), on `page` (1-based) of a layout; or text
    that layout left off every page (`lost`: `letters` of the element's letters)."""

    kind: Kind
    page: int
    text: str
    template: str | None
    field: str | None
    by_mm: float
    edge: str = ""
    other: Word | None = None
    count: int = 1  # how many runs of text misfit the same way (template, field, edge)
    pages: tuple[int, ...] = ()
    letters: int = 0


@dataclass(frozen=True)
class _Area:
    left: float
    top: float
    right: float
    bottom: float


def measure(document: Any) -> list[Misfit]:
    """The misfits of a rendered WeasyPrint document, one per kind of misfit of a template's
    field, in page order (the first occurrence, with how many runs of text share it)."""
    found: list[Misfit] = []
    for number, page in enumerate(document.pages, start=1):
        found.extend(measure_page(page._page_box, number))
    before = unlaid(document)
    if isinstance(before, dict):
        found.extend(_lost(before, document))
    return _grouped(found)


@dataclass(frozen=True)
class Tally:
    """The letters of one element's text (or of one of its pseudo-elements) in a box tree,
    with where it comes from and how it begins."""

    letters: int
    template: str | None
    field: str | None
    text: str


def tally(root_box: Any) -> dict[tuple[int, str], Tally]:
    """The letters of text each element puts in a box tree, by element: counted before layout
    (see briefing.pdf.weasy.before_layout), to be found again on the pages after it. Letters
    only: layout adds hyphens, leaders' dots and page numbers, and never letters."""
    from weasyprint.formatting_structure import boxes

    counts: dict[tuple[int, str], Tally] = {}
    for box, template, field_name, _ in _texts(root_box, boxes, None, None, False):
        key = _key(box)
        letters = sum(1 for char in box.text if char.isalpha())
        if not letters:
            continue
        known = counts.get(key)
        if known is None:
            counts[key] = Tally(letters, template, field_name, box.text.strip())
        else:
            text = known.text if len(known.text) >= 60 else f"{known.text} {box.text.strip()}"
            counts[key] = Tally(known.letters + letters, known.template, known.field, text)
    return counts


def _key(box: Any) -> tuple[int, str]:
    return id(box.element), str(box.element_tag)


def _lost(before: dict[tuple[int, str], Tally], document: Any) -> Iterator[Misfit]:
    """Elements with fewer letters on the pages than in the tree laid out."""
    from weasyprint.formatting_structure import boxes

    after: dict[tuple[int, str], int] = {}
    last: dict[tuple[int, str], int] = {}
    for number, page in enumerate(document.pages, start=1):
        for box, _, _, _ in _texts(page._page_box, boxes, None, None, False):
            key = _key(box)
            after[key] = after.get(key, 0) + sum(1 for char in box.text if char.isalpha())
            last[key] = number
    for key, counted in before.items():
        missing = counted.letters - after.get(key, 0)
        if missing > 0:
            yield Misfit(
                "lost",
                last.get(key, len(document.pages)),
                counted.text,
                counted.template,
                counted.field,
                0.0,
                letters=missing,
            )


def measure_page(page_box: Any, number: int) -> list[Misfit]:
    """The misfits of one laid-out page (its PageBox), each run of text apart."""
    from weasyprint.formatting_structure import boxes

    content = _Area(
        page_box.content_box_x(),
        page_box.content_box_y(),
        page_box.content_box_x() + page_box.width,
        page_box.content_box_y() + page_box.height,
    )
    paper = _Area(0, 0, page_box.margin_width(), page_box.margin_height())
    words = list(_words(page_box, boxes, None, None, False))
    misfits: list[Misfit] = []
    tolerance = EDGE_TOLERANCE_MM * PX_PER_MM
    for word in words:
        # The furniture of the margins and what a template fixes there on purpose may use the
        # whole sheet; the text of the page itself must keep to its content area.
        area = paper if word.fixed else content
        past = {
            "right": word.right - area.right,
            "bottom": word.bottom - area.bottom,
            "left": area.left - word.left,
            "top": area.top - word.top,
        }
        edge, by = max(past.items(), key=lambda item: item[1])
        if by > tolerance:
            misfits.append(
                Misfit("leaves", number, word.text, word.template, word.field, by / PX_PER_MM, edge)
            )
    misfits.extend(_overlaps(words, number))
    return misfits


def _words(
    box: Any, boxes: Any, template: str | None, field_name: str | None, fixed: bool
) -> Iterator[Word]:
    """The text runs under a laid-out `box`, placed, with their template and field."""
    for text_box, found_template, found_field, found_fixed in _texts(
        box, boxes, template, field_name, fixed
    ):
        if text_box.text.strip():
            yield _word(text_box, found_template, found_field, found_fixed)


def _texts(
    box: Any, boxes: Any, template: str | None, field_name: str | None, fixed: bool
) -> Iterator[tuple[Any, str | None, str | None, bool]]:
    """The text boxes under `box`, with the template and field of their nearest marked
    ancestors and whether they are page furniture. Text a box clips (overflow other than
    visible: a screen reader's text) or hides is not printed, so it is not measured."""
    style = box.style
    if style["visibility"] != "visible":
        return
    element = getattr(box, "element", None)
    attributes = getattr(element, "attrib", None) or {}
    template = attributes.get("data-template", template)
    field_name = attributes.get("data-field", field_name)
    fixed = fixed or isinstance(box, boxes.MarginBox) or style["position"] == "fixed"
    if isinstance(box, boxes.TextBox):
        yield box, template, field_name, fixed
        return
    if not isinstance(box, boxes.PageBox | boxes.MarginBox) and style["overflow"] != "visible":
        return
    for child in getattr(box, "children", ()):
        yield from _texts(child, boxes, template, field_name, fixed)


def _word(box: Any, template: str | None, field_name: str | None, fixed: bool) -> Word:
    size = box.style["font_size"]
    baseline = box.position_y + box.baseline
    return Word(
        box.text.strip(),
        box.position_x,
        baseline - INK_ABOVE * size,
        box.position_x + box.width,
        baseline + INK_BELOW * size,
        template,
        field_name,
        fixed,
    )


def _overlaps(words: Sequence[Word], number: int) -> Iterator[Misfit]:
    """Pairs of runs whose ink covers each other: swept down the page, each word compared
    with those whose ink it could reach (cheap: a line meets only its own and its
    neighbours')."""
    tolerance = OVERLAP_TOLERANCE_MM * PX_PER_MM
    ordered = sorted(words, key=lambda w: w.top)
    tops = [w.top for w in ordered]
    for index, word in enumerate(ordered):
        # Those starting above this one's bottom, less the tolerance, after it in the order.
        end = bisect.bisect_left(tops, word.bottom - tolerance, lo=index + 1)
        for other in ordered[index + 1 : end]:
            across = min(word.right, other.right) - max(word.left, other.left)
            down = min(word.bottom, other.bottom) - max(word.top, other.top)
            if across > tolerance and down > tolerance:
                yield Misfit(
                    "covers",
                    number,
                    other.text,
                    other.template,
                    other.field,
                    min(across, down) / PX_PER_MM,
                    other=word,
                )


def _grouped(misfits: list[Misfit]) -> list[Misfit]:
    """One misfit per kind, template, field and edge (a table off the page leaves it on every
    line): the first, with how many there are and on which pages."""
    groups: dict[tuple[str, str | None, str | None, str], list[Misfit]] = {}
    for misfit in misfits:
        key = (misfit.kind, misfit.template, misfit.field, misfit.edge)
        groups.setdefault(key, []).append(misfit)
    result = []
    for members in groups.values():
        first = max(members, key=lambda m: m.by_mm) if members[0].kind == "leaves" else members[0]
        pages = tuple(sorted({m.page for m in members}))
        result.append(
            Misfit(
                first.kind,
                first.page,
                first.text,
                first.template,
                first.field,
                max(m.by_mm for m in members),
                first.edge,
                first.other,
                len(members),
                pages,
                sum(m.letters for m in members),
            )
        )
    return sorted(result, key=lambda m: (m.pages[0], m.kind, m.template or "", m.field or ""))


class Misfits(Exception):
    """A layout with misfits: raised in the process that laid it out, and turned into located
    diagnostics by the build (`diagnostics`). Its one argument keeps it picklable."""

    def __init__(self, misfits: tuple[Misfit, ...]) -> None:
        super().__init__(misfits)
        self.misfits = misfits


def diagnostics(project: Project, part: str, misfits: Sequence[Misfit]) -> list[Diagnostic]:
    """The misfits of the layout named `part` as located errors: at the template that holds
    the box, on the line that marks its field (or the template itself) where it can be found."""
    found = []
    for misfit in misfits:
        location = _located(project, misfit.template, misfit.field)
        text = _quoted(misfit.text)
        what = f"the field '{misfit.field}'" if misfit.field else "text"
        where = f"on page {misfit.page} of the layout '{part}'"
        if misfit.kind == "lost":
            where = f"from the layout '{part}'"
        more = ""
        if misfit.count > 1:
            more = f" ({misfit.count} runs of text like it, on {_pages(misfit.pages)})"
        if misfit.kind == "leaves":
            message = (
                f"{what} leaves the page {where}: {text} runs {misfit.by_mm:.1f} mm past the "
                f"{misfit.edge} edge of the content area{more}"
            )
            hint = (
                "let it wrap (a narrower box, no fixed width, no 'white-space: nowrap'), fold "
                "fields under the row's title, or give it room; words cut by the paper are lost"
            )
            code = "L001"
        elif misfit.kind == "lost":
            message = (
                f"{what} is lost {where}: {misfit.letters} letters of {text} are printed on "
                f"no page{more}"
            )
            hint = (
                "a box of fixed height, or placed absolutely, holds more than its page has "
                "room for, and the rest is dropped: let it grow, or let it flow onto a next page"
            )
            code = "L003"
        else:
            other = misfit.other
            assert other is not None
            whose = [f"field '{other.field}'"] if other.field else []
            whose += [f"template {other.template}"] if other.template else []
            message = (
                f"{what} prints over other text {where}: {text} covers "
                f"{_quoted(other.text)}{' (' + ', '.join(whose) + ')' if whose else ''}{more}"
            )
            hint = (
                "give the two boxes room of their own: a box placed absolutely or at a fixed "
                "height must not reach what flows under it"
            )
            code = "L002"
        found.append(Diagnostic(location, message, hint, code=code))
    return found


def _located(project: Project, template: str | None, field_name: str | None) -> Location:
    """Where a misfit's template marks its field (`data-field="KEY"` written out), else
    where it names itself (`data-template`), else the template file; 'build' if unknown."""
    if template is None:
        return Location("build")
    try:
        shown = shown_template(project, template)
        text = read_template(project, template)
    except (BriefingError, jinja2.TemplateNotFound):
        return Location(template)
    index = LineIndex(text)
    for needle in (f'data-field="{field_name}"', "data-template="):
        if field_name is None and needle.startswith("data-field"):
            continue
        at = text.find(needle)
        if at >= 0:
            return Location(shown, *index.line_col(at))
    return Location(shown)


def _quoted(text: str, limit: int = 60) -> str:
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"“{short}”"


def _pages(pages: Sequence[int]) -> str:
    if len(pages) == 1:
        return f"page {pages[0]}"
    return "pages " + ", ".join(str(p) for p in pages)


# --- Blank space: how much of each page a bound PDF leaves empty ------------------------------

# The book's page margins (book.css, @page): what prints above or below the text area is the
# running header and footer, the page number and a copy's line, not the page's text.
MARGIN_TOP_MM = 24.0
MARGIN_BOTTOM_MM = 22.0
# A page more than this share blank, below its last line, that does not end a part (the note,
# the cover, the chapters, an appendix) is one a reader grades down.
LOOSE_SHARE = 1 / 3
PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Line:
    """A line of a PDF page's text: its baseline (pt from the top of the page) and words."""

    baseline: float
    text: str


@dataclass(frozen=True)
class PageSpace:
    """How much of one page's text area (1-based `page`) is empty below its last line, as a
    share of the area's height; and the page's lines, top to bottom."""

    page: int
    blank: float
    lines: tuple[Line, ...]

    @property
    def last(self) -> str:
        """The words of the page's last line ('' on a page without text)."""
        return self.lines[-1].text if self.lines else ""


def blank_space(
    content: bytes, top_mm: float = MARGIN_TOP_MM, bottom_mm: float = MARGIN_BOTTOM_MM
) -> list[PageSpace]:
    """Each page of the PDF `content` with the share of its text area (the page less its
    margins, `top_mm` and `bottom_mm`) left empty below its last line of text."""
    import io
    import logging

    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are not the reader's
    reader = pypdf.PdfReader(io.BytesIO(content))
    spaces: list[PageSpace] = []
    for number, page in enumerate(reader.pages, start=1):
        height = float(page.mediabox.height)
        top, bottom = top_mm * PT_PER_MM, height - bottom_mm * PT_PER_MM
        runs: list[tuple[float, float, str]] = []

        def keep(text: str, cm: Any, tm: Any, _font: Any, size: float) -> None:
            if not text.strip():
                return
            # The text matrix in user space (pypdf gives both): where the run's baseline is,
            # and how large its glyphs are drawn.
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = abs(tm[3] * cm[3]) or 1.0
            runs.append((height - y, size * scale, text.strip()))  # noqa: B023

        page.extract_text(visitor_text=keep)
        lines: dict[int, list[str]] = {}
        lowest = top
        for baseline, size, text in runs:
            ink = baseline + INK_BELOW * size
            if baseline < top or ink > bottom + EDGE_TOLERANCE_MM * PT_PER_MM:
                continue  # the furniture of the margins
            lowest = max(lowest, ink)
            lines.setdefault(round(baseline), []).append(text)
        blank = max(0.0, min(1.0, (bottom - lowest) / (bottom - top)))
        found = tuple(Line(float(y), " ".join(words)) for y, words in sorted(lines.items()))
        spaces.append(PageSpace(number, blank, found))
    return spaces


def part_ends(content: bytes, starts: Iterable[str]) -> set[int]:
    """The pages (1-based) of the PDF `content` that end a part: the page before each page one
    of the anchors `starts` (named destinations: the ids each part opens with) leads to, and
    the last page."""
    import io

    import pikepdf

    from briefing.pdf.bind import anchor_pages

    with pikepdf.open(io.BytesIO(content)) as pdf:
        count = len(pdf.pages)
    opening = anchor_pages(content, set(starts)).values()
    # A page index i opens a part: page i (1-based) is the one before it.
    return {index for index in opening if index > 0} | {count}


def loose_pages(
    spaces: Sequence[PageSpace], ends: Collection[int], share: float = LOOSE_SHARE
) -> list[PageSpace]:
    """The pages more than `share` blank that end no part (`ends`, see `part_ends`)."""
    return [space for space in spaces if space.blank > share and space.page not in ends]
