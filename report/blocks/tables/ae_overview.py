"""Adverse events, overview (AET01): patients in the safety population with any adverse event,
a related one, a serious one, one of grade 3 or higher (severe, on a severity scale), of grade 5,
one leading to discontinuation of the study treatment, to a dose modification or interruption,
and one leading to death; n (%) of the column's safety population, a total column and one per
arm, and where `[analysis.adverse_events] p_values` Fisher's exact p of each arm against the
reference arm.

Each row from the events' columns: related from `attribution` (possible, probable, definite)
or ADaM AEREL (Y, RELATED, or those words), discontinuation and dose modification from
`action_taken` / AEACN (CDISC ACN terms), death from `fatal` / AESDTH. A row whose column the
data do not hold is None in the ledger and "Not collected" in the table, never 0.

Not open-safe: its columns are by arm, and the Total's part holds the comparisons of the arms.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ...analysis import adverse_events as ae
from ...analysis.group import Group, Part, Reads
from ...layout import ae_tables as at
from ..block import Block, Context

BLOCK_ID = "ae_overview"


@dataclass(frozen=True)
class AeOverview:
    """None in place of the whole part: adverse events were not collected. A field None: its
    column was not collected (grade_5 also where events are graded by severity)."""
    n: int
    grading: str
    any_event: ae.Count
    related: ae.Count | None
    serious: ae.Count | None
    grade_3_plus: ae.Count  # grade 3, 4 or 5; on a severity scale: severe
    grade_5: ae.Count | None
    discontinuation: ae.Count | None
    dose_modification: ae.Count | None
    fatal: ae.Count | None


def ae_overview(group: Group) -> AeOverview | None:
    events = ae.events_of(group)
    if events is None:
        return None
    rows = events.rows
    picked = {
        "any_event": rows,
        "related": rows[ae.related(rows)] if ae.collected(rows, "attribution") else None,
        "serious": rows[_yes(rows["serious"])] if ae.collected(rows, "serious") else None,
        "grade_3_plus": rows[rows["grade"].astype(int) >= 3],
        "grade_5": rows[rows["grade"].astype(int) == 5] if group.grading == "ctcae" else None,
        "discontinuation": _acted(rows, ae.DISCONTINUED),
        "dose_modification": _acted(rows, ae.MODIFIED),
        "fatal": rows[_yes(rows["fatal"])] if ae.collected(rows, "fatal") else None,
    }
    return AeOverview(n=events.n, grading=group.grading,
                      **{key: None if chosen is None else ae.count(events, chosen) for key, chosen in picked.items()})


def _yes(values: pd.Series):
    return ae.matches(values, lambda v: v is True or v == 1)


def _acted(rows: pd.DataFrame, actions: set[str]) -> pd.DataFrame | None:
    if not ae.collected(rows, "action_taken"):
        return None
    return rows[ae.matches(rows["action_taken"], lambda a: isinstance(a, str) and a.strip().upper() in actions)]


def table(ledger: dict, context: Context | None = None):
    return at.view(at.overview_table(ledger, BLOCK_ID), "Patients with adverse events, safety population", ledger, BLOCK_ID)


def ard(part: dict, ledger: dict):
    return at.overview_ard(part, ledger)


BLOCK = Block(
    id=BLOCK_ID,
    title="Adverse events, overview",
    keys=(BLOCK_ID, "by_arm"),
    open_safe=False,
    partial="partials/ae_overview.html.j2",
    compute=Part(ae_overview, Reads(subjects=("safety",), adverse_events=(*ae.AE_COLUMNS, *ae.OVERVIEW_COLUMNS),
                                    options=("adverse_events",), grading=True)),
    view=table,
    ard=ard,
)
