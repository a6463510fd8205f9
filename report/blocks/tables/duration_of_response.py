"""Duration of response: among the responders, from the first documented response to relapse,
progression or death, in a total column and one per arm (issue 16, item 6).

The endpoint is the time-to-event endpoint that runs from response onset among responders:
`[analysis] duration_of_response` names it (report.inputs.trial checks that the trial has
it), else `dfs` where the trial has it (tidy data: from `response_on` to the first of relapse
and death, censored at last contact; report.inputs.derive), else the block is not shown.

The block's own part (`duration_of_response`, and `by_arm.<arm>.duration_of_response`) holds
what the ledger lacks: the endpoint's name, the responders, their events by type (as the data
record them: report.inputs.derive.EVENT_TYPE, as in the time-to-event summary), competing
events, and the responses ongoing at last contact (censored). The Kaplan-Meier median,
percentiles and landmark rates, and the range of the observed durations, are the ledger's
`survival.<endpoint>` (validated against R's survfit), read here and never recomputed. Not
open-safe: it is an efficacy result.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...analysis.group import TOTAL, Group, Part, Reads
from ...analysis.ledger import Share
from ...inputs.derive import CENSOR_REASON, EVENT_TYPE
from ...layout.ard import Stat
from ...layout.descriptive_rows import NO_DENOMINATOR, NotedTable, n_percent, share_stats
from ...layout.formatting import confidence_label
from ...layout.km_rows import NE, km_rows, time_cell
from ...layout.tables import ArmTable, Row
from ...layout.wording import KM_SCALE
from ..block import Block, Context
from .tte_summary import endpoint_events

BLOCK_ID = "duration_of_response"
DEFAULT_ENDPOINT = "dfs"  # tidy data's duration of response: response onset to relapse or death


@dataclass(frozen=True)
class DurationOfResponse:
    """One group's responders on the duration-of-response endpoint (times: `survival.<endpoint>`)."""
    endpoint: str  # the ledger key of the endpoint, e.g. "dfs"
    n: int  # responders: the endpoint's patients in the group
    events: Share  # relapse, progression or death
    event_types: dict[str, Share]  # by what the event was, most frequent first; "Type not recorded" last
    competing: dict[str, Share]  # follow-up ended by a competing event (censored for Kaplan-Meier), by type
    ongoing: Share  # response ongoing at last contact: censored without a competing event


def endpoint_of(group: Group) -> str | None:
    """The duration-of-response endpoint of the group's trial; None where it has none.

    An arm keeps the total's endpoints in `risk_times` even where it has no patient for one."""
    chosen = group.options.duration_of_response or DEFAULT_ENDPOINT
    known = set(group.time_to_event["endpoint"]) | set(group.risk_times)
    return chosen if chosen in known else None


def duration_of_response(group: Group) -> DurationOfResponse | None:
    """The group's responders and how their responses ended; None where the trial has no
    duration-of-response endpoint or no responder (not shown, never zeros). Counted as the
    time-to-event summary counts an endpoint's events."""
    name = endpoint_of(group)
    if name is None:
        return None
    ended = endpoint_events(group.time_to_event[group.time_to_event["endpoint"] == name])
    return DurationOfResponse(endpoint=name, n=ended.n, events=ended.events, event_types=ended.event_types,
                              competing=ended.competing, ongoing=ended.censored)


# ------------------------------------------------------------------ layout


def groups_of(ledger: dict) -> list[tuple[str, dict | None, dict | None]]:
    """(column, its duration_of_response part, its Kaplan-Meier fit of the endpoint): each arm, then the total."""
    name = ledger[BLOCK_ID]["endpoint"]
    groups = [(arm, ledger["by_arm"][arm]) for arm in ledger["arms"]] + [(TOTAL, ledger)]
    return [(column, g.get(BLOCK_ID), (g.get("survival") or {}).get(name)) for column, g in groups]


def shown(ledger: dict, context: Context | None = None) -> bool:
    """Only where the trial has the endpoint and at least one responder."""
    part = ledger.get(BLOCK_ID)
    return bool(part and part["n"] and (ledger.get("survival") or {}).get(part["endpoint"]))


