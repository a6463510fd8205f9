"""Adverse events by worst grade (AET04): patients in the safety population by the worst grade
of their events, for any event, each organ class and each preferred term; columns "Any grade",
"Grade 3-4" and "Grade 5" (CTCAE) or, with a severity scale (ADaM AESEV), "Any severity" and
each level, under a total column and one per arm; n (%) of the column's safety population.
Organ classes and terms by their patients in the total column (most first, then by name).

Not open-safe: its columns are by arm.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...analysis import adverse_events as ae
from ...analysis.group import Group, Part, Reads
from ...analysis.ledger import Share
from ...layout import ae_tables as at
from ...layout.ae_order import by_incidence
from ...layout.ard import Stat, source_name
from ..block import Block, Context

BLOCK_ID = "ae_worst_grade"
CAPTION = "Patients with adverse events by worst grade, system organ class and preferred term, safety population"


@dataclass(frozen=True)
class AeWorstGrade:
    """None in place of the whole part: adverse events were not collected."""
    n: int
    grading: str
    columns: tuple[str, ...]
    any_event: dict[str, Share]
    socs: tuple[ae.GradedGroup, ...]


def ae_worst_grade(group: Group) -> AeWorstGrade | None:
    events = ae.events_of(group, compare=False)
    if events is None:
        return None
    grading = group.grading
    return AeWorstGrade(events.n, grading, tuple(ae.GRADE_COLUMNS[grading]),
                        ae.worst_grades(events.rows, events.n, grading), tuple(ae.graded_socs(events, grading)))


def table(ledger: dict, context: Context | None = None) -> at.AeView:
    total = ledger[BLOCK_ID]
    laid = at.graded_table(ledger, BLOCK_ID, _bands(total) if total else [], _bands)
    return at.view(laid, CAPTION, ledger, BLOCK_ID, grading=total["grading"] if total else "")


def _bands(part: dict) -> list[dict]:
    """"Any adverse event", then each organ class by incidence (any grade), as the graded table's bands."""
    any_column = next(iter(part["any_event"]))
    socs = by_incidence(part["socs"], lambda s: s["worst"][any_column]["count"], lambda s: s["label"])
    return [{"label": "Any adverse event", "worst": part["any_event"], "terms": []}, *socs]


def ard(part: dict | None, ledger: dict) -> list[Stat]:
    """Each row's worst-grade columns within its organ class (`group2` the SOC variable) or its
    term (the term variable); the "any event" row without `group2`."""
    if part is None:
        return []
    term, soc = at.names(ledger)
    grade = source_name(ledger, "grade")
    stats = at.graded_stats(part["any_event"], part["n"], grade)
    for s in part["socs"]:
        stats += at.graded_stats(s["worst"], part["n"], grade, soc, s["label"])
        for t in s["terms"]:
            stats += at.graded_stats(t["worst"], part["n"], grade, term, t["label"])
    return stats


BLOCK = Block(
    id=BLOCK_ID,
    title="Adverse events by worst grade",
    keys=(BLOCK_ID, "by_arm"),
    open_safe=False,
    partial="partials/ae_worst_grade.html.j2",
    compute=Part(ae_worst_grade, Reads(subjects=("safety",), adverse_events=ae.AE_COLUMNS, grading=True)),
    view=table,
    ard=ard,
)
