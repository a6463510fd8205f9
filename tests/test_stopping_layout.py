"""The stopping rules' sentences and tables, written by layout (report.layout.stopping) from
the numbers and status codes that report.stats.stopping returns: every branch of the
wording, the over-accrual and not-evaluable cases, and the numbers' formats."""
import typing

import pytest

from report.analysis.ledger import plain
from report.inputs.spec import SimonRule, ToxicityRule
from report.layout.stopping import decision, laid_stopping, status_sentence
from report.stats.stopping import (
    SimonStatusCode,
    ToxicityStatusCode,
    simon_boundaries,
    simon_operating,
    simon_status,
    toxicity_boundaries,
    toxicity_not_evaluable,
    toxicity_operating,
    toxicity_status,
)


def simon(n1, r1, n, r, p0=0.1, p1=0.3, name="Response") -> SimonRule:
    return SimonRule(kind="simon", name=name, p0=p0, p1=p1, alpha=0.05, power=0.8, n1=n1, r1=r1, n=n, r=r)


def toxicity(a=1.0, b=1.0, threshold=0.3, limit=0.8, max_patients=30, min_grade=3, related_only=False) -> ToxicityRule:
    return ToxicityRule(kind="beta-binomial", name="Toxicity", prior_a=a, prior_b=b, threshold=threshold, limit=limit,
                        max_patients=max_patients, min_grade=min_grade, related_only=related_only)


def outcomes(*runs: tuple[bool, int]) -> list[bool]:
    return [value for value, count in runs for _ in range(count)]


def item(rule, status, boundaries) -> dict:
    """One rule as the closed ledger holds it (report.analysis.dsmb_ledger)."""
    operating = simon_operating(rule) if rule.kind == "simon" else toxicity_operating(rule)
    return {"rule": rule.model_dump(mode="json"), "status": plain(status), "boundaries": plain(boundaries),
            "operating_characteristics": plain(operating)}


O = simon(10, 1, 29, 5)  # Simon (1989) optimal, p0 .10, p1 .30
T, F = True, False

