"""Plan: every output path a build will write, decided before anything is rendered.

Briefs are named by their slug (actor ids, and 'overview'), so an actor whose id is the name of
another output or of one of the book's own anchors would overwrite it or break its links. Such a
collision is a located error, reported by the check like any other mistake in the facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefing.data import PATHS as DATA_PATHS
from briefing.diagnostics import Diagnostic
from briefing.load import LoadedFile
from briefing.model import Actor, FactBase

OVERVIEW = "overview"
INDEX = "index.html"
BOOK = "pdf/book.pdf"

# Names that outputs and the book's own anchors use: an actor id equal to one would collide.
# The book's anchors are 'contents', 'appendix-…', 'source-<id>', 'sources-h', 'method-h'.
RESERVED: dict[str, str] = {
    OVERVIEW: "the overview brief's files",
    "index": "the index page",
    "book": "the briefing book",
    "contents": "the book's contents",
    "appendix": "the book's appendices",
    "source": "the book's source entries",
    "sources": "the book's sources appendix",
    "method": "the book's method appendix",
}


@dataclass(frozen=True)
class Plan:
    """The slugs of the briefs to render, in order, and the files each gets."""

    slugs: tuple[str, ...]
    pdf: bool = True

    def html(self, slug: str) -> str:
        return f"html/{slug}.html"

    def pdf_path(self, slug: str) -> str:
        return f"pdf/{slug}.pdf"

    def paths(self) -> list[str]:
        """Every file the build writes, relative to build/."""
        out = [INDEX, *(self.html(s) for s in self.slugs)]
        if self.pdf:
            out += [*(self.pdf_path(s) for s in self.slugs), BOOK]
        return [*out, *DATA_PATHS]


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
                )
            )
    slugs = (OVERVIEW, *(a.id for a in principals if a.id not in RESERVED))
    return Plan(slugs, pdf), problems


def actor_order(facts: FactBase) -> list[Actor]:
    """Actors that get a brief: by kind, in the order the vocabulary lists the kinds, then
    by name. Actors the sources only mention in passing get no brief and no matrix row."""
    kinds = [t.id for t in facts.vocabulary.lists["actor_kind"].terms]
    principals = [a for a in facts.actors if a.role == "principal"]
    return sorted(
        principals,
        key=lambda a: (kinds.index(a.kind) if a.kind in kinds else len(kinds), a.name),
    )
