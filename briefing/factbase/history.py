"""History: positions are dated observations, so an actor's answer to a question can move.

A position is dated by when it was stated (`date`) or, where a source reports a stance without
saying when it was taken, by `as_of` (the date the source speaks for). The latest observation
is the actor's current answer; the one before it, if its answer differs, is what changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from briefing.factbase.model import Actor, FactBase, FuzzyDate, OpenQuestion, Position

# Undated and year-less observations come first: they cannot be placed after a dated one.
_UNPLACED = (dt.date.min, dt.date.min)


def sources(position: Position) -> set[str]:
    """The ids of the sources a position cites."""
    return {c.source for c in position.citations}


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
    """An actor's current answer to a question, the different one it replaced, if any, and
    the answers other sources give for the same day (a recorded disagreement)."""

    latest: Position
    previous: Position | None
    rivals: tuple[Position, ...] = ()


def _day(position: Position) -> str | None:
    date = when(position)
    return date.value if date is not None else None


def answer(actor: Actor, question: str, key: str) -> Answer | None:
    """The latest position on `question` and, if the declared answer field `key` changed, the
    position before the change; None when the actor has no position on it."""
    found = history(actor.positions, question)
    if not found:
        return None
    latest = found[-1]
    # The check lets several positions share a day only when different sources give them.
    rivals = tuple(p for p in found[:-1] if _day(p) is not None and _day(p) == _day(latest))
    earlier = [p for p in found[:-1] if p not in rivals]
    changed = [p for p in earlier if p.value(key) != latest.value(key)]
    return Answer(latest, changed[-1] if changed else None, rivals)


@dataclass(frozen=True)
class Disagreement:
    """Positions of one actor on one question and day that different sources give."""

    question: str
    date: FuzzyDate
    positions: tuple[Position, ...]


def disagreements(actor: Actor) -> list[Disagreement]:
    """Every day on which the sources give an actor different positions on one question."""
    groups: dict[tuple[str, str], tuple[FuzzyDate, list[Position]]] = {}
    for position in actor.positions:
        date = when(position)
        if date is not None:
            groups.setdefault((position.question, date.value), (date, []))[1].append(position)
    return [
        Disagreement(question, date, tuple(found))
        for (question, _), (date, found) in groups.items()
        if len(found) > 1
    ]


def disagreement_questions(actor: Actor, facts: FactBase) -> list[OpenQuestion]:
    """The open questions a recorded disagreement raises, written for the brief: which
    answers the sources give for one day, each cited."""
    answer_spec = facts.vocabulary.answer()
    labels = {q.id: q.label for q in facts.edition.questions}
    found: list[OpenQuestion] = []
    for item in disagreements(actor):
        said = []
        for position in item.positions:
            word = position.value(answer_spec.key) if answer_spec else position.summary
            text = facts.vocabulary.label(answer_spec.list or "", word) if answer_spec else word
            outlets = ", ".join(sorted({facts.source(s).outlet for s in sources(position)}))
            said.append(f"'{text}' ({outlets})")
        found.append(
            OpenQuestion(
                text=(
                    f"The sources differ on {actor.name}'s position on "
                    f"{labels.get(item.question, item.question)} on {item.date.display()}: "
                    + " against ".join(said)
                    + "."
                ),
                citations=[c for p in item.positions for c in p.citations],
            )
        )
    return found
