"""`analyze`: a loaded trial in, the numbers ledger out. Pure: no I/O."""
from __future__ import annotations

import dataclasses

import pandas as pd

from ..inputs import derive
from ..inputs.arms import excluded_counts
from ..stats.comparison import ArmComparison, compare_arms
from .ledger import (
    SCHEMA_VERSION, Accrual, Age, ArmResults, Baseline, EndpointInfo, Methods, Population, Results, Share, TrialId,
)
from ..stats.proportions import METHOD_NAMES
from .response import summarize_mrd, summarize_response
from .safety import summarize_safety
from ..inputs.spec import Analysis
from ..stats.survival import Survival, kaplan_meier
from ..inputs.trial import Trial


def analyze(trial: Trial) -> Results:
    options = trial.spec.analysis
    total = _blocks(trial.subjects, trial.time_to_event, trial.adverse_events, options, grading=trial.grading,
                    not_collected=trial.not_collected)
    arms = _arms(trial.subjects, options)
    return Results(
        schema_version=SCHEMA_VERSION,
        trial=TrialId(trial.spec.trial.id, trial.spec.trial.title),
        data_cutoff=trial.cutoff,
        methods=_methods(options, trial.grading, _population_phrases(trial.spec)),
        **{field.name: getattr(total, field.name) for field in dataclasses.fields(ArmResults)},
        endpoints={e.name: EndpointInfo(e.label, e.origin, e.population) for e in trial.endpoints},
        arms=tuple(arms),
        by_arm={arm: _arm_blocks(trial, arm, options, total) for arm in arms},
        comparisons={e.name: _comparison(trial, e.name, arms, options) for e in trial.endpoints} if arms else {},
        excluded_arms=excluded_counts(trial.excluded, options.exclude_arms),
    )


def _blocks(
    subjects: pd.DataFrame,
    time_to_event: pd.DataFrame,
    adverse_events: pd.DataFrame | None,
    options: Analysis,
    risk_times: dict[str, list[float]] | None = None,
    grading: str = "ctcae",
    not_collected: frozenset[str] = frozenset(),
) -> ArmResults:
    """Every block of the ledger for one group of patients; what was not collected is None."""
    evaluable = derive.evaluable(subjects)
    responding = derive.responders(evaluable, options.responders)
    safety_population = derive.safety_population(subjects)
    ci = (options.proportion_ci, options.confidence)
    endpoints = dict.fromkeys(time_to_event["endpoint"])
    return ArmResults(
        population=_population(subjects, evaluable, safety_population),
        accrual=Accrual(subjects["enrolled_on"].min(), subjects["enrolled_on"].max()),
        baseline=_baseline(evaluable, not_collected),
        response=(summarize_response(evaluable, options.responders, options.response_categories, *ci,
                                     cycles_collected="response_cycle" not in not_collected)
                  if subjects["best_response"].notna().any() else None),
        mrd=summarize_mrd(responding, *ci) if subjects["mrd"].notna().any() else None,
        survival={name: _survival(time_to_event, name, options, (risk_times or {}).get(name)) for name in endpoints},
        safety=summarize_safety(safety_population, adverse_events, options.early_death_days, grading),
    )


def _arms(subjects: pd.DataFrame, options: Analysis) -> list[str]:
    """Arms in report order, the reference first; none for a single-arm trial."""
    present = sorted(a for a in subjects["arm"].dropna().unique()) if "arm" in subjects else []
    if len(present) < 2:
        return []
    ordered = [a for a in options.arms if a in present] + [a for a in present if a not in options.arms]
    return ordered


def _arm_blocks(trial: Trial, arm: str, options: Analysis, total: ArmResults) -> ArmResults:
    subjects = trial.subjects[trial.subjects["arm"] == arm]
    ids = set(subjects["subject_id"])
    tte = trial.time_to_event[trial.time_to_event["subject_id"].isin(ids)]
    # Arms share the total's risk-table times, so their numbers line up under one axis.
    risk_times = {name: [p.time for p in block.risk_table] for name, block in total.survival.items()}
    aes = trial.adverse_events[trial.adverse_events["subject_id"].isin(ids)] if trial.adverse_events is not None else None
    blocks = _blocks(subjects, tte, aes, options, risk_times, trial.grading, trial.not_collected)
    # Every endpoint keeps its key in every arm, even where an arm has no patients for it.
    missing = {name: _survival(tte, name, options, times) for name, times in risk_times.items() if name not in blocks.survival}
    return dataclasses.replace(blocks, survival={**blocks.survival, **missing})


def _comparison(trial: Trial, endpoint: str, arms: list[str], options: Analysis) -> ArmComparison:
    rows = trial.time_to_event[trial.time_to_event["endpoint"] == endpoint]
    arm_of = dict(zip(trial.subjects["subject_id"], trial.subjects["arm"]))
    return compare_arms(
        rows["days"].to_numpy() / derive.DAYS_PER_UNIT[options.time_unit],
        rows["event"].to_numpy(dtype=bool),
        [arm_of.get(s) for s in rows["subject_id"]],
        arms,
        options.confidence,
    )


def _survival(time_to_event: pd.DataFrame, endpoint: str, options: Analysis, risk_times=None) -> Survival:
    rows = time_to_event[time_to_event["endpoint"] == endpoint]
    return kaplan_meier(
        rows["days"].to_numpy() / derive.DAYS_PER_UNIT[options.time_unit],
        rows["event"].to_numpy(dtype=bool),
        time_unit=options.time_unit,
        landmarks=options.landmarks,
        conf_type=options.km_conf_type,
        confidence=options.confidence,
        risk_times=risk_times,
    )


def _population_phrases(spec) -> dict[str, str]:
    """How each population is defined, as the predicate of a sentence ("29 were eligible
    and treated"): by the tidy columns, or by the ADaM flags the spec maps."""
    if spec.source.kind == "adam":
        return {"efficacy": f'had {spec.adam.efficacy_flag} = "Y"', "safety": f'had {spec.adam.safety_flag} = "Y"'}
    return {"efficacy": "were eligible and treated", "safety": "received treatment"}


def _methods(options: Analysis, grading: str, populations: dict[str, str]) -> Methods:
    return Methods(
        proportion_ci=options.proportion_ci,
        proportion_ci_name=METHOD_NAMES[options.proportion_ci],
        km_conf_type=options.km_conf_type,
        confidence=options.confidence,
        time_unit=options.time_unit,
        days_per_unit=derive.DAYS_PER_UNIT[options.time_unit],
        landmarks=tuple(options.landmarks),
        responders=tuple(options.responders),
        early_death_days=tuple(options.early_death_days),
        ae_grading=grading,
        populations=populations,
    )


def _population(subjects: pd.DataFrame, evaluable: pd.DataFrame, safety: pd.DataFrame) -> Population:
    return Population(
        enrolled=len(subjects),
        eligible=int(subjects["eligible"].astype(bool).sum()),
        treated=int(subjects["treated"].astype(bool).sum()),
        evaluable=len(evaluable),
        safety=len(safety),
    )


def _baseline(population: pd.DataFrame, not_collected: frozenset[str] = frozenset()) -> Baseline:
    """Age and sex; None for a characteristic the data do not hold (not collected)."""
    return Baseline(
        age=_age(population) if "age" not in not_collected else None,
        sex=_sex(population) if "sex" not in not_collected else None,
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
