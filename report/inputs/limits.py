"""The ranges inputs must fall in: beyond them a value is a typing slip, and a report
could neither compute nor lay it out. Each limit is named in the message that refuses it."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..errors import InputError, Problem

FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2200, 12, 31)
DATE_RANGE = f"{FIRST_DATE.year}-{LAST_DATE.year}"
MAX_YEARS = 100  # landmarks and early-death windows
MAX_DAYS = round(MAX_YEARS * 365.25)
# Arms a report lays out side by side on an A4 page: a by-arm table with a fifth arm runs
# off the page's edge (tests/test_input_limits.py renders the most arms and looks).
MAX_ARMS = 4


def date_outside(value: dt.date) -> str | None:
    """Why a date is refused, or None if it lies in the years a trial can have."""
    if FIRST_DATE <= value <= LAST_DATE:
        return None
    return f"is outside the years {DATE_RANGE} (is the year mistyped?)"


def in_date_range(value: dt.date | None) -> dt.date | None:
    """A spec date, as a pydantic validator: refused with the range when outside it."""
    if value is not None and date_outside(value):
        raise ValueError(f"{value.isoformat()} {date_outside(value)}")
    return value


def check_arm_count(subjects: pd.DataFrame, file: str, column: str) -> None:
    """InputError if the patients fall in more arms than a report can lay out."""
    arms = subjects["arm"].dropna().unique() if "arm" in subjects else ()
    if len(arms) > MAX_ARMS:
        raise InputError(Problem(file, f"{len(arms)} arms; a report lays out at most {MAX_ARMS} "
                                 "(is this the arm column?)", column=column))
