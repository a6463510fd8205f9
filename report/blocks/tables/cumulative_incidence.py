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

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from ...analysis.group import TOTAL, Group, Part, Reads
from ...analysis.ledger import Share
from ...inputs import derive
from ...layout.ard import Stat, source_name
from ...layout.descriptive_rows import n_percent
from ...layout.formatting import confidence_label, estimate_with_limits, percent_number
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
    """`relapse` for the group's responders (where relapse dates were collected), and each
    endpoints.csv endpoint with competing event types; None where there is none."""
    found = {}
    if "relapse_on" not in group.not_collected and group.subjects["relapse_on"].notna().any():
        found["relapse"] = _incidence(relapse_rows(group.subjects, group.options.responders), group,
                                      ("Cumulative incidence of relapse", EVENT, COMPETING, "response", "responders"))
    for endpoint in group.options.endpoints:
        if endpoint.competing:
            names = (f"Cumulative incidence: {endpoint.label}", endpoint.label, ", ".join(endpoint.competing),
                     endpoint.origin, endpoint.population)
            found[endpoint.name] = _incidence(endpoint_rows(group, endpoint.name, endpoint.competing), group, names)
    return found or None


def endpoint_rows(group: Group, name: str, competing: list[str]) -> pd.DataFrame:
    """An endpoint's rows: status 1 for its event, 2 for a competing event type, else 0."""
    rows = group.time_to_event[group.time_to_event["endpoint"] == name]
    competes = rows["event_type"].isin(competing).to_numpy() & ~rows["event"].to_numpy(dtype=bool)
    status = np.where(rows["event"].to_numpy(dtype=bool), 1, np.where(competes, 2, 0))
    arms = rows["subject_id"].map(dict(zip(group.subjects["subject_id"], group.subjects["arm"])))
    return pd.DataFrame({"days": rows["days"].to_numpy(dtype=float), "status": status, "arm": arms.to_numpy()})


def relapse_rows(subjects: pd.DataFrame, responder_codes: list[str]) -> pd.DataFrame:
    """Responders of the efficacy population: days from response to relapse (status 1), to
    death without relapse (2), else to last contact (0); with each patient's arm."""
    responding = derive.responders(derive.evaluable(subjects), responder_codes)
    relapse, died, last = responding["relapse_on"], responding["died_on"], responding["last_contact_on"]
    status = np.where(relapse.notna(), 1, np.where(died.notna(), 2, 0))
    end = relapse.where(relapse.notna(), died.where(died.notna(), last))
    return pd.DataFrame({"days": derive.days_between(responding["response_on"], end), "status": status,
                         "arm": responding["arm"].to_numpy()})


def _incidence(rows: pd.DataFrame, group: Group, names: tuple[str, str, str, str, str]) -> Incidence:
    """`names`: the label, the event, the competing event, the origin and the population."""
    options = group.options
    time = rows["days"].to_numpy() / derive.DAYS_PER_UNIT[options.time_unit]
    fit: CumulativeIncidence = aalen_johansen(time, rows["status"].to_numpy(), options.landmarks, options.confidence)
    label, event, competing, origin, population = names
    return Incidence(
        label=label, event=event, competing_event=competing, origin=origin,
        population=population, time_unit=options.time_unit, n=fit.n, events=fit.events,
        competing_events=fit.competing_events, conf_type=fit.conf_type, confidence=fit.confidence,
        landmarks=fit.landmarks, curve=fit.curve, gray=_gray(rows, time, group))


def _gray(rows: pd.DataFrame, time: np.ndarray, group: Group) -> GrayTest | None:
    if group.label != TOTAL or rows["arm"].dropna().nunique() < 2:
        return None
    return gray_test(time, rows["status"].to_numpy(), rows["arm"].to_numpy())


# ------------------------------------------------------------------ layout


def groups_of(ledger: dict, name: str) -> list[tuple[str, dict | None]]:
    """(column, that group's incidence of `name`): each arm, then the total."""
    def of(part):
        return (part or {}).get(name)
    return [(arm, of(ledger["by_arm"][arm][BLOCK_ID])) for arm in ledger["arms"]] + [(TOTAL, of(ledger[BLOCK_ID]))]


def shown(ledger: dict, context: Context | None = None) -> bool:
    return bool(ledger.get(BLOCK_ID))


def table(ledger: dict, context: Context | None = None) -> ArmTable:
    """A band per endpoint: patients, events, competing events, censored, the landmark
    estimates, Gray's p; a column per arm and the total."""
    names = list(ledger[BLOCK_ID])
    columns = groups_of(ledger, names[0])
    rows = [row for name in names for row in _band(groups_of(ledger, name))]
    return ArmTable(columns=tuple(column for column, _ in columns), counts=("",) * len(columns), subcolumns=("",),
                    rows=tuple(rows))


