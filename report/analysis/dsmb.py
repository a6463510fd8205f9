"""The DSMB update's own figures: accrual against plan, disposition, the safety overview
and listings, and what changed since the previous report. Pure: frames in, dataclasses out.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..inputs import derive
from .safety import EventCount

RELATED = ("possible", "probable", "definite")
REASON_NOT_COLLECTED = "Reason not collected"
DAYS_PER_MONTH = derive.DAYS_PER_UNIT["months"]


@dataclass(frozen=True)
class AccrualMonth:
    month: str  # YYYY-MM
    enrolled: int
    cumulative: int
    expected: float | None  # cumulative patients expected by the month's end, from the plan


@dataclass(frozen=True)
class Accrual:
    enrolled: int
    planned: int | None
    expected_by_cutoff: float | None
    months: tuple[AccrualMonth, ...]
    quarters: tuple[AccrualMonth, ...] = ()  # the months by calendar quarter ("2015-Q1"): the report's table


@dataclass(frozen=True)
class Disposition:
    """None where the column it counts was not collected (never a 0 or "all on study")."""
    enrolled: int
    ineligible: int | None
    eligible: int
    not_treated: int | None  # among the eligible
    treated: int
    evaluable: int
    on_study: int | None  # treated and not off study
    off_study: dict[str, int] | None  # treated patients off study, by reason
    ineligible_reasons: dict[str, int] | None = None  # ineligible patients by reason; None: reasons not collected


@dataclass(frozen=True)
class Overview:
    """Patients with at least one event of each kind, in the safety population; each None
    where adverse events (or, for `discontinued`, off-study reasons) were not collected."""
    n: int
    any_event: EventCount | None
    grade_3_plus: EventCount | None
    grade_5: EventCount | None
    serious: EventCount | None
    related: EventCount | None  # attributed possible, probable or definite
    discontinued: EventCount | None  # went off study for an adverse event (off_study_reason)


@dataclass(frozen=True)
class SeriousEvent:
    subject_id: str
    term: str
    grade: int
    onset_on: dt.date | None
    attribution: str | None


@dataclass(frozen=True)
class Death:
    subject_id: str
    died_on: dt.date
    day: int  # days after enrollment
    cause: str | None


@dataclass(frozen=True)
class Change:
    label: str
    before: float | None
    now: float | None


@dataclass(frozen=True)
class Changes:
    previous_cutoff: dt.date
    source: str  # "archive": the previous report's ledger; "recomputed": the same data at the previous cutoff
    new_patients: int
    new_serious_events: int | None  # None: adverse events not collected, now or then
    new_grade_3_plus_events: int | None
    new_deaths: int
    rates: tuple[Change, ...]
    new_serious_listing: tuple[SeriousEvent, ...] | None  # None: adverse events not collected


@dataclass(frozen=True)
class DsmbOpen:
    accrual: Accrual
    disposition: Disposition
    overview: Overview
    serious_events: tuple[SeriousEvent, ...] | None  # None: adverse events not collected
    deaths: tuple[Death, ...]
    early_deaths: dict[str, int]
    changes: Changes | None
    not_collected: tuple[str, ...] = ()  # subject columns the data do not hold, e.g. death_cause


def accrual(subjects: pd.DataFrame, cutoff: dt.date, planned: int | None, start: dt.date | None, rate: float | None) -> Accrual:
    """Patients enrolled by month, with the cumulative count the plan expected."""
    months = pd.period_range(
        min(subjects["enrolled_on"].min(), start or cutoff), cutoff, freq="M"
    )
    by_month = pd.Series([pd.Period(d, "M") for d in subjects["enrolled_on"]]).value_counts()
    rows, cumulative = [], 0
    for month in months:
        count = int(by_month.get(month, 0))
        cumulative += count
        end = min(month.end_time.date(), cutoff)
        rows.append(AccrualMonth(str(month), count, cumulative, _expected(end, planned, start, rate)))
    return Accrual(len(subjects), planned, _expected(cutoff, planned, start, rate), tuple(rows), _by_quarter(rows))


def _by_quarter(months: list[AccrualMonth]) -> tuple[AccrualMonth, ...]:
    """The months summed by calendar quarter: enrolled in it, and the cumulative counts at its last month."""
    quarters: dict[str, list[AccrualMonth]] = {}
    for month in months:
        year, number = month.month.split("-")
        quarters.setdefault(f"{year}-Q{(int(number) - 1) // 3 + 1}", []).append(month)
    return tuple(AccrualMonth(name, sum(m.enrolled for m in ms), ms[-1].cumulative, ms[-1].expected)
                 for name, ms in quarters.items())


def _expected(on: dt.date, planned: int | None, start: dt.date | None, rate: float | None) -> float | None:
    if start is None or rate is None:
        return None
    expected = max(0.0, (on - start).days / DAYS_PER_MONTH * rate)
    return min(expected, float(planned)) if planned else expected


def disposition(subjects: pd.DataFrame, not_collected: frozenset[str] = frozenset()) -> Disposition:
    eligible = subjects["eligible"].astype(bool)
    treated = subjects["treated"].astype(bool)
    off = subjects[treated & subjects["off_study_on"].notna()]
    unknown = REASON_NOT_COLLECTED if "off_study_reason" in not_collected else "Not recorded"
    reasons = off["off_study_reason"].fillna(unknown).value_counts()
    followed = "off_study_on" not in not_collected
    return Disposition(
        enrolled=len(subjects),
        ineligible=int((~eligible).sum()) if "eligible" not in not_collected else None,
        eligible=int(eligible.sum()),
        not_treated=int((eligible & ~treated).sum()) if "treated" not in not_collected else None,
        treated=int(treated.sum()),
        evaluable=int(subjects["efficacy"].astype(bool).sum()),
        on_study=int((treated & subjects["off_study_on"].isna()).sum()) if followed else None,
        off_study={str(k): int(v) for k, v in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))} if followed else None,
        ineligible_reasons=_ineligible_reasons(subjects, eligible, not_collected),
    )


def _ineligible_reasons(subjects: pd.DataFrame, eligible: pd.Series, not_collected: frozenset[str]) -> dict[str, int] | None:
    """Ineligible patients by reason, most frequent first ("Not recorded" where a reason is missing)."""
    if "eligible" in not_collected or "ineligible_reason" in not_collected or "ineligible_reason" not in subjects:
        return None
    reasons = subjects.loc[~eligible, "ineligible_reason"].fillna("Not recorded").value_counts()
    return {str(k): int(v) for k, v in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))}


def overview(population: pd.DataFrame, adverse_events: pd.DataFrame | None,
             not_collected: frozenset[str] = frozenset()) -> Overview:
    n = len(population)
    if adverse_events is None:
        return Overview(n, None, None, None, None, None, None)
    ae = adverse_events[adverse_events["subject_id"].isin(population["subject_id"])]
    grade = ae["grade"].astype(int)
    related = ae["attribution"].fillna("").str.lower().isin(RELATED)
    stopped = population["off_study_reason"].fillna("").str.contains("adverse event|toxicity", case=False)
    stopped_ids = set(population.loc[stopped, "subject_id"])
    return Overview(
        n=n,
        any_event=_count(ae, n),
        grade_3_plus=_count(ae[grade >= 3], n),
        grade_5=_count(ae[grade == 5], n),
        serious=_count(ae[ae["serious"].astype(bool)], n),
        related=_count(ae[related], n),
        discontinued=(None if "off_study_reason" in not_collected else
                      _count(ae[ae["subject_id"].isin(stopped_ids)], n) if stopped_ids else EventCount(0, 0 / n if n else None, 0)),
    )


def _count(ae: pd.DataFrame, n: int) -> EventCount:
    subjects = ae["subject_id"].nunique()
    return EventCount(subjects, subjects / n if n else None, len(ae))


def serious_events(population: pd.DataFrame, adverse_events: pd.DataFrame | None,
                   after: dt.date | None = None) -> tuple[SeriousEvent, ...] | None:
    """The serious adverse event listing (those with onset after `after`, when given); None
    where adverse events were not collected."""
    if adverse_events is None:
        return None
    ae = adverse_events[adverse_events["subject_id"].isin(population["subject_id"]) & adverse_events["serious"].astype(bool)]
    if after is not None:
        ae = ae[ae["onset_on"].map(lambda d: d is not None and d > after).astype(bool)]
    rows = [SeriousEvent(r.subject_id, r.term, int(r.grade), r.onset_on, r.attribution) for r in ae.itertuples(index=False)]
    return tuple(sorted(rows, key=lambda e: (e.onset_on or dt.date.min, e.subject_id, e.term)))


def deaths(population: pd.DataFrame) -> tuple[Death, ...]:
    dead = population[population["died_on"].notna()]
    rows = [Death(r.subject_id, r.died_on, (r.died_on - r.enrolled_on).days, r.death_cause) for r in dead.itertuples(index=False)]
    return tuple(sorted(rows, key=lambda d: (d.died_on, d.subject_id)))


def early_deaths(population: pd.DataFrame, windows: list[int]) -> dict[str, int]:
    days = [d.day for d in deaths(population)]
    return {str(w): sum(1 for d in days if d <= w) for w in windows}


def changes(now: "DsmbOpen", before: dict, previous_cutoff: dt.date, source: str, new_serious: tuple[SeriousEvent, ...]) -> Changes:
    """What appeared between two reports; `before` is the previous open ledger's `dsmb` block."""
    then, o = before["overview"], now.overview
    return Changes(
        previous_cutoff=previous_cutoff,
        source=source,
        new_patients=now.accrual.enrolled - before["accrual"]["enrolled"],
        new_serious_events=_new_events(then["serious"], o.serious),
        new_grade_3_plus_events=_new_events(then["grade_3_plus"], o.grade_3_plus),
        new_deaths=len(now.deaths) - len(before["deaths"]),
        rates=(
            Change("Patients with any adverse event", _rate(then["any_event"]), _rate(o.any_event)),
            Change("Patients with a grade 3+ event", _rate(then["grade_3_plus"]), _rate(o.grade_3_plus)),
            Change("Patients with a serious event", _rate(then["serious"]), _rate(o.serious)),
            Change("Patients with a related event", _rate(then["related"]), _rate(o.related)),
        ),
        new_serious_listing=new_serious,
    )


