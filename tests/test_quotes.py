"""Quote matching forgives typography, never words."""

from __future__ import annotations

import pytest

from briefing.evidence.quotes import closest, find, normalise

SOURCE = normalise(
    "The minister said: “Our position remains unchanged.”\n"
    "It\u2019s a 10\u2013year   partnership —\n  not a\u00a0guarantee.\n"
    "Nausėda spoke in Україна\u2026 later."
)


@pytest.mark.parametrize(
    "quote",
    [
        '"Our position remains unchanged."',  # straight for curly double quotes
        "It's a 10-year partnership",  # straight apostrophe, hyphen for en dash
        "partnership - not a guarantee",  # em dash, line break, no-break space
        "partnership —\n\n   not   a guarantee.",  # any whitespace run
        "Nausėda spoke in Україна... later",  # ellipsis character, non-Latin script
    ],
)
def test_typographic_variants_match(quote: str) -> None:
    assert find(quote, SOURCE) is not None


@pytest.mark.parametrize(
    "quote",
    [
        "Our position remains changed",  # a word differs
        "remains unchanged our position",  # order differs
        "our position remains unchanged",  # case differs
        "It's a ten-year partnership",  # spelling of a number differs
    ],
)
def test_different_words_do_not_match(quote: str) -> None:
    assert find(quote, SOURCE) is None


def test_match_reports_line_column_and_exact_passage() -> None:
    match = find("a 10-year partnership - not a guarantee", SOURCE)
    assert match is not None
    assert (match.line, match.col) == (2, 6)
    assert match.passage == "a 10\u2013year   partnership —\n  not a\u00a0guarantee"


def test_closest_passage_points_at_the_near_miss() -> None:
    near = closest("Our position remains changed", SOURCE)
    assert near is not None
    assert near.line == 1
    assert "Our position remains unchanged" in near.passage
    assert 0.8 < near.similarity < 1.0


def test_empty_quote_never_matches() -> None:
    assert find("   ", SOURCE) is None
