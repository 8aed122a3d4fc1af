"""Render: briefs as HTML strings, each a pure function of the fact base and the templates."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from briefing.model import Actor, Citation, FactBase, FuzzyDate, Source
from briefing.timeline import timeline_svg


@dataclass(frozen=True)
class Brief:
    """One brief to publish: its slug (file name stem), title and HTML."""

    slug: str
    title: str
    html: str
    kind: str  # "overview" or "actor"
    sources: tuple[str, ...] = ()  # ids of the sources it cites, for the PDF to carry


@dataclass
class Note:
    """A numbered footnote: one quote from one source."""

    number: int
    citation: Citation
    source: Source
    refs: list[int] = field(default_factory=list)  # serials of the markers citing this note


@dataclass
class Notes:
    """Numbers citations in reading order; the same quote from the same source keeps its number."""

    facts: FactBase
    notes: list[Note] = field(default_factory=list)
    _index: dict[tuple[str, str], Note] = field(default_factory=dict)
    _serial: int = 0  # markers so far: makes every marker's id unique in the page

    def add(self, citation: Citation) -> Note:
        key = (citation.source, " ".join(citation.quote.split()))
        if key not in self._index:
            note = Note(len(self.notes) + 1, citation, self.facts.source(citation.source))
            self._index[key] = note
            self.notes.append(note)
        return self._index[key]

    def cite(self, citations: Iterable[Citation]) -> Markup:
        """Footnote markers for citations, as HTML, registering each as a note.

        On screen each marker is a button whose popover shows the quote, the source and its
        grade in place, without script; in print (and the PDF) it is a plain link to the note.
        """
        marks: list[Markup] = []
        for citation in citations:
            note = self.add(citation)
            self._serial += 1
            note.refs.append(self._serial)
            marks.append(_marker(note, citation, self._serial))
        if not marks:
            return Markup("")
        return Markup('<sup class="cite">') + Markup(",").join(marks) + Markup("</sup>")

    def sources(self) -> list[Source]:
        """The sources cited so far, in the order of the fact base."""
        cited = {note.source.id for note in self.notes}
        return [s for s in self.facts.sources if s.id in cited]


_MARKER = (
    '<span class="ref" id="ref-{serial}">'
    '<a class="fn-print" href="#note-{n}" role="doc-noteref">{n}</a>'
    '<button type="button" class="fn" popovertarget="pop-{serial}" aria-label="Note {n}">{n}'
    "</button>"
    '<span class="pop" id="pop-{serial}" popover>'
    '<span class="pop-head">Note {n} · source reliability <strong>{grade}</strong>, {meaning}'
    "</span>"
    '<q class="pop-quote"{lang}>{quote}</q>'
    '<span class="pop-source">{outlet}, <cite>{title}</cite>, {date}</span>'
    '<span class="pop-actions"><a href="#note-{n}">Go to note {n}</a>'
    '<button type="button" popovertarget="pop-{serial}" popovertargetaction="hide">Close</button>'
    "</span></span></span>"
)


# What each reliability grade of the Admiralty code means, for readers who do not know it.
RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}


def _marker(note: Note, citation: Citation, serial: int) -> Markup:
    """One footnote marker: a print link to the note and an in-place popover for screens."""
    lang = citation.lang
    return Markup(_MARKER).format(
        serial=serial,
        n=note.number,
        grade=note.source.reliability,
        meaning=RELIABILITY[note.source.reliability],
        date=format_date(note.source.date),
        lang=Markup(' lang="{}"').format(lang) if lang else "",
        quote=quote_text(citation.quote),
        outlet=note.source.outlet,
        title=note.source.title,
    )


_SAFE_LINK = re.compile(r"^(?:https?://[^/\\\s]|mailto:[^\s])", re.IGNORECASE)


class _FactMarkdown(MarkdownIt):
    """Inline Markdown for text written by curators and read outside the team.

    Raw HTML is shown as text, images are not parsed (no requests), and links may only lead to
    web pages or mail addresses: no javascript:, data:, file:, relative or protocol-less URLs.
    A refused link stays visible as the text the curator wrote.
    """

    def __init__(self) -> None:
        super().__init__("commonmark", {"html": False, "linkify": False, "typographer": False})
        self.disable(["image"])

    def validateLink(self, url: str) -> bool:
        return bool(_SAFE_LINK.match(url))


def _markdown() -> Callable[[str], Markup]:
    md = _FactMarkdown()

    def inline(text: str) -> Markup:
        return Markup(md.renderInline(text))

    return inline


_OPENING = "\"'“‘«"
_CLOSING = "\"'”’»"


def quote_text(quote: str) -> str:
    """A quote as printed inside <q>: whitespace folded, and without a pair of quotation marks
    that encloses all of it (the <q> element draws its own; two pairs would read as a nested
    quotation). The words are untouched.
    """
    text = " ".join(quote.split())
    body = text.rstrip(".,;:")
    trail = text[len(body) :]
    if len(body) >= 2 and body[0] in _OPENING and body[-1] in _CLOSING:
        inner = body[1:-1]
        if not any(mark in inner for mark in '"“”'):
            return inner + trail
    return text


def format_date(value: FuzzyDate | None) -> Markup:
    """A date as a reader sees it: no more precise than known, inferred dates marked."""
    if value is None:
        return Markup('<span class="nodate">date not stated</span>')
    text = escape(value.display())
    if value.basis == "inferred":
        title = escape(value.note or "inferred")
        return Markup('<span class="inferred" title="{t}">{d} (inferred)</span>').format(
            t=title, d=text
        )
    return text


def environment(templates: Path) -> jinja2.Environment:
    """A Jinja environment over the project's templates, autoescaping, strict about undefined."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
    )
    env.filters["md"] = _markdown()
    env.filters["date"] = format_date
    env.filters["quote"] = quote_text
    return env


