"""Descriptive statistics of one sample, as R computes them: n, mean, sd (n - 1), median,
quartiles by R's quantile(type = 7) (R's default) or type = 2 (SAS's default, PCTLDEF=5),
minimum and maximum. Missing values are left out (R's na.rm = TRUE)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np

# R's quantile types and numpy's names for them.
QUANTILE_METHODS = {7: "linear", 2: "averaged_inverted_cdf"}


@dataclass(frozen=True)
class Description:
    """None where a statistic cannot be computed (no value; sd with fewer than two)."""
    n: int  # values present
    missing: int
    mean: float | None
    sd: float | None
    median: float | None
    q1: float | None
    q3: float | None
    minimum: float | None
    maximum: float | None


def present(values: Iterable) -> np.ndarray:
    """The values that are numbers, as floats (None and NaN left out)."""
    kept = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return np.array(kept, dtype=float)


def quantile(values: np.ndarray, p: float, quantile_type: int = 7) -> float | None:
    """R's quantile(values, p, type = quantile_type)."""
    if quantile_type not in QUANTILE_METHODS:
        raise ValueError(f"quantile type {quantile_type} is not one of {sorted(QUANTILE_METHODS)}")
    if len(values) == 0:
        return None
    return float(np.quantile(values, p, method=QUANTILE_METHODS[quantile_type]))


def describe(values: Iterable, quantile_type: int = 7) -> Description:
    """The description of a sample; missing values counted, then left out."""
    values = list(values)
    x = present(values)
    n = len(x)
    if n == 0:
        return Description(0, len(values), None, None, None, None, None, None, None)
    return Description(
        n=n,
        missing=len(values) - n,
        mean=float(np.mean(x)),
        sd=float(np.std(x, ddof=1)) if n > 1 else None,
        median=float(np.median(x)),
        q1=quantile(x, 0.25, quantile_type),
        q3=quantile(x, 0.75, quantile_type),
        minimum=float(np.min(x)),
        maximum=float(np.max(x)),
    )
