"""Quote matching: is a quote verbatim in its source, up to typography, and if not, what is closest?

Typography is forgiven (whitespace and line breaks, curly versus straight quotes and apostrophes,
dash and hyphen variants, the ellipsis character); words, their spelling, case and order are not.

A quote written with an ellipsis ('…' or '...') that is not verbatim as a whole is a quote in
parts: each part is found, as whole words and in order, within one paragraph of the source.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from rapidfuzz import fuzz

from briefing.core.diagnostics import LineIndex, editor_lines
from briefing.core.memo import Memo, digest
from briefing.factbase.model import MIN_PART_WORDS

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


# A blank line, as an editor breaks lines (LF, CRLF or CR), and the whitespace after it.
_PARAGRAPH_BREAK = re.compile(r"(?:\r\n|\r|\n)[ \t]*(?:\r\n|\r|\n)\s*")
_LINE_BREAK = re.compile(r"(?:\r\n|\r|\n)\s*")
# A text none of whose lines is longer than this is wrapped by hand (at 72 or 80 characters):
# only its blank lines end paragraphs. In any other text (a page saved as text, one line per
# paragraph) every line break does.
WRAP_WIDTH = 100


@dataclass(frozen=True)
class NormalText:
    """Text in canonical form, with the offset in the original text of every character.

    A source's text also knows how a reader counts its paragraphs (¶, see `counted`): its
    headline and the paragraphs of page furniture are not counted."""

    text: str
    offsets: tuple[int, ...]
    original: str
    # The paragraph that is the text's headline (1-based, as `paragraph` numbers them; 0 for
    # none), and those that are page furniture: ¶ counts neither.
    headline: int = field(default=0, kw_only=True)
    furniture: frozenset[int] = field(default=frozenset(), kw_only=True)

    def line_col(self, index: int) -> tuple[int, int]:
        """1-based line and column in the original text of a normalised index."""
        pos = self.offsets[min(index, len(self.offsets) - 1)] if self.offsets else 0
        return self._lines.line_col(pos)

    @cached_property
    def _lines(self) -> LineIndex:
        return LineIndex(self.original)

    def paragraph(self, index: int) -> int:
        """The 1-based paragraph of the original text a normalised index falls in, as a reader
        counts them in the attached file: paragraphs are separated by blank lines, or, in a
        text whose lines are not wrapped by hand (see WRAP_WIDTH), by line breaks."""
        pos = self.offsets[min(index, len(self.offsets) - 1)] if self.offsets else 0
        return bisect.bisect_right(self._breaks, pos) + 1

    def paragraph_span(self, number: int) -> tuple[int, int]:
        """Normalised [start, end) of paragraph `number` (1-based), the space that separates
        it from the next one excluded."""
        # The space that stands for a break carries the offset of the next paragraph's first
        # character, which is where the break ends.
        breaks = self._breaks
        start = bisect.bisect_left(self.offsets, breaks[number - 2]) if number >= 2 else 0
        if start < len(self.text) and self.text[start] == " ":
            start += 1
        if number - 1 < len(breaks):
            end = bisect.bisect_left(self.offsets, breaks[number - 1])
        else:
            end = len(self.text)
        return start, end

    def number(self, paragraph: int) -> int | None:
        """The ¶ a reader counts for `paragraph` (1-based, as `paragraph()` numbers them): the
        body's paragraphs only, from 1; None for the headline and for page furniture."""
        if paragraph in self.furniture or paragraph == self.headline:
            return None
        before = 1 if 0 < self.headline < paragraph else 0
        return paragraph - before - bisect.bisect_left(self._furniture, paragraph)

    @cached_property
    def _furniture(self) -> list[int]:
        return sorted(self.furniture)

    def place(self, spans: Sequence[Span]) -> Place:
        """Where normalised runs stand as a note cites them: the ¶ they cover (see `number`),
        and whether they take in the headline."""
        first = self.paragraph(spans[0][0])
        last = self.paragraph(max(spans[-1][1] - 1, spans[-1][0]))
        return self.place_of(first, last)

    def place_of(self, first: int, last: int) -> Place:
        """The place of paragraphs `first` to `last` (as `paragraph()` numbers them)."""
        counted = [self.number(p) for p in range(first, last + 1)]
        headline = first <= self.headline <= last
        return Place(headline, tuple(n for n in counted if n is not None))

    @property
    def paragraph_starts(self) -> tuple[int, ...]:
        """Where each paragraph after the first starts in the original text (see paragraph)."""
        return tuple(self._breaks)

    @cached_property
    def _breaks(self) -> list[int]:
        """Where each paragraph after the first starts in the original text: the ends of the
        paragraph breaks, leading whitespace aside. Found once, so that the paragraph of any
        index is a binary search (a long source has thousands of quotes to place)."""
        first = len(self.original) - len(self.original.lstrip())
        wrapped = all(len(line) <= WRAP_WIDTH for line in editor_lines(self.original))
        breaks = _PARAGRAPH_BREAK if wrapped else _LINE_BREAK
        return [
            m.end() for m in breaks.finditer(self.original, first) if m.end() < len(self.original)
        ]

    @cached_property
    def digest(self) -> str:
        """The SHA-256 of the original text: how a memo names what was found in it."""
        return digest(self.original)

    def original_span(self, start: int, end: int) -> str:
        """The original characters behind normalised text[start:end]."""
        if start >= end:
            return ""
        return self.original[self.offsets[start] : self.offsets[end - 1] + 1]


