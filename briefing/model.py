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


class FuzzyDate(Strict):
    """A date with only the precision that is known, and whether a source states it."""

    value: str = Field(
        description="YYYY, YYYY-MM or YYYY-MM-DD: write only the parts that are known.",
        examples=["2023", "2023-07", "2023-07-11"],
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
        match = _DATE_RE.match(value)
        if not match:
            raise ValueError("write the date as YYYY, YYYY-MM or YYYY-MM-DD")
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
    def precision(self) -> Precision:
        precisions: tuple[Precision, ...] = ("year", "month", "day")
        return precisions[self.value.count("-")]

    @property
    def sort_key(self) -> str:
        return self.value

    def display(self) -> str:
        """The date as a reader sees it, no more precise than it is known."""
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

    id: Id
    label: str = Field(description="Short label for the stance matrix column.")
    text: str = Field(description="The question in full, as the brief asks it.")


class Summit(Strict):
    """The event the briefs prepare for."""

    name: str
    place: str
    date: FuzzyDate | None = None


class Edition(Strict):
    """Metadata printed on every brief: what, for which event, as of when, for whom."""

    title: str = Field(description="Title of the briefing set.")
    subtitle: str | None = None
    summit: Summit
    as_of: str = Field(description="Date of the information cut-off, YYYY-MM-DD.")
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

    id: Id
    file: str = Field(description="File name inside facts/sources/.")
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


class Person(Strict):
    """Someone whose words or actions are recorded."""

    id: Id
    name: str
    role: str = Field(description="Role at the time of the statements, e.g. 'President'.")
    actor: Id = Field(description="Id of the actor (country or organisation) they speak for.")


class Judgment(Strict):
    """A key judgment for the bottom line up front."""

    text: Markdown
    confidence: Confidence = Field(description="low, moderate or high: what the evidence supports.")
    citations: Citations


class OpenQuestion(Strict):
    """A gap, conflict or inconsistency in the record that readers must know about."""

    text: Markdown
    citations: list[Citation] = Field(default_factory=list)


class Commitment(Strict):
    """An instrument by which an actor commits, or proposes to commit, to Ukraine's security."""

    id: Id
    title: str = Field(description="Short name of the instrument, in our words.")
    instrument: Instrument
    status: Status = Field(description="Where the instrument stands, as the source reports it.")
    parties: list[Id] = Field(
        default_factory=list, description="Ids of the other actors party to it."
    )
    date: FuzzyDate | None = None
    duration: str | None = Field(default=None, description="e.g. '10 years', as stated.")
    elements: list[Element] = Field(
        default_factory=list, description="What it contains: arms, intelligence, training …"
    )
    mutual_defence: MutualDefence = Field(
        description="Does it oblige the parties to defend each other? 'not stated' if unknown."
    )
    summary: Markdown
    citations: Citations


class Position(Strict):
    """An actor's stance on one of the edition's questions."""

    id: Id
    question: Id = Field(description="Id of a question in facts/edition.yaml.")
    stance: Stance
    summary: Markdown
    speaker: Id | None = Field(default=None, description="Id of the person who stated it.")
    date: FuzzyDate | None = None
    citations: Citations


class Statement(Strict):
    """Something a person said, with how it reached us."""

    id: Id
    speaker: Id = Field(description="Id of a person in facts/people.yaml.")
    date: FuzzyDate | None = None
    channel: Channel | None = Field(default=None, description="Where it was said.")
    audience: str | None = Field(default=None, description="To whom, or at which event.")
    reported_by: str | None = Field(
        default=None, description="Outlet that reported it, as the source names it."
    )
    summary: Markdown
    citations: Citations


class Actor(Strict):
    """A country or organisation, with everything recorded about it."""

    id: Id
    name: str
    kind: Literal["country", "organisation"]
    code: str | None = Field(
        default=None, description="ISO 3166-1 alpha-2 code for a country, e.g. 'PL'."
    )
    bluf: list[Judgment] = Field(default_factory=list, description="Two to four key judgments.")
    positions: list[Position] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    statements: list[Statement] = Field(default_factory=list)
    open_questions: list[OpenQuestion] = Field(default_factory=list)

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

    bluf: list[Judgment] = Field(default_factory=list)
    open_questions: list[OpenQuestion] = Field(default_factory=list)


class SourceList(Strict):
    """Contents of facts/sources.yaml."""

    sources: list[Source]


class PeopleList(Strict):
    """Contents of facts/people.yaml."""

    people: list[Person]


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
