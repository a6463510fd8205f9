"""Laboratory abnormalities (LBT14-style shift table): for each laboratory test, patients by
their baseline CTCAE grade and their worst grade after baseline, n (% of N), in a band per
arm and one for the total.

N, for one test and one group: the patients of the safety population with a baseline grade
and at least one graded result after baseline for that test. Patients with results after
baseline but no baseline grade are counted on a "Baseline missing" row, outside N.

The baseline record: the one the data flag (tidy `baseline`, ADaM ABLFL or BTOXGR); where
the data flag none, the last result on or before the first dose (exposure, where collected)
or else registration, the worst grade of that day. After baseline: the records the data flag
(ADaM ONTRTFL), else those dated after that reference date (and after a flagged baseline record's date). A part of one group (the
ledger's `labs_shift` and `by_arm.<arm>.labs_shift`); None where laboratory results were
not collected. Not open-safe: grades by arm can reveal efficacy-related toxicity.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from ...analysis.group import Group, Part, Reads
from ...analysis.ledger import Share
from ...layout.ard import Stat, source_name
from ...layout.collected import NOT_COLLECTED
from ...layout.formatting import MISSING, count_percent, percent
from ...layout.tables import TOTAL, ArmTable, Row
from ..block import Block, Context

GRADES = ("0", "1", "2", "3", "4")
MISSING_BASELINE = "Baseline missing"
NO_DATA = "no results in the data"


@dataclass(frozen=True)
class TestShift:
    label: str  # the test's name as printed (ADaM PARAM)
    n: int  # N: patients with a baseline grade and at least one graded result after baseline
    shifts: dict[str, dict[str, Share]]  # baseline grade -> worst grade after baseline -> n (% of N)
    missing_baseline: dict[str, int]  # worst grade -> patients with results after baseline, none at baseline


@dataclass(frozen=True)
class LabShift:
    tests: dict[str, TestShift | None]  # by test, in the spec's order; None: no result of the test in this group


def labs_shift(group: Group) -> LabShift | None:
    """The shift of one group's safety population, for the tests the spec names (else all)."""
    if group.labs is None:
        return None
    safety = group.subjects[group.subjects["safety"].astype(bool)]
    labs = group.labs[group.labs["subject_id"].isin(set(safety["subject_id"]))]
    references = _reference_dates(safety, group.exposure)
    records = _records_by_patient(labs)
    tests = group.options.labs.tests or sorted(set(labs["test"]))
    return LabShift({test: _test_shift(test, records.get(test, {}), references) for test in tests})


def _reference_dates(safety: pd.DataFrame, exposure: pd.DataFrame | None) -> dict[str, dt.date]:
    """Each patient's first dose where exposure is collected and dated, else registration."""
    dates = dict(zip(safety["subject_id"], safety["enrolled_on"]))
    if exposure is not None:
        doses = exposure[exposure["subject_id"].isin(dates) & exposure["start_on"].notna()]
        first: dict[str, dt.date] = {}
        for subject, start in zip(doses["subject_id"], doses["start_on"]):  # dates as objects: pandas' min loops too
            if subject not in first or start < first[subject]:
                first[subject] = start
        dates.update(first)
    return dates


def _records_by_patient(labs: pd.DataFrame) -> dict[str, dict[str, list[tuple]]]:
    """test -> patient -> (collected_on, grade, baseline, post, label) records, in the data's order."""
    found: dict[str, dict[str, list[tuple]]] = {}
    columns = ("subject_id", "test", "collected_on", "grade", "baseline", "post", "label")
    for subject, test, *record in zip(*(labs[c].to_numpy(dtype=object) for c in columns)):
        found.setdefault(test, {}).setdefault(subject, []).append(tuple(None if _empty(v) else v for v in record))
    return found


