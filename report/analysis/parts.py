"""The ledger's core parts, each a pure function of one group of patients (report.analysis.group).

What was not collected is None. `CORE` names them in the ledger's order, with what each reads.
"""
from __future__ import annotations

import pandas as pd

from ..inputs import derive
from ..stats.survival import Survival, kaplan_meier
from .group import Group, Part, Reads
from .ledger import Accrual, Age, Baseline, Population, Share
from .response import MrdSummary, ResponseSummary, summarize_mrd, summarize_response
from .safety import SafetySummary, summarize_safety


def population(group: Group) -> Population:
    subjects = group.subjects
    return Population(
        enrolled=len(subjects),
        eligible=int(subjects["eligible"].astype(bool).sum()),
        treated=int(subjects["treated"].astype(bool).sum()),
        evaluable=len(derive.evaluable(subjects)),
        safety=len(derive.safety_population(subjects)),
    )


def accrual(group: Group) -> Accrual:
    return Accrual(group.subjects["enrolled_on"].min(), group.subjects["enrolled_on"].max())


def baseline(group: Group) -> Baseline:
    """Age and sex of the efficacy population; None for a characteristic the data do not hold."""
    evaluable = derive.evaluable(group.subjects)
    return Baseline(
        age=_age(evaluable) if "age" not in group.not_collected else None,
        sex=_sex(evaluable) if "sex" not in group.not_collected else None,
    )


def response(group: Group) -> ResponseSummary | None:
    options = group.options
    if not group.subjects["best_response"].notna().any():
        return None
    return summarize_response(derive.evaluable(group.subjects), options.responders, options.response_categories,
                              options.proportion_ci, options.confidence,
                              cycles_collected="response_cycle" not in group.not_collected)


def mrd(group: Group) -> MrdSummary | None:
    options = group.options
    if not group.subjects["mrd"].notna().any():
        return None
    evaluable = derive.evaluable(group.subjects)
    responding = derive.responders(evaluable, options.responders)
    return summarize_mrd(responding, len(evaluable), options.proportion_ci, options.confidence)


def survival(group: Group) -> dict[str, Survival]:
    """Kaplan-Meier by endpoint; an arm keeps every endpoint of the total, on the total's risk times."""
    names = list(dict.fromkeys(group.time_to_event["endpoint"]))
    names += [name for name in group.risk_times if name not in names]
    return {name: _survival(group, name) for name in names}


def safety(group: Group) -> SafetySummary:
    return summarize_safety(derive.safety_population(group.subjects), group.adverse_events,
                            group.options.early_death_days, group.grading)


_GROUPS = ("efficacy", "safety")
CORE: dict[str, Part] = {
    "population": Part(population, Reads(subjects=("eligible", "treated", *_GROUPS))),
    "accrual": Part(accrual, Reads(subjects=("enrolled_on",))),
    "baseline": Part(baseline, Reads(subjects=("efficacy", "age", "sex"), not_collected=True)),
    "response": Part(response, Reads(subjects=("efficacy", "best_response", "response_cycle"),
                                     options=("responders", "response_categories", "proportion_ci", "confidence"),
                                     not_collected=True)),
    "mrd": Part(mrd, Reads(subjects=("efficacy", "best_response", "mrd"),
                           options=("responders", "proportion_ci", "confidence"))),
    "survival": Part(survival, Reads(time_to_event=("endpoint", "days", "event"),
                                     options=("time_unit", "landmarks", "km_conf_type", "confidence"))),
    "safety": Part(safety, Reads(subjects=("safety", "died_on", "enrolled_on"),
                                 adverse_events=("term", "soc", "grade", "serious"),
                                 options=("early_death_days",), grading=True)),
}


def _survival(group: Group, endpoint: str) -> Survival:
    rows = group.time_to_event[group.time_to_event["endpoint"] == endpoint]
    options = group.options
    return kaplan_meier(
        rows["days"].to_numpy() / derive.DAYS_PER_UNIT[options.time_unit],
        rows["event"].to_numpy(dtype=bool),
        time_unit=options.time_unit,
        landmarks=options.landmarks,
        conf_type=options.km_conf_type,
        confidence=options.confidence,
        risk_times=group.risk_times.get(endpoint),
    )


def _age(population: pd.DataFrame) -> Age:
    ages = pd.to_numeric(population["age"], errors="coerce").dropna()
    present = not ages.empty
    return Age(
        n=len(ages),
        median=float(ages.median()) if present else None,
        minimum=float(ages.min()) if present else None,
        maximum=float(ages.max()) if present else None,
        mean=float(ages.mean()) if present else None,
    )


def _sex(population: pd.DataFrame) -> dict[str, Share]:
    sex = population["sex"].fillna("Unknown").value_counts()
    return {str(k): Share(int(v), int(v) / len(population)) for k, v in sorted(sex.items())}
