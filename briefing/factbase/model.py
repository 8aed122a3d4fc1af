"""The model of a fact base: pydantic v2 classes, strict about shape, generous in their docs.

Field descriptions are written for curators: they become hover text in editors (JSON Schema).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

import pycountry
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

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

# A BCP 47 language tag, as far as the briefs need it: 'en', 'fr', 'pt-BR'.
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"

Precision = Literal["year", "month", "day"]
Basis = Literal["stated", "inferred"]
# What of a source's text its PDFs carry (Source.redistribute).
Redistribute = Literal["whole", "excerpts"]

# A word from one of the desk's controlled lists (facts/vocabulary.yaml). The model only knows
# it is text; `briefing.vocabulary.specialise` narrows each such field to the declared words.
Word = Annotated[str, Field(min_length=1)]


# Each part of a quote in parts has at least this many words: "the … not" would prove nothing,
# since short runs of words are found almost anywhere.
MIN_PART_WORDS = 3


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
_SIDE = f"([0-9]{{4}}(-{_MONTH}(-{_DAY})?)?|--{_MONTH}-{_DAY})"
FUZZY_DATE_PATTERN = f"^{_SIDE}(/{_SIDE})?$"
DAY_PATTERN = f"^[0-9]{{4}}-{_MONTH}-{_DAY}$"
# The information cut-off: a day, a month or a year, as precisely as the sources give it.
CUT_OFF_PATTERN = f"^[0-9]{{4}}(-{_MONTH}(-{_DAY})?)?$"

# An edition is released into editions/N/, and `editions.numbers` reads back only folder names
# of at most nine digits: a larger number would be released and then never listed. It also
# keeps the number inside SQLite's 64-bit INTEGER of build/data/facts.sqlite.
EDITION_NUMBER_MAX = 999_999_999


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
            "'--MM-DD' when a source gives day and month but no year; START/END for a span "
            "(a two-day summit: 2023-07-11/2023-07-12), each side with its own precision. "
            "Quote a bare year (value: '2023') so YAML keeps it as text."
        ),
        examples=["'2023'", "2023-07", "2023-07-11", "'--02-16'", "2023-07-11/2023-07-12"],
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
        other_form = iso_date_hint(value)
        if other_form is not None:
            # '01/12/2023' would otherwise read as a broken span.
            raise ValueError(f"dates are written YYYY-MM-DD: {other_form}")
        sides = value.split("/")
        if len(sides) > 2:
            raise ValueError("a span has one '/': START/END")
        for side in sides:
            _check_side(side)
        if len(sides) == 2:
            start, end = sides
            if start.startswith("--") != end.startswith("--"):
                raise ValueError("both ends of a span need a year, or neither")
            if _side_span(start)[0] >= _side_span(end)[1]:
                raise ValueError(f"the span {value} ends before it starts")
        return value

    @model_validator(mode="after")
    def _inferred_needs_note(self) -> FuzzyDate:
        if self.basis == "inferred" and not self.note:
            raise ValueError("an inferred date needs a 'note' saying what it is inferred from")
        return self

    @property
    def is_interval(self) -> bool:
        """True for a span written START/END."""
        return "/" in self.value

    @property
    def start(self) -> str:
        """The date, or the first end of a span, as written."""
        return self.value.split("/")[0]

    @property
    def end(self) -> str:
        """The date, or the last end of a span, as written."""
        return self.value.split("/")[-1]

    @property
    def has_year(self) -> bool:
        """False for the year-less '--MM-DD' form."""
        return not self.value.startswith("--")

    @property
    def precision(self) -> Precision:
        """How precisely the date (the start of a span) is known."""
        if not self.has_year:
            return "day"
        precisions: tuple[Precision, ...] = ("year", "month", "day")
        return precisions[self.start.count("-")]

    def span(self) -> tuple[dt.date, dt.date]:
        """The days the date covers, as [first, after-last): a year, a month, a day, or from
        the start of a span's first end to the end of its last. Year-less dates have none."""
        if not self.has_year:
            raise ValueError(f"{self.value} has no year and covers no known days")
        return _side_span(self.start)[0], _side_span(self.end)[1]

    def display(self) -> str:
        """The date as a reader sees it, no more precise than it is known."""
        if not self.is_interval:
            return _show_side(self.start)
        first, last = _show_side(self.start), _show_side(self.end)
        a, b = _DATE_RE.match(self.start), _DATE_RE.match(self.end)
        if a and b and a.group(3) and b.group(3) and a.group(1, 2) == b.group(1, 2):
            # 11–12 July 2023: one month, written once.
            return f"{int(a.group(3))}–{last}"
        return f"{first} – {last}"


_MONTHS = {dt.date(2000, m, 1).strftime("%B").lower()[:3]: m for m in range(1, 13)}
_NUMERIC_DAY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_NAMED_DAY = re.compile(
    r"^(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+)?(?P<month>[A-Za-z]{3,9})\.?"
    r"(?:\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?)?,?\s+(?P<year>\d{4})$"
)


def iso_date_hint(text: str) -> str | None:
    """How to write a date given in another form ('Dec 1, 2023', '01/12/2023') in ISO form,
    naming the two readings of an all-number date; None when it is not such a date."""
    text = text.strip()
    numeric = _NUMERIC_DAY.match(text)
    if numeric:
        a, b, year = (int(part) for part in numeric.groups())
        readings = []
        for day, month, order in ((a, b, "day first"), (b, a, "month first")):
            try:
                readings.append((dt.date(year, month, day), order))
            except ValueError:
                continue
        if len({day for day, _ in readings}) > 1:
            (first, one), (second, other) = readings
            return (
                f"'{text}' is ambiguous: {_show_side(first.isoformat())} ({one}) or "
                f"{_show_side(second.isoformat())} ({other}); write {first.isoformat()} or "
                f"{second.isoformat()}"
            )
        return f"write {readings[0][0].isoformat()}" if readings else None
    named = _NAMED_DAY.match(text)
    if named:
        month_no = _MONTHS.get(named["month"].lower()[:3])
        day_text = named["d1"] or named["d2"]
        if month_no is None:
            return None
        if day_text is None:
            return f"write {named['year']}-{month_no:02d}"
        try:
            return f"write {dt.date(int(named['year']), month_no, int(day_text)).isoformat()}"
        except ValueError:
            return None
    return None


