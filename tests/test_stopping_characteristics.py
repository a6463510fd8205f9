"""A stopping rule's operating characteristics (report.stats.sequential, report.stats.stopping):
the exact sequential calculation against a case computed by hand and against brute force over
every one of the 2^n outcome sequences; the S1318 toxicity rule's numbers and the sentence the
closed report writes from them (report.layout.stopping_operating). R's check of the same
recursion with dbinom is in tests/validation/test_stopping_characteristics_vs_r.py."""
import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from report.analysis.ledger import plain
from report.inputs.spec import SimonRule, ToxicityRule
from report.layout.stopping_operating import laid_operating
from report.stats.sequential import characteristics
from report.stats.stopping import (
    simon_design,
    simon_operating,
    toxicity_boundaries,
    toxicity_operating,
    toxicity_rates,
)

S1318_TOXICITY = ToxicityRule(kind="beta-binomial", name="Safety", min_grade=4, related_only=True, prior_a=1.0,
                              prior_b=1.0, threshold=0.30, limit=0.80, max_patients=31)
S1318_SIMON = SimonRule(kind="simon", name="Efficacy", p0=0.40, p1=0.65, n1=11, r1=5, n=31, r=16)


def brute_force(boundaries, rate):
    """P(stop), E(patients) and P(stop at each look), summed over every sequence of outcomes."""
    looks = len(boundaries)
    stop_at = [0.0] * looks
    expected = 0.0
    for outcome in itertools.product((0, 1), repeat=looks):
        weight = math.prod(rate if o else 1 - rate for o in outcome)
        events, stopped = 0, None
        for n, (o, b) in enumerate(zip(outcome, boundaries, strict=True), start=1):
            events += o
            if b is not None and events >= b:
                stopped = n
                break
        if stopped is not None:
            stop_at[stopped - 1] += weight
        expected += weight * (stopped or looks)
    return sum(stop_at), expected, stop_at


def test_three_looks_by_hand():
    # No boundary at 1 patient; stop with 2 events at 2 or at 3 patients. Stop at 2: both had the event (p^2);
    # at 3: exactly one of the first two, then the third (2 p q p). At p = 1/2: 1/4 + 1/4.
    c = characteristics([None, 2, 2], 0.5)
    assert c.stop_by_look == pytest.approx((0.0, 0.25, 0.25), abs=1e-15)
    assert c.probability_stop == pytest.approx(0.5, abs=1e-15)
    assert c.expected_patients == pytest.approx(2 * 0.25 + 3 * 0.25 + 3 * 0.5, abs=1e-15)  # 2.75
    assert c.probability_first_look == pytest.approx(0.25, abs=1e-15)  # the first look with a boundary is at 2
    # A first patient with the event stops at once: P = p; then 2 of 3: q p p.
    c = characteristics([1, 2, 2], 0.2)
    assert (c.probability_stop, c.expected_patients) == pytest.approx((0.2 + 0.8 * 0.04, 0.2 + 3 * 0.032 + 3 * 0.768),
                                                                      abs=1e-15)
    assert brute_force([1, 2, 2], 0.2)[:2] == pytest.approx((0.232, 2.6), abs=1e-15)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 8)), min_size=1, max_size=11),
       st.floats(0.0, 1.0, allow_nan=False))
def test_the_recursion_equals_brute_force_over_every_sequence(boundaries, rate):
    c = characteristics(boundaries, rate)
    total, expected, by_look = brute_force(boundaries, rate)
    assert c.probability_stop == pytest.approx(total, abs=1e-12)
    assert c.expected_patients == pytest.approx(expected, abs=1e-12)
    assert c.stop_by_look == pytest.approx(tuple(by_look), abs=1e-12)


def test_a_small_toxicity_rule_equals_brute_force():
    rule = ToxicityRule(kind="beta-binomial", name="T", threshold=0.3, limit=0.8, max_patients=12)
    table = [b.events for b in toxicity_boundaries(rule)]
    operating = toxicity_operating(rule)
    for shown, rate in zip(operating.rates, toxicity_rates(rule), strict=True):
        total, expected, by_look = brute_force(table, rate)
        assert (shown.probability_stop, shown.expected_patients) == pytest.approx((total, expected), abs=1e-12)
        assert shown.probability_first_look == pytest.approx(by_look[0], abs=1e-12)


