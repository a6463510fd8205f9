"""ADEX onto the tidy exposure columns (report.inputs.tidy_exposure): one row per patient and
cycle or administration, as the spec's `[adam.exposure]` maps it.

Read like ADAE (report.inputs.adam): ADEX where it exists (or the dataset the spec names,
which must exist), the records of one PARAMCD where the dataset is parameterised; every
missing variable and bad value reported at once, by file, row and variable.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem
from .adam_datasets import Dataset, find_dataset, first_date, open_dataset, text_values
from .spec_adam import AdamExposure
from .tidy_exposure import ACTIONS, COLUMNS, not_collected_name, treatment_name

DEFAULT_ADEX = "adex"


def open_adex(data_dir: Path, named: str | None, problems: list[Problem]) -> Dataset | None:
    """The exposure dataset the spec names (it must exist), else ADEX where it exists; None
    where exposure was not collected (or the spec says so with `dataset = ""`)."""
    if named == "" or (named is None and find_dataset(data_dir, DEFAULT_ADEX) is None):
        return None
    return open_dataset(data_dir, named or DEFAULT_ADEX, "exposure.dataset", problems)


def exposure(adex: Dataset, subjects: pd.DataFrame | None, subject: str, x: AdamExposure,
             problems: list[Problem]) -> tuple[pd.DataFrame | None, frozenset[str]]:
    """The exposure rows and the optional columns ADEX does not give (`exposure.<column>`)."""
    starts = [v for v in x.start if adex.has(v)]
    found = adex.missing({"subject": subject, "exposure.cycle": x.cycle})
    if x.paramcd is not None:
        found += adex.missing({"exposure.paramcd (PARAMCD)": "PARAMCD"})
    if not starts:
        found.append(Problem(adex.path.name, f"none of the variables {', '.join(x.start)} found; the mapping "
                             "[adam.exposure] start expects one", column=x.start[0]))
    if found or subjects is None:
        problems.extend(found)
        return None, frozenset()
    frame = adex.frame
    if x.paramcd is not None:
        frame = frame[text_values(frame["PARAMCD"]) == x.paramcd]
    rows = Dataset(adex.name, adex.path, frame)
    ends, doses = [v for v in x.end if rows.has(v)], [v for v in x.dose if rows.has(v)]
    mapped = {
        "subject_id": text_values(frame[subject.upper()]).to_numpy(dtype=object),
        "cycle": _cycles(rows, x.cycle, problems),
        "start_on": first_date(rows, starts),
        "end_on": first_date(rows, ends) if ends else None,
        "dose": _numbers(rows, doses[0], problems) if doses else None,
        "planned_dose": _numbers(rows, x.planned_dose, problems) if rows.has(x.planned_dose) else None,
        "action": _actions(rows, x.action, problems) if x.action and rows.has(x.action) else None,
        "treatment": ([treatment_name(t) for t in text_values(rows.col(x.treatment))]
                      if x.treatment and rows.has(x.treatment) else None),
    }
    _known_subjects(rows, mapped["subject_id"], subjects, subject, problems)
    for index, start in zip(frame.index, mapped["start_on"]):
        if start is None:
            problems.append(Problem(adex.path.name, "no start date for this record", adex.row(index), "/".join(starts)))
    absent = {"end_on": not ends, "dose": not doses, "planned_dose": not rows.has(x.planned_dose),
              "action": not (x.action and rows.has(x.action))}
    table = pd.DataFrame(mapped, columns=list(COLUMNS)).astype(object).where(lambda f: f.notna(), None)
    return table, frozenset(not_collected_name(c) for c, gone in absent.items() if gone)


def _cycles(rows: Dataset, variable: str, problems: list[Problem]) -> list:
    values = pd.to_numeric(rows.col(variable), errors="coerce")
    bad = values.isna() | (values < 1) | (values != values.round())
    for index in rows.frame.index[bad.to_numpy()]:
        problems.append(Problem(rows.path.name, f"{rows.col(variable)[index]!r} is not a cycle number (a whole "
                                "number from 1)", rows.row(index), variable))
    return [None if b else int(v) for v, b in zip(values, bad)]


def _numbers(rows: Dataset, variable: str, problems: list[Problem]) -> list:
    raw = rows.col(variable)
    values = pd.to_numeric(raw, errors="coerce")
    for index in rows.frame.index[(values.isna() & text_values(raw).notna()).to_numpy() | (values < 0).to_numpy()]:
        problems.append(Problem(rows.path.name, f"{raw[index]!r} is not a dose (a number, 0 or more)",
                                rows.row(index), variable))
    return [None if pd.isna(v) or v < 0 else float(v) for v in values]


def _actions(rows: Dataset, variable: str, problems: list[Problem]) -> list:
    """Each record's actions in lower case joined by ";" ("none": none recorded; None: empty)."""
    kept = []
    for index, cell in text_values(rows.col(variable)).items():
        words = [w.strip().lower() for w in (cell or "").split(";") if w.strip()]
        unknown = [w for w in words if w not in ACTIONS and w != "none"]
        if unknown:
            problems.append(Problem(rows.path.name, f"{cell!r} is not an action: use interrupted, reduced or delayed "
                                    "(separated by ';'), none, or leave it empty", rows.row(index), variable))
        kept.append(";".join(a for a in ACTIONS if a in words) or ("none" if words else None))
    return kept


def _known_subjects(rows: Dataset, ids: np.ndarray, subjects: pd.DataFrame, subject: str, problems: list[Problem]) -> None:
    known = set(subjects["subject_id"])
    for index, value in zip(rows.frame.index, ids):
        if value not in known:
            problems.append(Problem(rows.path.name, f"{value!r} is not in ADSL", rows.row(index), subject))
