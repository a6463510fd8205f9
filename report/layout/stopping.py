"""The stopping rules as the closed DSMB report shows them: every sentence, label and table
cell, written from the numbers and status codes of the closed ledger's `stopping` part
(report.stats.stopping computes them; it writes no English and formats no number).

Ledger in (the plain dicts of results-closed.json), strings out: the partial
templates/partials/dsmb/stopping.html.j2 prints these and decides nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from .formatting import MISSING, number, percent
from .stopping_operating import LaidOperating, laid_operating

NONE_DECLARED = "The trial spec declares no stopping rules ([[dsmb.stopping_rules]])."
ROW_LENGTH = 10  # patients per row of a toxicity boundary table
NOT_EVALUABLE = ("Cannot be evaluated.", "status-boundary")  # a verdict: its label and CSS class
CONTINUE = ("Continue.", "status-continue")
# Each status's verdict: a stop in the boundary's colour, success in its own, never one colour for both.
VERDICTS = {
    "stop_futility": ("Futility boundary reached.", "status-boundary"),
    "stop_toxicity": ("Toxicity boundary reached.", "status-boundary"),
    "final_inactive": ("Activity criterion not met.", "status-boundary"),
    "final_active": ("Activity criterion met.", "status-met"),
    "stage1_passed": ("Continue to stage 2.", "status-continue"),
    "not_evaluable": NOT_EVALUABLE,
}


@dataclass(frozen=True)
class SimonRow:
    """One analysis of a Simon design's boundary table."""
    analysis: str
    patients: str
    responses: str
    decision: str
    probability_p0: str
    probability_p1: str


@dataclass(frozen=True)
class ToxicityRow:
    """Up to ROW_LENGTH columns of a toxicity boundary table: patients, and the events that stop."""
    patients: tuple[str, ...]
    events: tuple[str, ...]


@dataclass(frozen=True)
class LaidRule:
    name: str
    verdict: str  # "Continue.", "Futility boundary reached.", "Activity criterion met.", ... (VERDICTS)
    verdict_class: str
    sentence: str  # where the trial stands against the rule
    design: str  # the rule and its operating characteristics
    caption: str  # the boundary table's, before the page's caption suffix
    simon: tuple[SimonRow, ...] | None  # a Simon rule's table
    toxicity: tuple[ToxicityRow, ...] | None  # a toxicity rule's table
    note: str | None  # under the table
    operating: LaidOperating  # how likely the rule is to stop the trial, and after how many patients


@dataclass(frozen=True)
class LaidStopping:
    rules: tuple[LaidRule, ...]
    none_declared: str | None  # the sentence shown where the spec declares no rule


def laid_stopping(stopping: list[dict]) -> LaidStopping:
    """The closed ledger's `stopping` part, laid out for the page."""
    return LaidStopping(tuple(_laid_rule(item) for item in stopping), None if stopping else NONE_DECLARED)


def _laid_rule(item: dict) -> LaidRule:
    rule, status, boundaries = item["rule"], item["status"], item["boundaries"]
    label, css = _verdict(status)
    operating = laid_operating(rule, item["operating_characteristics"])
    if rule["kind"] == "simon":
        return LaidRule(rule["name"], label, css, status_sentence(rule, status), _simon_design(rule, status),
                        f"Boundaries: {rule['name']}", tuple(_simon_row(b) for b in boundaries), None,
                        _simon_note(status), operating)
    return LaidRule(rule["name"], label, css, status_sentence(rule, status), _toxicity_design(rule, status),
                    f"Boundaries: {rule['name']} (stop with at least this many patients with the event)", None,
                    _toxicity_rows(boundaries), None, operating)


def _verdict(status: dict) -> tuple[str, str]:
    return VERDICTS.get(status["status"], CONTINUE)


