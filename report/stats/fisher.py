"""Fisher's exact test of independence for an r x c table, two-sided, as R's fisher.test:
the probability, with the margins fixed, of every table no more probable than the one
observed (R's relative tolerance 1e-7 for ties).

scipy.stats.fisher_exact is exact for 2 x 2 tables only (larger ones it samples), so the
tables are enumerated here, column by column, in the manner of Mehta and Patel's network
algorithm: a partial table whose every completion is at most as probable as the observed
table adds all of them at once (their total probability has a closed form), and one none
of whose completions is adds nothing. The work is bounded (MAX_STEPS): a larger table is
refused with a message (use the chi-square test for it).

`fisher_p` is the 2 x 2 case of two groups' event counts (the adverse-event tables), from
the hypergeometric probabilities (log-gamma, as R's dhyper up to rounding) with the same
relative tolerance on ties (where scipy.stats.fisher_exact uses 1e-14). scipy.special only:
importing scipy.stats would cost every report about half a second.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import special

RELATIVE_TOLERANCE = 1e-7  # R's fisher.test: tables within this of the observed one count as ties
MAX_STEPS = 5_000_000  # partial tables looked at


class FisherTooLarge(ValueError):
    """The table is too large for the exact test within MAX_STEPS."""


def _lf(x):
    return special.gammaln(np.asarray(x, dtype=float) + 1)


def fisher_p_value(table) -> float | None:
    """Two-sided p-value of Fisher's exact test (R: fisher.test(table)$p.value); None unless the
    table of observed rows and columns is at least 2 x 2. FisherTooLarge past MAX_STEPS."""
    table = np.asarray(table, dtype=np.int64)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return None
    if table.shape[0] > table.shape[1]:
        table = table.T  # enumerate columns over the shorter side
    table = table[:, np.argsort(table.sum(axis=0), kind="stable")]  # the largest column last: it is forced
    return _Network(table).p_value()


class _Network:
    def __init__(self, table: np.ndarray):
        self.rows = tuple(int(r) for r in table.sum(axis=1))
        self.columns = tuple(int(c) for c in table.sum(axis=0))
        n = sum(self.rows)
        self.constant = float(_lf(self.rows).sum() + _lf(self.columns).sum() - _lf(n))
        observed = float(-_lf(table).sum())
        self.threshold = observed + math.log1p(RELATIVE_TOLERANCE)
        self.steps = 0
        self._bounds = lru_cache(maxsize=None)(self._bounds_uncached)

    def p_value(self) -> float:
        total = self._visit(0, self.rows, 0.0)
        return min(1.0, total)

    def _compositions(self, total: int, bounds: tuple[int, ...]) -> np.ndarray:
        """Every column of `total` patients over rows holding at most `bounds` each."""
        parts = np.zeros((1, 0), dtype=np.int64)
        remaining = np.array([total])
        for i, bound in enumerate(bounds):
            if i == len(bounds) - 1:
                keep = remaining <= bound
                parts, remaining = np.column_stack([parts[keep], remaining[keep]]), remaining[keep] * 0
                break
            later = sum(bounds[i + 1:])
            low = np.maximum(0, remaining - later)
            high = np.minimum(bound, remaining)
            counts = np.maximum(high - low + 1, 0)
            self._count(int(counts.sum()))  # before the partial columns are made: they may be too many to hold
            index = np.repeat(np.arange(len(parts)), counts)
            values = np.concatenate([np.arange(lo, hi + 1) for lo, hi in zip(low, high)]) if len(index) else \
                np.zeros(0, dtype=np.int64)
            parts = np.column_stack([parts[index], values])
            remaining = remaining[index] - values
        return parts

    def _count(self, made: int) -> None:
        self.steps += made
        if self.steps > MAX_STEPS:
            raise FisherTooLarge(f"the table (margins {self.rows} by {self.columns}) is too large for Fisher's exact "
                                 f"test here (more than {MAX_STEPS:,} partial tables): use the chi-square test")

    def _last_two(self, k: int, remaining: tuple[int, ...]) -> np.ndarray:
        """The log-weights of every completion of the last two columns."""
        x = self._compositions(self.columns[k], remaining)
        return -_lf(x).sum(axis=1) - _lf(np.array(remaining) - x).sum(axis=1)

    def _bounds_uncached(self, k: int, remaining: tuple[int, ...]) -> tuple[float, float]:
        """The largest and smallest log-weight of the completions from column k on."""
        if k == len(self.columns) - 1:
            value = float(-_lf(remaining).sum())
            return value, value
        if k == len(self.columns) - 2:
            weights = self._last_two(k, remaining)
            return float(weights.max()), float(weights.min())
        best, worst = -math.inf, math.inf
        for x in self._compositions(self.columns[k], remaining):
            here = float(-_lf(x).sum())
            high, low = self._bounds(k + 1, tuple(int(r) for r in np.array(remaining) - x))
            best, worst = max(best, here + high), min(worst, here + low)
        return best, worst

    def _all_completions(self, k: int, remaining: tuple[int, ...]) -> float:
        """The log of the summed weights of every completion from column k on (closed form)."""
        later = self.columns[k:]
        return float(_lf(sum(later)) - _lf(remaining).sum() - _lf(later).sum())

    def _visit(self, k: int, remaining: tuple[int, ...], past: float) -> float:
        high, low = self._bounds(k, remaining)
        if past + high <= self.threshold:
            return math.exp(self.constant + past + self._all_completions(k, remaining))
        if past + low > self.threshold:
            return 0.0
        if k == len(self.columns) - 2:
            weights = past + self._last_two(k, remaining)
            return float(np.exp(self.constant + weights[weights <= self.threshold]).sum())
        total = 0.0
        for x in self._compositions(self.columns[k], remaining):
            total += self._visit(k + 1, tuple(int(r) for r in np.array(remaining) - x), past + float(-_lf(x).sum()))
        return total


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
    # log dhyper(support, m, n, k) up to a constant: choose(m, x) choose(n, k - x)
    log_d = -_lf(support) - _lf(m - support) - _lf(k - support) - _lf(n - k + support)
    d = np.exp(log_d - log_d.max())
    d /= d.sum()
    observed = d[x - support[0]]
    return float(max(0.0, min(1.0, d[d <= observed * (1 + RELATIVE_TOLERANCE)].sum())))
