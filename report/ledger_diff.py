"""What changed between two numbers ledgers (`results.json`, DESIGN section 7), in words.

For `trialreport archive diff V1 V2`: which figures moved between two archived reports, and
the new patients and events. Pure functions over the ledgers' plain dicts; ledgers may differ
in shape (an open DSMB ledger holds no response or survival), and a block that only one of
them holds is said to be added or dropped rather than compared.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .formatting import confidence_label, interval, long_date, number, percent

TOLERANCE = 1e-12  # floats this close are the same figure
ARROW = "->"
ABSENT = "not reported"
NO_CHANGE = "No figure changed."
PATIENTS = "Patients"  # topic of the population changes, told as one sentence
# Top-level keys that are figure blocks with their own changes; any other key held by one
# ledger only (e.g. an open DSMB ledger's `dsmb` and `report`) is named in one sentence.
FIGURE_KEYS = ("population", "response", "mrd", "survival", "safety", "by_arm", "comparisons", "endpoints", "arms")
# Figures of an arm told in the compact by-arm sentence; the others are counted.
ARM_KEY_FIGURES = ("population.enrolled", "response", "response.responders", "mrd", "mrd.negative",
                   "safety.grade_3_plus", "safety.deaths.total")


@dataclass(frozen=True)
class Change:
    path: str  # where in the ledger, e.g. "response.responders" or "by_arm.A: Drug X.mrd.negative"
    label: str  # e.g. "Responders (CR or CRi)"
    before: str  # the old figure as people read it; ABSENT where the old ledger lacks it
    after: str
    sentence: str  # the change told on its own
    topic: str = ""  # changes of one topic in a row are told as one sentence, e.g. "Overall survival"
    brief: str = ""  # the change as a fragment of its topic's sentence, e.g. "at 12 months: 71.2% -> 64.8%"
    arm: str = ""  # the arm of a by_arm change; empty for the whole trial


@dataclass(frozen=True)
class LedgerDiff:
    old_cutoff: str | None  # ISO dates as in the ledgers
    new_cutoff: str | None
    new_patients: int | None  # population.enrolled, new minus old; None where a ledger lacks it
    new_evaluable: int | None  # population.evaluable
    new_deaths: int | None  # safety.deaths.total
    new_adverse_events: int | None  # safety.any_event.events
    new_grade_3_plus_events: int | None  # safety.grade_3_plus.events
    new_serious_events: int | None  # safety.serious.events
    new_endpoint_events: dict[str, int]  # survival.<name>.events, for endpoints both ledgers hold
    only_in_old: tuple[str, ...]  # top-level keys only the old ledger holds (null or empty counts as absent)
    only_in_new: tuple[str, ...]
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class _Scope:
    """Where a block sits (the whole trial or one arm) and how its figures are named."""
    prefix: str  # "" or "by_arm.<ARM>."
    arm: str
    endpoint_labels: dict[str, str]
    responder_codes: tuple[str, ...]
    high_grade_label: str  # "Grade 3+ adverse events" or "Severe adverse events"


# ---------------------------------------------------------------- the diff


def diff_ledgers(old: dict, new: dict) -> LedgerDiff:
    """Every figure that differs between two ledgers, with the counts of what is new."""
    old, new = old or {}, new or {}
    scope = _trial_scope(old, new)
    changes = (
        *_trial_changes(old, new),
        *_method_changes(old.get("methods"), new.get("methods")),
        *_block_changes(old, new, scope),
        *_comparison_changes(old.get("comparisons"), new.get("comparisons"), scope),
        *_arm_changes(old, new, scope),
    )
    return LedgerDiff(
        old_cutoff=old.get("data_cutoff"),
        new_cutoff=new.get("data_cutoff"),
        new_patients=_increase(old, new, "population", "enrolled"),
        new_evaluable=_increase(old, new, "population", "evaluable"),
        new_deaths=_increase(old, new, "safety", "deaths", "total"),
        new_adverse_events=_increase(old, new, "safety", "any_event", "events"),
        new_grade_3_plus_events=_increase(old, new, "safety", "grade_3_plus", "events"),
        new_serious_events=_increase(old, new, "safety", "serious", "events"),
        new_endpoint_events=new_endpoint_events(old, new),
        only_in_old=keys_only_in(old, new),
        only_in_new=keys_only_in(new, old),
        changes=changes,
    )


def new_endpoint_events(old: dict, new: dict) -> dict[str, int]:
    """New events per time-to-event endpoint that both ledgers hold."""
    before, after = old.get("survival") or {}, new.get("survival") or {}
    counts = {name: (_get(before, (name, "events")), _get(after, (name, "events"))) for name in after}
    return {name: b - a for name, (a, b) in counts.items() if a is not None and b is not None}


def keys_only_in(ledger: dict, other: dict) -> tuple[str, ...]:
    """Top-level keys `ledger` holds and `other` lacks (or holds as null or empty)."""
    return tuple(key for key, value in ledger.items() if _has(value) and not _has(other.get(key)))


def same(a, b) -> bool:
    """Equal, with floats equal within TOLERANCE; dicts and lists compared through."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def _trial_scope(old: dict, new: dict) -> _Scope:
    labels = {**_endpoint_labels(old), **_endpoint_labels(new)}
    methods = new.get("methods") or old.get("methods") or {}
    response = new.get("response") or old.get("response") or {}
    codes = tuple(response.get("responder_codes") or methods.get("responders") or ())
    grading = methods.get("ae_grading", "ctcae")
    high = "Grade 3+ adverse events" if grading == "ctcae" else "Severe adverse events"
    return _Scope("", "", labels, codes, high)


