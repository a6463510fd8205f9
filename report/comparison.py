"""Comparing arms on a time-to-event endpoint: log-rank test and Cox hazard ratios.

Equal to R's `survdiff(Surv(time, event) ~ arm)` and `coxph(Surv(time, event) ~ arm)`
(Efron ties, Wald confidence intervals and p-values), the first arm the reference.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd


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
    from lifelines import CoxPHFitter

    reference, others = arms[0], arms[1:]
    present = [a for a in others if (frame["arm"] == a).any()]
    design = pd.DataFrame({f"arm_{i}": (frame["arm"] == a).astype(float) for i, a in enumerate(present)})
    design["time"], design["event"] = frame["time"].to_numpy(), frame["event"].to_numpy()
    estimable = bool(present) and all(frame.loc[frame["arm"] == a, "event"].any() for a in [reference, *present])
    if not estimable:
        return tuple(HazardRatio(a, reference, None, None, None, None, confidence) for a in others)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = CoxPHFitter(alpha=1 - confidence).fit(
            design, duration_col="time", event_col="event", fit_options={"precision": 1e-12, "max_steps": 200}
        )
    summary = fit.summary
    rows = {a: summary.loc[f"arm_{i}"] for i, a in enumerate(present)}
    return tuple(_ratio(a, reference, rows.get(a), confidence) for a in others)


def _ratio(arm: str, reference: str, row, confidence: float) -> HazardRatio:
    if row is None:
        return HazardRatio(arm, reference, None, None, None, None, confidence)
    low, high = [c for c in row.index if c.startswith("exp(coef) lower")], [c for c in row.index if c.startswith("exp(coef) upper")]
    values = [_finite(row[c]) for c in ("exp(coef)", low[0], high[0], "p")]
    if None in values[:3]:  # monotone likelihood (e.g. one patient per arm): the ratio runs off to 0 or infinity
        return HazardRatio(arm, reference, None, None, None, None, confidence)
    return HazardRatio(arm, reference, *values, confidence)


def _finite(value) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None
