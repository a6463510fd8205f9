"""Time-to-event summary (TTET01): for each endpoint, patients with an event by type of event
(death, relapse, progression: what the data say the event was), competing events, censored
patients with the reason where the data give one; then, from the endpoint's Kaplan-Meier
estimate in the ledger (`survival.<endpoint>`), the median and quartiles with their CIs and
the landmark rates. A total column and one per arm.

Event types: for tidy input, OS events are deaths and a DFS event is the first of relapse
and death; an endpoints.csv row's `event_type`; ADaM ADTTE's EVNTDESC. Censoring reasons:
ADaM CNSDTDSC, and "Data cutoff" where the cutoff censored a later event. Not open-safe.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ...analysis.group import TOTAL, Group, Part, Reads
from ...analysis.ledger import Share
from ...inputs.derive import CENSOR_REASON, EVENT_TYPE
from ...layout.ard import Stat
from ...layout.descriptive_rows import NotedTable, n_percent, share_stats
from ...layout.km_rows import km_rows
from ...layout.tables import ArmTable, Row
from ..block import Block, Context

BLOCK_ID = "tte_summary"
NOT_RECORDED = "Type not recorded"


@dataclass(frozen=True)
class EndpointEvents:
    n: int
    events: Share
    event_types: dict[str, Share]  # by what the event was, most frequent first; NOT_RECORDED last
    competing: dict[str, Share]  # competing events (censored for Kaplan-Meier) by type
    censored: Share
    censor_reasons: dict[str, Share] | None  # None: the data give no reason for any censored time


def tte_summary(group: Group) -> dict[str, EndpointEvents] | None:
    """Each endpoint's events and censored times; None where the trial has no endpoint."""
    tte = group.time_to_event
    names = list(dict.fromkeys(tte["endpoint"])) + [n for n in group.risk_times if n not in set(tte["endpoint"])]
    return {name: endpoint_events(tte[tte["endpoint"] == name]) for name in names} or None


def endpoint_events(rows: pd.DataFrame) -> EndpointEvents:
    """One endpoint's patients (`rows`: its time-to-event rows) by how their follow-up ended."""
    n = len(rows)
    event = rows["event"].to_numpy(dtype=bool)
    kind = rows[EVENT_TYPE].map(lambda v: None if v is None or pd.isna(v) else str(v))
    censored = ~event & kind.isna().to_numpy()
    reasons = rows.loc[censored, CENSOR_REASON].map(lambda v: None if v is None or pd.isna(v) else str(v))
    return EndpointEvents(
        n=n,
        events=Share.of(int(event.sum()), n),
        event_types=_by_count(kind[event].fillna(NOT_RECORDED), n, last=NOT_RECORDED),
        competing=_by_count(kind[~event].dropna(), n),
        censored=Share.of(int(censored.sum()), n),
        censor_reasons=_by_count(reasons.fillna("Reason not recorded"), n) if reasons.notna().any() else None,
    )


def _by_count(values: pd.Series, n: int, last: str | None = None) -> dict[str, Share]:
    counts = values.value_counts()
    order = sorted(counts.index, key=lambda k: (k == last, -counts[k], k))
    return {str(k): Share.of(int(counts[k]), n) for k in order}


# ------------------------------------------------------------------ layout


def groups_of(ledger: dict) -> list[tuple[str, dict | None, dict]]:
    """(column, its tte_summary part, its survival part): each arm, then the total."""
    return [(arm, ledger["by_arm"][arm][BLOCK_ID], ledger["by_arm"][arm]["survival"]) for arm in ledger["arms"]] + \
        [(TOTAL, ledger[BLOCK_ID], ledger["survival"])]


def shown(ledger: dict, context: Context | None = None) -> bool:
    return bool(ledger.get(BLOCK_ID))


def table(ledger: dict, context: Context | None = None) -> ArmTable:
    groups = groups_of(ledger)
    rows = []
    for name in ledger[BLOCK_ID]:
        rows += _band(ledger, name, [(p or {}).get(name) for _, p, _ in groups], [s.get(name) for _, _, s in groups])
    return ArmTable(columns=tuple(column for column, _, _ in groups), counts=("",) * len(groups), subcolumns=("",),
                    rows=tuple(rows))


def _band(ledger: dict, name: str, parts: list[dict | None], fits: list[dict | None]) -> list[Row]:
    total, fit = parts[-1], fits[-1]
    label = ledger["endpoints"].get(name, {}).get("label", name)
    blank = tuple("" for _ in parts)

    def shares(pick) -> tuple[str, ...]:
        return tuple(n_percent(pick(p), p["n"]) if p else "0" for p in parts)

    rows = [Row(label, blank, "group"), Row("Patients", tuple(str(p["n"]) if p else "0" for p in parts), "indent"),
            Row("With an event, n (%)", shares(lambda p: p["events"]), "indent")]
    rows += [Row(kind, shares(lambda p, k=kind: p["event_types"].get(k)), "nested") for kind in total["event_types"]]
    if total["competing"]:
        rows.append(Row("Competing event, n (%)", blank, "indent"))
        rows += [Row(kind, shares(lambda p, k=kind: p["competing"].get(k)), "nested") for kind in total["competing"]]
    rows.append(Row("Censored, n (%)", shares(lambda p: p["censored"]), "indent"))
    if total["censor_reasons"]:
        rows += [Row(reason, shares(lambda p, r=reason: (p["censor_reasons"] or {}).get(r)), "nested")
                 for reason in total["censor_reasons"]]
    return rows + (km_rows(fits) if fit else [])


def view(ledger: dict, context: Context | None = None) -> NotedTable:
    return NotedTable(table(ledger), (
        "n (%): of the patients of the endpoint in the column. Event types as the data record them (tidy input: OS "
        "events are deaths; a DFS event is the first of relapse and death). Competing events end follow-up without "
        "the event and are censored in the Kaplan-Meier estimates. Median, percentiles and rates (patients free of the event at the time): "
        "Kaplan-Meier, with the confidence intervals of the results' survival tables. NR: not reached; NE: not "
        "estimable."))


def ard(part: dict | None, ledger: dict) -> list[Stat]:
    """Each endpoint's counts by event type, competing event and censoring reason (the
    Kaplan-Meier estimates are the results block's rows)."""
    if not part:
        return []
    stats = []
    for name, p in part.items():
        n = p["n"]
        stats += share_stats(p["events"], n, name, "event")
        for key, level in (("event_types", "event: "), ("competing", "competing: "), ("censor_reasons", "censored: ")):
            for kind, share in (p[key] or {}).items():
                stats += share_stats(share, n, name, level + kind)
        stats += share_stats(p["censored"], n, name, "censored")
    return stats


BLOCK = Block(
    id=BLOCK_ID,
    title="Time-to-event endpoints",
    keys=(BLOCK_ID, "survival", "endpoints", "by_arm"),
    open_safe=False,
    partial="partials/tte_summary.html.j2",
    shown=shown,
    compute=Part(tte_summary, Reads(time_to_event=("endpoint", "event", EVENT_TYPE, CENSOR_REASON))),
    view=view,
    ard=ard,
)
