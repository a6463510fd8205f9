"""Kaplan-Meier summaries equal to R's `survival` package (DESIGN section 6).

Risk sets are counted with numpy and the curve is R's product; confidence limits,
quantiles and landmarks follow R's `survfit`, `quantile.survfit` and `summary.survfit`
rules, so every figure can be checked against R to 1e-6. (lifelines is not imported:
its import alone would cost a report about half a second; the comparisons between arms
are numpy too, report/stats/comparison.py.)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

# Tolerance R uses to decide that a curve sits exactly at a quantile.
R_TOLERANCE = math.sqrt(np.finfo(float).eps)
RISK_TABLE_STEPS = {
    "days": (7, 14, 30, 60, 90, 180, 365, 730),
    "weeks": (1, 2, 4, 8, 13, 26, 52, 104),
    "months": (1, 2, 3, 6, 12, 24, 60),
    "years": (0.5, 1, 2, 5, 10),
}


@dataclass(frozen=True)
class Quantile:
    estimate: float | None  # None: not reached
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class Landmark:
    time: float
    survival: float | None  # None: past the last follow-up time
    ci_low: float | None
    ci_high: float | None
    n_at_risk: int


@dataclass(frozen=True)
class CurvePoint:
    time: float
    n_at_risk: int
    events: int
    censored: int
    survival: float
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class RiskPoint:
    time: float
    n_at_risk: int


@dataclass(frozen=True)
class Survival:
    n: int
    events: int
    events_proportion: float | None
    censored: int
    censored_proportion: float | None
    time_unit: str
    conf_type: str
    confidence: float
    median: Quantile
    quartiles: dict[str, Quantile]  # "25" and "75": times by which 25% and 75% had the event
    landmarks: tuple[Landmark, ...]
    median_followup: float | None  # reverse Kaplan-Meier
    min_time: float | None  # range of follow-up times; "censored" flags a censored extreme
    min_time_censored: bool | None
    max_time: float | None
    max_time_censored: bool | None
    curve: tuple[CurvePoint, ...]
    risk_table: tuple[RiskPoint, ...]


def kaplan_meier(
    time,
    event,
    *,
    time_unit: str = "months",
    landmarks=(),
    conf_type: str = "log-log",
    confidence: float = 0.95,
    risk_times=None,
) -> Survival:
    """The Kaplan-Meier summary of one group: times already in `time_unit`.

    `risk_times` fixes the risk table's times (so that arms line up with the total);
    by default they follow from the follow-up and the unit.
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    z = float(special.ndtri(1 - (1 - confidence) / 2))
    table = _km_table(time, event)
    low, high = _confidence_limits(table["survival"], table["se"], conf_type, z)
    curve = _curve(table, low, high, len(time))
    n, events = int(len(time)), int(event.sum())
    return Survival(
        n=n,
        events=events,
        events_proportion=events / n if n else None,
        censored=n - events,
        censored_proportion=(n - events) / n if n else None,
        time_unit=time_unit,
        conf_type=conf_type,
        confidence=confidence,
        median=_quantile(table, low, high, 0.5),
        quartiles={"25": _quantile(table, low, high, 0.25), "75": _quantile(table, low, high, 0.75)},
        landmarks=tuple(_landmark(table, low, high, time, t) for t in landmarks),
        median_followup=median_followup(time, event),
        min_time=float(time.min()) if n else None,
        min_time_censored=bool(not event[time == time.min()].all()) if n else None,
        max_time=float(time.max()) if n else None,
        max_time_censored=bool(not event[time == time.max()].any()) if n else None,
        curve=curve,
        risk_table=tuple(
            RiskPoint(float(t), int((time >= t).sum()))
            for t in (risk_times if risk_times is not None else risk_table_times(time, time_unit))
        ),
    )


def median_followup(time, event) -> float | None:
    """Median follow-up by reverse Kaplan-Meier: censoring is the event of interest."""
    time = np.asarray(time, dtype=float)
    reverse = ~np.asarray(event, dtype=bool)
    if not len(time):
        return None
    table = _km_table(time, reverse)
    return _find_quantile(table["time"], 1 - table["survival"], 0.5)


