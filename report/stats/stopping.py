"""Stopping rules a DSMB evaluates at the data cutoff: Simon two-stage and beta-binomial toxicity.

Simon (1989), Controlled Clinical Trials 10:1-10: the design characteristics are exact
binomial sums. Toxicity monitoring: with a Beta(a, b) prior, the rate after x events in n
patients is Beta(a + x, b + n - x); stop when P(rate > threshold | data) > limit.

Numbers and status codes only: report.layout.stopping writes every sentence a report shows.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import special  # not scipy.stats: its import alone costs more than a report's analysis

from ..inputs.spec import SimonRule, ToxicityRule, simon_problems
from .sequential import METHOD, characteristics

SimonStatusCode = Literal["continue", "stage1_passed", "stop_futility", "final_active", "final_inactive"]
ToxicityStatusCode = Literal["continue", "stop_toxicity", "not_evaluable"]


@dataclass(frozen=True)
class SimonDesign:
    """The design's operating characteristics, exact under p0 and p1."""
    n1: int
    r1: int
    n: int
    r: int
    p0: float
    p1: float
    probability_early_termination: float  # P(X1 <= r1 | p0)
    probability_early_termination_p1: float  # P(X1 <= r1 | p1)
    expected_sample_size: float  # under p0
    expected_sample_size_p1: float
    type_one_error: float  # P(X1 > r1 and X1 + X2 > r | p0)
    power: float  # the same under p1


@dataclass(frozen=True)
class SimonBoundary:
    """One analysis of the boundary table: stage 1 (after n1 patients) or the final one (after n)."""
    stage: int  # 1 or 2
    patients: int  # cumulative evaluable patients at this analysis: n1, then n
    responses: int  # the boundary: r1, then r (stage 1: stop for futility at r1 or fewer; final: active above r)
    # Stage 1: the probability of stopping for futility; final: of declaring the treatment active.
    probability_p0: float
    probability_p1: float


@dataclass(frozen=True)
class SimonStatus:
    rule: str
    evaluated: int
    responses: int
    stage: int  # the stage of the latest evaluated patient: 2 once more than n1 are evaluated
    stage1_evaluated: int
    stage1_responses: int
    status: SimonStatusCode
    boundary_reached: bool  # a decision is made: stop for futility, or the final outcome is certain
    probability_early_termination: float
    expected_sample_size: float
    type_one_error: float
    power: float
    # The design's analyses count the first n evaluable patients; accrual may pass n.
    final_evaluated: int = 0  # of the first n
    final_responses: int = 0  # among the first n
    beyond_design: int = 0  # evaluable patients after the first n
    beyond_design_responses: int = 0


@dataclass(frozen=True)
class ToxicityBoundary:
    patients: int
    events: int | None  # the fewest events that cross the limit; None: even all n do not
    probability: float | None  # P(rate > threshold) at that many events


@dataclass(frozen=True)
class ToxicityStatus:
    """None where the rule cannot be evaluated (adverse events were not collected)."""
    rule: str
    events: int | None
    patients: int
    posterior_a: float | None
    posterior_b: float | None
    threshold: float
    limit: float
    probability: float | None  # P(rate > threshold | data)
    boundary: int | None  # the fewest events at the current number of patients that stop
    boundary_reached: bool
    status: ToxicityStatusCode
    beyond_table: int = 0  # patients beyond the boundary table's max_patients


@dataclass(frozen=True)
class OperatingRate:
    """The rule under one true rate: its chance of stopping the trial, and the patients it takes."""
    label: str  # "acceptable" or "unacceptable" (toxicity); "p0" or "p1" (Simon)
    rate: float
    probability_stop: float  # toxicity: crossing the boundary at any look; Simon: stopping for futility after stage 1
    expected_patients: float  # at stopping, or the rule's full size where it does not stop
    probability_first_look: float  # of stopping at the earliest look where the rule can stop


@dataclass(frozen=True)
class Operating:
    """A rule's operating characteristics, exact (no simulation)."""
    method: str  # METHOD for a toxicity rule; SIMON_METHOD
    first_patients: int | None  # the earliest look where the rule can stop: its patients ...
    first_events: int | None  # ... and the events (toxicity: at least this many; Simon: this many or fewer)
    max_patients: int  # the rule's full size: the toxicity table's last look, Simon's n
    rates: tuple[OperatingRate, ...]


SIMON_METHOD = "exact-binomial-two-stage"
RATE_MARGIN = 0.10  # default acceptable and unacceptable rates: this far either side of the threshold


# Simon two-stage -----------------------------------------------------------------------------


