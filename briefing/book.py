"""Book: every brief in one HTML document for the briefing book PDF.

The chapters are the same templates as the stand-alone briefs (overview.html, actor.html),
rendered with a chapter layout in place of base.html. Each chapter numbers its own notes; the
ids in a chapter are prefixed with the chapter's slug so they stay unique in the book.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from briefing.model import FactBase, Source
from briefing.pdf import Evidence, brief_meta, write_pdf
from briefing.project import Project
from briefing.render import Brief, Notes, actor_order, brief_context, environment
from briefing.timeline import timeline_svg

# The template that chapters use in place of base.html.
CHAPTER_LAYOUT = "book/chapter.html"


class _LayoutLoader(jinja2.BaseLoader):
    """Loads templates from `inner`, serving `aliases[name]` when a template asks for `name`."""

    def __init__(self, inner: jinja2.BaseLoader, aliases: dict[str, str]) -> None:
        self.inner = inner
        self.aliases = aliases

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        return self.inner.get_source(environment, self.aliases.get(template, template))


def book_environment(templates: Path) -> jinja2.Environment:
    """The brief environment, with base.html replaced by the book's chapter layout."""
    env = environment(templates)
    assert env.loader is not None
    env.loader = _LayoutLoader(env.loader, {"base.html": CHAPTER_LAYOUT})
    return env


@dataclass(frozen=True)
class Chapter:
    """One chapter of the book: a brief with its own notes, its ids prefixed by `slug`."""

    slug: str
    title: str
    kind: str
    html: Markup
    notes: Notes


@dataclass(frozen=True)
class CitedQuote:
    """A quote from one source and every note in the book that cites it."""

    quote: str
    places: list[tuple[Chapter, int]]


@dataclass(frozen=True)
class SourceEntry:
    """A source in the appendix: what it is, and what the book cites from it."""

    source: Source
    quotes: list[CitedQuote]


_ID_RE = re.compile(r'(\s(?:id|for))="([^"]+)"')
_LABELLEDBY_RE = re.compile(r'(\saria-(?:labelledby|describedby))="([^"]+)"')
_HREF_RE = re.compile(r'(\shref)="([^"]*)"')


def prefix_ids(html: str, prefix: str, chapter_slugs: set[str]) -> str:
    """`html` with its ids (and the links to them) prefixed by `prefix-`.

    Links to a stand-alone brief (`pl.html`) become links to its chapter (`#pl`); links to
    ids the fragment does not define are left alone, so they may point elsewhere in the book.
    """
    own = {m.group(2) for m in _ID_RE.finditer(html)}

    def ids(match: re.Match[str]) -> str:
        return f'{match.group(1)}="{prefix}-{match.group(2)}"'

    def labels(match: re.Match[str]) -> str:
        names = [f"{prefix}-{n}" if n in own else n for n in match.group(2).split()]
        return f'{match.group(1)}="{" ".join(names)}"'

    def hrefs(match: re.Match[str]) -> str:
        target = match.group(2)
        if target.startswith("#") and target[1:] in own:
            return f'{match.group(1)}="#{prefix}-{target[1:]}"'
        if target.endswith(".html") and target[: -len(".html")] in chapter_slugs:
            return f'{match.group(1)}="#{target[: -len(".html")]}"'
        return match.group(0)

    html = _ID_RE.sub(ids, html)
    html = _LABELLEDBY_RE.sub(labels, html)
    return _HREF_RE.sub(hrefs, html)


