"""What changed between two numbers ledgers (`results.json`, DESIGN section 7), in words.

For `trialreport archive diff V1 V2`: which figures moved between two archived reports, and
the new patients and events. Pure functions over the ledgers' plain dicts; ledgers may differ
in shape (an open DSMB ledger holds no response or survival), and a block that only one of
them holds is said to be added or dropped rather than compared.
"""
from __future__ import annotations

from .ledger_change import (ABSENT, ARROW, PATIENTS, Change, LedgerDiff, _Scope, _change, _count,
                            _count_of, _get, _has, _increase, _or_absent, _presence_or_none, same,
                            _union, _with_ci, _with_percent)
from .ledger_diff_safety import _safety_changes
from .ledger_diff_survival import _comparison_changes, _survival_changes


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


