"""The Cox fit of arms (report/stats/cox.py): the exact maximum, and "not estimable" decided exactly.

R's figures here come from `coxph(Surv(T, E) ~ group, ties = "efron", control =
coxph.control(eps = 1e-14, iter.max = 100))`; tests/validation/test_comparison_vs_r.py
checks many more cases against R live.
"""
from __future__ import annotations

import numpy as np
import pytest

from report.stats.comparison import compare_arms
from report.stats.cox import fit_arms, partial_likelihood, efron_weights, risk_table


def waltons():
    from lifelines.datasets import load_waltons

    data = load_waltons()
    return data["T"].to_numpy(float), data["E"].to_numpy(bool), list(data["group"])


def test_waltons_is_rs_exact_estimate():
    """The issue's example: lifelines stopped at 7.787619350; R's exact maximum is 7.787618919."""
    time, event, group = waltons()
    ratio = compare_arms(time, event, group, ["control", "miR-137"]).hazard_ratios[0]
    assert ratio.hazard_ratio == pytest.approx(7.787618918925283, rel=1e-12, abs=0)
    assert ratio.ci_low == pytest.approx(5.089980103334099, rel=1e-12, abs=0)
    assert ratio.ci_high == pytest.approx(11.914979468520372, rel=1e-12, abs=0)


def test_the_score_vanishes_at_the_estimate():
    """At the maximum the score is zero to rounding, also with ties, three arms and a ratio above 20."""
    rng = np.random.default_rng(7)
    group = np.repeat([0, 1, 2], 40)
    time = np.ceil(rng.exponential(1 / np.array([1.0, 80.0, 0.01])[group]) * 100) / 100
    event = rng.random(120) < 0.8
    fit = fit_arms(time, event, group, 3)
    assert np.exp(fit.coef[0]) > 20 and np.exp(fit.coef[1]) < 1 / 20
    at_risk, deaths = risk_table(time, event, group, 3)
    _, score, _ = partial_likelihood(fit.coef, efron_weights(at_risk, deaths), deaths.sum(axis=0)[1:])
    assert np.abs(score).max() < 1e-10


def test_separated_arms_are_not_estimable():
    """Every event of arm B comes before any of arm A's times: the ratio runs off to infinity."""
    time = [1, 2, 3, 10, 11, 12]
    event = [1, 1, 0, 1, 1, 0]
    ratios = compare_arms(time, event, ["B", "B", "B", "A", "A", "A"], ["A", "B"]).hazard_ratios
    assert [r.hazard_ratio for r in ratios] == [None]


def test_one_separated_arm_of_three_makes_the_model_not_estimable():
    arm = ["A"] * 4 + ["B"] * 4 + ["C"] * 3
    time = [5, 6, 7, 9, 4, 6, 8, 10, 20, 21, 22]
    event = [1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1]  # C's events all come after everyone else has gone
    assert fit_arms(time, event, [{"A": 0, "B": 1, "C": 2}[a] for a in arm], 3) is None
    assert all(r.hazard_ratio is None for r in compare_arms(time, event, arm, ["A", "B", "C"]).hazard_ratios)


def test_overlapping_arms_are_estimable_however_large_the_ratio():
    """One event of the slow arm while a fast patient is still at risk suffices for a finite estimate."""
    time = [3, 6, 6, 10, 12, 16, 18, 20, 24, 28, 30, 32, 0.1, 0.2, 0.3, 0.3, 0.5, 0.6, 0.8, 0.9, 1, 1.5, 2, 4]
    event = [1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0]
    arm = ["slow"] * 12 + ["fast"] * 12
    ratio = compare_arms(time, event, arm, ["slow", "fast"]).hazard_ratios[0]
    assert ratio.hazard_ratio == pytest.approx(29.77036, rel=1e-6)  # R: exp(coef) 29.77036


def test_a_single_arm_analysis_imports_neither_lifelines_nor_scipy_stats():
    """The Cox fit is numpy; lifelines (log-rank) waits for a trial with arms."""
    import subprocess
    import sys

    code = ("import sys, report\nfrom report.resources import bundled_trial\n"
            "ledger = report.analyze(report.load_trial(bundled_trial('s1318')))\n"
            "print(ledger.arms, sorted(m for m in ('lifelines', 'scipy.stats') if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "() []"
