"""Descriptive statistics of a continuous variable, as R's `summary`-style functions give them:
n, mean, sd (n - 1 denominator), median, first and third quartiles, minimum and maximum.

Quartiles are R's `quantile(x, type = 7)` (its default: linear interpolation between order
statistics, numpy's "linear" method) unless type 2 is asked for (`quantile(x, type = 2)`,
the inverse of the empirical distribution function with averaging at discontinuities,
numpy's "averaged_inverted_cdf", SAS's default PCTLDEF=5). Missing values are dropped,
as with `na.rm = TRUE`. Checked against R in tests/validation/test_summary_statistics_vs_r.py.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np

METHODS = {7: "linear", 2: "averaged_inverted_cdf"}


@dataclass(frozen=True)
class Summary:
    """None where a statistic is not defined: everything but n without values, sd with one value."""
    n: int
    mean: float | None
    sd: float | None
    median: float | None
    q1: float | None
    q3: float | None
    min: float | None
    max: float | None
    quantile_type: int = 7


def summary(values: Iterable[float | int | None], quantile_type: int = 7) -> Summary:
    """The summary of the values given (None and NaN dropped)."""
    x = _finite(values)
    if not len(x):
        return Summary(0, None, None, None, None, None, None, None, quantile_type)
    q1, median, q3 = (quantile(x, p, quantile_type) for p in (0.25, 0.5, 0.75))
    return Summary(
        n=len(x),
        mean=float(np.mean(x)),
        sd=float(np.std(x, ddof=1)) if len(x) > 1 else None,
        median=median,
        q1=q1,
        q3=q3,
        min=float(x.min()),
        max=float(x.max()),
        quantile_type=quantile_type,
    )


def quantile(values: Iterable[float | int | None], probability: float, quantile_type: int = 7) -> float | None:
    """R's `quantile(x, probability, type = quantile_type)`; None without values."""
    if quantile_type not in METHODS:
        raise ValueError(f"quantile type {quantile_type} is not one of {sorted(METHODS)}")
    x = _finite(values)
    return float(np.quantile(x, probability, method=METHODS[quantile_type])) if len(x) else None


def _finite(values: Iterable[float | int | None]) -> np.ndarray:
    kept = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return np.array(kept, dtype=float)
