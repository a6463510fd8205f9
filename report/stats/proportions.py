"""Binomial proportions with confidence intervals (DESIGN section 6).

Quantiles come from scipy.special (the inverse regularised incomplete beta function and
the inverse normal), which scipy.stats' beta.ppf and norm.ppf call in turn: importing
scipy.stats alone would cost the summary about half a second.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import special

METHOD_NAMES = {
    "clopper-pearson": "exact Clopper-Pearson",
    "wilson": "Wilson score",
    "jeffreys": "Jeffreys",
    "agresti-coull": "Agresti-Coull",
}


@dataclass(frozen=True)
class Proportion:
    count: int
    n: int
    proportion: float | None
    ci_low: float | None
    ci_high: float | None
    ci_method: str
    confidence: float


def proportion(count: int, n: int, method: str = "clopper-pearson", confidence: float = 0.95) -> Proportion:
    """count/n with its confidence interval; estimate and CI are None when n is 0."""
    if not 0 <= count <= n:
        raise ValueError(f"count {count} is not between 0 and n={n}")
    if n == 0:
        return Proportion(count, n, None, None, None, method, confidence)
    low, high = INTERVALS[method](count, n, 1 - confidence)
    return Proportion(count, n, count / n, low, high, method, confidence)


def _clopper_pearson(x: int, n: int, alpha: float) -> tuple[float, float]:
    # Identical to R's binom.test(x, n)$conf.int.
    low = 0.0 if x == 0 else float(special.betaincinv(x, n - x + 1, alpha / 2))
    high = 1.0 if x == n else float(special.betaincinv(x + 1, n - x, 1 - alpha / 2))
    return low, high


def _wilson(x: int, n: int, alpha: float) -> tuple[float, float]:
    z = _z(alpha)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _jeffreys(x: int, n: int, alpha: float) -> tuple[float, float]:
    # Brown, Cai and DasGupta (2001): the limit at a boundary count is 0 or 1.
    low = 0.0 if x == 0 else float(special.betaincinv(x + 0.5, n - x + 0.5, alpha / 2))
    high = 1.0 if x == n else float(special.betaincinv(x + 0.5, n - x + 0.5, 1 - alpha / 2))
    return low, high


def _agresti_coull(x: int, n: int, alpha: float) -> tuple[float, float]:
    z = _z(alpha)
    n_tilde = n + z * z
    p_tilde = (x + z * z / 2) / n_tilde
    half = z * math.sqrt(p_tilde * (1 - p_tilde) / n_tilde)
    return max(0.0, p_tilde - half), min(1.0, p_tilde + half)


def _z(alpha: float) -> float:
    return float(special.ndtri(1 - alpha / 2))


INTERVALS = {
    "clopper-pearson": _clopper_pearson,
    "wilson": _wilson,
    "jeffreys": _jeffreys,
    "agresti-coull": _agresti_coull,
}
