"""Claims: what the desk's own prose says, held to its sources.

Two rules a reader relies on without being able to check them at a glance:
- words set in quotation marks in a summary or a judgment are the source's words, verbatim;
- a key judgment claims no more confidence than the sources it cites allow, by the desk's
  written rule (the `needs` of each level of the 'confidence' list in facts/vocabulary.yaml).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from briefing.core.diagnostics import Diagnostic
from briefing.evidence.citations import Cited, all_citations
from briefing.evidence.proofs import Proofs
from briefing.evidence.quotes import NormalText, normalise
from briefing.factbase.load import LoadedFile, Path_
from briefing.factbase.model import (
    ACTOR_GROUPS,
    OVERVIEW_GROUPS,
    Actor,
    Citation,
    FactBase,
    Judgment,
    Overview,
    SourcesNeeded,
)
from briefing.factbase.validate import LoadedFactBase

# Text in double quotation marks, straight or curly (“ ”, „ “, « »), set as prose sets them:
# opening after a space or bracket, closing before one or before punctuation (so that markup
# such as x="1" is not read as a quotation). Single quotes are left alone: they are
# apostrophes as often as quotation marks.
_QUOTED = re.compile(
    r"(?:^|(?<=[\s(\[—–-]))[\"“„«]([^\"“”„«»\n]{2,}?)[\"”“»](?=[\s.,;:!?)\]—–-]|$)"
)
# Prose fields that hold the desk's own words, on every kind of entry.
_PROSE = ("text", "summary", "no_position", "no_judgment")


@dataclass(frozen=True)
class Prose:
    """One piece of the desk's prose, the citations it stands on, and where it is written."""

    text: str
    citations: tuple[Citation, ...]
    file: LoadedFile
    path: Path_
    speaker: str | None = None  # a statement's or position's: quoted words are theirs


def _walk(item: Any, file: LoadedFile, path: Path_) -> Iterator[Prose]:
    citations = tuple(getattr(item, "citations", ()) or ())
    speaker = getattr(item, "speaker", None)
    for field in _PROSE:
        value = getattr(item, field, None)
        if isinstance(value, str):
            yield Prose(value, citations, file, (*path, field), speaker)


def file_prose(entry: Overview | Actor, file: LoadedFile) -> Iterator[Prose]:
    """Every judgment, summary and open question of one validated facts file (the overview,
    or an actor's), in file order."""
    if isinstance(entry, Actor):
        yield from _walk(entry, file, ())
        for group in ACTOR_GROUPS:
            for i, item in enumerate(getattr(entry, group)):
                yield from _walk(item, file, (group, i))
    else:
        for group in OVERVIEW_GROUPS:
            for i, item in enumerate(getattr(entry, group)):
                yield from _walk(item, file, (group, i))


def prose(base: LoadedFactBase) -> Iterator[Prose]:
    """Every judgment, summary and open question in the fact base, in file order."""
    yield from file_prose(base.facts.overview, base.overview_file)
    for actor, file in zip(base.facts.actors, base.actor_files, strict=True):
        yield from file_prose(actor, file)


def _occurrences(words: str, text: NormalText) -> list[tuple[int, int]]:
    """Where quoted words stand in a source (normalised spans), as whole words; case is
    forgiven, since a quotation takes the capitals of the sentence it is set in."""
    return list(_places(words, text.text))


# The live preview checks every quotation again after each edit; most stand where they stood.
@functools.lru_cache(maxsize=8192)
def _places(words: str, text: str) -> tuple[tuple[int, int], ...]:
    needle = normalise(words).text
    if not needle:
        return ()
    pattern = re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)", re.IGNORECASE)
    return tuple(m.span() for m in pattern.finditer(text))


def _inside_quotation(text: NormalText, start: int) -> bool:
    """Whether a position of a source stands inside quotation marks within its paragraph:
    the source gives those words as someone's, not as its own."""
    paragraph = text.text.rfind("\n", 0, start) + 1
    return text.text.count('"', paragraph, start) % 2 == 1


def _attributed_to_source(text: str, start: int) -> bool:
    """Whether the sentence before a quotation says the words are the source's own
    ('the source calls it "…"'), so they are not put in the speaker's mouth."""
    sentence = max(text.rfind(". ", 0, start), text.rfind("; ", 0, start)) + 1
    return re.search(r"\bsources?\b", text[sentence:start], re.IGNORECASE) is not None


