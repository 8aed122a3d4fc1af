"""Excerpts: what a PDF carries of a source the desk may not redistribute whole
(`redistribute: excerpts` in sources.yaml), and how `briefing verify` reads it back.

The PDFs attach, in place of the text, `facts/sources/FILE.excerpts.json`: the passages the
facts cite from it (every quote the check found, and every place of words the desk's prose
sets in quotation marks), each widened by a little context and merged where they meet, with
their offsets in the full text, and the full text's SHA-256, size and layout. The format
(`briefing-excerpts/2`, UTF-8 JSON, one excerpt a line):

    format      "briefing-excerpts/1"
    about       what the file is, in a sentence, for whoever opens it
    source      the source's id in sources.yaml; file: its file name in facts/sources/
    sha256      SHA-256 of the full text's bytes: whoever holds the article can check it
    bytes       the full text's size in bytes; characters: its length in characters
    lines       where each line after the first starts (character offsets)
    paragraphs  where each paragraph after the first starts
    headline    the paragraph (1-based) that is the text's headline, 0 for none; furniture:
                those that are page furniture. ¶ counts neither (evidence.quotes.counted),
                and the text that shows which they are need not travel
    excerpts    [{start, end, text}]: text is the full text's characters start..end (end
                excluded), in order, apart from one another

Offsets count the Unicode characters of the text as UTF-8 decodes it, a byte-order mark left
out (what the check reads). The layout gives nothing of the words away, and with it the
reader's check places every excerpt exactly where the desk's did: line and column in its
messages, and the paragraph a note prints.

`briefing verify` reads the file as a `PartialText`: the full text's length, with each
excerpt at its offset, line breaks where `lines` puts them, and every other character
unknown (UNKNOWN, a letter no quote is made of, so no quote is found across a gap and no
passage is printed over one). Every quote must be found there, inside an excerpt; the stages
after the check (the notes, Appendix A, the pages derived again) read it as they read a text.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefing.core.diagnostics import LineIndex
from briefing.core.gate import MAX_FILE_BYTES
from briefing.evidence.quotes import NormalText, Span, normalise
from briefing.factbase.model import Source

FORMAT = "briefing-excerpts/2"
# The format before headline and furniture were recorded: every paragraph was counted.
FORMAT_1 = "briefing-excerpts/1"
SUFFIX = ".excerpts.json"
# Context on either side of a cited run, in characters at most, within its line: enough to
# read the quote in its sentence, and cut back to the last whole word.
CONTEXT = 40
# What stands for a character the excerpts do not carry: a letter (so that no passage of
# words is printed across a gap: evidence.quotes.passage joins runs only over punctuation and
# spaces) that is its own normal form and that no quote is written with.
UNKNOWN = "\u3007"
ABOUT = (
    "Passages of a source text that may not be redistributed whole: the quotes the facts cite, "
    "with a little context. Each excerpt is the full text's characters start..end (0-based, end "
    "excluded, counted in the text as UTF-8 decodes it, a byte-order mark left out); 'lines' and "
    "'paragraphs' give where each line and paragraph after the first starts; 'headline' and "
    "'furniture' the paragraphs (1-based) that are not counted as the notes' paragraphs (¶). "
    "Whoever holds the full text can check that it is the one cited: its SHA-256 is 'sha256'."
)

_WORD = re.compile(r"[^\W_]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# A blank line and the whitespace after it: a paragraph break in every kind of text (see
# evidence.quotes.NormalText.paragraph).
_BLANK_LINE = re.compile(r"(?:\r\n|\r|\n)[ \t]*(?:\r\n|\r|\n)\s*")


def excerpts_name(file: str) -> str:
    """The file name, in facts/sources/, of the excerpts of the source text `file`."""
    return f"{file}{SUFFIX}"


# --- Making the excerpts (the desk, with the full text) ----------------------------------------


def excerpt_ranges(text: NormalText, spans: Iterable[Span]) -> list[Span]:
    """The character ranges of `text.original` that carry `spans` (normalised runs) with
    their context, merged where they overlap, touch or stand apart by no word: what two runs
    of one passage are printed over (evidence.quotes.passage) is then always carried."""
    original = text.original
    starts = LineIndex(original).starts
    cuts: list[Span] = []
    for start, end in spans:
        if start >= end:
            continue
        low, high = text.offsets[start], text.offsets[end - 1] + 1
        cuts.append((_widen_left(original, starts, low), _widen_right(original, starts, high)))
    merged: list[Span] = []
    for low, high in sorted(cuts):
        if merged and not _WORD.search(original, merged[-1][1], max(low, merged[-1][1])):
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _widen_left(original: str, starts: Sequence[int], low: int) -> int:
    """Where the context before `low` starts: up to CONTEXT characters back, not before its
    line, from a space (a whole word) when there is one."""
    floor = starts[_line_of(starts, low)]
    start = max(low - CONTEXT, floor)
    if start == floor:
        return start
    for at in range(start, low):
        if original[at].isspace():
            return at
    return start


def _widen_right(original: str, starts: Sequence[int], high: int) -> int:
    """Where the context after `high` ends: up to CONTEXT characters on, its line's break
    included when it reaches it, to a space (a whole word) when there is one."""
    line = _line_of(starts, max(high - 1, 0))
    ceiling = starts[line + 1] if line + 1 < len(starts) else len(original)
    end = min(high + CONTEXT, ceiling)
    if end == ceiling:
        return end
    for at in range(end - 1, high - 1, -1):
        if original[at].isspace():
            return at + 1
    return end


def _line_of(starts: Sequence[int], index: int) -> int:
    """The 0-based line of character `index`."""
    low, high = 0, len(starts)
    while high - low > 1:
        middle = (low + high) // 2
        if starts[middle] <= index:
            low = middle
        else:
            high = middle
    return low


def make_excerpts(source: Source, text: NormalText, content: bytes, spans: Iterable[Span]) -> bytes:
    """The excerpts file of `source`, whose full text is `text` (read from `content`), for the
    normalised runs `spans` the check stood on (evidence.proofs.Proofs.spans)."""
    original = text.original
    ranges = excerpt_ranges(text, spans)
    head = {
        "format": FORMAT,
        "about": ABOUT,
        "source": source.id,
        "file": source.file,
        "sha256": hashlib.sha256(content).hexdigest(),
        "bytes": len(content),
        "characters": len(original),
    }
    lines = [
        f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},"
        for key, value in head.items()
    ]
    lines.append(f'  "lines": {json.dumps(LineIndex(original).starts[1:])},')
    lines.append(f'  "paragraphs": {json.dumps(list(text.paragraph_starts))},')
    lines.append(f'  "headline": {text.headline},')
    lines.append(f'  "furniture": {json.dumps(sorted(text.furniture))},')
    lines.append('  "excerpts": [')
    for number, (start, end) in enumerate(ranges, 1):
        item = {"start": start, "end": end, "text": original[start:end]}
        comma = "," if number < len(ranges) else ""
        lines.append(f"    {json.dumps(item, ensure_ascii=False)}{comma}")
    lines.append("  ]")
    return ("{\n" + "\n".join(lines) + "\n}\n").encode("utf-8")


# --- Reading them back (`briefing verify`, with the excerpts only) -----------------------------


class ExcerptsError(ValueError):
    """An excerpts file that cannot stand for its source: malformed, of another source, or
    with excerpts that do not sit where it says (a forgery, or damage)."""


class _Excerpt(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    start: int = Field(ge=0)
    end: int = Field(ge=1)
    text: str = Field(min_length=1)


class Excerpts(BaseModel):
    """An excerpts file as read (see the module's docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    format: str
    about: str = Field(default="", max_length=2000)
    source: str = Field(max_length=200)
    file: str = Field(max_length=255)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0, le=MAX_FILE_BYTES)
    characters: int = Field(ge=0, le=MAX_FILE_BYTES)
    lines: list[int]
    paragraphs: list[int]
    headline: int = Field(default=0, ge=0)
    furniture: list[int] = Field(default_factory=list)
    excerpts: list[_Excerpt]

    @property
    def carried(self) -> int:
        """How many characters of the full text the excerpts carry."""
        return sum(len(item.text) for item in self.excerpts)


