"""Adverse events and deaths in the safety population."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

GRADES = ("1", "2", "3", "4", "5")
# Worst-grade groups for the tables: CTCAE grades, or severity where there is no grade.
GRADE_GROUPS = {
    "ctcae": {"Grade 1-2": (1, 2), "Grade 3-4": (3, 4), "Grade 5": (5,)},
    "severity": {"Mild": (1,), "Moderate": (2,), "Severe": (3,)},
}
LEADING_MIN_PATIENTS = 2  # a grade 3+ term "leads" when at least this many patients had it
UNCODED_SOC = "Not coded"


@dataclass(frozen=True)
class EventCount:
    subjects: int
    proportion: float | None
    events: int


@dataclass(frozen=True)
class GradeShare:
    """Patients of a worst-grade group (as results.json has held them: `subjects`, not
    report.analysis.ledger.Share's `count`)."""
    subjects: int
    proportion: float | None


@dataclass(frozen=True)
class SocCount:
    soc: str
    subjects: int
    proportion: float | None
    events: int


@dataclass(frozen=True)
class TermCount:
    term: str
    soc: str
    subjects: int
    proportion: float | None
    events: int
    grade_3_plus: int  # patients whose worst grade of the term is 3 or more
    grade_3_plus_proportion: float | None
    max_grade: dict[str, int]  # patients by their worst grade of the term
    grade_groups: dict[str, GradeShare]  # patients by worst grade, grouped (GRADE_GROUPS)


@dataclass(frozen=True)
class LeadingTerm:
    term: str
    subjects: int  # patients with the term at grade 3 or higher
    proportion: float | None


@dataclass(frozen=True)
class Deaths:
    total: int
    early: dict[str, int]  # days -> deaths on or before that day after enrollment


@dataclass(frozen=True)
class SafetySummary:
    """Every block counted from adverse-event records is None where adverse events were not
    collected (no such dataset); none occurring is a count of 0. Deaths come from the subjects."""
    n: int
    any_event: EventCount | None
    grade_3_plus: EventCount | None
    serious: EventCount | None
    by_worst_grade: dict[str, int] | None  # patients by their worst grade of any event
    socs: tuple[SocCount, ...] | None
    terms: tuple[TermCount, ...] | None
    leading_grade_3_plus: tuple[LeadingTerm, ...] | None  # most frequent grade 3+ terms, descending
    deaths: Deaths


def summarize_safety(
    population: pd.DataFrame, adverse_events: pd.DataFrame | None, early_death_days: list[int], grading: str = "ctcae"
) -> SafetySummary:
    n = len(population)
    if adverse_events is None:
        return SafetySummary(n, None, None, None, None, None, None, None, _deaths(population, early_death_days))
    ae = adverse_events[adverse_events["subject_id"].isin(population["subject_id"])].copy()
    ae["soc"] = ae["soc"].fillna(UNCODED_SOC)
    ae["grade"] = ae["grade"].astype(int)
    # Codes instead of text: grouping 500,000 events by patient and term is then cheap.
    ae = ae.astype({"subject_id": "category", "term": "category", "soc": "category"})
    worst = ae.groupby("subject_id", observed=True)["grade"].max()
    terms = _terms(ae, n, GRADE_GROUPS[grading])
    return SafetySummary(
        n=n,
        any_event=_count(ae, n),
        grade_3_plus=_count(ae[ae["grade"] >= 3], n),
        serious=_count(ae[ae["serious"].astype(bool)], n),
        by_worst_grade={g: int((worst == int(g)).sum()) for g in GRADES},
        socs=tuple(_socs(ae, n)),
        terms=tuple(terms),
        leading_grade_3_plus=_leading(terms, n),
        deaths=_deaths(population, early_death_days),
    )


def _count(ae: pd.DataFrame, n: int) -> EventCount:
    subjects = ae["subject_id"].nunique()
    return EventCount(subjects, subjects / n if n else None, len(ae))


def _socs(ae: pd.DataFrame, n: int) -> list[SocCount]:
    counts = ae.groupby("soc", observed=True)["subject_id"].agg(["nunique", "size"])
    rows = [SocCount(str(soc), int(subjects), _share(int(subjects), n).proportion, int(events))
            for soc, subjects, events in counts.itertuples()]
    return sorted(rows, key=lambda r: (-r.subjects, -r.events, r.soc))


def _terms(ae: pd.DataFrame, n: int, groups: dict[str, tuple[int, ...]]) -> list[TermCount]:
    # One worst grade per patient and term, then patients by worst grade for every term at once.
    worst = ae.groupby(["term", "subject_id"], observed=True)["grade"].max().reset_index()
    by_grade = pd.crosstab(worst["term"], worst["grade"])
    subjects = worst.groupby("term", observed=True).size()
    by_term = ae.groupby("term", observed=True)
    events, soc = by_term.size(), by_term["soc"].first()
    rows = []
    for term in subjects.index:
        patients = {int(g): int(by_grade.at[term, int(g)]) if int(g) in by_grade.columns else 0 for g in GRADES}
        high = patients[3] + patients[4] + patients[5]
        rows.append(TermCount(
            term=term, soc=soc[term], subjects=int(subjects[term]), proportion=_share(int(subjects[term]), n).proportion,
            events=int(events[term]), grade_3_plus=high, grade_3_plus_proportion=_share(high, n).proportion,
            max_grade={str(g): count for g, count in patients.items()},
            grade_groups={label: _share(sum(patients[g] for g in grades), n) for label, grades in groups.items()},
        ))
    return sorted(rows, key=lambda r: (-r.subjects, -r.grade_3_plus, r.term))


def _leading(terms: list[TermCount], n: int) -> tuple[LeadingTerm, ...]:
    rows = [LeadingTerm(t.term, t.grade_3_plus, t.grade_3_plus / n if n else None)
            for t in terms if t.grade_3_plus >= LEADING_MIN_PATIENTS]
    return tuple(sorted(rows, key=lambda r: (-r.subjects, r.term)))


def _share(subjects: int, n: int) -> GradeShare:
    return GradeShare(subjects, subjects / n if n else None)


def _deaths(population: pd.DataFrame, windows: list[int]) -> Deaths:
    dead = population[population["died_on"].notna()]
    days = [(d - e).days for d, e in zip(dead["died_on"], dead["enrolled_on"])]
    return Deaths(total=len(dead), early={str(w): sum(1 for d in days if d <= w) for w in windows})
