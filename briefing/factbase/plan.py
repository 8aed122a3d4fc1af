"""Plan: every output path a build will write, decided before anything is rendered.

Briefs are named by their slug (actor ids, and 'overview'), so an actor whose id is the name of
another output or of one of the book's own anchors would overwrite it or break its links. Such a
collision is a located error, reported by the check like any other mistake in the facts.

PDFs carry the edition in their name (`pdf/book-ed3.pdf`, `pdf/pl-ed3.pdf`): they travel by
mail, and two editions of one brief in a reader's downloads must not share a name. HTML pages
keep plain names (`html/pl.html`), so the links between them stay the same from one edition to
the next.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefing.core.diagnostics import Diagnostic
from briefing.factbase.load import LoadedFile
from briefing.factbase.model import Actor, FactBase

OVERVIEW = "overview"
NOTE = "note"  # the principal's note: the book's first pages, and a PDF of its own
INDEX = "index.html"
BOOK = "book"  # the briefing book's name, before its edition: pdf/book-ed{N}.pdf


# The data export's files (briefing.site.data writes them), named here with every other output.
JSON = "data/facts.json"

SQLITE = "data/facts.sqlite"

# Every table, each also data/<name>.csv; a table comes after those its foreign keys name.
TABLES = (
    "questions",
    "terms",
    "sources",
    "actors",
    "people",
    "commitments",
    "parties",
    "commitment_terms",
    "positions",
    "position_terms",
    "statements",
    "statement_terms",
    "judgments",
    "open_questions",
    "citations",
    "reported_values",
    "totals",
)

# The totals table as JSON too: derived figures, which facts.json (the fact base) leaves out.
TOTALS_JSON = "data/totals.json"

PATHS = (JSON, TOTALS_JSON, *(f"data/{name}.csv" for name in TABLES), SQLITE)

# Names that outputs and the book's own anchors use: an actor id equal to one would collide.
# The book's anchors are 'contents', 'appendix-…', 'source-<id>', 'sources-h', 'method-h'.
RESERVED: dict[str, str] = {
    OVERVIEW: "the overview brief's files",
    NOTE: "the principal's note",
    "index": "the index page",
    "book": "the briefing book",
    "contents": "the book's contents",
    "appendix": "the book's appendices",
    "appendix-sources": "the book's sources appendix",
    "appendix-method": "the book's method appendix",
    "source": "the book's source entries",
    "sources": "the book's sources appendix",
    "method": "the book's method appendix",
}


@dataclass(frozen=True)
class Plan:
    """The slugs of the briefs to render, in order, and the files each gets: the one place
    that names outputs."""

    slugs: tuple[str, ...]
    pdf: bool = True
    edition: int = 1
    # Principal actors on record only (on_record_only): no brief, a section of the overview.
    on_record: tuple[str, ...] = ()

    def html(self, slug: str) -> str:
        return f"html/{slug}.html"

    def pdf_name(self, slug: str) -> str:
        """A brief's PDF file name (the book's with slug BOOK), without its folder."""
        return f"{slug}-ed{self.edition}.pdf"

    def pdf_path(self, slug: str) -> str:
        return f"pdf/{self.pdf_name(slug)}"

    @property
    def book(self) -> str:
        return self.pdf_path(BOOK)

    def paths(self) -> list[str]:
        """Every file the build writes, relative to build/."""
        out = [INDEX, *(self.html(s) for s in self.slugs)]
        if self.pdf:
            out += [*(self.pdf_path(s) for s in self.slugs), self.book]
        return [*out, *PATHS]


def plan_outputs(
    facts: FactBase, principals: list[Actor], files: dict[str, LoadedFile], pdf: bool = True
) -> tuple[Plan, list[Diagnostic]]:
    """The build's plan, and a located error for every actor whose id would collide.

    `files` maps actor ids to the files they come from, for the error's location.
    """
    problems: list[Diagnostic] = []
    for actor in facts.actors:
        if actor.id in RESERVED and actor.id in files:
            problems.append(
                Diagnostic(
                    files[actor.id].locate(("id",)),
                    f"actor id '{actor.id}' is a name the build uses for "
                    f"{RESERVED[actor.id]}; its brief would overwrite or break it",
                    f"choose another id (and rename the file), e.g. '{actor.id}-1'",
                    code="R004",
                )
            )
    slugs = (
        NOTE,
        OVERVIEW,
        *(a.id for a in principals if a.id not in RESERVED and not on_record_only(a)),
    )
    on_record = tuple(a.id for a in principals if on_record_only(a))
    return Plan(slugs, pdf, facts.edition.number, on_record), problems


def actor_order(facts: FactBase) -> list[Actor]:
    """Actors that get a brief: by kind, in the order the vocabulary lists the kinds, then
    by name. Actors the sources only mention in passing get no brief and no matrix row."""
    kinds = [t.id for t in facts.vocabulary.lists["actor_kind"].terms]
    principals = [a for a in facts.actors if a.role == "principal"]
    return sorted(
        principals,
        key=lambda a: (kinds.index(a.kind) if a.kind in kinds else len(kinds), a.name),
    )


def on_record_only(actor: Actor) -> bool:
    """Whether a principal actor is on record only: the desk judges nothing of it (no_judgment)
    and either no source gives it a position or a statement, or the desk says `chapter: false`.
    It gets no chapter and no brief; the overview's last section prints what the record holds
    of it."""
    return (
        actor.role == "principal"
        and bool(actor.no_judgment)
        and (not actor.chapter or (not actor.positions and not actor.statements))
    )


def chapter_order(facts: FactBase) -> list[Actor]:
    """The actors that get a chapter and a brief of their own: actor_order, less those on
    record only (they keep their matrix rows and commitments)."""
    return [a for a in actor_order(facts) if not on_record_only(a)]


def on_record_order(facts: FactBase) -> list[Actor]:
    """The actors on record only, in actor_order: the overview's last section lists them."""
    return [a for a in actor_order(facts) if on_record_only(a)]
