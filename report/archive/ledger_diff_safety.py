"""A ledger diff's safety changes: the overview, deaths and adverse-event terms."""
from __future__ import annotations

from .ledger_change import (ABSENT, ARROW, Change, _Scope, _change, _count, _counted, _has,
                            _patients_share, _presence, _presence_or_none, same, _share, _union)


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


