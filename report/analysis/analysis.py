"""`analyze`: a loaded trial in, the numbers ledger out. Pure: no I/O.

Each part of the ledger is a pure function of a group of patients (report.analysis.group):
the core parts (report.analysis.parts) and the blocks' own parts, given by the caller
(report.blocks.ledger). Every part is computed for the total and for each arm.
"""
from __future__ import annotations

from typing import Callable, Mapping

import pandas as pd

from ..inputs import derive, strata_column
from ..inputs.arms import excluded_counts
from ..stats.comparison import ArmComparison, compare_arms
from .group import Group, Reads, arm_group, reads_of, total
from .hashes import input_hashes
from .ledger import RESERVED_KEYS, SCHEMA_VERSION, ArmResults, EndpointInfo, Methods, Results, TrialId
from .part_cache import PartCache
from .parts import CORE
from . import response_comparison
from .variables import source_variables
from ..stats.proportions import METHOD_NAMES
from ..inputs.spec import Analysis
from ..inputs.trial import Trial

COMPARISONS = Reads(  # what the log-rank tests and hazard ratios between arms read
    subjects=("strata",), time_to_event=("endpoint", "days", "event"), options=("time_unit", "confidence", "strata", "landmarks"))


def analyze(trial: Trial, parts: Mapping[str, Callable[[Group], object]] = {},
            reuse: PartCache | None = None) -> Results:
    """The ledger: the core parts and `parts` (by ledger key), for the total and each arm.
    `reuse` (watch): a part whose input hash is the one it had there is taken from it, not computed."""
    _check_keys(parts)
    options = trial.spec.analysis
    every = {**CORE, **parts}
    hashes = input_hashes(trial, {**{key: reads_of(part) for key, part in every.items()},
                                  "comparisons": COMPARISONS, "response_comparison": response_comparison.READS})
    reuse = reuse or PartCache()
    arms = _arms(trial.subjects, options)
    values = _part_values(trial, arms, every, hashes, reuse)
    whole = ArmResults(**{name: values[name][0] for name in CORE}, parts={key: values[key][0] for key in parts})
    return Results(
        schema_version=SCHEMA_VERSION,
        trial=TrialId(trial.spec.trial.id, trial.spec.trial.title),
        data_cutoff=trial.cutoff,
        methods=_methods(options, trial.grading, _population_phrases(trial.spec),
                         source_variables(trial.spec, trial.grading)),
        **{name: getattr(whole, name) for name in CORE},
        endpoints={e.name: EndpointInfo(e.label, e.origin, e.population, e.description, e.as_delivered)
                   for e in trial.endpoints},
        arms=tuple(arms),
        by_arm={arm: ArmResults(**{name: values[name][1][arm] for name in CORE},
                                parts={key: values[key][1][arm] for key in parts}) for arm in arms},
        comparisons=reuse.value("comparisons", (hashes["comparisons"], tuple(arms)), lambda: {
            e.name: _comparison(trial, e.name, arms, options) for e in trial.endpoints} if arms else {}),
        excluded_arms=excluded_counts(trial.excluded, options.exclude_arms),
        parts=whole.parts,
        response_comparison=reuse.value("response_comparison", (hashes["response_comparison"], tuple(arms)),
                                        lambda: response_comparison.compare_response(trial.subjects, arms, options)),
        input_hashes=hashes,
    )


def _part_values(trial: Trial, arms: list[str], every: Mapping[str, Callable[[Group], object]],
                 hashes: Mapping[str, str], reuse: PartCache) -> dict[str, tuple[object, dict[str, object]]]:
    """Each part's value for the total and by arm, survival first: arms share the total's
    risk-table times, so their numbers line up under one axis. The arms' groups are made only
    where a part is computed."""
    whole = total(trial)
    groups: dict[str, Group] = {}

    def arm_groups(survival: dict) -> dict[str, Group]:
        if arms and not groups:
            risk_times = {name: tuple(p.time for p in km.risk_table) for name, km in survival.items()}
            groups.update({arm: arm_group(trial, arm, risk_times) for arm in arms})
        return groups

    def compute(key: str) -> tuple[object, dict[str, object]]:
        value = every[key](whole)
        survival = value if key == "survival" else values["survival"][0]
        return value, {arm: every[key](group) for arm, group in arm_groups(survival).items()}

    values: dict[str, tuple[object, dict[str, object]]] = {}
    for key in sorted(every, key=lambda key: key != "survival"):
        values[key] = reuse.value(key, (hashes[key], every[key], tuple(arms)), lambda key=key: compute(key))
    return values


def _check_keys(parts: Mapping[str, Callable[[Group], object]]) -> None:
    taken = sorted(RESERVED_KEYS.intersection(parts))
    if taken:
        raise ValueError(f"ledger part(s) {', '.join(taken)}: the ledger already has these keys")


def _arms(subjects: pd.DataFrame, options: Analysis) -> list[str]:
    """Arms in report order, the reference first; none for a single-arm trial."""
    present = sorted(a for a in subjects["arm"].dropna().unique()) if "arm" in subjects else []
    if len(present) < 2:
        return []
    ordered = [a for a in options.arms if a in present] + [a for a in present if a not in options.arms]
    return ordered


def _comparison(trial: Trial, endpoint: str, arms: list[str], options: Analysis) -> ArmComparison:
    rows = trial.time_to_event[trial.time_to_event["endpoint"] == endpoint]
    arm_of = dict(zip(trial.subjects["subject_id"], trial.subjects["arm"]))
    stratum_of = dict(zip(trial.subjects["subject_id"], trial.subjects[strata_column.COLUMN])) \
        if options.strata and strata_column.COLUMN in trial.subjects else None
    return compare_arms(
        rows["days"].to_numpy() / derive.DAYS_PER_UNIT[options.time_unit],
        rows["event"].to_numpy(dtype=bool),
        [arm_of.get(s) for s in rows["subject_id"]],
        arms,
        options.confidence,
        strata=[strata_column.label(stratum_of.get(s)) for s in rows["subject_id"]] if stratum_of else None,
        stratified_by=tuple(options.strata),
        landmarks=tuple(options.landmarks),
    )


def _population_phrases(spec) -> dict[str, str]:
    """How each population is defined, as the predicate of a sentence ("29 were eligible
    and treated"): by the tidy columns, or by the ADaM flags the spec maps."""
    if spec.source.kind == "adam":
        return {"efficacy": f'had {spec.adam.efficacy_flag} = "Y"', "safety": f'had {spec.adam.safety_flag} = "Y"'}
    return {"efficacy": "were eligible and treated", "safety": "received treatment"}


def _methods(options: Analysis, grading: str, populations: dict[str, str], variables: dict[str, str]) -> Methods:
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
        variables=variables,
    )
