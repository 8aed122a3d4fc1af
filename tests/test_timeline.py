"""The timeline: a pure function from the fact base to an SVG string."""

from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from briefing.load import load_file
from briefing.model import (
    Actor,
    Citation,
    Commitment,
    Edition,
    Event,
    FactBase,
    FuzzyDate,
    Person,
    Question,
    Vocabulary,
)
from briefing.timeline import GUTTER, WIDTH, _text_width, date_span, timeline_entries, timeline_svg
from briefing.vocabulary import specialise
from tests.conftest import FIXTURES

# The timeline reads the desk's vocabulary (event word, answer field): the fixture desk's one.
_LOADED, _ = load_file(FIXTURES / "mini/facts/vocabulary.yaml", "vocabulary.yaml")
assert _LOADED is not None
VOCAB = Vocabulary.model_validate(_LOADED.data)
MODELS = specialise(VOCAB)
# Typed as Any: these classes exist only once a vocabulary has been read.
Position: Any = MODELS.position
Statement: Any = MODELS.statement
COMMITMENT: Any = MODELS.commitment

SVG = "{http://www.w3.org/2000/svg}"
CITE = [Citation(source="src", quote="some words from the source")]


def day(value: str, basis: str = "stated") -> FuzzyDate:
    note = "worked out from context" if basis == "inferred" else None
    return FuzzyDate.model_validate({"value": value, "basis": basis, "note": note})


def facts(*actors: Actor, summit: FuzzyDate | None = None) -> FactBase:
    edition = Edition(
        title="Test edition",
        event=Event(name="Summit", place="Somewhere", date=summit),
        as_of="2024-01-31",
        number=1,
        marking="Test marking",
        publisher="Test desk",
        questions=[Question(id="q", label="Question", text="A question?")],
    )
    return FactBase(
        vocabulary=VOCAB,
        edition=edition,
        overview=MODELS.overview(),
        sources=[
            MODELS.source(
                id="src",
                file="src.txt",
                title="A source",
                outlet="An outlet",
                reliability="C",
                reliability_note="test",
            )
        ],
        people=[Person(id="speaker", name="Gitanas Nausėda", role="President", actor="a")],
        actors=list(actors),
    )


def commitment(cid: str, date: FuzzyDate | None, title: str = "An agreement") -> Commitment:
    made: Commitment = COMMITMENT(
        id=cid,
        title=title,
        instrument="bilateral agreement",
        status="signed",
        date=date,
        mutual_defence="no",
        summary="Signed.",
        citations=CITE,
    )
    return made


def actor(aid: str, name: str, **lists: Any) -> Actor:
    return MODELS.actor(id=aid, name=name, kind="organisation", **lists)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def entry_groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if "entry" in g.get("class", "").split()]


def mark(group: ET.Element) -> ET.Element:
    """The shape that marks an entry's date (not its label)."""
    return next(e for e in group if e.get("class") == "mark")


def test_date_spans_follow_precision() -> None:
    assert date_span(day("2023")) == (dt.date(2023, 1, 1), dt.date(2024, 1, 1))
    assert date_span(day("2023-12")) == (dt.date(2023, 12, 1), dt.date(2024, 1, 1))
    assert date_span(day("2024-02")) == (dt.date(2024, 2, 1), dt.date(2024, 3, 1))
    assert date_span(day("2023-07-11")) == (dt.date(2023, 7, 11), dt.date(2023, 7, 12))


def test_every_dated_item_is_drawn_and_undated_ones_are_counted() -> None:
    base = facts(
        actor(
            "a",
            "Україна",
            commitments=[
                commitment("c1", day("2023-07-11")),
                commitment("c2", None),
                commitment("c3", day("--02-16")),  # no year: cannot be placed
            ],
            positions=[
                Position(
                    id="p1",
                    question="q",
                    stance="supports",
                    summary="Supports it.",
                    date=day("2023-06"),
                    citations=CITE,
                )
            ],
            statements=[
                Statement(
                    id="s1",
                    speaker="speaker",
                    date=day("2023", "inferred"),
                    summary="Said *something*.",
                    citations=CITE,
                )
            ],
        )
    )
    entries = timeline_entries(base)
    assert [e.kind for e in entries] == ["statement", "position", "commitment"]
    root = parse(timeline_svg(base))
    groups = entry_groups(root)
    assert len(groups) == 3
    text = "".join(root.itertext())
    assert "Україна" in text
    assert "Gitanas Nausėda: Said something." in text  # Markdown marks are dropped
    assert "2 undated or year-less item(s)" in text


