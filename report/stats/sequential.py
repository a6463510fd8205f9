"""The operating characteristics of a stopping rule checked after every patient, computed exactly.

A rule with a boundary b_n at each look n = 1..N (stop as soon as the events among the
first n patients reach b_n; no boundary at a look: never stop there) is a sequence of
binomial trials. The exact sequential calculation carries, from look to look, the
distribution of the event count among the paths that have not yet stopped:

    f_n(x) = f_{n-1}(x) (1 - p) + f_{n-1}(x - 1) p       (one more patient)
    P(stop at n) = sum_{x >= b_n} f_n(x), then f_n(x) = 0 for x >= b_n

so P(stop) = sum_n P(stop at n) and the expected number of patients at stopping (or at the
end, N, where the rule never stops) = sum_n n P(stop at n) + N (1 - P(stop)). No simulation.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

METHOD = "exact-sequential-binomial"


@dataclass(frozen=True)
class Characteristics:
    """The rule under one true event rate."""
    rate: float
    probability_stop: float  # of crossing the boundary at any look
    expected_patients: float  # at stopping, or all looks' patients where it never stops
    probability_first_look: float  # of stopping at the first look with a boundary (0 where there is none)
    stop_by_look: tuple[float, ...]  # P(stop at look n), n = 1..N


def characteristics(boundaries: Sequence[int | None], rate: float) -> Characteristics:
    """P(stop), E(patients) and P(stop at look n) for a rule with `boundaries[n - 1]` = b_n, one patient a look."""
    if not 0 <= rate <= 1:
        raise ValueError(f"the event rate must be between 0 and 1, not {rate}")
    continuing = np.array([1.0])  # P(x events and not yet stopped), before the first patient
    stops = []
    for n, boundary in enumerate(boundaries, start=1):
        grown = np.zeros(n + 1)
        grown[:-1] += continuing * (1 - rate)
        grown[1:] += continuing * rate
        stopped = 0.0
        if boundary is not None:
            stopped = float(grown[boundary:].sum())
            grown[boundary:] = 0.0
        stops.append(stopped)
        continuing = grown
    total = float(sum(stops))
    looks = len(boundaries)
    expected = sum(n * s for n, s in enumerate(stops, start=1)) + looks * (1 - total)
    first = next((i for i, b in enumerate(boundaries) if b is not None), None)
    return Characteristics(rate, total, float(expected), 0.0 if first is None else stops[first], tuple(stops))