def _endpoint_labels(ledger: dict) -> dict[str, str]:
    names = {**(ledger.get("survival") or {}), **(ledger.get("endpoints") or {})}
    infos = ledger.get("endpoints") or {}
    return {name: (infos.get(name) or {}).get("label") or name.upper() for name in names}


def _arm_scope(scope: _Scope, arm: str) -> _Scope:
    return _Scope(f"by_arm.{arm}.", arm, scope.endpoint_labels, scope.responder_codes, scope.high_grade_label)


def _change(scope: _Scope, path: str, label: str, before: str, after: str, sentence: str,
            topic: str = "", brief: str = "") -> Change:
    if scope.arm:
        sentence = f"By arm, {scope.arm}: {sentence}"
    return Change(scope.prefix + path, label, before, after, sentence, topic or label, brief, scope.arm)


def _presence(scope: _Scope, path: str, label: str, before: str | None, after: str | None) -> Change:
    """A block only one ledger holds: added (only in the new) or dropped (only in the old)."""
    if before is None:
        return _change(scope, path, label, ABSENT, after, f"{label} added: {after}.", brief=f"{label} added")
    return _change(scope, path, label, before, ABSENT,
                   f"{label} dropped (only in the old ledger): {before}.", brief=f"{label} dropped")


def _presence_or_none(scope: _Scope, path: str, label: str, old, new, summary) -> Change | None:
    """The presence change where exactly one side holds the block; None where both or neither do."""
    if _has(old) == _has(new):
        return None
    return _presence(scope, path, label, summary(old) if _has(old) else None, summary(new) if _has(new) else None)


# ---------------------------------------------------------------- trial and methods


def _trial_changes(old: dict, new: dict) -> list[Change]:
    before, after = (old.get("trial") or {}).get("id"), (new.get("trial") or {}).get("id")
    if same(before, after):
        return []
    a, b = before or ABSENT, after or ABSENT
    return [Change("trial.id", "Trial", a, b, f"Trial: {a} {ARROW} {b}.", "Trial")]


def _method_changes(old: dict | None, new: dict | None) -> list[Change]:
    if not old or not new:
        return []
    changes = []
    for key in _union(old, new):
        if same(old.get(key), new.get(key)):
            continue
        a, b = _method_value(old.get(key)), _method_value(new.get(key))
        changes.append(Change(f"methods.{key}", f"Method {key}", a, b, f"Method {key}: {a} {ARROW} {b}.", f"methods.{key}"))
    return changes


