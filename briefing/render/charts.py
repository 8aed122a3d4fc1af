"""Charts: a bar per actor for a money or quantity field the desk asks to chart (`chart: true`),
as an accessible inline SVG that the HTML shows and WeasyPrint lays out as vectors in the PDF,
with its numbers as a table under it.

Hand-written rather than pygal: pygal gives each chart a random id (uuid4) and writes script
tags for its tooltips, so its bytes differ on every build and need patching to be reproducible
and script-free; one horizontal bar chart with ranges is a few dozen lines of SVG here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from briefing.factbase.model import Actor, FieldSpec, MoneyRules, Rate
from briefing.factbase.values import LeftOut, Total, format_total, totals

# The drawing's own units (the viewBox): it scales to the column's width, on screen and page.
WIDTH = 640
LABEL_WIDTH = 190  # the actors' names, right-aligned against the axis
VALUE_WIDTH = 120  # room after the longest bar for its figure
TOP = 24  # room for the axis' figures
MAX_HEIGHT = 760  # taller than this, rows get thinner: the chart stays on one page however
# many actors it has (past about seventy the names get small; the table under it gives all)
ROW = 24
CHAR = 0.55  # a sans-serif character's width for its font size, to wrap names


@dataclass(frozen=True)
class Bar:
    """One actor's bar: its total in the chart's unit (a range where sources differ)."""

    actor: str
    name: str
    total: Total
    text: str  # the figure as printed, e.g. '$50.6–60 million'


@dataclass(frozen=True)
class Chart:
    """What a chart draws and what its note says it leaves out."""

    spec: FieldSpec
    unit: str
    bars: list[Bar]
    left_out: list[tuple[str, LeftOut | None, str]]  # actor name, why, figure as printed
    included: list[tuple[str, str]]  # names: a member, the actor whose figure includes it
    rates: list[Rate]  # the declared rates the bars were converted with


def chart_unit(spec: FieldSpec, money: MoneyRules | None) -> str:
    """The one currency or unit a chart draws: the desk's currency for money where it declares
    one, else the field's own."""
    if spec.type == "money":
        return money.currency if money is not None else spec.currency or ""
    return spec.unit or ""


def chart_of(actors: Sequence[Actor], spec: FieldSpec, money: MoneyRules | None) -> Chart:
    """Each actor's total of a commitment field in the chart's unit, and what is not drawn."""
    unit = chart_unit(spec, money)
    bars: list[Bar] = []
    left_out: list[tuple[str, LeftOut | None, str]] = []
    names = {a.id: a.name for a in actors}
    owner = {c.id: a.id for a in actors for c in a.commitments}
    for actor in actors:
        summed = totals(actor.commitments, spec, money)
        for total in summed.found:
            if total.unit == unit:
                bars.append(Bar(actor.id, actor.name, total, format_total(total, spec)))
            else:
                left_out.append((actor.name, None, format_total(total, spec)))
        left_out += [(actor.name, out, out.given) for out in summed.left_out]
    # A collective figure drawn beside its members' bars: the note says whose it includes.
    whole = totals([c for a in actors for c in a.commitments], spec, money)
    included = list(
        dict.fromkeys(
            (names[owner[member]], names[owner[holder]])
            for member, holder in whole.included
            if owner[member] != owner[holder]
        )
    )
    rates = list(dict.fromkeys(r for b in bars for r in b.total.rates))
    return Chart(spec, unit, bars, left_out, included, rates)


def _wrap(name: str, size: float, most: int) -> list[str]:
    """A name in at most `most` lines (one or two) that fit the label column. A longer one
    keeps its first words and its last ('The Democratic Federation of' / '… Islands Number
    29'): names that differ at their end stay apart. The bar's aria-label and the table give
    it whole."""
    fits = max(4, int((LABEL_WIDTH - 8) / (size * CHAR)))
    words = name.split()
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= fits:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > most:
        room = fits if most == 2 else fits // 2
        tail = ""
        for word in reversed(words):
            if len(tail) + len(word) + 2 > room:
                break
            tail = f"{word} {tail}".strip()
        end = "… " + tail if tail else "…"
        head = lines[0] if most == 2 else lines[0][: max(1, fits - len(end) - 1)]
        lines = [head, end] if most == 2 else [f"{head} {end}"]
    return [line if len(line) <= fits else line[: fits - 1] + "…" for line in lines]


