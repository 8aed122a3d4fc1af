"""Evidence is held to its source: whole words, the right source, a close lead, pinned texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.check import run_check
from briefing.project import Project
from briefing.quotes import find, normalise


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _quote_errors(project: Project) -> list[str]:
    _, problems = run_check(project)
    return [p.message for p in problems if p.message.startswith("quote not found")]


# --- 1. A quote is whole words -----------------------------------------------------------------


@pytest.mark.parametrize(
    "quote",
    [
        "outhland's premier, Ada Quill",  # starts inside "Southland's"
        "Southland's premier, Ada Qui",  # ends inside "Quill"
        "the council “cannot offer membership while the dispute last",  # ends inside "lasts"
        "Nause",  # ends before the combining mark of a decomposed "ė"
    ],
)
def test_a_quote_cut_inside_a_word_does_not_match(quote: str) -> None:
    source = normalise(
        "Southland's premier, Ada Quill, said that the council “cannot offer "
        "membership while the dispute lasts”. Nause\u0307da Street."
    )
    assert find(quote, source) is None


def test_a_later_whole_word_occurrence_is_found() -> None:
    # The first occurrence of "pact" is inside "impact"; the second stands alone.
    match = find("pact", normalise("the impact of the pact"))
    assert match is not None and match.col == 19


def test_typography_at_the_edges_is_still_forgiven() -> None:
    source = normalise("Quill said Southland “will sign a ten\u2011year pact”.")
    assert find('"will sign a ten-year pact"', source) is not None


def test_check_rejects_a_quote_that_starts_inside_a_word(mini: Project) -> None:
    actor = mini.actors / "south.yaml"
    _replace(actor, "quote: Southland's premier, Ada Quill", "quote: outhland's premier, Ada Quill")
    assert _quote_errors(mini) == ["quote not found in source 'harbour'"]
