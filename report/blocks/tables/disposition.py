"""Disposition (DST01): patients enrolled, eligible (and ineligible, by reason), treated, and
their status on study: completed, discontinued (by reason) or ongoing; n (% of the patients
enrolled) in a total column and one per arm.

The status is the data's own (tidy `study_status`, ADaM EOSSTT) where they hold it; else it
is derived from the off-study date and reason: no off-study date, ongoing; an off-study date,
discontinued, unless its reason begins with "complet" (completed). Without either it is not
collected. The discontinuation reason is `off_study_reason` (ADaM DCSREAS). The data hold
enrolled patients only, so screening failures are not counted.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ...analysis.group import Group, Part, Reads
from ...analysis.ledger import Share
from ...layout.ard import Stat, source_name
from ...layout.collected import NOT_COLLECTED
from ...layout.descriptive_rows import NotedTable, share_cells, share_stats
from ...layout.tables import TOTAL, ArmTable, Row
from ..block import Block, Context

STATUSES = ("completed", "discontinued", "ongoing")
NOT_RECORDED = "Reason not recorded"


@dataclass(frozen=True)
class Reasons:
    named: dict[str, Share]  # by reason, most frequent first, then by name
    not_recorded: Share  # an empty reason


@dataclass(frozen=True)
class Disposition:
    n: int  # patients enrolled
    eligible: Share
    ineligible: Share
    ineligible_reasons: Reasons | None  # None: reasons not collected
    treated: Share
    not_treated: Share
    status_from: str | None  # "recorded", "derived" (from off-study dates), None: not collected
    status: dict[str, Share] | None  # completed, discontinued, ongoing, not_recorded
    discontinued_reasons: Reasons | None  # None: reasons (or the status) not collected


def disposition(group: Group) -> Disposition:
    """The disposition of one group's enrolled patients."""
    s, absent = group.subjects, group.not_collected
    n = len(s)
    eligible, treated = s["eligible"].astype(bool), s["treated"].astype(bool)
    status, status_from = _status(s, absent)
    discontinued = status == "discontinued" if status is not None else None
    return Disposition(
        n=n,
        eligible=Share.of(int(eligible.sum()), n),
        ineligible=Share.of(int((~eligible).sum()), n),
        ineligible_reasons=None if "ineligible_reason" in absent else _reasons(s.loc[~eligible, "ineligible_reason"], n),
        treated=Share.of(int(treated.sum()), n),
        not_treated=Share.of(int((~treated).sum()), n),
        status_from=status_from,
        status=None if status is None else {key: Share.of(int((status == key).sum()), n)
                                             for key in (*STATUSES, "not_recorded")},
        discontinued_reasons=(None if discontinued is None or "off_study_reason" in absent
                              else _reasons(s.loc[discontinued.to_numpy(), "off_study_reason"], n)),
    )


def _status(s: pd.DataFrame, absent: frozenset[str]) -> tuple[pd.Series | None, str | None]:
    """Each patient's status (completed, discontinued, ongoing, not_recorded) and where it comes from."""
    if "study_status" not in absent:
        recorded = s["study_status"].map(lambda v: v.strip().lower() if isinstance(v, str) else None)
        return recorded.where(recorded.isin(STATUSES), "not_recorded"), "recorded"
    if "off_study_on" in absent:
        return None, None
    reason = s["off_study_reason"] if "off_study_reason" not in absent else pd.Series(None, index=s.index, dtype=object)
    completed = reason.map(lambda r: isinstance(r, str) and r.strip().lower().startswith("complet")).astype(bool)
    off = s["off_study_on"].notna()
    derived = pd.Series("ongoing", index=s.index, dtype=object)
    derived[off] = "discontinued"
    derived[off & completed] = "completed"
    return derived, "derived"


def _reasons(reasons: pd.Series, n: int) -> Reasons:
    counts: dict[str, int] = {}
    empty = 0
    for reason in reasons:
        named = str(reason).strip() if isinstance(reason, str) else ""
        if named:
            counts[named] = counts.get(named, 0) + 1
        else:
            empty += 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return Reasons({reason: Share.of(count, n) for reason, count in ordered}, Share.of(empty, n))



# ------------------------------------------------------------------ layout

STATUS_NOTES = {
    "recorded": "Status on study as the data record it.",
    "derived": ("Status on study derived from the off-study dates (the data hold no status): no off-study date, "
                "ongoing; an off-study date, discontinued, or completed where its reason begins with \u201ccomplet\u201d."),
    None: "Status on study not collected: the data hold neither a status nor off-study dates.",
}


