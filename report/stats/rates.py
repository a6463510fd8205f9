"""Differences between an arm and the reference in rates and odds, equal to R.

- `landmark_difference`: S1(t) - S2(t) of two Kaplan-Meier curves with a Wald CI from
  Greenwood's standard errors (LANDMARK_METHOD).
- `rate_difference`: responders' proportion in the arm less the reference's, R's
  `prop.test(c(x1, x2), c(n1, n2), correct = )` interval and p-value.
- `odds_ratio`: the odds of response in the arm over the reference's, Fisher's conditional
  maximum-likelihood estimate with its exact interval (`fisher.test`) or Woolf's (Wald) log
  odds ratio.
- `mantel_haenszel`: the Cochran-Mantel-Haenszel test over 2 x 2 x K tables with the
  Mantel-Haenszel common odds ratio and its Robins-Breslow-Greenland interval
  (`mantelhaen.test`).

Fisher's estimate and limits are the roots of R's equations, found by bisection to 1e-15
(in the log odds ratio); R's fisher.test stops its `uniroot` at about 1e-4, so it agrees
with these to that tolerance and the validation suite solves R's equations to 1e-14.
None wherever R gives NA, NaN, an error, or an infinite value (say so where shown).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from .fisher import fisher_p
from .survival import survival_at

LANDMARK_METHOD = ("difference of Kaplan-Meier estimates with Greenwood standard errors, "
                   "S1 - S2 +/- z sqrt(se1^2 + se2^2)")
RATE_METHODS = {"wald": "Wald, without continuity correction (R prop.test, correct = FALSE)",
                "wald-cc": "Wald with continuity correction (R prop.test)"}
ODDS_METHODS = {"fisher": "conditional maximum likelihood with exact limits (R fisher.test)",
                "wald": "Woolf's logit (Wald) interval"}
P_VALUES = {"wald": "chi-square test", "wald-cc": "chi-square test with continuity correction",
            "fisher": "Fisher's exact test, two-sided", "woolf": "Wald test of the log odds ratio"}
MH_METHOD = "Cochran-Mantel-Haenszel test; Mantel-Haenszel odds ratio, Robins-Breslow-Greenland interval"


@dataclass(frozen=True)
class Difference:
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    method: str
    confidence: float


@dataclass(frozen=True)
class LandmarkDifference:
    time: float
    survival: float | None  # the arm's S(t)
    std_err: float | None
    reference_survival: float | None
    reference_std_err: float | None
    difference: Difference


@dataclass(frozen=True)
class MantelHaenszel:
    statistic: float | None  # chi-square on 1 df
    p_value: float | None
    odds_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    correct: bool
    strata: int  # strata used: those of two patients or more (R refuses fewer)
    confidence: float


def _z(confidence: float) -> float:
    return float(special.ndtri(1 - (1 - confidence) / 2))


def _finite(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def landmark_difference(time1, event1, time2, event2, t: float, confidence: float = 0.95) -> LandmarkDifference:
    """S1(t) - S2(t) (group 1 the arm, 2 the reference) with its CI and z-test p-value."""
    one, two = survival_at(time1, event1, t), survival_at(time2, event2, t)
    s1, se1 = (None, None) if one is None else (one[0], _finite(one[1]))
    s2, se2 = (None, None) if two is None else (two[0], _finite(two[1]))
    if None in (s1, se1, s2, se2):
        estimate = s1 - s2 if s1 is not None and s2 is not None else None
        return LandmarkDifference(t, s1, se1, s2, se2, Difference(estimate, None, None, None, "km", confidence))
    estimate, se = s1 - s2, math.hypot(se1, se2)
    half = _z(confidence) * se
    p = math.erfc(abs(estimate / se) / math.sqrt(2)) if se > 0 else None
    return LandmarkDifference(t, s1, se1, s2, se2,
                              Difference(estimate, estimate - half, estimate + half, p, "km", confidence))


def rate_difference(x1: int, n1: int, x2: int, n2: int, method: str = "wald-cc",
                    confidence: float = 0.95) -> Difference:
    """x1/n1 - x2/n2 with R's prop.test interval (clipped to [-1, 1]) and chi-square p-value."""
    if method not in RATE_METHODS:
        raise ValueError(f"unknown rate difference method {method!r}: one of {', '.join(RATE_METHODS)}")
    if n1 <= 0 or n2 <= 0:
        return Difference(None, None, None, None, method, confidence)
    p1, p2 = x1 / n1, x2 / n2
    delta, inverse = p1 - p2, 1 / n1 + 1 / n2
    yates = min(0.5 if method == "wald-cc" else 0.0, abs(delta) / inverse)
    width = _z(confidence) * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2) + yates * inverse
    pooled = (x1 + x2) / (n1 + n2)
    observed = np.array([[x1, n1 - x1], [x2, n2 - x2]], dtype=float)
    expected = np.array([[n1 * pooled, n1 * (1 - pooled)], [n2 * pooled, n2 * (1 - pooled)]])
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = float(((np.abs(observed - expected) - yates) ** 2 / expected).sum())
    p = _finite(special.chdtrc(1, statistic)) if math.isfinite(statistic) else None
    return Difference(delta, max(delta - width, -1.0), min(delta + width, 1.0), p, method, confidence)


