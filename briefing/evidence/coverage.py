"""Coverage: which sentences of each source the fact base cites, and which it leaves uncited.

A curator's completeness check: every sentence that bears on the briefs' subject should be
cited by some fact. Page furniture a source marks in facts/sources.yaml is listed apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sentencex

from briefing.evidence.citations import citations_in
from briefing.evidence.proofs import Proofs
from briefing.evidence.quotes import NormalText, normalise
from briefing.factbase.languages import DEFAULT_LANGUAGE, shipped, source_table
from briefing.factbase.model import Citation, FactBase, LanguageTable, Source

# A sentence counts as cited when citations cover half of it, or this many characters of it:
# a quote of the key clause of a long sentence cites it, a word spilling over does not.
MIN_OVERLAP = 40

# The sentence boundaries come from sentencex (Wikimedia's segmenter: rules for some 300
# languages, in Rust, linear in the text), with its English rules whatever the source's
# language: they split Cyrillic, Polish and French text as well, where some languages' own
# rules split after initials ('M. Macron'). A boundary it finds is dropped when the text goes on
# in lower case (a sentence does not start so) or when the word before it is one of the
# abbreviations of the source's language table (briefing/languages/, and the vocabulary's).
SEGMENTER_LANGUAGE = "en"
# Initials and dotted abbreviations: 'U.S', 'E.U', 'В', 'p.m' (the final stop left out).
_INITIALS = re.compile(r"^(?:[^\W\d_]\.)*[^\W\d_]$")
# The word before a boundary, with any closing quotes or brackets.
_LAST_WORD = re.compile(r"(?:^|[\s(\[\"'])([^\s(\[\"']+?)\.['\")\]]*$")


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


def abbreviations(language: LanguageTable | None) -> frozenset[str]:
    """A table's abbreviations as compared: lower case (English's when no table is given)."""
    table = shipped(DEFAULT_LANGUAGE) if language is None else language
    return frozenset(word.lower() for word in table.abbreviations)


def _abbreviation(before: str, known: frozenset[str]) -> bool:
    """Whether the text before a boundary ends with an abbreviation and its full stop."""
    found = _LAST_WORD.search(before)
    if found is None:
        return False
    word = found.group(1)
    if word.lower() in known:
        return True
    # An initial or a dotted abbreviation: one letter, or letters each with a stop ('U.S.');
    # a single lower-case letter ends a sentence as often as not ('Plan b.'), unless listed.
    return _INITIALS.match(word) is not None and (len(word) > 1 or word.isupper())


def _punctuation_breaks(text: str, start: int, end: int, known: frozenset[str]) -> list[int]:
    """Offsets of spaces in text[start:end] that end a sentence: sentencex's boundaries, less
    those before lower case or after an abbreviation. Each test looks at a few characters
    around the boundary, so the whole takes time linear in the text."""
    breaks: list[int] = []
    block = text[start:end]
    boundaries = sentencex.get_sentence_boundaries(SEGMENTER_LANGUAGE, block)
    for boundary in boundaries[:-1]:
        cut = start + int(boundary["end_index"]) - 1
        # A boundary is kept only at a space (the normalised text has one between words).
        if cut <= start or cut + 1 >= end or text[cut] != " ":
            continue
        if text[cut + 1].islower() or _abbreviation(text[max(start, cut - 24) : cut], known):
            continue
        breaks.append(cut)
    return breaks


def split_sentences(text: NormalText, language: LanguageTable | None = None) -> list[Sentence]:
    """The sentences of a normalised source text, in order, with their first line; its
    language's table (English's by default) says which full stops end abbreviations."""
    known = abbreviations(language)
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*_line_breaks(text), len(text.text)]:
        block_start = start
        for inner in _punctuation_breaks(text.text, block_start, cut, known):
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
    source: Source,
    text: NormalText,
    citations: Iterable[Citation],
    language: LanguageTable | None = None,
    proofs: Proofs | None = None,
) -> SourceCoverage:
    """Which sentences of one source the given citations cover, where the check's `proofs`
    place them (found here without them)."""
    citations = list(citations)
    if proofs is None:
        proofs = Proofs({source.id: text}, find_missing=True)
    spans: list[tuple[int, int]] = []
    for citation in citations:
        if citation.source != source.id:
            continue
        found = proofs.of(citation)
        if found is not None:
            # A quote in parts covers its parts, not the words its ellipses leave out.
            spans.extend(found.spans)
    furniture = _furniture_lines(source, text)
    return SourceCoverage(
        source,
        tuple(
            SentenceCoverage(s, _covered(s, spans), s.line in furniture)
            for s in split_sentences(text, language)
        ),
    )


def coverage(
    facts: FactBase, texts: dict[str, NormalText], proofs: Proofs | None = None
) -> list[SourceCoverage]:
    """Coverage of every source whose text is at hand, in the order of facts/sources.yaml;
    quotes placed by the check's `proofs` (found here without them)."""
    citations = list(citations_in(facts))
    proofs = proofs if proofs is not None else Proofs(texts, find_missing=True)
    return [
        source_coverage(source, texts[source.id], citations, source_table(facts, source), proofs)
        for source in facts.sources
        if source.id in texts
    ]


def total_percent(report: list[SourceCoverage]) -> float:
    """Share of all sentences to cite, across sources, that are cited."""
    counted = sum(len(s.counted) for s in report)
    cited = sum(len(s.cited) for s in report)
    return 100.0 if counted == 0 else 100.0 * cited / counted