def test_day_is_a_marker_month_and_year_are_bars_of_their_length() -> None:
    base = facts(
        actor(
            "a",
            "A",
            commitments=[
                commitment("day", day("2023-03-15"), "Day"),
                commitment("month", day("2023-06"), "Month"),
                commitment("year", day("2024"), "Year"),
            ],
        )
    )
    groups = {g.findtext(f"{SVG}text"): g for g in entry_groups(parse(timeline_svg(base)))}
    assert mark(groups["Day"]).tag == f"{SVG}polygon"
    month, year = mark(groups["Month"]), mark(groups["Year"])
    assert month.tag == year.tag == f"{SVG}rect"
    month_w, year_w = float(month.get("width", 0)), float(year.get("width", 0))
    # June has 30 days, 2024 has 366: the bars keep that proportion.
    assert year_w / month_w == pytest.approx(366 / 30, rel=0.02)


def test_inferred_dates_are_hollow_and_dashed_and_explained() -> None:
    base = facts(
        actor(
            "a",
            "A",
            commitments=[
                commitment("stated", day("2023-03-15"), "Stated"),
                commitment("inferred", day("2023-04-02", "inferred"), "Inferred"),
                commitment("inferred-month", day("2023-05", "inferred"), "Inferred month"),
            ],
        )
    )
    root = parse(timeline_svg(base))
    groups = {g.findtext(f"{SVG}text"): g for g in entry_groups(root)}
    assert mark(groups["Stated"]).get("stroke-dasharray") is None
    for label, shape in (("Inferred", "polygon"), ("Inferred month", "rect")):
        group = groups[label]
        assert "inferred" in group.get("class", "")
        shape_of = mark(group)
        assert shape_of.tag == f"{SVG}{shape}"
        assert shape_of.get("stroke-dasharray")
        assert shape_of.get("fill") == "#ffffff"
        assert "worked out from context" in (group.findtext(f"{SVG}title") or "")
    assert "date inferred by the curator" in "".join(root.itertext())


def test_overlapping_labels_go_on_separate_rows() -> None:
    base = facts(
        actor(
            "a",
            "A",
            commitments=[
                commitment("one", day("2023-03-15"), "First agreement"),
                commitment("two", day("2023-03-16"), "Second agreement"),
            ],
        )
    )
    ys = {
        float(t.get("y", 0))
        for g in entry_groups(parse(timeline_svg(base)))
        for t in g.iter(f"{SVG}text")
    }
    assert len(ys) == 2


def test_summit_is_drawn_and_widens_the_axis() -> None:
    base = facts(
        actor("a", "A", commitments=[commitment("one", day("2023-03-15"))]),
        summit=day("2023-07", "inferred"),
    )
    root = parse(timeline_svg(base))
    summit = [g for g in root.iter(f"{SVG}g") if g.get("class") == "event"]
    assert len(summit) == 1
    assert "(inferred)" in (summit[0].findtext(f"{SVG}title") or "")
    axis = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Mar 2023" in axis and "Jul" in axis


def test_no_dated_entries_gives_a_small_svg_that_says_so() -> None:
    svg = timeline_svg(facts(actor("a", "A", commitments=[commitment("c", None)])))
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert entry_groups(root) == []
    assert "No dated commitments" in "".join(root.itertext())
    assert timeline_svg(facts()).startswith("<svg")


def test_svg_is_deterministic_and_self_contained() -> None:
    base = facts(actor("a", 'A <&> "B"', commitments=[commitment("c", day("2023-05-05"))]))
    first, second = timeline_svg(base), timeline_svg(base)
    assert first == second
    parse(first)  # names with markup characters are escaped
    assert "<script" not in first
    assert "href" not in first


def test_labels_stay_inside_the_plot_even_for_bars_spanning_it() -> None:
    long_title = "A very long title for an instrument that fills the whole year"
    base = facts(
        actor(
            "a",
            "A",
            commitments=[
                commitment("year", day("2023"), long_title),
                commitment("early", day("2023-01-03"), long_title),
                commitment("late", day("2023-12-30"), long_title),
            ],
        )
    )
    for group in entry_groups(parse(timeline_svg(base))):
        text = group.find(f"{SVG}text")
        assert text is not None and text.text
        x, width = float(text.get("x", 0)), _text_width(text.text)
        start = x - width if text.get("text-anchor") == "end" else x
        assert start >= GUTTER and start + width <= WIDTH, text.text


def test_axis_labels_do_not_collide_over_decades() -> None:
    base = facts(
        actor(
            "a",
            "A",
            commitments=[commitment("old", day("1994-12-05")), commitment("new", day("2024"))],
        )
    )
    root = parse(timeline_svg(base))
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "axis")
    labels = [(float(t.get("x", 0)), t.text or "") for t in axis.iter(f"{SVG}text")]
    assert labels[0][1] == "1994" and len(labels) >= 4
    for (x, text), (next_x, _) in itertools.pairwise(labels):
        assert x + _text_width(text, 9) < next_x
