"""Stopping rules: Simon two-stage designs and beta-binomial toxicity monitoring.

Design characteristics and posterior probabilities are checked against R (pbinom, dbinom,
pbeta) run through Rscript. Without it those tests fail naming the apt-get command, unless
TRIALREPORT_SKIP names r (tests/needs.py).
"""
import dataclasses
import math
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import needs

from report.inputs.spec import SimonRule, ToxicityRule
from report.stats.stopping import (
    SimonBoundary,
    SimonStatus,
    ToxicityBoundary,
    ToxicityStatus,
    simon_boundaries,
    simon_design,
    simon_status,
    toxicity_boundaries,
    toxicity_probability,
    toxicity_status,
)

RSCRIPT = shutil.which("Rscript")


@pytest.fixture(scope="module")
def rscript() -> str:
    needs.require("r")
    return RSCRIPT


def run_r(rscript: str, script: str) -> list[list[float]]:
    out = subprocess.run([rscript, "--vanilla", "-e", script], capture_output=True, text=True, check=True).stdout
    return [[float(w) for w in line.split()] for line in out.splitlines() if line.strip()]


def simon(n1, r1, n, r, p0=0.1, p1=0.3, name="Response") -> SimonRule:
    return SimonRule(kind="simon", name=name, p0=p0, p1=p1, alpha=0.05, power=0.8, n1=n1, r1=r1, n=n, r=r)


def toxicity(a=1.0, b=1.0, threshold=0.3, limit=0.8, max_patients=30) -> ToxicityRule:
    return ToxicityRule(kind="beta-binomial", name="Toxicity", prior_a=a, prior_b=b, threshold=threshold,
                        limit=limit, max_patients=max_patients)


def outcomes(*runs: tuple[bool, int]) -> list[bool]:
    """outcomes((True, 2), (False, 8)) -> two responders, then eight non-responders."""
    return [value for value, count in runs for _ in range(count)]


# Simon: design characteristics ------------------------------------------------------------------

OPTIMAL_10_30 = simon(10, 1, 29, 5)  # Simon (1989) optimal, p0 .10, p1 .30, alpha .05, power .80
OPTIMAL_30_50 = simon(15, 5, 46, 18, p0=0.3, p1=0.5)  # Simon (1989) optimal, p0 .30, p1 .50
MINIMAX_30_50 = simon(19, 6, 39, 16, p0=0.3, p1=0.5)  # Simon (1989) minimax, p0 .30, p1 .50
# Not a Simon design: 7/22 with 21/46 has a type I error of 0.008 and power of 0.66.
MIXED_30_50 = simon(22, 7, 46, 21, p0=0.3, p1=0.5)


@pytest.mark.parametrize(
    ("rule", "pet", "en"),
    [(OPTIMAL_10_30, 0.736, 15.0), (OPTIMAL_30_50, 0.722, 23.6), (MINIMAX_30_50, 0.666, 25.7)],
)
def test_published_simon_designs(rule, pet, en):
    design = simon_design(rule)
    assert round(design.probability_early_termination, 3) == pet
    assert round(design.expected_sample_size, 1) == en
    assert design.type_one_error <= 0.05
    assert design.power >= 0.80


def test_mixed_design_has_the_characteristics_of_its_own_numbers():
    design = simon_design(MIXED_30_50)
    assert round(design.probability_early_termination, 2) == 0.67
    assert round(design.expected_sample_size, 1) == 29.9
    assert design.type_one_error < 0.01
    assert design.power < 0.7


R_SIMON = """
active <- function(p, n1, r1, n, r) {{ x1 <- (r1 + 1):n1; sum(dbinom(x1, n1, p) * (1 - pbinom(r - x1, n - n1, p))) }}
designs <- list({designs})
for (d in designs) {{
  pet0 <- pbinom(d[4], d[3], d[1]); pet1 <- pbinom(d[4], d[3], d[2])
  cat(sprintf("%.17g", c(pet0, pet1, d[3] + (1 - pet0) * (d[5] - d[3]), d[3] + (1 - pet1) * (d[5] - d[3]),
                         active(d[1], d[3], d[4], d[5], d[6]), active(d[2], d[3], d[4], d[5], d[6]))), "\\n")
}}
"""


