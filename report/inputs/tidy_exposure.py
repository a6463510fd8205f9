"""Tidy exposure input: `exposure.csv`, one row per patient and cycle (or administration).

Columns: `subject_id` and `cycle` (a whole number from 1) and `start_on` (a date) are
required; `end_on` (a date), `dose` and `planned_dose` (numbers) and `action` (empty,
"none", or any of interrupted, reduced, delayed separated by ";", in any case) are
optional, as is `treatment` (text: the treatment the row gives, e.g. "Blinatumomab" and
"POMP maintenance"; empty or absent: the protocol treatment, one unnamed treatment, held as
None). An optional column the file lacks is not collected: the frame keeps it empty and
the trial's `not_collected` names it `exposure.<column>`, so that no table counts it as zero.
Every problem is reported at once, by file, row and column.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem
from .tidy import read_table
from .tidy_checks import Findings, ordinals, where_passing, without_row
from .tidy_read import Column

ACTIONS = ("interrupted", "reduced", "delayed")
OPTIONAL = ("end_on", "dose", "planned_dose", "action")
EXPOSURE_COLUMNS = (
    Column("subject_id", "text", required=True, needs_value=True),
    Column("cycle", "int", required=True, needs_value=True),
    Column("start_on", "date", required=True, needs_value=True),
    Column("end_on", "date"),
    Column("dose", "number"),
    Column("planned_dose", "number"),
    Column("action", "text"),
    Column("treatment", "text"),
)
COLUMNS = tuple(c.name for c in EXPOSURE_COLUMNS)


def not_collected_name(column: str) -> str:
    """How `not_collected` names an exposure column the data do not hold."""
    return f"exposure.{column}"


def read_exposure(path: Path, subjects: pd.DataFrame | None, problems: list[Problem]) -> tuple[pd.DataFrame | None, frozenset[str]]:
    """The exposure rows, typed (`action` as its actions in lower case joined by ";", "none"
    where the row says so, or None where it is empty; `treatment` stripped, or None),
    and the optional columns the file lacks; problems are added to `problems`."""
    frame = read_table(path, EXPOSURE_COLUMNS, problems, {})
    if frame is None:
        return None, frozenset()
    absent = frozenset(not_collected_name(c) for c in frame.attrs["absent"] if c in OPTIONAL)
    frame["action"] = [_actions(a) if isinstance(a, str) else None for a in frame["action"]]
    frame["treatment"] = [treatment_name(t) for t in frame["treatment"]]
    problems += _exposure_problems(frame, subjects, path.name)
    frame["action"] = [None if isinstance(a, ValueError) else a for a in frame["action"]]
    return without_row(frame)[list(COLUMNS)], absent


def treatment_name(cell) -> str | None:
    """A treatment cell as the frame holds it: stripped text, None where empty (the protocol treatment)."""
    return cell.strip() or None if isinstance(cell, str) else None


def _actions(cell: str) -> str | None | ValueError:
    """'Reduced; interrupted' -> 'interrupted;reduced'; 'none' -> 'none' (recorded: no action);
    '' -> None; a ValueError naming the words that are not actions (reported by the checks)."""
    words = [w.strip().lower() for w in cell.split(";") if w.strip()]
    unknown = [w for w in words if w not in ACTIONS and w != "none"]
    if unknown:
        return ValueError(", ".join(repr(w) for w in unknown))
    kept = [a for a in ACTIONS if a in words]
    return ";".join(kept) or ("none" if words else None)


def _exposure_problems(e: pd.DataFrame, subjects: pd.DataFrame | None, file: str) -> list[Problem]:
    found = Findings(file, e["source_row"])
    ids, action = e["subject_id"].to_numpy(dtype=object), e["action"].to_numpy(dtype=object)
    if subjects is not None:
        known = set(subjects["subject_id"].dropna())
        found.add(e["subject_id"].notna().to_numpy() & ~e["subject_id"].isin(known).to_numpy(), "subject_id",
                  lambda i: f"{ids[i]!r} is not in the subjects file")
    found.add(where_passing(e["cycle"], lambda c: c < 1), "cycle", lambda i: "cycles are numbered from 1")
    for column in ("dose", "planned_dose"):
        values = e[column].to_numpy(dtype=object)
        found.add(where_passing(e[column], lambda v: v < 0), column, lambda i, v=values: f"{v[i]:g} is negative")
    found.add(np.array([isinstance(a, ValueError) for a in action], dtype=bool), "action",
              lambda i: f"{action[i]} is not an action: use interrupted, reduced or delayed (separated by ';'), "
                        "none, or leave it empty")
    start, end = e["start_on"].to_numpy(dtype=object), e["end_on"].to_numpy(dtype=object)
    found.add(ordinals(e["end_on"]) < ordinals(e["start_on"]), "end_on",
              lambda i: f"{end[i]} is before start_on ({start[i]})")
    return found.problems()