@dataclass(frozen=True, order=True)
class Place:
    """Where a cited passage stands in its source as a reader counts paragraphs: the ¶ of the
    body it covers, in order (one, or a range), and whether it takes in the headline."""

    headline: bool
    paragraphs: tuple[int, ...]

    def __bool__(self) -> bool:
        return self.headline or bool(self.paragraphs)

    def __str__(self) -> str:
        """As a note prints it: '¶3', '¶3–4', 'headline', 'headline, ¶1'; empty if none."""
        shown = ["headline"] if self.headline else []
        if self.paragraphs:
            low, high = self.paragraphs[0], self.paragraphs[-1]
            shown.append(f"¶{low}" if low == high else f"¶{low}–{high}")
        return ", ".join(shown)


def places(found: Iterable[Place]) -> str:
    """Several places in one source, as a short reference prints them: '¶2, 7, 8', with
    'headline' first if one takes it in; empty if none."""
    found = list(found)
    numbers = sorted({n for place in found for n in place.paragraphs})
    shown = ["headline"] if any(place.headline for place in found) else []
    if numbers:
        shown.append("¶" + ", ".join(str(n) for n in numbers))
    return ", ".join(shown)


def counted(
    text: NormalText, title: str | None, furniture: Sequence[str]
) -> tuple[NormalText, list[int]]:
    """`text` with how a reader counts its paragraphs (¶), and the indexes of the `furniture`
    lines it does not have. This is the one rule of ¶, which the notes, Appendix A, the
    excerpts and `verify` all read (`NormalText.number`):

    - a paragraph is page furniture when each of its lines is one of the `furniture` lines
      (the source's entry lists them, each an exact line of the text, typography aside);
    - the first paragraph that is not furniture is the headline when its words are the
      `title`, typography aside (`title` None: the curator supplied it, the text has none);
    - every other paragraph is the body's, counted from 1. Neither is counted."""
    breaks = [0, *text.paragraph_starts, len(text.original)]
    paragraphs = [text.original[a:b] for a, b in itertools.pairwise(breaks)]
    marked = {normalise(line).text for line in furniture}
    longest = max((len(line) for line in furniture), default=0)
    # A paragraph or line far longer than the title or every furniture line (typography can
    # make it a little longer) is neither: it is not read, so a long text costs nothing more.
    lines = [
        [normalise(line).text if _near(line, longest) else "\0" for line in editor_lines(p)]
        for p in paragraphs
    ]
    kept = frozenset(
        number
        for number, words in enumerate(lines, 1)
        if any(words) and all(w in marked for w in words if w)
    )
    first = next((n for n in range(1, len(paragraphs) + 1) if n not in kept), 0)
    headline = 0
    if first and title is not None and _near(paragraphs[first - 1], len(title)):
        wanted = normalise(title).text
        headline = first if wanted and normalise(paragraphs[first - 1]).text == wanted else 0
    present = {w for words in lines for w in words}
    missing = [i for i, line in enumerate(furniture) if normalise(line).text not in present]
    return replace(text, headline=headline, furniture=kept), missing


