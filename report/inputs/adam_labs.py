"""CDISC ADaM laboratory results (ADLB, optional) mapped onto the tidy labs frame
(report.inputs.tidy_labs.FRAME_COLUMNS) through `[adam.labs]` (report.inputs.spec_adam.AdamLabs).

The test is PARAMCD (its name PARAM), the grade ATOXGR (an empty grade is a result nobody
graded: left out of the worst grade; an empty baseline grade is a missing baseline). The
baseline is the record flagged ABLFL = "Y"; without ABLFL, BTOXGR (the baseline grade every
record carries); without either, it is derived from the dates as for tidy input.
Post-baseline records are those flagged ONTRTFL = "Y" where the dataset has the variable,
else those dated after the patient's start (ADSL's RANDDT or TRTSDT).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem
from .adam_datasets import Dataset, find_dataset, first_date, open_dataset, text_values
from .spec_adam import AdamLabs
from .tidy_labs import FRAME_COLUMNS, GRADES

DEFAULT_ADLB = "adlb"


def open_adlb(data_dir: Path, named: str | None, problems: list[Problem]) -> Dataset | None:
    """The dataset `[adam.labs] dataset` names (it must exist), else ADLB where it exists; None
    where laboratory results were not collected (or the spec says so with `dataset = ""`)."""
    if named == "" or (named is None and find_dataset(data_dir, DEFAULT_ADLB) is None):
        return None
    return open_dataset(data_dir, named or DEFAULT_ADLB, "labs.dataset", problems)


def adam_labs(adlb: Dataset, subjects: pd.DataFrame | None, subject: str, m: AdamLabs,
              problems: list[Problem]) -> pd.DataFrame | None:
    """The labs frame, or None after a problem (each one added to `problems`); None too for an
    ADLB found by its default name that holds no grade variable (results not graded by CTCAE,
    as in many ADLBs: CTCAE grades were not collected, and the rest of the report is built)."""
    if m.dataset is None and not adlb.has(m.grade):
        return None
    found = adlb.missing({"subject": subject, "labs.test": m.test, "labs.grade": m.grade, "labs.date": m.date,
                          "labs.analysis_flag": m.analysis_flag})
    if found or subjects is None:
        problems.extend(found)
        return None
    frame = adlb.frame
    if m.analysis_flag:
        frame = frame[_flag(frame[m.analysis_flag.upper()])]
    ids = text_values(frame[subject.upper()])
    for index in frame.index[~ids.isin(set(subjects["subject_id"])) & ids.notna()]:
        problems.append(Problem(adlb.path.name, f"{ids[index]!r} is not in ADSL", adlb.row(index), subject))
    grade = _grades(adlb, frame, m.grade, problems)
    test = text_values(frame[m.test.upper()])
    records = pd.DataFrame({
        "subject_id": ids.to_numpy(), "test": test.to_numpy(),
        "label": (text_values(frame[m.label.upper()]).fillna(test) if adlb.has(m.label) else test).to_numpy(),
        "collected_on": first_date(Dataset(adlb.name, adlb.path, frame), [m.date]),
        "grade": grade,
        "baseline": _flag(frame[m.baseline_flag.upper()]) if adlb.has(m.baseline_flag) else None,
        "post": _flag(frame[m.post_baseline.upper()]) if m.post_baseline and adlb.has(m.post_baseline) else None,
    }, columns=list(FRAME_COLUMNS)).astype(object)
    if not adlb.has(m.baseline_flag) and adlb.has(m.baseline_grade):
        records = _with_baseline_records(records, _grades(adlb, frame, m.baseline_grade, problems))
    return records.where(records.notna(), None).reset_index(drop=True)


def _with_baseline_records(records: pd.DataFrame, baseline_grade: list) -> pd.DataFrame:
    """Without a baseline flag: one undated baseline record per patient and test, holding the
    first baseline grade its records give (None where none gives one); the others not baseline."""
    records = records.assign(baseline=False)
    given = records.assign(grade=baseline_grade)
    firsts = given.sort_values("grade", key=lambda g: g.isna(), kind="stable").drop_duplicates(["subject_id", "test"])
    return pd.concat([firsts.assign(baseline=True, post=False, collected_on=None), records], ignore_index=True)


def _grades(adlb: Dataset, frame: pd.DataFrame, variable: str, problems: list[Problem]) -> list:
    """Each record's grade (0-4), None where empty; a problem for any other value."""
    raw = frame[variable.upper()]
    text = text_values(raw)
    values = pd.to_numeric(text, errors="coerce")
    bad = text.notna() & ~values.isin(list(GRADES))
    for index in frame.index[bad.to_numpy()]:
        problems.append(Problem(adlb.path.name, f"{raw[index]!r} is not a CTCAE grade of a laboratory result (0-4)",
                                adlb.row(index), variable))
    return [None if pd.isna(v) or b else int(v) for v, b in zip(values, bad)]


def _flag(values: pd.Series) -> np.ndarray:
    return np.array([str(v).strip().upper() == "Y" for v in values], dtype=bool)
