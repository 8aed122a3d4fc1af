"""Book: the briefing book as the HTML documents it is bound from, and the evidence it carries.

The chapters are the briefs' own bodies, rendered once (render.Renderer.briefs). The book is
bound (briefing.pdf.bind) from parts laid out apart: the cover, its chapters as one flowing part
(each chapter starts where the one before it ends, so short chapters share pages), Appendix A
and Appendix B. A brief's own PDF is its chapter laid out alone, bound with its sources. Ids are
unique across the parts by construction: a chapter's start with its brief's slug. Each chapter
numbers its own notes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from markupsafe import Markup, escape

from briefing.evidence.proofs import passages as one_passages
from briefing.evidence.proofs import printed
from briefing.evidence.quotes import Place
from briefing.factbase.model import FACT_GROUPS, FactBase, Source
from briefing.render.attachments import BUNDLE, Attachment
from briefing.render.fit import contents_fit_cover
from briefing.render.pages import Brief, Renderer


@dataclass
class CitedQuote:
    """A passage of one source and every note in the book that cites it."""

    quote: str
    place: Place | None  # the ¶ it stands in, as a reader counts the source's body
    places: list[tuple[Brief, int]]
    span: tuple[int, int] | None = None
    number: int = 0  # its place among all passages of the book, for links to it

    @property
    def opening(self) -> str:
        """The passage's first words, enough to find it in the attached text."""
        words = _norm(self.quote).split()
        return " ".join(words[:OPENING_WORDS]) + (" …" if len(words) > OPENING_WORDS else "")


@dataclass(frozen=True)
class SourceEntry:
    """A source in the appendix: what it is, and what the book cites from it."""

    source: Source
    quotes: list[CitedQuote]


def _norm(text: str) -> str:
    return " ".join(text.split())


OPENING_WORDS = 8


def source_entries(renderer: Renderer, chapters: list[Brief]) -> list[SourceEntry]:
    """Every source of the fact base with the passages the book cites from it, each listed
    once with the notes that print it: notes whose cuts share a paragraph, across chapters
    too, are one passage, cut from the source over all of them (evidence.proofs.passages)."""
    entries: list[SourceEntry] = []
    for source in renderer.facts.sources:
        notes = [(c, n) for c in chapters for n in c.notes.notes if n.source.id == source.id]
        text = renderer.proofs.texts.get(source.id)
        placed = [(c, n) for c, n in notes if n.spans and text is not None]
        passages: list[CitedQuote] = []
        if text is not None:
            for members in one_passages(text, [n.spans for _, n in placed]):
                merged = printed(text, [s for i in members for s in placed[i][1].spans])
                places = [(placed[i][0], placed[i][1].number) for i in members]
                passages.append(CitedQuote(merged.text, merged.place, places, merged.span))
        # A note no proof places (a fragment rendered without its texts) is its own words.
        unplaced: dict[str, CitedQuote] = {}
        for chapter, note in notes:
            if note.spans and text is not None:
                continue
            same = unplaced.get(_norm(note.passage))
            if same is None:
                unplaced[_norm(note.passage)] = same = CitedQuote(note.passage, note.place, [])
                passages.append(same)
            same.places.append((chapter, note.number))
        passages.sort(key=lambda p: (p.span or (0, 0), p.quote))
        entries.append(SourceEntry(source, passages))
    number = 0
    for entry in entries:
        for passage in entry.quotes:
            number += 1
            passage.number = number
    return entries


def used_words(facts: FactBase) -> dict[str, set[str]]:
    """The words of each list that this edition's facts use: the method appendix defines
    those (a reader meets no other), and counts the rest."""
    used: dict[str, set[str]] = {list_id: set() for list_id in facts.vocabulary.lists}
    used["reliability"] |= {s.reliability for s in facts.sources}
    used["actor_kind"] |= {a.kind for a in facts.actors}
    judgments = [*facts.overview.bluf, *(j for a in facts.actors for j in a.bluf)]
    used["confidence"] |= {j.confidence for j in judgments}
    for kind in FACT_GROUPS:
        specs = getattr(facts.vocabulary.fields, kind.removesuffix("s"))
        for actor in facts.actors:
            for fact in getattr(actor, kind):
                for spec in specs:
                    value = fact.value(spec.key)
                    if spec.list is None or value is None:
                        continue
                    used[spec.list] |= set(value) if isinstance(value, list) else {value}
    return used


# Where the cover prints the page a chapter or an appendix starts on: filled in once every
# other part is laid out.
_HOLE = re.compile("\ue000([^\ue001]*)\ue001")


class _PageHoles:
    """The `pages` a cover is rendered with before the book's page numbers are known: each
    number is a hole, named by the anchor (the id) of what it gives the page of, that
    `fill_pages` fills."""

    def __getitem__(self, part: str) -> Markup:
        return Markup(f"\ue000{escape(part)}\ue001")


