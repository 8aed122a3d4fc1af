"""Inputs that once hung or crashed: a long quote or search, many quotes not found in one file,
a PDF source of 100,000 pages or nested beyond the parser's stack. Each is answered within a
generous bound, or refused with a clean message that names the place.

The inputs are those of tests/bench_hostile.py, which prints their times."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from briefing.authoring.findquote import MAX_HITS_PER_SOURCE, SourceText, search
from briefing.authoring.intake import MAX_PDF_PAGES, IntakeError, extract
from briefing.check.facts import NEAR_MISS_HINTS
from briefing.evidence.quotes import MAX_QUOTE_CHARS, closest, find, normalise
from tests.bench_hostile import nested_pdf, page_tree_pdf, prose, quote_project
from tests.hostile_support import make_project, run_cli

# The issue asks for answers within a second; the bound leaves room for a loaded, shared
# machine. Before, each of these cases took minutes or never ended.
BOUND = 5.0

SOURCE = prose(400_000, seed=1)


@pytest.fixture(scope="module")
def big() -> object:
    return normalise(SOURCE)


def _elapsed(started: float) -> float:
    return time.perf_counter() - started


def test_a_long_quote_not_found_gets_its_near_miss_within_a_second(big) -> None:
    started = time.perf_counter()
    near = closest(prose(20_000, seed=2), big)
    assert _elapsed(started) < BOUND
    assert near is not None


# Texts with no variety: every window of the source aligns equally well with the quote, which
# is the worst case for rapidfuzz's alignment and for difflib.
DEGENERATE = {
    "one word repeated": ("a " * 1499 + "zz", "a " * 256_000),
    "one long word": ("x" * 2999 + "y", ("x" * 5000 + " ") * 100),
    "two words at random": (prose(3_000, seed=5), " ".join(["ab", "ba"] * 128_000)),
}


@pytest.mark.parametrize("name", DEGENERATE)
def test_a_degenerate_quote_and_source_answer_within_a_second(name: str) -> None:
    quote, text = DEGENERATE[name]
    source = normalise(text)
    started = time.perf_counter()
    closest(quote, source)
    assert _elapsed(started) < BOUND


def test_a_long_quote_still_points_at_the_word_that_differs(big) -> None:
    """A quote longer than one aligned piece is placed by its pieces: the passage is the
    source's, and the word that differs is named, far into the quote."""
    words = big.text.split(" ")
    middle = len(words) // 2
    run = words[middle : middle + 250]
    assert 1_000 < len(" ".join(run)) < MAX_QUOTE_CHARS
    original = run[200]
    run[200] = "NOTATALL"
    near = closest(" ".join(run), big)
    assert near is not None
    assert near.quote_word == "NOTATALL"
    assert near.source_words == original
    assert near.passage.split()[:5] == run[:5]
    assert near.passage.split()[-5:] == run[-5:]


def test_a_quote_in_parts_in_a_source_of_many_paragraphs_answers_within_a_second() -> None:
    """The first part in every paragraph, the last only in the last: each start once searched
    to the end of the source for the last part."""
    source = normalise("a b c\n\n" * 70_000 + "a b c then b c a b c a b x\n")
    started = time.perf_counter()
    match = find("a b c … b c a b c a b x", source)
    assert _elapsed(started) < BOUND
    assert match is not None and (match.line, match.col) == (140_001, 1)


def test_find_quote_with_a_long_query_answers_within_a_second(big) -> None:
    started = time.perf_counter()
    search(prose(25_000, seed=3), [SourceText("big", "facts/sources/big.txt", big)])
    assert _elapsed(started) < BOUND


def test_find_quote_with_a_long_query_found_loosely_answers_within_a_second(big) -> None:
    """A page of the source pasted in capitals: found, and scored, without difflib's cost."""
    query = big.text[10_000:35_000].upper()
    query = query[query.index(" ") + 1 : query.rindex(" ")]
    started = time.perf_counter()
    [hit] = search(query, [SourceText("big", "facts/sources/big.txt", big)])
    assert _elapsed(started) < BOUND
    assert hit.kind == "loose"


def test_find_quote_of_a_word_in_a_text_of_that_word_lists_a_bounded_number() -> None:
    source = normalise("a " * 256_000)
    started = time.perf_counter()
    hits = search("a " * 12_500, [SourceText("big", "facts/sources/big.txt", source)])
    assert _elapsed(started) < BOUND
    assert len(hits) == MAX_HITS_PER_SOURCE


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": error: " in line]


