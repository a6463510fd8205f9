"""report.stats.competing_risks: Aalen-Johansen cumulative incidence and Gray's test, by hand.

R's own numbers are compared in tests/validation/test_competing_risks_vs_r.py; here the
arithmetic is written out on data small enough to follow.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from report.stats.competing_risks import cumulative_incidence, gray_test
from report.stats.survival import kaplan_meier

Z95 = 1.959963984540054

# Four patients: relapse at 1, death in remission at 2, censored at 3, relapse at 4.
TIME = [1, 2, 3, 4]
STATUS = [1, 2, 0, 1]


def test_aalen_johansen_by_hand():
    # t=1: 4 at risk, 1 relapse:      S = 3/4, F1 = 1/4,                 F2 = 0
    # t=2: 3 at risk, 1 death:        S = 3/4 * 2/3 = 1/2, F1 = 1/4,      F2 = 3/4 * 1/3 = 1/4
    # t=3: 2 at risk, 1 censored:     unchanged
    # t=4: 1 at risk, 1 relapse:      F1 = 1/4 + S(4-) * 1/1 = 1/4 + 1/2 = 3/4, S = 0
    fit = cumulative_incidence(TIME, STATUS)
    rows = [(p.time, p.n_at_risk, p.events, p.competing, p.censored) for p in fit.curve]
    assert rows == [(1, 4, 1, 0, 0), (2, 3, 0, 1, 0), (3, 2, 0, 0, 1), (4, 1, 1, 0, 0)]
    assert [p.estimate for p in fit.curve] == pytest.approx([0.25, 0.25, 0.25, 0.75], abs=1e-15)
    assert [p.competing_estimate for p in fit.curve] == pytest.approx([0, 0.25, 0.25, 0.25], abs=1e-15)
    assert (fit.n, fit.events, fit.competing_events, fit.conf_type) == (4, 2, 1, "log")


def test_infinitesimal_jackknife_standard_error_by_hand():
    # Each patient's influence row u over the states (none yet, relapse, death) starts at 0;
    # at an event time u <- u H, and a patient at risk also gets p0/n (e_new - H[0]).
    # t=1: H[0] = (3/4, 1/4, 0), p0/n = 1/4; base = -(3/4, 1/4, 0)/4 = (-3/16, -1/16, 0)
    #      relapsed: (-3/16, 3/16, 0); the 3 others: (1/16, -1/16, 0)
    #      var F1 = (3/16)^2 + 3 (1/16)^2 = 12/256 = 3/64 (the binomial 1/4 * 3/4 / 4)
    # t=2: H[0] = (2/3, 0, 1/3), p0/n = (3/4)/3 = 1/4: the relapse column is unchanged,
    #      (3/16)^2 + 3 (1/16)^2 = 3/64 again;
    # t=4: H[0] = (0, 1, 0), p0/n = 1/2: rows (before: relapsed (-1/8, 3/16, -1/16),
    #      died (-1/8, -1/16, 3/16), censored and at risk (1/8, -1/16, -1/16)) become
    #      u1 + u0: 1/16, -3/16, 1/16, and for the one at risk 1/16 - 1/2 + 1/2 = 1/16:
    #      var F1 = (1 + 9 + 1 + 1)/256 = 3/64.
    # se = sqrt(3/64) = sqrt(3)/8; log CI: F exp(+-z se/F), the upper cut at 1.
    se = math.sqrt(3) / 8
    fit = cumulative_incidence(TIME, STATUS)
    for point in fit.curve:
        f = point.estimate
        assert point.ci_low == pytest.approx(f * math.exp(-Z95 * se / f), rel=1e-12)
        assert point.ci_high == pytest.approx(min(1.0, f * math.exp(Z95 * se / f)), rel=1e-12)
    assert fit.curve[-1].ci_low == pytest.approx(0.425932268497982, rel=1e-12)  # R: 0.425932268497982
    ninety = cumulative_incidence(TIME, STATUS, confidence=0.90).curve[0]
    assert ninety.ci_low == pytest.approx(0.25 * math.exp(-1.6448536269514722 * se / 0.25), rel=1e-12)


def test_landmarks_as_summary_survfit():
    # Before the first time: R's added time-0 row, 0 (0, 0); at 2.5 the value after 2;
    # at 4 the last time, counting its relapse; past it None; at risk: time >= t.
    fit = cumulative_incidence(TIME, STATUS, landmarks=[0.5, 1, 2.5, 4, 5])
    rows = [(lm.time, lm.estimate, lm.n_at_risk) for lm in fit.landmarks]
    assert rows == [(0.5, 0.0, 4), (1, 0.25, 4), (2.5, 0.25, 2), (4, 0.75, 1), (5, None, 0)]
    assert (fit.landmarks[0].ci_low, fit.landmarks[0].ci_high) == (0.0, 0.0)
    assert (fit.landmarks[-1].ci_low, fit.landmarks[-1].ci_high) == (None, None)
    assert fit.landmarks[2].ci_low == fit.curve[1].ci_low


def test_without_competing_events_the_incidence_is_one_minus_kaplan_meier():
    rng = np.random.default_rng(7)
    time = np.ceil(rng.exponential(10, 80))  # ties
    event = rng.random(80) < 0.6
    fit = cumulative_incidence(time, event.astype(int), landmarks=[5, 10, 20])
    km = kaplan_meier(time, event, landmarks=[5, 10, 20])
    assert [p.time for p in fit.curve] == [p.time for p in km.curve[1:]]
    assert [p.n_at_risk for p in fit.curve] == [p.n_at_risk for p in km.curve[1:]]
    for ours, theirs in zip(fit.curve, km.curve[1:]):
        assert ours.estimate == pytest.approx(1 - theirs.survival, abs=1e-12)
        assert ours.competing_estimate == 0
    for ours, theirs in zip(fit.landmarks, km.landmarks):
        assert ours.estimate == pytest.approx(1 - theirs.survival, abs=1e-12)


def test_all_competing_the_incidence_of_interest_stays_zero():
    # No relapse: F1 = 0 with no CI (R: NA), F2 = 1 - Kaplan-Meier of any event.
    time, status = [1, 2, 2, 3, 4], [2, 2, 0, 2, 0]
    fit = cumulative_incidence(time, status)
    assert all(p.estimate == 0 and p.ci_low is None and p.ci_high is None for p in fit.curve)
    km = kaplan_meier(time, [s > 0 for s in status])
    assert [p.competing_estimate for p in fit.curve] == pytest.approx([1 - p.survival for p in km.curve[1:]])
    assert gray_test(time, status, ["A", "A", "B", "B", "B"]) is None


def test_no_events():
    fit = cumulative_incidence([3, 5, 5], [0, 0, 0], landmarks=[4])
    assert [(p.estimate, p.competing_estimate, p.ci_low) for p in fit.curve] == [(0, 0, None), (0, 0, None)]
    assert fit.landmarks[0].estimate == 0 and fit.landmarks[0].n_at_risk == 2
    assert gray_test([3, 5, 5], [0, 0, 0], ["A", "B", "B"]) is None


def test_ties_of_every_kind_at_one_time():
    # Six patients. t=2: 5 at risk, 1 relapse, 1 death, 1 censored at once: each cause
    # takes S(2-)/5. t=1: 1 relapse of 6: S = 5/6, F1 = 1/6; t=2: F1 = 1/6 + 5/6 * 1/5 = 1/3,
    # F2 = 5/6 * 1/5 = 1/6, S = 5/6 * 3/5 = 1/2; t=3: 2 at risk, 1 relapse: F1 = 1/3 + 1/2 * 1/2.
    time = [1, 2, 2, 2, 3, 3]
    status = [1, 1, 2, 0, 1, 0]
    fit = cumulative_incidence(time, status)
    two = fit.curve[1]
    assert (two.n_at_risk, two.events, two.competing, two.censored) == (5, 1, 1, 1)
    assert (two.estimate, two.competing_estimate) == pytest.approx((1 / 3, 1 / 6), abs=1e-15)
    assert fit.curve[2].estimate == pytest.approx(7 / 12, abs=1e-15)


def test_gray_test_by_hand():
    # Group A: relapse at 1, censored at 3; group B: relapse at 2, censored at 4 (cmprsk's crst).
    # t=1: rs = (2, 2), tr = 4, tq = 4, f = 1/4; a = [[1, -1], [-1, 1]], c = a/4
    #      score_A = 1 - 2/4 = 1/2; k=A: t4 = 1 - (3/4)/(1/2) = -1/2, t3 = 1/8,
    #      t1 = 1 + 1/8 = 9/8 -> v += 81/512, v2_AA = -9/128, v3_A = 1/32;
    #      k=B: t4 = 1/4, t3 = 1/8, t1 = -1 + 1/16 = -15/16 -> v += 225/2048,
    #      v2_AB = -15/512, v3_B = 1/128
    # t=2: rs = (1, 2), skmm = (1/2, 1), tr = 4, tq = 2 * 1/2 + 2 = 3, f = 1/2,
    #      c += a / (4 * 3/4) -> c_AA = 7/12, c_AB = -7/12; score_A -= 2 * 1/2 / 3 -> 1/6;
    #      t4 = 0 for both groups, t3 = 1/8: v += 1/8 + 1/8
    # v = 1061/2048 + sum_k c_Ak^2 v3_k + 2 c_Ak v2_Ak = 1061/2048 - 637/18432 = 8912/18432
    # statistic = (1/6)^2 / v = 32/557 (R: 0.0574506283662478, p 0.810571667756775)
    test = gray_test([1, 3, 2, 4], [1, 0, 1, 0], ["A", "A", "B", "B"])
    assert test.statistic == pytest.approx(32 / 557, rel=1e-12)
    assert test.df == 1
    assert test.p_value == pytest.approx(0.810571667756775, rel=1e-12)


def test_gray_test_does_not_depend_on_group_labels_or_order():
    rng = np.random.default_rng(11)
    time = np.ceil(rng.exponential(5, 90))
    status = rng.choice([0, 1, 2], 90, p=[0.3, 0.4, 0.3])
    group = np.repeat(["a", "b", "c"], 30)
    first = gray_test(time, status, group)
    relabelled = gray_test(time, status, np.array([{"a": "z", "b": "m", "c": "b"}[g] for g in group]))
    order = rng.permutation(90)
    shuffled = gray_test(time[order], status[order], group[order])
    assert first.df == 2 and first.statistic > 0
    assert relabelled.statistic == pytest.approx(first.statistic, rel=1e-10)
    assert shuffled.statistic == pytest.approx(first.statistic, rel=1e-10)


def test_gray_test_not_computable():
    assert gray_test([1, 2, 3], [1, 2, 1], ["A", "A", "A"]) is None  # one group
    # Group A has left before the first relapse: the variance is singular (cmprsk: stat -1).
    assert gray_test([1, 2, 3, 4, 5, 6], [0, 0, 1, 2, 1, 0], list("AABBBB")) is None


def test_a_group_without_events_is_still_compared():
    test = gray_test([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 1, 0, 2, 0, 2, 0], list("AAAABBBB"))
    assert test is not None and test.statistic > 0 and 0 < test.p_value < 1


@pytest.mark.parametrize("time, status, message", [
    ([1, 2], [1, 3], "status must be 0"),
    ([1, 2], [1], "same length"),
    ([1, float("nan")], [1, 0], "finite"),
])
def test_bad_input(time, status, message):
    with pytest.raises(ValueError, match=message):
        cumulative_incidence(time, status)


def test_an_incidence_reaching_one_has_no_spurious_variance():
    # Everyone ends with the event of interest: F1 = 1 with variance 0 (R: se of order
    # 1e-17, limits 1 and 1). Summing each subject's influence row as R does keeps it so;
    # an aggregated sum of squares lost ~1e-9 of the lower limit to rounding.
    rng = np.random.default_rng(116)
    n = int(rng.integers(2, 40))
    time = np.ceil(rng.exponential(3, n) * 2) / 2
    status = np.where(rng.random(n) < 0.3, 0, 1)
    status[time == time.max()] = 1
    last = cumulative_incidence(time, status).curve[-1]
    assert last.estimate == pytest.approx(1.0, abs=1e-12)
    assert last.ci_low == pytest.approx(1.0, abs=1e-12) and last.ci_high == 1.0


def test_no_patient_gives_nothing_estimable():
    fit = cumulative_incidence([], [], landmarks=[6, 12])
    assert (fit.n, fit.events, fit.competing_events, fit.curve) == (0, 0, 0, ())
    assert [(m.time, m.estimate, m.n_at_risk) for m in fit.landmarks] == [(6.0, None, 0), (12.0, None, 0)]
