"""Time in the record: positions that move, spans of dates, commitments shared by parties."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from briefing.cli import main
from briefing.core.project import Project
from briefing.factbase.model import FuzzyDate
from tests.editing_fixture import edit, messages

EARLIER = """\
  - id: council-membership-early
    question: membership
    stance: cautious
    speaker: kalyna
    date: {value: "2031-02", basis: stated}
    summary: Weighed membership before the dispute.
    citations:
      - source: harbour
        quote: the council "cannot offer membership while the dispute lasts"
"""


def add_earlier_position(project: Project, latest_date: str | None = "2031-03-14") -> None:
    council = project.actors / "council.yaml"
    if latest_date:
        edit(
            council,
            "    speaker: kalyna\n    summary: No membership",
            f'    speaker: kalyna\n    date: {{value: "{latest_date}", basis: stated}}\n'
            "    summary: No membership",
        )
    edit(council, "positions:\n", "positions:\n" + EARLIER)


def test_the_matrix_shows_the_latest_answer_and_what_it_was(mini: Project) -> None:
    add_earlier_position(mini)
    assert messages(mini) == []
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 0
    overview = (mini.build / "html" / "note.html").read_text(encoding="utf-8")  # the matrix
    row = overview.split('href="council.html"')[1].split("</tr>")[0]
    assert "answer-opposes" in row and "answer-cautious" not in row
    assert re.search(r"since 14 March 2031; was cautious \(February 2031\)", row)
    brief = (mini.build / "html" / "council.html").read_text(encoding="utf-8")
    # The history, oldest first, the latest marked current.
    early = brief.index('id="council-fact-council-membership-early"')
    late = brief.index('id="council-fact-council-membership"')
    assert early < late
    assert "February 2031 · earlier" in brief and "14 March 2031 · current" in brief


def test_a_position_without_date_is_ordered_by_as_of(mini: Project) -> None:
    add_earlier_position(mini, latest_date=None)
    edit(
        mini.actors / "council.yaml",
        "    summary: No membership",
        '    as_of: {value: "2031-04-01", basis: stated}\n    summary: No membership',
    )
    assert messages(mini) == []
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 0
    overview = (mini.build / "html" / "note.html").read_text(encoding="utf-8")  # the matrix
    assert "since 1 April 2031; was cautious" in overview


def test_two_positions_on_one_question_and_date_are_an_error(mini: Project) -> None:
    add_earlier_position(mini, latest_date="2031-02")
    [problem] = messages(mini)
    assert "two positions on 'membership' dated 2031-02" in problem
    assert problem.startswith("facts/actors/council.yaml:")


def test_two_undated_positions_on_one_question_are_an_error(mini: Project) -> None:
    add_earlier_position(mini, latest_date=None)
    edit(mini.actors / "council.yaml", '    date: {value: "2031-02", basis: stated}\n', "")
    [problem] = messages(mini)
    assert "two positions on 'membership' without a date" in problem


def test_no_position_together_with_positions_is_an_error(mini: Project) -> None:
    edit(
        mini.actors / "council.yaml",
        "kind: organisation\n",
        "kind: organisation\nno_position: None stated.\n",
    )
    [problem] = messages(mini)
    assert problem.startswith("facts/actors/council.yaml:4:1: error: actor 'council' has")


def test_a_span_of_days_is_a_date() -> None:
    summit = FuzzyDate(value="2031-07-11/2031-07-12", basis="stated")
    assert summit.display() == "11–12 July 2031"
    assert summit.is_interval and summit.precision == "day"
    start, end = summit.span()
    assert (start.day, end.day) == (11, 13)
    assert FuzzyDate(value="2031-06/2031-08", basis="stated").display() == (
        "June 2031 – August 2031"
    )
    for wrong in ("2031-07-12/2031-07-11", "2031/--02-16", "2031/2032/2033"):
        with pytest.raises(ValidationError):
            FuzzyDate(value=wrong, basis="stated")


def test_a_two_day_event_is_drawn_as_a_span(mini: Project) -> None:
    edit(
        mini.facts / "edition.yaml",
        'date: {value: "2031-05", basis: stated}',
        'date: {value: "2031-05-11/2031-05-12", basis: stated}',
    )
    assert messages(mini) == []
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 0
    overview = (mini.build / "html" / "note.html").read_text(encoding="utf-8")  # the matrix
    assert "11–12 May 2031" in overview


def test_a_commitment_shows_in_every_principal_party_brief(mini: Project) -> None:
    edit(
        mini.actors / "south.yaml",
        "    title: Ten-year defence pact\n",
        ("    title: Ten-year defence pact\n    parties: [council]\n"),
    )
    assert messages(mini) == []
    assert main(["--root", str(mini.root), "build", "--no-pdf"]) == 0
    council = (mini.build / "html" / "council.html").read_text(encoding="utf-8")
    # A party's chapter does not list it, nor count it in a line of its own: it holds none,
    # so it has no commitments section ...
    assert "party-to" not in council and 'id="council-commitments-h"' not in council
    assert "Ten-year defence pact" not in council
    south = (mini.build / "html" / "south.html").read_text(encoding="utf-8")
    assert "Ten-year defence pact" in south and "party-to" not in south
    # ... and the note prints it in full, once, naming the party.
    note = (mini.build / "html" / "note.html").read_text(encoding="utf-8")
    assert note.count("Ten-year defence pact") == 1
    card = note.split('id="note-fact-south-pact"')[1].split('class="summary"')[0]
    assert "with Harbour Council" in card


@pytest.mark.parametrize(("typed", "meant"), [("hc", "council"), ("sou", "south")])
def test_an_unknown_party_gets_the_actor_it_probably_means(
    mini: Project, typed: str, meant: str
) -> None:
    edit(
        mini.actors / "south.yaml",
        "    title: Ten-year defence pact\n",
        (f"    title: Ten-year defence pact\n    parties: [{typed}]\n"),
    )
    [problem] = messages(mini)
    assert f"unknown actor '{typed}'" in problem and f"did you mean '{meant}'" in problem


def test_a_quote_error_is_reported_beside_a_validation_error(mini: Project) -> None:
    council = mini.actors / "council.yaml"
    edit(council, "stance: opposes", "stance: oposes")
    edit(
        council,
        "    summary: No membership offer while the dispute lasts.\n    citations:\n"
        "      - source: harbour\n"
        '        quote: the council "cannot offer membership while the dispute lasts"',
        "    summary: No membership offer while the dispute lasts.\n    citations:\n"
        '      - source: harbour\n        quote: the council "will offer membership"',
    )
    found = messages(mini)
    assert any("'oposes' is not allowed here" in m for m in found)
    assert any("quote not found in source 'harbour'" in m for m in found)


@pytest.mark.parametrize(
    ("typed", "meant", "name", "code"),
    [("uk", "gb", "United Kingdom", "GB"), ("ja", "jp", "Japan", "JP")],
)
def test_what_curators_type_for_a_country_finds_its_id(
    mini: Project, typed: str, meant: str, name: str, code: str
) -> None:
    (mini.actors / f"{meant}.yaml").write_text(
        f"id: {meant}\nname: {name}\nkind: country\ncode: {code}\nrole: mentioned\n",
        encoding="utf-8",
    )
    edit(
        mini.actors / "south.yaml",
        "    title: Ten-year defence pact\n",
        (f"    title: Ten-year defence pact\n    parties: [{typed}]\n"),
    )
    [problem] = messages(mini)
    assert f"unknown actor '{typed}'" in problem
    assert f"did you mean '{meant}' ({name})?" in problem
