"""Tidy input (DESIGN section 4): read subjects and adverse events, check every cell.

Cells are read as text and parsed here, so that each problem can name its file, its row
(1-based, as a spreadsheet shows it: the header is row 1) and its column.

Tables run to hundreds of thousands of rows, so work is done a column at a time: each
distinct cell is stripped and parsed once, checks are masks over whole columns, and text
is written only for the cells and rows that fail.
"""
from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .arms import arm_problems
from . import demographic_columns as dc
from . import strata_column
from ..errors import InputError, Problem
from .spec import Analysis
from .limits import date_outside
from .tidy_checks import ae_problems, subject_problems, without_row
from .tidy_read import Column, distinct_codes, header_in_row_1, object_array, read_records, records_frame

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
INTEGER = re.compile(r"^[+-]?\d+$", re.ASCII)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab and line breaks inside quotes are allowed
TRUE_WORDS = {"true", "yes", "y", "1", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "f"}


SUBJECT_COLUMNS = (
    Column("subject_id", "text", required=True, needs_value=True),
    Column("arm", "text"),
    Column("enrolled_on", "date", required=True, needs_value=True),
    Column("age", "number"),
    Column("sex", "text"),
    Column("eligible", "bool", default=True),
    Column("treated", "bool", default=True),
    Column("best_response", "text", required=True),
    Column("response_on", "date"),
    Column("response_cycle", "int"),
    Column("mrd", "text"),
    Column("best_change", "number"),  # best percent change of the target lesions' sum (solid tumours)
    Column("relapse_on", "date"),
    Column("died_on", "date", required=True),
    Column("death_cause", "text"),
    Column("last_contact_on", "date", required=True),
    Column("off_study_on", "date"),
    Column("off_study_reason", "text"),
    Column("ineligible_reason", "text"),
    Column("study_status", "text"),  # completed | discontinued | ongoing, any case (report.inputs.tidy_checks)
)

AE_COLUMNS = (
    Column("subject_id", "text", required=True, needs_value=True),
    Column("term", "text", required=True, needs_value=True),
    Column("soc", "text"),
    Column("grade", "int", required=True, needs_value=True),
    Column("onset_on", "date", required=True, needs_value=True),
    Column("attribution", "text"),
    Column("serious", "bool", default=False),
    Column("action_taken", "text"),  # CDISC ACN terms (report.inputs.tidy_checks.ACTIONS)
    Column("fatal", "bool", default=False),
)
# Optional adverse-event columns whose absence means "not collected": None in every row
# (a cell left empty in a present column is "" for text, false for yes/no).
AE_COLLECTED = ("attribution", "serious", "action_taken", "fatal")


@dataclass(frozen=True, eq=False)
class TidyTables:
    subjects: pd.DataFrame
    adverse_events: pd.DataFrame | None  # None: no adverse-event file (not collected)
    not_collected: frozenset[str] = frozenset()  # optional subject columns the file lacks


def read_tidy(
    subjects_path: Path, ae_path: Path | None, *, responders: list[str], categories: list[str],
    arms: Analysis | None = None,
) -> TidyTables:
    """Both tables, typed, or an InputError listing every problem in both files (and, given
    the spec's `[analysis]`, every disagreement between its arm lists and the data). Without
    `ae_path`, adverse events were not collected: a table of none is not made up."""
    problems: list[Problem] = []
    unreadable: dict[str, np.ndarray] = {}  # subjects' cells already reported, by column
    subjects = read_table(subjects_path, SUBJECT_COLUMNS, problems, unreadable)
    aes = read_table(ae_path, AE_COLUMNS, problems, {}) if ae_path is not None else None
    not_collected = frozenset(subjects.attrs["absent"]) if subjects is not None else frozenset()
    if subjects is not None and subjects.empty:
        if not any(p.file == subjects_path.name for p in problems):  # not when every row was refused
            problems.append(Problem(subjects_path.name, "no patients: the file has column names but no rows"))
        subjects = None
    if subjects is not None:
        subjects["last_contact_on"] = subjects["last_contact_on"].fillna(subjects["died_on"])
        subjects["efficacy"] = subjects["eligible"].astype(bool) & subjects["treated"].astype(bool)
        subjects["safety"] = subjects["treated"].astype(bool)
        problems += subject_problems(subjects, subjects_path.name, responders, categories, unreadable)
        subjects["itt"] = True  # tidy input: every patient enrolled is in the intent-to-treat population
        if arms is not None:
            problems += arm_problems(subjects["arm"], subjects["source_row"], subjects_path.name, "arm", arms)
            problems += _with_demographics(subjects, arms, not_collected, subjects_path.name)
    if subjects is not None and aes is not None:
        problems += ae_problems(aes, subjects, ae_path.name)
    if problems:
        raise InputError(problems)
    if aes is not None:
        aes = _collected_or_none(aes)
    return TidyTables(without_row(subjects), without_row(aes) if ae_path is not None else None, not_collected)


def _collected_or_none(aes: pd.DataFrame) -> pd.DataFrame:
    """The optional adverse-event columns: None in every row where the file lacks the column
    (not collected); in a present column an empty text cell is "" (recorded as blank), and an
    action taken is its CDISC term in capitals."""
    absent = set(aes.attrs.get("absent", ()))
    aes = aes.copy()
    for name in AE_COLLECTED:
        if name in absent:
            aes[name] = pd.Series([None] * len(aes), index=aes.index, dtype=object)
        elif name in ("attribution", "action_taken"):
            aes[name] = aes[name].map(lambda v: "" if v is None else (v.strip().upper() if name == "action_taken" else v))
    return aes


