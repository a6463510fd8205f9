"""`report.stats.survival.kaplan_meier` against R's survival package, run live.

For each case, conf type (log-log, log, plain) and confidence (0.95, 0.90), compared to
1e-9 (absolute below 1, relative above), NA <-> None:
- every row of `summary(survfit(...), censored = TRUE)`: time, n.risk, n.event, n.censor,
  surv, lower, upper  vs  `Survival.curve[1:]`;
- `summary(fit, times = landmarks, extend = FALSE)`: surv, lower, upper, n.risk  vs
  `Survival.landmarks` (a time R drops, past the last follow-up, must be None here);
- `quantile(fit, c(.25, .5, .75))` with its CI  vs  `quartiles` and `median`;
- `quantile(survfit(Surv(time, 1 - event) ~ 1), .5)`  vs  `median_followup`.
All fixed cases go to R in one request; hypothesis examples share the same R process.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from report.stats.survival import kaplan_meier
from rsupport import CONF_TYPES, CONFIDENCES, assert_matches, mismatches, r_survival, same, survival_pairs

DAYS_PER_MONTH = 30.4375


def landmarks_for(time, event) -> list[float]:
    """Landmarks at the interesting places of a curve, none before the first observed time:
    the first observed time, the first event, each event day, a point between two distinct
    times, the last time exactly, and past it."""
    time, event = np.asarray(time, float), np.asarray(event, bool)
    distinct = np.unique(time)
    picks = {float(distinct[0]), float(time.max()), float(time.max()) + 1.0}
    picks |= {float(t) for t in np.unique(time[event])[:4]}
    if len(distinct) > 1:
        picks.add(float((distinct[0] + distinct[1]) / 2))
        picks.add(float((distinct[-2] + distinct[-1]) / 2))
    return sorted(t for t in picks if t > 0)


def _case(time, event, landmarks=None):
    time, event = np.asarray(time, float), np.asarray(event, bool)
    return time, event, landmarks if landmarks is not None else landmarks_for(time, event)


def _random_days(seed: int, n: int, censor_share: float):
    rng = np.random.default_rng(seed)
    days = np.ceil(rng.exponential(400, n)).astype(int)
    event = rng.random(n) >= censor_share
    return days, event


def fixed_cases() -> dict[str, tuple]:
    days, event = _random_days(1, 60, 0.3)
    big_days, big_event = _random_days(2, 5000, 0.4)
    heavy_days, heavy_event = _random_days(3, 200, 0.9)
    return {
        "ties": _case([1, 2, 2, 2, 2, 3, 3, 4, 5, 5, 5, 6, 8, 8, 9],
                      [1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0]),
        "heavy_censoring": _case(heavy_days, heavy_event),
        "no_events": _case([3, 5, 5, 8, 13], [0, 0, 0, 0, 0]),
        "all_events": _case([2, 3, 3, 7, 11, 11, 11, 20], [1] * 8),
        "single_event": _case([4.5], [1], [4.5, 6]),
        "single_censored": _case([4.5], [0], [4.5, 6]),
        "events_on_landmark_days": _case([6, 6, 12, 12, 12, 18, 20, 24, 24, 30],
                                         [1, 0, 1, 1, 0, 1, 0, 1, 0, 0], [6, 12, 18, 24, 30, 36]),
        # S = .75, .5 at t = 2, flat at exactly 0.5 until 6: median by R's midpoint rule.
        "flat_at_half": _case([1, 1, 2, 2, 3, 5, 6, 7], [1, 1, 1, 1, 0, 0, 1, 0]),
        "flat_at_half_8": _case([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 1, 1, 0, 0, 1, 1]),
        # Ends at exactly 0.5 with the last patients censored.
        "ends_at_half": _case([1, 2, 3, 4], [1, 1, 0, 0]),
        "ends_at_half_tied": _case([1, 1, 2, 3, 3, 3], [1, 0, 1, 0, 0, 0]),
        # The same, where S = 5/6 * 4/5 * 3/4 is 0.5 only to rounding (R: median 4.5).
        "ends_at_half_rounding": _case([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 0, 0]),
        # Ends at exactly 0.75 (R: 25th percentile 2.5, midpoint of 1 and the last time 4).
        "ends_at_three_quarters": _case([1, 2, 3, 4], [1, 0, 0, 0]),
        "five_thousand": _case(big_days, big_event, [30, 180, 365, 730, 1000.5]),
        "days_integer": _case(days, event, [30, 90, 180, 365, 730]),
        "months": _case(days / DAYS_PER_MONTH, event, [1, 3, 6, 12, 24]),
        "time_zero": _case([0, 0, 0, 1, 2, 2, 3, 5], [1, 0, 1, 1, 0, 1, 0, 1]),
        "time_zero_censored_only": _case([0, 0, 1, 2, 3], [0, 0, 1, 1, 0]),
    }


CASES = fixed_cases()


@pytest.fixture(scope="module")
def r_fixed():
    return r_survival(CASES)


def fit_ours(case, conf_type, confidence):
    time, event, landmarks = CASES[case]
    return kaplan_meier(time, event, landmarks=landmarks, conf_type=conf_type, confidence=confidence)


@pytest.mark.parametrize("confidence", CONFIDENCES)
@pytest.mark.parametrize("conf_type", CONF_TYPES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_fixed_case_equals_r(r_fixed, case, conf_type, confidence):
    ours = fit_ours(case, conf_type, confidence)
    theirs = r_fixed[case].fits[(conf_type, confidence)]
    assert theirs.quantiles, "R returned no quantiles"
    assert_matches(survival_pairs(ours, theirs, CASES[case][2]))


@pytest.mark.parametrize("case", sorted(CASES))
def test_median_followup_equals_r(r_fixed, case):
    time, event, _ = CASES[case]
    ours = kaplan_meier(time, event).median_followup
    assert same(ours, r_fixed[case].median_followup), (ours, r_fixed[case].median_followup)


def test_known_values_sanity(r_fixed):
    """Guards the harness itself: R's numbers for hand-checkable cases."""
    half = r_fixed["flat_at_half"].fits[("log-log", 0.95)]
    assert half.quantiles[0.5][0] == pytest.approx(4.0)  # midpoint of [2, 6)
    assert r_fixed["flat_at_half_8"].fits[("plain", 0.9)].quantiles[0.5][0] == pytest.approx(5.5)
    assert r_fixed["ends_at_half"].fits[("log", 0.95)].quantiles[0.5][0] == pytest.approx(3.0)
    assert r_fixed["ends_at_half_rounding"].fits[("log", 0.95)].quantiles[0.5][0] == pytest.approx(4.5)
    assert r_fixed["ends_at_three_quarters"].fits[("log", 0.95)].quantiles[0.25][0] == pytest.approx(2.5)
    assert r_fixed["no_events"].fits[("plain", 0.9)].quantiles[0.5] == (None, None, None)
    assert len(r_fixed["five_thousand"].fits[("log", 0.9)].curve) == len(np.unique(CASES["five_thousand"][0]))


