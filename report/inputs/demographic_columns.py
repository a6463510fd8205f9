"""The columns of the demographic table (`[analysis.demographics]`) brought into the subjects
frame, by either reader: one column `demographics` holding, for each patient, a tuple of
the spec's variables' values in the spec's order (numbers parsed where the variable is
continuous or grouped by cuts, text otherwise, None where missing). One column, so that
the table's part declares what it reads, whatever the spec names.

A column the data lack is a problem naming the spec's key and the columns there are; a
number that is not one names the file, row and column.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import pandas as pd

from ..errors import Problem
from .spec import SPEC_FILE, Analysis
from .spec_demographics import DemographicVariable, default_variables

COLUMN = "demographics"
KEY = "analysis.demographics.variables"


def variables(analysis: Analysis, not_collected: frozenset[str]) -> list[DemographicVariable]:
    """The table's variables: the spec's, else age and sex where collected."""
    return list(analysis.demographics.variables) if analysis.demographics else default_variables(not_collected)


def numeric(variable: DemographicVariable) -> bool:
    return variable.kind == "continuous" or bool(variable.cuts)


def demographic_values(variables: Sequence[DemographicVariable], column: Callable[[str], pd.Series | None],
                       available: Sequence[str], file: str, rows: Sequence[int]) -> tuple[list[tuple], list[Problem]]:
    """Each patient's tuple of values, and every problem: a column not found, a bad number."""
    problems: list[Problem] = []
    parsed = []
    for i, variable in enumerate(variables):
        values = column(variable.column)
        if values is None:
            problems.append(Problem(SPEC_FILE, f"{KEY}.{i}.column: {variable.column!r} is not a column of {file} "
                                               f"(its columns: {', '.join(available)})"))
            continue
        reader = _number if numeric(variable) else _text
        codes, uniques = pd.factorize(pd.Series(list(values), dtype=object), use_na_sentinel=True)
        read = [reader(value) for value in uniques]
        for index in [i for i, code in enumerate(codes) if code >= 0 and read[code][1]]:
            problems.append(Problem(file, read[codes[index]][1], int(rows[index]), variable.column))
        cells = [read[code][0] if code >= 0 else None for code in codes]
        parsed.append(cells)
    if problems:
        return [], problems
    return [tuple(cells) for cells in zip(*parsed)] if parsed else [() for _ in rows], []


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or \
        (isinstance(value, str) and not value.strip())


def _number(value) -> tuple[float | None, str | None]:
    if _missing(value):
        return None, None
    if isinstance(value, bool):
        return None, f"{value!r} is not a number"
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None, f"{value!r} is not a number"
    if not math.isfinite(number):
        return None, f"{value!r} is not a finite number"
    return number, None


def _text(value) -> tuple[str | None, str | None]:
    if _missing(value):
        return None, None
    if isinstance(value, float) and value.is_integer():
        return str(int(value)), None  # a numeric code read from XPT: 1, not 1.0
    return str(value).strip(), None