def risk_table_times(time, time_unit: str) -> list[float]:
    """0, then every `step` up to the last follow-up, the step giving at most 8 intervals."""
    if not len(time):
        return [0.0]
    longest = float(np.max(time))
    steps = RISK_TABLE_STEPS[time_unit]
    step = next((s for s in steps if longest / s <= 8), steps[-1])
    return [float(k * step) for k in range(int(longest // step) + 1)]


def _km_table(time: np.ndarray, event: np.ndarray) -> dict[str, np.ndarray]:
    """One row per distinct observed time, as R's survfit: counts, S(t) and se(log S)."""
    if not len(time):
        empty = np.array([], dtype=float)
        return {"time": empty, "at_risk": empty, "events": empty, "censored": empty,
                "survival": empty, "se": empty}
    times, row = np.unique(time, return_inverse=True)
    removed = np.bincount(row, minlength=len(times)).astype(float)
    deaths = np.bincount(row, weights=event.astype(float), minlength=len(times))
    at_risk = len(time) - np.concatenate([[0.0], np.cumsum(removed)[:-1]])
    # The product written as R's survfit computes it, (n - d)/n, so that a curve sitting
    # exactly at a quantile is exact here too (a log-sum form, as lifelines', can differ
    # in the last bit, which moves a median from 4.5 to "not reached").
    survival = np.cumprod((at_risk - deaths) / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Greenwood: var(log S) = sum d / (n (n - d)); infinite once S reaches 0, as in R.
        increments = np.where(deaths > 0, deaths / (at_risk * (at_risk - deaths)), 0.0)
    return {
        "time": times,
        "at_risk": at_risk,
        "events": deaths,
        "censored": removed - deaths,
        "survival": survival,
        "se": np.sqrt(np.cumsum(increments)),
    }


def _confidence_limits(s: np.ndarray, se: np.ndarray, conf_type: str, z: float):
    """Pointwise limits as R's survfit_confint; NaN where R gives NA."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "plain":
            half = z * se * s
            low, high = np.maximum(s - half, 0), np.minimum(s + half, 1)
        elif conf_type == "log":
            x = np.where(s == 0, np.nan, s)
            low, high = np.exp(np.log(x) - z * se), np.minimum(np.exp(np.log(x) + z * se), 1)
        elif conf_type == "log-log":
            x = np.where((s == 0) | (s == 1), np.nan, s)
            scaled = z * se / np.log(x)
            low = np.exp(-np.exp(np.log(-np.log(x)) - scaled))
            high = np.exp(-np.exp(np.log(-np.log(x)) + scaled))
        else:
            raise ValueError(f"unknown confidence interval type {conf_type!r}")
    return low, high


def _curve(table, low, high, n: int) -> tuple[CurvePoint, ...]:
    start = CurvePoint(0.0, n, 0, 0, 1.0, None, None)
    points = [
        CurvePoint(
            time=float(t), n_at_risk=int(r), events=int(d), censored=int(c),
            survival=float(s), ci_low=_value(lo), ci_high=_value(hi),
        )
        for t, r, d, c, s, lo, hi in zip(
            table["time"], table["at_risk"], table["events"], table["censored"],
            table["survival"], low, high,
        )
    ]
    return (start, *points)


def _landmark(table, low, high, time: np.ndarray, t: float) -> Landmark:
    """S(t) counting events at t; at risk: time >= t; None past the last follow-up."""
    n_at_risk = int((time >= t).sum())
    if not len(time) or t > time.max():
        return Landmark(t, None, None, None, n_at_risk)
    index = int(np.searchsorted(table["time"], t, side="right")) - 1
    if index < 0:  # before the first observed time: R reports S = 1 with limits 1 and 1
        return Landmark(t, 1.0, 1.0, 1.0, n_at_risk)
    return Landmark(t, float(table["survival"][index]), _value(low[index]), _value(high[index]), n_at_risk)


def _quantile(table, low, high, p: float) -> Quantile:
    # The lower survival limit reaches the quantile first: it gives the lower time limit.
    return Quantile(
        estimate=_find_quantile(table["time"], 1 - table["survival"], p),
        ci_low=_find_quantile(table["time"], 1 - low, p),
        ci_high=_find_quantile(table["time"], 1 - high, p),
    )


def _find_quantile(times: np.ndarray, failure: np.ndarray, p: float) -> float | None:
    """R's survival:::findq for one p: the first time the curve 1 - S reaches p.

    Where the curve sits at p (within R's tolerance) over an interval, the quantile is
    that interval's midpoint; at the end of the curve, the midpoint to the last time.
    NaN points (limits R leaves NA) are skipped, as R's approx() does.
    """
    x = np.concatenate([[0.0], times])
    y = np.concatenate([[0.0], failure])
    if not len(times) or np.all(np.isnan(y)) or np.nanmax(y) < p:
        return None
    last_time = x[-1]
    x, y = _first_of_each_value(x, y)
    first = _smallest_at_or_above(y + R_TOLERANCE, p)
    second = _smallest_at_or_above(y - R_TOLERANCE, p)
    if p == 0:
        return float(x[0])
    if not np.isnan(y[-1]) and abs(p - y[-1]) < R_TOLERANCE and first is not None:
        return float((x[first] + last_time) / 2)
    if first is None or second is None:
        return None
    return float((x[first] + x[second]) / 2)


def _first_of_each_value(x: np.ndarray, y: np.ndarray):
    """Drop repeated y values (NaN counts as one value), keeping each first, as R's duplicated()."""
    keep, seen, seen_nan = [], set(), False
    for i, value in enumerate(y):
        if np.isnan(value):
            keep.append(not seen_nan)
            seen_nan = True
        else:
            keep.append(value not in seen)
            seen.add(value)
    keep = np.array(keep)
    return x[keep], y[keep]


def _smallest_at_or_above(values: np.ndarray, p: float) -> int | None:
    """Index of the smallest value >= p: R's approx(values, index, p, "constant", f = 1)."""
    candidates = [i for i, v in enumerate(values) if not np.isnan(v) and v >= p]
    if not candidates or p < np.nanmin(values):
        return None
    return min(candidates, key=lambda i: values[i])


def _value(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def survival_at(time, event, t: float) -> tuple[float, float] | None:
    """S(t) and its standard error (Greenwood's, S sqrt(sum d / (n (n - d)))), as R's
    `summary(survfit(Surv(time, event) ~ 1), times = t)` `$surv` and `$std.err`: 1 and 0
    before the first time; None past the last follow-up time (R's extend = FALSE)."""
    time, event = np.asarray(time, dtype=float), np.asarray(event, dtype=bool)
    if not len(time) or t > time.max():
        return None
    table = _km_table(time, event)
    index = int(np.searchsorted(table["time"], t, side="right")) - 1
    if index < 0:
        return 1.0, 0.0
    s = float(table["survival"][index])
    with np.errstate(invalid="ignore"):
        return s, float(s * table["se"][index])
