"""The model of a fact base: pydantic v2 classes, strict about shape, generous in their docs.

Field descriptions are written for curators: they become hover text in editors (JSON Schema).
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from typing import Annotated, Literal

import pycountry
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
Id = Annotated[
    str,
    Field(
        pattern=ID_PATTERN,
        description="Short readable id: lower-case letters, digits, '-' or '_' (e.g. 'duda').",
    ),
]
Markdown = Annotated[
    str,
    Field(
        min_length=1,
        description="Text in our own words; Markdown emphasis and links allowed, raw HTML is not.",
    ),
]

Reliability = Literal["A", "B", "C", "D", "E", "F"]
Confidence = Literal["low", "moderate", "high"]
Precision = Literal["year", "month", "day"]
Basis = Literal["stated", "inferred"]

Instrument = Literal[
    "bilateral agreement",
    "declaration",
    "joint statement",
    "support package",
    "security partnership",
    "plan",
    "proposal",
    "initiative",
]
Status = Literal[
    "proposed",
    "under negotiation",
    "expected",
    "agreed",
    "signed",
    "in force",
    "reported",
]
Element = Literal[
    "arms",
    "intelligence",
    "training",
    "technology",
    "finance",
    "consultation",
    "military cooperation",
    "modernisation",
    "infrastructure",
    "political",
]
MutualDefence = Literal["yes", "no", "not stated"]
Stance = Literal[
    "seeks",
    "supports",
    "supports with conditions",
    "cautious",
    "opposes",
    "undecided",
]
STANCES: tuple[str, ...] = typing.get_args(Stance)
Channel = Literal[
    "interview",
    "briefing",
    "statement",
    "telegram",
    "facebook",
    "press report",
    "speech",
    "phone call",
    "meeting",
]


class Strict(BaseModel):
    """Base for every model: unknown keys are errors, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# ISO 8601's year-less form: sources often give a day and month but no year.
_NO_YEAR_RE = re.compile(r"^--(\d{2})-(\d{2})$")

# The same shapes for editors (JSON Schema). They cannot know the calendar (2023-02-30 passes
# the pattern), so the validators below stay the authority; the patterns only catch typos early.
_MONTH = "(0[1-9]|1[0-2])"
_DAY = "(0[1-9]|[12][0-9]|3[01])"
FUZZY_DATE_PATTERN = f"^([0-9]{{4}}(-{_MONTH}(-{_DAY})?)?|--{_MONTH}-{_DAY})$"
DAY_PATTERN = f"^[0-9]{{4}}-{_MONTH}-{_DAY}$"