def _with_demographics(subjects: pd.DataFrame, analysis: Analysis, absent: frozenset[str], file: str) -> list[Problem]:
    """The demographic table's values (report.inputs.demographic_columns) in `subjects`; the problems."""
    derived = {"source_row", "efficacy", "safety", "itt"}
    available = [c for c in subjects.columns if c not in absent and c not in derived]
    values, problems = dc.demographic_values(dc.variables(analysis, absent), lambda c: subjects[c] if c in available else None,
                                             available, file, list(subjects["source_row"]))
    subjects[dc.COLUMN] = pd.Series(values if not problems else [()] * len(subjects), index=subjects.index, dtype=object)
    return problems + strata_column.attach(subjects, analysis.strata, lambda c: subjects[c] if c in available else None,
                                           available, file)


def read_table(path: Path, columns: tuple[Column, ...], problems: list[Problem], unreadable: dict[str, np.ndarray]):
    """The table typed, or None; each cell that could not be read is a problem, and its
    column's mask in `unreadable` flags its row."""
    raw = _read_text_frame(path, columns, problems)
    if raw is None:
        return None
    missing = [c.name for c in columns if c.required and c.name not in raw.columns]
    for name in missing:
        problems.append(Problem(path.name, _missing_message(name, raw.columns, columns), column=name))
    if missing:
        return None
    parsed = {"source_row": pd.Series(raw.index, index=raw.index)}
    known = {column.name for column in columns}
    for column in columns:
        if column.name in raw.columns:
            values, unreadable[column.name] = _parse_column(raw[column.name], column, path.name, problems)
        else:
            values = object_array([column.default] * len(raw))
        parsed[column.name] = pd.Series(values, index=raw.index, dtype=object)
    # Further baseline columns ride along as text, unparsed: one block, whatever their number.
    extra = raw[[c for c in raw.columns if c not in known and c != "source_row"]]
    text = extra.to_numpy(dtype=object, copy=True)
    text[text == ""] = None
    frame = pd.concat([pd.DataFrame(parsed, index=raw.index), pd.DataFrame(text, index=raw.index, columns=extra.columns)],
                      axis=1)
    frame.attrs["absent"] = [c.name for c in columns if c.name not in raw.columns]  # not collected
    return frame


def _missing_message(name: str, present, columns: tuple[Column, ...]) -> str:
    known = {c.name for c in columns}
    unknown = {c.lower(): c for c in present if c not in known}
    close = difflib.get_close_matches(name, list(unknown), n=1, cutoff=0.75)
    hint = f" (did you mean {unknown[close[0]]}?)" if close else ""
    return f"required column is missing{hint}"


def _read_text_frame(path: Path, columns: tuple[Column, ...], problems: list[Problem]) -> pd.DataFrame | None:
    """The table as text cells, indexed by spreadsheet row number; None after a problem."""
    records = read_records(path, problems)
    if records is None or not header_in_row_1(records, columns, path.name, problems):
        return None
    return records_frame(records, path.name, problems)


def _parse_column(cells: pd.Series, column: Column, file: str, problems: list[Problem]) -> tuple[np.ndarray, np.ndarray]:
    """The column's values (its default where a cell is empty or bad), each distinct cell
    parsed once, and which cells were bad; a problem for each bad cell, in row order."""
    codes, distinct = distinct_codes(cells)
    parsed = [_parse_cell(cell, column) for cell in distinct]
    messages = [message for _, message in parsed]
    bad = np.array([message is not None for message in messages], dtype=bool)
    for i in np.flatnonzero(bad[codes]):
        problems.append(Problem(file, messages[codes[i]], int(cells.index[i]), column.name))
    return object_array([value for value, _ in parsed])[codes], np.append(bad, False)[codes]


def _parse_cell(cell: str, column: Column) -> tuple[object, str | None]:
    """(value, None) or, for a bad cell, (the column's default, what is wrong)."""
    if cell == "":
        return column.default, "a value is required" if column.needs_value else None
    if CONTROL.search(cell):
        return column.default, f"{cell!r} holds a control character"
    try:
        return PARSERS[column.kind](cell), None
    except ValueError as exc:
        return column.default, f"{cell!r} {exc}"


def _date(cell: str) -> dt.date:
    if not ISO_DATE.match(cell):
        raise ValueError("is not a date in the form YYYY-MM-DD")
    try:
        date = dt.date.fromisoformat(cell)
    except ValueError:
        raise ValueError("is not a calendar date") from None
    if date_outside(date):
        raise ValueError(date_outside(date))
    return date


def _bool(cell: str) -> bool:
    word = cell.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("is not true or false")


def _int(cell: str) -> int:
    if not INTEGER.match(cell):
        raise ValueError("is not a whole number")
    return int(cell)


def _number(cell: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise ValueError("is not a number") from None
    if not math.isfinite(value):
        raise ValueError("is not a finite number")
    return value


PARSERS: dict[str, Callable[[str], object]] = {
    "text": str,
    "date": _date,
    "bool": _bool,
    "int": _int,
    "number": _number,
}


