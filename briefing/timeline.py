"""Timeline: the dated commitments, positions and statements of every actor, as an SVG string.

A pure function of the fact base; no plotting library, no script. Dates are drawn no more
precisely than they are known: a day is a marker, a month or a year is a bar over that span.
Dates the curator inferred are drawn hollow with a dashed outline.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

from briefing.model import Actor, FactBase, FuzzyDate

Kind = Literal["commitment", "position", "statement"]

KIND_COLOUR: dict[str, str] = {
    "commitment": "#0b4f8a",
    "position": "#8a4b00",
    "statement": "#2f6f3e",
}
INK = "#1b1f24"
MUTED = "#57606a"
RULE = "#c9d1d9"
PAPER = "#ffffff"

WIDTH = 600.0
GUTTER = 104.0  # room for actor names on the left
RIGHT = 14.0
TOP = 30.0  # room for the axis labels
ROW = 19.0  # height of one row of entries
LANE_GAP = 6.0
FONT = 10.0
LABEL_MAX = 36  # characters of a label before it is shortened


@dataclass(frozen=True)
class Entry:
    """One dated item on the timeline."""

    actor: str
    kind: Kind
    label: str
    date: FuzzyDate
    start: dt.date
    end: dt.date  # exclusive: the day after the last day the date covers

    @property
    def inferred(self) -> bool:
        return self.date.basis == "inferred"

    @property
    def is_span(self) -> bool:
        return self.date.precision != "day" or self.date.is_interval


def date_span(value: FuzzyDate) -> tuple[dt.date, dt.date]:
    """The days a fuzzy date covers, as [start, end): a year, a month, a day or a span."""
    return value.span()


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _plain(text: str) -> str:
    """Markdown emphasis and code marks removed, whitespace collapsed."""
    return " ".join(re.sub(r"[*_`]", "", text).split())


def _shorten(text: str, limit: int = LABEL_MAX) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip(" ,;:.–-") + "…"


def _entry(actor: Actor, kind: Kind, label: str, date: FuzzyDate | None) -> Entry | None:
    if not _placeable(date):
        return None
    assert date is not None
    start, end = date_span(date)
    return Entry(actor.name, kind, _plain(label), date, start, end)


def timeline_entries(facts: FactBase, actors: Iterable[Actor] | None = None) -> list[Entry]:
    """Every dated commitment, position and statement, in actor order, then by date."""
    people = {p.id: p for p in facts.people}
    labels = {q.id: q.label for q in facts.edition.questions}
    vocab = facts.vocabulary
    answer = vocab.answer()
    entries: list[Entry] = []
    for actor in actors if actors is not None else facts.actors:
        found: list[Entry | None] = []
        for c in actor.commitments:
            found.append(_entry(actor, "commitment", c.title, c.date))
        for p in actor.positions:
            said = vocab.label(answer.list or "", p.value(answer.key)) if answer else ""
            label = f"{labels.get(p.question, p.question)}: {said}"
            found.append(_entry(actor, "position", label, p.date))
        for s in actor.statements:
            speaker = people[s.speaker].name if s.speaker in people else s.speaker
            found.append(_entry(actor, "statement", f"{speaker}: {_plain(s.summary)}", s.date))
        entries += sorted((e for e in found if e), key=lambda e: (e.start, e.end, e.label))
    return entries


def _placeable(date: FuzzyDate | None) -> bool:
    # A day and month with no year ('--02-16') cannot be put on an axis without inventing one.
    return date is not None and date.has_year


def undated_count(facts: FactBase) -> int:
    """How many commitments, positions and statements have no date that can be placed."""
    count = 0
    for actor in facts.actors:
        count += sum(1 for c in actor.commitments if not _placeable(c.date))
        count += sum(1 for p in actor.positions if not _placeable(p.date))
        count += sum(1 for s in actor.statements if not _placeable(s.date))
    return count


def _ticks(start: dt.date, end: dt.date) -> tuple[list[dt.date], str]:
    """Axis ticks at month, quarter or year boundaries, whichever keeps them readable."""
    months = (end.year - start.year) * 12 + end.month - start.month
    step, unit = (1, "month") if months <= 14 else (3, "quarter") if months <= 40 else (12, "year")
    if unit == "year":
        first = dt.date(start.year, 1, 1)
    elif unit == "quarter":
        first = dt.date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    else:
        first = start
    ticks: list[dt.date] = []
    tick = first
    while tick <= end:
        if tick >= start:
            ticks.append(tick)
        tick = _add_months(tick, step)
    return ticks, unit


def _domain(entries: list[Entry], event: FuzzyDate | None) -> tuple[dt.date, dt.date]:
    starts = [e.start for e in entries]
    ends = [e.end for e in entries]
    if event is not None:
        s_start, s_end = date_span(event)
        starts.append(s_start)
        ends.append(s_end)
    first = dt.date(min(starts).year, min(starts).month, 1)
    last = max(ends)
    last = last if last.day == 1 else _add_months(dt.date(last.year, last.month, 1), 1)
    # A narrow range is widened so a single day does not fill the whole chart.
    while (last.year - first.year) * 12 + last.month - first.month < 4:
        first, last = _add_months(first, -1), _add_months(last, 1)
    # A range long enough for yearly ticks starts and ends on whole years.
    if (last.year - first.year) * 12 + last.month - first.month > 40:
        first = dt.date(first.year, 1, 1)
        last = last if (last.month, last.day) == (1, 1) else dt.date(last.year + 1, 1, 1)
    return first, last


def _text_width(text: str, size: float = FONT) -> float:
    """A generous estimate of the width of `text` in a sans-serif face at `size`."""
    return len(text) * size * 0.53


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _points(*corners: tuple[float, float]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in corners)


def _marker(kind: str, x: float, y: float, inferred: bool) -> str:
    colour = KIND_COLOUR[kind]
    fill = PAPER if inferred else colour
    dash = ' stroke-dasharray="2 1.5"' if inferred else ""
    style = f'class="mark" fill="{fill}" stroke="{colour}" stroke-width="1.4"{dash}'
    if kind == "commitment":
        r = 5.4
        points = _points((x, y - r), (x + r, y), (x, y + r), (x - r, y))
        return f'<polygon points="{points}" {style}/>'
    if kind == "position":
        r = 4.8
        points = _points((x, y - r), (x + r, y + r * 0.8), (x - r, y + r * 0.8))
        return f'<polygon points="{points}" {style}/>'
    return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3.9" {style}/>'


def _bar(kind: str, x0: float, x1: float, y: float, inferred: bool) -> str:
    colour = KIND_COLOUR[kind]
    width = max(x1 - x0, 3.0)
    fill = PAPER if inferred else colour
    opacity = "" if inferred else ' fill-opacity="0.35"'
    dash = ' stroke-dasharray="3 2"' if inferred else ""
    return (
        f'<rect class="mark" x="{_num(x0)}" y="{_num(y - 4)}" width="{_num(width)}" '
        'height="8" rx="2" '
        f'fill="{fill}"{opacity} stroke="{colour}" stroke-width="1.2"{dash}/>'
    )


def _svg_open(height: float, title: str, desc: str, prefix: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline-chart" role="img" '
        f'viewBox="0 0 {_num(WIDTH)} {_num(height)}" width="{_num(WIDTH)}" height="{_num(height)}" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" '
        f'font-family="Noto Sans, DejaVu Sans, sans-serif" font-size="{_num(FONT)}">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{_num(WIDTH)}" height="{_num(height)}" fill="{PAPER}"/>',
    ]


Placement = Literal["right", "left", "inside"]


def _placed(entries: list[Entry], scale: _Scale) -> list[list[tuple[Entry, Placement]]]:
    """Entries of one actor packed into rows so that no two labels overlap.

    A label goes right of its mark; if it would run off the chart, to its left; a long bar
    with room on neither side carries its label inside.
    """
    rows: list[list[tuple[Entry, Placement, float, float]]] = []
    for entry in entries:
        x0, x1 = scale.x(entry.start), scale.x(entry.end)
        if not entry.is_span:
            x0 = x1 = (x0 + x1) / 2
        label_w = _text_width(_shorten(entry.label)) + 8
        place: Placement
        if x1 + label_w <= scale.right:
            place, lo, hi = "right", x0 - 6, x1 + label_w
        elif x0 - label_w >= scale.left:
            place, lo, hi = "left", x0 - label_w - 6, x1 + 6
        else:
            place, lo, hi = "inside", x0 - 6, max(x1, x0 + label_w) + 6
        for row in rows:
            if all(hi < a or lo > b for _, _, a, b in row):
                row.append((entry, place, lo, hi))
                break
        else:
            rows.append([(entry, place, lo, hi)])
    return [[(e, place) for e, place, _, _ in row] for row in rows]


@dataclass(frozen=True)
class _Scale:
    start: dt.date
    end: dt.date
    left: float
    right: float

    def x(self, day: dt.date) -> float:
        total = (self.end - self.start).days
        return self.left + (day - self.start).days / total * (self.right - self.left)


def _tick_label(tick: dt.date, unit: str, first: bool) -> str:
    if unit == "year":
        return str(tick.year)
    name = tick.strftime("%b")
    return f"{name} {tick.year}" if first or tick.month == 1 else name


def timeline_svg(
    facts: FactBase, actors: Iterable[Actor] | None = None, prefix: str = "timeline"
) -> str:
    """The timeline of `facts` (actors in the given order) as a standalone SVG element; its
    ids start with `prefix`."""
    entries = timeline_entries(facts, actors)
    undated = undated_count(facts)
    title = f"Timeline of dated commitments, positions and statements, {facts.edition.title}"
    if not entries:
        message = "No dated commitments, positions or statements are recorded yet."
        if undated:
            message += f" {undated} undated or year-less item(s) are not shown."
        parts = _svg_open(40, title, message, prefix)
        parts.append(
            f'<text x="12" y="24" fill="{MUTED}" font-style="italic">{escape(message)}</text>'
        )
        return "\n".join([*parts, "</svg>"]) + "\n"

    event = facts.edition.event.date
    start, end = _domain(entries, event)
    scale = _Scale(start, end, GUTTER, WIDTH - RIGHT)
    lanes: dict[str, list[Entry]] = {}
    for entry in entries:
        lanes.setdefault(entry.actor, []).append(entry)
    packed = {actor: _placed(items, scale) for actor, items in lanes.items()}
    plot_height = sum(len(rows) * ROW + LANE_GAP for rows in packed.values())
    legend_y = TOP + plot_height + 16
    height = legend_y + (44 if undated else 26)

    desc = (
        f"{len(entries)} dated item(s) from {start.strftime('%B %Y')} to "
        f"{(end - dt.timedelta(days=1)).strftime('%B %Y')}; "
        f"{sum(e.inferred for e in entries)} with inferred dates; "
        f"{undated} undated or year-less item(s) not shown."
    )
    parts = _svg_open(height, title, desc, prefix)

    ticks, unit = _ticks(start, end)
    parts.append('<g class="axis">')
    free_from = scale.left  # labels are skipped where they would collide with the last one
    for i, tick in enumerate(ticks):
        x = scale.x(tick)
        parts.append(
            f'<line x1="{_num(x)}" y1="{_num(TOP - 6)}" x2="{_num(x)}" '
            f'y2="{_num(TOP + plot_height)}" stroke="{RULE}" stroke-width="0.6"/>'
        )
        label = _tick_label(tick, unit, i == 0)
        width = _text_width(label, 9)
        if x >= free_from and x + width < scale.right + RIGHT:
            parts.append(
                f'<text x="{_num(x + 2)}" y="{_num(TOP - 10)}" fill="{MUTED}" '
                f'font-size="9">{escape(label)}</text>'
            )
            free_from = x + width + 6
    parts.append("</g>")

    if event is not None:
        s0, s1 = date_span(event)
        x0, x1 = scale.x(s0), scale.x(s1)
        dash = ' stroke-dasharray="3 2"' if event.basis == "inferred" else ""
        name = facts.edition.event.name
        parts.append(
            f'<g class="event"><title>{escape(name)}, {escape(event.display())}'
            f"{' (inferred)' if event.basis == 'inferred' else ''}</title>"
            f'<rect x="{_num(x0)}" y="{_num(TOP - 4)}" width="{_num(max(x1 - x0, 2))}" '
            f'height="{_num(plot_height + 4)}" fill="#8a4b00" fill-opacity="0.07" '
            f'stroke="#8a4b00" stroke-width="0.8"{dash}/></g>'
        )

    y = TOP
    for actor, rows in packed.items():
        parts.append(
            f'<line x1="0" y1="{_num(y)}" x2="{_num(WIDTH)}" y2="{_num(y)}" stroke="{RULE}" '
            'stroke-width="0.6"/>'
        )
        parts.append(
            f'<text x="4" y="{_num(y + ROW / 2 + 3.5)}" fill="{INK}" font-weight="bold">'
            f"{escape(_shorten(actor, 18))}</text>"
        )
        for row in rows:
            cy = y + ROW / 2 + 1
            for entry, place in row:
                parts.append(_entry_svg(entry, scale, cy, place))
            y += ROW
        y += LANE_GAP
    parts.append(
        f'<line x1="0" y1="{_num(y)}" x2="{_num(WIDTH)}" y2="{_num(y)}" stroke="{RULE}" '
        'stroke-width="0.6"/>'
    )
    event_word = facts.vocabulary.words.event if event is not None else None
    parts += _legend(legend_y, event_word, undated)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _entry_svg(entry: Entry, scale: _Scale, cy: float, place: Placement) -> str:
    x0, x1 = scale.x(entry.start), scale.x(entry.end)
    tooltip = (
        f"{entry.actor} · {entry.kind} · {entry.label} · {entry.date.display()}"
        f"{' (inferred: ' + entry.date.note + ')' if entry.inferred and entry.date.note else ''}"
    )
    if entry.is_span:
        mark = _bar(entry.kind, x0, x1, cy, entry.inferred)
    else:
        x0 = x1 = (x0 + x1) / 2
        mark = _marker(entry.kind, x0, cy, entry.inferred)
    short = _shorten(entry.label)
    label = escape(short)
    width = _text_width(short)
    if place == "left":
        text_x, anchor, back_x = x0 - 7, ' text-anchor="end"', x0 - 8 - width
    elif place == "right":
        text_x, anchor, back_x = x1 + 7, "", x1 + 6
    else:
        text_x, anchor, back_x = x0 + 5, "", x0 + 4
    # A paper-coloured backing keeps the label legible where it crosses grid lines; on a bar
    # it is translucent, so the bar still shows its extent.
    opacity = "0.6" if place == "inside" else "0.9"
    back = (
        f'<rect class="label-back" x="{_num(back_x)}" y="{_num(cy - 6.5)}" '
        f'width="{_num(width + 2)}" height="13" '
        f'fill="{PAPER}" fill-opacity="{opacity}"/>'
    )
    text = f'<text x="{_num(text_x)}" y="{_num(cy + 3.5)}"{anchor} fill="{INK}">{label}</text>'
    css_class = f"entry {entry.kind}{' inferred' if entry.inferred else ''}"
    return f"<g class={quoteattr(css_class)}><title>{escape(tooltip)}</title>{back}{mark}{text}</g>"


def _legend(y: float, event_word: str | None, undated: int) -> list[str]:
    parts = ['<g class="legend" font-size="9">']
    x = 4.0
    for kind in ("commitment", "position", "statement"):
        parts.append(_marker(kind, x + 5, y, False))
        parts.append(f'<text x="{_num(x + 13)}" y="{_num(y + 3)}" fill="{INK}">{kind}</text>')
        x += 13 + _text_width(kind, 9) + 14
    parts.append(_bar("commitment", x, x + 22, y, False))
    text = "month or year: date known only to that precision"
    parts.append(f'<text x="{_num(x + 27)}" y="{_num(y + 3)}" fill="{INK}">{text}</text>')
    y2 = y + 16
    parts.append(_marker("statement", 9, y2, True))
    parts.append(
        f'<text x="17" y="{_num(y2 + 3)}" fill="{INK}">hollow, dashed: date inferred by the '
        "curator, not stated in the source</text>"
    )
    x = 17 + _text_width(
        "hollow, dashed: date inferred by the curator, not stated in the source", 9
    )
    if event_word:
        x += 16
        parts.append(
            f'<rect x="{_num(x)}" y="{_num(y2 - 5)}" width="10" height="10" fill="#8a4b00" '
            'fill-opacity="0.07" stroke="#8a4b00" stroke-width="0.8"/>'
        )
        parts.append(
            f'<text x="{_num(x + 14)}" y="{_num(y2 + 3)}" fill="{INK}">{escape(event_word)}</text>'
        )
        x += 14 + _text_width(event_word, 9)
    if undated:
        parts.append(
            f'<text x="4" y="{_num(y2 + 19)}" fill="{MUTED}">'
            f"Not shown: {undated} undated or year-less item(s).</text>"
        )
    parts.append("</g>")
    return parts