def _check_side(side: str) -> None:
    """Refuse one date (or one end of a span) that is not a real day, month or year."""
    no_year = _NO_YEAR_RE.match(side)
    if no_year:
        no_year_month, no_year_day = (int(part) for part in no_year.groups())
        try:
            dt.date(2000, no_year_month, no_year_day)  # a leap year, so that --02-29 is allowed
        except ValueError:
            raise ValueError(f"{side} is not a real day of the year") from None
        return
    match = _DATE_RE.match(side)
    if not match:
        raise ValueError(
            "write the date as YYYY, YYYY-MM, YYYY-MM-DD or '--MM-DD', or a span START/END"
        )
    year, month, day = match.groups()
    if month and not 1 <= int(month) <= 12:
        raise ValueError(f"month {month} does not exist")
    if day:
        try:
            dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{side} is not a real date") from None


def _side_span(side: str) -> tuple[dt.date, dt.date]:
    """[first day, day after the last) of one date as written; year-less ones in year 2000."""
    no_year = _NO_YEAR_RE.match(side)
    if no_year:
        day = dt.date(2000, int(no_year.group(1)), int(no_year.group(2)))
        return day, day + dt.timedelta(days=1)
    parts = [int(p) for p in side.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0] + 1, 1, 1)
    if len(parts) == 2:
        first = dt.date(parts[0], parts[1], 1)
        index = parts[0] * 12 + parts[1]  # the month after, as a running month count
        return first, dt.date(index // 12, index % 12 + 1, 1)
    day = dt.date(parts[0], parts[1], parts[2])
    return day, day + dt.timedelta(days=1)


def _show_side(side: str) -> str:
    no_year = _NO_YEAR_RE.match(side)
    if no_year:
        month_no, day_no = (int(part) for part in no_year.groups())
        month_name = dt.date(2000, month_no, 1).strftime("%B")
        return f"{day_no} {month_name}, no year given"
    match = _DATE_RE.match(side)
    assert match
    year, month, day = match.groups()
    if not month:
        return year
    name = dt.date(2000, int(month), 1).strftime("%B")
    if not day:
        return f"{name} {year}"
    return f"{int(day)} {name} {year}"


# A citation's `via` when the source gives the passage as its own, attributed to no one.
NO_ONE = "no one"


class Citation(Strict):
    """Words from a source that prove a claim. The check finds them in the source file."""

    model_config = ConfigDict(
        json_schema_extra={
            "if": {
                "properties": {"speaker_in_source": {"const": False}},
                "required": ["speaker_in_source"],
            },
            "then": {
                "required": ["note"],
                "properties": {"note": {"type": "string", "minLength": 1}},
            },
        }
    )

    source: Id = Field(description="Id of a source in facts/sources.yaml.")
    quote: str = Field(
        min_length=8,
        description=(
            "Verbatim words from the source file; line breaks and curly quotes may vary. "
            "Words left out are marked '…' (or '...'): each part, of at least "
            f"{MIN_PART_WORDS} words, is found in order within one paragraph."
        ),
    )
    note: str | None = Field(default=None, description="Optional remark on how the quote is used.")
    speaker_in_source: bool = Field(
        default=True,
        description=(
            "false when the quote's paragraph and the one before do not name the speaker of the "
            "statement or position (nor a title the source ties to them), and you have checked "
            "that the source still gives these words as theirs; say how in 'note', which is "
            "printed. Silences the check's warning."
        ),
    )
    lang: str | None = Field(
        default=None,
        pattern=LANGUAGE_PATTERN,
        description="Language of the quote (BCP 47, e.g. 'uk') when not the brief's language.",
    )
    via: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "Who the source attributes this passage to, as it names them (e.g. 'The Washington "
            f"Post'); '{NO_ONE}' when it attributes it to no one. The note prints this, not "
            "the outlets the source relays in general."
        ),
    )

    @model_validator(mode="after")
    def _unnamed_speaker_needs_note(self) -> Citation:
        if not self.speaker_in_source and not self.note:
            raise ValueError(
                "'speaker_in_source: false' needs a 'note' saying how the source gives these "
                "words to the speaker (it is printed with the quote)"
            )
        return self


Citations = Annotated[
    list[Citation],
    Field(min_length=1, description="At least one source quote that supports this entry."),
]


# --- Values with provenance ------------------------------------------------------------------
# A declared field holds a plain value, or one value with the citations that give it
# (`Sourced`), or the figures several sources give (`Disputed`); `specialise` narrows `value`
# to the field's type. The engine's own checks and printing read them through factbase.values.

Qualifier = Literal["up to", "at least", "about", "over", "equivalent"]


class Money(Strict):
    """An amount of money as a source gives it: the amount, its currency, and how it is hedged."""

    amount: float = Field(
        ge=0,
        allow_inf_nan=False,
        strict=True,
        description="The amount as a number, e.g. 17500000 for '17.5 million'.",
    )
    currency: str = Field(
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code of the currency, e.g. USD, GBP, EUR.",
    )
    qualifier: Qualifier | None = Field(
        default=None,
        description="How the source hedges it: 'up to', 'at least', 'about', 'over', 'equivalent'.",
    )

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if pycountry.currencies.get(alpha_3=value) is None:
            raise ValueError(f"'{value}' is not an ISO 4217 currency code (e.g. USD, GBP, EUR)")
        return value


class Quantity(Strict):
    """A number with its unit, as a source gives it: 'ten years', '3,000 troops'."""

    amount: float = Field(allow_inf_nan=False, strict=True, description="The number, e.g. 10.")
    unit: str = Field(min_length=1, description="The unit in the plural, e.g. 'years', 'troops'.")
    qualifier: Qualifier | None = Field(
        default=None, description="How the source hedges it: 'up to', 'about', ..."
    )


class Sourced(Strict):
    """One value of a field and the citations that give it."""

    value: Any = Field(description="The value, written as the field's plain value would be.")
    citations: list[Citation] = Field(
        min_length=1, description="The source quotes that give this value."
    )
    includes: list[Id] = Field(
        default_factory=list,
        description=(
            "Ids of facts whose value of this field is part of this one (a collective figure "
            "that includes a member's): totals count each once."
        ),
    )


