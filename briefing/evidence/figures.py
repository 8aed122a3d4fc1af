"""Numbers are proved like words: a figure a fact prints must be one its cited quotes give
(the figures of a quote are read by briefing.factbase.values.numbers_in)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from briefing.core.diagnostics import Diagnostic
from briefing.factbase.load import LoadedFile, Path_
from briefing.factbase.model import (
    FACT_GROUPS,
    Actor,
    Citation,
    Disputed,
    Fact,
    Money,
    Quantity,
    Sourced,
)
from briefing.factbase.validate import LoadedFactBase
from briefing.factbase.values import format_number, numbers_in


def _amount(value: Any) -> float | None:
    """The number a value prints, if it prints one (dates and text are proved as words)."""
    if isinstance(value, Money | Quantity):
        return value.amount
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _given(amount: float, quotes: Sequence[str]) -> bool:
    return any(math.isclose(amount, n, rel_tol=1e-9) for q in quotes for n in numbers_in(q))


def _figures(fact: Fact, path: Path_) -> Iterator[tuple[Any, Path_, list[Citation], bool]]:
    """Each figure of a fact's declared fields, where it is written, the citations it rests
    on (its own where it has some, else the fact's), and whether they are its own."""
    for key in type(fact).model_fields:
        given = fact.given(key)
        if isinstance(given, Disputed):
            for k, reported in enumerate(given.reported):
                yield reported.value, (*path, key, "reported", k, "value"), [reported], True
        elif isinstance(given, Sourced):
            yield given.value, (*path, key, "value"), list(given.citations), True
        elif key not in Fact.model_fields and _amount(given) is not None:
            yield given, (*path, key), list(getattr(fact, "citations", [])), False


def _shown(numbers: list[float]) -> str:
    return ", ".join(dict.fromkeys(format_number(n, "number") for n in numbers)) or "none"


def check_figures(
    base: LoadedFactBase, actors: Iterable[tuple[Actor, LoadedFile]] | None = None
) -> list[Diagnostic]:
    """A diagnostic for each number a fact prints that none of the quotes it cites gives,
    naming the numbers they do give: of the facts of `actors` (with their files), else of
    every actor's."""
    problems: list[Diagnostic] = []
    every = zip(base.facts.actors, base.actor_files, strict=True)
    for actor, loaded in every if actors is None else actors:
        for group in FACT_GROUPS:
            for i, fact in enumerate(getattr(actor, group)):
                for value, path, cited, own in _figures(fact, (group, i)):
                    problems += _unproved(value, path, cited, loaded, own)
    return problems


def _unproved(
    value: Any, path: Path_, cited: list[Citation], loaded: LoadedFile, own: bool
) -> list[Diagnostic]:
    """A figure its quotes do not give: an error where the figure cites its own quotes; a
    warning for a plain value, proved only by its fact's quotes, so that a desk written before
    values carried sources keeps checking and is told what to add."""
    amount = _amount(value)
    if amount is None or not cited:
        return []
    quotes = [c.quote for c in cited]
    kind = "integer" if isinstance(value, int) else "number"
    shown = format_number(value if kind == "integer" else amount, kind)
    if _given(amount, quotes):
        return []
    numbers = [n for q in quotes for n in numbers_in(q)]
    return [
        Diagnostic(
            loaded.locate(path),
            f"{shown} is given by none of the quotes it cites; they give: {_shown(numbers)}",
            "write the figure the quote gives (e.g. 17.5 million is 17500000), or cite the "
            "words that give this one"
            + ("" if own else ": {value: ..., citations: [{source: ..., quote: ...}]}"),
            severity="error" if own else "warning",
            code="Q501",
        )
    ]