def test_simon_characteristics_equal_r(rscript):
    rules = [OPTIMAL_10_30, OPTIMAL_30_50, MINIMAX_30_50, MIXED_30_50, simon(3, 0, 8, 7, p0=0.05, p1=0.9)]
    designs = ", ".join(f"c({r.p0}, {r.p1}, {r.n1}, {r.r1}, {r.n}, {r.r})" for r in rules)
    for rule, expected in zip(rules, run_r(rscript, R_SIMON.format(designs=designs)), strict=True):
        d = simon_design(rule)
        mine = [d.probability_early_termination, d.probability_early_termination_p1, d.expected_sample_size,
                d.expected_sample_size_p1, d.type_one_error, d.power]
        assert mine == pytest.approx(expected, abs=1e-9)


def type_one_error_by_enumeration(n1, r1, n, r, p) -> float:
    def pmf(k, size):
        return math.comb(size, k) * p**k * (1 - p) ** (size - k)

    return sum(pmf(x1, n1) * pmf(x2, n - n1) for x1 in range(n1 + 1) for x2 in range(n - n1 + 1)
               if x1 > r1 and x1 + x2 > r)


@st.composite
def designs(draw):
    n1 = draw(st.integers(1, 30))
    r1 = draw(st.integers(0, n1 - 1))
    n = draw(st.integers(n1 + 1, 60))
    r = draw(st.integers(r1, n - 1))
    p0 = draw(st.floats(0.01, 0.9))
    p1 = draw(st.floats(p0 + 0.01, 0.99))
    return simon(n1, r1, n, r, p0=p0, p1=p1)


@settings(max_examples=200, deadline=None)
@given(designs())
def test_type_one_error_equals_enumeration(rule):
    design = simon_design(rule)
    assert design.type_one_error == pytest.approx(
        type_one_error_by_enumeration(rule.n1, rule.r1, rule.n, rule.r, rule.p0), abs=1e-12)
    assert design.power == pytest.approx(
        type_one_error_by_enumeration(rule.n1, rule.r1, rule.n, rule.r, rule.p1), abs=1e-12)


def test_simon_boundary_table():
    stage1, final = simon_boundaries(OPTIMAL_10_30)
    design = simon_design(OPTIMAL_10_30)
    assert (stage1.stage, stage1.patients, stage1.responses) == (1, 10, 1)
    assert (final.stage, final.patients, final.responses) == (2, 29, 5)
    assert stage1.probability_p0 == design.probability_early_termination
    assert (final.probability_p0, final.probability_p1) == (design.type_one_error, design.power)


# Simon: status at the cutoff ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "status", "stage", "reached"),
    [
        (outcomes((False, 4), (True, 1)), "continue", 1, False),  # stage 1 in progress
        ([], "continue", 1, False),
        (outcomes((False, 9)), "stop_futility", 1, True),  # 9 of 10, 0 responses: at most 1 in 10
        (outcomes((True, 1), (False, 9)), "stop_futility", 1, True),  # stage 1 complete, 1 <= r1
        (outcomes((True, 2), (False, 1)), "stage1_passed", 1, False),  # passed before n1
        (outcomes((False, 8), (True, 2)), "stage1_passed", 1, False),  # passed at n1
        (outcomes((False, 8), (True, 2), (False, 5)), "continue", 2, False),  # stage 2 in progress
        (outcomes((True, 2), (False, 8), (True, 4)), "final_active", 2, True),  # 6 > 5 before n
        (outcomes((True, 2), (False, 8), (True, 4), (False, 15)), "final_active", 2, True),
        (outcomes((True, 2), (False, 8), (True, 3), (False, 16)), "final_inactive", 2, True),  # 5 of 29
        (outcomes((True, 2), (False, 24)), "final_inactive", 2, True),  # 2 + 3 remaining <= 5
        (outcomes((True, 2), (False, 23)), "continue", 2, False),  # 2 + 4 remaining can still reach 6
    ],
)
def test_simon_status_transitions(data, status, stage, reached):
    result = simon_status(OPTIMAL_10_30, data)
    assert (result.status, result.stage, result.boundary_reached) == (status, stage, reached)
    assert result.evaluated == len(data) and result.responses == sum(data)
    assert result.stage1_evaluated == min(len(data), 10)
    assert result.stage1_responses == sum(data[:10])
    assert result.rule == "Response"


def test_simon_status_carries_the_design():
    result = simon_status(OPTIMAL_10_30, outcomes((True, 1)))
    design = simon_design(OPTIMAL_10_30)
    assert result.probability_early_termination == design.probability_early_termination
    assert result.expected_sample_size == design.expected_sample_size
    assert (result.type_one_error, result.power) == (design.type_one_error, design.power)