def view(ledger: dict, context: Context | None = None) -> NotedTable:
    note = f"Patients enrolled; n (% of N, the patients enrolled in the column). {STATUS_NOTES[ledger['disposition']['status_from']]}"
    return NotedTable(table(ledger), note)


def table(ledger: dict, context: Context | None = None) -> ArmTable:
    """The disposition table: one column per arm (where there are arms), then the total."""
    groups = [(arm, ledger["by_arm"][arm]["disposition"]) for arm in ledger["arms"]] + [(TOTAL, ledger["disposition"])]
    total = ledger["disposition"]
    rows = [Row("Enrolled", tuple(str(part["n"]) for _, part in groups), "group"),
            Row("Eligible", share_cells(groups, lambda p: p["eligible"]), "group"),
            Row("Ineligible", share_cells(groups, lambda p: p["ineligible"]), "group"),
            *_reason_rows(groups, total, "ineligible_reasons", total["ineligible"]["count"]),
            Row("Treated", share_cells(groups, lambda p: p["treated"]), "group"),
            Row("Not treated", share_cells(groups, lambda p: p["not_treated"]), "group")]
    return ArmTable(
        columns=tuple(name for name, _ in groups),
        counts=tuple(f"N = {part['n']}" for _, part in groups),
        subcolumns=("",),
        rows=tuple(rows + _status_rows(groups, total)),
    )


def _status_rows(groups, total: dict) -> list[Row]:
    if total["status"] is None:
        return [Row("Status on study", tuple(NOT_COLLECTED for _ in groups), "group")]
    rows = [Row("Status on study, n (%)", tuple("" for _ in groups), "group"),
            Row("Completed", share_cells(groups, lambda p: p["status"]["completed"]), "indent"),
            Row("Discontinued", share_cells(groups, lambda p: p["status"]["discontinued"]), "indent"),
            *_reason_rows(groups, total, "discontinued_reasons", total["status"]["discontinued"]["count"], "deeper"),
            Row("Ongoing", share_cells(groups, lambda p: p["status"]["ongoing"]), "indent")]
    if total["status"]["not_recorded"]["count"]:
        rows.append(Row("Status not recorded", share_cells(groups, lambda p: p["status"]["not_recorded"]), "indent"))
    return rows


def _reason_rows(groups, total: dict, key: str, count: int, kind: str = "sub") -> list[Row]:
    """The reasons under a count (none where it is 0); one "Not collected" row without reasons."""
    if not count:
        return []
    if total[key] is None:
        return [Row("Reason", tuple(NOT_COLLECTED for _ in groups), kind)]
    rows = [Row(reason, share_cells(groups, lambda p, r=reason: p[key]["named"].get(r)), kind)
            for reason in total[key]["named"]]
    if total[key]["not_recorded"]["count"]:
        rows.append(Row(NOT_RECORDED, share_cells(groups, lambda p: p[key]["not_recorded"]), kind))
    return rows


def ard(part: dict, ledger: dict) -> list[Stat]:
    """The disposition part's ard.csv rows for one group."""
    n = part["n"]
    stats = [Stat("categorical", "N", n, str(n), "enrolled")]
    for key, variable in (("eligible", "eligible"), ("ineligible", "eligible"), ("treated", "treated"),
                          ("not_treated", "treated")):
        stats += share_stats(part[key], n, source_name(ledger, variable), key)
    for level, share in (part["status"] or {}).items():
        stats += share_stats(share, n, source_name(ledger, "study_status"), level)
    for key, column in (("ineligible_reasons", "ineligible_reason"), ("discontinued_reasons", "off_study_reason")):
        reasons = part[key]
        if reasons is not None:
            for level, share in [*reasons["named"].items(), (NOT_RECORDED, reasons["not_recorded"])]:
                stats += share_stats(share, n, source_name(ledger, column), level)
    return stats


BLOCK = Block(
    id="disposition",
    title="Disposition",
    keys=("disposition", "by_arm"),
    open_safe=False,
    partial="partials/disposition.html.j2",
    compute=Part(disposition, Reads(subjects=("eligible", "treated", "ineligible_reason", "study_status", "off_study_on",
                                              "off_study_reason"), not_collected=True)),
    view=view,
    ard=ard,
)
