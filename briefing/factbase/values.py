"""How a value is printed: one owner for the printed form of numbers."""

from __future__ import annotations


def format_number(value: float, kind: str) -> str:
    """A number as a reader sees it: integers as written (2030 is a year as often as a count),
    other numbers grouped in thousands and never in exponent form."""
    if kind == "integer":
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")
