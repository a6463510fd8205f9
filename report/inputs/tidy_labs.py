"""Tidy laboratory results (`labs.csv`, optional): one row per graded result, for the
laboratory shift table. Read like the other tidy tables (report.inputs.tidy): every bad
cell is a problem naming its file, row and column, all reported at once.

| column | type | notes |
| --- | --- | --- |
| `subject_id` | text | must exist in subjects |
| `test` | text | the test's name (e.g. "Neutrophil count decreased"), as `[analysis.labs] tests` names it |
| `collected_on` | date | when the sample was taken |
| `grade` | int | CTCAE grade 0-4 (0: within the grade-1 limits); required: leave results nobody graded out of the file |
| `baseline` | bool | optional: the baseline record (true), one per patient and test at most. Without the column, the baseline is derived: the last result on or before the first dose (where exposure is collected), else on or before registration |
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .tidy import read_table
from .tidy_checks import Findings, where_passing, without_row
from .tidy_read import Column

DEFAULT_FILE = "labs.csv"
GRADES = range(0, 5)
LAB_COLUMNS = (
    Column("subject_id", "text", required=True, needs_value=True),
    Column("test", "text", required=True, needs_value=True),
    Column("collected_on", "date", required=True, needs_value=True),
    Column("grade", "int", required=True, needs_value=True),
    Column("baseline", "bool"),
)
# The frame the pipeline holds (ADaM input gives the same): `label` is the name printed;
# `baseline` True/False where the data flag the baseline record, None where it is derived
# from dates; `post` True/False where the data flag post-baseline records (ADaM), else None.
FRAME_COLUMNS = ("subject_id", "test", "label", "collected_on", "grade", "baseline", "post")


def read_labs(path: Path | None, subjects: pd.DataFrame | None) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The results, typed, and every problem found (a subject_id not in `subjects` among them;
    `subjects` None: the subjects file could not be read, so only the cells are checked)."""
    if path is None:
        return None, []
    problems: list[Problem] = []
    frame = read_table(path, LAB_COLUMNS, problems, {})
    if frame is None:
        return None, problems
    if "baseline" not in frame.attrs["absent"]:
        frame["baseline"] = frame["baseline"].map(lambda flag: bool(flag) if flag is not None else False).astype(object)
    problems += _lab_problems(frame, subjects, path.name)
    frame["label"], frame["post"] = frame["test"], None
    return without_row(frame[["source_row", *FRAME_COLUMNS]]), problems


def _lab_problems(labs: pd.DataFrame, subjects: pd.DataFrame | None, file: str) -> list[Problem]:
    found = Findings(file, labs["source_row"])
    ids, grade, test = (labs[c].to_numpy(dtype=object) for c in ("subject_id", "grade", "test"))
    if subjects is not None:
        known = set(subjects["subject_id"].dropna())
        found.add(labs["subject_id"].notna().to_numpy() & ~labs["subject_id"].isin(known).to_numpy(), "subject_id",
                  lambda i: f"{ids[i]!r} is not in the subjects file")
    found.add(where_passing(labs["grade"], lambda g: g not in GRADES), "grade",
              lambda i: f"{grade[i]} is not a CTCAE grade of a laboratory result (0-4)")
    flagged = (labs["baseline"] == True).to_numpy()  # noqa: E712 (None compares False)
    keys = pd.Series(list(zip(ids, test)), index=labs.index)
    again = flagged & keys.where(flagged).duplicated().to_numpy() & flagged
    first = dict(zip(keys[flagged & ~again], found.rows[flagged & ~again]))
    found.add(again, "baseline", lambda i: f"a second baseline record of {test[i]!r} for {ids[i]!r} "
                                           f"(the first is row {first[keys.iloc[i]]})")
    return found.problems()


def empty_labs() -> pd.DataFrame:
    return pd.DataFrame({c: np.array([], dtype=object) for c in FRAME_COLUMNS})
