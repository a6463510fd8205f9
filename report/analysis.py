"""`analyze`: a loaded trial in, the numbers ledger out. Pure: no I/O."""
from __future__ import annotations

import pandas as pd

from . import derive
from .ledger import (
    SCHEMA_VERSION, Accrual, Age, Baseline, EndpointInfo, Methods, Population, Results, Share, TrialId,
)
from .proportions import METHOD_NAMES
from .response import summarize_mrd, summarize_response
from .safety import summarize_safety
from .spec import Analysis
from .survival import Survival, kaplan_meier
from .trial import Trial


def analyze(trial: Trial) -> Results:
    options = trial.spec.analysis
    subjects = trial.subjects
    evaluable = derive.evaluable(subjects)
    responding = derive.responders(evaluable, options.responders)
    safety_population = derive.safety_population(subjects)
    ci = (options.proportion_ci, options.confidence)
    return Results(
        schema_version=SCHEMA_VERSION,
        trial=TrialId(trial.spec.trial.id, trial.spec.trial.title),
        data_cutoff=trial.cutoff,
        methods=_methods(options),
        population=_population(subjects, evaluable, safety_population),
        accrual=Accrual(subjects["enrolled_on"].min(), subjects["enrolled_on"].max()),
        baseline=_baseline(evaluable),
        response=summarize_response(evaluable, options.responders, options.response_categories, *ci),
        mrd=summarize_mrd(responding, *ci),
        endpoints={e.name: EndpointInfo(e.label, e.origin, e.population) for e in trial.endpoints},
        survival={e.name: _survival(trial.time_to_event, e.name, options) for e in trial.endpoints},
        safety=summarize_safety(safety_population, trial.adverse_events, options.early_death_days),
    )


def _survival(time_to_event: pd.DataFrame, endpoint: str, options: Analysis) -> Survival:
    rows = time_to_event[time_to_event["endpoint"] == endpoint]
    return kaplan_meier(
        rows["days"].to_numpy() / derive.DAYS_PER_UNIT[options.time_unit],
        rows["event"].to_numpy(dtype=bool),
        time_unit=options.time_unit,
        landmarks=options.landmarks,
        conf_type=options.km_conf_type,
        confidence=options.confidence,
    )


def _methods(options: Analysis) -> Methods:
    return Methods(
        proportion_ci=options.proportion_ci,
        proportion_ci_name=METHOD_NAMES[options.proportion_ci],
        km_conf_type=options.km_conf_type,
        confidence=options.confidence,
        time_unit=options.time_unit,
        days_per_unit=derive.DAYS_PER_UNIT[options.time_unit],
        responders=tuple(options.responders),
        early_death_days=tuple(options.early_death_days),
    )


def _population(subjects: pd.DataFrame, evaluable: pd.DataFrame, safety: pd.DataFrame) -> Population:
    return Population(
        enrolled=len(subjects),
        eligible=int(subjects["eligible"].astype(bool).sum()),
        treated=int(subjects["treated"].astype(bool).sum()),
        evaluable=len(evaluable),
        safety=len(safety),
    )


def _baseline(population: pd.DataFrame) -> Baseline:
    ages = pd.to_numeric(population["age"], errors="coerce").dropna()
    present = not ages.empty
    sex = population["sex"].fillna("Unknown").value_counts()
    return Baseline(
        age=Age(
            n=len(ages),
            median=float(ages.median()) if present else None,
            minimum=float(ages.min()) if present else None,
            maximum=float(ages.max()) if present else None,
            mean=float(ages.mean()) if present else None,
        ),
        sex={str(k): Share(int(v), int(v) / len(population)) for k, v in sorted(sex.items())},
    )