class Reported(Citation):
    """One figure as one source gives it: the value, and the words of that source that give it."""

    value: Any = Field(description="The value this source gives.")


class Disputed(Strict):
    """A value the sources give differently: each figure with its source, none chosen silently."""

    reported: list[Reported] = Field(
        min_length=2,
        description="Each source's figure: value, source and quote; at least two.",
    )
    note: str | None = Field(
        default=None, description="What the curator knows of why the sources differ."
    )
    includes: list[Id] = Field(
        default_factory=list,
        description=(
            "Ids of facts whose value of this field is part of this one (a collective figure "
            "that includes a member's): totals count each once."
        ),
    )


class Question(Strict):
    """A question on which every actor's position is recorded."""

    id: Id = Field(description="Id that positions name in their 'question:' key.")
    label: str = Field(description="Short label for the matrix column.")
    text: str = Field(description="The question in full, as the brief asks it.")


class Event(Strict):
    """The event the briefs prepare for."""

    name: str = Field(description="Name of the event, e.g. 'Council meeting'.")
    place: str = Field(description="Where it takes place.")
    date: FuzzyDate | None = Field(default=None, description="When it takes place, if known.")


class Edition(Strict):
    """Metadata printed on every brief: what, for which event, as of when, for whom."""

    title: str = Field(description="Title of the briefing set.")
    subtitle: str | None = Field(default=None, description="One line under the title.")
    event: Event = Field(description="The event the briefs prepare for: name, place, date.")
    as_of: str = Field(
        description=(
            "The information cut-off: the latest date the sources speak to, no more precise "
            "than they give it: YYYY-MM-DD, YYYY-MM (a month) or 'YYYY' (a year, quoted). "
            "Printed as 'Information cut-off 10 July 2023' (a month: 'July 2023')."
        ),
        examples=["2023-07-10", "2023-07", "'2023'"],
        json_schema_extra={"pattern": CUT_OFF_PATTERN},
    )
    as_of_note: str | None = Field(
        default=None,
        description=(
            "How the cut-off was set when no source gives a day, e.g. 'inferred: the texts "
            'look ahead to the summit "this July"; none gives a day\'. Printed beside it.'
        ),
    )
    as_of_latest: bool = Field(
        default=False,
        description=(
            "true where the sources are undated and the cut-off is only the latest day they can "
            "speak to (the eve of the summit they look ahead to): printed 'no later than 10 July "
            "2023', so that no reader takes the texts for that recent."
        ),
    )
    compiled: str | None = Field(
        default=None,
        description=(
            "The day the edition was compiled, YYYY-MM-DD, not before the cut-off. Left out, "
            "it is the build's date: SOURCE_DATE_EPOCH if set, else the cut-off's last day."
        ),
        json_schema_extra={"pattern": DAY_PATTERN},
    )
    number: int = Field(
        ge=1,
        le=EDITION_NUMBER_MAX,
        description="Edition number, increasing with each release.",
    )
    marking: str = Field(description="Distribution marking printed on every page.")
    publisher: str = Field(description="Who issues the briefs.")
    prepared_for: str | None = Field(
        default=None,
        min_length=1,
        max_length=120,
        description=(
            "Who the briefs are written for, in a short phrase (e.g. 'the delegation to the "
            "summit'): the 'us' of 'What it means for us'. Printed on the note and the cover."
        ),
    )
    language: str = Field(default="en", description="BCP 47 language tag of the briefs.")
    questions: list[Question] = Field(
        min_length=1, description="Questions that positions answer (the matrix's columns)."
    )

    @field_validator("as_of")
    @classmethod
    def _as_of_is_date(cls, value: str) -> str:
        cut_off_span(value)
        return value

    @field_validator("compiled")
    @classmethod
    def _compiled_after_cut_off(cls, value: str | None, info: ValidationInfo) -> str | None:
        # A field validator, so the error points at 'compiled'; 'as_of' is declared before it
        # and is in info.data when it was valid.
        if value is None:
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("compiled must be a real day, YYYY-MM-DD") from None
        as_of = info.data.get("as_of")
        # A cut-off of a month may be any of its days: only a day before the first is surely
        # before it.
        if isinstance(as_of, str) and day < cut_off_span(as_of)[0]:
            raise ValueError(
                f"{value} is before the information cut-off (as_of: {as_of}); an edition "
                "cannot be compiled before the last day its sources speak to"
            )
        return value

    @property
    def as_of_precision(self) -> Precision:
        """How precisely the cut-off is known: 'day', 'month' or 'year'."""
        precisions: tuple[Precision, ...] = ("year", "month", "day")
        return precisions[self.as_of.count("-")]

    @property
    def as_of_inferred(self) -> bool:
        """Whether the cut-off is the analyst's inference, as its note says by starting
        'inferred': the pages then print it as 'July 2023 (inferred)'."""
        return (self.as_of_note or "").strip().lower().startswith("inferred")

    def cut_off_words(self, mark: bool = True) -> str:
        """The cut-off as every page prints it: '10 July 2023', 'no later than 10 July 2023
        (inferred)'; without the mark where its note follows. The one owner of those words."""
        said = show_date(self.as_of)
        if self.as_of_latest:
            said = f"no later than {said}"
        return f"{said} (inferred)" if mark and self.as_of_inferred else said

    def cut_off(self) -> tuple[dt.date, dt.date]:
        """The first and the last day the cut-off may be: one day, or the days of its month
        or year. A check that a date is after it compares with the last, before it the first."""
        return cut_off_span(self.as_of)


def cut_off_span(value: str) -> tuple[dt.date, dt.date]:
    """The first and last day (both included) of a cut-off written YYYY-MM-DD, YYYY-MM or
    YYYY; a ValueError for anything else."""
    if not _DATE_RE.match(value):
        raise ValueError("as_of must be a real day (YYYY-MM-DD), month (YYYY-MM) or year ('YYYY')")
    try:
        _check_side(value)
    except ValueError as error:
        raise ValueError(
            f"as_of must be a real day (YYYY-MM-DD), month (YYYY-MM) or year ('YYYY'): {error}"
        ) from None
    first, after = _side_span(value)
    return first, after - dt.timedelta(days=1)