def status_sentence(rule: dict, status: dict) -> str:
    """Where the trial stands against the rule at the cutoff, and what it means."""
    if rule["kind"] == "simon":
        return _over_accrual(rule, status, _simon_sentence(rule, status))
    if status["status"] == "not_evaluable":
        return (f"The rule cannot be evaluated: adverse events were not collected, so the number of patients "
                f"with {_event(rule)} is unknown.")
    sentence = _toxicity_sentence(rule, status)
    if status["beyond_table"]:  # the rule is the same at any size: it is evaluated at the patients there are
        patients = status["patients"]
        return (f"The safety population ({patients} patients) has passed the {rule['max_patients']} patients of the "
                f"boundary table; the rule is evaluated at {patients} patients. {sentence}")
    return sentence


def decision(boundary: dict) -> str:
    """A Simon analysis's decision rule, e.g. "stop for futility if 1 or fewer respond"."""
    if boundary["stage"] == 1:
        return f"stop for futility if {boundary['responses']} or fewer respond"
    return f"declare the treatment active if more than {boundary['responses']} respond"


# Simon two-stage -----------------------------------------------------------------------------


def _simon_sentence(rule: dict, status: dict) -> str:
    """The sentence for the design's own analyses: the first n evaluable patients."""
    n1, r1, n, r = rule["n1"], rule["r1"], rule["n"], rule["r"]
    evaluated, responses, code = status["final_evaluated"], status["final_responses"], status["status"]
    futility = f"the futility boundary ({r1} or fewer responses in {n1} patients)"
    activity = f"the activity boundary (more than {r} responses in {n} patients)"
    stage = "Stage 1" if evaluated <= n1 else "Stage 2"
    if code == "stop_futility":
        if evaluated >= n1:
            return (f"Stage 1 complete: {_responses(status['stage1_responses'])} in the first {n1} patients, "
                    f"within {futility}. Stop for futility.")
        return (f"Stage 1: {evaluated} of {n1} patients evaluated, {_responses(responses)}; even if "
                f"{_remaining(n1 - evaluated)}, stage 1 ends within {futility}. Stop for futility.")
    if code == "final_active":
        if evaluated == n:
            return (f"Final analysis: {_responses(responses)} in {n} patients, beyond {activity}. "
                    "The treatment meets the activity criterion.")
        return (f"{stage}: {evaluated} of {n} patients evaluated, {_responses(responses)}, "
                f"already beyond {activity}. The treatment meets the activity criterion.")
    if code == "final_inactive":
        if evaluated == n:
            return (f"Final analysis: {_responses(responses)} in {n} patients, short of {activity}. "
                    "The treatment does not meet the activity criterion.")
        return (f"{stage}: {evaluated} of {n} patients evaluated, {_responses(responses)}; "
                f"even if {_remaining(n - evaluated)}, {activity} cannot be reached. "
                "The treatment cannot meet the activity criterion.")
    if code == "stage1_passed":
        if evaluated == n1:
            return (f"Stage 1 complete: {_responses(responses)} in {n1} patients, more than the futility "
                    f"boundary of {r1}. Continue to stage 2 ({n} patients in total).")
        return (f"Stage 1: {evaluated} of {n1} patients evaluated, {_responses(responses)}; {futility} "
                f"can no longer be reached. Continue to stage 2 ({n} patients in total).")
    if evaluated <= n1:
        return (f"Stage 1: {evaluated} of {n1} patients evaluated, {_responses(responses)}; stage 2 "
                f"requires more than {_responses(r1)} in the first {n1} patients. Continue.")
    return (f"Stage 2: {evaluated} of {n} patients evaluated, {_responses(responses)}; activity "
            f"requires more than {_responses(r)} in {n} patients. Continue.")


def _over_accrual(rule: dict, status: dict, sentence: str) -> str:
    """The sentence, framed by what accrual past the design's n means for it."""
    extra = status["beyond_design"]
    if not extra:
        return sentence
    one = extra == 1
    return (f"Accrual has passed the design's n: {status['evaluated']} patients evaluated for response, {extra} more "
            f"than the {rule['n']} the design plans. {sentence} The final analysis compares the responses among the "
            f"first {rule['n']} evaluable patients (in order of enrollment) with r = {rule['r']}; the {extra} further "
            f"{'patient' if one else 'patients'} ({_responses(status['beyond_design_responses'])}; "
            f"{status['responses']} in all {status['evaluated']}) {'is' if one else 'are'} outside the design, whose "
            f"error rates do not cover {'it' if one else 'them'}.")