@dataclass(frozen=True, eq=False)
class PartialText(NormalText):
    """A source text of which only the excerpts are known (see the module's docstring): a
    NormalText to every reader of texts, whose paragraphs are those the excerpts file records."""

    excerpts: Excerpts
    known: tuple[Span, ...]  # the character ranges of `original` the excerpts carry

    @cached_property
    def _breaks(self) -> list[int]:
        return list(self.excerpts.paragraphs)

    def carries(self, spans: Iterable[Span]) -> bool:
        """Whether every normalised run of `spans` stands inside one excerpt."""
        for start, end in spans:
            if start >= end:
                continue
            low, high = self.offsets[start], self.offsets[end - 1] + 1
            # The excerpts are in order and apart: only the last one starting at or before
            # `low` can hold the run.
            at = bisect.bisect_right(self.known, (low, len(self.original) + 1)) - 1
            if at < 0 or high > self.known[at][1]:
                return False
        return True


def read_excerpts(content: bytes, source: Source) -> PartialText:
    """The text the excerpts file `content` gives of `source`; ExcerptsError when it is not
    one, is another source's, or does not hold together."""
    try:
        excerpts = Excerpts.model_validate(json.loads(content.decode("utf-8")))
    except UnicodeDecodeError:
        raise ExcerptsError("it is not UTF-8 text") from None
    except (ValueError, RecursionError) as exc:
        reason = str(exc).splitlines()[0] if isinstance(exc, json.JSONDecodeError) else ""
        if isinstance(exc, ValidationError):
            first = exc.errors()[0]
            place = ".".join(str(part) for part in first["loc"])
            reason = f"{place}: {first['msg']}"
        raise ExcerptsError(f"it is not an excerpts file ({reason[:160]})") from None
    if excerpts.format == FORMAT_1 and (
        "headline" in excerpts.model_fields_set or excerpts.furniture
    ):
        raise ExcerptsError(f"its format, {FORMAT_1!r}, records no headline or furniture")
    if excerpts.format not in (FORMAT, FORMAT_1):
        raise ExcerptsError(f"its format is {excerpts.format[:40]!r}, not {FORMAT!r}")
    if excerpts.source != source.id or excerpts.file != source.file:
        raise ExcerptsError(
            f"it gives the excerpts of source {excerpts.source[:80]!r} "
            f"({excerpts.file[:80]}), not of this one"
        )
    if excerpts.bytes < excerpts.characters:
        raise ExcerptsError("it says the text has more characters than bytes")
    size = excerpts.characters
    _increasing(excerpts.lines, 1, size, "lines")
    _increasing(excerpts.paragraphs, 1, size - 1, "paragraphs")
    count = len(excerpts.paragraphs) + 1
    _increasing(excerpts.furniture, 1, count, "furniture", "paragraphs of the text")
    if excerpts.headline > count or excerpts.headline in excerpts.furniture:
        raise ExcerptsError(f"its headline, paragraph {excerpts.headline}, is not one of its own")
    known: list[Span] = []
    for number, item in enumerate(excerpts.excerpts, 1):
        if item.end > size or item.start >= item.end:
            raise ExcerptsError(
                f"excerpt {number} runs from {item.start} to {item.end}, outside the text's "
                f"{size} characters"
            )
        if len(item.text) != item.end - item.start:
            raise ExcerptsError(
                f"excerpt {number} holds {len(item.text)} characters where its offsets "
                f"{item.start}..{item.end} say {item.end - item.start}"
            )
        if known and item.start <= known[-1][1]:
            raise ExcerptsError(f"excerpt {number} is not after the one before it")
        _laid_out(number, item, excerpts)
        known.append((item.start, item.end))
    chars = [UNKNOWN] * size
    for start in excerpts.lines:
        chars[start - 1] = "\n"  # where a line ends, whatever its break is
    for item in excerpts.excerpts:
        chars[item.start : item.end] = item.text
    normal = normalise("".join(chars))
    return PartialText(
        normal.text,
        normal.offsets,
        normal.original,
        excerpts,
        tuple(known),
        headline=excerpts.headline,
        furniture=frozenset(excerpts.furniture),
    )