def test_s1318_toxicity_rule_is_strict_early():
    operating = toxicity_operating(S1318_TOXICITY)
    assert (operating.method, operating.first_patients, operating.first_events) == ("exact-sequential-binomial", 1, 1)
    acceptable, unacceptable = operating.rates
    assert (acceptable.label, acceptable.rate, unacceptable.label, unacceptable.rate) == (
        "acceptable", 0.2, "unacceptable", 0.4)  # the threshold's 30% less and more 10 points, by default
    assert acceptable.probability_first_look == pytest.approx(0.2, abs=1e-15)  # 1 event in the first patient
    assert acceptable.probability_stop == pytest.approx(0.3513438930787583, abs=1e-12)
    assert unacceptable.probability_stop == pytest.approx(0.8937288660400965, abs=1e-12)
    assert acceptable.expected_patients == pytest.approx(21.356642198243822, abs=1e-10)
    assert unacceptable.expected_patients == pytest.approx(8.225362636899312, abs=1e-10)
    # More toxicity never makes stopping less likely, nor later.
    curve = [characteristics([b.events for b in toxicity_boundaries(S1318_TOXICITY)], p / 20) for p in range(21)]
    assert all(a.probability_stop <= b.probability_stop + 1e-15 for a, b in itertools.pairwise(curve))
    assert all(a.expected_patients >= b.expected_patients - 1e-12 for a, b in itertools.pairwise(curve))
    assert (curve[0].probability_stop, curve[0].expected_patients, curve[-1].probability_stop) == (0.0, 31.0, 1.0)


def test_the_closed_report_says_how_aggressive_the_early_boundary_is():
    laid = laid_operating(S1318_TOXICITY.model_dump(mode="json"), plain(toxicity_operating(S1318_TOXICITY)))
    assert laid.sentence == (
        "The boundary is strict early: with the first patient, 1 event stops the trial; if the true rate is 20%, the "
        "rule stops the trial with probability 35% (expected 21.4 patients), 20% at the first patient alone; if it "
        "is 40%, with probability 89% (expected 8.2 patients).")
    assert laid.header == ("True rate of the event", "Probability of stopping", "Expected patients")
    assert laid.rows == (("20% (acceptable)", "35.1%", "21.4"), ("40% (unacceptable)", "89.4%", "8.2"))
    assert laid.footnote.startswith("Exact sequential calculation: at each look (after every patient)")
    assert "no simulation" in laid.footnote and "all 31 where the rule does not stop" in laid.footnote
    assert laid.footnote.endswith("the rates are 10 points below and above the 30% threshold (at most halfway to 0% "
                                  "or 100%).")


def test_the_spec_rates_and_a_rule_that_cannot_stop():
    rule = S1318_TOXICITY.model_copy(update={"acceptable_rate": 0.1, "unacceptable_rate": 0.5})
    assert [r.rate for r in toxicity_operating(rule).rates] == [0.1, 0.5]
    laid = laid_operating(rule.model_dump(mode="json"), plain(toxicity_operating(rule)))
    assert laid.rows[0][0] == "10% (acceptable)"
    assert laid.footnote.endswith("The acceptable and unacceptable rates are the trial spec's (acceptable_rate, "
                                  "unacceptable_rate).")
    never = ToxicityRule(kind="beta-binomial", name="T", threshold=0.5, limit=0.99, max_patients=3)
    operating = toxicity_operating(never)  # 3 of 3 under Beta(1, 1): P(rate > 50%) = 0.9375
    assert operating.first_patients is None and [r.probability_stop for r in operating.rates] == [0.0, 0.0]
    assert [r.expected_patients for r in operating.rates] == [3.0, 3.0]
    laid = laid_operating(never.model_dump(mode="json"), plain(operating))
    assert laid.sentence == ("No number of patients with the event up to 3 patients crosses the limit: the rule cannot "
                             "stop the trial.")


def test_default_rates_stay_between_0_and_1_on_either_side_of_the_threshold():
    low_threshold = ToxicityRule(kind="beta-binomial", name="T", threshold=0.05, limit=0.8, max_patients=5)
    high_threshold = ToxicityRule(kind="beta-binomial", name="T", threshold=0.95, limit=0.8, max_patients=5)
    assert toxicity_rates(low_threshold) == (0.025, 0.15)
    assert toxicity_rates(high_threshold) == (0.85, 0.975)


@pytest.mark.parametrize(("acceptable", "unacceptable"), [(0.35, None), (None, 0.25), (0.2, 0.2)])
def test_rates_on_the_wrong_side_of_the_threshold_are_refused(acceptable, unacceptable):
    with pytest.raises(ValidationError, match="acceptable_rate <= threshold <= unacceptable_rate"):
        ToxicityRule(kind="beta-binomial", name="T", threshold=0.3, limit=0.8, max_patients=5,
                     acceptable_rate=acceptable, unacceptable_rate=unacceptable)


def test_the_simon_rule_gives_its_stage_1_stop_under_p0_and_p1():
    operating, design = simon_operating(S1318_SIMON), simon_design(S1318_SIMON)
    p0, p1 = operating.rates
    assert (p0.probability_stop, p0.expected_patients) == (design.probability_early_termination,
                                                           design.expected_sample_size)
    assert (p1.probability_stop, p1.expected_patients) == (design.probability_early_termination_p1,
                                                           design.expected_sample_size_p1)
    laid = laid_operating(S1318_SIMON.model_dump(mode="json"), plain(operating))
    assert laid.rows == () and laid.sentence == (
        "After stage 1 (11 patients), 5 or fewer responses stop the trial for futility: if the true response rate is "
        "40% (p0), with probability 0.753 (expected 15.9 patients); if it is 65% (p1), with probability 0.149 "
        "(expected 28.0 patients).")