def _method_value(value) -> str:
    if value is None:
        return ABSENT
    if isinstance(value, (list, tuple)):
        return ", ".join(_method_value(v) for v in value) or "none"
    return str(value)


# ---------------------------------------------------------------- blocks of the trial or an arm


def _block_changes(old: dict, new: dict, scope: _Scope) -> list[Change]:
    return [
        *_population_changes(old.get("population") or {}, new.get("population") or {}, scope),
        *_response_changes(old.get("response"), new.get("response"), scope),
        *_mrd_changes(old.get("mrd"), new.get("mrd"), scope),
        *_survival_changes(old.get("survival") or {}, new.get("survival") or {}, scope),
        *_safety_changes(old.get("safety"), new.get("safety"), scope),
    ]


def _population_changes(old: dict, new: dict, scope: _Scope) -> list[Change]:
    changes = []
    for key in ("evaluable", "treated", "enrolled"):
        if same(old.get(key), new.get(key)):
            continue
        a, b = _count(old.get(key)), _count(new.get(key))
        label = f"{key.capitalize()} patients"
        changes.append(_change(scope, f"population.{key}", label, a, b, f"{label}: {a} {ARROW} {b}.",
                               PATIENTS, f"{a} {ARROW} {b} {key}"))
    return changes


def _response_changes(old: dict | None, new: dict | None, scope: _Scope) -> list[Change]:
    presence = _presence_or_none(scope, "response", "Response", old, new, lambda r: f"responders {_with_ci(r['responders'])}")
    if presence or not old:
        return [presence] if presence else []
    label = f"Responders ({' or '.join(scope.responder_codes)})" if scope.responder_codes else "Responders"
    changes = [_proportion_change(scope, "response.responders", label, "responders", old.get("responders"),
                                  new.get("responders"), _with_ci)]
    categories_old, categories_new = old.get("categories") or {}, new.get("categories") or {}
    changes += [_proportion_change(scope, f"response.categories.{code}", f"Best response {code}", code,
                                   categories_old.get(code), categories_new.get(code), _with_percent)
                for code in _union(categories_old, categories_new)]
    changes.append(_proportion_change(scope, "response.after_first_cycle", "Responders after the first cycle",
                                      "after the first cycle", old.get("after_first_cycle"),
                                      new.get("after_first_cycle"), _with_percent))
    return [c for c in changes if c]


def _mrd_changes(old: dict | None, new: dict | None, scope: _Scope) -> list[Change]:
    presence = _presence_or_none(scope, "mrd", "MRD", old, new, lambda m: f"MRD-negative {_count_of(m.get('negative'))}")
    if presence or not old:
        return [presence] if presence else []
    change = _proportion_change(scope, "mrd.negative", "MRD-negative", "MRD-negative",
                                old.get("negative"), new.get("negative"), _count_of)
    return [change] if change else []


def _proportion_change(scope: _Scope, path: str, label: str, short: str, old: dict | None, new: dict | None,
                       shown) -> Change | None:
    """A proportion whose count, denominator or interval moved; `shown` formats it for the sentence."""
    if same(old, new):
        return None
    a, b = _or_absent(old, shown), _or_absent(new, shown)
    brief = f"{short} {_or_absent(old, _count_of)} {ARROW} {_or_absent(new, _count_of)}"
    return _change(scope, path, label, a, b, f"{label}: {a} {ARROW} {b}.", brief=brief)


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


# ---------------------------------------------------------------- safety


def _safety_changes(old: dict | None, new: dict | None, scope: _Scope) -> list[Change]:
    presence = _presence_or_none(scope, "safety", "Safety", old, new, lambda s: _events_summary(s.get("any_event")))
    if presence or not old:
        return [presence] if presence else []
    changes = [
        _overview_change(scope, "any_event", "Any adverse event", old, new),
        _overview_change(scope, "grade_3_plus", scope.high_grade_label, old, new),
        _overview_change(scope, "serious", "Serious adverse events", old, new),
        *_death_changes(old.get("deaths"), new.get("deaths"), scope),
        # Terms not collected on one side (null): the any-event row already says so.
        *(_term_changes(old["terms"] or [], new["terms"] or [], scope)
          if old.get("terms") is not None and new.get("terms") is not None else []),
    ]
    return [c for c in changes if c]