# The sentences as report.stats.stopping wrote them before they moved to layout, word for word.
SIMON = [
    ("stop_futility, stage 1 complete", O, outcomes((T, 1), (F, 9)), "stop_futility",
     "Stage 1 complete: 1 response in the first 10 patients, within the futility boundary (1 or fewer responses in "
     "10 patients). Stop for futility."),
    ("stop_futility, before n1", O, outcomes((F, 9)), "stop_futility",
     "Stage 1: 9 of 10 patients evaluated, 0 responses; even if the remaining patient responds, stage 1 ends within "
     "the futility boundary (1 or fewer responses in 10 patients). Stop for futility."),
    ("stop_futility, before n1, 2 left", simon(10, 2, 29, 5), outcomes((F, 8)), "stop_futility",
     "Stage 1: 8 of 10 patients evaluated, 0 responses; even if the remaining 2 patients respond, stage 1 ends within "
     "the futility boundary (2 or fewer responses in 10 patients). Stop for futility."),
    ("final_active at n", O, outcomes((T, 2), (F, 8), (T, 4), (F, 15)), "final_active",
     "Final analysis: 6 responses in 29 patients, beyond the activity boundary (more than 5 responses in 29 patients). "
     "The treatment meets the activity criterion."),
    ("final_active before n, stage 2", O, outcomes((T, 2), (F, 8), (T, 4)), "final_active",
     "Stage 2: 14 of 29 patients evaluated, 6 responses, already beyond the activity boundary (more than 5 responses "
     "in 29 patients). The treatment meets the activity criterion."),
    ("final_active before n1", simon(10, 1, 29, 2), outcomes((T, 3)), "final_active",
     "Stage 1: 3 of 29 patients evaluated, 3 responses, already beyond the activity boundary (more than 2 responses "
     "in 29 patients). The treatment meets the activity criterion."),
    ("final_inactive at n", O, outcomes((T, 2), (F, 8), (T, 3), (F, 16)), "final_inactive",
     "Final analysis: 5 responses in 29 patients, short of the activity boundary (more than 5 responses in 29 "
     "patients). The treatment does not meet the activity criterion."),
    ("final_inactive before n", O, outcomes((T, 2), (F, 24)), "final_inactive",
     "Stage 2: 26 of 29 patients evaluated, 2 responses; even if the remaining 3 patients respond, the activity "
     "boundary (more than 5 responses in 29 patients) cannot be reached. The treatment cannot meet the activity "
     "criterion."),
    ("final_inactive before n, 1 left", O, outcomes((T, 2), (F, 26)), "final_inactive",
     "Stage 2: 28 of 29 patients evaluated, 2 responses; even if the remaining patient responds, the activity "
     "boundary (more than 5 responses in 29 patients) cannot be reached. The treatment cannot meet the activity "
     "criterion."),
    ("stage1_passed at n1", O, outcomes((F, 8), (T, 2)), "stage1_passed",
     "Stage 1 complete: 2 responses in 10 patients, more than the futility boundary of 1. Continue to stage 2 "
     "(29 patients in total)."),
    ("stage1_passed before n1", simon(15, 4, 40, 12), outcomes((T, 5), (F, 7)), "stage1_passed",
     "Stage 1: 12 of 15 patients evaluated, 5 responses; the futility boundary (4 or fewer responses in 15 patients) "
     "can no longer be reached. Continue to stage 2 (40 patients in total)."),
    ("continue stage 1", O, outcomes((F, 4), (T, 1)), "continue",
     "Stage 1: 5 of 10 patients evaluated, 1 response; stage 2 requires more than 1 response in the first 10 "
     "patients. Continue."),
    ("continue, nobody evaluated", O, [], "continue",
     "Stage 1: 0 of 10 patients evaluated, 0 responses; stage 2 requires more than 1 response in the first 10 "
     "patients. Continue."),
    ("continue stage 2", O, outcomes((F, 8), (T, 2), (F, 5)), "continue",
     "Stage 2: 15 of 29 patients evaluated, 2 responses; activity requires more than 5 responses in 29 patients. "
     "Continue."),
    ("over accrual, 10 beyond", O, outcomes((T, 2), (F, 8), (T, 3), (F, 16), (T, 4), (F, 6)), "final_inactive",
     "Accrual has passed the design's n: 39 patients evaluated for response, 10 more than the 29 the design plans. "
     "Final analysis: 5 responses in 29 patients, short of the activity boundary (more than 5 responses in 29 "
     "patients). The treatment does not meet the activity criterion. The final analysis compares the responses among "
     "the first 29 evaluable patients (in order of enrollment) with r = 5; the 10 further patients (4 responses; 9 in "
     "all 39) are outside the design, whose error rates do not cover them."),
    ("over accrual, 1 beyond, 1 response", O, outcomes((T, 2), (F, 8), (T, 4), (F, 15), (T, 1)), "final_active",
     "Accrual has passed the design's n: 30 patients evaluated for response, 1 more than the 29 the design plans. "
     "Final analysis: 6 responses in 29 patients, beyond the activity boundary (more than 5 responses in 29 patients). "
     "The treatment meets the activity criterion. The final analysis compares the responses among the first 29 "
     "evaluable patients (in order of enrollment) with r = 5; the 1 further patient (1 response; 7 in all 30) is "
     "outside the design, whose error rates do not cover it."),
    ("over accrual after futility", O, outcomes((F, 10), (T, 25)), "stop_futility",
     "Accrual has passed the design's n: 35 patients evaluated for response, 6 more than the 29 the design plans. "
     "Stage 1 complete: 0 responses in the first 10 patients, within the futility boundary (1 or fewer responses in "
     "10 patients). Stop for futility. The final analysis compares the responses among the first 29 evaluable "
     "patients (in order of enrollment) with r = 5; the 6 further patients (6 responses; 25 in all 35) are outside "
     "the design, whose error rates do not cover them."),
]

