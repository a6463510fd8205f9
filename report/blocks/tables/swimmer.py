"""The swimmer plot: each patient of the efficacy population as a bar of time on study (from
registration to death or last contact), with response, relapse and death marked and an
arrow where follow-up continues (alive and not off study). For trials of up to
MAX_PATIENTS patients; the Total's part only (each lane names its arm); None without
dates to draw from. Drawing data, not figures: no rows of ard.csv. Not open-safe.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ...analysis.group import TOTAL, Group, Part, Reads
from ...inputs import derive
from ...layout.ard import Stat
from ..block import Block, Context

BLOCK_ID = "swimmer"
MAX_PATIENTS = 300  # beyond this a lane is under a point high: the plot is left out
MARKS = (("response_on", "response"), ("relapse_on", "relapse"), ("died_on", "death"))


@dataclass(frozen=True)
class Mark:
    time: float
    kind: str


@dataclass(frozen=True)
class Lane:
    subject: str
    arm: str
    end: float  # time on study, in the analysis time unit
    ongoing: bool
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class Swimmer:
    time_unit: str
    lanes: tuple[Lane, ...] | None  # None: more patients than MAX_PATIENTS
    patients: int


def swimmer(group: Group) -> Swimmer | None:
    if group.label != TOTAL or "last_contact_on" in group.not_collected:
        return None
    patients = derive.evaluable(group.subjects)
    unit = group.options.time_unit
    if len(patients) > MAX_PATIENTS:
        return Swimmer(unit, None, len(patients))
    days = derive.DAYS_PER_UNIT[unit]
    lanes = tuple(_lane(row, days, group.not_collected) for row in patients.itertuples(index=False)
                  if _dated(row.last_contact_on) or _dated(row.died_on))
    return Swimmer(unit, lanes, len(lanes))


def _lane(row, days: float, absent: frozenset[str]) -> Lane:
    """A patient with a last contact or death date: registration to the later of them."""
    start = row.enrolled_on
    last = max(d for d in (row.last_contact_on, row.died_on) if _dated(d))
    marks = tuple(Mark((getattr(row, column) - start).days / days, kind) for column, kind in MARKS
                  if column not in absent and _dated(getattr(row, column)))
    off = "off_study_on" not in absent and _dated(row.off_study_on)
    return Lane(str(row.subject_id), "" if row.arm is None else str(row.arm), (last - start).days / days,
                not _dated(row.died_on) and not off, marks)


def _dated(value) -> bool:
    return value is not None and not pd.isna(value)


def shown(ledger: dict, context: Context | None = None) -> bool:
    return bool(ledger.get(BLOCK_ID)) and bool(ledger[BLOCK_ID]["lanes"])  # never an empty figure of 0 patients


def figures(ledger: dict) -> dict[str, str]:
    from ...layout.efficacy_figures import SwimmerLane, SwimmerMark, swimmer_figure
    from ...layout.figures import namespaced

    part = ledger[BLOCK_ID]
    lanes = [SwimmerLane(lane["subject"], lane["arm"], lane["end"], lane["ongoing"],
                         tuple(SwimmerMark(m["time"], m["kind"]) for m in lane["marks"])) for lane in part["lanes"]]
    return {"swimmer": namespaced(swimmer_figure(lanes, part["time_unit"]), "fig-swimmer")}


@dataclass(frozen=True)
class SwimmerView:
    figure: str
    caption: str


def view(ledger: dict, context: Context | None = None) -> SwimmerView:
    part = ledger[BLOCK_ID]
    return SwimmerView("swimmer", f"Time on study of each of the {part['patients']} patients of the efficacy "
                                  f"population, from enrollment to death or last contact ({part['time_unit']}), "
                                  "longest at the top, with response, relapse and death marked; an arrow: alive and "
                                  "still followed on study.")


def ard(part: dict | None, ledger: dict) -> list[Stat]:
    """The patients drawn; the lanes are drawing data (each patient's dates), not statistics."""
    return [Stat("swimmer", "N", part["patients"], str(part["patients"]))] if part else []


BLOCK = Block(
    id=BLOCK_ID,
    title="Time on study",
    keys=(BLOCK_ID,),
    open_safe=False,
    partial="partials/swimmer.html.j2",
    shown=shown,
    figures=figures,
    compute=Part(swimmer, Reads(subjects=("efficacy", "arm", "enrolled_on", "last_contact_on", "died_on",
                                          "response_on", "relapse_on", "off_study_on"),
                                options=("time_unit",), not_collected=True)),
    view=view,
    ard=ard,
)