def _overview_change(scope: _Scope, key: str, label: str, old: dict, new: dict) -> Change | None:
    """A safety overview row: patients with such an event, their share, and the events."""
    before, after = old.get(key), new.get(key)
    if same(before, after):
        return None
    if not _has(before) or not _has(after):
        return _presence(scope, f"safety.{key}", label, _events_summary(before) if _has(before) else None,
                         _events_summary(after) if _has(after) else None)
    a, b = _events_summary(before), _events_summary(after)
    brief = f"{label.lower()} {before['subjects']} {ARROW} {after['subjects']} patients"
    return _change(scope, f"safety.{key}", label, a, b, f"{label}: {_overview_text(before, after)}.", brief=brief)


def _overview_text(before: dict, after: dict) -> str:
    """'18 patients (69.2%) -> 20 (69.0%); 2 new events'."""
    patients_same = same(before["subjects"], after["subjects"]) and same(before.get("proportion"), after.get("proportion"))
    if patients_same:
        patients = _patients_share(before["subjects"], before.get("proportion"))
    else:
        patients = (f"{_patients_share(before['subjects'], before.get('proportion'))} {ARROW} "
                    f"{_share(after['subjects'], after.get('proportion'))}")
    events = _new_events(before.get("events"), after.get("events"))
    return f"{patients}; {events}" if events else patients


def _new_events(before: int | None, after: int | None) -> str:
    if same(before, after):
        return ""
    if before is not None and after is not None and after > before:
        return _counted(after - before, "new event")
    return f"events {_count(before)} {ARROW} {_count(after)}"


def _events_summary(row: dict | None) -> str:
    if not row:
        return ABSENT
    return f"{_patients_share(row['subjects'], row.get('proportion'))}, {_counted(row.get('events', 0), 'event')}"


def _death_changes(old: dict | None, new: dict | None, scope: _Scope) -> list[Change]:
    old, new = old or {}, new or {}
    changes = []
    if not same(old.get("total"), new.get("total")):
        a, b = _count(old.get("total")), _count(new.get("total"))
        brief = f"deaths {a} {ARROW} {b}" if scope.arm else f"{a} {ARROW} {b}"
        changes.append(_change(scope, "safety.deaths.total", "Deaths", a, b, f"Deaths: {a} {ARROW} {b}.", "Deaths", brief))
    early_old, early_new = old.get("early") or {}, new.get("early") or {}
    for days in _union(early_old, early_new):
        if same(early_old.get(days), early_new.get(days)):
            continue
        a, b = _count(early_old.get(days)), _count(early_new.get(days))
        label = f"Deaths within {days} days"
        changes.append(_change(scope, f"safety.deaths.early.{days}", label, a, b, f"{label}: {a} {ARROW} {b}.",
                               "Deaths", f"within {days} days: {a} {ARROW} {b}"))
    return changes


def _term_changes(old: list[dict], new: list[dict], scope: _Scope) -> list[Change]:
    """Adverse-event terms whose patient counts moved, and terms only one ledger holds."""
    by_old, by_new = _terms(old), _terms(new)
    changes = []
    for key in _union(by_old, by_new):
        before, after = by_old.get(key), by_new.get(key)
        if before and after and same(before["subjects"], after["subjects"]):
            continue
        changes.append(_term_change(key[1], before, after, scope))
    return changes


def _terms(rows: list[dict]) -> dict[tuple[str, str], dict]:
    return {(row.get("soc") or "", row["term"]): row for row in rows}


