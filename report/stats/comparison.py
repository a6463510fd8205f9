"""Comparing arms on a time-to-event endpoint: log-rank test and Cox hazard ratios.

Equal to R's `survdiff(Surv(time, event) ~ arm)` and `coxph(Surv(time, event) ~ arm)`
(Efron ties, Wald confidence intervals and p-values), the first arm the reference. The Cox
estimate is R's exact maximum (`coxph.control(eps = 1e-14)`): see report/cox.py.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from .cox import fit_arms


@dataclass(frozen=True)
class LogRank:
    chi_square: float
    df: int
    p_value: float


@dataclass(frozen=True)
class HazardRatio:
    arm: str
    reference: str
    hazard_ratio: float | None  # None: not estimable (e.g. an arm without events)
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    confidence: float


@dataclass(frozen=True)
class ArmComparison:
    log_rank: LogRank | None
    hazard_ratios: tuple[HazardRatio, ...]


def compare_arms(time, event, arm, arms: list[str], confidence: float = 0.95) -> ArmComparison:
    """Log-rank across all arms; each arm's hazard ratio against arms[0]."""
    frame = pd.DataFrame({"time": np.asarray(time, float), "event": np.asarray(event, bool), "arm": list(arm)})
    frame = frame[frame["arm"].isin(arms)]
    return ArmComparison(_log_rank(frame), _hazard_ratios(frame, arms, confidence))


def _log_rank(frame: pd.DataFrame) -> LogRank | None:
    from lifelines.statistics import multivariate_logrank_test

    if frame["arm"].nunique() < 2 or not frame["event"].any():
        return None
    test = multivariate_logrank_test(frame["time"], frame["arm"], frame["event"])
    statistic, p_value = _finite(test.test_statistic), _finite(test.p_value)
    if statistic is None or p_value is None:
        return None
    return LogRank(statistic, int(test.degrees_of_freedom), p_value)


def _hazard_ratios(frame: pd.DataFrame, arms: list[str], confidence: float) -> tuple[HazardRatio, ...]:
    reference, others = arms[0], arms[1:]
    present = [a for a in others if (frame["arm"] == a).any()]
    estimable = bool(present) and all(frame.loc[frame["arm"] == a, "event"].any() for a in [reference, *present])
    index = {a: i for i, a in enumerate([reference, *present])}
    fit = fit_arms(frame["time"], frame["event"], [index[a] for a in frame["arm"]], len(index)) if estimable else None
    if fit is None:  # an arm without events, or a monotone likelihood: a ratio runs off to 0 or infinity
        return tuple(HazardRatio(a, reference, None, None, None, None, confidence) for a in others)
    rows = {a: (fit.coef[i], fit.se[i]) for i, a in enumerate(present)}
    return tuple(_ratio(a, reference, rows.get(a), confidence) for a in others)


def _ratio(arm: str, reference: str, row: tuple[float, float] | None, confidence: float) -> HazardRatio:
    """exp(coef) with its Wald CI, exp(coef -/+ z se), and the Wald p-value, as R's summary.coxph."""
    if row is None:
        return HazardRatio(arm, reference, None, None, None, None, confidence)
    coef, se = float(row[0]), float(row[1])
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    with np.errstate(over="ignore"):
        values = [_finite(v) for v in np.exp([coef, coef - z * se, coef + z * se])]
    if None in values:
        return HazardRatio(arm, reference, None, None, None, None, confidence)
    return HazardRatio(arm, reference, *values, math.erfc(abs(coef / se) / math.sqrt(2)), confidence)


def _finite(value) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None