@pytest.mark.parametrize("kind", [SimonStatus, SimonBoundary, ToxicityStatus, ToxicityBoundary])
def test_the_rules_give_numbers_and_status_codes_only(kind):
    # The sentences are layout's (report.layout.stopping, tests/test_stopping_layout.py): no text but the
    # rule's name and the status code, nothing formatted.
    text = {f.name for f in dataclasses.fields(kind) if "str" in str(f.type) or "Code" in str(f.type)}
    assert text <= {"rule", "status"}, text
    assert "message" not in {f.name for f in dataclasses.fields(kind)}


def test_futility_stands_when_more_patients_follow():
    # Stage 1 failed but accrual went on: the stage-1 decision stands.
    result = simon_status(OPTIMAL_10_30, outcomes((False, 10), (True, 8)))
    assert result.status == "stop_futility" and result.boundary_reached


@pytest.mark.parametrize(
    ("n1", "r1", "n", "r", "p0", "p1", "words"),
    [
        (10, 10, 29, 12, 0.1, 0.3, "r1 (10) must be less than n1 (10)"),
        (10, 1, 10, 5, 0.1, 0.3, "n1 (10) must be less than n (10)"),
        (10, 3, 29, 2, 0.1, 0.3, "r (2) must be at least r1 (3)"),
        (10, 1, 29, 29, 0.1, 0.3, "less than n (29)"),
        (10, 1, 29, 5, 0.3, 0.1, "p0 (0.3) must be less than p1 (0.1)"),
    ],
)
def test_inconsistent_simon_rule_raises(n1, r1, n, r, p0, p1, words):
    pattern = words.replace("(", r"\(").replace(")", r"\)")
    with pytest.raises(ValueError, match=pattern):  # the spec refuses it
        simon(n1, r1, n, r, p0=p0, p1=p1)
    rule = SimonRule.model_construct(kind="simon", name="Response", p0=p0, p1=p1, n1=n1, r1=r1, n=n, r=r)
    with pytest.raises(ValueError, match=pattern):  # and so does the rule's arithmetic, given one unchecked
        simon_status(rule, [])
    with pytest.raises(ValueError):
        simon_boundaries(rule)


def test_an_inconsistent_simon_rule_in_the_spec_stops_with_exit_2(make_trial):
    from conftest import MINIMAL_SPEC, run_cli

    rule = '[[dsmb.stopping_rules]]\nkind = "simon"\nname = "Efficacy"\np0 = 0.4\np1 = 0.2\nn1 = 13\nr1 = 13\nn = 30\nr = 10\n'
    folder = make_trial([["P1", "2020-01-01", 70, "F", "CR", "2020-02-01", 1, "", "", "", "2021-01-01"]],
                        spec=MINIMAL_SPEC + "\n[dsmb]\n" + rule)
    for command in ("validate", "build"):
        result = run_cli(command, str(folder), *(["--kind", "dsmb", "--no-encrypt"] if command == "build" else []),
                         cwd=folder)
        assert result.returncode == 2, result.stderr
        message = " ".join(result.stderr.split())
        assert "dsmb.stopping_rules.0.simon" in message and "r1 (13) must be less than n1 (13)" in message
        assert "p0 (0.4) must be less than p1 (0.2)" in message


def test_more_patients_than_the_design_are_evaluated_at_the_final_analysis():
    # 29 planned, 39 evaluated: the first 29 hold 5 responses (inactive); all 39 hold 9.
    data = outcomes((True, 2), (False, 8), (True, 3), (False, 16), (True, 4), (False, 6))
    result = simon_status(OPTIMAL_10_30, data)
    assert (result.status, result.stage, result.boundary_reached) == ("final_inactive", 2, True)
    assert (result.evaluated, result.responses) == (39, 9)
    assert (result.final_evaluated, result.final_responses) == (29, 5)
    assert (result.beyond_design, result.beyond_design_responses) == (10, 4)


def test_over_accrual_after_activity_was_shown_stays_active():
    result = simon_status(OPTIMAL_10_30, outcomes((True, 2), (False, 8), (True, 4), (False, 25)))
    assert (result.status, result.final_responses, result.beyond_design) == ("final_active", 6, 10)
    assert (result.evaluated, result.responses, result.beyond_design_responses) == (39, 6, 0)


def test_over_accrual_after_futility_keeps_the_stage_1_decision():
    result = simon_status(OPTIMAL_10_30, outcomes((False, 10), (True, 25)))
    assert result.status == "stop_futility" and result.beyond_design == 6
    assert (result.final_evaluated, result.final_responses, result.stage1_responses) == (29, 19, 0)


def test_within_the_design_nothing_is_beyond_it():
    result = simon_status(OPTIMAL_10_30, outcomes((True, 2), (False, 8)))
    assert (result.final_evaluated, result.final_responses, result.beyond_design, result.beyond_design_responses) == (10, 2, 0, 0)