def show_date(value: str) -> str:
    """A date written YYYY, YYYY-MM or YYYY-MM-DD as a reader sees it, no more precise than it
    is: '2023', 'July 2023', '10 July 2023'; a ValueError for anything else."""
    if not _DATE_RE.match(value):
        raise ValueError(f"not a date written YYYY, YYYY-MM or YYYY-MM-DD: {value!r}")
    _check_side(value)
    return _show_side(value)


class Source(Strict):
    """A text in facts/sources/ and what we know about who published it."""

    id: Id = Field(description="Id that citations name in their 'source:' key.")
    file: str = Field(description="File name inside facts/sources/, e.g. '004_e8bc.txt'.")
    original: str | None = Field(
        default=None,
        description=(
            "File name inside facts/originals/ of the page or PDF the text was extracted from "
            "('briefing new source' keeps it there); attached to the book beside the text."
        ),
    )
    sha256: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description=(
            "SHA-256 of the file's bytes as the quotes were checked against it (64 hex digits); "
            "the check fails when the text changes. Written by 'briefing pin'."
        ),
    )
    title: str = Field(
        description=(
            "Headline or, if none, a short description of the text. A text whose first "
            "paragraph (furniture aside) is its title opens with its headline, not a ¶."
        )
    )
    title_supplied: bool = Field(
        default=False,
        description="true when the text has no headline and the title is the curator's.",
    )
    outlet: str = Field(
        description="Outlet exactly as the text names it, even if the name looks garbled."
    )
    publisher_named: bool = Field(
        default=True,
        description="false when the text does not name who published it (a page of no name).",
    )
    date: FuzzyDate | None = Field(default=None, description="Publication date, if known.")
    reliability: Word = Field(
        description="Reliability grade of the source, from the 'reliability' list."
    )
    reliability_note: str = Field(description="One line on why this grade.")
    credibility: Word | None = Field(
        default=None,
        description=(
            "How far the information this text carries is borne out, from the desk's "
            "'credibility' list where it declares one (the Admiralty code's 1 to 6): the "
            "reliability grade judges the channel, this the content."
        ),
    )
    credibility_note: str | None = Field(
        default=None, description="One line on why this credibility, printed beside it."
    )
    notes: str | None = Field(default=None, description="Curator's notes on the text.")
    set_aside: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "Why the desk keeps this text on record but weighs it in no key judgment, e.g. "
            "'it reads as a 2024 text'. Printed with the source; such a text may be dated "
            "after the information cut-off, and a key judgment citing it is warned of (Q409)."
        ),
    )
    furniture: list[str] = Field(
        default_factory=list,
        description=(
            "Lines of page furniture that need no citation (navigation, 'Next Article', "
            "headlines of unrelated articles), each a whole line of the text copied exactly; "
            "coverage shows them apart, and the notes' paragraphs (¶) do not count them."
        ),
    )
    language: str | None = Field(
        default=None,
        pattern=LANGUAGE_PATTERN,
        description=(
            "Language of the text (BCP 47, e.g. 'fr') when not the edition's: it picks the "
            "abbreviations and attribution words that coverage and the check read it with."
        ),
    )
    redistribute: Redistribute = Field(
        default="whole",
        description=(
            "What of the text the PDFs may carry: 'whole' (the desk may redistribute it), or "
            "'excerpts' (a publisher's article: the PDFs carry only the passages the facts "
            "cite, with a little context, and the SHA-256 of the full text; neither the text "
            "nor its original travels)."
        ),
    )


class Person(Strict):
    """Someone whose words or actions are recorded."""

    id: Id = Field(description="Id that statements and positions name as 'speaker:'.")
    name: str = Field(description="Full name as it should be printed.")
    role: str = Field(description="Role at the time of the statements, e.g. 'President'.")
    actor: Id = Field(description="Id of the actor they speak for.")


class Judgment(Strict):
    """A key judgment for the bottom line up front."""

    text: Markdown = Field(description="The judgment, one or two sentences, in our words.")
    confidence: Word = Field(description="What the evidence supports, from the 'confidence' list.")
    likelihood: Word | None = Field(
        default=None,
        description=(
            "How likely what it forecasts is, from the desk's 'likelihood' list (its estimative "
            "words); kept apart from confidence. Left out for a judgment of what is, not what "
            "will be."
        ),
    )
    basis: str | None = Field(
        default=None,
        description="Why the analyst holds the judgment with this confidence, in one clause.",
    )
    citations: Citations


class OpenQuestion(Strict):
    """A gap, conflict or inconsistency in the record that readers must know about."""

    text: Markdown = Field(description="What is missing, unclear or contradictory.")
    citations: list[Citation] = Field(
        default_factory=list, description="Quotes that show the gap or the contradiction."
    )


