"""Evidence is held to its source: whole words, the right source, a close lead, pinned texts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from briefing.check import run_check
from briefing.project import Project
from briefing.quotes import closest, find, normalise


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


# --- 2. The right words, the wrong source ------------------------------------------------------

QUAY = "Quay Notes\n\nThe harbour master said the quay will reopen after the storm season.\n"


def _add_quay_source(project: Project) -> None:
    (project.sources / "quay.txt").write_text(QUAY, encoding="utf-8")
    with (project.facts / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            "  - id: quay\n"
            "    file: quay.txt\n"
            "    title: Quay Notes\n"
            "    outlet: The Quay Bulletin\n"
            "    reliability: B\n"
            "    reliability_note: Second fixture source.\n"
        )


def test_a_quote_from_another_source_names_that_source(mini: Project) -> None:
    _add_quay_source(mini)
    actor = mini.actors / "south.yaml"
    _replace(
        actor,
        "quote: Southland's premier, Ada Quill, said on Tuesday",
        "quote: the quay will reopen after the storm season",
    )
    _, problems = run_check(mini)
    wrong = [p for p in problems if p.message.startswith("quote not found")]
    assert len(wrong) == 1
    assert wrong[0].message == (
        "quote not found in source 'harbour'; it is in source 'quay' "
        "(facts/sources/quay.txt:3:25): cite 'quay'"
    )
    assert wrong[0].related == ()  # no near-miss lead: the fix is the source id
    assert "source: quay" in wrong[0].hint


def test_a_quote_in_no_source_still_gets_the_near_miss(mini: Project) -> None:
    _add_quay_source(mini)
    actor = mini.actors / "south.yaml"
    _replace(actor, "said on Tuesday", "said on Friday")
    _, problems = run_check(mini)
    wrong = [p for p in problems if p.message.startswith("quote not found")]
    assert [p.message for p in wrong] == ["quote not found in source 'harbour'"]
    assert "closest passage" in wrong[0].related[0]


# --- 3. The near-miss points at the first word that differs ------------------------------------


def test_the_caret_points_at_the_first_differing_word(mini: Project) -> None:
    actor = mini.actors / "south.yaml"
    _replace(actor, "said on Tuesday", "said on Friday")
    _, problems = run_check(mini)
    (miss,) = [p for p in problems if p.message.startswith("quote not found")]
    line = next(
        n for n, text in enumerate(actor.read_text().splitlines(), 1) if "said on Friday" in text
    )
    written = actor.read_text().splitlines()[line - 1]
    assert (miss.location.line, miss.location.col) == (line, written.index("Friday") + 1)
    assert "the quote has 'Friday' where the source has 'Tuesday'" in miss.related
    assert "said on Tuesday" in miss.related[1]


def test_a_folded_quote_names_the_differing_word_in_the_message(mini: Project) -> None:
    actor = mini.actors / "south.yaml"
    _replace(actor, "joint training", "joint exercises")
    _, problems = run_check(mini)
    (miss,) = [p for p in problems if p.message.startswith("quote not found")]
    assert miss.message == "quote not found in source 'harbour' (it differs at 'exercises')"
    assert "the quote has 'exercises' where the source has 'training'" in miss.related


def test_the_near_miss_in_a_long_source_is_found_fast() -> None:
    from tests.bench_nearmiss import long_source, missed_quote

    source = normalise(long_source())
    quote = missed_quote()
    started = time.perf_counter()
    near = closest(quote, source)
    elapsed = time.perf_counter() - started
    assert near is not None and near.similarity > 0.9
    assert near.quote_word == "NOTATALL"
    assert elapsed < 0.5, f"closest() took {elapsed:.2f} s on a 50 KiB source"