def test_a_300_kb_quote_is_refused_at_its_place_within_a_second(tmp_path: Path) -> None:
    quote = prose(300_000, seed=4).replace("\n", " ").strip()
    root = quote_project(tmp_path / "p", [quote], SOURCE)
    started = time.perf_counter()
    run = run_cli("--root", str(root), "check")
    assert _elapsed(started) < BOUND
    assert run.code == 1 and "Traceback" not in run.err
    assert _errors(run.err) == [
        f"facts/actors/cc.yaml:10:16: error: this quote is {len(quote):,} characters long; "
        f"a quote may have at most {MAX_QUOTE_CHARS:,} [Q107]"
    ]


def test_a_quote_is_searched_up_to_the_cap_and_refused_past_it(tmp_path: Path) -> None:
    words = normalise(SOURCE).text.split(" ")
    quote = ""
    for word in words[1000:]:
        if len(quote) + 1 + len(word) > MAX_QUOTE_CHARS:
            break
        quote = f"{quote} {word}" if quote else word
    longer = f"{quote} {words[1000 + len(quote.split())]}"
    assert len(quote) <= MAX_QUOTE_CHARS < len(longer)
    ok = run_cli("--root", str(quote_project(tmp_path / "ok", [quote], SOURCE)), "check")
    assert ok.code == 0, ok.err
    refused = run_cli("--root", str(quote_project(tmp_path / "no", [longer], SOURCE)), "check")
    assert refused.code == 1
    assert [e.split(": error: ")[1] for e in _errors(refused.err)] == [
        f"this quote is {len(longer):,} characters long; a quote may have at most "
        f"{MAX_QUOTE_CHARS:,} [Q107]"
    ]


def test_quotes_not_found_past_the_first_in_a_file_say_they_have_no_hint(tmp_path: Path) -> None:
    make_project(tmp_path / "base")
    source = (tmp_path / "base" / "facts" / "sources" / "alpha.txt").read_text(encoding="utf-8")
    missing = NEAR_MISS_HINTS + 7
    quotes = [f"Norland will sign a pact number {n} with nobody at all" for n in range(missing)]
    run = run_cli("--root", str(quote_project(tmp_path / "p", quotes, source)), "check")
    assert run.code == 1
    assert len(_errors(run.err)) == missing
    assert run.err.count("closest passage, facts/sources/big.txt:") == NEAR_MISS_HINTS
    note = (
        f"no closest passage shown: the first {NEAR_MISS_HINTS} quotes not found in this file "
        "have one, the 7 after them do not"
    )
    assert run.err.count(note) == 7
    # The errors without a hint are the last ones in the file, each still at its own line.
    blocks = re.split(r"\n(?=facts/)", run.err.strip())
    assert [note in b for b in blocks if ": error: " in b] == [False] * NEAR_MISS_HINTS + [True] * 7


def test_three_thousand_quotes_not_found_in_a_file_stay_fast(tmp_path: Path) -> None:
    quotes = [prose(80, seed=10 + n).replace("\n", " ").strip() for n in range(3000)]
    root = quote_project(tmp_path / "p", quotes, SOURCE)
    started = time.perf_counter()
    run = run_cli("--root", str(root), "check")
    # Three thousand errors are printed and sorted too: a bound of several seconds still
    # fails the old search, which took over a minute.
    assert _elapsed(started) < 3 * BOUND
    assert len(_errors(run.err)) == 3000


def test_a_pdf_of_100000_pages_is_refused_before_its_pages_are_read() -> None:
    started = time.perf_counter()
    with pytest.raises(IntakeError, match=f"more than {MAX_PDF_PAGES:,} pages"):
        extract(page_tree_pdf(100_000), "x.pdf")
    assert _elapsed(started) < BOUND


def test_a_pdf_of_as_many_pages_as_allowed_is_read() -> None:
    text = extract(page_tree_pdf(MAX_PDF_PAGES), "x.pdf").text
    assert text.startswith("Page text.")
    with pytest.raises(IntakeError, match="pages"):
        extract(page_tree_pdf(MAX_PDF_PAGES + 1), "x.pdf")


@pytest.mark.parametrize("where", ["page", "content"])
def test_a_pdf_nested_50000_deep_is_a_clean_refusal(tmp_path: Path, where: str) -> None:
    root = make_project(tmp_path / "p")
    pdf = tmp_path / "deep.pdf"
    pdf.write_bytes(nested_pdf(50_000, where))
    before = sorted(p for p in (root / "facts").rglob("*"))
    run = run_cli("--root", str(root), "new", "source", str(pdf))
    assert run.code == 1  # a mistake in the input (README: Exit codes)
    assert run.err.startswith("error: deep.pdf: cannot be read as a PDF")
    assert "Traceback" not in run.err and "RecursionError" not in run.err
    assert sorted(p for p in (root / "facts").rglob("*")) == before