def _term_change(term: str, before: dict | None, after: dict | None, scope: _Scope) -> Change:
    path = f"safety.terms.{term}"
    if before is None:
        b = _counted(after["subjects"], "patient")
        return _change(scope, path, term, ABSENT, b, f"New term: {term} ({b}).", f"term {term}", f"new term {term}")
    if after is None:
        a = _counted(before["subjects"], "patient")
        return _change(scope, path, term, a, ABSENT, f"Term no longer reported: {term} (was {a}).",
                       f"term {term}", f"term {term} dropped")
    a, b = before["subjects"], after["subjects"]
    return _change(scope, path, term, str(a), str(b), f"{term}: {a} {ARROW} {b} patients.",
                   f"term {term}", f"{term} {a} {ARROW} {b}")


# ---------------------------------------------------------------- arms


def _arm_changes(old: dict, new: dict, scope: _Scope) -> list[Change]:
    arms_old, arms_new = old.get("by_arm") or {}, new.get("by_arm") or {}
    changes = []
    for arm in _arm_order(old, new):
        arm_scope = _arm_scope(scope, arm)
        before, after = arms_old.get(arm), arms_new.get(arm)
        if _has(before) and _has(after):
            changes += _block_changes(before, after, arm_scope)
        else:
            changes.append(_arm_presence(arm, _arm_summary(before), _arm_summary(after)))
    return changes


def _arm_presence(arm: str, before: str | None, after: str | None) -> Change:
    """An arm only one ledger holds."""
    side, summary = ("new", after) if before is None else ("old", before)
    sentence = f"By arm, {arm}: only in the {side} ledger ({summary})."
    return Change(f"by_arm.{arm}", "Arm", before or ABSENT, after or ABSENT, sentence, "Arm", f"only in the {side} ledger", arm)


def _arm_order(old: dict, new: dict) -> list[str]:
    named = list(new.get("arms") or []) + list(old.get("arms") or [])
    held = list(new.get("by_arm") or {}) + list(old.get("by_arm") or {})
    return list(dict.fromkeys(named + held))


def _arm_summary(block: dict | None) -> str | None:
    if not _has(block):
        return None
    return f"{_count((block.get('population') or {}).get('enrolled'))} enrolled"


# ---------------------------------------------------------------- words


def describe(diff: LedgerDiff) -> list[str]:
    """The diff as sentences a statistician reads; unchanged figures are not listed."""
    sentences = [_cutoff_sentence(diff)] if diff.old_cutoff != diff.new_cutoff or diff.changes else []
    sentences += _shape_sentences(diff)
    trial = [c for c in diff.changes if not c.arm]
    sentences += [_group_sentence(group, diff) for group in _topic_groups(trial)]
    sentences += [_arm_sentence(arm, group) for arm, group in _arm_groups(diff.changes)]
    if not diff.changes:
        sentences.append(NO_CHANGE)
    return [s for s in sentences if s]


def _cutoff_sentence(diff: LedgerDiff) -> str:
    before, after = _date(diff.old_cutoff), _date(diff.new_cutoff)
    if diff.old_cutoff == diff.new_cutoff:
        return f"Same data cutoff ({after})."
    return f"Data cutoff {before} {ARROW} {after}."


def _shape_sentences(diff: LedgerDiff) -> list[str]:
    """Non-figure keys only one ledger holds (figure blocks get their own sentences)."""
    old = [k for k in diff.only_in_old if k not in FIGURE_KEYS]
    new = [k for k in diff.only_in_new if k not in FIGURE_KEYS]
    return ([f"Only in the old ledger: {', '.join(old)}."] if old else []) + \
           ([f"Only in the new ledger: {', '.join(new)}."] if new else [])


def _topic_groups(changes: list[Change]) -> list[list[Change]]:
    """Changes of the same topic in a row, kept together."""
    groups: list[list[Change]] = []
    for change in changes:
        if groups and groups[-1][0].topic == change.topic:
            groups[-1].append(change)
        else:
            groups.append([change])
    return groups


def _group_sentence(group: list[Change], diff: LedgerDiff) -> str:
    if group[0].topic == PATIENTS:
        return _population_sentence(group, diff.new_patients)
    if len(group) == 1:
        return group[0].sentence
    joiner = " " if group[0].brief.startswith("at ") else ": "
    return f"{group[0].topic}{joiner}{'; '.join(c.brief for c in group)}."


