"""`report.stats.proportions.proportion` against R, run live, to 1e-9 (absolute):
- clopper-pearson  vs  binom.test(x, n, conf.level = )$conf.int
- wilson           vs  prop.test(x, n, correct = FALSE, conf.level = )$conf.int, which R
                       also checks here against the Wilson closed form (x = 0 and x = n too)
- jeffreys         vs  qbeta(a/2, x + .5, n - x + .5), qbeta(1 - a/2, ...), 0 at x = 0, 1 at x = n
- agresti-coull    vs  p~ -/+ z sqrt(p~(1 - p~)/n~), n~ = n + z^2, clipped to [0, 1]
All fixed combinations go to R in one request.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from report.stats.proportions import proportion
from rsupport import assert_matches, r_proportions

METHODS = ("clopper-pearson", "wilson", "jeffreys", "agresti-coull")
R_COLUMN = {"clopper-pearson": "clopper-pearson", "wilson": "prop.test",
            "jeffreys": "jeffreys", "agresti-coull": "agresti-coull"}
CONFIDENCES = (0.8, 0.9, 0.95, 0.99)


def fixed_combos() -> list[tuple[int, int, float]]:
    counts = {1: [0, 1], 2: [0, 1, 2], 5: [0, 1, 2, 4, 5], 17: [0, 3, 9, 16, 17],
              40: [0, 1, 20, 39, 40], 1000: [0, 1, 7, 500, 873, 999, 1000]}
    return [(x, n, c) for n, xs in counts.items() for x in xs for c in CONFIDENCES]


COMBOS = fixed_combos()


@pytest.fixture(scope="module")
def r_fixed():
    return r_proportions(COMBOS)


def pairs_for(x, n, confidence, theirs) -> list[tuple]:
    pairs = []
    for method in METHODS:
        ours = proportion(x, n, method, confidence)
        low, high = theirs[R_COLUMN[method]]
        label = f"{method} x={x} n={n} conf={confidence}"
        pairs += [(f"{label} low", ours.ci_low, low), (f"{label} high", ours.ci_high, high)]
        pairs.append((f"{label} estimate", ours.proportion, x / n))
    return pairs


@pytest.mark.parametrize("n", sorted({n for _, n, _ in COMBOS}))
def test_fixed_combos_equal_r(r_fixed, n):
    pairs = [p for (x, m, c), theirs in r_fixed.items() if m == n for p in pairs_for(x, m, c, theirs)]
    assert len(pairs) == 12 * len([1 for _, m, _ in COMBOS if m == n])
    assert_matches(pairs)


def test_prop_test_is_the_wilson_closed_form(r_fixed):
    """In R itself: prop.test's interval is the Wilson score form, x = 0 and x = n included."""
    pairs = [(f"x={x} n={n} conf={c} {side}", pt, w)
             for (x, n, c), theirs in r_fixed.items()
             for side, pt, w in zip(("low", "high"), theirs["prop.test"], theirs["wilson"])]
    assert any(x == 0 for x, _, _ in r_fixed) and any(x == n for x, n, _ in r_fixed)
    assert_matches(pairs, tol=1e-12)


def test_known_value(r_fixed):
    """binom.test(0, 5)$conf.int is (0, 1 - 0.025^(1/5))."""
    assert r_fixed[(0, 5, 0.95)]["clopper-pearson"] == pytest.approx((0.0, 1 - 0.025 ** 0.2), abs=1e-12)


@st.composite
def combos(draw):
    n = draw(st.integers(1, 300))
    x = draw(st.integers(0, n))
    confidence = draw(st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.975, 0.99, 0.999]))
    return x, n, confidence


@settings(max_examples=40, deadline=None, database=None)
@given(st.lists(combos(), min_size=1, max_size=10))
def test_random_combos_equal_r(batch):
    theirs = r_proportions(batch)
    assert_matches([p for x, n, c in batch for p in pairs_for(x, n, c, theirs[(x, n, c)])])