class FuzzyDate(Strict):
    """A date with only the precision that is known, and whether a source states it."""

    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"basis": {"const": "inferred"}}, "required": ["basis"]},
            "then": {
                "required": ["note"],
                "properties": {"note": {"type": "string", "minLength": 1}},
            },
        }
    )

    value: str = Field(
        description=(
            "YYYY, YYYY-MM or YYYY-MM-DD: write only the parts that are known; "
            "'--MM-DD' when a source gives day and month but no year. "
            "Quote a bare year (value: '2023') so YAML keeps it as text."
        ),
        examples=["'2023'", "2023-07", "2023-07-11", "'--02-16'"],
        json_schema_extra={"pattern": FUZZY_DATE_PATTERN},
    )
    basis: Basis = Field(
        description="'stated' if the source gives this date; 'inferred' if you worked it out.",
    )
    note: str | None = Field(
        default=None,
        description="How an inferred date was worked out, or what the source actually says.",
    )

    @field_validator("value")
    @classmethod
    def _real_date(cls, value: str) -> str:
        no_year = _NO_YEAR_RE.match(value)
        if no_year:
            no_year_month, no_year_day = (int(part) for part in no_year.groups())
            try:
                dt.date(2000, no_year_month, no_year_day)  # a leap year, so that --02-29 is allowed
            except ValueError:
                raise ValueError(f"{value} is not a real day of the year") from None
            return value
        match = _DATE_RE.match(value)
        if not match:
            raise ValueError("write the date as YYYY, YYYY-MM, YYYY-MM-DD or '--MM-DD'")
        year, month, day = match.groups()
        if month and not 1 <= int(month) <= 12:
            raise ValueError(f"month {month} does not exist")
        if day:
            try:
                dt.date(int(year), int(month), int(day))
            except ValueError:
                raise ValueError(f"{value} is not a real date") from None
        return value

    @model_validator(mode="after")
    def _inferred_needs_note(self) -> FuzzyDate:
        if self.basis == "inferred" and not self.note:
            raise ValueError("an inferred date needs a 'note' saying what it is inferred from")
        return self

    @property
    def has_year(self) -> bool:
        """False for the year-less '--MM-DD' form."""
        return not self.value.startswith("--")

    @property
    def precision(self) -> Precision:
        if not self.has_year:
            return "day"
        precisions: tuple[Precision, ...] = ("year", "month", "day")
        return precisions[self.value.count("-")]

    @property
    def sort_key(self) -> str:
        return self.value

    def display(self) -> str:
        """The date as a reader sees it, no more precise than it is known."""
        no_year = _NO_YEAR_RE.match(self.value)
        if no_year:
            month_no, day_no = (int(part) for part in no_year.groups())
            month_name = dt.date(2000, month_no, 1).strftime("%B")
            return f"{day_no} {month_name} (year not stated)"
        match = _DATE_RE.match(self.value)
        assert match
        year, month, day = match.groups()
        if not month:
            return year
        name = dt.date(2000, int(month), 1).strftime("%B")
        if not day:
            return f"{name} {year}"
        return f"{int(day)} {name} {year}"


class Citation(Strict):
    """Words from a source that prove a claim. The check finds them in the source file."""

    source: Id = Field(description="Id of a source in facts/sources.yaml.")
    quote: str = Field(
        min_length=8,
        description="Verbatim words from the source file; line breaks and curly quotes may vary.",
    )
    note: str | None = Field(default=None, description="Optional remark on how the quote is used.")
    lang: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
        description="Language of the quote (BCP 47, e.g. 'uk') when not the brief's language.",
    )


Citations = Annotated[
    list[Citation],
    Field(min_length=1, description="At least one source quote that supports this entry."),
]


class Question(Strict):
    """A question on which every actor's summit position is recorded."""

    id: Id = Field(description="Id that positions name in their 'question:' key.")
    label: str = Field(description="Short label for the stance matrix column.")
    text: str = Field(description="The question in full, as the brief asks it.")


class Summit(Strict):
    """The event the briefs prepare for."""

    name: str = Field(description="Name of the event, e.g. 'NATO summit'.")
    place: str = Field(description="Where it takes place.")
    date: FuzzyDate | None = Field(default=None, description="When it takes place, if known.")


class Edition(Strict):
    """Metadata printed on every brief: what, for which event, as of when, for whom."""

    title: str = Field(description="Title of the briefing set.")
    subtitle: str | None = Field(default=None, description="One line under the title.")
    summit: Summit = Field(description="The event the briefs prepare for: name, place, date.")
    as_of: str = Field(
        description="Date of the information cut-off, YYYY-MM-DD.",
        json_schema_extra={"pattern": DAY_PATTERN},
    )
    number: int = Field(ge=1, description="Edition number, increasing with each release.")
    marking: str = Field(description="Distribution marking printed on every page.")
    publisher: str = Field(description="Who issues the briefs.")
    language: str = Field(default="en", description="BCP 47 language tag of the briefs.")
    questions: list[Question] = Field(
        min_length=1, description="Questions that summit positions answer (stance matrix)."
    )

    @field_validator("as_of")
    @classmethod
    def _as_of_is_day(cls, value: str) -> str:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("as_of must be a real day, YYYY-MM-DD") from None
        return value


