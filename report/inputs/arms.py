"""Which arms a trial's reports show: the spec's `[analysis] arms` and `exclude_arms`
checked against the arms the data hold, and the excluded arms' patients left out.

A spec that lists arms must name every arm of the data, in `arms` or in `exclude_arms`,
and nothing else: a misspelt arm would otherwise be dropped silently and the next arm
would become the reference of every hazard ratio. A spec that lists none shows every
arm found, sorted.
"""
from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Sequence

import pandas as pd

from ..errors import Problem
from .source import SourceTables
from .spec import SPEC_FILE, Analysis

EXCLUDED_COLUMNS = ("subject_id", "arm", "enrolled_on")


def arm_problems(arms: Sequence, rows: Sequence[int], data_file: str, column: str, analysis: Analysis) -> list[Problem]:
    """Every disagreement between the spec's arm lists and the arms of the data.

    `arms` holds each patient's arm (None where not given), `rows` the row each patient
    was read from, as a spreadsheet numbers it.
    """
    first_row = _first_rows(arms, rows)
    listed, excluded = analysis.arms, analysis.exclude_arms
    if not listed and not excluded:
        return []
    lists = _both_lists(listed, excluded, sorted(first_row))
    problems = [
        Problem(SPEC_FILE, f"analysis.{key}: {arm!r} is not an arm in the data{_did_you_mean(arm, first_row)} ({lists})")
        for key, names in (("arms", listed), ("exclude_arms", excluded)) for arm in _unique(names) if arm not in first_row
    ]
    problems += [Problem(SPEC_FILE, f"analysis: {arm!r} is both in arms and in exclude_arms ({lists})")
                 for arm in _unique(listed) if arm in excluded]
    problems += [Problem(SPEC_FILE, f"analysis.{key}: {arm!r} is named more than once")
                 for key, names in (("arms", listed), ("exclude_arms", excluded)) for arm in _repeated(names)]
    if listed:
        problems += [
            Problem(data_file, f"arm {arm!r} is neither in [analysis] arms nor in exclude_arms of {SPEC_FILE} ({lists})",
                    row, column)
            for arm, row in first_row.items() if arm not in listed and arm not in excluded
        ]
    return problems


def without_excluded_arms(source: SourceTables, excluded: Sequence[str]) -> tuple[SourceTables, pd.DataFrame]:
    """The tables without the patients of the excluded arms, and those patients
    (EXCLUDED_COLUMNS)."""
    out = source.subjects["arm"].isin(list(excluded))
    left_out = source.subjects.loc[out, list(EXCLUDED_COLUMNS)].reset_index(drop=True)
    if not out.any():
        return source, left_out
    kept_ids = source.subjects.loc[~out, "subject_id"]
    subjects = source.subjects[~out].reset_index(drop=True)
    adverse_events = source.adverse_events  # None: not collected
    if adverse_events is not None:
        adverse_events = adverse_events[adverse_events["subject_id"].isin(kept_ids)].reset_index(drop=True)
    tte = source.time_to_event
    if tte is not None:
        tte = tte[tte["subject_id"].isin(kept_ids)].reset_index(drop=True)
    rows = source.endpoint_rows
    if rows is not None:
        rows = rows[rows["subject_id"].isin(kept_ids)].reset_index(drop=True)
    return dataclasses.replace(source, subjects=subjects, adverse_events=adverse_events, time_to_event=tte,
                               endpoint_rows=rows), left_out


def excluded_counts(excluded: pd.DataFrame, arms: Sequence[str]) -> dict[str, int]:
    """Patients left out, by excluded arm in the spec's order."""
    return {arm: int((excluded["arm"] == arm).sum()) for arm in arms}


def _first_rows(arms: Sequence, rows: Sequence[int]) -> dict[str, int]:
    first: dict[str, int] = {}
    for arm, row in zip(arms, rows, strict=True):
        if arm is not None and arm not in first:
            first[arm] = int(row)
    return first


def _both_lists(listed: list[str], excluded: list[str], found: list[str]) -> str:
    text = f"spec arms: {_names(listed)}"
    if excluded:
        text += f"; exclude_arms: {_names(excluded)}"
    return f"{text}; data arms: {_names(found)}"


def _names(arms: Sequence[str]) -> str:
    return ", ".join(arms) if arms else "none"


def _did_you_mean(arm: str, found: dict[str, int]) -> str:
    close = difflib.get_close_matches(arm, list(found), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _repeated(names: list[str]) -> list[str]:
    return [name for name in _unique(names) if names.count(name) > 1]
