"""How long coverage takes to split a 300 KiB paragraph into sentences: the regex splitter it
had (its abbreviation test searched the paragraph from its start at every full stop, so the
time grew with the square of the length) against sentencex's boundaries.
Run: .venv/bin/python -m tests.bench_sentences"""

from __future__ import annotations

import re
import time

from briefing.evidence.coverage import split_sentences
from briefing.evidence.quotes import normalise

SIZE = 300 * 1024

_OLD_BOUNDARY = re.compile(r"""([.?!]['")\]]*) (?=['"(\[]?[A-Z0-9])""")
_OLD_ABBREVIATION = re.compile(
    r"(?:^|[\s(])(?:(?:[A-Za-z]\.)+[A-Za-z]?|[A-Z]|Mr|Mrs|Ms|Dr|Prof|Gen|Col|Lt|Sen|Rep|St|"
    r"No|vs|etc|approx|i\.e|e\.g|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.$"
)


def old_breaks(text: str, start: int, end: int) -> list[int]:
    """The splitter before: every boundary tested against the whole paragraph before it."""
    breaks: list[int] = []
    for match in _OLD_BOUNDARY.finditer(text, start, end):
        before = text[start : match.start(1) + 1]
        if match.group(1).startswith(".") and _OLD_ABBREVIATION.search(before):
            continue
        breaks.append(match.end(1))
    return breaks


def paragraph() -> str:
    """300 KiB without a line break: English with titles and initials, Ukrainian, Polish."""
    base = (
        "Pres. Duda said on Tuesday that Poland will sign a pact with the U.S. and Ukraine. "
        "The pact covers arms deliveries, joint training and shared intelligence, but no "
        "clause. Президент Зеленський заявив, що Україна готова. Prezydent Duda powiedział, "
        "że Polska podpisze umowę. "
    )
    return (base * (SIZE // len(base) + 1))[:SIZE]


def main() -> None:
    raw = paragraph()
    text = normalise(raw)
    started = time.perf_counter()
    old = old_breaks(text.text, 0, len(text.text))
    old_time = time.perf_counter() - started
    started = time.perf_counter()
    new = split_sentences(text)
    new_time = time.perf_counter() - started
    size = len(raw.encode("utf-8")) // 1024
    print(f"{size} KiB paragraph: old splitter {old_time:.2f} s ({len(old) + 1} sentences)")
    print(f"{size} KiB paragraph: sentencex   {new_time:.2f} s ({len(new)} sentences)")


if __name__ == "__main__":
    main()
