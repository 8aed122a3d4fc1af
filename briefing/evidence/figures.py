"""Numbers are proved like words: a figure a fact prints must be one its cited quotes give
(the figures of a quote are read by briefing.factbase.values.numbers_in)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from briefing.core.diagnostics import Diagnostic, Location, did_you_mean
from briefing.factbase.load import LoadedFile, Path_
from briefing.factbase.model import (
    FACT_GROUPS,
    Actor,
    Citation,
    Disputed,
    Fact,
    Money,
    MoneyRules,
    Quantity,
    Sourced,
)
from briefing.factbase.validate import LoadedFactBase
from briefing.factbase.values import figures_of, format_number, includes_of, numbers_in


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


# --- A collective figure and the figures it includes -------------------------------------------


def _units(given: Any) -> set[str]:
    """The currencies or units a value's figures are in (empty for a plain number)."""
    found: set[str] = set()
    for value in figures_of(given):
        if isinstance(value, Money):
            found.add(value.currency)
        elif isinstance(value, Quantity):
            found.add(value.unit)
    return found


def check_includes(base: LoadedFactBase) -> list[Diagnostic]:
    """A value that includes another fact's must name a fact that gives the same field, in
    the same currency or unit (or one the desk declares a rate for), and no value may come
    to include itself."""
    facts: dict[str, tuple[Fact, LoadedFile, Path_]] = {}
    for actor, loaded in zip(base.facts.actors, base.actor_files, strict=True):
        for group in FACT_GROUPS:
            for i, fact in enumerate(getattr(actor, group)):
                facts[fact.id] = (fact, loaded, (group, i))
    money = base.facts.vocabulary.money
    problems: list[Diagnostic] = []
    for fact, loaded, path in facts.values():
        for key in type(fact).model_fields:
            given = fact.given(key)
            for k, member in enumerate(includes_of(given)):
                where = loaded.locate((*path, key, "includes", k))
                target = facts.get(member)
                if target is None or target[0].given(key) is None:
                    if not base.failed_actors:
                        # Else it may be in a file that did not validate: that file's own
                        # errors come first.
                        problems.append(_unknown_member(where, member, key, facts))
                    continue
                ours, theirs = _units(given), _units(target[0].given(key))
                if ours and theirs and ours != theirs and not _convertible(ours | theirs, money):
                    problems.append(
                        Diagnostic(
                            where,
                            f"'{member}' gives {key} in {', '.join(sorted(theirs))}, this value "
                            f"in {', '.join(sorted(ours))}: one cannot include the other",
                            "include only a figure in the same currency or unit, or declare "
                            "the rate between them under 'money: rates:' in "
                            "facts/vocabulary.yaml",
                            code="Q504",
                        )
                    )
        cycle = _cycle(fact, facts)
        if cycle:
            key, ring = cycle
            where = loaded.locate((*path, key, "includes"))
            problems.append(
                Diagnostic(
                    where,
                    f"'{fact.id}' comes to include itself: {' includes '.join(ring)}",
                    "a figure includes its members, never the figure that includes it: "
                    "remove one of these 'includes'",
                    code="Q503",
                )
            )
    return problems


def _unknown_member(
    where: Location, member: str, key: str, facts: dict[str, tuple[Fact, LoadedFile, Path_]]
) -> Diagnostic:
    known = [i for i, (f, _, _) in facts.items() if f.given(key) is not None]
    return Diagnostic(
        where,
        f"'{member}' is not a fact that gives '{key}': nothing to include",
        did_you_mean(member, known) or f"name the id of a fact that gives '{key}'",
        code="Q502",
    )


def _convertible(units: set[str], money: MoneyRules | None) -> bool:
    """Whether every currency of `units` converts into the desk's with a declared rate."""
    if money is None:
        return False
    return all(u == money.currency or money.rate(u) is not None for u in units)


def _cycle(
    fact: Fact, facts: dict[str, tuple[Fact, LoadedFile, Path_]]
) -> tuple[str, list[str]] | None:
    """The field and the ring of ids through which a fact's value includes itself, if any."""
    for key in type(fact).model_fields:
        todo: list[list[str]] = [[fact.id, m] for m in includes_of(fact.given(key))]
        seen: set[str] = set()
        while todo:
            ring = todo.pop()
            if ring[-1] == fact.id:
                return key, ring
            if ring[-1] in seen or ring[-1] not in facts:
                continue
            seen.add(ring[-1])
            todo += [[*ring, m] for m in includes_of(facts[ring[-1]][0].given(key))]
    return None


def check_rates(base: LoadedFactBase) -> list[Diagnostic]:
    """Each rate the desk declares must be a figure its quote gives (the quote itself is
    proved like any other, see briefing.evidence.citations)."""
    money = base.facts.vocabulary.money
    if money is None:
        return []
    problems: list[Diagnostic] = []
    for i, rate in enumerate(money.rates):
        if _given(rate.rate, [rate.quote]):
            continue
        problems.append(
            Diagnostic(
                base.vocabulary_file.locate(("money", "rates", i, "rate")),
                f"the rate {format_number(rate.rate, 'number')} is not given by its quote; it "
                f"gives: {_shown(numbers_in(rate.quote))}",
                "write the rate as the quote gives it (a rate the other way round is declared "
                "with 'from' and 'to' swapped), or cite the words that give this one",
                code="Q501",
            )
        )
    return problems
