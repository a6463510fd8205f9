"""Fisher's exact test of a 2x2 table, two-sided, as R's `fisher.test` computes it.

The hypergeometric probabilities are scipy's (scipy.stats.hypergeom); the two-sided p-value
sums the probabilities of every table no more likely than the one observed, with R's
relative tolerance on ties (`relErr = 1 + 1e-7`, where scipy.stats.fisher_exact uses 1e-14),
so that tables whose probabilities differ only by rounding count as equally likely, as in R.
"""
from __future__ import annotations

import numpy as np
from scipy.stats import hypergeom

R_RELATIVE_ERROR = 1 + 1e-7  # R's fisher.test: relErr <- 1 + 10^(-7)


def fisher_p(events_a: int, n_a: int, events_b: int, n_b: int) -> float | None:
    """Two-sided p-value comparing events_a of n_a with events_b of n_b (R:
    `fisher.test(matrix(c(events_a, n_a - events_a, events_b, n_b - events_b), 2))$p.value`);
    None where a group has no patients (nothing to compare)."""
    if n_a <= 0 or n_b <= 0:
        return None
    if not (0 <= events_a <= n_a and 0 <= events_b <= n_b):
        raise ValueError(f"counts out of range: {events_a} of {n_a}, {events_b} of {n_b}")
    # R's layout: x = the table's [1, 1] cell; m, n the column sums (the two groups); k the row sum.
    x, m, n, k = events_a, n_a, n_b, events_a + events_b
    support = np.arange(max(0, k - n), min(k, m) + 1)
    log_d = hypergeom.logpmf(support, m + n, m, k)
    d = np.exp(log_d - log_d.max())
    d /= d.sum()
    observed = d[x - support[0]]
    return float(max(0.0, min(1.0, d[d <= observed * R_RELATIVE_ERROR].sum())))