def table(ledger: dict, context: Context | None = None) -> ArmTable:
    groups = groups_of(ledger)
    parts = [p for _, p, _ in groups]
    total = parts[-1]

    def shares(pick) -> tuple[str, ...]:
        return tuple(n_percent(pick(p), p["n"]) if p else NO_DENOMINATOR for p in parts)

    rows = [Row("Responders, n", tuple(str(p["n"]) if p else "0" for p in parts), "group"),
            Row("Relapse, progression or death, n (%)", shares(lambda p: p["events"]), "indent")]
    rows += [Row(kind, shares(lambda p, k=kind: p["event_types"].get(k)), "nested") for kind in total["event_types"]]
    if total["competing"]:
        rows.append(Row("Ended by a competing event (censored), n (%)", ("",) * len(parts), "indent"))
        rows += [Row(kind, shares(lambda p, k=kind: p["competing"].get(k)), "nested") for kind in total["competing"]]
    rows.append(Row("Response ongoing at last contact (censored), n (%)", shares(lambda p: p["ongoing"]), "indent"))
    rows += km_rows([fit for _, _, fit in groups], median="Median duration", rate="Still in response at {time} {unit}",
                    extra=[("Range, {unit}", range_cell)])
    return ArmTable(columns=tuple(column for column, _, _ in groups), counts=("",) * len(groups), subcolumns=("",),
                    rows=tuple(rows))


def range_cell(fit: dict) -> str:
    """'0.9 to 30.5+': the shortest and longest observed durations, '+' where censored."""
    def end(value: float | None, censored: bool | None) -> str:
        return time_cell(value, NE) + ("+" if censored else "")
    return f"{end(fit['min_time'], fit['min_time_censored'])} to {end(fit['max_time'], fit['max_time_censored'])}"


def view(ledger: dict, context: Context | None = None) -> NotedTable:
    part, fit = ledger[BLOCK_ID], ledger["survival"][ledger[BLOCK_ID]["endpoint"]]
    label = ledger["endpoints"].get(part["endpoint"], {}).get("label", part["endpoint"])
    level = confidence_label(fit["confidence"])
    return NotedTable(table(ledger), (
        f"Duration of response (endpoint: {label}): from the first documented response to relapse, progression or "
        f"death, among the responders; responses ongoing at last contact are censored then. n (%): of the "
        f"responders in the column; event types as the data record them. Median, percentiles and rates (patients "
        f"still in response at the time): Kaplan-Meier, with pointwise {level} confidence intervals from the "
        f"Greenwood variance on the {KM_SCALE.get(fit['conf_type'], fit['conf_type'])} scale, and for the median by "
        f"the Brookmeyer-Crowley method on the same scale. Range: shortest to longest observed duration; "
        f"+: censored. NR: not reached; NE: not estimable."))


def ard(part: dict | None, ledger: dict) -> list[Stat]:
    """The responders and how their responses ended (the Kaplan-Meier estimates and the range
    are the results block's rows of `survival.<endpoint>`)."""
    if not part:
        return []
    n, name = part["n"], part["endpoint"]
    stats = [Stat("categorical", "N", n, str(n), name, "responders")]
    stats += share_stats(part["events"], n, name, "event")
    for key, level in (("event_types", "event: "), ("competing", "competing: ")):
        for kind, share in part[key].items():
            stats += share_stats(share, n, name, level + kind)
    return stats + list(share_stats(part["ongoing"], n, name, "ongoing"))


BLOCK = Block(
    id=BLOCK_ID,
    title="Duration of response",
    keys=(BLOCK_ID, "survival", "endpoints", "by_arm"),
    open_safe=False,
    partial="partials/duration_of_response.html.j2",
    shown=shown,
    compute=Part(duration_of_response, Reads(time_to_event=("endpoint", "event", EVENT_TYPE, CENSOR_REASON),
                                             options=("duration_of_response",))),
    view=view,
    ard=ard,
)