def _chapters(facts: FactBase, env: jinja2.Environment, common: dict[str, Any]) -> list[Chapter]:
    actors = actor_order(facts)
    slugs = {"overview", *(a.id for a in actors)}
    chapters: list[Chapter] = []

    notes = Notes(facts)
    html = env.get_template("overview.html").render(
        **common,
        notes=notes,
        cite=notes.cite,
        timeline=Markup(timeline_svg(facts, actors)),
        chapter_slug="overview",
    )
    chapters.append(
        Chapter(
            "overview", "Overview", "overview", Markup(prefix_ids(html, "overview", slugs)), notes
        )
    )
    for actor in actors:
        notes = Notes(facts)
        html = env.get_template("actor.html").render(
            **common, actor=actor, notes=notes, cite=notes.cite, chapter_slug=actor.id
        )
        chapters.append(
            Chapter(actor.id, actor.name, "actor", Markup(prefix_ids(html, actor.id, slugs)), notes)
        )
    return chapters


def _norm(text: str) -> str:
    return " ".join(text.split())


def source_entries(facts: FactBase, chapters: list[Chapter]) -> list[SourceEntry]:
    """Every source of the fact base with the quotes the book cites from it, in book order."""
    entries: list[SourceEntry] = []
    for source in facts.sources:
        quotes: dict[str, CitedQuote] = {}
        for chapter in chapters:
            for note in chapter.notes.notes:
                if note.source.id != source.id:
                    continue
                key = _norm(note.citation.quote)
                quotes.setdefault(key, CitedQuote(key, []))
                quotes[key].places.append((chapter, note.number))
        entries.append(SourceEntry(source, list(quotes.values())))
    return entries


def source_evidence(facts: FactBase, facts_dir: Path, ids: Iterable[str]) -> list[Evidence]:
    """The source texts with the given ids, in the order of the fact base, to embed."""
    wanted = set(ids)
    return [
        Evidence(
            path=facts_dir / "sources" / source.file,
            name=f"facts/sources/{source.file}",
            description=f"Source text: {source.title} ({source.outlet})",
            relationship="Source",
        )
        for source in facts.sources
        if source.id in wanted
    ]


def evidence(facts: FactBase, facts_dir: Path) -> list[Evidence]:
    """The files a reader needs to check the book: every source text and the fact base."""
    files = source_evidence(facts, facts_dir, (s.id for s in facts.sources))
    yaml_files = (
        p
        for p in facts_dir.rglob("*.yaml")
        if not any(part.startswith(".") for part in p.relative_to(facts_dir).parts)
    )
    for path in sorted(yaml_files, key=lambda p: p.relative_to(facts_dir).as_posix()):
        relative = path.relative_to(facts_dir).as_posix()
        files.append(
            Evidence(
                path=path,
                name=f"facts/{relative}",
                description=f"Fact base the briefs are built from: {relative}",
                relationship="Data",
            )
        )
    return files


def _day(value: str) -> str:
    """An ISO day (YYYY-MM-DD) as a reader sees it: 22 November 2026."""
    day = dt.date.fromisoformat(value)
    return f"{day.day} {day.strftime('%B')} {day.year}"


def render_book(facts: FactBase, templates: Path, attached: Sequence[Evidence] = ()) -> Brief:
    """The briefing book as one HTML document: cover, contents, chapters, appendices.

    `attached` lists the files embedded in the PDF, for the method appendix to name.
    """
    env = book_environment(templates)
    env.filters["day"] = _day
    css = (templates / "brief.css").read_text(encoding="utf-8")
    common = brief_context(facts, env, css)
    chapters = _chapters(facts, env, common)
    html = env.get_template("book/book.html").render(
        **common,
        chapters=chapters,
        source_entries=source_entries(facts, chapters),
        attached=list(attached),
        book_css=Markup((templates / "book.css").read_text(encoding="utf-8")),
    )
    return Brief("book", "Briefing book", html, "book")


def write_book(facts: FactBase, project: Project, target: Path) -> None:
    """Render the briefing book to `target` as PDF/A-3, with its evidence attached."""
    attached = evidence(facts, project.facts)
    book = render_book(facts, project.templates, attached)
    keywords = [a.name for a in actor_order(facts)]
    meta = replace(
        brief_meta(facts.edition, "Briefing book", keywords), attachments=tuple(attached)
    )
    write_pdf(book.html, target, project, meta)