def _empty(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _test_shift(test: str, patients: dict[str, list[tuple]], references: dict[str, dt.date]) -> TestShift | None:
    if not patients:
        return None
    pairs = [_baseline_and_worst(records, references[subject]) for subject, records in patients.items()]
    counted = [(b, w) for b, w in pairs if b is not None and w is not None]
    n = len(counted)
    shifts = {b: {w: Share.of(sum(1 for pair in counted if pair == (int(b), int(w))), n) for w in GRADES} for b in GRADES}
    missing = {w: sum(1 for b, worst in pairs if b is None and worst == int(w)) for w in GRADES}
    label = next((r[4] for records in patients.values() for r in records if r[4] is not None), test)
    return TestShift(label, n, shifts, missing)


def _baseline_and_worst(records: list[tuple], reference: dt.date) -> tuple[int | None, int | None]:
    """(baseline grade, worst grade after baseline) of one patient's results of one test."""
    flagged = any(baseline is not None for _, _, baseline, _, _ in records)
    if flagged:
        grades = [grade for _, grade, baseline, _, _ in records if baseline is True and grade is not None]
        baseline = max(grades) if grades else None
        # after baseline: after the first dose (or registration) and after the flagged record
        reference = max([reference, *(day for day, _, flag, _, _ in records if flag is True and day is not None)])
    else:
        before = [(day, grade) for day, grade, *_ in records if day is not None and day <= reference and grade is not None]
        last = max((day for day, _ in before), default=None)
        baseline = max((grade for day, grade in before if day == last), default=None)
    if any(post is not None for *_, post, _ in records):
        after = [grade for _, grade, baseline, post, _ in records if post is True and baseline is not True]
    else:
        after = [grade for day, grade, baseline, *_ in records if baseline is not True and day is not None and day > reference]
    worst = max((grade for grade in after if grade is not None), default=None)
    return baseline, worst



# ------------------------------------------------------------------ layout


def table(ledger: dict, context: Context | None = None) -> ArmTable:
    """One band per test and group (each arm, then the total): rows by baseline grade, columns
    by worst grade after baseline."""
    groups = [(arm, ledger["by_arm"][arm]["labs_shift"]) for arm in ledger["arms"]] + [(TOTAL, ledger["labs_shift"])]
    total = ledger["labs_shift"]
    if total is None:
        return ArmTable(columns=("Laboratory results",), counts=("",), subcolumns=("",),
                        rows=(Row("CTCAE grades", (NOT_COLLECTED,), "group"),))
    rows: list[Row] = [] if total["tests"] else [Row(f"Laboratory tests: {NO_DATA}", ("",) * len(GRADES), "group")]
    for test, shift in total["tests"].items():
        if shift is None:
            rows.append(Row(f"{test}: {NO_DATA}", ("",) * len(GRADES), "group"))
            continue
        for name, part in groups:
            rows += _band(shift["label"], name if len(groups) > 1 else "", (part or {"tests": {}})["tests"].get(test))
    return ArmTable(columns=("Worst grade after baseline",), counts=("",),
                    subcolumns=tuple(f"Grade {g}" for g in GRADES), rows=tuple(rows), css="arms shift")


def _band(label: str, group: str, shift: dict | None) -> list[Row]:
    """One test in one group: its N, then a row per baseline grade and the missing baseline."""
    n = shift["n"] if shift else 0
    head = f"{label}, {group} (N = {n})" if group else f"{label} (N = {n})"
    rows = [Row(head, ("",) * len(GRADES), "group")]
    for b in GRADES:
        cells = (count_percent(shift["shifts"][b][w]["count"], shift["shifts"][b][w]["proportion"]) if n else MISSING
                 for w in GRADES)
        rows.append(Row(f"Baseline grade {b}", tuple(cells), "indent"))
    missing = shift["missing_baseline"] if shift else {}
    rows.append(Row(MISSING_BASELINE, tuple(str(missing.get(w, 0)) for w in GRADES), "indent"))
    return rows


# ------------------------------------------------------------------ ard.csv


def ard(part: dict | None, ledger: dict) -> Iterable[Stat]:
    """One group's shift as ard.csv rows: per test (group2), its N, and for each baseline and
    worst grade (variable_level "<baseline> -> <worst>") n and p (p, a proportion of N; the
    missing baseline, outside N, has n only)."""
    if part is None:
        return []
    test_var, grade_var = _source(ledger, "lab_test", "test"), _source(ledger, "lab_grade", "grade")
    rows = []
    for test, shift in part["tests"].items():
        if shift is None:
            continue
        where = {"variable": grade_var, "group2": test_var, "group2_level": test}
        rows.append(Stat("shift", "N", shift["n"], str(shift["n"]), **where))
        for b in GRADES:
            for w in GRADES:
                cell = shift["shifts"][b][w]
                level = f"{b} -> {w}"
                rows.append(Stat("shift", "n", cell["count"], str(cell["count"]), variable_level=level, **where))
                rows.append(Stat("shift", "p", cell["proportion"], percent(cell["proportion"], 1),
                                 variable_level=level, **where))
        for w in GRADES:
            count = shift["missing_baseline"][w]
            rows.append(Stat("shift", "n", count, str(count), variable_level=f"Missing -> {w}", **where))
    return rows


def _source(ledger: dict, column: str, tidy: str) -> str:
    """The source's name of a labs column (ADaM PARAMCD, ATOXGR), else the tidy file's."""
    name = source_name(ledger, column)
    return tidy if name == column else name


BLOCK = Block(
    id="labs_shift",
    title="Laboratory abnormalities",
    keys=("labs_shift", "by_arm"),
    open_safe=False,
    partial="partials/labs_shift.html.j2",
    compute=Part(labs_shift, Reads(subjects=("safety", "enrolled_on"), exposure=("start_on",),
                                   labs=("test", "label", "collected_on", "grade", "baseline", "post"),
                                   options=("labs",))),
    view=table,
    ard=ard,
)