def fill_pages(
    html: str,
    pages: Mapping[str, int],
    shown: Callable[[int], str] = str,
    only: str | None = None,
) -> str:
    """The cover's HTML with the page number of each anchor (see `_PageHoles`); with `only`,
    that hole alone is filled."""

    def fill(match: re.Match[str]) -> str:
        if only is not None and match.group(1) != only:
            return match.group(0)
        return shown(pages[match.group(1)])

    return _HOLE.sub(fill, html)


def holes(html: str) -> set[str]:
    """The names of the page numbers a cover's HTML leaves to fill (see `fill_pages`)."""
    return set(_HOLE.findall(html))


@dataclass(frozen=True)
class BookParts:
    """The briefing book as the documents that are laid out apart and bound into it (see
    briefing.pdf.bind), in order: the cover, the chapters in one flow (`flow`), Appendix A,
    Appendix B. A brief's own PDF is its chapter laid out alone (`chapters`), bound with
    `brief_sources`, the passages it cites.

    The cover's page numbers are holes (see `fill_pages`)."""

    cover: str
    chapters: dict[str, str]
    flow: str  # every chapter, one after the other, as the book prints them
    sources: str
    method: str
    brief_sources: dict[str, str]
    numbers: str  # the page numbers of a bound PDF, with a hole for how many (fill_numbers)
    note: str | None = None  # the principal's note alone, its own PDF (the cover opens with it)

    @property
    def order(self) -> list[str]:
        """The parts of the book after its cover, by the names the build knows them."""
        return [CHAPTERS, SOURCES, METHOD]


SOURCES = "appendix-sources"
METHOD = "appendix-method"
# The book's chapters in one flowing part: a name no brief's slug can take (slugs have no '/').
CHAPTERS = "book/chapters"


def _flow(renderer: Renderer, chapters: Sequence[tuple[int, Brief]]) -> str:
    """The chapters, each with its number in the book, as one part that flows from one chapter
    into the next."""
    return renderer.render("book/part.html", part="chapters", numbered=list(chapters))


def render_book(
    renderer: Renderer, briefs: list[Brief], attached: Sequence[Attachment] = ()
) -> BookParts:
    """The briefing book as its parts: cover, chapters, appendices; and each brief's sources.

    `briefs` are the briefs as rendered for their own pages; `attached` lists the files
    embedded in the book, for the method appendix to name.
    """
    note = next((b for b in briefs if b.kind == "note"), None)
    chaptered = [b for b in briefs if b.kind != "note"]
    # Appendix A prints every passage the book cites, the note's too.
    entries = source_entries(renderer, briefs)

    def part(name: str, **extra: object) -> str:
        return renderer.render("book/part.html", part=name, **extra)

    # The note opens the book (its page 1 is what a principal reads), then the contents; its
    # own PDF is the note alone.
    numbered = list(enumerate(chaptered, start=1))
    chapters = {
        brief.slug: part("chapter", chapter=brief, number=number) for number, brief in numbered
    }
    return BookParts(
        cover=part(
            "cover",
            chapters=chaptered,
            note=note,
            pages=_PageHoles(),
            cover_fits=_cover_fits(renderer, chaptered, note=note is not None),
            note_title=NOTE_TITLE,
            bundle=BUNDLE,
        ),
        chapters=chapters,
        flow=_flow(renderer, numbered),
        note=part("note", note=note) if note is not None else None,
        sources=part("sources", source_entries=entries, whole=True),
        method=part("method", attached=list(attached), used=used_words(renderer.facts)),
        brief_sources={
            brief.slug: part(
                "sources", source_entries=source_entries(renderer, [brief]), whole=False
            )
            for brief in briefs
        },
        numbers=renderer.render(
            "book/numbers.html", pages=_PageHoles()["pages"], stamp=_PageHoles()["stamp"]
        ),
    )


# The contents' line for the principal's note, which opens the book on page 1.
NOTE_TITLE = "Principal’s note"


def _cover_fits(
    renderer: Renderer,
    chapters: Sequence[Brief],
    issued: Issued | None = None,
    note: bool = False,
) -> bool:
    """Whether the contents of these chapters (and the note's line, when the book opens with
    one) fit the cover (render.fit), below the line a numbered copy prints there (and its
    recipient's role)."""
    edition = renderer.facts.edition
    publisher = edition.publisher
    if edition.prepared_for:
        publisher += f" · Prepared for {edition.prepared_for}"
    extra = 0 if issued is None else 1 + (issued.role is not None)
    titles = [*([NOTE_TITLE] if note else []), *(c.title for c in chapters)]
    return contents_fit_cover(titles, edition.title, edition.subtitle, publisher, extra)


