"""How a value is read and printed: one owner for the printed form of numbers, amounts of
money, quantities, and values the sources give differently, and for the figures a text gives.

Figures are read by a small parser of our own, not price-parser or quantulum3: price-parser
reads one price per string and no scale words ('17.5 million'); quantulum3 brings a classifier
and its data for what is here a few patterns. This one reads every figure of a text, with the
scale and number words news text uses ('$17.5m', 'US$17,000,000', 'ten years').
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from briefing.factbase.model import (
    Citation,
    Disputed,
    Fact,
    FieldSpec,
    FuzzyDate,
    Money,
    MoneyRules,
    Quantity,
    Rate,
    Reported,
    Sourced,
)

# Symbols printed before an amount; any other currency prints its ISO code ('CHF 20 million').
_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "JPY": "¥"}
_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
# Qualifiers a reader reads after the figure; the others come before it ('up to $60 million').
_AFTER = {"equivalent"}


def format_number(value: float, kind: str) -> str:
    """A number as a reader sees it: integers as written (2030 is a year as often as a count),
    other numbers grouped in thousands and never in exponent form."""
    if kind == "integer":
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def _scaled(amount: float) -> tuple[str, str]:
    """An amount as a short figure and its scale word: ('17.5', 'million'), ('950,000', '')."""
    for size, word in _SCALES:
        if abs(amount) >= size:
            return format_number(round(amount / size, 3), "number"), word
    return format_number(amount, "number"), ""


def _hedged(text: str, qualifier: str | None) -> str:
    if qualifier is None:
        return text
    return f"{text} {qualifier}" if qualifier in _AFTER else f"{qualifier} {text}"


def _money_text(figure: str, word: str, currency: str) -> str:
    symbol = _SYMBOLS.get(currency)
    text = f"{symbol}{figure}" if symbol else f"{currency} {figure}"
    return f"{text} {word}".strip()


def format_money(money: Money) -> str:
    """'$17.5 million', 'up to $60 million', 'CHF 950,000', '$50.6 million equivalent'."""
    return _hedged(_money_text(*_scaled(money.amount), money.currency), money.qualifier)


def format_quantity(quantity: Quantity) -> str:
    """'10 years', 'up to 3,000 troops'."""
    figure = format_number(quantity.amount, "number")
    return _hedged(f"{figure} {quantity.unit}", quantity.qualifier)


def format_one(value: Any, spec: FieldSpec) -> str:
    """One plain value of a field that is not a word of a list, as text."""
    if isinstance(value, Money):
        return format_money(value)
    if isinstance(value, Quantity):
        return format_quantity(value)
    if isinstance(value, FuzzyDate):
        return value.display()
    if spec.type in ("number", "integer") and isinstance(value, int | float):
        return f"{format_number(value, spec.type)} {spec.unit or ''}".strip()
    return str(value)


def _range(values: list[Any], spec: FieldSpec) -> str | None:
    """The span of the figures when they are in one currency or unit ('$50.6–60 million');
    None when they are not comparable (dates, text, several currencies) or all equal."""
    if all(isinstance(v, Money) for v in values) and len({v.currency for v in values}) == 1:
        low, high = min(v.amount for v in values), max(v.amount for v in values)
        currency = values[0].currency
        (low_figure, low_word), (high_figure, high_word) = _scaled(low), _scaled(high)
        if low == high:
            return None
        if low_word == high_word:
            return _money_text(f"{low_figure}–{high_figure}", high_word, currency)
        low_text = _money_text(low_figure, low_word, currency)
        return f"{low_text}–{_money_text(high_figure, high_word, currency)}"
    if all(isinstance(v, Quantity) for v in values) and len({v.unit for v in values}) == 1:
        low, high = min(v.amount for v in values), max(v.amount for v in values)
        if low == high:
            return None
        return f"{format_number(low, 'number')}–{format_number(high, 'number')} {values[0].unit}"
    if spec.type in ("number", "integer") and all(isinstance(v, int | float) for v in values):
        low, high = min(values), max(values)
        if low == high:
            return None
        unit = f" {spec.unit}" if spec.unit else ""
        return f"{format_number(low, spec.type)}–{format_number(high, spec.type)}{unit}"
    return None


def format_given(given: Any, spec: FieldSpec, ref: Callable[[str], str]) -> str:
    """A field's value as the brief prints it: a plain value as is; a value with its own
    citations followed by its sources' labels ('$17.5 million (S2)'); a disputed value as the
    range and each figure with its source ('$50.6–60 million; sources differ: ...'), never
    one figure silently. `ref` gives a source id's label (S1, S2 ...)."""
    return "".join(text for text, _ in given_parts(given, spec, ref))


