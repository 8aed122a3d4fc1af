"""Timeline: every commitment, position and statement placed in time as far as it is known.

Sources rarely give full dates, so a chart with an axis would either leave most of the record
out or invent precision. The timeline is a chronology instead, in three parts that say how much
is known:
- dated: items whose date has a year (a day, a month, a year or a span), in order, with the
  edition's event and the earlier events the overview's `background` dates among them;
- day and month only: items whose source gives no year, by day of the year;
- order only: items the source places only before or after another item or the event
  ('previously', 'even before the summit'), each with what it is placed against.
Items with neither a date nor an order are counted, not listed; so are those that rest on
sources the desk has set aside, whose dates it does not trust. A pure function of the fact
base; the templates lay it out (a table that reflows on a phone and follows the dark scheme).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from briefing.factbase import history
from briefing.factbase.model import (
    Actor,
    Citation,
    FactBase,
    FuzzyDate,
    Order,
    Words,
    counted,
)

Kind = Literal["commitment", "position", "statement", "event"]


@dataclass(frozen=True)
class Entry:
    """One item of the chronology: what, by whom, when as far as known, and where it is."""

    kind: Kind
    label: str
    actor: Actor | None  # None for the edition's event
    fact_id: str | None
    date: FuzzyDate | None = None
    order: Order | None = None
    against: str = ""  # for an order only: the item or event it is placed against
    # An earlier event's own citations: it is printed nowhere else, so its row carries them.
    citations: tuple[Citation, ...] = ()

    @property
    def placed(self) -> str:
        """For an order only: how it is placed, "before NATO summit"."""
        if self.order is None:
            return ""
        return f"{'before' if self.order.before else 'after'} {self.against}"

    @property
    def inferred(self) -> bool:
        return self.date is not None and self.date.basis == "inferred"


@dataclass
class Chronology:
    """The timeline's three parts and how many items it cannot place at all."""

    dated: list[Entry] = field(default_factory=list)
    day_only: list[Entry] = field(default_factory=list)
    ordered: list[Entry] = field(default_factory=list)
    # What cannot be placed, counted by kind ("commitment", "position", "statement", "earlier
    # event"), so the page can say what it leaves out, not only how much.
    left_out: Counter[str] = field(default_factory=Counter)
    # What rests only on sources set aside (Source.set_aside), counted by kind the same way.
    set_aside: Counter[str] = field(default_factory=Counter)
    # The desk's words (words.commitment: "Instrument"), so a count of commitments reads as
    # the rest of the brief names them; the other kinds are counted by their own names.
    words: Words = field(default_factory=Words)

    @property
    def unplaced(self) -> int:
        """How many items neither a date nor an order places."""
        return sum(self.left_out.values())

    def left_out_words(self) -> str:
        """What is left out, in words: "2 commitments, 9 positions and 3 statements"."""
        return self._counted(self.left_out)

    def set_aside_words(self) -> str:
        """What rests only on sources set aside, in words: "6 commitments"."""
        return self._counted(self.set_aside)

    def _counted(self, kinds: Counter[str]) -> str:
        parts = [
            self.words.commitments_counted(n) if kind == "commitment" else counted(n, kind)
            for kind, n in sorted(kinds.items())
        ]
        if len(parts) < 2:
            return "".join(parts)
        return ", ".join(parts[:-1]) + " and " + parts[-1]

    def left_out_line(self) -> str:
        """What the chronology leaves out, in a sentence; empty when it leaves out nothing.
        Under a table, a clause: the table holds every dated or ordered item, so the rest is
        undated, and counts beside it read as bookkeeping. Without one, the counts say what
        the record holds."""
        aside = "rests only on a source set aside"
        if self:
            said = ["The sources date or order nothing else on record"] if self.unplaced else []
            if self.set_aside:
                said.append(f"what {aside} is left out" if said else f"What {aside} is left out")
            return "; ".join(said) + "." if said else ""
        said = [f"The sources neither date nor order {self.left_out_words()}"] * bool(self.unplaced)
        if self.set_aside:
            who = "they" if said else "the sources"
            dated = f"what {who} date or order ({self.set_aside_words()}) {aside}"
            said.append(dated if said else dated[:1].upper() + dated[1:])
        return "; ".join(said) + "." if said else ""

    def __bool__(self) -> bool:
        return bool(self.dated or self.day_only or self.ordered)


