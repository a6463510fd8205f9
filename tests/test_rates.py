"""report.stats.rates on cases worked by hand (R's own numbers: tests/validation/test_rates_vs_r.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from report.stats.rates import landmark_difference, mantel_haenszel, odds_ratio, rate_difference

Z = 1.959963984540054


def chi2_1_p(x: float) -> float:
    return math.erfc(math.sqrt(x / 2))


def test_rate_difference_by_hand():
    # 15/20 against 10/20: difference 0.25, se sqrt(.75 .25/20 + .5 .5/20); chi-square
    # n (ad - bc)^2 / (r1 r2 c1 c2) = 40 * 100^2 / (20 * 20 * 25 * 15) = 8/3.
    d = rate_difference(15, 20, 10, 20, "wald")
    se = math.sqrt(0.75 * 0.25 / 20 + 0.25 / 20)
    assert d.estimate == pytest.approx(0.25, abs=1e-15)
    assert (d.ci_low, d.ci_high) == pytest.approx((0.25 - Z * se, 0.25 + Z * se), abs=1e-12)
    assert d.p_value == pytest.approx(chi2_1_p(8 / 3), abs=1e-12)
    # Yates: the interval widens by 0.5 (1/20 + 1/20); chi-square 40 (100 - 20)^2 / 150000.
    cc = rate_difference(15, 20, 10, 20, "wald-cc")
    assert (cc.ci_low, cc.ci_high) == pytest.approx((0.25 - Z * se - 0.05, 0.25 + Z * se + 0.05), abs=1e-12)
    assert cc.p_value == pytest.approx(chi2_1_p(40 * 80**2 / 150000), abs=1e-12)


def test_rate_difference_is_arm_minus_reference_and_clipped():
    assert rate_difference(2, 10, 8, 10, "wald").estimate == pytest.approx(-0.6)
    d = rate_difference(10, 10, 0, 10, "wald-cc")
    assert d.estimate == 1.0 and d.ci_high == 1.0  # clipped at 1, as R
    assert rate_difference(0, 5, 0, 5, "wald").p_value is None  # pooled rate 0: R's NaN
    assert rate_difference(1, 0, 1, 5).estimate is None
    with pytest.raises(ValueError, match="unknown rate difference method"):
        rate_difference(1, 2, 1, 2, "newcombe")


def test_woolf_odds_ratio_by_hand():
    w = odds_ratio(15, 20, 10, 20, "wald")  # 15 * 10 / (5 * 10) = 3
    se = math.sqrt(1 / 15 + 1 / 5 + 1 / 10 + 1 / 10)
    assert w.estimate == pytest.approx(3.0, rel=1e-14)
    assert (w.ci_low, w.ci_high) == pytest.approx((3 * math.exp(-Z * se), 3 * math.exp(Z * se)), rel=1e-12)
    assert odds_ratio(0, 20, 10, 20, "wald").estimate is None  # a zero cell: none


def test_fisher_conditional_estimate_solves_its_equation():
    # R's tea-tasting example, fisher.test(matrix(c(3, 1, 1, 3), 2)): 6.408309, lower limit 0.2117329 (to its uniroot tolerance), p 0.4857
    # (R's upper limit, 621.9, is off by its uniroot tolerance; the root of its equation is 626.24).
    f = odds_ratio(3, 4, 1, 4, "fisher")
    assert f.estimate == pytest.approx(6.408309, rel=1e-5)
    assert f.ci_low == pytest.approx(0.2117329, rel=1e-4) and f.p_value == pytest.approx(0.4857143, rel=1e-6)
    # The conditional MLE: the mean of the noncentral hypergeometric (support 0..4 given 4, 4, 4) is 3.
    support = np.arange(5)
    w = np.array([math.comb(4, s) * math.comb(4, 4 - s) for s in support]) * f.estimate ** support
    assert (w @ support) / w.sum() == pytest.approx(3.0, abs=1e-12)


def test_fisher_boundaries():
    f = odds_ratio(0, 10, 4, 12, "fisher")
    assert f.estimate == 0.0 and f.ci_low == 0.0 and f.ci_high > 0
    g = odds_ratio(7, 7, 3, 9, "fisher")
    assert g.estimate is None and g.ci_high is None and g.ci_low > 1  # infinite: shown as none


def test_mantel_haenszel_by_hand():
    # Two strata [[a, b], [c, d]]: estimate sum(ad/t) / sum(bc/t).
    tables = [[[15, 5], [10, 10]], [[3, 1], [1, 3]]]
    m = mantel_haenszel(tables, correct=False)
    assert m.odds_ratio == pytest.approx((150 / 40 + 9 / 8) / (50 / 40 + 1 / 8), rel=1e-14)
    delta = (15 - 20 * 25 / 40) + (3 - 4 * 4 / 8)
    variance = 20 * 20 * 25 * 15 / (40**2 * 39) + 4 * 4 * 4 * 4 / (8**2 * 7)
    assert m.statistic == pytest.approx(delta**2 / variance, rel=1e-14)
    assert mantel_haenszel(tables, correct=True).statistic == pytest.approx((delta - 0.5) ** 2 / variance, rel=1e-14)
    # one stratum: the CMH test is the chi-square test of the table without correction (times (t-1)/t)
    one = mantel_haenszel(tables[:1], correct=False)
    assert one.statistic == pytest.approx(8 / 3 * 39 / 40, rel=1e-14) and one.strata == 1


def test_mantel_haenszel_leaves_out_strata_of_one_patient():
    tables = [[[15, 5], [10, 10]], [[1, 0], [0, 0]]]
    assert mantel_haenszel(tables).strata == 1
    assert mantel_haenszel(tables).statistic == mantel_haenszel(tables[:1]).statistic


def test_landmark_difference_by_hand():
    # Arm: events at 1, 2, censored 3, 4 (n 4): S(2.5) = 3/4 * 2/3 = 1/2, Greenwood var(log S) = 1/12 + 1/6.
    # Reference: event at 1 of 2, censored 5: S(2.5) = 1/2, var(log S) = 1/2.
    d = landmark_difference([1, 2, 3, 4], [1, 1, 0, 0], [1, 5], [1, 0], 2.5)
    se1, se2 = 0.5 * math.sqrt(1 / 12 + 1 / 6), 0.5 * math.sqrt(1 / 2)
    assert (d.survival, d.reference_survival) == (0.5, 0.5)
    assert (d.std_err, d.reference_std_err) == pytest.approx((se1, se2), rel=1e-14)
    half = Z * math.hypot(se1, se2)
    assert (d.difference.estimate, d.difference.ci_low, d.difference.ci_high) == pytest.approx((0, -half, half))
    assert d.difference.p_value == pytest.approx(1.0)
    past = landmark_difference([1, 2, 3, 4], [1, 1, 0, 0], [1, 5], [1, 0], 4.5)  # past the arm's follow-up
    assert past.survival is None and past.difference.estimate is None