TOXICITY = [
    ("continue below", toxicity(), 7, 20, "continue",
     "7 of 20 patients had a grade 3 or higher adverse event; P(rate > 30%) = 0.72, below the 0.80 limit; the "
     "boundary at 20 patients is 8 events. Continue."),
    ("stop above", toxicity(), 8, 20, "stop_toxicity",
     "8 of 20 patients had a grade 3 or higher adverse event; P(rate > 30%) = 0.85, above the 0.80 limit (the "
     "boundary at 20 patients is 8 events). Stop for toxicity."),
    ("more digits near the limit", toxicity(limit=0.723), 7, 20, "continue",
     "7 of 20 patients had a grade 3 or higher adverse event; P(rate > 30%) = 0.72299, below the 0.723 limit; the "
     "boundary at 20 patients is 8 events. Continue."),
    ("below 0.01", toxicity(), 0, 29, "continue",
     "0 of 29 patients had a grade 3 or higher adverse event; P(rate > 30%) < 0.01, below the 0.80 limit; the "
     "boundary at 29 patients is 11 events. Continue."),
    ("above 0.99", toxicity(), 20, 29, "stop_toxicity",
     "20 of 29 patients had a grade 3 or higher adverse event; P(rate > 30%) > 0.99, above the 0.80 limit (the "
     "boundary at 29 patients is 11 events). Stop for toxicity."),
    ("beyond the boundary table", toxicity(max_patients=30), 10, 40, "continue",
     "The safety population (40 patients) has passed the 30 patients of the boundary table; the rule is evaluated at "
     "40 patients. 10 of 40 patients had a grade 3 or higher adverse event; P(rate > 30%) = 0.27, below the 0.80 "
     "limit; the boundary at 40 patients is 15 events. Continue."),
    ("no boundary at 1 patient", toxicity(threshold=0.5, limit=0.95), 1, 1, "continue",
     "1 of 1 patient had a grade 3 or higher adverse event; P(rate > 50%) = 0.75, below the 0.95 limit; no number of "
     "events at 1 patient crosses the limit. Continue."),
    ("a boundary of 0 events", toxicity(threshold=0.05, limit=0.5), 0, 1, "stop_toxicity",
     "0 of 1 patient had a grade 3 or higher adverse event; P(rate > 5%) = 0.90, above the 0.50 limit (the boundary "
     "at 1 patient is 0 events). Stop for toxicity."),
    ("a boundary of 1 event", toxicity(threshold=0.5, limit=0.5), 1, 1, "stop_toxicity",
     "1 of 1 patient had a grade 3 or higher adverse event; P(rate > 50%) = 0.75, above the 0.50 limit (the boundary "
     "at 1 patient is 1 event). Stop for toxicity."),
    ("equal to the limit", toxicity(threshold=0.5, limit=0.5), 0, 0, "continue",
     "0 of 0 patients had a grade 3 or higher adverse event; P(rate > 50%) = 0.500000, equal to the 0.50 limit; no "
     "number of events at 0 patients crosses the limit. Continue."),
    ("grade 5, related, limit 0.875", toxicity(threshold=0.125, limit=0.875, min_grade=5, related_only=True), 1, 10,
     "continue",
     "1 of 10 patients had a grade 5 adverse event related to treatment; P(rate > 12.5%) = 0.59, below the 0.875 "
     "limit; the boundary at 10 patients is 3 events. Continue."),
]

NOT_EVALUABLE = [
    (toxicity(), "The rule cannot be evaluated: adverse events were not collected, so the number of patients with a "
                 "grade 3 or higher adverse event is unknown."),
    (toxicity(min_grade=5, related_only=True),
     "The rule cannot be evaluated: adverse events were not collected, so the number of patients with a grade 5 "
     "adverse event related to treatment is unknown."),
]


@pytest.mark.parametrize(("case", "rule", "data", "code", "sentence"), SIMON, ids=[c[0] for c in SIMON])
def test_simon_sentence_for_each_status(case, rule, data, code, sentence):
    status = simon_status(rule, data)
    assert status.status == code
    assert status_sentence(rule.model_dump(mode="json"), plain(status)) == sentence


@pytest.mark.parametrize(("case", "rule", "events", "patients", "code", "sentence"), TOXICITY,
                         ids=[c[0] for c in TOXICITY])
def test_toxicity_sentence_for_each_status(case, rule, events, patients, code, sentence):
    status = toxicity_status(rule, events, patients)
    assert status.status == code
    assert status_sentence(rule.model_dump(mode="json"), plain(status)) == sentence


@pytest.mark.parametrize(("rule", "sentence"), NOT_EVALUABLE)
def test_a_toxicity_rule_without_adverse_events_cannot_be_evaluated(rule, sentence):
    status = toxicity_not_evaluable(rule, 12)
    assert (status.status, status.events, status.probability) == ("not_evaluable", None, None)
    assert status_sentence(rule.model_dump(mode="json"), plain(status)) == sentence


def test_every_status_code_has_its_sentence():
    assert {c[3] for c in SIMON} == set(typing.get_args(SimonStatusCode))
    assert {c[4] for c in TOXICITY} | {"not_evaluable"} == set(typing.get_args(ToxicityStatusCode))


