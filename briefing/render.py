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


@dataclass(frozen=True)
class Brief:
    """One brief to publish: its slug (file name stem), title and HTML."""

    slug: str
    title: str
    html: str
    kind: str  # "overview" or "actor"


@dataclass
class Note:
    """A numbered footnote: one quote from one source."""

    number: int
    citation: Citation
    source: Source


@dataclass
class Notes:
    """Numbers citations in reading order; the same quote from the same source keeps its number."""

    facts: FactBase
    notes: list[Note] = field(default_factory=list)
    _index: dict[tuple[str, str], Note] = field(default_factory=dict)

    def add(self, citation: Citation) -> Note:
        key = (citation.source, " ".join(citation.quote.split()))
        if key not in self._index:
            note = Note(len(self.notes) + 1, citation, self.facts.source(citation.source))
            self._index[key] = note
            self.notes.append(note)
        return self._index[key]

    def cite(self, citations: Iterable[Citation]) -> Markup:
        """Footnote markers for citations, as HTML, registering each as a note."""
        marks: list[Markup] = []
        for citation in citations:
            note = self.add(citation)
            marks.append(
                Markup(
                    '<a class="fn" href="#note-{n}" id="ref-{n}-{k}" role="doc-noteref">{n}</a>'
                ).format(n=note.number, k=len(marks))
            )
        if not marks:
            return Markup("")
        return Markup('<sup class="cite">') + Markup(",").join(marks) + Markup("</sup>")

    def sources(self) -> list[Source]:
        """The sources cited so far, in the order of the fact base."""
        cited = {note.source.id for note in self.notes}
        return [s for s in self.facts.sources if s.id in cited]


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
    return env


def _common(facts: FactBase, env: jinja2.Environment, css: str) -> dict[str, Any]:
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
        **_common(facts, env, css), actor=actor, notes=notes, cite=notes.cite
    )
    return Brief(actor.id, actor.name, html, "actor")


def render_overview(facts: FactBase, env: jinja2.Environment, css: str) -> Brief:
    """The overview brief across all actors."""
    notes = Notes(facts)
    html = env.get_template("overview.html").render(
        **_common(facts, env, css), notes=notes, cite=notes.cite
    )
    return Brief("overview", "Overview", html, "overview")


def render_index(facts: FactBase, briefs: list[Brief], env: jinja2.Environment, css: str) -> str:
    """The index page linking every brief in HTML and PDF."""
    return env.get_template("index.html").render(**_common(facts, env, css), briefs=briefs)


def actor_order(facts: FactBase) -> list[Actor]:
    """Actors in the order briefs list them: countries by name, then organisations by name."""
    return sorted(facts.actors, key=lambda a: (a.kind != "country", a.name))


def render_all(facts: FactBase, templates: Path) -> tuple[list[Brief], str]:
    """Every brief and the index page, as HTML strings."""
    env = environment(templates)
    css = (templates / "brief.css").read_text(encoding="utf-8")
    briefs = [render_overview(facts, env, css)]
    briefs += [render_actor(facts, actor, env, css) for actor in actor_order(facts)]
    return briefs, render_index(facts, briefs, env, css)