def _simon_design(rule: dict, status: dict) -> str:
    p0 = percent(rule["p0"])
    return (f"Simon two-stage design: response rate {p0} uninteresting, {percent(rule['p1'])} worth pursuing. "
            f"Exact type I error {number(status['type_one_error'], 3)}, power {number(status['power'], 3)}; "
            f"probability of stopping after stage 1 when the rate is {p0}: "
            f"{number(status['probability_early_termination'], 3)}; expected sample size then "
            f"{number(status['expected_sample_size'])}.")


def _simon_row(boundary: dict) -> SimonRow:
    return SimonRow("Stage 1" if boundary["stage"] == 1 else "Final", str(boundary["patients"]),
                    str(boundary["responses"]), decision(boundary), number(boundary["probability_p0"], 3),
                    number(boundary["probability_p1"], 3))


def _simon_note(status: dict) -> str:
    return (f"Status at the cutoff: {status['evaluated']} patients evaluated for response, {status['responses']} "
            f"responses; stage 1: {status['stage1_responses']} responses among the first {status['stage1_evaluated']}. "
            "P: probability of the decision when the true rate is p0 or p1.")


def _responses(count: int) -> str:
    return f"{count} response" if count == 1 else f"{count} responses"


def _remaining(count: int) -> str:
    return "the remaining patient responds" if count == 1 else f"the remaining {count} patients respond"


# Beta-binomial toxicity ------------------------------------------------------------------------


def _toxicity_sentence(rule: dict, status: dict) -> str:
    events, patients, probability, boundary = (status["events"], status["patients"], status["probability"],
                                               status["boundary"])
    limit = rule["limit"]
    had = f"{events} of {_patients(patients)} had {_event(rule)}"
    shown = f"P(rate > {_percent(rule['threshold'])}) {_close(probability, limit)}"
    at = f"at {_patients(patients)}"
    where = (f"the boundary {at} is {boundary} {'event' if boundary == 1 else 'events'}" if boundary is not None
             else f"no number of events {at} crosses the limit")
    if status["status"] == "stop_toxicity":
        return f"{had}; {shown}, above the {_limit(limit)} limit ({where}). Stop for toxicity."
    relation = "below" if probability < limit else "equal to"
    return f"{had}; {shown}, {relation} the {_limit(limit)} limit; {where}. Continue."


def _toxicity_design(rule: dict, status: dict) -> str:
    who = "a treatment-related " if rule["related_only"] else "an "
    design = (f"Bayesian monitoring of the rate of patients with {who}adverse event of grade {rule['min_grade']} or "
              f"higher: Beta({number(rule['prior_a'], 1)}, {number(rule['prior_b'], 1)}) prior; stop if "
              f"P(rate > {percent(rule['threshold'])} | data) > {number(rule['limit'], 2)}.")
    if status["events"] is None:  # not collected: no count, no posterior
        return design
    return (f"{design} At the cutoff: {status['events']} of {status['patients']} patients; posterior "
            f"Beta({number(status['posterior_a'], 1)}, {number(status['posterior_b'], 1)}); "
            f"P(rate > {percent(rule['threshold'])}) = {number(status['probability'], 3)}.")


def _toxicity_rows(boundaries: list[dict]) -> tuple[ToxicityRow, ...]:
    chunks = [boundaries[i:i + ROW_LENGTH] for i in range(0, len(boundaries), ROW_LENGTH)]
    return tuple(ToxicityRow(tuple(str(b["patients"]) for b in chunk),
                             tuple(MISSING if b["events"] is None else str(b["events"]) for b in chunk))
                 for chunk in chunks)


def _patients(count: int) -> str:
    return f"{count} {'patient' if count == 1 else 'patients'}"


def _event(rule: dict) -> str:
    grade = f"grade {rule['min_grade']} or higher" if rule["min_grade"] < 5 else "grade 5"
    return f"a {grade} adverse event{' related to treatment' if rule['related_only'] else ''}"


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