class Order(Strict):
    """Where a source gives no date, only an order: before or after another fact, or the
    edition's event ('previously', 'even before the summit')."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [{"required": ["before"]}, {"required": ["after"]}],
        }
    )

    before: str | None = Field(
        default=None, description="Id of a fact, or 'event', that this came before."
    )
    after: str | None = Field(
        default=None, description="Id of a fact, or 'event', that this came after."
    )
    note: str = Field(description="What the source says, e.g. 'the source says \"previously\"'.")

    @model_validator(mode="after")
    def _one_side(self) -> Order:
        if (self.before is None) == (self.after is None):
            raise ValueError("give 'before' or 'after', one of the two")
        return self

    @property
    def target(self) -> str:
        """The fact id (or 'event') this is placed against."""
        return self.before or self.after or ""


class Fact(Strict):
    """A commitment, position or statement: the engine's fields, plus those the desk declares.

    The declared fields (facts/vocabulary.yaml, `fields:`) are added by
    `briefing.vocabulary.specialise`; `value(key)` reads one of them by name.
    """

    id: Id = Field(description="Unique id across all actors.")

    def value(self, key: str) -> Any:
        """The value of a field by its key (a `Disputed` where sources differ); None for a field
        this fact does not have."""
        given = getattr(self, key, None)
        return given.value if isinstance(given, Sourced) else given

    def given(self, key: str) -> Any:
        """The field as written: a plain value, a `Sourced` or a `Disputed`; None if absent."""
        return getattr(self, key, None)

    def value_citations(self, key: str | None = None) -> list[Citation]:
        """The citations a declared field (`key`, else every field) carries of its own."""
        found: list[Citation] = []
        for name in [key] if key is not None else list(type(self).model_fields):
            given = self.given(name)
            if isinstance(given, Sourced):
                found += given.citations
            elif isinstance(given, Disputed):
                found += given.reported
        return found


class Commitment(Fact):
    """Something an actor commits, or proposes to commit, to do; it may have other parties."""

    title: str = Field(description="Short name of the commitment, in our words.")
    parties: list[Id] = Field(
        default_factory=list, description="Ids of the other actors party to it."
    )
    date: FuzzyDate | None = Field(default=None, description="When it was made or signed.")
    order: Order | None = Field(
        default=None,
        description="Without a date: before or after which fact (or 'event') it came.",
    )
    summary: Markdown = Field(description="What the commitment does, in our words.")
    citations: Citations


class Position(Fact):
    """An actor's answer to one of the edition's questions, as observed at one time. An actor
    may hold several over time; the latest is its current answer (briefing.factbase.history)."""

    question: Id = Field(description="Id of a question in facts/edition.yaml.")
    summary: Markdown = Field(description="The position in our words.")
    speaker: Id | None = Field(default=None, description="Id of the person who stated it.")
    date: FuzzyDate | None = Field(default=None, description="When it was stated.")
    as_of: FuzzyDate | None = Field(
        default=None,
        description=(
            "Where a source reports the stance without saying when it was taken: the date the "
            "source speaks for (its publication date, say). Orders positions without a date."
        ),
    )
    order: Order | None = Field(
        default=None,
        description="Without a date: before or after which fact (or 'event') it came.",
    )
    citations: Citations


class Statement(Fact):
    """Something a person said, with how it reached us."""

    speaker: Id = Field(description="Id of a person in facts/people.yaml.")
    date: FuzzyDate | None = Field(default=None, description="When it was said.")
    order: Order | None = Field(
        default=None,
        description="Without a date: before or after which fact (or 'event') it came.",
    )
    audience: str | None = Field(default=None, description="To whom, or at which event.")
    reported_by: str | None = Field(
        default=None, description="Outlet that reported it, as the source names it."
    )
    summary: Markdown = Field(description="What was said, in our words.")
    citations: Citations


# How an actor kind's `code` is checked (facts/vocabulary.yaml, the 'actor_kind' list).
CodeRule = Literal["none", "iso-3166-1", "iso-3166-2"]


def _code_rules_schema(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    """For editors: per declared actor kind, whether 'code' is required or absent."""
    rules: Mapping[str, CodeRule] = getattr(cls, "code_rules", {})
    conditions: list[dict[str, Any]] = []
    for kind, rule in rules.items():
        when = {"properties": {"kind": {"const": kind}}, "required": ["kind"]}
        then: dict[str, Any] = (
            {"not": {"required": ["code"]}} if rule == "none" else {"required": ["code"]}
        )
        conditions.append({"if": when, "then": then})
    if conditions:
        schema["allOf"] = conditions


class Actor(Strict):
    """A country, organisation or any other kind of actor the desk declares."""

    model_config = ConfigDict(json_schema_extra=_code_rules_schema)

    # Filled in by `briefing.vocabulary.specialise` from the desk's actor kinds.
    code_rules: ClassVar[Mapping[str, CodeRule]] = {}
    user_codes: ClassVar[frozenset[str]] = frozenset()

    id: Id = Field(description="Same as the file name: facts/actors/<id>.yaml.")
    name: str = Field(description="Name as printed in the briefs, e.g. 'Poland'.")
    kind: Word = Field(description="Kind of actor, from the 'actor_kind' list.")
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
        description=(
            "Code of the actor where its kind asks for one: ISO 3166-1 alpha-2 (e.g. 'PL') "
            "or ISO 3166-2 (e.g. 'US-CA'), or a code the vocabulary declares."
        ),
        json_schema_extra={"pattern": "^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$"},
        validate_default=True,
    )
    bluf: list[Judgment] = Field(
        default_factory=list, description="Bottom line up front: one to four key judgments."
    )
    no_judgment: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "Why the desk makes no key judgment on this actor, in one or two sentences, where "
            "it has looked and the record will not bear one. Printed in place of the key "
            "judgments; satisfies the check's count of them."
        ),
    )
    chapter: bool = Field(
        default=True,
        description=(
            "false: no chapter or brief of its own, for an actor with 'no_judgment' whose record "
            "is a remark or two: the overview's section on others on record prints its "
            "positions, statements and open questions."
        ),
    )
    positions: list[Position] = Field(
        default_factory=list, description="Positions: the actor's answers to the questions."
    )
    no_position: str | None = Field(
        default=None,
        description=(
            "Why no position is recorded, e.g. 'The sources state none.' "
            "Printed in the brief in place of positions; silences the check's warning."
        ),
    )
    commitments: list[Commitment] = Field(
        default_factory=list, description="Commitments: agreements, packages, proposals, pledges."
    )
    statements: list[Statement] = Field(
        default_factory=list, description="Key statements: who said what, when, where."
    )
    open_questions: list[OpenQuestion] = Field(
        default_factory=list, description="Gaps and inconsistencies in the record."
    )

    @field_validator("code")
    @classmethod
    def _code_fits_kind(cls, value: str | None, info: ValidationInfo) -> str | None:
        # A field validator (not a model one) so that the error points at 'code'; 'kind' is
        # declared before it, so it is in info.data when it was valid.
        kind = info.data.get("kind")
        rule = cls.code_rules.get(kind) if isinstance(kind, str) else None
        code = value.upper() if value else None
        if rule is None:
            return code  # an undeclared kind is reported on 'kind' itself
        if rule == "none":
            if code:
                raise ValueError(f"an actor of kind '{kind}' has no 'code'")
            return None
        standard = "ISO 3166-1 alpha-2" if rule == "iso-3166-1" else "ISO 3166-2"
        if not code:
            raise ValueError(f"an actor of kind '{kind}' needs its {standard} 'code'")
        if code in cls.user_codes:
            return code
        if rule == "iso-3166-1":
            known = len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None
        else:
            known = pycountry.subdivisions.get(code=code) is not None  # type: ignore[no-untyped-call]
        if not known:
            raise ValueError(
                f"'{value}' is not an {standard} code; a code of your own "
                "(e.g. 'XK') must be declared under 'codes:' in facts/vocabulary.yaml"
            )
        return code


class Point(Strict):
    """An indicator to watch, an assumption or an implication: the desk's own reasoning, kept
    apart from the key judgments (as ICD 203 asks), cited where it rests on a source."""

    text: Markdown = Field(description="One sentence, in our words.")
    citations: list[Citation] = Field(
        default_factory=list, description="Quotes it rests on, if any."
    )


# The lists of an actor file that hold facts with ids, and every cited list of an actor and of
# the overview, in the order they are read.
FACT_GROUPS = ("positions", "commitments", "statements")
ACTOR_GROUPS = ("bluf", *FACT_GROUPS, "open_questions")
OVERVIEW_GROUPS = (
    "bluf",
    "argument",
    "limits",
    "assumptions",
    "watch",
    "implications",
    "open_questions",
    "background",
)


class PastEvent(Strict):
    """An earlier event a source dates (a summit, a treaty) that bears on the record: the
    timeline places it among the edition's dated items, so that every year the sources give
    is shown, not only the years of the actors' facts."""

    name: str = Field(description="The event and its place, e.g. 'NATO summit, Bucharest'.")
    date: FuzzyDate = Field(description="When it took place, as precisely as a source says.")
    text: Markdown = Field(description="What happened there, in our words, in one line.")
    citations: Citations


