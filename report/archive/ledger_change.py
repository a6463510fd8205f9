"""The vocabulary of a ledger diff (report.archive.ledger_diff): a `Change`, the `LedgerDiff`,
the scope of a change, and the small formats its sentences use."""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..layout.formatting import confidence_label, interval, long_date, percent

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


# ---------------------------------------------------------------- changes


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
