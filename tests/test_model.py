"""The pydantic model: dates keep their precision, codes are real, unknown keys are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from briefing.core.project import Project
from briefing.editions.released import numbers
from briefing.factbase.model import EDITION_NUMBER_MAX, Citation, FuzzyDate, UserCode
from briefing.factbase.vocabulary import specialise
from tests.conftest import fixture_models


@pytest.mark.parametrize(
    ("value", "precision", "shown"),
    [
        ("2023", "year", "2023"),
        ("2023-07", "month", "July 2023"),
        ("2023-07-11", "day", "11 July 2023"),
    ],
)
def test_date_keeps_only_known_precision(value: str, precision: str, shown: str) -> None:
    date = FuzzyDate(value=value, basis="stated")
    assert date.precision == precision
    assert date.display() == shown


@pytest.mark.parametrize("value", ["2023-02-30", "2023-13", "23-07-11", "July 2023", "2023-7"])
def test_impossible_or_malformed_dates_are_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        FuzzyDate(value=value, basis="stated")


def test_inferred_date_needs_a_note() -> None:
    with pytest.raises(ValidationError, match="inferred date needs a 'note'"):
        FuzzyDate(value="2023-07", basis="inferred")
    assert FuzzyDate(value="2023-07", basis="inferred", note="from context").basis == "inferred"


def test_country_code_is_validated_with_pycountry() -> None:
    actor = fixture_models().actor
    assert actor(id="pl", name="Poland", kind="country", code="pl").code == "PL"
    with pytest.raises(ValidationError, match="not an ISO 3166-1 alpha-2"):
        actor(id="xx", name="Nowhere", kind="country", code="XQ")
    with pytest.raises(ValidationError, match="needs its ISO"):
        actor(id="pl", name="Poland", kind="country")
    with pytest.raises(ValidationError, match="kind 'organisation' has no 'code'"):
        actor(id="nato", name="NATO", kind="organisation", code="BE")
    with pytest.raises(ValidationError, match="'country' or 'organisation'"):
        actor(id="x", name="X", kind="planet")


def test_code_rules_come_from_the_vocabulary() -> None:
    models = fixture_models()
    vocab = models.vocabulary.model_copy(deep=True)
    kinds = vocab.lists["actor_kind"].terms
    kinds.append(kinds[0].model_copy(update={"id": "state", "code": "iso-3166-2"}))
    vocab.codes.append(UserCode(code="XK", name="Kosovo"))
    actor = specialise(vocab).actor
    assert actor(id="ca", name="California", kind="state", code="us-ca").code == "US-CA"
    with pytest.raises(ValidationError, match="not an ISO 3166-2 code"):
        actor(id="zz", name="Nowhere", kind="state", code="US-ZZ")
    assert actor(id="xk", name="Kosovo", kind="country", code="XK").code == "XK"


def test_unknown_keys_are_refused_everywhere() -> None:
    with pytest.raises(ValidationError, match="extra"):
        Citation.model_validate({"source": "a", "quote": "long enough quote", "page": 3})


def test_commitment_needs_a_citation() -> None:
    commitment = fixture_models().commitment
    data: dict[str, object] = {
        "id": "c1",
        "title": "Pact",
        "instrument": "declaration",
        "status": "signed",
        "mutual_defence": "not stated",
        "summary": "A pact.",
        "citations": [],
    }
    with pytest.raises(ValidationError, match="at least 1"):
        commitment.model_validate(data)
    data["citations"] = [{"source": "s", "quote": "words from the source"}]
    assert commitment.model_validate(data).citations[0].source == "s"
    data["mutual_defence"] = "perhaps"
    with pytest.raises(ValidationError, match="'yes', 'no' or 'not stated'"):
        commitment.model_validate(data)


def test_ids_are_short_and_readable() -> None:
    with pytest.raises(ValidationError):
        Citation(source="Not An Id", quote="long enough quote")


def test_the_largest_edition_number_names_a_folder_that_editions_lists(tmp_path: Path) -> None:
    # A number the model accepts but whose editions/N/ folder the index skipped would be
    # released and then never listed.
    project = Project.at(tmp_path)
    (project.editions / str(EDITION_NUMBER_MAX)).mkdir(parents=True)
    (project.editions / str(EDITION_NUMBER_MAX + 1)).mkdir()
    assert numbers(project) == [EDITION_NUMBER_MAX]
