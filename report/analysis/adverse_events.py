"""What the adverse-event tables count (AET01, AET02, AET04, special interest), for one group
of patients: patients (n) and events in the safety population, the proportion of its N, the
worst grade of each patient, and Fisher's exact p-values of each arm against the reference.

Patients are counted once per row (a patient with two events of a term counts once for it);
events are records. The Total group holds every arm, so its part carries the comparisons
(`p_values`: arm -> p of that arm against the reference arm, the first of the report's order).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable
from weakref import WeakKeyDictionary

import numpy as np
import pandas as pd

from ..inputs import derive
from ..stats.fisher import fisher_p
from .group import TOTAL, Group
from .ledger import Share
from .safety import UNCODED_SOC

RELATED = {"possible", "probable", "definite", "y", "yes", "related"}  # attribution / AEREL, any case
DISCONTINUED = {"DRUG WITHDRAWN"}
MODIFIED = {"DOSE REDUCED", "DOSE RATE REDUCED", "DOSE INCREASED", "DRUG INTERRUPTED"}
# Worst-grade columns: CTCAE grades, or the levels of a severity scale (1 mild, 2 moderate, 3 severe).
GRADE_COLUMNS = {
    "ctcae": {"Any grade": (1, 2, 3, 4, 5), "Grade 3-4": (3, 4), "Grade 5": (5,)},
    "severity": {"Any severity": (1, 2, 3), "Mild": (1,), "Moderate": (2,), "Severe": (3,)},
}
AE_COLUMNS = ("term", "soc", "grade")  # what every adverse-event table reads of the events
OVERVIEW_COLUMNS = ("attribution", "serious", "action_taken", "fatal")


@dataclass(frozen=True)
class Count:
    subjects: int  # patients with at least one such event
    proportion: float | None  # of the group's safety population; None where it has no patient
    events: int
    p_values: dict[str, float | None] | None = None  # Total only, where asked: arm -> p against the reference


@dataclass(frozen=True)
class Term:
    term: str
    count: Count


@dataclass(frozen=True)
class Graded:
    """Patients by their worst grade of the row's events: column label -> n (proportion of N)."""
    label: str
    worst: dict[str, Share]
    p_values: dict[str, float | None] | None = None  # as Count's, of patients with any grade


@dataclass(frozen=True)
class GradedGroup:
    label: str  # an organ class, or a group of special interest
    worst: dict[str, Share]
    terms: tuple[Graded, ...]
    p_values: dict[str, float | None] | None = None  # as Count's, of patients with any grade


@dataclass(frozen=True)
class Events:
    """A group's safety population (`ids`, `n`) and its events, organ class filled in."""
    ids: frozenset
    n: int
    rows: pd.DataFrame
    arms: tuple[tuple[str, frozenset], ...]  # Total with comparisons asked for: (arm, its safety ids), reference first


def events_of(group: Group, compare: bool = True) -> Events | None:
    """The safety population's events (with the arms to compare where `compare` and the spec
    asks for p-values); None where adverse events were not collected. Made once per group:
    the adverse-event tables of one group share it."""
    if group.adverse_events is None:
        return None
    if group not in _EVENTS:
        _EVENTS[group] = _events(group)
    events, population = _EVENTS[group]
    return replace(events, arms=_compared_arms(group, population)) if compare else events


_EVENTS: WeakKeyDictionary[Group, tuple[Events, pd.DataFrame]] = WeakKeyDictionary()


def _events(group: Group) -> tuple[Events, pd.DataFrame]:
    """The events, no arms to compare yet (a part that compares none reads no option for them),
    and the safety population."""
    population = derive.safety_population(group.subjects)
    ids = frozenset(population["subject_id"])
    rows = group.adverse_events[group.adverse_events["subject_id"].isin(ids)].copy()
    rows["soc"] = rows["soc"].fillna(UNCODED_SOC)
    return Events(ids, len(ids), rows, ()), population


def _compared_arms(group: Group, population: pd.DataFrame) -> tuple[tuple[str, frozenset], ...]:
    """The arms to compare (the Total group of a trial with arms, where p-values are asked for)."""
    if group.label != TOTAL or not group.options.adverse_events.p_values:
        return ()
    present = sorted(a for a in group.subjects["arm"].dropna().unique())
    if len(present) < 2:
        return ()
    order = [a for a in group.options.arms if a in present] + [a for a in present if a not in group.options.arms]
    return tuple((arm, frozenset(population.loc[population["arm"] == arm, "subject_id"])) for arm in order)


share = Share.of  # count of n; proportion None where n is 0


def count(events: Events, rows: pd.DataFrame) -> Count:
    """Patients with at least one of `rows` (and the events), with the comparisons of the Total."""
    return counted(events, set(rows["subject_id"]), len(rows))


def counted(events: Events, patients: set, n_events: int) -> Count:
    return Count(len(patients), share(len(patients), events.n).proportion, n_events, _p_values(events, patients))


def _p_values(events: Events, patients: set) -> dict[str, float | None] | None:
    if not events.arms:
        return None
    (_, reference), *others = events.arms
    return {arm: fisher_p(len(patients & ids), len(ids), len(patients & reference), len(reference))
            for arm, ids in others}


def by_incidence(items: Iterable, patients, name) -> list:
    """Most patients first, then by name."""
    return sorted(items, key=lambda item: (-patients(item), name(item)))


