"""A ledger diff's survival and comparison changes: events, medians, landmarks, log-rank, hazard ratios."""
from __future__ import annotations

from ..layout.formatting import confidence_label, interval, number, percent

from .ledger_change import (ABSENT, ARROW, Change, _Scope, _change, _count, _counted, _has,
                            _or_absent, _presence_or_none, same, _union)


# ---------------------------------------------------------------- survival


def _survival_changes(old: dict, new: dict, scope: _Scope) -> list[Change]:
    changes = []
    for name in _union(old, new):
        label = scope.endpoint_labels.get(name, name.upper())
        presence = _presence_or_none(scope, f"survival.{name}", label, old.get(name), new.get(name), _survival_summary)
        if presence:
            changes.append(presence)
        elif _has(old.get(name)):
            changes += _endpoint_changes(name, label, old[name], new[name], scope)
    return changes


def _endpoint_changes(name: str, label: str, old: dict, new: dict, scope: _Scope) -> list[Change]:
    unit = new.get("time_unit") or old.get("time_unit") or ""
    path = f"survival.{name}"
    changes = [_landmark_change(path, label, unit, time, a, b, scope)
               for time, a, b in _paired_landmarks(old.get("landmarks") or [], new.get("landmarks") or [])]
    changes.append(_median_change(path, label, unit, old.get("median"), new.get("median"), scope))
    changes.append(_events_change(name, label, old.get("events"), new.get("events"), scope))
    return [c for c in changes if c]


def _paired_landmarks(old: list[dict], new: list[dict]) -> list[tuple[float, dict | None, dict | None]]:
    """Landmarks of both ledgers matched by time, in time order."""
    times = sorted({lm["time"] for lm in old + new})
    distinct = [t for i, t in enumerate(times) if i == 0 or not same(t, times[i - 1])]
    return [(t, _at(old, t), _at(new, t)) for t in distinct]


def _at(landmarks: list[dict], time: float) -> dict | None:
    return next((lm for lm in landmarks if same(lm["time"], time)), None)


def _landmark_change(path: str, label: str, unit: str, time: float, old: dict | None, new: dict | None,
                     scope: _Scope) -> Change | None:
    before, after = _landmark_survival(old), _landmark_survival(new)
    if old is not None and new is not None and same(old.get("survival"), new.get("survival")):
        return None
    when = f"at {_time(time)} {unit}".rstrip()
    return _change(scope, f"{path}.landmarks.{_time(time)}", f"{label} {when}", before, after,
                   f"{label} {when}: {before} {ARROW} {after}.", label, f"{when}: {before} {ARROW} {after}")


def _median_change(path: str, label: str, unit: str, old: dict | None, new: dict | None, scope: _Scope) -> Change | None:
    before, after = (old or {}).get("estimate"), (new or {}).get("estimate")
    if same(before, after):
        return None
    a, b = _median(before, unit), _median(after, unit)
    return _change(scope, f"{path}.median", f"{label}, median", a, b, f"{label}, median: {a} {ARROW} {b}.",
                   label, f"median {a} {ARROW} {b}")


def _events_change(name: str, label: str, old: int | None, new: int | None, scope: _Scope) -> Change | None:
    if same(old, new):
        return None
    noun = "death" if name == "os" else "event"
    a, b = _count(old), _count(new)
    if old is not None and new is not None and new > old:
        brief = _counted(new - old, f"new {noun}")
    else:
        brief = f"{noun}s {a} {ARROW} {b}"
    if scope.arm and noun == "event":
        brief = f"{brief} ({label})"
    return _change(scope, f"survival.{name}.events", f"{label}, {noun}s", a, b,
                   f"{label}: {a} {ARROW} {b} {noun}s.", label, brief)


def _survival_summary(block: dict) -> str:
    unit = block.get("time_unit") or ""
    median = _median((block.get("median") or {}).get("estimate"), unit)
    return f"{_counted(block.get('n', 0), 'patient')}, {_counted(block.get('events', 0), 'event')}, median {median}"


def _landmark_survival(landmark: dict | None) -> str:
    if landmark is None:
        return ABSENT
    return "not estimable" if landmark.get("survival") is None else percent(landmark["survival"], 1)


def _median(estimate: float | None, unit: str) -> str:
    return "not reached" if estimate is None else f"{number(estimate, 1)} {unit}".rstrip()


def _time(time: float) -> str:
    return number(time, 0) if same(time, round(time)) else number(time, 1)


# ---------------------------------------------------------------- comparisons


def _comparison_changes(old: dict | None, new: dict | None, scope: _Scope) -> list[Change]:
    old, new = old or {}, new or {}
    changes = []
    for name in _union(old, new):
        label = scope.endpoint_labels.get(name, name.upper())
        presence = _presence_or_none(scope, f"comparisons.{name}", f"Comparison of arms for {label.lower()}",
                                     old.get(name), new.get(name), _comparison_summary)
        if presence:
            changes.append(presence)
        elif _has(old.get(name)):
            changes += _log_rank_change(name, label, old[name].get("log_rank"), new[name].get("log_rank"), scope)
            changes += _hazard_ratio_changes(name, label, old[name].get("hazard_ratios") or [],
                                             new[name].get("hazard_ratios") or [], scope)
    return changes


def _log_rank_change(name: str, label: str, old: dict | None, new: dict | None, scope: _Scope) -> list[Change]:
    before, after = (old or {}).get("p_value"), (new or {}).get("p_value")
    if same(before, after):
        return []
    a, b = _p(before), _p(after)
    text = f"Log-rank test for {label.lower()}"
    return [_change(scope, f"comparisons.{name}.log_rank.p_value", text, a, b, f"{text}: p {a} {ARROW} {b}.")]


def _hazard_ratio_changes(name: str, label: str, old: list[dict], new: list[dict], scope: _Scope) -> list[Change]:
    by_pair_old = {(h["arm"], h["reference"]): h for h in old}
    by_pair_new = {(h["arm"], h["reference"]): h for h in new}
    changes = []
    for arm, reference in _union(by_pair_old, by_pair_new):
        before, after = by_pair_old.get((arm, reference)), by_pair_new.get((arm, reference))
        if same(before, after):
            continue
        a, b = _or_absent(before, _hazard_ratio), _or_absent(after, _hazard_ratio)
        text = f"Hazard ratio for {label.lower()}, {arm} vs {reference}"
        changes.append(_change(scope, f"comparisons.{name}.hazard_ratios.{arm}", text, a, b, f"{text}: {a} {ARROW} {b}."))
    return changes


def _comparison_summary(block: dict) -> str:
    ratios = [f"{h['arm']} vs {h['reference']} {_hazard_ratio(h)}" for h in block.get("hazard_ratios") or []]
    p = (block.get("log_rank") or {}).get("p_value")
    return "; ".join([f"log-rank p {_p(p)}", *ratios])


def _hazard_ratio(ratio: dict) -> str:
    if ratio.get("hazard_ratio") is None:
        return "not estimable"
    level = confidence_label(ratio.get("confidence", 0.95))
    limits = interval(ratio.get("ci_low"), ratio.get("ci_high"), 2, as_percent=False)
    return f"{number(ratio['hazard_ratio'], 2)} ({level} CI {limits})"


def _p(value: float | None) -> str:
    if value is None:
        return "not estimable"
    return "<0.001" if value < 0.001 else number(value, 3)


