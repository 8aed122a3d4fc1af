"""The timeline: a pure function from the fact base to an SVG string."""

from __future__ import annotations

import re
from typing import Any

from briefing.core.project import Project
from briefing.factbase.load import load_file
from briefing.factbase.model import (
    Actor,
    Citation,
    Commitment,
    Edition,
    Event,
    FactBase,
    FuzzyDate,
    PastEvent,
    Person,
    Question,
    Vocabulary,
)
from briefing.factbase.vocabulary import specialise
from briefing.render.timeline import chronology
from briefing.site.build import checked_facts, render_site
from tests.conftest import FIXTURES
from tests.editing_fixture import edit

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


def facts(*actors: Actor, summit: FuzzyDate | None = None, **overview: Any) -> FactBase:
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
        overview=MODELS.overview(**overview),
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


def test_every_item_is_placed_as_far_as_its_date_is_known() -> None:
    base = facts(
        actor(
            "a",
            "Україна",
            commitments=[
                commitment("c1", day("2023-07-11")),
                commitment("c2", None),
                commitment("c3", day("--02-16")),  # no year
                commitment("c4", day("2023-07-10/2023-07-12"), title="A span"),
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
                    summary="Said *something*. And more.",
                    citations=CITE,
                ),
                Statement(
                    id="s2",
                    speaker="speaker",
                    order={"before": "c1", "note": "the source says 'previously'"},
                    summary="Said it earlier.",
                    citations=CITE,
                ),
            ],
        ),
        summit=day("2023-07-11/2023-07-12"),
    )
    found = chronology(base)
    # Dated items in order of the days they cover, the event among them.
    assert [(e.kind, e.fact_id) for e in found.dated] == [
        ("statement", "s1"),
        ("position", "p1"),
        ("commitment", "c4"),
        ("commitment", "c1"),
        ("event", None),
    ]
    assert found.dated[0].label == "Gitanas Nausėda: Said something."  # Markdown marks dropped
    assert found.dated[0].inferred
    assert [e.fact_id for e in found.day_only] == ["c3"]
    [ordered] = found.ordered
    assert ordered.fact_id == "s2" and ordered.against == "Україна, An agreement"
    assert found.unplaced == 1  # c2: neither a date nor an order
    assert found.left_out_words() == "1 instrument"


def test_the_event_is_listed_only_among_dated_items() -> None:
    base = facts(actor("a", "A", commitments=[commitment("c1", None)]), summit=day("2023-07"))
    found = chronology(base)
    assert not found and found.unplaced == 1


def test_an_order_against_the_event_names_it() -> None:
    base = facts(
        actor(
            "a",
            "A",
            commitments=[
                COMMITMENT(
                    id="c1",
                    title="Before",
                    instrument="proposal",
                    status="proposed",
                    mutual_defence="no",
                    order={"before": "event", "note": "even before the summit"},
                    summary="Proposed.",
                    citations=CITE,
                )
            ],
        )
    )
    [ordered] = chronology(base).ordered
    assert ordered.against == "Summit" and ordered.order is not None
    assert ordered.order.before == "event"


def test_an_earlier_event_the_sources_date_is_placed_among_the_dated_items() -> None:
    # A year a source gives (a 2008 summit) is shown in its place, before the edition's event;
    # one given without a year cannot be placed and is counted.
    background = [
        PastEvent(
            name="Summit, Bucharest", date=day("2008"), text="No *date* given.", citations=CITE
        ),
        PastEvent(name="Talks", date=day("--02-16"), text="Held.", citations=CITE),
    ]
    base = facts(
        actor("a", "A", commitments=[commitment("c1", day("2023-07-11"))]),
        summit=day("2023-07-11/2023-07-12"),
        background=background,
    )
    found = chronology(base)
    assert [(e.kind, e.label) for e in found.dated] == [
        ("event", "Summit, Bucharest: No date given."),
        ("commitment", "An agreement"),
        ("event", "Summit, Somewhere"),
    ]
    assert found.dated[0].actor is None and found.dated[0].fact_id is None
    # Printed nowhere else, the earlier event carries its own citations to its row.
    assert found.dated[0].citations == tuple(CITE) and not found.dated[1].citations
    assert found.unplaced == 1 and not found.day_only


def test_what_is_left_out_is_said_by_kind() -> None:
    base = facts(
        actor("a", "A", commitments=[commitment("c1", None), commitment("c2", None)]),
        summit=day("2023-07"),
    )
    found = chronology(base)
    found.left_out["position"] += 3
    found.left_out["statement"] += 1
    assert found.unplaced == 6
    assert found.left_out_words() == "2 instruments, 3 positions and 1 statement"