def _near(text: str, length: int) -> bool:
    """Whether `text` could be, typography aside, a line of about `length` characters."""
    return len(text) <= 4 * length + 64


# Runs a normaliser can copy as they are (printable ASCII is its own NFKC form), runs of
# whitespace, and any other single character.
_TOKEN = re.compile(r"\s+|[\x21-\x7e]+|.", re.DOTALL)


def normalise(text: str) -> NormalText:
    """Canonical form for matching: one space for any whitespace run, plain quotes and dashes."""
    chars: list[str] = []
    offsets: list[int] = []
    pending_space = False
    # Whole runs of ASCII and of whitespace at a time, and only other characters one by one:
    # a check normalises every quote, and this is most of its time on a large fact base.
    for token in _TOKEN.finditer(text):
        index, run = token.start(), token.group()
        if run.isspace():
            pending_space = bool(chars)
            continue
        if len(run) > 1 or run.isascii():
            translated = run.translate(_TRANSLATE)
            if len(translated) == len(run):
                if pending_space:
                    chars.append(" ")
                    offsets.append(index)
                    pending_space = False
                chars.append(translated)
                offsets.extend(range(index, token.end()))
                continue
        for at, raw in enumerate(run, index):
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
                        offsets.append(at)
                        pending_space = False
                    chars.append(piece)
                    offsets.append(at)
    return NormalText("".join(chars), tuple(offsets), text)


Span = tuple[int, int]


@dataclass(frozen=True)
class Match:
    """Where a quote was found: 1-based line and column in the source, and the exact passage.

    `start` and `end` are normalised offsets of the whole match; a quote in parts also has
    `parts`, the span of each part (its passage joins them with an ellipsis)."""

    line: int
    col: int
    passage: str
    start: int
    end: int
    parts: tuple[Span, ...] = ()

    @property
    def spans(self) -> tuple[Span, ...]:
        """The spans of source text the quote stands on: its parts, or the one span."""
        return self.parts or ((self.start, self.end),)


# Words left out of a quote: an ellipsis character (normalised to '...') or three dots or more,
# in square or round brackets or not.
_ELLIPSIS = re.compile(r"\s*[\[(]?\.{3,}[\])]?\s*")
# A quote longer than this is never found: the check refuses it rather than search for it. A
# quote is a sentence or a passage (the longest in the shipped facts is under 200 characters),
# and the cost of aligning one with its source grows with its length. The near miss of a longer
# text (a search pasted into find-quote) is that of its first MAX_QUOTE_CHARS characters.
MAX_QUOTE_CHARS = 3_000
# What a note prints between the parts of a quote in parts.
ELLIPSIS = " … "
_WORD_IN = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class Part:
    """One part of a quote in parts: its words (normalised) and where it starts in the quote
    as written."""

    text: str
    at: tuple[int, ...]  # for each character of `text`, its offset in the quote as written

    @property
    def offset(self) -> int:
        return self.at[0]

    @property
    def words(self) -> int:
        return len(self.text.split())


@functools.lru_cache(maxsize=4096)
def _normal_quote(quote: str) -> NormalText:
    # The check asks for a quote's parts and then finds it, the notes find it again, and the
    # live preview checks every quote after each edit: each is normalised once per process.
    return normalise(quote)


def quote_parts(quote: str) -> list[Part]:
    """The parts of a quote written with an ellipsis, in order (an ellipsis at either end only
    says the quote is cut mid-sentence, and makes no part); one part for any other quote."""
    needle = _normal_quote(quote)
    parts: list[Part] = []
    start = 0
    for gap in [*_ELLIPSIS.finditer(needle.text), None]:
        end = gap.start() if gap is not None else len(needle.text)
        if end > start:
            parts.append(Part(needle.text[start:end], needle.offsets[start:end]))
        if gap is not None:
            start = gap.end()
    return parts


def in_parts(quote: str) -> bool:
    """Whether a quote has an ellipsis between words: a quote in parts unless it is verbatim."""
    return len(quote_parts(quote)) > 1


def short_parts(quote: str) -> list[Part]:
    """The parts of a quote in parts that are too short to prove anything."""
    parts = quote_parts(quote)
    return [p for p in parts if p.words < MIN_PART_WORDS] if len(parts) > 1 else []


