"""Competing risks: Aalen-Johansen cumulative incidence and Gray's test, equal to R.

`cumulative_incidence` is R's `survfit(Surv(time, factor(status, 0:2)) ~ 1)`: the
Aalen-Johansen estimate of the probability of having had the event of interest (status 1)
and the competing event (status 2) by each time, with the standard error survival >= 3
gives multi-state curves, the infinitesimal jackknife (survival's `survfitci.c`), and its
default confidence interval for them, `conf.type = "log"`. Landmarks follow
`summary(fit, times = ...)`.

`gray_test` is `cmprsk::cuminc(time, status, group)$Tests["1", ]`, Gray's (1988) k-sample
test of the cumulative incidence of the event of interest, ported from cmprsk's `crst`
(src/crstm.f), weight (1 - F)^rho with rho = 0, unstratified.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

CONF_TYPE = "log"  # survfit's default conf.type for multi-state curves
QR_TOLERANCE = 1e-7  # R's qr() tolerance, which cmprsk uses to decide the variance is singular


@dataclass(frozen=True)
class IncidencePoint:
    time: float
    n_at_risk: int
    events: int
    competing: int
    censored: int
    estimate: float
    ci_low: float | None
    ci_high: float | None
    competing_estimate: float


@dataclass(frozen=True)
class IncidenceLandmark:
    time: float
    estimate: float | None  # None: past the last follow-up time
    ci_low: float | None
    ci_high: float | None
    n_at_risk: int


@dataclass(frozen=True)
class CumulativeIncidence:
    n: int
    events: int
    competing_events: int
    conf_type: str
    confidence: float
    curve: tuple[IncidencePoint, ...]
    landmarks: tuple[IncidenceLandmark, ...]


@dataclass(frozen=True)
class GrayTest:
    statistic: float
    df: int
    p_value: float


def cumulative_incidence(time, status, landmarks=(), confidence: float = 0.95) -> CumulativeIncidence:
    """status: 0 censored, 1 event of interest, 2 competing event (array-likes of equal length)."""
    time, status = _checked(time, status)
    if not len(time):  # no patient (an arm without responders, say): nothing estimable
        return CumulativeIncidence(0, 0, 0, CONF_TYPE, confidence, (),
                                   tuple(IncidenceLandmark(float(t), None, None, None, 0) for t in landmarks))
    z = float(special.ndtri(1 - (1 - confidence) / 2))
    table = _aalen_johansen(time, status)
    low, high = _log_limits(table["estimate"], table["se"], z)
    curve = tuple(
        IncidencePoint(
            time=float(t), n_at_risk=int(r), events=int(d1), competing=int(d2), censored=int(c),
            estimate=float(f1), ci_low=_value(lo), ci_high=_value(hi), competing_estimate=float(f2),
        )
        for t, r, d1, d2, c, f1, lo, hi, f2 in zip(
            table["time"], table["at_risk"], table["events"], table["competing"], table["censored"],
            table["estimate"], low, high, table["competing_estimate"],
        )
    )
    return CumulativeIncidence(
        n=int(len(time)),
        events=int((status == 1).sum()),
        competing_events=int((status == 2).sum()),
        conf_type=CONF_TYPE,
        confidence=confidence,
        curve=curve,
        landmarks=tuple(_landmark(table, low, high, time, float(t)) for t in landmarks),
    )


def gray_test(time, status, group) -> GrayTest | None:
    """Gray's test for the event of interest (status 1) between groups, as cmprsk::cuminc's
    Tests["1", ]; None where it is not computable (one group, no event)."""
    time, status = _checked(time, status)
    group = np.asarray(group)
    if group.shape != time.shape:
        raise ValueError("time, status and group must have the same length")
    levels, codes = np.unique(group, return_inverse=True)
    if len(levels) < 2 or not (status == 1).any():
        return None
    score, variance = _gray_score_and_variance(time, status, codes.reshape(-1), len(levels))
    if _rank(variance) < len(score):
        return None  # cmprsk reports stat = -1 here: the variance is singular
    statistic = float(score @ np.linalg.solve(variance, score))
    df = len(levels) - 1
    return GrayTest(statistic=statistic, df=df, p_value=float(special.chdtrc(df, statistic)))


# ------------------------------------------------------------------ Aalen-Johansen

def _checked(time, status) -> tuple[np.ndarray, np.ndarray]:
    time = np.asarray(time, dtype=float).reshape(-1)
    raw = np.asarray(status, dtype=float).reshape(-1)
    if time.shape != raw.shape:
        raise ValueError("time and status must have the same length")
    if not np.isfinite(time).all():
        raise ValueError("time must be finite (no missing values)")
    if not np.isin(raw, (0, 1, 2)).all():
        raise ValueError("status must be 0 (censored), 1 (event of interest) or 2 (competing event)")
    return time, raw.astype(int)


def _aalen_johansen(time: np.ndarray, status: np.ndarray) -> dict[str, np.ndarray]:
    """One row per distinct time: counts, both cumulative incidences, se of the first.

    The states are 0 (no event yet), 1 and 2 (absorbing). At each time the transition
    matrix H has first row (1 - (d1 + d2)/n, d1/n, d2/n); p <- p H. The variance is the
    infinitesimal jackknife of survival's survfitci.c, computed as it does: each subject's
    influence row u is carried as u <- u H, and a subject at risk also gets
    p0/n (e_new - H[0]), p0 being the probability of state 0 before the step; the variance
    is the sum over subjects of u^2. Only the columns of states 0 and 1 are needed. All
    subjects still at risk share one row, and those who left at one time by one route
    share theirs ever after, so rows are kept per (time, route) with a count. (Summing
    u'u into one matrix instead would lose the variance to rounding where it is near 0.)
    """
    times, row = np.unique(time, return_inverse=True)
    counts = {k: np.bincount(row[status == k], minlength=len(times)) for k in (0, 1, 2)}
    removed = counts[0] + counts[1] + counts[2]
    at_risk = len(time) - np.concatenate([[0], np.cumsum(removed)[:-1]])
    left0, left1, left_n = (np.zeros(3 * len(times)) for _ in range(3))  # rows of those who left
    used = 0
    p0, p1, p2 = 1.0, 0.0, 0.0
    u0 = u1 = 0.0  # the row of every subject still at risk
    estimate, competing_estimate, se = (np.empty(len(times)) for _ in range(3))
    for i, n in enumerate(at_risk):
        d1, d2, c = int(counts[1][i]), int(counts[2][i]), int(counts[0][i])
        stay = moved1 = moved2 = (u0, u1)
        if d1 + d2 > 0:
            h00, h01, h02 = 1 - (d1 + d2) / n, d1 / n, d2 / n
            left1[:used] = left0[:used] * h01 + left1[:used]
            left0[:used] = left0[:used] * h00
            base0 = u0 * h00 - h00 * p0 / n
            base1 = (u0 * h01 + u1) - h01 * p0 / n
            stay, moved1, moved2 = (base0 + p0 / n, base1), (base0, base1 + p0 / n), (base0, base1)
            p0, p1, p2 = p0 * h00, p0 * h01 + p1, p0 * h02 + p2
        here = (n - d1 - d2) * stay[1] ** 2 + d1 * moved1[1] ** 2 + d2 * moved2[1] ** 2
        estimate[i], competing_estimate[i] = p1, p2
        se[i] = math.sqrt(float(left_n[:used] @ (left1[:used] ** 2)) + here)
        for (r0, r1), k in ((moved1, d1), (moved2, d2), (stay, c)):
            if k:
                left0[used], left1[used], left_n[used] = r0, r1, k
                used += 1
        u0, u1 = stay
    return {
        "time": times, "at_risk": at_risk, "events": counts[1], "competing": counts[2], "censored": counts[0],
        "estimate": estimate, "competing_estimate": competing_estimate, "se": se,
    }


def _log_limits(p: np.ndarray, se: np.ndarray, z: float):
    """R's survfit_confint(p, se, logse = FALSE, "log"): NaN (R's NA) where p = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(p == 0, np.nan, p)
        log_se = np.where(se == 0, 0.0, se / x)
        low = np.exp(np.log(x) - z * log_se)
        high = np.minimum(np.exp(np.log(x) + z * log_se), 1)
    return low, high