def test_what_rests_only_on_a_source_set_aside_is_counted_not_placed() -> None:
    """A date from a source the desk sets aside is one it does not trust: the item is counted
    apart, and one that another source also cites keeps its place."""
    doubted = Citation(source="late", quote="words from the later text")
    alone = commitment("c1", day("2023-02-16"))
    alone = alone.model_copy(update={"citations": [doubted]})
    backed = commitment("c2", day("2023-03-01"), title="Another")
    backed = backed.model_copy(update={"citations": [doubted, *CITE]})
    base = facts(actor("a", "A", commitments=[alone, backed]), summit=day("2023-07"))
    late = base.sources[0].model_copy(
        update={"id": "late", "file": "late.txt", "set_aside": "it postdates the summit."}
    )
    base = base.model_copy(update={"sources": [*base.sources, late]})
    found = chronology(base)
    assert [e.fact_id for e in found.dated if e.fact_id] == ["c2"]
    assert found.set_aside_words() == "1 instrument" and found.unplaced == 0


def test_rows_of_one_date_print_it_once(mini: Project) -> None:
    """The pact and Quill's statement share a month: the date is printed on the first of
    their rows only, and the summit's own date on its row."""
    month = (
        'date: {value: "2031-03", basis: inferred, '
        "note: \"Said 'on Tuesday'; month inferred from the dateline.\"}"
    )
    edit(
        mini.actors / "south.yaml", "    status: proposed\n", f"    status: proposed\n    {month}\n"
    )
    checked, facts, plan = checked_facts(mini)
    site = render_site(facts, mini, plan, checked.texts)
    overview = next(b for b in site.briefs if b.kind == "overview")
    dated = overview.body.split('<table class="chronology')[1].split("<tbody>")[1]
    whens = re.findall(r'<td data-label="When">(.*?)</td>', dated.split("</tbody>")[0], re.S)
    assert "March 2031" in whens[0] and whens[1] == "" and "May 2031" in whens[2], whens


def test_what_is_left_out_is_counted_in_the_desks_own_word() -> None:
    """A desk that calls its commitments "NDC pledges" reads that word in the count, as its
    principal's note names them: "2 NDC pledges", not "2 commitments"."""
    base = facts(
        actor("a", "A", commitments=[commitment("c1", None), commitment("c2", None)]),
        summit=day("2023-07"),
    )

    def counted_as(**words: str) -> str:
        given = base.vocabulary.words.model_copy(update=words)
        vocabulary = base.vocabulary.model_copy(update={"words": given})
        return chronology(base.model_copy(update={"vocabulary": vocabulary})).left_out_words()

    assert counted_as(commitment="NDC pledge") == "2 NDC pledges"
    assert counted_as(commitment="Instrument") == "2 instruments"
    assert counted_as(commitment="Party") == "2 parties"
    assert counted_as(commitment="Security Guarantee") == "2 security guarantees"
    assert counted_as(commitment="Process") == "2 processes"
    # Where the English rule bends the wrong word, the desk says how.
    plural = {"commitment": "Pledge of support", "commitment_plural": "pledges of support"}
    assert counted_as(**plural) == "2 pledges of support"


def test_the_line_under_the_timeline_says_what_it_leaves_out_in_every_case() -> None:
    """One sentence, for the page and the Word file alike: a clause under a table that holds
    every dated or ordered item; the counts where there is no table."""
    base = facts(actor("a", "A", commitments=[commitment("c1", day("2023-05"))]))
    placed = chronology(base)
    assert placed and placed.left_out_line() == ""
    placed.left_out["position"] += 2
    assert placed.left_out_line() == "The sources date or order nothing else on record."
    placed.set_aside["commitment"] += 1
    assert placed.left_out_line() == (
        "The sources date or order nothing else on record; what rests only on a source set "
        "aside is left out."
    )
    placed.left_out.clear()
    assert placed.left_out_line() == "What rests only on a source set aside is left out."
    bare = chronology(facts(actor("a", "A", commitments=[commitment("c1", None)])))
    assert not bare and bare.left_out_line() == "The sources neither date nor order 1 instrument."
    bare.set_aside["commitment"] += 1
    assert bare.left_out_line() == (
        "The sources neither date nor order 1 instrument; what they date or order "
        "(1 instrument) rests only on a source set aside."
    )
    bare.left_out.clear()
    assert bare.left_out_line() == (
        "What the sources date or order (1 instrument) rests only on a source set aside."
    )