def _band(groups: list[tuple[str, dict | None]]) -> list[Row]:
    total = groups[-1][1]
    parts = [p or {"n": 0, "events": 0, "competing_events": 0, "landmarks": []} for _, p in groups]
    level = confidence_label(total["confidence"])
    rows = [Row(f"{total['label']} ({total['population']})", tuple("" for _ in parts), "group"),
            Row("Patients", tuple(str(p["n"]) for p in parts), "indent"),
            Row(total["event"], tuple(n_percent(_share(p["events"], p["n"]), p["n"]) for p in parts), "indent"),
            Row(f"{total['competing_event'][:1].upper()}{total['competing_event'][1:]} (competing event)",
                tuple(n_percent(_share(p["competing_events"], p["n"]), p["n"]) for p in parts), "indent"),
            Row("Censored", tuple(n_percent(_share(p["n"] - p["events"] - p["competing_events"], p["n"]), p["n"])
                                  for p in parts), "indent")]
    for i, mark in enumerate(total["landmarks"]):
        rows.append(Row(f"At {_time(mark['time'])} {total['time_unit']}, % ({level} CI)",
                        tuple(_estimate(p["landmarks"][i]) if p["landmarks"] else NOT_ESTIMABLE for p in parts),
                        "indent"))
    if total["gray"] is not None:
        rows.append(Row("Gray's test, p", tuple("" for _ in parts[:-1]) + (p_value(total["gray"]["p_value"]),),
                        "indent"))
    return rows


@dataclass(frozen=True)
class IncidenceView:
    """The table and its note, and each endpoint's figure: (figure key, caption)."""
    table: ArmTable
    note: str
    figures: tuple[tuple[str, str], ...]


def figures(ledger: dict) -> dict[str, str]:
    """Each endpoint's cumulative incidence of the event and of the competing event, by arm."""
    from ...layout.figures import namespaced
    from ...layout.incidence_figures import cumulative_incidence_figure
    from ...layout.wording import capitalised

    unit = ledger["methods"]["time_unit"].capitalize()
    drawn = {}
    for name, total in ledger[BLOCK_ID].items():
        arms = {arm: part for arm, part in groups_of(ledger, name)[:-1] if part}
        svg = cumulative_incidence_figure(arms or {TOTAL: total}, event_label=total["event"],
                                          competing_label=total["competing_event"][:1].upper() +
                                          total["competing_event"][1:],
                                          time_label=f"{unit} since {total['origin']}",
                                          gray_p=total["gray"]["p_value"] if total["gray"] else None,
                                          row_label=capitalised(total["population"]))
        drawn[f"cif-{name}"] = namespaced(svg, f"fig-cif-{name}")
    return drawn


def view(ledger: dict, context: Context | None = None) -> IncidenceView:
    notes = []
    for name, total in ledger[BLOCK_ID].items():
        start = ("Responders, from response to relapse; death without relapse is the competing event; patients "
                 "alive without relapse are censored at their last contact." if name == "relapse" else
                 f"{total['label']}: from {total['origin']}; competing: {total['competing_event']}.")
        notes.append(start)
    total = next(iter(ledger[BLOCK_ID].values()))
    notes.append(f"Cumulative incidence: Aalen-Johansen estimate; {confidence_label(total['confidence'])} confidence "
                 f"intervals on the {total['conf_type']} scale from the infinitesimal jackknife variance (R "
                 f"survival::survfit, multi-state); {NOT_ESTIMABLE}: past the last follow-up.")
    if any(t["gray"] is not None for t in ledger[BLOCK_ID].values()):
        notes.append("p: Gray's test between arms (R cmprsk::cuminc).")
    captions = tuple((f"cif-{name}", f"{total['label']}, {total['population']}: Aalen-Johansen estimate of the "
                      f"{total['event'].lower()} (solid) and of the competing {total['competing_event'].lower()} "
                      f"(dashed), from {total['origin']}; numbers at risk and cumulative events below the axis.")
                     for name, total in ledger[BLOCK_ID].items())
    return IncidenceView(table(ledger), " ".join(notes), captions)


def _share(count: int, n: int) -> dict:
    return asdict(Share.of(count, n))


def _estimate(mark: dict) -> str:
    return estimate_with_limits(mark["estimate"], mark["ci_low"], mark["ci_high"], as_percent=True,
                                missing=NOT_ESTIMABLE)


def _pct(value: float | None) -> str:
    return NOT_ESTIMABLE if value is None else percent_number(value, 1)


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
    title="Cumulative incidence",
    keys=(BLOCK_ID, "by_arm"),
    open_safe=False,
    partial="partials/cumulative_incidence.html.j2",
    shown=shown,
    figures=figures,
    compute=Part(incidences, Reads(subjects=("efficacy", "arm", "best_response", "response_on", "relapse_on",
                                             "died_on", "last_contact_on"),
                                   time_to_event=("endpoint", "days", "event", "event_type"),
                                   options=("responders", "time_unit", "landmarks", "confidence", "endpoints"),
                                   not_collected=True)),
    view=view,
    ard=ard,
)
