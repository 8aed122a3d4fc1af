"""Book: every brief in one HTML document for the briefing book PDF.

The chapters are the briefs' own bodies, rendered once (render.Renderer.briefs) and placed
between a cover, the contents and the appendices. Their ids are unique by construction: each
starts with the brief's slug. Each chapter numbers its own notes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefing.model import FactBase, Source
from briefing.pdf import Evidence
from briefing.render import Brief, Renderer, stylesheet


@dataclass(frozen=True)
class CitedQuote:
    """A quote from one source and every note in the book that cites it."""

    quote: str
    places: list[tuple[Brief, int]]


@dataclass(frozen=True)
class SourceEntry:
    """A source in the appendix: what it is, and what the book cites from it."""

    source: Source
    quotes: list[CitedQuote]


def _norm(text: str) -> str:
    return " ".join(text.split())


def source_entries(facts: FactBase, chapters: list[Brief]) -> list[SourceEntry]:
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


def render_book(renderer: Renderer, briefs: list[Brief], attached: Sequence[Evidence] = ()) -> str:
    """The briefing book as one HTML document: cover, contents, chapters, appendices.

    `briefs` are the briefs as rendered for their own pages; `attached` lists the files
    embedded in the PDF, for the method appendix to name.
    """
    return renderer.render(
        "book/book.html",
        chapters=briefs,
        source_entries=source_entries(renderer.facts, briefs),
        attached=list(attached),
        book_css=stylesheet(renderer.project, "book.css"),
    )