def test_simon_decisions_are_written_by_layout():
    stage1, final = plain(simon_boundaries(O))
    assert decision(stage1) == "stop for futility if 1 or fewer respond"
    assert decision(final) == "declare the treatment active if more than 5 respond"


def test_the_laid_out_simon_rule_holds_every_string_the_page_shows():
    rule = simon(11, 5, 31, 16, p0=0.4, p1=0.65, name="Efficacy")
    laid = laid_stopping([item(rule, simon_status(rule, outcomes((T, 7), (F, 4), (T, 10), (F, 6))),
                               simon_boundaries(rule))])
    assert laid.none_declared is None
    (shown,) = laid.rules
    assert (shown.name, shown.verdict, shown.verdict_class) == ("Efficacy", "Activity criterion met.", "status-met")
    assert shown.sentence.startswith("Stage 2: 27 of 31 patients evaluated, 17 responses, already beyond")
    assert shown.design == ("Simon two-stage design: response rate 40% uninteresting, 65% worth pursuing. Exact type I "
                            "error 0.049, power 0.811; probability of stopping after stage 1 when the rate is 40%: "
                            "0.753; expected sample size then 15.9.")
    assert shown.caption == "Boundaries: Efficacy"
    assert shown.toxicity is None
    assert [(r.analysis, r.patients, r.responses, r.decision, r.probability_p0, r.probability_p1)
            for r in shown.simon] == [
        ("Stage 1", "11", "5", "stop for futility if 5 or fewer respond", "0.753", "0.149"),
        ("Final", "31", "16", "declare the treatment active if more than 16 respond", "0.049", "0.811")]
    assert shown.note == ("Status at the cutoff: 27 patients evaluated for response, 17 responses; stage 1: 7 "
                          "responses among the first 11. P: probability of the decision when the true rate is p0 or p1.")


def test_the_laid_out_toxicity_rule_in_rows_of_ten_with_a_dash_where_no_count_stops():
    rule = toxicity(threshold=0.5, limit=0.95, max_patients=12, min_grade=4, related_only=True)
    laid = laid_stopping([item(rule, toxicity_status(rule, 2, 12), toxicity_boundaries(rule))]).rules[0]
    assert (laid.verdict, laid.verdict_class) == ("Continue.", "status-continue")
    assert laid.design == ("Bayesian monitoring of the rate of patients with a treatment-related adverse event of grade "
                           "4 or higher: Beta(1.0, 1.0) prior; stop if P(rate > 50% | data) > 0.95. At the cutoff: 2 "
                           "of 12 patients; posterior Beta(3.0, 11.0); P(rate > 50%) = 0.011.")
    assert laid.caption == "Boundaries: Toxicity (stop with at least this many patients with the event)"
    assert laid.simon is None and laid.note is None
    assert [chunk.patients for chunk in laid.toxicity] == [tuple(str(n) for n in range(1, 11)), ("11", "12")]
    assert laid.toxicity[0].events[:4] == ("\u2014", "\u2014", "\u2014", "4")  # 3 of 3 do not cross 0.95
    assert laid.toxicity[1].events == ("9", "9")


def test_a_rule_that_cannot_be_evaluated_says_so_and_shows_no_posterior():
    rule = toxicity()
    laid = laid_stopping([item(rule, toxicity_not_evaluable(rule, 12), toxicity_boundaries(rule))]).rules[0]
    assert (laid.verdict, laid.verdict_class) == ("Cannot be evaluated.", "status-boundary")
    assert laid.design == ("Bayesian monitoring of the rate of patients with an adverse event of grade 3 or higher: "
                           "Beta(1.0, 1.0) prior; stop if P(rate > 30% | data) > 0.80.")
    assert "posterior" not in laid.design


def test_no_rules_declared():
    laid = laid_stopping([])
    assert laid.rules == () and laid.none_declared == "The trial spec declares no stopping rules ([[dsmb.stopping_rules]])."


def test_a_success_and_a_stop_never_share_a_verdict_or_its_colour():
    from report.layout.stopping import VERDICTS

    stops = {code for code in VERDICTS if code.startswith("stop") or code == "final_inactive"}
    assert {VERDICTS[code][1] for code in stops} == {"status-boundary"}
    assert VERDICTS["final_active"][1] not in {VERDICTS[code][1] for code in stops}
    assert len({label for label, _ in VERDICTS.values()}) == len(VERDICTS)  # each status its own words
