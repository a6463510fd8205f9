"""Stratified log-rank and Cox (compare_arms(..., strata=)) on cases worked by hand
(R's own numbers: tests/validation/test_stratified_vs_r.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from report.stats.comparison import compare_arms


def test_stratified_log_rank_by_hand():
    # Stratum x: A dies at 1, B at 2 (two at risk at 1: E_A = 1/2, V = 1/4; one at risk at 2).
    # Stratum y: B dies at 1, A censored at 3: E_A = 1/2, V = 1/4. O_A - E_A = 1/2 - 1/2 = 0.
    # Stratum z: A and B both die at 1 (n 2, d 2: V = 0), A dies at 2 with B... kept simple:
    time = [1, 2, 1, 3]
    event = [1, 1, 1, 0]
    arm = ["A", "B", "B", "A"]
    strata = ["x", "x", "y", "y"]
    c = compare_arms(time, event, arm, ["A", "B"], strata=strata, stratified_by=("S",))
    assert c.log_rank.chi_square == pytest.approx(0.0, abs=1e-15) and c.log_rank.df == 1
    assert c.stratified_by == ("S",)
    # Unstratified: A dies at 1 (at risk 2 A, 2 B) and B dies at 1: d = 2 at 1 of n 4; B dies at 2 (n 2: 1 A, 1 B).
    u = compare_arms(time, event, arm, ["A", "B"])
    o_minus_e = (1 - 2 * 2 / 4) + (0 - 1 / 2)
    variance = 2 * 2 * 2 * 2 / (16 * 3) + 1 * 1 * 1 * 1 / (4 * 1)
    assert u.log_rank.chi_square == pytest.approx(o_minus_e**2 / variance, rel=1e-14)
    assert u.stratified_by == ()


def test_one_stratum_is_the_unstratified_fit():
    rng = np.random.default_rng(3)
    time, event = np.ceil(rng.exponential(5, 60)), rng.random(60) < 0.7
    arm = ["A"] * 30 + ["B"] * 30
    a, b = compare_arms(time, event, arm, ["A", "B"]), compare_arms(time, event, arm, ["A", "B"], strata=["s"] * 60)
    assert b.hazard_ratios[0].hazard_ratio == pytest.approx(a.hazard_ratios[0].hazard_ratio, rel=1e-12)
    assert b.log_rank.chi_square == pytest.approx(a.log_rank.chi_square, rel=1e-12)
    assert b.score.statistic == pytest.approx(a.score.statistic, rel=1e-12)


def test_two_copies_as_strata_double_the_information():
    # The same data twice, each copy a stratum: the same estimate; the partial likelihood
    # doubles, so se / sqrt(2), the LR, Wald and score statistics and the log-rank double.
    rng = np.random.default_rng(4)
    time, event = np.ceil(rng.exponential(5, 40) * 2) / 2, rng.random(40) < 0.8
    arm = ["A"] * 20 + ["B"] * 20
    one = compare_arms(time, event, arm, ["A", "B"])
    two = compare_arms(np.concatenate([time, time]), np.concatenate([event, event]), arm * 2, ["A", "B"],
                       strata=["1"] * 40 + ["2"] * 40)
    h1, h2 = one.hazard_ratios[0], two.hazard_ratios[0]
    assert h2.hazard_ratio == pytest.approx(h1.hazard_ratio, rel=1e-10)
    z = 1.959963984540054
    assert math.log(h2.ci_high / h2.hazard_ratio) == pytest.approx(math.log(h1.ci_high / h1.hazard_ratio) / math.sqrt(2),
                                                                    rel=1e-9)
    for name in ("likelihood_ratio", "wald", "score"):
        assert getattr(two, name).statistic == pytest.approx(2 * getattr(one, name).statistic, rel=1e-9)
    assert two.log_rank.chi_square == pytest.approx(2 * one.log_rank.chi_square, rel=1e-12)
    assert z  # the interval's z is the same in both


def test_overall_tests_by_hand_for_one_event():
    # One death (arm B) with 1 A and 1 B at risk: U(0) = 1 - 1/2, I(0) = 1/4, score = 1.
    c = compare_arms([2, 1], [0, 1], ["A", "B"], ["A", "B"])
    assert c.score.statistic == pytest.approx(1.0, rel=1e-14) and c.score.df == 1
    assert c.likelihood_ratio is None and c.wald is None  # B's ratio runs off to infinity
    assert c.hazard_ratios[0].hazard_ratio is None


def test_patients_without_a_stratum_are_left_out():
    time, event, arm = [1, 2, 3, 4, 5], [1, 1, 1, 0, 1], ["A", "B", "A", "B", "A"]
    with_missing = compare_arms(time, event, arm, ["A", "B"], strata=["s", "s", "s", "s", None])
    without = compare_arms(time[:4], event[:4], arm[:4], ["A", "B"], strata=["s"] * 4)
    assert with_missing.log_rank == without.log_rank


# ------------------------------------------------------------------ tidy input, end to end

def _tidy(make_trial, strata: str, site_column: bool = True):
    from conftest import MINIMAL_SPEC
    from test_arms import HEADER, patient

    header = [*HEADER, "site"] if site_column else HEADER
    subjects = [patient(i, arm, died=i % 3 != 0) + (["north" if i % 2 else "south"] if site_column else [])
                for i, arm in enumerate(["Control"] * 8 + ["Maintained"] * 8, start=1)]
    return make_trial(subjects, spec=MINIMAL_SPEC + f"strata = {strata}\n", subject_header=header)


def test_tidy_strata_reach_the_comparisons_and_the_response_comparison(make_trial):
    import report

    ledger = report.analyze(report.load_trial(_tidy(make_trial, '["site"]'))).to_dict()
    assert ledger["comparisons"]["os"]["stratified_by"] == ["site"]
    compared = ledger["response_comparison"]
    assert compared["stratified_by"] == ["site"] and compared["arms"][0]["mantel_haenszel"]["strata"] == 2
    assert compared["arms"][0]["n"] == 8 and compared["arms"][0]["reference_n"] == 8
    unstratified = report.analyze(report.load_trial(_tidy(make_trial, "[]"))).to_dict()
    assert unstratified["comparisons"]["os"]["stratified_by"] == []
    assert unstratified["response_comparison"]["arms"][0]["mantel_haenszel"] is None


def test_a_stratification_factor_not_in_subjects_csv_exits_2_naming_file_and_column(make_trial):
    from conftest import run_cli

    result = run_cli("analyze", str(_tidy(make_trial, '["site", "region"]', site_column=True)))
    assert result.returncode == 2
    assert "subjects.csv" in result.stderr and "'region' is not a column of subjects.csv" in result.stderr
    assert "analysis.strata.1" in result.stderr and "Traceback" not in result.stderr


def test_landmark_differences_are_each_arm_against_the_reference_unstratified():
    from report.stats.rates import landmark_difference

    rng = np.random.default_rng(8)
    time, event = np.ceil(rng.exponential(8, 60)), rng.random(60) < 0.7
    arm, strata = ["A"] * 20 + ["B"] * 20 + ["C"] * 20, ["x", "y"] * 30
    c = compare_arms(time, event, arm, ["A", "B", "C"], strata=strata, stratified_by=("S",), landmarks=(3.0, 6.0))
    assert [(lc.arm, lc.reference, [lm.time for lm in lc.landmarks]) for lc in c.landmark_differences] == [
        ("B", "A", [3.0, 6.0]), ("C", "A", [3.0, 6.0])]
    direct = landmark_difference(time[40:], event[40:], time[:20], event[:20], 6.0)
    assert c.landmark_differences[1].landmarks[1] == direct
    assert compare_arms(time, event, arm, ["A", "B", "C"]).landmark_differences == ()