def find(quote: str, source: NormalText) -> Match | None:
    """The first place `quote` occurs in `source` as whole words, up to typography; None if
    it does not. Neither end of the match may be touched by a letter or digit from outside.

    A quote with an ellipsis that is not verbatim is looked for in parts (see `find_parts`);
    one with a part shorter than MIN_PART_WORDS is never found, nor one longer than
    MAX_QUOTE_CHARS."""
    if len(quote) > MAX_QUOTE_CHARS:
        return None
    needle = _normal_quote(quote).text
    if not needle:
        return None
    found = _whole(needle, source, 0)
    if found is not None:
        return _match(source, (found,))
    if not _ELLIPSIS.search(needle):
        return None
    parts = quote_parts(quote)
    if len(parts) > 1 and any(p.words < MIN_PART_WORDS for p in parts):
        return None
    return find_parts([p.text for p in parts], source)


class Finds:
    """Where each cited quote stands in its source, found once per citation: the check and
    the evidence checks after it all need it, and finding is most of a check's time. A
    citation is known by where it is written (its file and path), never by its words: two
    citations of the same words are two finds, as they are two claims.

    With `kept` (the live preview's memo), what `find` answered for a quote in a source is
    kept by the quote's words and the source's digest, for the checks after this one: an
    edit to one fact finds only its own quotes again."""

    def __init__(self, kept: Memo | None = None) -> None:
        self.memo: dict[tuple[int, tuple[str | int, ...]], Match | None] = {}
        self.kept = kept

    def find(
        self, written: tuple[object, tuple[str | int, ...]], quote: str, source: NormalText
    ) -> Match | None:
        """`find(quote, source)` for the citation written at `written` (file, path)."""
        key = (id(written[0]), written[1])
        if key not in self.memo:
            if self.kept is None:
                self.memo[key] = find(quote, source)
            else:
                # `find` has no options: its words and the source's are all it depends on.
                found = self.kept.get(("find", source.digest, quote), lambda: find(quote, source))
                self.memo[key] = found
        return self.memo[key]


def _whole(needle: str, source: NormalText, start: int) -> Span | None:
    """The first span at or after `start` where `needle` occurs as whole words."""
    start = source.text.find(needle, start)
    while start >= 0:
        end = start + len(needle)
        # A quote is whole words: "oland proposed" must not pass because "Poland proposed"
        # is in the source, nor "pact" because "pacts" is.
        if not _is_word_char(source.text, start - 1) and not _is_word_char(source.text, end):
            return start, end
        start = source.text.find(needle, start + 1)
    return None


def _match(source: NormalText, spans: Sequence[Span]) -> Match:
    line, col = source.line_col(spans[0][0])
    parts = tuple(spans) if len(spans) > 1 else ()
    return Match(line, col, passage(source, spans), spans[0][0], spans[-1][1], parts)


def joined(source: NormalText, spans: Iterable[Span]) -> list[Span]:
    """Normalised spans as a passage prints them, in order: spans that overlap, or that only
    spaces and punctuation part, are one run."""
    runs: list[list[int]] = []
    for start, end in sorted(spans):
        if runs and not _WORD_IN.search(source.text, runs[-1][1], max(start, runs[-1][1])):
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([start, end])
    return [(start, end) for start, end in runs]


def passage(source: NormalText, spans: Sequence[Span]) -> str:
    """The original words of the source behind normalised spans, in order: spans that overlap,
    or that only spaces and punctuation part, are one run (`joined`); the words between runs
    are left out and an ellipsis printed in their place."""
    return ELLIPSIS.join(source.original_span(start, end) for start, end in joined(source, spans))


