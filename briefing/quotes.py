"""Quote matching: is a quote verbatim in its source, up to typography, and if not, what is closest?

Typography is forgiven (whitespace and line breaks, curly versus straight quotes and apostrophes,
dash and hyphen variants, the ellipsis character); words, their spelling, case and order are not.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200b": "",
        "\u00ad": "",
    }
)


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


@dataclass(frozen=True)
class NormalText:
    """Text in canonical form, with the offset in the original text of every character."""

    text: str
    offsets: tuple[int, ...]
    original: str

    def line_col(self, index: int) -> tuple[int, int]:
        """1-based line and column in the original text of a normalised index."""
        pos = self.offsets[min(index, len(self.offsets) - 1)] if self.offsets else 0
        line = self.original.count("\n", 0, pos) + 1
        col = pos - (self.original.rfind("\n", 0, pos) + 1) + 1
        return line, col

    def paragraph(self, index: int) -> int:
        """The 1-based paragraph of the original text a normalised index falls in; paragraphs
        are separated by blank lines (a reader counts them in the attached file)."""
        pos = self.offsets[min(index, len(self.offsets) - 1)] if self.offsets else 0
        first = len(self.original) - len(self.original.lstrip())
        return len(_PARAGRAPH_BREAK.findall(self.original, first, max(pos, first))) + 1

    def original_span(self, start: int, end: int) -> str:
        """The original characters behind normalised text[start:end]."""
        if start >= end:
            return ""
        return self.original[self.offsets[start] : self.offsets[end - 1] + 1]


def normalise(text: str) -> NormalText:
    """Canonical form for matching: one space for any whitespace run, plain quotes and dashes."""
    chars: list[str] = []
    offsets: list[int] = []
    pending_space = False
    for index, raw in enumerate(text):
        for char in unicodedata.normalize("NFKC", raw).translate(_TRANSLATE):
            if char == "\u2026":
                replacement = "..."
            elif char.isspace():
                pending_space = bool(chars)
                continue
            else:
                replacement = char
            for piece in replacement:
                if pending_space:
                    chars.append(" ")
                    offsets.append(index)
                    pending_space = False
                chars.append(piece)
                offsets.append(index)
    return NormalText("".join(chars), tuple(offsets), text)


@dataclass(frozen=True)
class Match:
    """Where a quote was found: 1-based line and column in the source, and the exact passage."""

    line: int
    col: int
    passage: str
    start: int
    end: int


def find(quote: str, source: NormalText) -> Match | None:
    """The first place `quote` occurs in `source` as whole words, up to typography; None if
    it does not. Neither end of the match may be touched by a letter or digit from outside."""
    needle = normalise(quote).text
    if not needle:
        return None
    start = source.text.find(needle)
    while start >= 0:
        end = start + len(needle)
        # A quote is whole words: "oland proposed" must not pass because "Poland proposed"
        # is in the source, nor "pact" because "pacts" is.
        if not _is_word_char(source.text, start - 1) and not _is_word_char(source.text, end):
            line, col = source.line_col(start)
            return Match(line, col, source.original_span(start, end), start, end)
        start = source.text.find(needle, start + 1)
    return None


def _is_word_char(text: str, index: int) -> bool:
    """Is text[index] part of a word (a letter, a digit, or a combining mark, which belongs to
    the letter before it)? False outside the text: its ends are boundaries."""
    if index < 0 or index >= len(text):
        return False
    char = text[index]
    return char.isalnum() or unicodedata.category(char).startswith("M")


@dataclass(frozen=True)
class NearMiss:
    """The passage of a source most like a quote that was not found, with a similarity 0..1."""

    line: int
    col: int
    passage: str
    similarity: float


_WORD = re.compile(r"\S+")


def closest(quote: str, source: NormalText) -> NearMiss | None:
    """The window of the source, as many words long as the quote, that best matches it."""
    needle_words = normalise(quote).text.split(" ")
    spans = [(m.start(), m.end()) for m in _WORD.finditer(source.text)]
    if not spans or not needle_words:
        return None
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
    ratio, first = best
    start, end = spans[first][0], spans[first + size - 1][1]
    line, col = source.line_col(start)
    return NearMiss(line, col, source.original_span(start, end), round(ratio, 3))