def _landmark(table, low, high, time: np.ndarray, t: float) -> IncidenceLandmark:
    """summary(fit, times = t): the estimate just after t, at risk: time >= t; None past the
    last follow-up (R drops such a time); before the first time R's added time-0 row, 0 (0, 0)."""
    n_at_risk = int((time >= t).sum())
    if not len(time) or t > time.max():
        return IncidenceLandmark(t, None, None, None, n_at_risk)
    index = int(np.searchsorted(table["time"], t, side="right")) - 1
    if index < 0:
        return IncidenceLandmark(t, 0.0, 0.0, 0.0, n_at_risk)
    return IncidenceLandmark(t, float(table["estimate"][index]), _value(low[index]), _value(high[index]), n_at_risk)


def _value(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


# ----------------------------------------------------------------------- Gray's test

def _gray_score_and_variance(time, status, group, ng: int) -> tuple[np.ndarray, np.ndarray]:
    """cmprsk's crst for one stratum: the scores of groups 1..ng-1 and their covariance.

    Per group: rs at risk, skmm / skm the Kaplan-Meier of any event just before / at the
    time, f1m / f1 the cumulative incidence of cause 1 just before / at it; fm / f the
    pooled estimate; tr = sum rs / skmm and tq = sum rs (1 - f1m) / skmm (Gray 1988, 3.)
    """
    times, row = np.unique(time, return_inverse=True)
    d = np.zeros((3, len(times), ng), dtype=int)
    np.add.at(d, (status, row, group), 1)
    rs = np.bincount(group, minlength=ng).astype(float)
    skmm, f1m, fm = np.ones(ng), np.zeros(ng), 0.0
    score, c = np.zeros(ng), np.zeros((ng, ng))
    v, v2, v3 = np.zeros((ng - 1, ng - 1)), np.zeros((ng - 1, ng)), np.zeros(ng)
    for i in range(len(times)):
        d1, d2 = d[1, i].astype(float), d[2, i].astype(float)
        nd1, nd2 = d1.sum(), d2.sum()
        if nd1 + nd2 > 0:
            live = rs > 0
            safe_rs = np.where(live, rs, 1.0)
            skm = np.where(live, skmm * (rs - d1 - d2) / safe_rs, skmm)
            f1 = np.where(live, f1m + skmm * d1 / safe_rs, f1m)
            weight = np.divide(rs, skmm, out=np.zeros(ng), where=live)  # t1 of crst; 0: no one at risk
            tr = weight.sum()
            tq = (weight * (1 - f1m)).sum()
            f = fm + nd1 / tr
            a = np.diag(weight) - np.outer(weight, weight) / tr
            with np.errstate(divide="ignore", invalid="ignore"):
                c += a * (nd1 / (tr * (1 - fm)))
            score += np.where(live, d1 - nd1 * weight * (1 - f1m) / tq, 0.0)
            if nd1 > 0:
                _add_cause1_variance(v, v2, v3, a, c, live, skm, skmm, rs, tr, f, nd1)
            if nd2 > 0:
                _add_cause2_variance(v, v2, v3, c, skm, skmm, rs, d2, f)
            fm, f1m, skmm = f, f1, skm
        rs = rs - d[:, i].sum(axis=0)
    cc = c[: ng - 1]
    v = v + (cc * v3) @ cc.T + cc @ v2.T + v2 @ cc.T
    return score[: ng - 1], v


def _add_cause1_variance(v, v2, v3, a, c, live, skm, skmm, rs, tr, f, nd1) -> None:
    """crst's terms for the events of interest at one time, added in place to v, v2, v3."""
    for k in np.flatnonzero(live):
        t4 = 1 - (1 - f) / skm[k] if skm[k] > 0 else 1.0
        t5 = 1 - (nd1 - 1) / (tr * skmm[k] - 1) if nd1 > 1 else 1.0
        t3 = t5 * skmm[k] * nd1 / (tr * rs[k])
        v3[k] += t4 * t4 * t3
        t1 = a[:-1, k] - t4 * c[:-1, k]
        v2[:, k] += t1 * t4 * t3
        v += np.outer(t1, t1) * t3


def _add_cause2_variance(v, v2, v3, c, skm, skmm, rs, d2, f) -> None:
    """crst's terms for the competing events at one time, added in place to v, v2, v3."""
    for k in np.flatnonzero((skm > 0) & (d2 > 0)):
        t4 = (1 - f) / skm[k]
        t5 = 1 - (d2[k] - 1) / (rs[k] - 1) if d2[k] > 1 else 1.0
        t3 = t5 * skmm[k] ** 2 * d2[k] / rs[k] ** 2
        v3[k] += t4 * t4 * t3
        t1 = t4 * c[:-1, k]
        v2[:, k] -= t1 * t4 * t3
        v += np.outer(t1, t1) * t3


def _rank(matrix: np.ndarray) -> int:
    """The rank R's qr() finds (LINPACK dqrdc2, tolerance 1e-7): a column whose norm, after
    the preceding columns are projected out, falls below 1e-7 of its original norm is
    set aside as dependent."""
    if not np.isfinite(matrix).all():
        return 0
    kept: list[np.ndarray] = []
    for column in matrix.T:
        norm = np.linalg.norm(column)
        residual = column.copy()
        for q in kept:
            residual -= (q @ residual) * q
        left = np.linalg.norm(residual)
        if norm > 0 and left >= QR_TOLERANCE * norm:
            kept.append(residual / left)
    return len(kept)