def _step(high: float) -> float:
    """A round step for the axis: 1, 2 or 5 times a power of ten, four to eight steps."""
    if high <= 0:
        return 1.0
    power: float = 10.0 ** math.floor(math.log10(high))
    for factor in (0.1, 0.2, 0.5, 1, 2, 5, 10):
        step = power * factor
        if high / step <= 8:
            return step
    return power * 10


def _n(value: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros (the same inputs, the same bytes)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def svg(chart: Chart, anchor: Callable[[str], str], axis: Callable[[float], str]) -> Markup:
    """The chart as inline SVG: role="img" with a title and a description, each bar a list
    item with an aria-label that says its figure; `anchor` makes the ids unique on the page,
    `axis` prints a figure of the axis ('$100m')."""
    spec, bars = chart.spec, chart.bars
    count = max(len(bars), 1)
    row = min(ROW, (MAX_HEIGHT - TOP - 8) / count)
    # Two lines of a name where a row has room for them, else one, the font shrinking with it.
    two = row >= 20
    size = min(11.0, row * (0.5 if two else 0.8))
    height = TOP + row * count + 8
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    top = max((b.total.high for b in bars), default=0.0)
    step = _step(top)
    ceiling = step * max(1, -(-top // step)) if top > 0 else 1.0
    scale = plot / ceiling
    title_id, desc_id = anchor(f"chart-{spec.key}-title"), anchor(f"chart-{spec.key}-desc")
    ranged = sum(1 for b in bars if b.total.low != b.total.high)
    described = (
        f"{len(bars)} bars, one per actor, from 0 to {axis(ceiling)}."
        + (f" {ranged} drawn as ranges: the sources differ." if ranged else "")
        + " The table below gives every figure."
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {_n(height)}" aria-labelledby="{title_id} {desc_id}" '
        f'font-family="Noto Sans, DejaVu Sans, Arial, sans-serif" font-size="{_n(size)}">',
        f'<title id="{title_id}">{escape(spec.label)} by actor</title>',
        f'<desc id="{desc_id}">{escape(described)}</desc>',
        # The axis' figures stay legible when many rows make the names small.
        f'<g class="axis" aria-hidden="true" font-size="{_n(max(size, 8.0))}">',
    ]
    tick = 0.0
    while tick <= ceiling + step / 2:
        x = LABEL_WIDTH + tick * scale
        out.append(
            f'<line x1="{_n(x)}" y1="{TOP - 4}" x2="{_n(x)}" y2="{_n(height - 8)}" '
            'stroke="#d0d0d0" stroke-width="0.5"/>'
            f'<text x="{_n(x)}" y="{TOP - 8}" text-anchor="middle" fill="#555">'
            f"{escape(axis(tick))}</text>"
        )
        tick += step
    out.append("</g>")
    out.append('<g class="bars" role="list">')
    for i, bar in enumerate(bars):
        y = TOP + i * row
        low, high = bar.total.low * scale, bar.total.high * scale
        thick = row * 0.62
        ranged_bar = bar.total.high != bar.total.low
        label = f"{bar.name}: {bar.text}" + ("; sources differ" if ranged_bar else "")
        out.append(f'<g role="listitem" aria-label="{escape(label)}">')
        lines = _wrap(bar.name, size, 2 if two else 1)
        middle = y + row / 2
        first = middle - (len(lines) - 1) * size * 0.55
        for k, line in enumerate(lines):
            out.append(
                f'<text x="{LABEL_WIDTH - 6}" y="{_n(first + k * size * 1.1 + size * 0.35)}" '
                f'text-anchor="end" aria-hidden="true">{escape(line)}</text>'
            )
        bar_y = middle - thick / 2
        out.append(
            f'<rect x="{LABEL_WIDTH}" y="{_n(bar_y)}" width="{_n(low)}" '
            f'height="{_n(thick)}" fill="#2f5d8a"/>'
        )
        if ranged_bar:
            # The stretch the sources disagree on: lighter and dashed, from the lowest figure
            # to the highest.
            out.append(
                f'<rect class="range" x="{_n(LABEL_WIDTH + low)}" y="{_n(bar_y)}" '
                f'width="{_n(high - low)}" height="{_n(thick)}" fill="#a9c1d9" '
                'stroke="#2f5d8a" stroke-width="0.75" stroke-dasharray="2 1.5"/>'
            )
        out.append(
            f'<text x="{_n(LABEL_WIDTH + high + 4)}" y="{_n(middle + size * 0.35)}" '
            f'fill="#222" aria-hidden="true">{escape(bar.text)}</text>'
        )
        out.append("</g>")
    out.append("</g></svg>")
    return Markup("".join(out))
