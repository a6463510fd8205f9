"""A group of patients as one frozen input: all of them ("Total") or one arm.

Every part of the ledger is a pure function `Group -> frozen result` (a `Part`): `analyze`
runs each part for the total and for each arm, so a statistic never knows about arms.
A part declares what it reads (`Reads`): the columns of each frame and the analysis
options; its input hash (report.analysis.hashes) covers exactly those.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import pandas as pd

from ..inputs import derive
from ..inputs.spec import Analysis
from ..inputs.trial import Trial

TOTAL = "Total"


@dataclass(frozen=True, eq=False)
class Group:
    """One group of patients: its subjects, their time-to-event rows and adverse events
    (None: not collected), the analysis options and what the data do not hold."""
    label: str  # TOTAL, or the arm
    subjects: pd.DataFrame
    time_to_event: pd.DataFrame
    adverse_events: pd.DataFrame | None
    options: Analysis
    grading: str = "ctcae"  # ctcae or severity
    not_collected: frozenset[str] = frozenset()
    # An arm's risk tables use the total's times, so that arms line up under one axis; each
    # endpoint named here keeps its key in the arm even where the arm has no patient for it.
    risk_times: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    exposure: pd.DataFrame | None = None  # treatment cycles or administrations; None: not collected
    labs: pd.DataFrame | None = None  # laboratory results; None: not collected
    # The whole trial's treatments (exposure rows naming two or more), so that an arm given
    # only some of them still has a column for each.
    treatments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reads:
    """What a part reads of its group: the columns of each frame, the analysis options by
    name, and whether it reads the grading and the list of what was not collected."""
    subjects: tuple[str, ...] = ()
    time_to_event: tuple[str, ...] = ()
    adverse_events: tuple[str, ...] = ()
    exposure: tuple[str, ...] = ()
    labs: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    grading: bool = False
    not_collected: bool = False


@dataclass(frozen=True)
class Part:
    """A ledger part's pure computation and what it reads; called like the function."""
    compute: Callable[[Group], object]
    reads: Reads

    def __call__(self, group: Group) -> object:
        return self.compute(group)


def reads_of(part: Callable[[Group], object]) -> Reads | None:
    """What a part declares it reads; None for a plain function (then it may read anything)."""
    return part.reads if isinstance(part, Part) else None


def total(trial: Trial) -> Group:
    return Group(TOTAL, trial.subjects, trial.time_to_event, trial.adverse_events, trial.spec.analysis,
                 trial.grading, trial.not_collected, exposure=trial.exposure, labs=trial.labs,
                 treatments=derive.treatments(trial.exposure))


def arm_group(trial: Trial, arm: str, risk_times: Mapping[str, tuple[float, ...]]) -> Group:
    """The patients of one arm, with their rows of every frame."""
    subjects = trial.subjects[trial.subjects["arm"] == arm]
    ids = set(subjects["subject_id"])
    tte = trial.time_to_event[trial.time_to_event["subject_id"].isin(ids)]
    return Group(arm, subjects, tte, _of(trial.adverse_events, ids), trial.spec.analysis, trial.grading,
                 trial.not_collected, risk_times, exposure=_of(trial.exposure, ids), labs=_of(trial.labs, ids),
                 treatments=derive.treatments(trial.exposure))


def _of(rows: pd.DataFrame | None, ids: set) -> pd.DataFrame | None:
    """The rows of the patients `ids` (None: not collected)."""
    return rows[rows["subject_id"].isin(ids)] if rows is not None else None
