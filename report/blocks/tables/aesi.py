"""Adverse events of special interest: the groups of preferred terms the spec defines
(`[[analysis.adverse_events.special_interest]]`, e.g. cytokine release syndrome and
neurotoxicity for blinatumomab), patients by the worst grade of their events of each group
and each of its terms, columns as in the worst-grade table (AET04), a total column and one
per arm, and where `[analysis.adverse_events] p_values` Fisher's exact p (patients with any
grade) of each arm against the reference arm. Shown only where the spec defines groups; a listed term no patient had counts 0.

Not open-safe: its columns are by arm.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...analysis import adverse_events as ae
from ...analysis.group import Group, Part, Reads
from ...layout import ae_tables as at
from ...layout.ard import Stat, source_name
from ..block import Block, Context

BLOCK_ID = "aesi"
CAPTION = "Patients with adverse events of special interest by worst grade, safety population"


@dataclass(frozen=True)
class Aesi:
    """None in place of the whole part: adverse events were not collected, or the spec
    defines no group of special interest."""
    n: int
    grading: str
    columns: tuple[str, ...]
    groups: tuple[ae.GradedGroup, ...]  # in the spec's order


def aesi(group: Group) -> Aesi | None:
    defined = group.options.adverse_events.special_interest
    events = ae.events_of(group)
    if events is None or not defined:
        return None
    grading = group.grading
    return Aesi(events.n, grading, tuple(ae.GRADE_COLUMNS[grading]),
                tuple(ae.special_interest(events, grading, g.name, g.terms) for g in defined))


def shown(ledger: dict, context: Context) -> bool:
    """Where the spec defines groups (then also where adverse events were not collected)."""
    spec = (context.spec or {}) if context is not None else {}
    defined = ((spec.get("analysis") or {}).get("adverse_events") or {}).get("special_interest")
    return bool(defined) or ledger.get(BLOCK_ID) is not None


def table(ledger: dict, context: Context | None = None) -> at.AeView:
    total = ledger[BLOCK_ID]
    laid = at.graded_table(ledger, BLOCK_ID, total["groups"] if total else [], lambda part: part["groups"])
    return at.view(laid, CAPTION, ledger, BLOCK_ID, grading=total["grading"] if total else "")


def ard(part: dict | None, ledger: dict) -> list[Stat]:
    """Each group's and term's worst-grade columns, within the group (`group2` "special_interest")
    or the term (the term variable)."""
    if part is None:
        return []
    term = at.names(ledger)[0]
    grade = source_name(ledger, "grade")
    stats = []
    for g in part["groups"]:
        stats += at.graded_stats(g["worst"], part["n"], grade, "special_interest", g["label"])
        stats += at.p_stats(g, source_name(ledger, "arm"), variable="special_interest", variable_level=g["label"])
        for t in g["terms"]:
            stats += at.graded_stats(t["worst"], part["n"], grade, term, t["label"])
            stats += at.p_stats(t, source_name(ledger, "arm"), variable=term, variable_level=t["label"])
    return stats


BLOCK = Block(
    id=BLOCK_ID,
    title="Adverse events of special interest",
    keys=(BLOCK_ID, "by_arm"),
    open_safe=False,
    partial="partials/aesi.html.j2",
    shown=shown,
    compute=Part(aesi, Reads(subjects=("safety",), adverse_events=ae.AE_COLUMNS, options=("adverse_events",),
                             grading=True)),
    view=table,
    ard=ard,
)