class Overview(Strict):
    """The overview brief's own judgments and open questions, across actors."""

    bottom_line: str | None = Field(
        default=None,
        max_length=400,
        description="The one sentence a reader takes away, drawn from the key judgments (which "
        "cite): printed first on the principal's note. No quotation marks: quote in a judgment.",
    )
    bluf: list[Judgment] = Field(
        default_factory=list, description="Key judgments across all actors, each cited."
    )
    argument: list[Point] = Field(
        default_factory=list,
        description=(
            "The case the key judgments rest on, in a few short cited paragraphs: the overview "
            "opens with it, so the book argues what the note asserts."
        ),
    )
    limits: list[Point] = Field(
        default_factory=list,
        description="What the sources cannot tell us: printed with the scope of the evidence.",
    )
    assumptions: list[Point] = Field(
        default_factory=list, description="What the judgments take for granted."
    )
    watch: list[Point] = Field(
        default_factory=list,
        description="Indicators to watch: what would confirm or overturn the judgments.",
    )
    implications: list[Point] = Field(
        default_factory=list, description="What the judgments mean for the reader."
    )
    open_questions: list[OpenQuestion] = Field(
        default_factory=list, description="Gaps and inconsistencies across actors."
    )
    background: list[PastEvent] = Field(
        default_factory=list,
        description="Earlier events the sources date, placed on the timeline (e.g. a 2008 summit).",
    )


class SourceList(Strict):
    """Contents of facts/sources.yaml."""

    sources: list[Source] = Field(description="One entry per text file in facts/sources/.")


class PeopleList(Strict):
    """Contents of facts/people.yaml."""

    people: list[Person] = Field(description="Everyone named as a speaker.")


# --- Who receives which chapters: facts/distribution.yaml (optional) ---------------------------

# A recipient's `chapters` naming every brief of the edition.
ALL_CHAPTERS = "all"


class Recipient(Strict):
    """One recipient of a numbered copy, and the chapters their copy holds."""

    id: Id
    name: str = Field(min_length=1, max_length=120, description="Printed on every page.")
    role: str | None = Field(default=None, max_length=120, description="Printed on the cover.")
    marking: str | None = Field(
        default=None,
        max_length=80,
        description="This copy's own marking (e.g. 'UK eyes only'), beside the edition's.",
    )
    chapters: Literal["all"] | list[Id] = Field(
        description="'all', or the briefs this copy holds: 'overview' and actor ids. The "
        "cover, the contents and the appendices always come with them.",
    )


class Distribution(Strict):
    """Contents of facts/distribution.yaml: who gets a numbered copy (`briefing distribute`)."""

    recipients: list[Recipient] = Field(description="One entry per numbered copy.")


# --- The desk's vocabulary: facts/vocabulary.yaml ------------------------------------------------

TERM_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 '._/+-]{0,59}$"
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"

# The lists the engine itself reads; every desk declares them (their words are the desk's own).
ENGINE_LISTS: dict[str, str] = {
    "reliability": "grades of sources (Source.reliability)",
    "confidence": "confidence levels of key judgments (bluf: confidence)",
    "actor_kind": "kinds of actor (an actor's 'kind')",
}

FieldType = Literal["text", "number", "integer", "choice", "choices", "date", "money", "quantity"]


class SourcesNeeded(Strict):
    """What a confidence level needs: at least `sources` distinct cited sources graded `grade`
    or better (the order of the 'reliability' list, best first)."""

    sources: int = Field(ge=1, description="How many distinct sources, at least.")
    grade: str = Field(description="The worst grade that still counts, e.g. 'C'.")


class Term(Strict):
    """One word of a controlled list: what facts write, what briefs print, what it means."""

    id: str = Field(
        pattern=TERM_PATTERN,
        description="What a facts file writes, e.g. 'signed' (letters, digits, spaces, '-').",
    )
    label: str | None = Field(
        default=None, description="What the briefs print; the id if left out."
    )
    definition: str = Field(
        min_length=1, description="What the word means; printed in the book's method appendix."
    )
    code: CodeRule | None = Field(
        default=None,
        description=(
            "Actor kinds only: which code an actor of this kind carries: 'iso-3166-1' "
            "(a country, e.g. PL), 'iso-3166-2' (a subdivision, e.g. US-CA) or 'none'."
        ),
    )
    needs: list[SourcesNeeded] | None = Field(
        default=None,
        description=(
            "Confidence levels only: the evidence a judgment at this level must cite, as "
            "alternatives (any one suffices), e.g. [{sources: 2, grade: C}]. No rule: any."
        ),
    )
    group: str | None = Field(
        default=None,
        description=(
            "For the list of a commitment field with 'group: true': the heading its "
            "commitments are printed under, e.g. 'Reported, not dated'; words with the same "
            "heading share a group. The word as printed if left out."
        ),
    )
    listed: bool = Field(
        default=False,
        description=(
            "For the list of a commitment field with 'group: true': its commitments are "
            "listed one line each (holder, title, date, notes) rather than printed as cards, "
            "for what the desk keeps on record but weighs in no judgment."
        ),
    )

    @property
    def text(self) -> str:
        """The word as printed."""
        return self.label or self.id


