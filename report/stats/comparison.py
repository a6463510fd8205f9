"""Comparing arms on a time-to-event endpoint: log-rank test and Cox hazard ratios.

Equal to R's `survdiff(Surv(time, event) ~ arm)` and `coxph(Surv(time, event) ~ arm)`
(Efron ties, Wald confidence intervals and p-values), the first arm the reference; with
`strata`, `survdiff(Surv(time, event) ~ arm + strata(s))` and `coxph(Surv(time, event) ~
arm + strata(s), ties = "efron")`, patients without a stratum left out (as R's na.omit).
The Cox estimate is R's exact maximum (`coxph.control(eps = 1e-14)`): see report/stats/cox.py;
its overall tests are those of R's summary.coxph ("Likelihood ratio test", "Wald test",
"Score (logrank) test"), each a chi-square on as many df as arms compared. With
`landmarks`, each arm's Kaplan-Meier estimate less the reference's at each landmark, with
Greenwood standard errors (report.stats.rates.landmark_difference; never stratified).

The log-rank test is survdiff's (rho = 0), written here with numpy: at each event time of
each stratum the observed less expected events per arm and their hypergeometric
covariance, summed; the chi-square drops arms with no expected events and the first of the
rest, df the number of arms with expected events less one.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd
from scipy import special

from .cox import fit_arms, score_test, stratified_risk_table
from .rates import LandmarkDifference, landmark_difference


@dataclass(frozen=True)
class LogRank:
    chi_square: float
    df: int
    p_value: float


@dataclass(frozen=True)
class Test:
    statistic: float
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
    likelihood_ratio: Test | None = None  # the overall tests of R's summary.coxph
    wald: Test | None = None
    score: Test | None = None
    stratified_by: tuple[str, ...] = ()  # the strata variables; () unstratified
    landmark_differences: tuple[LandmarkComparison, ...] = ()  # each arm's S(t) less the reference's


@dataclass(frozen=True)
class LandmarkComparison:
    arm: str
    reference: str
    landmarks: tuple[LandmarkDifference, ...]  # at each landmark time (unstratified Kaplan-Meier)


def compare_arms(time, event, arm, arms: list[str], confidence: float = 0.95, strata=None,
                 stratified_by: tuple[str, ...] = (), landmarks=()) -> ArmComparison:
    """Log-rank across all arms; each arm's hazard ratio against arms[0]; within `strata`
    (a label per patient, None for a missing one) if given, named by `stratified_by`; each
    arm's difference from arms[0] in the Kaplan-Meier estimate at each of `landmarks`."""
    frame = pd.DataFrame({"time": np.asarray(time, float), "event": np.asarray(event, bool), "arm": list(arm),
                          "stratum": list(strata) if strata is not None else "all"})
    differences = _landmark_differences(frame, arms, landmarks, confidence)
    frame = frame[frame["arm"].isin(arms) & frame["stratum"].notna()]
    if strata is not None:
        frame = frame.assign(stratum=frame["stratum"].astype(str))
    reference, others = arms[0], arms[1:]
    present = [a for a in others if (frame["arm"] == a).any()]
    index = {a: i for i, a in enumerate([reference, *present])}
    groups = np.array([index[a] for a in frame["arm"]], dtype=int)
    layers = frame["stratum"].to_numpy() if strata is not None else None
    fit = _fit(frame, groups, index, layers, present, reference)
    ratios = {a: (fit.coef[i], fit.se[i]) for i, a in enumerate(present)} if fit is not None else {}
    df = len(present)
    score = _score(frame, groups, index, layers, df)
    return ArmComparison(
        log_rank=_log_rank(frame, groups, len(index), layers),
        hazard_ratios=tuple(_ratio(a, reference, ratios.get(a), confidence) for a in others),
        likelihood_ratio=_test(fit.likelihood_ratio, df) if fit is not None else None,
        wald=_test(fit.wald, df) if fit is not None else None,
        score=score,
        stratified_by=tuple(stratified_by) if strata is not None else (),
        landmark_differences=differences,
    )


def _landmark_differences(frame: pd.DataFrame, arms: list[str], landmarks, confidence: float):
    """Each arm against arms[0] at each landmark (report.stats.rates.landmark_difference)."""
    if not len(landmarks):
        return ()
    groups = {a: frame[frame["arm"] == a] for a in arms}
    reference = groups[arms[0]]
    return tuple(LandmarkComparison(a, arms[0], tuple(
        landmark_difference(groups[a]["time"], groups[a]["event"], reference["time"], reference["event"], float(t),
                            confidence) for t in landmarks)) for a in arms[1:])


def _fit(frame, groups, index, layers, present, reference):
    estimable = bool(present) and all(frame.loc[frame["arm"] == a, "event"].any() for a in [reference, *present])
    if not estimable:  # an arm without events: its ratio runs off to 0 or infinity
        return None
    return fit_arms(frame["time"].to_numpy(), frame["event"].to_numpy(), groups, len(index), layers)


def _score(frame, groups, index, layers, df: int) -> Test | None:
    if df < 1 or not (groups == 0).any():
        return None
    value = score_test(frame["time"].to_numpy(), frame["event"].to_numpy(), groups, len(index), layers)
    return _test(value, df) if value is not None else None


def _test(statistic: float, df: int) -> Test | None:
    statistic = _finite(statistic)
    if statistic is None:
        return None
    return Test(statistic, df, float(special.chdtrc(df, max(statistic, 0.0))))


def _log_rank(frame: pd.DataFrame, groups: np.ndarray, n_groups: int, layers) -> LogRank | None:
    """survdiff's chi-square: (O - E)' V^- (O - E) over the arms with expected events."""
    if n_groups < 2 or not frame["event"].any():
        return None
    at_risk, deaths = stratified_risk_table(frame["time"].to_numpy(), frame["event"].to_numpy(), groups,
                                            n_groups, layers)
    n, d = at_risk.sum(axis=1), deaths.sum(axis=1)
    expected = (at_risk * (d / n)[:, None]).sum(axis=0)
    observed = deaths.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 1, d * (n - d) / (n * n * (n - 1)), 0.0)
    variance = np.diag((at_risk * (factor * n)[:, None]).sum(axis=0)) - (at_risk * factor[:, None]).T @ at_risk
    kept = np.flatnonzero(expected > 0)
    if len(kept) < 2:
        return None
    rest = kept[1:]
    difference = (observed - expected)[rest]
    try:
        chi_square = float(difference @ np.linalg.solve(variance[np.ix_(rest, rest)], difference))
    except np.linalg.LinAlgError:
        return None
    if not np.isfinite(chi_square):
        return None
    df = len(kept) - 1
    return LogRank(chi_square, df, float(special.chdtrc(df, max(chi_square, 0.0))))


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
