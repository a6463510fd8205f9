"""Cumulative incidence of relapse with death in remission as the competing event
(Aalen-Johansen; report.stats.competing_risks), for the responders of the efficacy
population: from response to relapse (the event), to death without relapse (the competing
event), else censored at last contact. Patients, relapses, deaths in remission and
censored; the landmark estimates with their CIs; Gray's test between arms in the Total's
part. A total column and one per arm; the figure shows both cumulative incidences.

Where deaths in remission are common (older patients with ALL), 1 - Kaplan-Meier of
relapse, censoring the deaths, overstates relapse: this is the estimate to report.
The ledger's `cumulative_incidence.relapse` (DESIGN section 7). Not open-safe: efficacy.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...analysis.group import TOTAL, Group, Part, Reads
from ...inputs import derive
from ...layout.ard import Stat, source_name
from ...layout.descriptive_rows import NotedTable, n_percent
from ...layout.formatting import confidence_label, percent
from ...layout.tables import ArmTable, Row
from ...layout.wording import p_value
from ...stats.competing_risks import CumulativeIncidence, GrayTest, cumulative_incidence as aalen_johansen, gray_test
from ..block import Block, Context

BLOCK_ID = "cumulative_incidence"
EVENT, COMPETING = "Relapse", "Death in remission"
NOT_ESTIMABLE = "NE"


@dataclass(frozen=True)
class Incidence:
    """One endpoint's cumulative incidence in one group, times in `time_unit`."""
    label: str
    event: str  # the event of interest
    competing_event: str
    origin: str
    population: str
    time_unit: str
    n: int
    events: int
    competing_events: int
    conf_type: str
    confidence: float
    landmarks: tuple
    curve: tuple
    gray: GrayTest | None  # Total only, where the trial has two or more arms with patients


def incidences(group: Group) -> dict[str, Incidence] | None:
    """`relapse` for the group's responders; None where relapse dates were not collected."""
    if "relapse_on" in group.not_collected or not group.subjects["relapse_on"].notna().any():
        return None
    rows = relapse_rows(group.subjects, group.options.responders)
    return {"relapse": _incidence(rows, group)}


def relapse_rows(subjects: pd.DataFrame, responder_codes: list[str]) -> pd.DataFrame:
    """Responders of the efficacy population: days from response to relapse (status 1), to
    death without relapse (2), else to last contact (0); with each patient's arm."""
    responding = derive.responders(derive.evaluable(subjects), responder_codes)
    relapse, died, last = responding["relapse_on"], responding["died_on"], responding["last_contact_on"]
    status = np.where(relapse.notna(), 1, np.where(died.notna(), 2, 0))
    end = relapse.where(relapse.notna(), died.where(died.notna(), last))
    return pd.DataFrame({"days": derive.days_between(responding["response_on"], end), "status": status,
                         "arm": responding["arm"].to_numpy()})


def _incidence(rows: pd.DataFrame, group: Group) -> Incidence:
    options = group.options
    time = rows["days"].to_numpy() / derive.DAYS_PER_UNIT[options.time_unit]
    fit: CumulativeIncidence = aalen_johansen(time, rows["status"].to_numpy(), options.landmarks, options.confidence)
    return Incidence(
        label="Cumulative incidence of relapse", event=EVENT, competing_event=COMPETING, origin="response",
        population="responders", time_unit=options.time_unit, n=fit.n, events=fit.events,
        competing_events=fit.competing_events, conf_type=fit.conf_type, confidence=fit.confidence,
        landmarks=fit.landmarks, curve=fit.curve, gray=_gray(rows, time, group))


def _gray(rows: pd.DataFrame, time: np.ndarray, group: Group) -> GrayTest | None:
    if group.label != TOTAL or rows["arm"].dropna().nunique() < 2:
        return None
    return gray_test(time, rows["status"].to_numpy(), rows["arm"].to_numpy())


# ------------------------------------------------------------------ layout


def groups_of(ledger: dict) -> list[tuple[str, dict | None]]:
    """(column, that group's relapse incidence): each arm, then the total."""
    def relapse(part):
        return (part or {}).get("relapse")
    return [(arm, relapse(ledger["by_arm"][arm][BLOCK_ID])) for arm in ledger["arms"]] + \
        [(TOTAL, relapse(ledger[BLOCK_ID]))]


def shown(ledger: dict, context: Context | None = None) -> bool:
    return bool(ledger.get(BLOCK_ID))