# A landmark before the first observed time: R reports S = 1 with lower = upper = 1
# (for every conf type, even log-log), as summary.survfit pads the curve with its
# starting values.
EARLY = {"early_event_first": ([2, 3, 3, 5, 7], [1, 1, 0, 1, 0], [1.0]),
         "early_censor_first": ([2, 3, 3, 5, 7], [0, 1, 0, 1, 0], [1.0])}


@pytest.fixture(scope="module")
def r_early():
    return r_survival(EARLY)


@pytest.mark.parametrize("conf_type", CONF_TYPES)
@pytest.mark.parametrize("case", sorted(EARLY))
def test_landmark_before_first_time_equals_r(r_early, case, conf_type):
    time, event, landmarks = EARLY[case]
    ours = kaplan_meier(time, event, landmarks=landmarks, conf_type=conf_type)
    theirs = r_early[case].fits[(conf_type, 0.95)]
    assert theirs.landmarks[1.0] == (1.0, 1.0, 1.0, 5.0)
    assert_matches(survival_pairs(ours, theirs, landmarks))


# ----------------------------------------------------------------- property-based

@st.composite
def small_trials(draw):
    """Small integer times (many ties), random censoring, landmarks from the first time on."""
    n = draw(st.integers(1, 25))
    time = draw(st.lists(st.integers(0, 8), min_size=n, max_size=n))
    event = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    start = max(min(time), 0.5)
    halves = draw(st.lists(st.integers(0, 20), min_size=1, max_size=5, unique=True))
    landmarks = sorted({start + h / 2 for h in halves})
    return np.array(time, float), np.array(event, bool), landmarks


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_trials())
# Found by hypothesis: S = 3/4 at time 0, computed as 0.7500000000000001 (R: 25th percentile 0).
@example((np.array([0.0, 0.0, 0.0, 0.0]), np.array([False, False, False, True]), [0.5]))
def test_random_small_trials_equal_r(trial):
    time, event, landmarks = trial
    theirs = r_survival({"h": (time, event, landmarks)})["h"]
    problems = []
    for (conf_type, confidence), r_fit in theirs.fits.items():
        ours = kaplan_meier(time, event, landmarks=landmarks, conf_type=conf_type, confidence=confidence)
        problems += [f"{conf_type} {confidence}: {m}" for m in mismatches(survival_pairs(ours, r_fit, landmarks))]
    ours_followup = kaplan_meier(time, event).median_followup
    if not same(ours_followup, theirs.median_followup):
        problems.append(f"median follow-up: ours={ours_followup} R={theirs.median_followup}")
    assert len(theirs.fits) == len(CONF_TYPES) * len(CONFIDENCES)
    assert not problems, "\n".join(problems)
