"""Tests that several groups (arms) differ, as R computes them: one-way ANOVA (aov, the F
test), Kruskal-Wallis (kruskal.test, with its correction for ties), Pearson's chi-square
test of independence (chisq.test(correct = FALSE)); Fisher's exact test is in fisher.py.

Distributions come from scipy.special (importing scipy.stats would cost every report about
half a second). A test that cannot be computed (fewer than two groups with values, no
variation, one category) is None: R gives NA or tests something else there.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import special


@dataclass(frozen=True)
class TestResult:
    test: str  # anova, kruskal, chisq, fisher
    statistic: float | None  # F, H, X-squared; None for Fisher's test
    parameter: float | None  # degrees of freedom (ANOVA: of the groups; the residual's in df_residual)
    p_value: float
    df_residual: float | None = None


def anova(groups: Sequence[np.ndarray]) -> TestResult | None:
    """One-way ANOVA of the groups with values (R: anova(aov(value ~ arm)))."""
    groups = [np.asarray(g, dtype=float) for g in groups if len(g)]
    k, n = len(groups), sum(len(g) for g in groups)
    if k < 2 or n <= k:
        return None
    grand = np.concatenate(groups).mean()
    between = sum(len(g) * (g.mean() - grand) ** 2 for g in groups)
    within = sum(((g - g.mean()) ** 2).sum() for g in groups)
    if within <= 0:
        return None  # no variation within the groups: F is not defined
    f = (between / (k - 1)) / (within / (n - k))
    return TestResult("anova", float(f), float(k - 1), float(special.fdtrc(k - 1, n - k, f)), float(n - k))


def kruskal(groups: Sequence[np.ndarray]) -> TestResult | None:
    """Kruskal-Wallis of the groups with values (R: kruskal.test(value ~ arm))."""
    groups = [np.asarray(g, dtype=float) for g in groups if len(g)]
    k = len(groups)
    if k < 2:
        return None
    pooled = np.concatenate(groups)
    n = len(pooled)
    ranks = _average_ranks(pooled)
    bounds = np.cumsum([0] + [len(g) for g in groups])
    sums = [ranks[bounds[i]:bounds[i + 1]].sum() for i in range(k)]
    h = 12 / (n * (n + 1)) * sum(s ** 2 / len(g) for s, g in zip(sums, groups)) - 3 * (n + 1)
    _, ties = np.unique(pooled, return_counts=True)
    correction = 1 - ((ties ** 3 - ties).sum() / (n ** 3 - n))
    if correction <= 0:
        return None  # every value the same
    h /= correction
    return TestResult("kruskal", float(h), float(k - 1), float(special.chdtrc(k - 1, h)))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    ranks = np.empty(len(values))
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], len(values)]
    for start, end in zip(starts, ends):
        ranks[order[start:end]] = (start + end + 1) / 2
    return ranks


def observed(table: np.ndarray) -> np.ndarray:
    """The table without its empty rows and columns (R's table() of the values present)."""
    table = np.asarray(table, dtype=float)
    return table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]


def chisq(table: np.ndarray) -> TestResult | None:
    """Pearson's chi-square test of independence (R: chisq.test(table, correct = FALSE));
    None unless the table of observed rows and columns is at least 2 x 2."""
    table = observed(table)
    if table.shape[0] < 2 or table.shape[1] < 2:
        return None
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    statistic = float(((table - expected) ** 2 / expected).sum())
    df = (table.shape[0] - 1) * (table.shape[1] - 1)
    return TestResult("chisq", statistic, float(df), float(special.chdtrc(df, statistic)))
