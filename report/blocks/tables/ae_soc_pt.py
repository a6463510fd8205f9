"""Adverse events by system organ class and preferred term (AET02): patients in the safety
population with any event, with an event of each organ class and of each term, n (%) of
the column's safety population with the number of events, a total column and one per arm,
and where `[analysis.adverse_events] p_values` Fisher's exact p of each arm against the
reference arm. Organ classes by their patients in the total column (most first, then by
name), each term under its class likewise.

Not open-safe: its columns are by arm, and the Total's part holds the comparisons of the arms.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...analysis import adverse_events as ae
from ...analysis.group import Group, Part, Reads
from ...layout import ae_tables as at
from ...layout.ae_order import by_incidence
from ...layout.ard import Stat, source_name
from ...layout.collected import NOT_COLLECTED
from ...layout.tables import Row
from ..block import Block, Context

BLOCK_ID = "ae_soc_pt"
CAPTION = "Patients with adverse events by system organ class and preferred term, safety population"


@dataclass(frozen=True)
class Soc:
    soc: str
    count: ae.Count
    terms: tuple[ae.Term, ...]


@dataclass(frozen=True)
class AeSocPt:
    """None in place of the whole part: adverse events were not collected."""
    n: int
    any_event: ae.Count
    socs: tuple[Soc, ...]


def ae_soc_pt(group: Group) -> AeSocPt | None:
    events = ae.events_of(group)
    if events is None:
        return None
    socs = tuple(Soc(soc, count, tuple(terms)) for soc, count, terms in ae.terms_by_soc(events))
    return AeSocPt(events.n, ae.count(events, events.rows), socs)


def table(ledger: dict, context: Context | None = None) -> at.AeView:
    return at.view(laid_table(ledger), CAPTION, ledger, BLOCK_ID, events=True)


def laid_table(ledger: dict):
    parts, arms = at.groups_of(ledger, BLOCK_ID), at.compared(ledger, BLOCK_ID)
    total = ledger[BLOCK_ID]
    if total is None:
        return at.frame(ledger, BLOCK_ID, [Row("Adverse events", (NOT_COLLECTED,) * (len(parts) + len(arms)), "group")])
    socs = [{s["soc"]: s for s in part["socs"]} for _, part in parts]
    rows = [at.count_row("Any adverse event", parts, lambda part: part["any_event"], arms, "group", events=True)]
    for soc in by_incidence(total["socs"], lambda s: s["count"]["subjects"], lambda s: s["soc"]):
        by_soc = list(zip((name for name, _ in parts), (group.get(soc["soc"]) for group in socs)))
        columns = [(name, {"n": part["n"], **(found or {})}) for (name, part), (_, found) in zip(parts, by_soc)]
        rows.append(at.count_row(soc["soc"], columns, lambda c: c.get("count"), arms, "group", events=True))
        for term in by_incidence(soc["terms"], lambda t: t["count"]["subjects"], lambda t: t["term"]):
            rows.append(at.count_row(term["term"], columns, lambda c, t=term["term"]: _term(c, t), arms, "indent",
                                     events=True))
    return at.frame(ledger, BLOCK_ID, rows, stub="System organ class / preferred term",
                    css="arms ae-terms ae-events")


def _term(soc: dict, term: str) -> dict | None:
    return next((t["count"] for t in soc.get("terms", ()) if t["term"] == term), None)


def ard(part: dict | None, ledger: dict) -> list[Stat]:
    if part is None:
        return []
    term, soc = at.names(ledger)
    arm = source_name(ledger, "arm")
    stats = at.count_stats(part["any_event"], part["n"], "hierarchical", arm, variable=at.OVERALL)
    for s in part["socs"]:
        stats += at.count_stats(s["count"], part["n"], "hierarchical", arm, variable=soc, variable_level=s["soc"])
        for t in s["terms"]:
            stats += at.count_stats(t["count"], part["n"], "hierarchical", arm, variable=term, variable_level=t["term"],
                                    group2=soc, group2_level=s["soc"])
    return stats


BLOCK = Block(
    id=BLOCK_ID,
    title="Adverse events by system organ class and preferred term",
    keys=(BLOCK_ID, "by_arm"),
    open_safe=False,
    partial="partials/ae_soc_pt.html.j2",
    compute=Part(ae_soc_pt, Reads(subjects=("safety",), adverse_events=ae.AE_COLUMNS, options=("adverse_events",))),
    view=table,
    ard=ard,
)