def _increasing(
    values: list[int], low: int, high: int, what: str, of: str = "offsets in the text"
) -> None:
    previous = low - 1
    for value in values:
        if not previous < value <= high:
            raise ExcerptsError(f"its {what} are not {of}, in order")
        previous = value


def _laid_out(number: int, item: _Excerpt, excerpts: Excerpts) -> None:
    """ExcerptsError unless the excerpt's own line and paragraph breaks are where the file
    says the text has them: an excerpt moved from its place (its offsets shifted) is caught
    wherever it holds a break."""
    text, start, end = item.text, item.start, item.end
    # A break at the excerpt's very end may go on past it (\r of \r\n): not judged.
    found = {start + m.end() for m in _LINE_BREAK.finditer(text) if m.end() < len(text)}
    recorded = set(_within(excerpts.lines, start, end))
    if found != recorded:
        raise ExcerptsError(
            f"excerpt {number} ({start}..{end}) does not break its lines where the text "
            "does: its offsets were moved, or its text changed"
        )
    paragraphs = set(_within(excerpts.paragraphs, start, end))
    for p in paragraphs:
        before = text[: p - start]
        gap = before[len(before.rstrip()) :]
        if text[p - start].isspace() or not _LINE_BREAK.search(gap):
            raise ExcerptsError(
                f"excerpt {number} ({start}..{end}) has no paragraph break where the text "
                "has one: its offsets were moved, or its text changed"
            )
    for m in _BLANK_LINE.finditer(text):
        if m.end() < len(text) and text[: m.start()].strip() and start + m.end() not in paragraphs:
            raise ExcerptsError(
                f"excerpt {number} ({start}..{end}) breaks a paragraph where the text does "
                "not: its offsets were moved, or its text changed"
            )


def _within(offsets: list[int], start: int, end: int) -> list[int]:
    """The offsets (in order) strictly between `start` and `end`: found by bisection, so that
    a file of many excerpts and lines is checked in n log n."""
    return offsets[bisect.bisect_right(offsets, start) : bisect.bisect_left(offsets, end)]