_MARKUP = re.compile(r"[*_`]")
LABEL_WORDS = 24  # a statement's summary is cut at a sentence or this many words


def _plain(text: str) -> str:
    """Markdown emphasis and code marks removed, whitespace collapsed."""
    return " ".join(_MARKUP.sub("", text).split())


def _first_sentence(text: str) -> str:
    plain = _plain(text)
    sentence = re.split(r"(?<=[.;:])\s", plain, maxsplit=1)[0]
    words = sentence.split()
    if len(words) > LABEL_WORDS:
        return " ".join(words[:LABEL_WORDS]) + " …"
    return sentence


def chronology(facts: FactBase, actors: Iterable[Actor] | None = None) -> Chronology:
    """The chronology of the given actors' facts (all principal and mentioned actors if None)."""
    people = {p.id: p.name for p in facts.people}
    questions = {q.id: q.label for q in facts.edition.questions}
    vocab = facts.vocabulary
    answer = vocab.answer()
    # A commitment's word of the field the desk groups by (its status): an expected package
    # must not read as an event that happened.
    grouped = vocab.grouping()
    entries: list[Entry] = []
    doubted = {s.id for s in facts.sources if s.set_aside}
    aside: set[str] = set()
    for actor in actors if actors is not None else facts.actors:
        cited: list[tuple[str, list[Citation]]] = [
            *((c.id, c.citations) for c in actor.commitments),
            *((p.id, p.citations) for p in actor.positions),
            *((s.id, s.citations) for s in actor.statements),
        ]
        aside |= {i for i, cs in cited if cs and all(c.source in doubted for c in cs)}
        for c in actor.commitments:
            label = _plain(c.title)
            word = c.value(grouped.key) if grouped is not None else None
            if grouped is not None and grouped.list and isinstance(word, str):
                label += f" ({vocab.label(grouped.list, word)})"
            entries.append(Entry("commitment", label, actor, c.id, c.date, c.order))
        for p in actor.positions:
            said = vocab.label(answer.list or "", p.value(answer.key)) if answer else ""
            label = f"{questions.get(p.question, p.question)}: {said}"
            entries.append(Entry("position", label, actor, p.id, history.when(p), p.order))
        for s in actor.statements:
            label = f"{people.get(s.speaker, s.speaker)}: {_first_sentence(s.summary)}"
            entries.append(Entry("statement", label, actor, s.id, s.date, s.order))
    labels = {e.fact_id: f"{e.actor.name if e.actor else ''}, {e.label}" for e in entries}
    event = facts.edition.event
    result = Chronology(words=facts.vocabulary.words)
    for entry in entries:
        if entry.fact_id in aside:
            result.set_aside[entry.kind] += 1
        elif entry.date is not None and entry.date.has_year:
            result.dated.append(entry)
        elif entry.date is not None:
            result.day_only.append(entry)
        elif entry.order is not None:
            target = entry.order.before or entry.order.after or ""
            against = event.name if target == "event" else labels.get(target, target)
            result.ordered.append(_with_against(entry, against))
        else:
            result.left_out[entry.kind] += 1
    # Earlier events a source dates (a 2008 summit) stand among the dated items; one whose
    # source gives no year cannot be placed against them, and is counted.
    for past in facts.overview.background:
        if past.date.has_year:
            label = f"{past.name}: {_plain(past.text)}"
            result.dated.append(
                Entry("event", label, None, None, past.date, citations=tuple(past.citations))
            )
        else:
            result.left_out["earlier event"] += 1
    if event.date is not None and event.date.has_year and result.dated:
        result.dated.append(Entry("event", f"{event.name}, {event.place}", None, None, event.date))
    # On one date, the event first: what is due at a summit follows the summit.
    result.dated.sort(key=lambda e: (*_span(e.date), e.kind != "event", e.label))
    result.day_only.sort(key=lambda e: (e.date.value if e.date else "", e.label))
    return result


def _with_against(entry: Entry, against: str) -> Entry:
    return Entry(
        entry.kind, entry.label, entry.actor, entry.fact_id, entry.date, entry.order, against
    )


def _span(date: FuzzyDate | None) -> tuple[dt.date, dt.date]:
    return date.span() if date is not None else (dt.date.min, dt.date.min)
