"""The stratification factors of `[analysis] strata` brought into the subjects frame, by
either reader: one column `strata` holding, for each patient, a tuple of the factors'
values as text in the spec's order (() when the spec names none), or None where any of
them is missing (R's `strata()` leaves such a patient out of a stratified comparison).

A factor the data lack is a problem naming the file, the column and the columns there are.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import pandas as pd

from ..errors import Problem
from .spec import SPEC_FILE

COLUMN = "strata"
KEY = "analysis.strata"


def attach(subjects: pd.DataFrame, names: Sequence[str], column: Callable[[str], pd.Series | None],
           available: Sequence[str], file: str) -> list[Problem]:
    """Set `subjects[COLUMN]`; every factor not found as a problem."""
    found, problems = [], []
    for i, name in enumerate(names):
        values = column(name)
        if values is None:
            problems.append(Problem(file, f"{name!r} is not a column of {file} (named in {SPEC_FILE} {KEY}.{i}; "
                                          f"its columns: {', '.join(map(str, available))})", column=name))
        else:
            found.append([_text(v) for v in values])
    cells = [None if None in row else tuple(row) for row in zip(*found)] if found and not problems \
        else [()] * len(subjects)
    subjects[COLUMN] = pd.Series(cells, index=subjects.index, dtype=object)
    return problems


def label(values: tuple | None) -> str | None:
    """One stratum's label: the factors' values joined; None where one is missing."""
    return None if values is None else " / ".join(values)


def _text(value) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a numeric code read from XPT: 1, not 1.0
    text = str(value).strip()
    return text or None
