"""The clock of a build: the one reader of SOURCE_DATE_EPOCH, so dates are reproducible."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping


def source_date_epoch(environ: Mapping[str, str] | None = None) -> dt.datetime | None:
    """The time SOURCE_DATE_EPOCH gives, or None when it is unset; ValueError when it is not a
    Unix time in seconds."""
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise ValueError(
            f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time in seconds; unset it or fix it"
        ) from None