class TermList(Strict):
    """A controlled list: the words a field may take, in the order they are printed."""

    title: str = Field(description="Heading of the list where it is defined, e.g. 'Stances'.")
    intro: str | None = Field(
        default=None, description="A sentence printed before the definitions."
    )
    terms: list[Term] = Field(min_length=1, description="The words, each with its definition.")
    glossary: bool = Field(
        default=True,
        description=(
            "Print the list's definitions in the book's method appendix; 'false' for a list "
            "whose words explain themselves or are never printed (kinds of actor)."
        ),
    )

    def get(self, term_id: str) -> Term | None:
        """The term with this id, if declared."""
        return next((t for t in self.terms if t.id == term_id), None)


class FieldSpec(Strict):
    """A field the desk adds to its commitments, positions or statements."""

    key: str = Field(pattern=KEY_PATTERN, description="The key facts files use, e.g. 'status'.")
    label: str = Field(description="Column or line label the briefs print, e.g. 'Status'.")
    type: FieldType = Field(
        description=(
            "text, number, integer, date (a dated value like other dates), choice (one word "
            "of a list) or choices (several words of a list)."
        )
    )
    list: str | None = Field(
        default=None, description="For choice and choices: the id of the list under 'lists:'."
    )
    required: bool = Field(default=False, description="Must every fact give it?")
    description: str | None = Field(
        default=None, description="What to write there: hover text in the editor."
    )
    unit: str | None = Field(
        default=None,
        description=(
            "For numbers: printed after the value, e.g. 'USD'; for quantities, the unit a "
            "plain number is in, e.g. 'years'."
        ),
    )
    currency: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{3}$",
        description="For money: the ISO 4217 currency a plain number is in, e.g. 'USD'.",
    )
    column: bool = Field(
        default=True,
        description=(
            "Commitments: shown as a column of the commitments table; with 'false', under "
            "the commitment's title instead."
        ),
    )
    answer: bool = Field(
        default=False,
        description="Positions: this field is the answer that the matrix shows (exactly one).",
    )
    total: bool = Field(
        default=False,
        description=(
            "For money, quantities and numbers: print the sum across the facts under their "
            "table, each currency or unit apart (never converted), a range where sources differ."
        ),
    )

    chart: bool = Field(
        default=False,
        description=(
            "Commitments, for money, quantities and numbers: draw a bar per actor in the "
            "overview (ranges where sources differ), with its numbers as a table."
        ),
    )

    group: bool = Field(
        default=False,
        description=(
            "Commitments, for a choice field: the principal's note and the overview print "
            "commitments in groups by this field's words, in the order of its list, each group "
            "under its words' 'group' heading. At most one field."
        ),
    )

    @model_validator(mode="after")
    def _group_by_a_choice(self) -> FieldSpec:
        if self.group and self.type != "choice":
            raise ValueError(
                f"'group: true' needs a field of type choice (one word of a list), not "
                f"{self.type}; remove it"
            )
        return self

    @model_validator(mode="after")
    def _total_of_figures(self) -> FieldSpec:
        for flag in ("total", "chart"):
            if getattr(self, flag) and self.type not in ("money", "quantity", "number", "integer"):
                raise ValueError(
                    f"'{flag}: true' needs a field of type money, quantity, number or integer, "
                    f"not {self.type}; remove it"
                )
        return self


class FieldSets(Strict):
    """The declared fields of each kind of fact, in the order the briefs show them."""

    commitment: list[FieldSpec] = Field(default_factory=list)
    position: list[FieldSpec] = Field(default_factory=list)
    statement: list[FieldSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_grouping(self) -> FieldSets:
        grouped = [s.key for s in self.commitment if s.group]
        if len(grouped) > 1:
            raise ValueError(
                f"commitments can be grouped by one field only, not {', '.join(grouped)}; "
                "keep 'group: true' on one"
            )
        if any(s.group for s in (*self.position, *self.statement)):
            raise ValueError("'group: true' is for commitment fields only; remove it")
        return self


class Words(Strict):
    """What the briefs call the parts every desk has; defaults are plain."""

    event: str = Field(default="Event", description="What the edition's event is, e.g. 'Summit'.")
    positions: str = Field(default="Positions", description="Heading of an actor's positions.")
    matrix: str = Field(
        default="Positions across actors", description="Heading of the overview's matrix."
    )
    commitments: str = Field(default="Commitments", description="Heading of commitments.")
    commitment: str = Field(
        default="Commitment",
        min_length=1,
        description=(
            "What one commitment is called: the commitments table's first column, and, "
            "lower-cased, the noun that counts them in running text ('6 more instruments')."
        ),
    )
    commitment_plural: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "Several commitments in running text, where the English rule gets it wrong, "
            "e.g. 'pledges of support' for 'Pledge of support'."
        ),
    )
    statements: str = Field(default="Key statements", description="Heading of statements.")
    others: str = Field(
        default="Others on record",
        description=(
            "Heading of the overview's last section: the actors with no judgment, no position "
            "and no statement, which get no brief of their own."
        ),
    )

    def commitments_counted(self, n: int, qualifier: str = "") -> str:
        """How many commitments, in the desk's word: "6 more instruments"."""
        return counted(n, self.commitment, qualifier, self.commitment_plural)


def in_text(word: str) -> str:
    """One of the desk's words as running text reads it: a capital that only opens a word
    goes ("Security Guarantee" → "security guarantee"); acronyms and inner capitals stay
    ("NDC pledge", "Ukraine-NATO council")."""
    return " ".join(w.lower() if w[:1].isupper() and w[1:].islower() else w for w in word.split())


def plural(word: str) -> str:
    """The English plural of a noun phrase by its last word: party → parties, process →
    processes, pledge → pledges. A desk whose word bends otherwise declares its plural."""
    head, _, last = word.rpartition(" ")
    if last[-1:] == "y" and last[-2:-1] not in ("", *"aeiou"):
        last = last[:-1] + "ies"
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}" if head else last


def counted(n: int, noun: str, qualifier: str = "", plural_form: str | None = None) -> str:
    """A count with one of the desk's words as running text reads it: "6 instruments", or
    with a qualifier between, "6 more instruments"; `plural_form` where the desk gives one."""
    word = in_text(noun) if n == 1 else plural_form or plural(in_text(noun))
    return " ".join(filter(None, (str(n), qualifier, word)))