def find_parts(parts: Sequence[str], source: NormalText) -> Match | None:
    """The first place where normalised `parts` occur as whole words, in order, within one
    paragraph; None if they do not.

    For each place of the first part, every later part is taken at its first place after the
    one before: no other choice ends sooner, so when that leaves the paragraph, any later start
    in the same paragraph does too, and the search goes on in the next paragraph.
    """
    if not parts:
        return None
    start = 0
    while True:
        first = _whole(parts[0], source, start)
        if first is None:
            return None
        number = source.paragraph(first[0])
        _, limit = source.paragraph_span(number)
        spans = [first]
        beyond = 0
        for part in parts[1:]:
            found = _whole(part, source, spans[-1][1])
            if found is None:
                return None  # no later start can find this part after it either
            spans.append(found)
            if found[1] > limit:
                # No later start finds this part sooner, so the paragraph that holds them all
                # is this part's or a later one: the paragraphs between are skipped, or each
                # would search to here again (quadratic in a source of many paragraphs).
                beyond = source.paragraph_span(source.paragraph(found[0]))[0]
                break
        else:
            return _match(source, spans)
        # Starts further on in this paragraph end no sooner: go on from the next paragraph.
        start = max(limit + 1, first[0] + 1, beyond)


def _is_word_char(text: str, index: int) -> bool:
    """Is text[index] part of a word (a letter, a digit, or a combining mark, which belongs to
    the letter before it)? False outside the text: its ends are boundaries."""
    if index < 0 or index >= len(text):
        return False
    char = text[index]
    return char.isalnum() or unicodedata.category(char).startswith("M")


@dataclass(frozen=True)
class NearMiss:
    """The passage of a source most like a quote that was not found, with a similarity 0..1,
    and the first word where the quote parts from it."""

    line: int
    col: int
    passage: str
    similarity: float
    # Offset in the quote as written of its first word that differs from the passage, that
    # word, and what the passage has there (None if no word differs, only their edges).
    differs_at: int | None = None
    quote_word: str = ""
    source_words: str = ""


_WORD = re.compile(r"\S+")


# The longest piece of a quote aligned against a whole source at once. rapidfuzz's partial
# alignment costs, at worst (a source of one word repeated), about the source's length times the
# square of the piece's: a piece is as long as ALIGN_WORK allows for the source, 64 characters
# (one machine word) at least, which takes 0.2 s at worst in a source of the largest size
# (512 KiB), and ALIGN_CHARS at most. A quote up to that length is aligned whole.
ALIGN_CHARS = 400
ALIGN_WORK = 64 * 64 * 512 * 1024