def simon_operating(rule: SimonRule) -> Operating:
    """Under p0 and p1: the chance of stopping for futility after stage 1, and the expected sample size."""
    design = simon_design(rule)
    rates = (OperatingRate("p0", rule.p0, design.probability_early_termination, design.expected_sample_size,
                           design.probability_early_termination),
             OperatingRate("p1", rule.p1, design.probability_early_termination_p1, design.expected_sample_size_p1,
                           design.probability_early_termination_p1))
    return Operating(SIMON_METHOD, rule.n1, rule.r1, rule.n, rates)


def simon_design(rule: SimonRule) -> SimonDesign:
    """The exact PET, expected sample size, type I error and power of the rule's design."""
    _check_simon(rule)
    pet0, pet1 = _early_termination(rule, rule.p0), _early_termination(rule, rule.p1)
    return SimonDesign(
        rule.n1, rule.r1, rule.n, rule.r, rule.p0, rule.p1,
        probability_early_termination=pet0,
        probability_early_termination_p1=pet1,
        expected_sample_size=_expected_sample_size(rule, pet0),
        expected_sample_size_p1=_expected_sample_size(rule, pet1),
        type_one_error=_probability_active(rule, rule.p0),
        power=_probability_active(rule, rule.p1),
    )


def simon_boundaries(rule: SimonRule) -> tuple[SimonBoundary, ...]:
    """The two analyses a DSMB reads: the futility look after n1 and the final one after n."""
    design = simon_design(rule)
    stage1 = SimonBoundary(1, rule.n1, rule.r1, design.probability_early_termination,
                           design.probability_early_termination_p1)
    final = SimonBoundary(2, rule.n, rule.r, design.type_one_error, design.power)
    return stage1, final


def simon_status(rule: SimonRule, outcomes: Sequence[bool]) -> SimonStatus:
    """Where the trial stands against the rule, given the evaluable patients' responses in enrollment order.

    Accrual may pass the design's n: the rule is then evaluated at its final analysis, on
    the first n evaluable patients, as the design specifies; the further patients are
    counted and named, outside the decision.
    """
    design = simon_design(rule)
    results = [bool(o) for o in outcomes]
    within, beyond = results[: rule.n], results[rule.n:]
    status = _simon_code(rule, within)
    return SimonStatus(
        rule=rule.name,
        evaluated=len(results),
        responses=sum(results),
        stage=1 if len(results) <= rule.n1 else 2,
        stage1_evaluated=min(len(results), rule.n1),
        stage1_responses=sum(results[: rule.n1]),
        status=status,
        boundary_reached=status in ("stop_futility", "final_active", "final_inactive"),
        probability_early_termination=design.probability_early_termination,
        expected_sample_size=design.expected_sample_size,
        type_one_error=design.type_one_error,
        power=design.power,
        final_evaluated=len(within),
        final_responses=sum(within),
        beyond_design=len(beyond),
        beyond_design_responses=sum(beyond),
    )


def _check_simon(rule: SimonRule) -> None:
    """A rule built without validation (model_construct) is checked here too."""
    problems = simon_problems(rule)
    if problems:
        raise ValueError(f"Simon rule {rule.name!r} is inconsistent: " + "; ".join(problems))


def _early_termination(rule: SimonRule, p: float) -> float:
    return float(special.bdtr(rule.r1, rule.n1, p))  # binom.cdf


def _expected_sample_size(rule: SimonRule, pet: float) -> float:
    return rule.n1 + (1 - pet) * (rule.n - rule.n1)


def _probability_active(rule: SimonRule, p: float) -> float:
    """P(X1 > r1 and X1 + X2 > r), X1 ~ Bin(n1, p), X2 ~ Bin(n - n1, p)."""
    x1 = np.arange(rule.r1 + 1, rule.n1 + 1)
    # bdtrc(k) = P(X2 > k): 1 for k < 0, 0 for k >= n2 (where bdtrc itself is NaN).
    n2 = rule.n - rule.n1
    return float(np.sum(_binomial_pmf(x1, rule.n1, p) * special.bdtrc(np.minimum(rule.r - x1, n2), n2, p)))


def _binomial_pmf(x: np.ndarray, n: int, p: float) -> np.ndarray:
    """R's dbinom(x, n, p), to within a few units in the last place."""
    return special.binom(n, x) * p ** x * (1 - p) ** (n - x)