def _population_sentence(group: list[Change], new_patients: int | None) -> str:
    """'3 new patients (26 -> 29 evaluable; 28 -> 31 enrolled).'"""
    briefs = "; ".join(c.brief for c in group if not _repeats_evaluable(c, group))
    if new_patients:
        head = _counted(new_patients, "new patient") if new_patients > 0 else _counted(-new_patients, "fewer patient")
        return f"{head} ({briefs})."
    return f"{PATIENTS}: {briefs}."


def _repeats_evaluable(change: Change, group: list[Change]) -> bool:
    """The treated count says nothing new where it moved exactly as the evaluable count did."""
    if not change.path.endswith("population.treated"):
        return False
    evaluable = next((c for c in group if c.path.endswith("population.evaluable")), None)
    return evaluable is not None and (evaluable.before, evaluable.after) == (change.before, change.after)


def _arm_groups(changes: tuple[Change, ...]) -> list[tuple[str, list[Change]]]:
    groups: dict[str, list[Change]] = {}
    for change in changes:
        if change.arm:
            groups.setdefault(change.arm, []).append(change)
    return list(groups.items())


def _arm_sentence(arm: str, group: list[Change]) -> str:
    """'By arm, A: Drug X: responders 120 of 130 -> 133 of 134; 12 new deaths; 5 other figures changed.'"""
    if group[0].path == f"by_arm.{arm}":
        return group[0].sentence
    key = [c for c in group if _is_arm_key(c)]
    parts = [c.brief for c in key]
    others = len(group) - len(key)
    if others:
        parts.append(_counted(others, "other figure") + " changed")
    return f"By arm, {arm}: {'; '.join(parts)}."


def _is_arm_key(change: Change) -> bool:
    figure = change.path[len(f"by_arm.{change.arm}."):]
    if figure in ARM_KEY_FIGURES:
        return True
    parts = figure.split(".")
    return parts[0] == "survival" and (len(parts) == 2 or parts[-1] == "events")


# ---------------------------------------------------------------- small formats


def _with_ci(p: dict) -> str:
    """'19 of 29 (65.5%; 95% CI 45.7%-82.1%)'."""
    if p.get("proportion") is None:
        return _count_of(p)
    limits = interval(p.get("ci_low"), p.get("ci_high"), 1)
    return f"{_count_of(p)} ({percent(p['proportion'], 1)}; {confidence_label(p.get('confidence', 0.95))} CI {limits})"


def _with_percent(p: dict) -> str:
    """'11 of 29 (37.9%)'."""
    return _count_of(p) if p.get("proportion") is None else f"{_count_of(p)} ({percent(p['proportion'], 1)})"


def _count_of(p: dict | None) -> str:
    return ABSENT if p is None else f"{p['count']} of {p['n']}"


def _or_absent(value, shown) -> str:
    return ABSENT if value is None else shown(value)


def _patients_share(subjects: int, proportion: float | None) -> str:
    return f"{_counted(subjects, 'patient')}" + ("" if proportion is None else f" ({percent(proportion, 1)})")


def _share(count: int, proportion: float | None) -> str:
    return f"{count}" + ("" if proportion is None else f" ({percent(proportion, 1)})")


def _counted(n: int, noun: str) -> str:
    """'1 new patient', '3 new patients'."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _count(value) -> str:
    return ABSENT if value is None else str(value)


def _date(value: str | None) -> str:
    return "unknown" if not value else long_date(value)


def _increase(old: dict, new: dict, *path: str) -> int | None:
    before, after = _get(old, path), _get(new, path)
    return None if before is None or after is None else after - before


def _get(ledger: dict, path: tuple[str, ...]):
    value = ledger
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _has(value) -> bool:
    """Held: neither missing, null, nor an empty block."""
    return value is not None and value != {} and value != []


def _union(first, second) -> list:
    """Keys of both, the first's order, then the second's new ones."""
    return list(dict.fromkeys([*first, *second]))