def given_parts(
    given: Any, spec: FieldSpec, ref: Callable[[str], str]
) -> list[tuple[str, tuple[Citation, ...]]]:
    """`format_given` in pieces, each with the citations its figure rests on: a brief puts
    their note markers right after the figure they prove (no citations: plain text)."""
    if isinstance(given, Disputed):
        span = _range([r.value for r in given.reported], spec)
        parts: list[tuple[str, tuple[Citation, ...]]] = [
            (f"{span}; sources differ: " if span else "sources differ: ", ())
        ]
        for i, reported in enumerate(given.reported):
            if i:
                parts.append((", ", ()))
            parts.append((_one_reported(reported, spec, ref), (reported,)))
        return parts
    if isinstance(given, Sourced):
        labels = ", ".join(dict.fromkeys(ref(c.source) for c in given.citations))
        return [(f"{format_one(given.value, spec)} ({labels})", tuple(given.citations))]
    return [(format_one(given, spec), ())]


@dataclass(frozen=True)
class Total:
    """The sum of one field across facts in one currency or unit: `low` to `high` where the
    sources differ (each fact's smallest and largest figure), and the facts added."""

    unit: str  # the currency's ISO code, or the unit
    low: float
    high: float
    facts: tuple[str, ...]
    money: bool
    # The declared rates a figure was converted with (none: every figure was in `unit`).
    rates: tuple[Rate, ...] = ()


@dataclass(frozen=True)
class LeftOut:
    """A fact a total leaves out, what it gives and why: 'no rate given' (a currency the desk
    declares no rate for), or 'figures in different currencies or units'."""

    fact: str
    given: str  # its figures as printed, e.g. '£20 million'
    reason: str


@dataclass(frozen=True)
class Totals:
    """A field's totals across facts: one per currency or unit (one in the desk's currency
    where it declares one), the facts left out, and the facts not added again because a
    collective figure added includes them, each with that figure's fact."""

    found: list[Total]
    left_out: list[LeftOut]
    included: list[tuple[str, str]]


NO_RATE = "no rate given"
MIXED = "figures in different currencies or units"


def _figure(value: Any, spec: FieldSpec) -> tuple[str, float, bool] | None:
    """A value's unit, amount and whether it is money; None for what cannot be added."""
    if isinstance(value, Money):
        return value.currency, value.amount, True
    if isinstance(value, Quantity):
        return value.unit, value.amount, False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return spec.unit or "", float(value), False
    return None


def figures_of(given: Any) -> list[Any]:
    """The plain values a field gives: one, or each source's where they differ."""
    if isinstance(given, Disputed):
        return [r.value for r in given.reported]
    if isinstance(given, Sourced):
        return [given.value]
    return [] if given is None else [given]


def includes_of(given: Any) -> list[str]:
    """The ids of facts a value says it includes (a collective figure and its members)."""
    return list(given.includes) if isinstance(given, Sourced | Disputed) else []


def within(facts: Iterable[Fact], key: str) -> dict[str, str]:
    """Each fact whose value of `key` another fact's includes, with the outermost fact that
    includes it among `facts` (a member of a member counts within the whole). Cycles, which
    the check refuses, are cut where they close."""
    listed = {fact.id: fact for fact in facts}
    outer: dict[str, str] = {}
    for fact in listed.values():
        seen = {fact.id}
        todo = includes_of(fact.given(key))
        while todo:
            member = todo.pop()
            if member in seen or member not in listed:
                continue
            seen.add(member)
            outer.setdefault(member, fact.id)
            todo += includes_of(listed[member].given(key))
    # Where a fact is itself included, its members count within the fact that includes it.
    for member, holder in list(outer.items()):
        passed = {member}
        while holder in outer and holder not in passed:
            passed.add(holder)
            holder = outer[holder]
        outer[member] = holder
    return outer


def totals(facts: Iterable[Fact], spec: FieldSpec, money: MoneyRules | None = None) -> Totals:
    """A field's totals across `facts`, never counting a value twice nor converting without
    a declared rate.

    Without `money` (the desk's currency and rates) each currency or unit is totalled apart.
    With it, money is totalled in the desk's currency: a figure in another currency converts
    with the rate the desk declares for it, and a fact with no rate is left out, saying so. A
    disputed value adds its smallest figure to the low end and its largest to the high end. A
    fact another fact's value includes is not added again."""
    listed = list(facts)
    inside = within(listed, spec.key)
    sums: dict[tuple[str, bool], tuple[float, float, list[str], list[Rate]]] = {}
    left_out: list[LeftOut] = []
    for fact in listed:
        given = fact.given(spec.key)
        values = figures_of(given)
        if not values or fact.id in inside:
            continue
        figures = [_figure(v, spec) for v in values]
        shown = ", ".join(dict.fromkeys(format_one(v, spec) for v in values))
        used: list[Rate] = []
        if money is not None and spec.type == "money" and None not in figures:
            converted: list[tuple[str, float, bool] | None] = []
            for figure in figures:
                assert figure is not None
                unit, amount, is_money = figure
                rated = money.rate(unit) if unit != money.currency else (1.0, None)
                if rated is None:
                    converted.append(None)
                    continue
                factor, rate = rated
                if rate is not None:
                    used.append(rate)
                # Cents: a converted amount carries no more precision than money has.
                converted.append((money.currency, round(amount * factor, 2), is_money))
            if None in converted:
                left_out.append(LeftOut(fact.id, shown, NO_RATE))
                continue
            figures = converted
        units = {(f[0], f[2]) for f in figures if f is not None}
        if None in figures or len(units) != 1:
            left_out.append(LeftOut(fact.id, shown, MIXED))
            continue
        amounts = [f[1] for f in figures if f is not None]
        key = units.pop()
        low, high, ids, rates = sums.get(key, (0.0, 0.0, [], []))
        sums[key] = (low + min(amounts), high + max(amounts), [*ids, fact.id], [*rates, *used])
    found = [
        Total(u, round(low, 6), round(high, 6), tuple(ids), is_money, tuple(dict.fromkeys(rates)))
        for (u, is_money), (low, high, ids, rates) in sums.items()
    ]
    included = [(member, holder) for member, holder in inside.items()]
    return Totals(found, left_out, included)


