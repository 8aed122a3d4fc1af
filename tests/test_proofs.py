"""Proofs: where each quote stands in its source, found once by the check, and the one rule
that merges cuts of a source in one paragraph (overlapping cuts among them) into the passages
a book prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefing.core.project import Project
from briefing.evidence.proofs import printed
from briefing.pdf.verify import verify
from briefing.render.book import render_book
from briefing.render.pages import Renderer
from briefing.site.build import build, checked_facts

FIRST = "The pact covers arms deliveries, joint training and shared intelligence"
SECOND = "shared intelligence, but it does not include a mutual-defence clause"


def edit(project: Project, name: str, old: str, new: str) -> None:
    path = project.facts / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def overlapping_cuts(mini: Project) -> Project:
    """The fixture desk with Southland citing the start of a sentence and the council its end:
    two chapters, two cuts of one passage that overlap ('shared intelligence')."""
    edit(
        mini,
        "actors/south.yaml",
        "quote: >-\n          The pact covers arms deliveries, joint training and shared "
        "intelligence, but it does\n          not include a mutual-defence clause.",
        f"quote: {FIRST}",
    )
    edit(
        mini,
        "actors/council.yaml",
        "bluf:\n",
        "statements:\n"
        "  - id: council-pact\n"
        "    speaker: kalyna\n"
        "    channel: statement\n"
        "    summary: The pact has no mutual-defence clause.\n"
        "    citations:\n"
        "      - source: harbour\n"
        f"        quote: {SECOND}\n"
        "bluf:\n",
    )
    return mini


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_appendix_a_prints_both_overlapping_cuts_where_each_note_leads(mini: Project) -> None:
    project = overlapping_cuts(mini)
    checked, facts, _ = checked_facts(project, pdf=False)
    renderer = Renderer(facts, project, checked.texts, checked.proofs)
    briefs = renderer.briefs()
    parts = render_book(renderer, briefs)
    items = re.findall(r'<li id="source-harbour-passage-\d+">.*?</li>', parts.sources, re.S)
    holding = [item for item in items if FIRST in _words(item) and SECOND in _words(item)]
    assert len(holding) == 1, items  # one passage, with both chapters' words
    for slug in ("south", "council"):
        chapter = parts.chapters[slug]
        targets = re.findall(r'href="#(source-of-' + slug + r'-note-\d+)"', chapter)
        assert targets
        # Every note of the chapter leads into a passage Appendix A prints, and the note of
        # the shared passage leads to the one that holds both cuts.
        for target in targets:
            assert sum(f'id="{target}"' in item for item in items) == 1, target
        assert any(f'id="{t}"' in holding[0] for t in targets), slug


def _book(project: Project) -> Path:
    build(project, cache=False)
    return project.build / "pdf" / f"book-ed{project_edition(project)}.pdf"


def project_edition(project: Project) -> int:
    _, facts, _ = checked_facts(project, pdf=False)
    return facts.edition.number


def test_a_book_with_both_overlapping_cuts_verifies(mini: Project) -> None:
    result = verify(_book(overlapping_cuts(mini)))
    assert result.ok, result.problems


def test_a_book_whose_appendix_leaves_out_a_cited_cut_is_refused(
    mini: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The old merge, forged: the passage printed for overlapping cuts is the first cut alone.
    monkeypatch.setattr(
        "briefing.render.book.printed", lambda text, spans: printed(text, list(spans)[:1])
    )
    result = verify(_book(overlapping_cuts(mini)))
    assert not result.ok
    short = [p for p in result.problems if "is not printed whole" in p.message]
    named = {next(d for d in p.detail if d.startswith("quote:")) for p in short}
    # The paragraph of both cuts is one passage with a third cut (the overview's): printed as
    # its first cut alone, it leaves out the other two, and each is named.
    in_paragraph = {FIRST, SECOND, "it does not include a mutual-defence clause."}
    assert len({f"quote:   {q}" for q in in_paragraph} & named) == 2, result.problems