def check_quoted_words(
    base: LoadedFactBase,
    texts: dict[str, NormalText],
    items: Iterable[Prose] | None = None,
    proofs: Proofs | None = None,
) -> list[Diagnostic]:
    """Errors for words in quotation marks that the cited sources do not contain verbatim;
    warnings where a statement or position quotes its speaker with words that the source
    writes as its own (a paraphrase printed as a quotation). Of `items` (one file's prose),
    else of all the prose; `base` gives the people and the registered sources. Where the
    words were found is kept in `proofs` (a source that travels as excerpts carries them)."""
    people = {p.id: p.name for p in base.facts.people}
    problems: list[Diagnostic] = []
    registered = {s.id for s in base.facts.sources}
    for item in prose(base) if items is None else items:
        cited = {c.source for c in item.citations} or registered
        if not cited or any(s not in texts for s in cited):
            # An unknown or unreadable source is reported elsewhere; one a brief's PDF does
            # not carry (briefing verify) may hold the words: either way, nothing to judge.
            continue
        sources = [texts[s] for s in sorted(cited)]
        for match in _QUOTED.finditer(item.text):
            words = match.group(1).strip(" ,.;:")
            if not words.split():
                continue
            found = [(t, start) for t in sources for start, _ in _occurrences(words, t)]
            if proofs is not None:
                for source in sorted(cited):
                    places = _occurrences(words, texts[source])
                    if places:
                        proofs.record_words(source, places[0])
            if not found:
                where = "the sources it cites" if item.citations else "any source"
                problems.append(
                    Diagnostic(
                        item.file.locate(item.path),
                        f'"{words}" is in quotation marks but not in {where}',
                        "quote the source's exact words, or drop the quotation marks from a "
                        "paraphrase",
                        code="Q401",
                    )
                )
            elif (
                item.speaker
                and not _attributed_to_source(item.text, match.start())
                and not any(_inside_quotation(t, start) for t, start in found)
            ):
                name = people.get(item.speaker, item.speaker)
                problems.append(
                    Diagnostic(
                        item.file.locate(item.path),
                        f'"{words}" reads as the words of {name}, but the source writes them '
                        "as its own",
                        "drop the quotation marks, or say that the words are the source's",
                        severity="warning",
                        code="Q402",
                    )
                )
    return problems


def _grade_rank(facts: FactBase) -> dict[str, int]:
    """Grades by rank, best first: the order of the desk's 'reliability' list."""
    return {t.id: i for i, t in enumerate(facts.vocabulary.lists["reliability"].terms)}


def meets(need: SourcesNeeded, grades: Sequence[str], rank: dict[str, int]) -> bool:
    """Whether distinct sources with these grades satisfy one alternative of a rule."""
    limit = rank.get(need.grade, len(rank))
    return sum(1 for g in grades if rank.get(g, len(rank)) <= limit) >= need.sources


def _describe(needs: Sequence[SourcesNeeded]) -> str:
    options = [
        f"{n.sources} source{'s' if n.sources > 1 else ''} graded {n.grade} or better"
        for n in needs
    ]
    return " or ".join(options)


def check_confidence(base: LoadedFactBase) -> list[Diagnostic]:
    """Warnings for key judgments whose confidence asks more than their citations give."""
    facts = base.facts
    levels = facts.vocabulary.lists["confidence"]
    rank = _grade_rank(facts)
    grade_of = {s.id: s.reliability for s in facts.sources}
    judgments: list[tuple[Judgment, LoadedFile, Path_]] = [
        (j, base.overview_file, ("bluf", i)) for i, j in enumerate(facts.overview.bluf)
    ]
    for actor, file in zip(facts.actors, base.actor_files, strict=True):
        judgments += [(j, file, ("bluf", i)) for i, j in enumerate(actor.bluf)]
    problems: list[Diagnostic] = []
    for judgment, file, path in judgments:
        level = levels.get(judgment.confidence)
        if level is None or not level.needs:
            continue
        cited = sorted({c.source for c in judgment.citations if c.source in grade_of})
        grades = [grade_of[s] for s in cited]
        if any(meets(need, grades, rank) for need in level.needs):
            continue
        allowed = [
            t.id
            for t in levels.terms
            if not t.needs or any(meets(n, grades, rank) for n in t.needs)
        ]
        rests = ", ".join(f"{s} ({grade_of[s]})" for s in cited) or "no registered source"
        problems.append(
            Diagnostic(
                file.locate((*path, "confidence")),
                f"'{judgment.confidence}' confidence needs {_describe(level.needs)}; this "
                f"judgment cites {rests}",
                f"lower it to {' or '.join(repr(a) for a in allowed)}, or cite more or better "
                "sources"
                if allowed
                else "cite more or better sources",
                severity="warning",
                code="Q403",
            )
        )
    return problems


