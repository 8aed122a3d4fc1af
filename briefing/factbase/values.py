"""How a value is printed: one owner for the printed form of numbers, amounts of money,
quantities, and values the sources give differently."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from briefing.factbase.model import (
    Disputed,
    FieldSpec,
    FuzzyDate,
    Money,
    Quantity,
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
    if isinstance(given, Disputed):
        each = ", ".join(_one_reported(r, spec, ref) for r in given.reported)
        span = _range([r.value for r in given.reported], spec)
        return f"{span}; sources differ: {each}" if span else f"sources differ: {each}"
    if isinstance(given, Sourced):
        labels = ", ".join(dict.fromkeys(ref(c.source) for c in given.citations))
        return f"{format_one(given.value, spec)} ({labels})"
    return format_one(given, spec)


def _one_reported(reported: Reported, spec: FieldSpec, ref: Callable[[str], str]) -> str:
    return f"{format_one(reported.value, spec)} ({ref(reported.source)})"
