"""Proofs: where each cited quote stands in its source, found once by the check, and the one
rule that makes the passages a brief or a book prints out of overlapping cuts of a source.

The check finds every quote; what it found travels with the checked fact base as `Proofs`,
which the notes, the appendix of sources, the data export, coverage and `verify` read instead
of looking for the quote again. A proof depends only on a quote's words and its source, so a
citation is looked up by those: two citations of the same words share one proof.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from briefing.evidence.quotes import Match, NormalText, Place, Span, find, passage
from briefing.factbase.model import Citation

Key = tuple[str, str]


def key(citation: Citation) -> Key:
    """How a citation's proof is looked up: its source id and its quote as written."""
    return citation.source, citation.quote


@dataclass(frozen=True)
class Proof:
    """One quote found in its source: the runs of normalised source text it stands on (one,
    or a quote in parts' parts), where it starts (line, column, and paragraph as
    NormalText.paragraph numbers them, furniture and headline included: a note prints the
    place NormalText.place gives), and its words as a note prints them when no other cut
    merges in."""

    source: str
    spans: tuple[Span, ...]
    line: int
    col: int
    paragraph: int
    passage: str

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


def proof(source: str, match: Match, text: NormalText) -> Proof:
    """The proof a match makes."""
    return Proof(
        source, match.spans, match.line, match.col, text.paragraph(match.start), match.passage
    )


class Proofs:
    """Every quote the check found, by `key`, with the normalised source texts it read.

    A Proofs made with `find_missing` finds a quote the first time it is asked for, in the
    texts it holds: for callers that have the texts but no check's result (a fragment rendered
    on its own, a test). The check's never does: what it did not find is not proved."""

    def __init__(
        self, texts: Mapping[str, NormalText] | None = None, *, find_missing: bool = False
    ) -> None:
        self.texts: Mapping[str, NormalText] = texts if texts is not None else {}
        self.find_missing = find_missing
        self._proofs: dict[Key, Proof | None] = {}
        # Where words the desk's prose sets in quotation marks stand, by source (the first
        # place in each cited source that has them): no note prints them, but the check finds
        # them again, so a source that travels as excerpts must carry them too.
        self.words: dict[str, set[Span]] = {}

    def record(self, source: str, quote: str, match: Match, text: NormalText) -> None:
        """Keep what the check found for `quote` in `source`."""
        if self._proofs.get((source, quote)) is None:
            self._proofs[(source, quote)] = proof(source, match, text)

    def record_words(self, source: str, span: Span) -> None:
        """Keep where the check found words the prose quotes from `source`."""
        self.words.setdefault(source, set()).add(span)

    def spans(self, source: str) -> list[Span]:
        """Every run of `source`'s normalised text the check stood on, in order: each found
        quote's (or part's), and each place of words the prose quotes."""
        runs = {span for found in self if found.source == source for span in found.spans}
        return sorted(runs | self.words.get(source, set()))

    def recorded(self) -> list[tuple[Key, Proof]]:
        """Every proof kept so far, by its key (what one file's check hands on)."""
        return [(wanted, found) for wanted, found in self._proofs.items() if found is not None]

    def recorded_words(self) -> list[tuple[str, Span]]:
        """Every place of quoted words kept so far (what one file's check hands on)."""
        return [(source, span) for source, spans in self.words.items() for span in sorted(spans)]

    def extend(
        self, recorded: Iterable[tuple[Key, Proof]], words: Iterable[tuple[str, Span]] = ()
    ) -> None:
        """Keep proofs and places of quoted words another check found (see `recorded`), as
        `record` and `record_words` keep one."""
        for wanted, found in recorded:
            if self._proofs.get(wanted) is None:
                self._proofs[wanted] = found
        for source, span in words:
            self.record_words(source, span)

    def of(self, citation: Citation) -> Proof | None:
        """The proof of a citation; None when its quote was not found or its text not read."""
        wanted = key(citation)
        if wanted not in self._proofs and self.find_missing:
            text = self.texts.get(citation.source)
            match = find(citation.quote, text) if text is not None else None
            self._proofs[wanted] = proof(citation.source, match, text) if match and text else None
        return self._proofs.get(wanted)

    def __iter__(self) -> Iterator[Proof]:
        return (found for found in self._proofs.values() if found is not None)


# --- The rule: cuts of a source in one paragraph are one passage ------------------------------


def union(spans: Iterable[Span]) -> list[Span]:
    """Spans merged where they share characters, in order: sorted once and swept, so that
    thousands of overlapping cuts cost no more than sorting them."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def overlap(spans: Sequence[Span], others: Sequence[Span]) -> bool:
    """Whether any run in `spans` shares characters with any run in `others`."""
    return any(a < d and c < b for a, b in spans for c, d in others)


def groups(cuts: Sequence[Sequence[Span]]) -> list[list[int]]:
    """The cuts of one source (each its runs) that make one passage, as lists of indexes into
    `cuts`, in order of where each passage starts: cuts are one passage when a run of one
    shares characters with a run of another, directly or through other cuts."""
    runs = sorted((start, end, index) for index, cut in enumerate(cuts) for start, end in cut)
    parent = list(range(len(cuts)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    reach, last = -1, -1
    for start, end, index in runs:
        if last >= 0 and start < reach:
            parent[root(index)] = root(last)
        if end > reach or last < 0:
            reach, last = max(reach, end), index
    found: dict[int, list[int]] = {}
    for index in range(len(cuts)):
        found.setdefault(root(index), []).append(index)
    return sorted(found.values(), key=lambda members: min(cuts[i][0][0] for i in members))


def paragraphs(text: NormalText, spans: Sequence[Span]) -> Span:
    """The paragraphs runs of `text` stand in, as [first, last + 1) (NormalText.paragraph)."""
    return text.paragraph(spans[0][0]), text.paragraph(max(spans[-1][1] - 1, spans[-1][0])) + 1


def one_passage(text: NormalText, spans: Sequence[Span], others: Sequence[Span]) -> bool:
    """Whether two cuts of `text` are one passage: they share a paragraph (cuts that share
    characters always do). A reader finds a paragraph's passages once, under one ¶."""
    (a, b), (c, d) = paragraphs(text, spans), paragraphs(text, others)
    return a < d and c < b


def passages(text: NormalText, cuts: Sequence[Sequence[Span]]) -> list[list[int]]:
    """The cuts of `text` that make one passage (see one_passage), directly or through other
    cuts, as lists of indexes into `cuts`, in order of where each passage starts."""
    return groups([[paragraphs(text, cut)] for cut in cuts])


@dataclass(frozen=True)
class Passage:
    """What is printed for one or more cuts of a source that are one passage: the runs of its
    text they cover between them, cut from the source (never one cut's words standing for
    all), and where they stand as a reader counts paragraphs."""

    runs: tuple[Span, ...]
    text: str
    place: Place

    @property
    def span(self) -> Span:
        return self.runs[0][0], self.runs[-1][1]


def printed(text: NormalText, spans: Iterable[Span]) -> Passage:
    """The passage that cuts over `spans` of `text` print: their union's words, an ellipsis
    where words between runs are left out."""
    runs = tuple(union(spans))
    return Passage(runs, passage(text, runs), text.place(runs))