def format_total(total: Total, spec: FieldSpec) -> str:
    """'$67.6–77.5 million', '€100 million', '20 years'."""
    if total.money:
        values: list[Any] = [Money(amount=a, currency=total.unit) for a in (total.low, total.high)]
    elif spec.type == "quantity":
        values = [Quantity(amount=a, unit=total.unit) for a in (total.low, total.high)]
    else:
        values = [int(a) if a.is_integer() else a for a in (total.low, total.high)]
    return _range(values, spec) or format_one(values[0], spec)


def short_figure(amount: float, unit: str, money: bool) -> str:
    """A figure for a chart's axis: '$100m', '€1.5bn', '250k', '12'."""
    for size, word in ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(amount) >= size:
            figure = format_number(round(amount / size, 3), "number") + word
            break
    else:
        figure = format_number(round(amount, 3), "number")
    if not money:
        return figure
    symbol = _SYMBOLS.get(unit)
    return f"{symbol}{figure}" if symbol else f"{unit} {figure}"


def format_rate(rate: Rate) -> str:
    """'£1 = $1.27 on 1 December 2023': a declared rate as a total or a chart prints it."""
    one = _money_text("1", "", rate.from_)
    worth = _money_text(format_number(rate.rate, "number"), "", rate.to)
    day = FuzzyDate(value=rate.date, basis="stated").display()
    return f"{one} = {worth} on {day}"


def _one_reported(reported: Reported, spec: FieldSpec, ref: Callable[[str], str]) -> str:
    return f"{format_one(reported.value, spec)} ({ref(reported.source)})"


# --- Reading figures ----------------------------------------------------------------------------

_SCALE_WORDS = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
_WORDS = {
    word: n
    for n, word in enumerate(
        [
            *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
            *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"),
            *("seventeen", "eighteen", "nineteen", "twenty"),
        ]
    )
} | {
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
}
_SCALE = r"(?:\s*(?P<scale>thousand|million|billion|trillion)\b|(?P<short>bn|mn|tn|[mkb])\b)?"
# A figure starts a word ('COP28' gives no 28, 'G7' no 7), unless a currency's letters come
# before it with a dollar sign ('$US60', 'US$17' is a symbol anyway).
_FIGURE = re.compile(
    r"(?:(?<=\$[A-Z]{2})|(?<![\w.,]))"
    r"(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<decimals>\d+))?" + _SCALE,
    re.IGNORECASE,
)
_WORD = re.compile(
    r"\b(?P<word>" + "|".join(_WORDS) + r")\b" + _SCALE.replace("(?:\\s*", "(?:\\s+"),
    re.IGNORECASE,
)


def numbers_in(quote: str) -> list[float]:
    """Every figure a quote gives, scale words applied: '$17.5m' gives 17500000,
    'US$17,000,000' 17000000, 'ten years' 10, '40 percent' 40."""
    found: list[float] = []
    for match in _FIGURE.finditer(quote):
        number = float(match["digits"].replace(",", "") + "." + (match["decimals"] or "0"))
        found.append(number * _scale(match))
    for match in _WORD.finditer(quote):
        found.append(_WORDS[match["word"].lower()] * _scale(match))
    return found


def _scale(match: re.Match[str]) -> float:
    word = match["scale"] or match["short"]
    return _SCALE_WORDS[word.lower()] if word else 1.0


_CODES = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY"}
_QUALIFIERS = ("up to", "at least", "about", "over", "equivalent")


def read_money(text: str) -> tuple[float, str | None, str | None] | None:
    """The one amount a short text gives, the currency its symbol or code names (None if it
    names none) and its qualifier: 'up to £20 million' gives (20000000, 'GBP', 'up to')."""
    amount = read_amount(text)
    if amount is None:
        return None
    code = re.search(r"\b([A-Z]{3})\b", text)
    symbol = re.search(r"[$£€¥]", text)
    currency = code.group(1) if code else _CODES[symbol.group(0)] if symbol else None
    lowered = text.lower()
    qualifier = next((q for q in _QUALIFIERS if q in lowered), None)
    return amount, currency, qualifier


def read_amount(text: str) -> float | None:
    """The one figure a short text gives ('17.5 million', '$17.5m'), or None if it gives none
    or several: what a curator meant by a number written in words."""
    found = numbers_in(text)
    return found[0] if len(found) == 1 else None
