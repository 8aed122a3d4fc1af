"""Numbers are proved like words: a figure a fact prints must be one its cited quotes give
(the figures of a quote are read by briefing.factbase.values.numbers_in)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

from briefing.core.diagnostics import Diagnostic
from briefing.factbase.load import LoadedFile, Path_
from briefing.factbase.model import (
    FACT_GROUPS,
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


def _figures(fact: Fact, path: Path_) -> Iterator[tuple[Any, Path_, list[Citation]]]:
    """Each figure of a fact's declared fields, where it is written, and the citations it
    rests on: its own where it has some, else the fact's."""
    for key in type(fact).model_fields:
        given = fact.given(key)
        if isinstance(given, Disputed):
            for k, reported in enumerate(given.reported):
                yield reported.value, (*path, key, "reported", k, "value"), [reported]
        elif isinstance(given, Sourced):
            yield given.value, (*path, key, "value"), list(given.citations)
        elif key not in Fact.model_fields and _amount(given) is not None:
            yield given, (*path, key), list(getattr(fact, "citations", []))


def _shown(numbers: list[float]) -> str:
    return ", ".join(dict.fromkeys(format_number(n, "number") for n in numbers)) or "none"


def check_figures(base: LoadedFactBase) -> list[Diagnostic]:
    """An error for each number a fact prints that none of the quotes it cites gives, naming
    the numbers they do give."""
    problems: list[Diagnostic] = []
    for actor, loaded in zip(base.facts.actors, base.actor_files, strict=True):
        for group in FACT_GROUPS:
            for i, fact in enumerate(getattr(actor, group)):
                for value, path, cited in _figures(fact, (group, i)):
                    problems += _unproved(value, path, cited, loaded)
    return problems


def _unproved(
    value: Any, path: Path_, cited: list[Citation], loaded: LoadedFile
) -> list[Diagnostic]:
    amount = _amount(value)
    if amount is None or not cited:
        return []
    quotes = [c.quote for c in cited]
    if _given(amount, quotes):
        return []
    numbers = [n for q in quotes for n in numbers_in(q)]
    return [
        Diagnostic(
            loaded.locate(path),
            f"{format_number(amount, 'number')} is given by none of the quotes it cites; they "
            f"give: {_shown(numbers)}",
            "write the figure the quote gives (e.g. 17.5 million is 17500000), or cite the "
            "words that give this one",
            code="Q501",
        )
    ]