def terms_by_soc(events: Events) -> list[tuple[str, Count, list[Term]]]:
    """Each organ class with its count and its terms' counts, by incidence (each in one
    grouping of the events, not one per term)."""
    rows = events.rows
    by_term = rows["subject_id"].groupby([rows["soc"], rows["term"]], sort=False, observed=True)
    by_soc = rows["subject_id"].groupby(rows["soc"], sort=False, observed=True)
    terms: dict[str, list[Term]] = {}
    for (soc, term), ids, size in zip(by_term.size().index, by_term.unique(), by_term.size()):
        terms.setdefault(soc, []).append(Term(str(term), counted(events, set(ids), int(size))))
    socs = [(str(soc), counted(events, set(ids), int(size)),
             by_incidence(terms[soc], lambda t: t.count.subjects, lambda t: t.term))
            for soc, ids, size in zip(by_soc.size().index, by_soc.unique(), by_soc.size())]
    return by_incidence(socs, lambda s: s[1].subjects, lambda s: s[0])


def worst_grades(rows: pd.DataFrame, n: int, grading: str) -> dict[str, Share]:
    """Patients of `rows` by their worst grade, in the grading's columns."""
    # Grades arrive as objects; as numbers the maximum is pandas' compiled one (not a Python loop).
    worst = pd.to_numeric(rows["grade"]).groupby(rows["subject_id"]).max() if len(rows) else pd.Series(dtype=int)
    return {label: share(int(worst.isin(grades).sum()), n) for label, grades in GRADE_COLUMNS[grading].items()}


def graded_group(label: str, rows: pd.DataFrame, n: int, grading: str, terms: dict[str, pd.DataFrame]) -> GradedGroup:
    graded = [Graded(term, worst_grades(t, n, grading)) for term, t in terms.items()]
    any_column = next(iter(GRADE_COLUMNS[grading]))
    return GradedGroup(label, worst_grades(rows, n, grading),
                       tuple(by_incidence(graded, lambda g: g.worst[any_column].count, lambda g: g.label)))


def related(rows: pd.DataFrame) -> np.ndarray:
    return matches(rows["attribution"], lambda a: a is not None and str(a).strip().lower() in RELATED)


def matches(values: pd.Series, test: Callable[[object], bool]) -> np.ndarray:
    """`test` of each value, as a boolean mask; called once per distinct value (a large trial's
    500,000 events hold a handful of attributions or actions), and with None for a missing one."""
    codes, uniques = pd.factorize(values)
    verdicts = np.array([bool(test(u)) for u in uniques] + [bool(test(None))], dtype=bool)
    return verdicts[codes]


def collected(rows: pd.DataFrame, column: str) -> bool:
    """Whether the data hold the column (None in every row: not collected; report.inputs)."""
    return len(rows) == 0 or bool(rows[column].notna().any())


def graded_socs(events: Events, grading: str) -> list[GradedGroup]:
    """Each organ class and its terms by worst grade, by incidence (any grade): the worst grade
    of each patient in each term and organ class in one grouping each, not one per term."""
    rows, n = events.rows, events.n
    grade = pd.to_numeric(rows["grade"])
    by_term = _patients_by_worst(grade.groupby([rows["soc"], rows["term"], rows["subject_id"]], sort=False,
                                               observed=True).max(), [0, 1], grading)
    by_soc = _patients_by_worst(grade.groupby([rows["soc"], rows["subject_id"]], sort=False, observed=True).max(),
                                [0], grading)
    terms: dict[str, list[Graded]] = {}
    for (soc, term), counts in by_term.items():
        terms.setdefault(soc, []).append(Graded(str(term), {label: share(c, n) for label, c in counts.items()}))
    any_column = next(iter(GRADE_COLUMNS[grading]))
    socs = [GradedGroup(str(soc), {label: share(c, n) for label, c in by_soc[(soc,)].items()},
                        tuple(by_incidence(terms[soc], lambda g: g.worst[any_column].count, lambda g: g.label)))
            for soc in terms]
    return by_incidence(socs, lambda g: g.worst[any_column].count, lambda g: g.label)


def _patients_by_worst(worst: pd.Series, levels: list[int], grading: str) -> dict[tuple, dict[str, int]]:
    """For each key of `levels` (an organ class, a term), its patients by worst grade in the
    grading's columns."""
    columns = {label: worst.isin(grades).groupby(level=levels, sort=False).sum()
               for label, grades in GRADE_COLUMNS[grading].items()}
    keys = next(iter(columns.values())).index
    return {(key if isinstance(key, tuple) else (key,)): {label: int(c[key]) for label, c in columns.items()}
            for key in keys}


def special_interest(events: Events, grading: str, name: str, terms: list[str]) -> GradedGroup:
    """A group of terms of special interest: every listed term, matched to the events' terms
    case-insensitively and named as the data spell it (the spec's spelling where no event has
    it: a count of 0)."""
    codes, uniques = pd.factorize(events.rows["term"], use_na_sentinel=False)  # each distinct term folded once
    keys = pd.Series(np.array([str(t).strip().casefold() for t in uniques], dtype=object)[codes], index=events.rows.index)
    matched = {term: events.rows[(keys == term.strip().casefold()).to_numpy()] for term in terms}
    rows = {(str(found["term"].iloc[0]) if len(found) else term): found for term, found in matched.items()}
    members = pd.concat(list(rows.values())) if rows else events.rows.iloc[:0]
    group = graded_group(name, members, events.n, grading, rows)
    if not events.arms:
        return group
    terms_compared = tuple(replace(t, p_values=_p_values(events, set(rows[t.label]["subject_id"]))) for t in group.terms)
    return replace(group, terms=terms_compared, p_values=_p_values(events, set(members["subject_id"])))