def fill_numbers(numbers: str, pages: int, stamp: str = "") -> str:
    """The page numbers of a document of `pages` pages (see book/numbers.html), each page
    stamped with `stamp` (a numbered copy's line) when one is given."""
    filled = fill_pages(
        numbers, {"pages": pages}, lambda n: '<div class="page"></div>' * n, only="pages"
    )
    shown = f'<p class="copy-stamp">{escape(stamp)}</p>' if stamp else ""
    return _HOLE.sub(lambda match: shown if match.group(1) == "stamp" else match.group(0), filled)


@dataclass(frozen=True)
class Issued:
    """A numbered copy: which of how many, and whom it was issued to (site.distribute)."""

    number: int
    of: int
    recipient: str
    name: str
    role: str | None = None
    marking: str | None = None

    @property
    def line(self) -> str:
        """What every page of the copy says about it."""
        marking = f" · {self.marking}" if self.marking else ""
        return f"Copy {self.number} of {self.of} — issued to {self.name}{marking}"


@dataclass(frozen=True)
class CopyParts:
    """The parts of a numbered copy that are its own: its cover, its chapters in one flow and
    its Appendix A (the method is the book's)."""

    cover: str
    flow: str
    sources: str


def copy_parts(
    renderer: Renderer, briefs: Sequence[Brief], chosen: Sequence[str], issued: Issued
) -> CopyParts:
    """A numbered copy's own cover, chapters and Appendix A: the contents, chapters and
    passages of the `chosen` briefs alone, the chapters keeping their numbers in the book."""
    # The principal's note opens every copy, as it opens the book; it is no chapter.
    note = next((b for b in briefs if b.kind == "note"), None)
    chaptered = [b for b in briefs if b.kind != "note"]
    numbering = {brief.slug: number for number, brief in enumerate(chaptered, start=1)}
    chapters = [brief for brief in chaptered if brief.slug in chosen]
    cover = renderer.render(
        "book/part.html",
        part="cover",
        chapters=chapters,
        note=note,
        pages=_PageHoles(),
        numbering=numbering,
        issued=issued,
        cover_fits=_cover_fits(renderer, chapters, issued, note=note is not None),
        note_title=NOTE_TITLE,
        bundle=BUNDLE,
    )
    entries = source_entries(renderer, [*([note] if note is not None else []), *chapters])
    sources = renderer.render("book/part.html", part="sources", source_entries=entries, whole=True)
    flow = _flow(renderer, [(numbering[brief.slug], brief) for brief in chapters])
    return CopyParts(cover, flow, sources)


# --- Saying each thing once: sentences the book prints twice ---------------------------------

REPEAT_WORDS = 8  # a sentence this long, printed twice, is a repetition; shorter ones are labels

# Elements whose text is not read through: the running strings and titles (page furniture,
# which repeats by design), screen-only popovers, and what is not printed at all.
_FURNITURE_TAGS = {"head", "style", "title", "script", "h1", "h2", "h3", "h4", "h5", "h6"}
_FURNITURE_CLASSES = {"running-strings", "pop", "fn", "subtitle", "cover-subtitle", "kicker"}
_BLOCKS = {"p", "li", "td", "th", "dd", "dt", "div", "section", "article", "blockquote", "tr"}
_VOID = {"br", "meta", "img", "hr", "col", "link", "input", "wbr"}
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
_ENDS = re.compile(r"[.!?;][\"”’)\]]*$")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


class _Sentences(HTMLParser):
    """The text of one part, block by block, without its furniture."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: list[bool] = []
        self.skip = 0
        self.blocks: list[list[str]] = [[]]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        hide = tag in _FURNITURE_TAGS or bool(classes & _FURNITURE_CLASSES)
        self.hidden.append(hide)
        self.skip += hide
        if tag in _BLOCKS:
            self.blocks.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not self.hidden:
            return
        self.skip -= self.hidden.pop()
        if tag in _BLOCKS:
            self.blocks.append([])

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.blocks[-1].append(data)


def repeated_sentences(
    parts: Mapping[str, str], min_words: int = REPEAT_WORDS
) -> dict[str, list[str]]:
    """Sentences of `min_words` words or more that the book prints more than once, each with
    the parts (by name) that print it, in order. Sentences are compared by their words alone
    (case, punctuation and spacing aside); headings and running strings are furniture and not
    read. An empty result is the book's rule: each thing said once."""
    seen: dict[str, list[str]] = defaultdict(list)
    for name, html in parts.items():
        reader = _Sentences()
        reader.feed(html)
        reader.close()
        for block in reader.blocks:
            text = " ".join("".join(block).split())
            pieces = _SENTENCE_END.split(text)
            for i, sentence in enumerate(pieces):
                # A run that does not end as a sentence does (a line of fields, a label) is
                # data, which may well read the same for two facts.
                if i == len(pieces) - 1 and not _ENDS.search(sentence):
                    continue
                words = _WORD.findall(sentence.lower())
                if len(words) >= min_words:
                    seen[" ".join(words)].append(name)
    return {sentence: names for sentence, names in seen.items() if len(names) > 1}
