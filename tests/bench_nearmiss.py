"""How long the near-miss of a quote takes in a 50 KiB source: the old difflib window scan
against rapidfuzz's alignment. Run: .venv/bin/python -m tests.bench_nearmiss"""

from __future__ import annotations

import difflib
import re
import time

from briefing.evidence.quotes import NormalText, closest, normalise
from tests.conftest import FIXTURES

SIZE = 50 * 1024
_WORD = re.compile(r"\S+")


def long_source() -> str:
    """The mini fixture's source repeated, each copy varied (a number, a reordered clause),
    until 50 KiB: many passages alike, as in a long report."""
    base = (FIXTURES / "mini" / "facts" / "sources" / "harbour.txt").read_text(encoding="utf-8")
    parts: list[str] = []
    n = 0
    while sum(len(p) for p in parts) < SIZE:
        varied = base.replace("ten-year", f"{n % 40 + 2}-year").replace("Tuesday", f"day {n}")
        if n % 3 == 0:
            varied = varied.replace("joint training and shared", "shared and joint training")
        parts.append(f"Section {n}.\n\n{varied}\n")
        n += 1
    return "".join(parts)[:SIZE]


def missed_quote(words: int = 80) -> str:
    """An 80-word run from the middle of the long source with one word changed."""
    found = _WORD.findall(normalise(long_source()).text)
    middle = len(found) // 2
    run = found[middle : middle + words]
    run[words // 2] = "NOTATALL"
    return " ".join(run)


def difflib_closest(quote: str, source: NormalText) -> tuple[float, int]:
    """The near-miss search as it was: every window of the quote's length, difflib ratio."""
    needle_words = normalise(quote).text.split(" ")
    spans = [(m.start(), m.end()) for m in _WORD.finditer(source.text)]
    size = min(len(needle_words), len(spans))
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(" ".join(needle_words).lower())
    best: tuple[float, int] = (-1.0, 0)
    for first in range(0, len(spans) - size + 1):
        window = source.text[spans[first][0] : spans[first + size - 1][1]].lower()
        matcher.set_seq1(window)
        if matcher.real_quick_ratio() <= best[0] or matcher.quick_ratio() <= best[0]:
            continue
        ratio = matcher.ratio()
        if ratio > best[0]:
            best = (ratio, first)
    return best


def main() -> None:
    source = normalise(long_source())
    quote = missed_quote()
    started = time.perf_counter()
    ratio, _ = difflib_closest(quote, source)
    before = time.perf_counter() - started
    started = time.perf_counter()
    near = closest(quote, source)
    after = time.perf_counter() - started
    assert near is not None
    print(f"source {len(source.original)} characters, quote {len(quote.split())} words")
    print(f"before (difflib windows): {before:.3f} s, similarity {ratio:.3f}")
    print(f"after  (rapidfuzz):       {after:.3f} s, similarity {near.similarity:.3f}")
    print(f"first differing word: {near.quote_word!r} (source has {near.source_words!r})")


if __name__ == "__main__":
    main()