class Source(Strict):
    """A text in facts/sources/ and what we know about who published it."""

    id: Id = Field(description="Id that citations name in their 'source:' key.")
    file: str = Field(description="File name inside facts/sources/, e.g. '004_e8bc.txt'.")
    title: str = Field(description="Headline or, if none, a short description of the text.")
    outlet: str = Field(
        description="Outlet exactly as the text names it, even if the name looks garbled."
    )
    date: FuzzyDate | None = Field(default=None, description="Publication date, if known.")
    reliability: Reliability = Field(
        description="Admiralty grade of the source: A reliable … E unreliable, F cannot judge."
    )
    reliability_note: str = Field(description="One line on why this grade.")
    notes: str | None = Field(default=None, description="Curator's notes on the text.")
    furniture: list[str] = Field(
        default_factory=list,
        description=(
            "Lines of page furniture that need no citation (navigation, 'Next Article', "
            "headlines of unrelated articles), copied exactly; coverage shows them apart."
        ),
    )


class Person(Strict):
    """Someone whose words or actions are recorded."""

    id: Id = Field(description="Id that statements and positions name as 'speaker:'.")
    name: str = Field(description="Full name as it should be printed.")
    role: str = Field(description="Role at the time of the statements, e.g. 'President'.")
    actor: Id = Field(description="Id of the actor (country or organisation) they speak for.")


class Judgment(Strict):
    """A key judgment for the bottom line up front."""

    text: Markdown = Field(description="The judgment, one or two sentences, in our words.")
    confidence: Confidence = Field(description="low, moderate or high: what the evidence supports.")
    citations: Citations


class OpenQuestion(Strict):
    """A gap, conflict or inconsistency in the record that readers must know about."""

    text: Markdown = Field(description="What is missing, unclear or contradictory.")
    citations: list[Citation] = Field(
        default_factory=list, description="Quotes that show the gap or the contradiction."
    )


class Commitment(Strict):
    """An instrument by which an actor commits, or proposes to commit, to another's security."""

    id: Id = Field(description="Unique id across all actors, e.g. 'pl-assurances-proposal'.")
    title: str = Field(description="Short name of the instrument, in our words.")
    instrument: Instrument = Field(
        description="Kind of instrument; record what it is, do not upgrade an assurance."
    )
    status: Status = Field(description="Where the instrument stands, as the source reports it.")
    parties: list[Id] = Field(
        default_factory=list, description="Ids of the other actors party to it."
    )
    date: FuzzyDate | None = Field(default=None, description="When it was made or signed.")
    duration: str | None = Field(default=None, description="e.g. '10 years', as stated.")
    elements: list[Element] = Field(
        default_factory=list, description="What it contains: arms, intelligence, training …"
    )
    mutual_defence: MutualDefence = Field(
        description="Does it oblige the parties to defend each other? 'not stated' if unknown."
    )
    summary: Markdown = Field(description="What the instrument does, in our words.")
    citations: Citations


class Position(Strict):
    """An actor's stance on one of the edition's questions."""

    id: Id = Field(description="Unique id across all actors, e.g. 'pl-guarantees'.")
    question: Id = Field(description="Id of a question in facts/edition.yaml.")
    stance: Stance = Field(description="The actor's answer to the question.")
    summary: Markdown = Field(description="The position in our words.")
    speaker: Id | None = Field(default=None, description="Id of the person who stated it.")
    date: FuzzyDate | None = Field(default=None, description="When it was stated.")
    citations: Citations


class Statement(Strict):
    """Something a person said, with how it reached us."""

    id: Id = Field(description="Unique id across all actors, e.g. 'pl-duda-israeli-formula'.")
    speaker: Id = Field(description="Id of a person in facts/people.yaml.")
    date: FuzzyDate | None = Field(default=None, description="When it was said.")
    channel: Channel | None = Field(default=None, description="Where it was said.")
    audience: str | None = Field(default=None, description="To whom, or at which event.")
    reported_by: str | None = Field(
        default=None, description="Outlet that reported it, as the source names it."
    )
    summary: Markdown = Field(description="What was said, in our words.")
    citations: Citations