def odds_ratio(x1: int, n1: int, x2: int, n2: int, method: str = "fisher", confidence: float = 0.95) -> Difference:
    """(x1 / (n1 - x1)) / (x2 / (n2 - x2)): the arm's odds of response over the reference's."""
    if method not in ODDS_METHODS:
        raise ValueError(f"unknown odds ratio method {method!r}: one of {', '.join(ODDS_METHODS)}")
    if n1 <= 0 or n2 <= 0:
        return Difference(None, None, None, None, method, confidence)
    if method == "wald":
        return _woolf(x1, n1 - x1, x2, n2 - x2, confidence)
    return _conditional(x1, n1, x2, n2, confidence)


def _woolf(a: int, b: int, c: int, d: int, confidence: float) -> Difference:
    """exp(log OR -/+ z sqrt(1/a + 1/b + 1/c + 1/d)) and its Wald p; None if a cell is 0."""
    if min(a, b, c, d) == 0:
        return Difference(None, None, None, None, "wald", confidence)
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    half = _z(confidence) * se
    return Difference(math.exp(log_or), math.exp(log_or - half), math.exp(log_or + half),
                      math.erfc(abs(log_or / se) / math.sqrt(2)), "wald", confidence)


def _conditional(x: int, m: int, x2: int, n: int, confidence: float) -> Difference:
    """fisher.test's estimate and limits: the noncentral hypergeometric distribution of the
    arm's responders given both margins, its mean and tails solved for the odds ratio."""
    k = x + x2
    low, high = max(0, k - n), min(k, m)
    support = np.arange(low, high + 1)
    log_d = -(special.gammaln(support + 1) + special.gammaln(m - support + 1)
              + special.gammaln(k - support + 1) + special.gammaln(n - k + support + 1))
    alpha = (1 - confidence) / 2
    p = fisher_p(x, m, x2, n)
    if low == high:  # one table only: nothing to estimate
        return Difference(None, None, None, p, "fisher", confidence)

    def weights(theta: float) -> np.ndarray:
        w = log_d + theta * support
        w = np.exp(w - w.max())
        return w / w.sum()

    mean = lambda theta: float(weights(theta) @ support) - x  # noqa: E731 increasing in theta
    below = lambda theta: float(weights(theta)[support <= x].sum()) - alpha  # noqa: E731 decreasing
    above = lambda theta: float(weights(theta)[support >= x].sum()) - alpha  # noqa: E731 increasing
    estimate = 0.0 if x == low else None if x == high else math.exp(_root(mean))
    ci_low = 0.0 if x == low else math.exp(_root(above))
    ci_high = None if x == high else math.exp(_root(below))
    return Difference(estimate, ci_low, ci_high, p, "fisher", confidence)


def _root(f) -> float:
    """The root of a monotone f on the real line (the log odds ratio), by bisection to
    1e-15 (absolute below 1, relative above: the odds ratio to 1e-15 relative). Bisection,
    not scipy.optimize, whose import alone costs about half a second."""
    a, b = -1.0, 1.0
    while np.sign(f(a)) == np.sign(f(b)):
        if b > 1e3:
            raise ArithmeticError("no root: the odds ratio is beyond exp(1000)")
        a, b = 2 * a, 2 * b
    rising = f(b) > f(a)
    while b - a > 1e-15 * max(1.0, abs(a), abs(b)):
        middle = (a + b) / 2
        value = f(middle)
        if value == 0:
            return middle
        if (value > 0) == rising:
            b = middle
        else:
            a = middle
    return (a + b) / 2


def mantel_haenszel(tables, confidence: float = 0.95, correct: bool = True) -> MantelHaenszel:
    """R's mantelhaen.test(array(tables), correct =) for 2 x 2 x K tables (`tables[k]` is
    [[responders, non-responders] of the arm, [the same] of the reference]); strata of
    fewer than two patients are left out (R stops on them), and None without any left."""
    x = np.asarray(tables, dtype=float).reshape(-1, 2, 2)
    x = x[x.sum(axis=(1, 2)) >= 2]
    if not len(x):
        return MantelHaenszel(None, None, None, None, None, correct, 0, confidence)
    a, b, c, d = x[:, 0, 0], x[:, 0, 1], x[:, 1, 0], x[:, 1, 1]
    t = a + b + c + d
    delta = float((a - (a + b) * (a + c) / t).sum())
    variance = float(((a + b) * (c + d) * (a + c) * (b + d) / (t * t * (t - 1))).sum())
    yates = 0.5 if correct and abs(delta) >= 0.5 else 0.0
    statistic = (abs(delta) - yates) ** 2 / variance if variance > 0 else None
    p = _finite(special.chdtrc(1, statistic)) if statistic is not None else None
    diagonal, off = float((a * d / t).sum()), float((b * c / t).sum())
    if diagonal == 0 or off == 0:
        return MantelHaenszel(statistic, p, None, None, None, correct, len(x), confidence)
    estimate = diagonal / off
    sd = math.sqrt(float(((a + d) * a * d / t**2).sum()) / (2 * diagonal**2)
                   + float(((a + d) * b * c + (b + c) * a * d) / t**2 @ np.ones(len(t))) / (2 * diagonal * off)
                   + float(((b + c) * b * c / t**2).sum()) / (2 * off**2))
    half = _z(confidence) * sd
    return MantelHaenszel(statistic, p, estimate, estimate * math.exp(-half), estimate * math.exp(half),
                          correct, len(x), confidence)