def table(ledger: dict, context: Context | None = None) -> ArmTable:
    groups = groups_of(ledger)
    total = groups[-1][1]
    level = confidence_label(total["confidence"])
    rows = [Row("Responders at risk of relapse", tuple(str(p["n"]) for _, p in groups), "group"),
            Row(EVENT, tuple(n_percent(_share(p["events"], p["n"]), p["n"]) for _, p in groups), "indent"),
            Row(f"{COMPETING} (competing event)",
                tuple(n_percent(_share(p["competing_events"], p["n"]), p["n"]) for _, p in groups), "indent"),
            Row("Censored", tuple(n_percent(_share(p["n"] - p["events"] - p["competing_events"], p["n"]), p["n"])
                                  for _, p in groups), "indent"),
            Row(f"Cumulative incidence of relapse, % ({level} CI)", tuple("" for _ in groups), "group")]
    for i, mark in enumerate(total["landmarks"]):
        rows.append(Row(f"At {_time(mark['time'])} {total['time_unit']}",
                        tuple(_estimate(p["landmarks"][i]) for _, p in groups), "indent"))
    if total["gray"] is not None:
        rows.append(Row("Gray's test, p", tuple("" for _ in groups[:-1]) + (p_value(total["gray"]["p_value"]),)))
    return ArmTable(columns=tuple(name for name, _ in groups), counts=tuple(f"N = {p['n']}" for _, p in groups),
                    subcolumns=("",), rows=tuple(rows))


def view(ledger: dict, context: Context | None = None) -> NotedTable:
    total = groups_of(ledger)[-1][1]
    note = ("Responders, from response to relapse; death without relapse is the competing event; patients "
            "alive without relapse are censored at their last contact. Cumulative incidence: Aalen-Johansen "
            f"estimate; {confidence_label(total['confidence'])} confidence intervals on the "
            f"{total['conf_type']} scale from the infinitesimal jackknife variance (R survival::survfit, "
            f"multi-state); {NOT_ESTIMABLE}: past the last follow-up.")
    if total["gray"] is not None:
        note += f" p: Gray's test between arms (R cmprsk::cuminc), {total['gray']['df']} degree(s) of freedom."
    return NotedTable(table(ledger), note)


def _share(count: int, n: int) -> dict:
    return {"count": count, "proportion": count / n if n else None}


def _estimate(mark: dict) -> str:
    """'31.6 (12.9–52.5)': the estimate and its limits, in percent."""
    if mark["estimate"] is None:
        return NOT_ESTIMABLE
    return f"{_pct(mark['estimate'])} ({_pct(mark['ci_low'])}\u2013{_pct(mark['ci_high'])})"


def _pct(value: float | None) -> str:
    return NOT_ESTIMABLE if value is None else percent(value, 1).rstrip("%")


def _time(value: float) -> str:
    return f"{value:g}"


def ard(part: dict | None, ledger: dict) -> list[Stat]:
    """Counts, each landmark's estimate and limits, and Gray's test, for each endpoint."""
    if not part:
        return []
    stats = []
    for name, p in part.items():
        where = {"variable": name}
        stats += [Stat("competing_risks", "N", p["n"], str(p["n"]), **where),
                  Stat("competing_risks", "n.event", p["events"], str(p["events"]), **where),
                  Stat("competing_risks", "n.competing", p["competing_events"], str(p["competing_events"]), **where),
                  Stat("competing_risks", "conf.level", p["confidence"], confidence_label(p["confidence"]), **where)]
        for mark in p["landmarks"]:
            level = {"variable_level": f"{_time(mark['time'])} {p['time_unit']}"}
            stats += [Stat("competing_risks", "estimate", mark["estimate"], _pct(mark["estimate"]), **where, **level),
                      Stat("competing_risks", "conf.low", mark["ci_low"], _pct(mark["ci_low"]), **where, **level),
                      Stat("competing_risks", "conf.high", mark["ci_high"], _pct(mark["ci_high"]), **where, **level),
                      Stat("competing_risks", "n.risk", mark["n_at_risk"], str(mark["n_at_risk"]), **where, **level)]
        if p["gray"] is not None:
            arm = source_name(ledger, "arm")
            stats += [Stat("comparison", "statistic", p["gray"]["statistic"], f"{p['gray']['statistic']:.3f}",
                           **where, group2=arm),
                      Stat("comparison", "p.value", p["gray"]["p_value"], p_value(p["gray"]["p_value"]),
                           **where, group2=arm)]
    return stats


BLOCK = Block(
    id=BLOCK_ID,
    title="Cumulative incidence of relapse",
    keys=(BLOCK_ID, "by_arm"),
    open_safe=False,
    partial="partials/cumulative_incidence.html.j2",
    shown=shown,
    compute=Part(incidences, Reads(subjects=("efficacy", "arm", "best_response", "response_on", "relapse_on",
                                             "died_on", "last_contact_on"),
                                   options=("responders", "time_unit", "landmarks", "confidence"),
                                   not_collected=True)),
    view=view,
    ard=ard,
)