# Beta-binomial toxicity --------------------------------------------------------------------------

TOXICITY_CASES = [  # (x, n, a, b, threshold)
    (7, 20, 1.0, 1.0, 0.3),
    (0, 1, 1.0, 1.0, 0.3),
    (9, 20, 0.5, 0.5, 0.3),
    (3, 12, 2.0, 8.0, 0.2),
    (0, 40, 1.0, 1.0, 0.1),  # far tail
    (25, 40, 0.3, 1.7, 0.33),
    (0, 0, 1.5, 3.5, 0.25),
]


def test_posterior_probability_equals_r(rscript):
    script = "; ".join(f'cat(sprintf("%.17g", 1 - pbeta({t}, {a} + {x}, {b} + {n} - {x})), "\\n")'
                       for x, n, a, b, t in TOXICITY_CASES)
    for (x, n, a, b, t), (expected,) in zip(TOXICITY_CASES, run_r(rscript, script), strict=True):
        rule = toxicity(a=a, b=b, threshold=t)
        assert toxicity_probability(rule, x, n) == pytest.approx(expected, abs=1e-12)
        status = toxicity_status(rule, x, n)
        assert status.probability == pytest.approx(expected, abs=1e-12)
        assert (status.posterior_a, status.posterior_b) == (a + x, b + n - x)


@pytest.mark.parametrize("rule", [toxicity(), toxicity(a=0.5, b=4.5, threshold=0.2, limit=0.9, max_patients=60),
                                  toxicity(a=3, b=1, threshold=0.5, limit=0.95, max_patients=25)])
def test_boundary_table_is_the_smallest_crossing(rule):
    rows = toxicity_boundaries(rule)
    assert [row.patients for row in rows] == list(range(1, rule.max_patients + 1))
    for row in rows:
        n, x = row.patients, row.events
        if x is None:
            assert toxicity_probability(rule, n, n) <= rule.limit
            assert row.probability is None
            continue
        assert toxicity_probability(rule, x, n) > rule.limit
        assert row.probability == toxicity_probability(rule, x, n)
        assert x == 0 or toxicity_probability(rule, x - 1, n) <= rule.limit
    found = [row.events for row in rows if row.events is not None]
    assert found == sorted(found)
    # Once a boundary exists it exists at every larger n.
    first = next((i for i, row in enumerate(rows) if row.events is not None), len(rows))
    assert all(row.events is not None for row in rows[first:])


def test_boundary_table_keeps_rows_without_a_boundary():
    rows = toxicity_boundaries(toxicity(threshold=0.5, limit=0.95, max_patients=6))
    assert rows[0].events is None and rows[0].probability is None  # 1 of 1: P(rate > 50%) = 0.75
    assert any(row.events is not None for row in rows)


def test_toxicity_status_at_and_below_the_boundary():
    rule = toxicity()
    boundary = toxicity_boundaries(rule)[19].events  # at 20 patients
    assert boundary == 8
    at = toxicity_status(rule, boundary, 20)
    below = toxicity_status(rule, boundary - 1, 20)
    assert (at.status, at.boundary_reached, at.boundary) == ("stop_toxicity", True, 8)
    assert (below.status, below.boundary_reached, below.boundary) == ("continue", False, 8)
    assert at.probability > rule.limit >= below.probability


def test_toxicity_just_below_the_limit_continues():
    # 7 of 20 under Beta(1, 1) gives P(rate > 30%) = 0.72299...; a limit of 0.723 sits just above it.
    status = toxicity_status(toxicity(limit=0.723), 7, 20)
    assert (status.status, status.boundary_reached) == ("continue", False)
    assert 0.7229 < status.probability < 0.723 == status.limit


def test_toxicity_status_beyond_the_boundary_table():
    rule = toxicity(max_patients=30)
    result = toxicity_status(rule, 10, 40)
    assert result.patients == 40 and result.boundary == toxicity_status(toxicity(max_patients=40), 10, 40).boundary
    assert result.beyond_table == 10
    assert toxicity_status(rule, 3, 30).beyond_table == 0


def test_toxicity_status_without_a_boundary_at_this_size():
    status = toxicity_status(toxicity(threshold=0.5, limit=0.95), 1, 1)
    assert status.boundary is None and status.status == "continue"
    assert status.probability == pytest.approx(0.75, abs=1e-12)


@pytest.mark.parametrize(("events", "patients"), [(-1, 5), (6, 5)])
def test_impossible_counts_raise(events, patients):
    with pytest.raises(ValueError, match="between 0 and the number of patients"):
        toxicity_status(toxicity(), events, patients)
