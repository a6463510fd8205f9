"""SOURCE_DATE_EPOCH (reproducible-builds.org): the report date of a reproducible build.

Set but empty, it is treated as unset: removed from this process's environment as
`report` is imported, so neither this package, the PDF worker it starts, nor a library
(numpy, fontTools and matplotlib read it too) trips over it. Any other value must be a
whole number of seconds giving a date in 1900-2200; otherwise it is bad input (exit 2).
"""
from __future__ import annotations

import datetime as dt
import os
import re

NAME = "SOURCE_DATE_EPOCH"
YEARS = (1900, 2200)


def unset_if_empty(environ=os.environ) -> None:
    if NAME in environ and not environ[NAME].strip():
        del environ[NAME]


def source_date(environ=os.environ) -> dt.date | None:
    """The date SOURCE_DATE_EPOCH gives (UTC), None when it is unset or empty; InputError
    when it is not a whole number of seconds of a date in 1900-2200."""
    from ..errors import InputError, Problem

    value = environ.get(NAME, "").strip()
    if not value:
        return None
    date = _date_of(value)
    if date is None or not YEARS[0] <= date.year <= YEARS[1]:
        raise InputError(Problem(NAME, f"{value!r} is not a whole number of seconds since 1970-01-01 giving a date in "
                                       f"{YEARS[0]}-{YEARS[1]} (e.g. 1735689600 for 2025-01-01); set it so, or unset it"))
    return date


def _date_of(value: str) -> dt.date | None:
    if not re.fullmatch(r"-?\d{1,12}", value):
        return None
    try:
        return (dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=int(value))).date()
    except OverflowError:
        return None
