"""What the closed DSMB report prints of the efficacy changes since the previous closed report
(the closed ledger's `efficacy_changes` part, report.analysis.dsmb_efficacy): a sentence on
what is new, and a table of each measure then and now, for all patients and each arm."""
from __future__ import annotations

from dataclasses import dataclass

from ..analysis.dsmb_efficacy import TOTAL
from .formatting import MISSING, long_date, number, percent, setting
from .wording import listed, plural

NOTES = (("NR", "NR: not reached"), ("NE", "NE: not estimable"), (MISSING, f"{MISSING}: not in the previous report"))


@dataclass(frozen=True)
class EfficacyGroup:
    label: str  # "All patients", or the arm ("" where the trial has no arms: no heading row)
    rows: tuple[tuple[str, str, str, str], ...]  # measure, then, now, change


@dataclass(frozen=True)
class EfficacyChangesView:
    compared: bool  # a previous closed ledger was read: the table follows
    sentence: str
    caption: str
    previous: str  # the previous cutoff, written out
    now: str
    groups: tuple[EfficacyGroup, ...]
    note: str


def efficacy_changes_view(ledger: dict, context) -> EfficacyChangesView:
    c = ledger["efficacy_changes"]
    previous, now = long_date(c["previous_cutoff"]), long_date(ledger["data_cutoff"])
    if c["source"] != "archive":
        return EfficacyChangesView(False, _not_compared(c, previous), "", previous, now, (), "")
    arms = bool(ledger.get("arms"))
    groups = tuple(EfficacyGroup(("All patients" if g["group"] == TOTAL else g["group"]) if arms else "",
                                 _rows(g, ledger)) for g in c["groups"])
    return EfficacyChangesView(True, _sentence(c["groups"][0], ledger, previous, c["compared_with"], arms),
                               f"Efficacy then and now{' by arm' if arms else ''}", previous, now, groups, _note(groups))


def _note(groups: tuple[EfficacyGroup, ...]) -> str:
    """The abbreviations the table uses, and only those."""
    cells = {cell for g in groups for row in g.rows for cell in row[1:3]}
    used = [text for symbol, text in NOTES if symbol in cells]
    return "; ".join(used) + "." if used else ""


def _not_compared(c: dict, previous: str) -> str:
    if c["source"] == "unreadable":
        return (f"No previous closed report to compare efficacy with: the closed report as of {previous} "
                f"({c['compared_with']}) is archived, but its ledger does not open with this report's password.")
    return f"No previous closed report to compare efficacy with: the archive holds none as of {previous}."


def _sentence(total: dict, ledger: dict, previous: str, version: str, arms: bool) -> str:
    parts = []
    if total["response"] is not None:
        parts.append(_new(total["response"]["new"], "response"))
    for e in total["endpoints"]:
        if e["new_events"] is not None:
            parts.append(f"{_new(e['new_events'], _event(e['endpoint']))} ({_label(ledger, e['endpoint'])})")
    what = listed(parts) if parts else "no efficacy measure in both reports"
    return f"Compared with the closed report as of {previous} ({version}){', all patients' if arms else ''}: {what}."


def _rows(group: dict, ledger: dict) -> tuple[tuple[str, str, str, str], ...]:
    rows = []
    r = group["response"]
    if r is not None:
        label = f"Responders ({' or '.join(ledger['response']['responder_codes'])})"
        rows.append((label, _share(r["before"], r["before_n"], r["before_proportion"]),
                     _share(r["now"], r["now_n"], r["now_proportion"]), _signed(r["new"])))
    for e in group["endpoints"]:
        name, unit = _label(ledger, e["endpoint"]), ledger["survival"][e["endpoint"]]["time_unit"]
        known = e["events_before"] is not None
        rows.append((f"{name}: {plural(2, _event(e['endpoint']))}", str(e["events_before"]) if known else MISSING,
                     str(e["events_now"]), _signed(e["new_events"]) if known else ""))
        rows.append((f"{name}: median ({unit})", _median(e["median_before"]) if known else MISSING,
                     _median(e["median_now"]), ""))
        for lm in e["landmarks"]:
            rows.append((f"{name} at {setting(lm['time'])} {unit}", _estimate(lm["before"]) if known else MISSING,
                         _estimate(lm["now"]), ""))
    return tuple(rows)


def _label(ledger: dict, endpoint: str) -> str:
    return (ledger.get("endpoints") or {}).get(endpoint, {}).get("label", endpoint)


def _event(endpoint: str) -> str:
    return "death" if endpoint == "os" else "event"


def _new(count: int, thing: str) -> str:
    return f"{count} new {plural(count, thing)}"


def _share(count: int, n: int, proportion: float | None) -> str:
    return f"{count} of {n} ({percent(proportion, 1)})"


def _signed(change: int) -> str:
    return f"+{change}" if change > 0 else str(change).replace("-", "\u2212")


def _median(estimate: float | None) -> str:
    return "NR" if estimate is None else number(estimate)


def _estimate(value: float | None) -> str:
    return "NE" if value is None else percent(value, 1)