class Actor(Strict):
    """A country or organisation, with everything recorded about it."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"kind": {"const": "country"}}, "required": ["kind"]},
                    "then": {"required": ["code"], "properties": {"code": {"type": "string"}}},
                },
                {
                    "if": {
                        "properties": {"kind": {"const": "organisation"}},
                        "required": ["kind"],
                    },
                    "then": {"properties": {"code": {"type": "null"}}},
                },
            ]
        }
    )

    id: Id = Field(description="Same as the file name: facts/actors/<id>.yaml.")
    name: str = Field(description="Name as printed in the briefs, e.g. 'Poland'.")
    kind: Literal["country", "organisation"] = Field(
        description="'country' (needs a 'code') or 'organisation' (has none)."
    )
    role: Literal["principal", "mentioned"] = Field(
        default="principal",
        description=(
            "'principal' if the actor commits, proposes, seeks or takes a position (it gets a "
            "brief); 'mentioned' if the sources only name it in passing (no brief, but it can "
            "be a party, a speaker's actor, and hold the statements of its people)."
        ),
    )
    code: str | None = Field(
        default=None,
        description="ISO 3166-1 alpha-2 code for a country, e.g. 'PL'; none for organisations.",
        json_schema_extra={"pattern": "^[A-Za-z]{2}$"},
    )
    bluf: list[Judgment] = Field(
        default_factory=list, description="Bottom line up front: two to four key judgments."
    )
    positions: list[Position] = Field(
        default_factory=list, description="Summit positions: one per question in edition.yaml."
    )
    no_position: str | None = Field(
        default=None,
        description=(
            "Why no summit position is recorded, e.g. 'The sources state none.' "
            "Printed in the brief in place of positions; silences the check's warning."
        ),
    )
    commitments: list[Commitment] = Field(
        default_factory=list, description="Guarantee commitments: agreements, packages, proposals."
    )
    statements: list[Statement] = Field(
        default_factory=list, description="Key statements: who said what, when, where."
    )
    open_questions: list[OpenQuestion] = Field(
        default_factory=list, description="Gaps and inconsistencies in the record."
    )

    @field_validator("code")
    @classmethod
    def _iso_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if pycountry.countries.get(alpha_2=value.upper()) is None or len(value) != 2:
            raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code")
        return value.upper()

    @model_validator(mode="after")
    def _country_has_code(self) -> Actor:
        if self.kind == "country" and not self.code:
            raise ValueError("a country needs its ISO 3166-1 alpha-2 'code'")
        if self.kind == "organisation" and self.code:
            raise ValueError("an organisation has no country 'code'")
        return self


class Overview(Strict):
    """The overview brief's own judgments and open questions, across actors."""

    bluf: list[Judgment] = Field(
        default_factory=list, description="Key judgments across all actors, each cited."
    )
    open_questions: list[OpenQuestion] = Field(
        default_factory=list, description="Gaps and inconsistencies across actors."
    )


class SourceList(Strict):
    """Contents of facts/sources.yaml."""

    sources: list[Source] = Field(description="One entry per text file in facts/sources/.")


class PeopleList(Strict):
    """Contents of facts/people.yaml."""

    people: list[Person] = Field(description="Everyone named as a speaker.")


class FactBase(Strict):
    """Everything the briefs are made from, validated and cross-checked."""

    edition: Edition
    overview: Overview
    sources: list[Source]
    people: list[Person]
    actors: list[Actor]

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)

    def person(self, person_id: str) -> Person:
        return next(p for p in self.people if p.id == person_id)

    def actor(self, actor_id: str) -> Actor:
        return next(a for a in self.actors if a.id == actor_id)
