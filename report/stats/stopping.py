"""Stopping rules a DSMB evaluates at the data cutoff: Simon two-stage and beta-binomial toxicity.

Simon (1989), Controlled Clinical Trials 10:1-10: the design characteristics are exact
binomial sums. Toxicity monitoring: with a Beta(a, b) prior, the rate after x events in n
patients is Beta(a + x, b + n - x); stop when P(rate > threshold | data) > limit.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from ..inputs.spec import SimonRule, ToxicityRule, simon_problems

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
    responses: int  # the boundary: r1, then r
    decision: str  # e.g. "stop for futility if 1 or fewer respond"
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
    message: str
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
    message: str
    beyond_table: int = 0  # patients beyond the boundary table's max_patients


# Simon two-stage -----------------------------------------------------------------------------


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
    stage1 = SimonBoundary(
        1, rule.n1, rule.r1, f"stop for futility if {rule.r1} or fewer respond",
        design.probability_early_termination, design.probability_early_termination_p1,
    )
    final = SimonBoundary(
        2, rule.n, rule.r, f"declare the treatment active if more than {rule.r} respond",
        design.type_one_error, design.power,
    )
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
        message=_over_accrual_message(rule, results, _simon_message(rule, within, status)),
        probability_early_termination=design.probability_early_termination,
        expected_sample_size=design.expected_sample_size,
        type_one_error=design.type_one_error,
        power=design.power,
        final_evaluated=len(within),
        final_responses=sum(within),
        beyond_design=len(beyond),
        beyond_design_responses=sum(beyond),
    )


def _over_accrual_message(rule: SimonRule, results: list[bool], message: str) -> str:
    """The status message, framed by what accrual past the design's n means for it."""
    extra = len(results) - rule.n
    if extra <= 0:
        return message
    further = sum(results[rule.n:])
    return (f"Accrual has passed the design's n: {len(results)} patients evaluated for response, {extra} more than "
            f"the {rule.n} the design plans. {message} The final analysis compares the responses among the first "
            f"{rule.n} evaluable patients (in order of enrollment) with r = {rule.r}; the {extra} further "
            f"{'patient' if extra == 1 else 'patients'} ({_responses(further)}; {sum(results)} in all "
            f"{len(results)}) {'is' if extra == 1 else 'are'} outside the design, whose error rates do not cover "
            f"{'it' if extra == 1 else 'them'}.")


def _check_simon(rule: SimonRule) -> None:
    """A rule built without validation (model_construct) is checked here too."""
    problems = simon_problems(rule)
    if problems:
        raise ValueError(f"Simon rule {rule.name!r} is inconsistent: " + "; ".join(problems))


def _early_termination(rule: SimonRule, p: float) -> float:
    return float(stats.binom.cdf(rule.r1, rule.n1, p))


def _expected_sample_size(rule: SimonRule, pet: float) -> float:
    return rule.n1 + (1 - pet) * (rule.n - rule.n1)


def _probability_active(rule: SimonRule, p: float) -> float:
    """P(X1 > r1 and X1 + X2 > r), X1 ~ Bin(n1, p), X2 ~ Bin(n - n1, p)."""
    x1 = np.arange(rule.r1 + 1, rule.n1 + 1)
    # binom.sf(k) = P(X2 > k), which is 1 for k < 0.
    return float(np.sum(stats.binom.pmf(x1, rule.n1, p) * stats.binom.sf(rule.r - x1, rule.n - rule.n1, p)))


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


def _simon_message(rule: SimonRule, results: list[bool], status: SimonStatusCode) -> str:
    evaluated, responses = len(results), sum(results)
    stage1_responses = sum(results[: rule.n1])
    futility = f"the futility boundary ({rule.r1} or fewer responses in {rule.n1} patients)"
    activity = f"the activity boundary (more than {rule.r} responses in {rule.n} patients)"
    if status == "stop_futility":
        if evaluated >= rule.n1:
            return (f"Stage 1 complete: {_responses(stage1_responses)} in the first {rule.n1} patients, "
                    f"within {futility}. Stop for futility.")
        left = rule.n1 - evaluated
        return (f"Stage 1: {evaluated} of {rule.n1} patients evaluated, {_responses(responses)}; even if "
                f"{_remaining(left)}, stage 1 ends within {futility}. Stop for futility.")
    if status == "final_active":
        if evaluated == rule.n:
            return (f"Final analysis: {_responses(responses)} in {rule.n} patients, beyond {activity}. "
                    "The treatment meets the activity criterion.")
        return (f"{_stage(rule, evaluated)}: {evaluated} of {rule.n} patients evaluated, {_responses(responses)}, "
                f"already beyond {activity}. The treatment meets the activity criterion.")
    if status == "final_inactive":
        if evaluated == rule.n:
            return (f"Final analysis: {_responses(responses)} in {rule.n} patients, short of {activity}. "
                    "The treatment does not meet the activity criterion.")
        left = rule.n - evaluated
        return (f"{_stage(rule, evaluated)}: {evaluated} of {rule.n} patients evaluated, {_responses(responses)}; "
                f"even if {_remaining(left)}, {activity} cannot be reached. "
                "The treatment cannot meet the activity criterion.")
    if status == "stage1_passed":
        if evaluated == rule.n1:
            return (f"Stage 1 complete: {_responses(responses)} in {rule.n1} patients, more than the futility "
                    f"boundary of {rule.r1}. Continue to stage 2 ({rule.n} patients in total).")
        return (f"Stage 1: {evaluated} of {rule.n1} patients evaluated, {_responses(responses)}; {futility} "
                f"can no longer be reached. Continue to stage 2 ({rule.n} patients in total).")
    if evaluated <= rule.n1:
        return (f"Stage 1: {evaluated} of {rule.n1} patients evaluated, {_responses(responses)}; stage 2 "
                f"requires more than {_responses(rule.r1)} in the first {rule.n1} patients. Continue.")
    return (f"Stage 2: {evaluated} of {rule.n} patients evaluated, {_responses(responses)}; activity "
            f"requires more than {_responses(rule.r)} in {rule.n} patients. Continue.")