def _new_events(then: dict | None, now: EventCount | None) -> int | None:
    """Events now less events then; None where either report's adverse events were not collected."""
    return None if then is None or now is None else now.events - then["events"]


def _rate(count: EventCount | dict | None) -> float | None:
    if count is None:
        return None
    return count["proportion"] if isinstance(count, dict) else count.proportion


def open_summary(subjects: pd.DataFrame, adverse_events: pd.DataFrame | None, cutoff: dt.date, plan, windows: list[int],
                 not_collected: frozenset[str] = frozenset()) -> DsmbOpen:
    """Everything in the open report that the main ledger does not already hold."""
    population = derive.safety_population(subjects)
    return DsmbOpen(
        accrual=accrual(subjects, cutoff, plan.planned_accrual, plan.accrual_start, plan.accrual_rate),
        disposition=disposition(subjects, not_collected),
        overview=overview(population, adverse_events, not_collected),
        serious_events=serious_events(population, adverse_events),
        deaths=deaths(population),
        early_deaths=early_deaths(population, windows),
        changes=None,
        not_collected=tuple(sorted(not_collected)),
    )


def response_outcomes(subjects: pd.DataFrame, responder_codes: list[str]) -> list[bool]:
    """Evaluable patients with a response assessment, in enrollment order: responded or not."""
    assessed = derive.evaluable(subjects)
    assessed = assessed[assessed["best_response"].notna()].sort_values(["enrolled_on", "subject_id"])
    return [code in responder_codes for code in assessed["best_response"]]


def patients_with_toxicity(population: pd.DataFrame, adverse_events: pd.DataFrame, min_grade: int, related_only: bool) -> int:
    """Patients with at least one adverse event of `min_grade` or worse (and related, if asked)."""
    ae = adverse_events[adverse_events["subject_id"].isin(population["subject_id"])]
    hit = ae["grade"].astype(int) >= min_grade
    if related_only:
        hit &= ae["attribution"].fillna("").str.lower().isin(RELATED)
    return int(ae.loc[hit, "subject_id"].nunique())
