"""The shipped fact base: complete, clean, and honest about what the sources say."""

from __future__ import annotations

import pytest

from briefing.check import run_check
from briefing.model import FactBase
from briefing.project import Project
from briefing.render import actor_order
from tests.conftest import REPO

REQUIRED_PRINCIPALS = {"ua", "pl", "lt", "us", "fr", "de", "gb", "nato"}


@pytest.fixture(scope="module")
def facts() -> FactBase:
    base, problems = run_check(Project.at(REPO))
    assert base is not None, [p.format() for p in problems]
    return base.facts


def test_check_gives_no_errors_and_no_warnings(repo_project: Project) -> None:
    base, problems = run_check(repo_project)
    assert base is not None
    assert [p.format() for p in problems] == []


def test_required_actors_have_briefs(facts: FactBase) -> None:
    principals = {a.id for a in facts.actors if a.role == "principal"}
    assert principals >= REQUIRED_PRINCIPALS
    assert {a.id for a in actor_order(facts)} == principals


def test_mentioned_actors_take_no_positions_and_get_no_brief(facts: FactBase) -> None:
    mentioned = [a for a in facts.actors if a.role == "mentioned"]
    assert {a.id for a in mentioned} >= {"ru"}
    for actor in mentioned:
        assert not actor.positions and not actor.commitments and not actor.bluf
        assert actor not in actor_order(facts)


def test_every_principal_has_a_position_or_commitment_and_key_judgments(facts: FactBase) -> None:
    for actor in actor_order(facts):
        assert actor.positions or actor.commitments, actor.id
        assert 1 <= len(actor.bluf) <= 4, actor.id
    assert 2 <= len(facts.overview.bluf) <= 4


def test_every_speaker_is_used_and_speaks_for_a_known_actor(facts: FactBase) -> None:
    actors = {a.id for a in facts.actors}
    speakers = {p.speaker for a in facts.actors for p in a.positions if p.speaker}
    speakers |= {s.speaker for a in facts.actors for s in a.statements}
    for person in facts.people:
        assert person.actor in actors
        assert person.id in speakers, f"{person.id} is listed but never speaks"


def test_no_commitment_claims_mutual_defence(facts: FactBase) -> None:
    # No source states a mutual-defence obligation; the "Israeli formula" explicitly excludes one.
    values = {c.id: c.mutual_defence for a in facts.actors for c in a.commitments}
    assert "yes" not in values.values()
    assert values["ua-israeli-formula"] == "no"


def test_dates_without_a_year_in_the_source_have_none(facts: FactBase) -> None:
    agreements = {c.id: c for a in facts.actors for c in a.commitments}
    for cid in ("fr-ua-agreement", "de-ua-agreement"):
        date = agreements[cid].date
        assert date is not None and not date.has_year


def test_garbled_outlets_are_recorded_as_named(facts: FactBase) -> None:
    outlets = " | ".join(s.outlet for s in facts.sources)
    for name in ("DEA News", "Wall Street Magazine", "The Gaze"):
        assert name in outlets
    for source in facts.sources:
        assert source.notes, f"{source.id} needs a curator note"


def test_open_questions_are_recorded(facts: FactBase) -> None:
    assert len(facts.overview.open_questions) >= 3
    assert any("February 16" in q.text for q in facts.overview.open_questions)