def _simon_code(rule: SimonRule, results: list[bool]) -> SimonStatusCode:
    stage1 = results[: rule.n1]
    stage1_left = rule.n1 - len(stage1)
    responses, left = sum(results), rule.n - len(results)
    # Even if every remaining stage-1 patient responds, stage 1 ends at or below r1.
    if sum(stage1) + stage1_left <= rule.r1:
        return "stop_futility"
    if responses > rule.r:
        return "final_active"
    if responses + left <= rule.r:
        return "final_inactive"
    if sum(stage1) > rule.r1 and len(results) <= rule.n1:
        return "stage1_passed"
    return "continue"


# Beta-binomial toxicity ------------------------------------------------------------------------


def toxicity_probability(rule: ToxicityRule, events: int, patients: int) -> float:
    """P(rate > threshold | events in patients): R's 1 - pbeta(threshold, a + x, b + n - x)."""
    a, b = _posterior(rule, events, patients)
    return float(special.betaincc(a, b, rule.threshold))  # beta.sf


def toxicity_boundaries(rule: ToxicityRule) -> tuple[ToxicityBoundary, ...]:
    """For 1..max_patients patients, the fewest events with P(rate > threshold) above the limit."""
    return tuple(_toxicity_boundary(rule, n) for n in range(1, rule.max_patients + 1))


def toxicity_rates(rule: ToxicityRule) -> tuple[float, float]:
    """The acceptable and unacceptable true rates: the spec's, else RATE_MARGIN either side of the threshold
    (at most halfway to 0 or 1)."""
    t = rule.threshold
    low = rule.acceptable_rate if rule.acceptable_rate is not None else max(t - RATE_MARGIN, t / 2)
    high = rule.unacceptable_rate if rule.unacceptable_rate is not None else min(t + RATE_MARGIN, (1 + t) / 2)
    return round(low, 12), round(high, 12)


def toxicity_operating(rule: ToxicityRule, boundaries: Sequence[ToxicityBoundary] | None = None) -> Operating:
    """Under the acceptable and the unacceptable rate: the chance that the boundary table stops the trial
    (a look after every patient, 1..max_patients), and the expected patients at stopping; exact.
    `boundaries`: the rule's table, where the caller has it (else computed)."""
    boundaries = toxicity_boundaries(rule) if boundaries is None else boundaries
    table = [b.events for b in boundaries]
    first = next((b for b in boundaries if b.events is not None), ToxicityBoundary(None, None, None))
    rates = []
    for label, rate in zip(("acceptable", "unacceptable"), toxicity_rates(rule), strict=True):
        c = characteristics(table, rate)
        rates.append(OperatingRate(label, rate, c.probability_stop, c.expected_patients, c.probability_first_look))
    return Operating(METHOD, first.patients, first.events, rule.max_patients, tuple(rates))


def toxicity_status(rule: ToxicityRule, events: int, patients: int) -> ToxicityStatus:
    """The posterior after `events` in `patients` against the rule's limit."""
    if not 0 <= events <= patients:
        raise ValueError(f"{rule.name}: events ({events}) must be between 0 and the number of patients ({patients})")
    a, b = _posterior(rule, events, patients)
    probability = toxicity_probability(rule, events, patients)
    boundary = _toxicity_boundary(rule, patients).events
    reached = probability > rule.limit
    beyond = max(0, patients - rule.max_patients)
    return ToxicityStatus(
        rule=rule.name, events=events, patients=patients, posterior_a=a, posterior_b=b,
        threshold=rule.threshold, limit=rule.limit, probability=probability, boundary=boundary,
        boundary_reached=reached, status="stop_toxicity" if reached else "continue", beyond_table=beyond,
    )


def toxicity_not_evaluable(rule: ToxicityRule, patients: int) -> ToxicityStatus:
    """The rule where adverse events were not collected: no count, no decision (never 0 events)."""
    return ToxicityStatus(
        rule=rule.name, events=None, patients=patients, posterior_a=None, posterior_b=None,
        threshold=rule.threshold, limit=rule.limit, probability=None, boundary=_toxicity_boundary(rule, patients).events,
        boundary_reached=False, status="not_evaluable",
    )


def _posterior(rule: ToxicityRule, events: int, patients: int) -> tuple[float, float]:
    return rule.prior_a + events, rule.prior_b + patients - events


def _toxicity_boundary(rule: ToxicityRule, patients: int) -> ToxicityBoundary:
    # Every x from 0 to n is evaluated, so the row is the smallest crossing by construction.
    x = np.arange(patients + 1)
    probability = special.betaincc(rule.prior_a + x, rule.prior_b + patients - x, rule.threshold)
    crossing = np.flatnonzero(probability > rule.limit)
    if crossing.size == 0:
        return ToxicityBoundary(patients, None, None)
    first = int(crossing[0])
    return ToxicityBoundary(patients, first, float(probability[first]))