def _stage(rule: SimonRule, evaluated: int) -> str:
    return "Stage 1" if evaluated <= rule.n1 else "Stage 2"


def _responses(count: int) -> str:
    return f"{count} response" if count == 1 else f"{count} responses"


def _remaining(count: int) -> str:
    return "the remaining patient responds" if count == 1 else f"the remaining {count} patients respond"


# Beta-binomial toxicity ------------------------------------------------------------------------


def toxicity_probability(rule: ToxicityRule, events: int, patients: int) -> float:
    """P(rate > threshold | events in patients): R's 1 - pbeta(threshold, a + x, b + n - x)."""
    a, b = _posterior(rule, events, patients)
    return float(stats.beta.sf(rule.threshold, a, b))


def toxicity_boundaries(rule: ToxicityRule) -> tuple[ToxicityBoundary, ...]:
    """For 1..max_patients patients, the fewest events with P(rate > threshold) above the limit."""
    return tuple(_toxicity_boundary(rule, n) for n in range(1, rule.max_patients + 1))


def toxicity_status(rule: ToxicityRule, events: int, patients: int) -> ToxicityStatus:
    """The posterior after `events` in `patients` against the rule's limit."""
    if not 0 <= events <= patients:
        raise ValueError(f"{rule.name}: events ({events}) must be between 0 and the number of patients ({patients})")
    a, b = _posterior(rule, events, patients)
    probability = toxicity_probability(rule, events, patients)
    boundary = _toxicity_boundary(rule, patients).events
    reached = probability > rule.limit
    beyond = max(0, patients - rule.max_patients)
    message = _toxicity_message(rule, events, patients, probability, boundary)
    if beyond:  # the rule is the same at any size: it is evaluated at the patients there are
        message = (f"The safety population ({patients} patients) has passed the {rule.max_patients} patients of the "
                   f"boundary table; the rule is evaluated at {patients} patients. {message}")
    return ToxicityStatus(
        rule=rule.name, events=events, patients=patients, posterior_a=a, posterior_b=b,
        threshold=rule.threshold, limit=rule.limit, probability=probability, boundary=boundary,
        boundary_reached=reached, status="stop_toxicity" if reached else "continue",
        message=message, beyond_table=beyond,
    )


def toxicity_not_evaluable(rule: ToxicityRule, patients: int) -> ToxicityStatus:
    """The rule where adverse events were not collected: no count, no decision (never 0 events)."""
    return ToxicityStatus(
        rule=rule.name, events=None, patients=patients, posterior_a=None, posterior_b=None,
        threshold=rule.threshold, limit=rule.limit, probability=None, boundary=_toxicity_boundary(rule, patients).events,
        boundary_reached=False, status="not_evaluable",
        message=f"The rule cannot be evaluated: adverse events were not collected, so the number of patients "
                f"with {_event(rule)} is unknown.",
    )


def _posterior(rule: ToxicityRule, events: int, patients: int) -> tuple[float, float]:
    return rule.prior_a + events, rule.prior_b + patients - events


def _toxicity_boundary(rule: ToxicityRule, patients: int) -> ToxicityBoundary:
    # Every x from 0 to n is evaluated, so the row is the smallest crossing by construction.
    x = np.arange(patients + 1)
    probability = stats.beta.sf(rule.threshold, rule.prior_a + x, rule.prior_b + patients - x)
    crossing = np.flatnonzero(probability > rule.limit)
    if crossing.size == 0:
        return ToxicityBoundary(patients, None, None)
    first = int(crossing[0])
    return ToxicityBoundary(patients, first, float(probability[first]))


def _toxicity_message(rule: ToxicityRule, events: int, patients: int, probability: float, boundary: int | None) -> str:
    had = f"{events} of {patients} {'patient' if patients == 1 else 'patients'} had {_event(rule)}"
    shown = f"P(rate > {_percent(rule.threshold)}) {_close(probability, rule.limit)}"
    at = f"at {patients} {'patient' if patients == 1 else 'patients'}"
    where = (f"the boundary {at} is {boundary} {'event' if boundary == 1 else 'events'}" if boundary is not None
             else f"no number of events {at} crosses the limit")
    if probability > rule.limit:
        return f"{had}; {shown}, above the {_limit(rule.limit)} limit ({where}). Stop for toxicity."
    relation = "below" if probability < rule.limit else "equal to"
    return f"{had}; {shown}, {relation} the {_limit(rule.limit)} limit; {where}. Continue."


def _event(rule: ToxicityRule) -> str:
    grade = f"grade {rule.min_grade} or higher" if rule.min_grade < 5 else "grade 5"
    return f"a {grade} adverse event{' related to treatment' if rule.related_only else ''}"


def _percent(value: float) -> str:
    return f"{round(value * 100, 6):g}%"


def _limit(value: float) -> str:
    """0.8 -> '0.80', 0.875 -> '0.875': at least two decimals, never rounded."""
    return next((text for d in range(2, 10) if float(text := f"{value:.{d}f}") == value), repr(value))


def _close(probability: float, limit: float) -> str:
    """'= 0.62', '< 0.01', '> 0.99'; more decimals where two would print the probability equal to the limit."""
    for digits in range(2, 7):
        text = f"{probability:.{digits}f}"
        if text != f"{limit:.{digits}f}":
            break
    if text == "0.00":
        return "< 0.01"
    if text == "1.00":
        return "> 0.99"
    return f"= {text}"