def brief_context(facts: FactBase, env: jinja2.Environment, css: str) -> dict[str, Any]:
    """What every brief template sees: the edition, the facts and lookups by id, the CSS."""
    people = {p.id: p for p in facts.people}
    actors = {a.id: a for a in facts.actors}
    questions = {q.id: q for q in facts.edition.questions}
    return {
        "edition": facts.edition,
        "facts": facts,
        "people": people,
        "actors": actors,
        "questions": questions,
        "actor_list": actor_order(facts),
        "css": Markup(css),
    }


def render_actor(facts: FactBase, actor: Actor, env: jinja2.Environment, css: str) -> Brief:
    """The brief on one actor."""
    notes = Notes(facts)
    html = env.get_template("actor.html").render(
        **brief_context(facts, env, css), actor=actor, notes=notes, cite=notes.cite
    )
    return Brief(actor.id, actor.name, html, "actor", tuple(s.id for s in notes.sources()))


def render_overview(facts: FactBase, env: jinja2.Environment, css: str) -> Brief:
    """The overview brief across all actors."""
    notes = Notes(facts)
    html = env.get_template("overview.html").render(
        **brief_context(facts, env, css),
        notes=notes,
        cite=notes.cite,
        timeline=Markup(timeline_svg(facts, actor_order(facts))),
    )
    cited = tuple(s.id for s in notes.sources())
    return Brief("overview", "Overview", html, "overview", cited)


def render_index(
    facts: FactBase, briefs: list[Brief], env: jinja2.Environment, css: str, book: bool = False
) -> str:
    """The index page linking every brief in HTML and PDF (and the briefing book if `book`)."""
    return env.get_template("index.html").render(
        **brief_context(facts, env, css), briefs=briefs, book=book
    )


def actor_order(facts: FactBase) -> list[Actor]:
    """Actors that get a brief, countries by name, then organisations by name.

    Actors the sources only mention in passing get no brief and no row in the stance matrix.
    """
    principals = [a for a in facts.actors if a.role == "principal"]
    return sorted(principals, key=lambda a: (a.kind != "country", a.name))


def render_all(facts: FactBase, templates: Path, book: bool = False) -> tuple[list[Brief], str]:
    """Every brief and the index page (linking the book PDF if `book`), as HTML strings."""
    env = environment(templates)
    css = (templates / "brief.css").read_text(encoding="utf-8")
    briefs = [render_overview(facts, env, css)]
    briefs += [render_actor(facts, actor, env, css) for actor in actor_order(facts)]
    return briefs, render_index(facts, briefs, env, css, book)
