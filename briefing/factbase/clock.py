"""An edition's days: when it was compiled, and the date its files carry."""

from __future__ import annotations

import datetime as dt

from briefing.core.clock import source_date_epoch
from briefing.factbase.model import Edition


def build_date(edition: Edition, environ: dict[str, str] | None = None) -> dt.datetime:
    """The date stamped on a build: SOURCE_DATE_EPOCH if set, else the day the edition was
    compiled (`compiled`), else its information cut-off (`as_of`; the last day of a month or
    year, the first day that is surely not before it)."""
    epoch = source_date_epoch(environ)
    if epoch is not None:
        return epoch
    day = dt.date.fromisoformat(edition.compiled) if edition.compiled else edition.cut_off()[1]
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def compiled_day(edition: Edition, environ: dict[str, str] | None = None) -> str:
    """The day the edition was compiled (YYYY-MM-DD): `compiled` in edition.yaml, else the
    build's date. Never the wall clock, so that a rebuild prints the same day."""
    return edition.compiled or build_date(edition, environ).date().isoformat()
