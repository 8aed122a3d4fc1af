"""History: positions are dated observations, so an actor's answer to a question can move.

A position is dated by when it was stated (`date`) or, where a source reports a stance without
saying when it was taken, by `as_of` (the date the source speaks for). The latest observation
is the actor's current answer; the one before it, if its answer differs, is what changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from briefing.factbase.model import Actor, FuzzyDate, Position

# Undated and year-less observations come first: they cannot be placed after a dated one.
_UNPLACED = (dt.date.min, dt.date.min)


def when(position: Position) -> FuzzyDate | None:
    """The date a position is observed at: when it was stated, else as of when it held."""
    return position.date or position.as_of


def order_key(date: FuzzyDate | None) -> tuple[dt.date, dt.date]:
    """Chronological order of observations: by the first day, then the last day, they cover."""
    if date is None or not date.has_year:
        return _UNPLACED
    return date.span()


def history(positions: Iterable[Position], question: str) -> list[Position]:
    """The positions on one question, oldest first (file order among equals)."""
    on_question = [p for p in positions if p.question == question]
    return sorted(on_question, key=lambda p: order_key(when(p)))


@dataclass(frozen=True)
class Answer:
    """An actor's current answer to a question, and the different one it replaced, if any."""

    latest: Position
    previous: Position | None


def answer(actor: Actor, question: str, key: str) -> Answer | None:
    """The latest position on `question` and, if the declared answer field `key` changed, the
    position before the change; None when the actor has no position on it."""
    found = history(actor.positions, question)
    if not found:
        return None
    latest = found[-1]
    changed = [p for p in found[:-1] if p.value(key) != latest.value(key)]
    return Answer(latest, changed[-1] if changed else None)
