"""The pydantic model: dates keep their precision, codes are real, unknown keys are refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from briefing.model import Actor, Citation, Commitment, FuzzyDate


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
    assert Actor(id="pl", name="Poland", kind="country", code="pl").code == "PL"
    with pytest.raises(ValidationError, match="not an ISO 3166-1 alpha-2"):
        Actor(id="xx", name="Nowhere", kind="country", code="XQ")
    with pytest.raises(ValidationError, match="needs its ISO"):
        Actor(id="pl", name="Poland", kind="country")
    with pytest.raises(ValidationError, match="organisation has no country"):
        Actor(id="nato", name="NATO", kind="organisation", code="BE")


def test_unknown_keys_are_refused_everywhere() -> None:
    with pytest.raises(ValidationError, match="extra"):
        Citation.model_validate({"source": "a", "quote": "long enough quote", "page": 3})


def test_commitment_needs_a_citation() -> None:
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
        Commitment.model_validate(data)
    data["citations"] = [{"source": "s", "quote": "words from the source"}]
    assert Commitment.model_validate(data).citations[0].source == "s"


def test_ids_are_short_and_readable() -> None:
    with pytest.raises(ValidationError):
        Citation(source="Not An Id", quote="long enough quote")