def align_piece(source_length: int) -> int:
    """The longest piece of a quote aligned at once against a source of this length."""
    return max(64, min(ALIGN_CHARS, math.isqrt(ALIGN_WORK // max(source_length, 1))))


def closest(quote: str, source: NormalText) -> NearMiss | None:
    """The passage of the source, whole words, that best aligns with the quote.

    rapidfuzz aligns the quote against the whole text at once (a bit-parallel scan): a miss in
    a long source is reported in milliseconds, where comparing every window took seconds.
    Case is ignored for the alignment, as a curator's miscapitalised quote still has a lead.
    A quote longer than ALIGN_CHARS is placed by the best aligned of a few pieces of it.
    """
    needle = _bounded(normalise(quote), MAX_QUOTE_CHARS)
    if not needle.text or not source.text:
        return None
    hay = source.text
    if len(needle.text) >= len(hay):
        start, end = 0, len(hay)
    else:
        start, end = _aligned(needle.text.lower(), hay.lower())
    start, end = _word_aligned(needle.text, hay, start, end)
    passage = hay[start:end]
    similarity = round(fuzz.ratio(needle.text.lower(), passage.lower()) / 100, 3)
    line, col = source.line_col(start)
    near = NearMiss(line, col, source.original_span(start, end), similarity)
    return _first_difference(needle, passage, near)


def _bounded(text: NormalText, limit: int) -> NormalText:
    """`text` cut after its last whole word within `limit` characters (the first word if even
    that is longer)."""
    if len(text.text) <= limit:
        return text
    cut = text.text.rfind(" ", 0, limit + 1)
    cut = cut if cut > 0 else limit
    return NormalText(text.text[:cut], text.offsets[:cut], text.original)


def _aligned(needle: str, hay: str) -> tuple[int, int]:
    """Where in `hay` the partial alignment places `needle` (both lower case, the needle the
    shorter): the whole needle if it is short (see align_piece); else its head, middle and tail
    are aligned each, and the best of them says where the needle would start."""
    piece = align_piece(len(hay))
    if len(needle) <= piece:
        found = fuzz.partial_ratio_alignment(needle, hay)
        # None only under a score cutoff, which is not given; the whole text is the fallback.
        return (found.dest_start, found.dest_end) if found else (0, len(hay))
    best: tuple[float, int] | None = None
    for at in (0, (len(needle) - piece) // 2, len(needle) - piece):
        found = fuzz.partial_ratio_alignment(needle[at : at + piece], hay)
        if found and (best is None or found.score > best[0]):
            best = (found.score, found.dest_start - found.src_start - at)
    if best is None:
        return 0, len(hay)
    start = min(max(0, best[1]), len(hay) - len(needle))
    return start, start + len(needle)


# How many words either side of the character alignment may belong to the passage: the
# alignment is as long as the quote in characters, so a longer or shorter word shifts it.
_SLACK_WORDS = 4


def _word_aligned(needle: str, hay: str, start: int, end: int) -> tuple[int, int]:
    """The whole-word passage of `hay` around [start, end) that corresponds word for word to
    the quote: its words matched against a few more on either side, first and last matching
    words placed where the quote has them."""
    # Only the words around the alignment: finding every word of a long source took longer
    # than the alignment itself, once per quote not found.
    low, high = start, max(start, end - 1)
    for _ in range(_SLACK_WORDS + 2):
        low = max(hay.rfind(" ", 0, low), 0)
        found = hay.find(" ", high + 1)
        high = found if found >= 0 else len(hay)
    spans = [(m.start(), m.end()) for m in _WORD.finditer(hay, low, high)]
    first = next((k for k, (_, stop) in enumerate(spans) if stop > start), len(spans) - 1)
    last = next((k for k, (begin, _) in enumerate(spans) if begin >= end), len(spans)) - 1
    first, last = max(0, first - _SLACK_WORDS), min(len(spans) - 1, max(last, first) + _SLACK_WORDS)
    region = [hay[a:b].lower() for a, b in spans[first : last + 1]]
    words = needle.lower().split(" ")
    # difflib's cost grows with the product of the lengths, and worse for a word repeated: of
    # a long quote, only the words at either end are matched, which is all that places it.
    cut, reach = len(words), len(region)
    if cut > _DIFF_WORDS:
        cut, reach = _DIFF_WORDS, min(reach, _DIFF_WORDS + 2 * _SLACK_WORDS)
    heads = _matching_blocks(words[:cut], region[:reach])
    tails = _matching_blocks(words[len(words) - cut :], region[len(region) - reach :])
    if not heads or not tails:
        return spans[first][0], spans[last][1]
    head = max(0, heads[0].b - heads[0].a)
    # The last matching words, in the whole quote and the whole region.
    last_a = tails[-1].a + len(words) - cut + tails[-1].size
    last_b = tails[-1].b + len(region) - reach + tails[-1].size
    tail = min(len(region), last_b + len(words) - last_a)
    return spans[first + head][0], spans[first + max(tail, head + 1) - 1][1]


# The most words of a quote difflib compares at once (far more than any quote in the facts has).
_DIFF_WORDS = 100


def _matching_blocks(a: list[str], b: list[str]) -> list[difflib.Match]:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [block for block in matcher.get_matching_blocks() if block.size]


def _first_difference(needle: NormalText, passage: str, near: NearMiss) -> NearMiss:
    """`near` with the quote's first word that is not the passage's (exact, case included:
    that is how `find` compares)."""
    spans = [(m.start(), m.group()) for m in _WORD.finditer(needle.text)]
    quote_words = [word for _, word in spans]
    passage_words = passage.split(" ")
    # The words both start with are skipped, and difflib compares a bounded run after them:
    # only the first difference is wanted (see _DIFF_WORDS).
    same, ours, theirs = 0, quote_words, passage_words
    if len(quote_words) > _DIFF_WORDS:
        for mine, its in zip(quote_words, passage_words, strict=False):
            if mine != its:
                break
            same += 1
        ours = quote_words[same : same + _DIFF_WORDS]
        theirs = passage_words[same : same + _DIFF_WORDS]
    matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
    for tag, i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        i1, j1, j2 = i1 + same, j1 + same, j2 + same
        index = min(i1, len(spans) - 1)
        offset = needle.offsets[spans[index][0]]
        return NearMiss(
            near.line,
            near.col,
            near.passage,
            near.similarity,
            offset,
            spans[index][1],
            " ".join(passage_words[j1:j2]),
        )
    return near