class UserCode(Strict):
    """A code outside ISO 3166 that actors of this desk may carry, e.g. XK for Kosovo."""

    code: str = Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$", description="The code, e.g. 'XK'.")
    name: str = Field(description="What it stands for.")


class LanguageTable(Strict):
    """How texts in one language end sentences and give words to someone."""

    abbreviations: list[str] = Field(
        default_factory=list,
        description=(
            "Words that end in a full stop without ending a sentence, written without that "
            "stop ('Dr', 'e.g'); case aside. Initials ('U.S.', 'J.') need no entry."
        ),
    )
    attribution: list[str] = Field(
        default_factory=list,
        description=(
            "Words and phrases that give a passage to someone: speech verbs ('said', 'told'), "
            "'according to', words that introduce a quotation; case and accents aside."
        ),
    )

    @field_validator("abbreviations")
    @classmethod
    def _abbreviations_are_words(cls, value: list[str]) -> list[str]:
        for word in value:
            if word.endswith("."):
                raise ValueError(
                    f"write the abbreviation '{word}' without its final full stop: "
                    f"'{word.rstrip('.')}'"
                )
            if not re.fullmatch(r"[^\W\d_][\w.'’-]*", word):
                raise ValueError(
                    f"'{word}' is not an abbreviation: one word, letters and inner full stops "
                    "only (e.g. 'Gen', 'e.g')"
                )
        return value

    @field_validator("attribution")
    @classmethod
    def _attribution_is_words(cls, value: list[str]) -> list[str]:
        for phrase in value:
            if not re.fullmatch(r"[^\W\d_][\w'’-]*(?: [\w'’-]+)*", phrase):
                raise ValueError(
                    f"'{phrase}' is not an attribution: words with single spaces between "
                    "them, no punctuation (e.g. 'according to', 'said')"
                )
        return value


class LanguageEntry(LanguageTable):
    """The desk's additions to, or replacement of, the table the engine ships for a language."""

    replace: bool = Field(
        default=False,
        description=(
            "true: these lists replace the engine's for this language; false (the default): "
            "they are added to them."
        ),
    )


LanguageTag = Annotated[str, Field(pattern=LANGUAGE_PATTERN)]


class Rate(Citation):
    """An exchange rate the desk declares, with the source words that give it: one unit of
    `from` is worth `rate` units of `to` on `date`. Totals convert only with such a rate."""

    from_: str = Field(
        alias="from", pattern=r"^[A-Z]{3}$", description="ISO 4217 code converted from, e.g. GBP."
    )
    to: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code converted to, e.g. USD.")
    rate: float = Field(
        gt=0, allow_inf_nan=False, description="Units of 'to' for one unit of 'from', e.g. 1.27."
    )
    date: str = Field(
        description="The day the rate is for, YYYY-MM-DD.",
        json_schema_extra={"pattern": DAY_PATTERN},
    )

    @field_validator("date")
    @classmethod
    def _a_day(cls, value: str) -> str:
        if not re.fullmatch(DAY_PATTERN, value):
            raise ValueError(f"'{value}' is not a day: write YYYY-MM-DD, e.g. 2023-12-01")
        return value

    @model_validator(mode="after")
    def _two_currencies(self) -> Rate:
        if self.from_ == self.to:
            raise ValueError(f"a rate converts between two currencies, not {self.to} to itself")
        return self


class MoneyRules(Strict):
    """How the desk totals money: the currency totals are given in, and the rates it declares."""

    currency: str = Field(
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code totals are given in, e.g. USD; other currencies convert "
        "only with a rate under 'rates'.",
    )
    rates: list[Rate] = Field(
        default_factory=list,
        description="Exchange rates, each with its date and the source words that give it.",
    )

    def rate(self, currency: str) -> tuple[float, Rate] | None:
        """The factor that converts `currency` into the desk's, and the rate it comes from
        (the latest declared for the pair, either way round); None when none is declared."""
        found = [
            (r.rate if r.from_ == currency else 1 / r.rate, r)
            for r in self.rates
            if {r.from_, r.to} == {currency, self.currency}
        ]
        return max(found, key=lambda f: f[1].date) if found else None


class Vocabulary(Strict):
    """Contents of facts/vocabulary.yaml: the desk's lists, fields and words."""

    words: Words = Field(default_factory=Words, description="Headings the briefs print.")
    lists: dict[str, TermList] = Field(
        description=(
            "Controlled lists by id. Every desk declares 'reliability', 'confidence' and "
            "'actor_kind'; fields name the others."
        )
    )
    fields: FieldSets = Field(
        default_factory=FieldSets, description="Fields of commitments, positions, statements."
    )
    codes: list[UserCode] = Field(
        default_factory=list, description="Actor codes outside ISO 3166 (user-assigned)."
    )
    languages: dict[LanguageTag, LanguageEntry] = Field(
        default_factory=dict,
        description=(
            "By language tag ('en', 'fr'): abbreviations and attribution words the desk adds "
            "to the engine's table for that language, or puts in its place."
        ),
    )
    money: MoneyRules | None = Field(
        default=None,
        description=(
            "The currency money totals are given in, and the exchange rates (each from a "
            "source) that convert others into it. Without it, each currency is totalled apart."
        ),
    )

    def term(self, list_id: str, term_id: str) -> Term | None:
        """The declared term, or None."""
        terms = self.lists.get(list_id)
        return terms.get(term_id) if terms is not None else None

    def label(self, list_id: str, term_id: str) -> str:
        """How a word of a list is printed."""
        term = self.term(list_id, term_id)
        return term.text if term is not None else term_id

    def answer(self) -> FieldSpec | None:
        """The position field that answers a question."""
        return next((f for f in self.fields.position if f.answer), None)

    def grouping(self) -> FieldSpec | None:
        """The commitment field the briefs group commitments by (`group: true`, a choice of a
        declared list), if any."""
        spec = next((f for f in self.fields.commitment if f.group), None)
        return spec if spec is not None and spec.list in self.lists else None


class FactBase(Strict):
    """Everything the briefs are made from, validated and cross-checked."""

    vocabulary: Vocabulary
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
