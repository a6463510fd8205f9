"""Kaplan-Meier summaries against hand-computed values and R's survival package."""
import math

import pytest

from report.stats.survival import kaplan_meier, median_followup

# t = c(1, 2, 2, 3, 4, 5); e = c(1, 1, 0, 1, 0, 1)
TIME = [1, 2, 2, 3, 4, 5]
EVENT = [1, 1, 0, 1, 0, 1]


def test_survival_steps_by_hand():
    fit = kaplan_meier(TIME, EVENT)
    steps = {p.time: p.survival for p in fit.curve}
    assert steps[0.0] == 1.0
    assert steps[1.0] == pytest.approx(5 / 6)
    assert steps[2.0] == pytest.approx(5 / 6 * 4 / 5)  # 5 at risk, 1 death, 1 censored
    assert steps[3.0] == pytest.approx(4 / 6 * 2 / 3)
    assert steps[5.0] == 0.0
    assert [p.n_at_risk for p in fit.curve[1:]] == [6, 5, 3, 2, 1]
    assert (fit.n, fit.events, fit.censored) == (6, 4, 2)


@pytest.mark.parametrize(
    ("conf_type", "lower", "upper"),
    [  # summary(survfit(Surv(t, e) ~ 1, conf.type = ...), censored = TRUE)
        ("log-log", [0.2731228499284, 0.1946166368062, 0.0661867531464], [0.974712426691, 0.904434164323, 0.784908367148]),
        ("log", [0.582654795477, 0.378606460887, 0.166807936628], [1.0, 1.0, 1.0]),
        ("plain", [0.53513430938047, 0.28947142197461, 0.00889689232443], [1.0, 1.0, 0.879991996564]),
    ],
)
def test_pointwise_limits_equal_r(conf_type, lower, upper):
    fit = kaplan_meier(TIME, EVENT, conf_type=conf_type)
    points = fit.curve[1:4]
    assert [p.ci_low for p in points] == pytest.approx(lower, abs=1e-10)
    assert [p.ci_high for p in points] == pytest.approx(upper, abs=1e-10)
    assert fit.curve[-1].ci_low is None and fit.curve[-1].ci_high is None  # R: NA where S = 0


@pytest.mark.parametrize(("conf_type", "low"), [("log-log", 1.0), ("log", 2.0), ("plain", 2.0)])
def test_median_and_its_limits_equal_r(conf_type, low):
    fit = kaplan_meier(TIME, EVENT, conf_type=conf_type)
    assert fit.median.estimate == 3.0
    assert fit.median.ci_low == low
    assert fit.median.ci_high is None  # not reached: R gives NA


def test_flat_curve_at_the_quantile_takes_the_midpoint():
    # quantile(survfit(Surv(c(1, 2, 3, 4), rep(1, 4)) ~ 1), c(.25, .5, .75)) -> 1.5, 2.5, 3.5
    fit = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
    assert fit.median.estimate == 2.5
    assert fit.quartiles["25"].estimate == 1.5
    assert fit.quartiles["75"].estimate == 3.5


def test_median_not_reached_is_none():
    fit = kaplan_meier([1, 2, 3, 4], [1, 0, 0, 0])
    assert fit.median.estimate is None


def test_landmarks_count_events_on_the_day_and_stop_at_last_follow_up():
    fit = kaplan_meier(TIME, EVENT, landmarks=[2, 4.5, 5, 6])
    at2, at45, at5, at6 = fit.landmarks
    assert at2.survival == pytest.approx(4 / 6)  # the death at t = 2 counts
    assert at2.n_at_risk == 5  # time >= 2
    assert at45.survival == pytest.approx(4 / 9) and at45.n_at_risk == 1  # summary(fit, times = 4.5)
    assert at5.survival == 0.0
    assert at6.survival is None and at6.ci_low is None  # past the last follow-up: never carried on


def test_landmark_before_first_time_is_one_with_limits_one():
    # summary(survfit(Surv(c(3, 4), c(1, 1)) ~ 1, conf.type = "log-log"), times = 1): 1, 1, 1, 2
    fit = kaplan_meier([3, 4], [1, 1], landmarks=[1], conf_type="log-log")
    lm = fit.landmarks[0]
    assert (lm.survival, lm.ci_low, lm.ci_high, lm.n_at_risk) == (1.0, 1.0, 1.0, 2)


def test_curve_ending_exactly_at_the_median_takes_the_midpoint_to_the_last_time():
    # quantile(survfit(Surv(1:6, c(1, 1, 1, 0, 0, 0)) ~ 1), .5) -> 4.5
    assert kaplan_meier([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 0, 0]).median.estimate == 4.5


def test_median_follow_up_by_reverse_kaplan_meier():
    # quantile(survfit(Surv(t, 1 - e) ~ 1), .5) -> 4
    assert median_followup(TIME, EVENT) == 4.0


def test_no_events_at_all():
    fit = kaplan_meier([1, 2, 3], [0, 0, 0], landmarks=[2])
    assert fit.events == 0
    assert fit.median.estimate is None
    assert fit.landmarks[0].survival == 1.0


def test_risk_table_counts_patients_still_followed():
    fit = kaplan_meier([1.0, 4.0, 7.0, 13.0], [1, 0, 1, 0], time_unit="months")
    assert [(p.time, p.n_at_risk) for p in fit.risk_table] == [(0.0, 4), (2.0, 3), (4.0, 3), (6.0, 2), (8.0, 1), (10.0, 1), (12.0, 1)]


def test_confidence_level_widens_the_interval():
    narrow = kaplan_meier(TIME, EVENT, landmarks=[2], confidence=0.8).landmarks[0]
    wide = kaplan_meier(TIME, EVENT, landmarks=[2], confidence=0.99).landmarks[0]
    assert wide.ci_low < narrow.ci_low < narrow.survival < narrow.ci_high < wide.ci_high
    assert math.isclose(narrow.survival, wide.survival)