# What a judgment about the future says: it forecasts, so a reader needs to know how likely.
_FORECAST = re.compile(
    r"\b(?:will|won't|shall|is (?:un)?likely|are (?:un)?likely|is expected|are expected|"
    r"is set to|are set to|is due|are due|going to)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
# A judgment whose every sentence speaks of the record itself, not of the world: a confidence
# label on "France's position is not recorded" grades nothing. English, like _FORECAST: a desk
# writing its judgments in another language gets neither warning.
_ABOUT_THE_RECORD = re.compile(
    r"\b(?:(?:is|are|was|were) not (?:recorded|stated|reported|given|known|on record)|"
    r"no (?:source|text|report)s? (?:gives?|says?|states?|reports?|records?|mentions?|names?)|"
    r"(?:the|no|none of the) sources? (?:says?|reports?|records?|(?:is|are) silent|"
    r"(?:do|does) not (?:say|give|state|report|mention))|not on (?:the )?record)\b",
    re.IGNORECASE,
)


Judged = tuple[Judgment, LoadedFile, Path_]


def file_judgments(entry: Overview | Actor, file: LoadedFile) -> Iterator[Judged]:
    """The key judgments of one validated facts file, with where each is written."""
    for i, judgment in enumerate(entry.bluf):
        yield judgment, file, ("bluf", i)


def _judgments(base: LoadedFactBase) -> Iterator[Judged]:
    yield from file_judgments(base.facts.overview, base.overview_file)
    for actor, file in zip(base.facts.actors, base.actor_files, strict=True):
        yield from file_judgments(actor, file)


def _without_quotations(text: str) -> str:
    """The desk's own words: what a source says in quotation marks is not our forecast."""
    return _QUOTED.sub(" ", text)


def check_estimates(
    base: LoadedFactBase, judgments: Iterable[Judged] | None = None
) -> list[Diagnostic]:
    """Warnings for estimative language a reader could misread: a judgment that forecasts with
    no likelihood from the desk's scale, and a sentence that mixes likelihood with confidence.
    Of `judgments` (one file's), else of all; `base` gives the vocabulary.

    Runs only for a desk that declares a 'likelihood' list: the words are the desk's own."""
    vocab = base.facts.vocabulary
    scale = vocab.lists.get("likelihood")
    if scale is None:
        return []
    bands = sorted({w.lower() for t in scale.terms for w in (t.id, t.text)}, key=len, reverse=True)
    band = re.compile(r"\b(?:" + "|".join(re.escape(b) for b in bands) + r")\b", re.IGNORECASE)
    problems: list[Diagnostic] = []
    for judgment, file, path in _judgments(base) if judgments is None else judgments:
        own = _without_quotations(judgment.text)
        if judgment.likelihood is None and _FORECAST.search(own):
            problems.append(
                Diagnostic(
                    file.locate((*path, "text")),
                    "this judgment says what will happen but gives no likelihood",
                    f"add 'likelihood:' with a word of the desk's scale "
                    f"({', '.join(repr(t.id) for t in scale.terms)}), or say what is, not what "
                    "will be",
                    severity="warning",
                    code="Q404",
                )
            )
        sentences = _SENTENCE.findall(own)
        # A judgment that forecasts, or gives a likelihood, judges the world whatever else it
        # says of the record.
        forecasts = judgment.likelihood is not None or _FORECAST.search(own)
        if sentences and not forecasts and all(_ABOUT_THE_RECORD.search(x) for x in sentences):
            problems.append(
                Diagnostic(
                    file.locate((*path, "text")),
                    "this judgment only says what the record holds, not what is or will be: "
                    "a confidence label on it grades nothing",
                    "judge what the record suggests (and give its likelihood), or move the "
                    "point to the overview's 'limits:' or an open question",
                    severity="warning",
                    code="Q408",
                )
            )
        for field in ("text", "basis"):
            value = getattr(judgment, field)
            if not value:
                continue
            for sentence in _SENTENCE.findall(_without_quotations(value)):
                if "confiden" in sentence.lower() and band.search(sentence):
                    problems.append(
                        Diagnostic(
                            file.locate((*path, field)),
                            "one sentence gives both how likely and how confident: "
                            f"'{' '.join(sentence.split())[:80]}'",
                            "keep likelihood in 'likelihood:' and confidence in 'confidence:' "
                            "and 'basis:'; a reader takes one for the other",
                            severity="warning",
                            code="Q405",
                        )
                    )
    return problems


def check_cut_off(base: LoadedFactBase) -> list[Diagnostic]:
    """Warnings for a source dated after the information cut-off: the cut-off is the sources'
    time, so it cannot come before a text the edition cites."""
    edition = base.facts.edition
    # A cut-off of a month may be its last day: only a source dated after that is surely later.
    last = edition.cut_off()[1]
    problems: list[Diagnostic] = []
    for i, source in enumerate(base.facts.sources):
        # A text the desk sets aside is on record, not weighed: it does not bound the time the
        # judgments speak for, and may well be why the desk set it aside.
        if source.date is None or not source.date.has_year or source.set_aside:
            continue
        first = source.date.span()[0]
        if first > last:
            problems.append(
                Diagnostic(
                    base.edition_file.locate(("as_of",)),
                    f"the information cut-off {edition.as_of} is earlier than source "
                    f"'{source.id}', dated {source.date.value}",
                    "set as_of to the latest day the sources speak to, or correct the "
                    f"source's date (facts/sources.yaml, sources[{i}])",
                    severity="warning",
                    code="Q406",
                )
            )
    return problems


def check_set_aside(base: LoadedFactBase) -> list[Diagnostic]:
    """Warnings for a key judgment that cites a source the desk set aside: what it weighs in
    no judgment cannot be a judgment's evidence."""
    aside = {s.id for s in base.facts.sources if s.set_aside}
    problems: list[Diagnostic] = []
    for judgment, file, path in _judgments(base):
        for j, citation in enumerate(judgment.citations):
            if citation.source in aside:
                problems.append(
                    Diagnostic(
                        file.locate((*path, "citations", j, "source")),
                        f"a key judgment cites '{citation.source}', which the desk sets aside",
                        "cite it in the overview's case or an open question instead, or drop "
                        "'set_aside:' from the source in facts/sources.yaml",
                        severity="warning",
                        code="Q409",
                    )
                )
    return problems


def check_relays(base: LoadedFactBase) -> list[Diagnostic]:
    """Warnings for a quote cited twice with different relays ('via'): its notes would name
    who passed the words on in one place and someone else, or no one, in another."""
    first: dict[tuple[str, str], Cited] = {}
    problems: list[Diagnostic] = []
    for cited in all_citations(base):
        citation = cited.citation
        key = (citation.source, " ".join(citation.quote.split()))
        earlier = first.setdefault(key, cited)
        via = earlier.citation.via
        if citation.via != via:
            # Located only for a warning: a large desk cites thousands of quotes.
            there = earlier.file.locate((*earlier.path, "quote"))
            problems.append(
                Diagnostic(
                    cited.file.locate((*cited.path, "quote")),
                    f"this quote of '{citation.source}' is relayed by "
                    f"{_relay(citation.via)} here, and by {_relay(via)} at {there}",
                    "give both citations the same 'via:' (or none), so that their notes agree",
                    severity="warning",
                    code="Q410",
                )
            )
    return problems


def _relay(via: str | None) -> str:
    return f"'{via}'" if via else "no one named"


# '[S:source-id]' in the desk's prose: printed as the source's label (render.pages).
SOURCE_REF = re.compile(r"\[S:([A-Za-z0-9][A-Za-z0-9._-]*)\]")


def check_source_refs(
    base: LoadedFactBase, items: Iterable[Prose] | None = None
) -> list[Diagnostic]:
    """Errors for a reference '[S:id]' to a source that facts/sources.yaml does not register:
    in `items` (one file's prose), else in all the prose."""
    registered = {s.id for s in base.facts.sources}
    problems: list[Diagnostic] = []
    for item in prose(base) if items is None else items:
        for match in SOURCE_REF.finditer(item.text):
            if match.group(1) not in registered:
                problems.append(
                    Diagnostic(
                        item.file.locate(item.path),
                        f"'{match.group(0)}' names no source registered in facts/sources.yaml",
                        f"write the id of a source: {', '.join(sorted(registered))}",
                        code="Q407",
                    )
                )
    return problems
