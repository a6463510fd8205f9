"""Proportion CIs against R (binom.test, prop.test and closed forms evaluated in R)."""
import pytest

from report.stats.proportions import proportion

TOL = 1e-9


@pytest.mark.parametrize(
    ("x", "n", "confidence", "low", "high"),
    [
        (19, 29, 0.95, 0.4566942723320567, 0.8206163507648881),  # binom.test(19, 29)
        (12, 13, 0.95, 0.639702564732, 0.998054371503),  # binom.test(12, 13)
        (0, 10, 0.95, 0.0, 0.308497107819),  # binom.test(0, 10)
        (10, 10, 0.95, 0.691502892181, 1.0),  # binom.test(10, 10)
        (19, 29, 0.90, 0.485729802265, 0.799504302351),  # binom.test(19, 29, conf.level = 0.9)
    ],
)
def test_clopper_pearson_equals_binom_test(x, n, confidence, low, high):
    p = proportion(x, n, "clopper-pearson", confidence)
    assert p.ci_low == pytest.approx(low, abs=1e-11)
    assert p.ci_high == pytest.approx(high, abs=1e-11)
    assert p.proportion == x / n


@pytest.mark.parametrize(
    ("method", "low", "high"),
    [
        ("wilson", 0.473451040905, 0.800592814733),  # prop.test(19, 29, correct = FALSE)
        ("jeffreys", 0.474070380737, 0.806987962754),  # qbeta(c(.025, .975), 19.5, 10.5)
        ("agresti-coull", 0.472564210943, 0.801479644695),  # closed form in R
    ],
)
def test_other_intervals_equal_r(method, low, high):
    p = proportion(19, 29, method)
    assert (p.ci_low, p.ci_high) == pytest.approx((low, high), abs=1e-11)
    assert p.ci_method == method


def test_empty_denominator_gives_no_estimate():
    p = proportion(0, 0)
    assert (p.proportion, p.ci_low, p.ci_high) == (None, None, None)


def test_count_above_n_is_refused():
    with pytest.raises(ValueError):
        proportion(5, 4)
