"""Coverage: which sentences of each source the fact base cites, and which it leaves uncited.

A curator's completeness check: every sentence that bears on the briefs' subject should be
cited by some fact. Page furniture a source marks in facts/sources.yaml is listed apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from briefing.model import Citation, FactBase, Source
from briefing.quotes import NormalText, find, normalise

# A sentence counts as cited when citations cover half of it, or this many characters of it:
# a quote of the key clause of a long sentence cites it, a word spilling over does not.
MIN_OVERLAP = 40

_BOUNDARY = re.compile(r"""([.?!]['")\]]*) (?=['"(\[]?[A-Z0-9])""")
# Tokens that end in a full stop without ending a sentence: initials (U.S., E.U.), titles.
_ABBREVIATION = re.compile(
    r"(?:^|[\s(])(?:(?:[A-Za-z]\.)+[A-Za-z]?|[A-Z]|Mr|Mrs|Ms|Dr|Prof|Gen|Col|Lt|Sen|Rep|St|"
    r"No|vs|etc|approx|i\.e|e\.g|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.$"
)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a source: where it is (1-based line, normalised offsets) and its words."""

    line: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class SentenceCoverage:
    """One sentence and how much of it the citations cover."""

    sentence: Sentence
    covered: int
    furniture: bool

    @property
    def cited(self) -> bool:
        length = self.sentence.end - self.sentence.start
        return self.covered * 2 >= length or self.covered >= MIN_OVERLAP


@dataclass(frozen=True)
class SourceCoverage:
    """Coverage of one source: every sentence, cited or not."""

    source: Source
    sentences: tuple[SentenceCoverage, ...]

    @property
    def counted(self) -> list[SentenceCoverage]:
        """The sentences that should be cited: everything but marked furniture."""
        return [s for s in self.sentences if not s.furniture]

    @property
    def cited(self) -> list[SentenceCoverage]:
        return [s for s in self.counted if s.cited]

    @property
    def uncited(self) -> list[SentenceCoverage]:
        return [s for s in self.counted if not s.cited]

    @property
    def furniture(self) -> list[SentenceCoverage]:
        return [s for s in self.sentences if s.furniture]

    @property
    def percent(self) -> float:
        """Share of the sentences to cite that are cited, 0 to 100 (100 if there are none)."""
        counted = len(self.counted)
        return 100.0 if counted == 0 else 100.0 * len(self.cited) / counted


def _gap_newlines(text: NormalText, space: int) -> int:
    """How many line breaks the original text has where the normalised text has a space."""
    before = text.offsets[space - 1]
    after = text.offsets[space + 1] if space + 1 < len(text.offsets) else len(text.original)
    return text.original.count("\n", before + 1, after)


def _line_breaks(text: NormalText) -> list[int]:
    """Normalised offsets of spaces that end a sentence because of the line layout.

    A blank line always ends one; a single line break does too, unless the next line starts
    in lower case (a hard-wrapped sentence going on).
    """
    breaks: list[int] = []
    for index, char in enumerate(text.text):
        if char != " " or index == 0 or index + 1 >= len(text.text):
            continue
        newlines = _gap_newlines(text, index)
        if newlines >= 2 or (newlines == 1 and not text.text[index + 1].islower()):
            breaks.append(index)
    return breaks


def _punctuation_breaks(text: str, start: int, end: int) -> list[int]:
    """Offsets of spaces after a full stop, question or exclamation mark that ends a sentence."""
    breaks: list[int] = []
    for match in _BOUNDARY.finditer(text, start, end):
        before = text[start : match.start(1) + 1]
        if match.group(1).startswith(".") and _ABBREVIATION.search(before):
            continue
        breaks.append(match.end(1))
    return breaks


def split_sentences(text: NormalText) -> list[Sentence]:
    """The sentences of a normalised source text, in order, with their first line."""
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*_line_breaks(text), len(text.text)]:
        block_start = start
        for inner in _punctuation_breaks(text.text, block_start, cut):
            spans.append((start, inner))
            start = inner + 1
        spans.append((start, cut))
        start = cut + 1
    sentences: list[Sentence] = []
    for first, last in spans:
        words = text.text[first:last].strip()
        if not words:
            continue
        first += len(text.text[first:last]) - len(text.text[first:last].lstrip())
        line, _ = text.line_col(first)
        sentences.append(Sentence(line, first, first + len(words), words))
    return sentences


def _covered(sentence: Sentence, spans: list[tuple[int, int]]) -> int:
    """Characters of a sentence that lie inside at least one span (spans may overlap)."""
    covered = 0
    cursor = sentence.start
    for start, end in sorted(spans):
        start, end = max(start, cursor), min(end, sentence.end)
        if end > start:
            covered += end - start
            cursor = end
    return covered


def _furniture_lines(source: Source, text: NormalText) -> set[int]:
    """1-based numbers of the lines of a source that are marked as page furniture."""
    marked = {normalise(line).text for line in source.furniture}
    return {
        number
        for number, line in enumerate(text.original.splitlines(), start=1)
        if line.strip() and normalise(line).text in marked
    }


def source_coverage(
    source: Source, text: NormalText, citations: Iterable[Citation]
) -> SourceCoverage:
    """Which sentences of one source the given citations cover."""
    spans: list[tuple[int, int]] = []
    for citation in citations:
        if citation.source != source.id:
            continue
        match = find(citation.quote, text)
        if match is not None:
            spans.append((match.start, match.end))
    furniture = _furniture_lines(source, text)
    return SourceCoverage(
        source,
        tuple(
            SentenceCoverage(s, _covered(s, spans), s.line in furniture)
            for s in split_sentences(text)
        ),
    )


def citations_in(value: object) -> Iterator[Citation]:
    """Every citation anywhere inside a model, found by walking its fields."""
    if isinstance(value, Citation):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from citations_in(getattr(value, name))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from citations_in(item)


def coverage(facts: FactBase, texts: dict[str, NormalText]) -> list[SourceCoverage]:
    """Coverage of every source whose text is at hand, in the order of facts/sources.yaml."""
    citations = list(citations_in(facts))
    return [
        source_coverage(source, texts[source.id], citations)
        for source in facts.sources
        if source.id in texts
    ]


def total_percent(report: list[SourceCoverage]) -> float:
    """Share of all sentences to cite, across sources, that are cited."""
    counted = sum(len(s.counted) for s in report)
    cited = sum(len(s.cited) for s in report)
    return 100.0 if counted == 0 else 100.0 * cited / counted
