"""The subgroup analysis block (report/blocks/tables/forest.py) and the interaction test
(report/stats/cox_design.py): on the random-cdisc fixture, every level's patients and events
counted from the XPT files, every ratio (the overall one of the two arms alone)
and interaction p-value equal to R's coxph and anova (run live), the table and ard.csv; a
subgroup that is not a categorical demographic variable is refused, naming it."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import report
from report.blocks.tables.forest import BLOCK, ard, view
from report.errors import InputError
from report.stats.cox_design import interaction_test

ROOT = Path(__file__).resolve().parents[1]
RANDOM = ROOT / "tests" / "fixtures" / "adam" / "random-cdisc"
DATA = ROOT.parent / "shared" / "data" / "random-cdisc"


@pytest.fixture(scope="module")
def trial():
    return report.load_trial(RANDOM)


@pytest.fixture(scope="module")
def ledger(trial) -> dict:
    return report.analyze(trial).to_dict()


def _os_with_adsl() -> pd.DataFrame:
    """ITT patients of arms A and B: OS time, event, arm, sex, age, stratum, from the XPT files."""
    adsl, _ = pyreadstat.read_xport(str(DATA / "adsl.xpt"))
    adtte, _ = pyreadstat.read_xport(str(DATA / "adtte.xpt"))
    os_ = adtte[adtte["PARAMCD"] == "OS"][["USUBJID", "AVAL", "CNSR"]]
    frame = os_.merge(adsl[adsl["ITTFL"] == "Y"][["USUBJID", "ARM", "SEX", "AGE", "STRATA1"]], on="USUBJID")
    return frame[frame["ARM"].isin(["A: Drug X", "B: Placebo"])].reset_index(drop=True)


def test_levels_count_the_patients_and_events_of_the_xpt_files(ledger):
    frame = _os_with_adsl()
    part = ledger["forest"]
    assert (part["arm"], part["reference"]) == ("B: Placebo", "A: Drug X")
    assert (part["overall"]["n"], part["overall"]["events"]) == (len(frame), int((frame["CNSR"] == 0).sum()))
    sex = {x["label"]: (x["n"], x["events"]) for x in part["subgroups"][0]["levels"]}
    for code, label in (("F", "Female"), ("M", "Male")):
        rows = frame[frame["SEX"] == code]
        assert sex[label] == (len(rows), int((rows["CNSR"] == 0).sum()))
    age = {x["label"]: x["n"] for x in part["subgroups"][1]["levels"]}
    assert age == {"Under 40": int((frame["AGE"] < 40).sum()), "40 or older": int((frame["AGE"] >= 40).sum())}


def test_every_ratio_and_interaction_equals_r():
    from validation.rsupport import TOL, run_r  # noqa: PLC0415  (R is required: tests/needs.py)

    ledger = report.analyze(report.load_trial(RANDOM)).to_dict()
    script = f"""suppressMessages({{library(survival); library(haven)}})
adsl <- read_xpt("{DATA / 'adsl.xpt'}"); adtte <- read_xpt("{DATA / 'adtte.xpt'}")
d <- merge(adtte[adtte$PARAMCD == "OS", c("USUBJID", "AVAL", "CNSR")],
           adsl[adsl$ITTFL == "Y", c("USUBJID", "ARM", "SEX", "AGE", "STRATA1")], by = "USUBJID")
d <- d[d$ARM %in% c("A: Drug X", "B: Placebo"), ]
d$ARM <- factor(d$ARM, levels = c("A: Drug X", "B: Placebo")); d$EV <- 1 - d$CNSR
d$AGEGRP <- ifelse(d$AGE < 40, "Under 40", "40 or older")
ctl <- coxph.control(eps = 1e-14, iter.max = 100)
out <- function(x) cat(sprintf("%.17g", x), "\\n")
hr <- function(s) {{ f <- coxph(Surv(AVAL, EV) ~ ARM, data = s, control = ctl)
  out(c(exp(coef(f)), exp(confint(f)), summary(f)$coefficients[5])) }}
hr(d)
for (v in c("SEX", "AGEGRP", "STRATA1")) {{
  for (x in sort(unique(d[[v]]))) hr(d[d[[v]] == x, ])
  a <- coxph(as.formula(paste("Surv(AVAL, EV) ~ ARM +", v)), data = d, control = ctl)
  b <- coxph(as.formula(paste("Surv(AVAL, EV) ~ ARM *", v)), data = d, control = ctl)
  out(c(anova(a, b)$Chisq[2], anova(a, b)[["Pr(>|Chi|)"]][2])) }}"""
    lines = iter([[float(v) for v in line.split()] for line in run_r(script).splitlines() if line.strip()])
    overall = ledger["forest"]["overall"]["ratio"]  # the two arms alone (the ledger's comparison fits all three)
    assert [overall["hazard_ratio"], overall["ci_low"], overall["ci_high"], overall["p_value"]] == \
        pytest.approx(next(lines), rel=TOL, abs=TOL)
    for subgroup in ledger["forest"]["subgroups"]:
        by_label = {x["label"]: x["ratio"] for x in subgroup["levels"]}
        codes = {"Female": "F", "Male": "M"}
        for label in sorted(by_label, key=lambda x: codes.get(x, x)):
            ratio = by_label[label]
            assert [ratio["hazard_ratio"], ratio["ci_low"], ratio["ci_high"], ratio["p_value"]] == \
                pytest.approx(next(lines), rel=TOL, abs=TOL), (subgroup["key"], label)
        test = subgroup["interaction"]
        assert [test["statistic"], test["p_value"]] == pytest.approx(next(lines), rel=TOL, abs=TOL), subgroup["key"]


def test_the_interaction_test_does_not_depend_on_the_reference_and_counts_its_degrees_of_freedom():
    rng = np.random.default_rng(7)
    time, event = np.round(rng.exponential(5, 90)), rng.random(90) < 0.8
    arm, level = rng.choice(["A", "B"], 90), rng.choice(["x", "y", "z"], 90)
    test = interaction_test(time, event, arm, level)
    assert test.df == 2 and test.statistic > 0
    swapped = interaction_test(time, event, np.where(arm == "A", "Z", arm), np.where(level == "x", "w", level))
    assert swapped.statistic == pytest.approx(test.statistic, abs=1e-9)  # the likelihoods, not the coding
    assert interaction_test(time, event, arm, ["x"] * 90) is None  # one level: nothing to test
    assert interaction_test(time, event & (arm == "B"), arm, level) is None  # arm A without events: no maximum


def test_the_table_and_ard(ledger):
    laid = view(ledger)
    labels = [row.label for row in laid.table.rows]
    assert labels[:4] == ["All patients", "Sex", "Female", "Male"]
    sex = laid.table.rows[1]
    assert sex.cells[-1] == report.layout.wording.p_value(ledger["forest"]["subgroups"][0]["interaction"]["p_value"])
    assert "likelihood-ratio test" in laid.note
    stats = {(s.variable, s.variable_level, s.stat_name): s.stat for s in ard(ledger["forest"], ledger)}
    female = ledger["forest"]["subgroups"][0]["levels"][0]
    assert stats["SEX", "Female", "estimate"] == female["ratio"]["hazard_ratio"]
    assert stats["SEX", "interaction", "p.value"] == ledger["forest"]["subgroups"][0]["interaction"]["p_value"]
    assert not BLOCK.open_safe and ledger["by_arm"]["A: Drug X"].get("forest") is None


def test_a_subgroup_that_is_not_a_categorical_variable_is_refused(tmp_path):
    text = (RANDOM / "trial.toml").read_text(encoding="utf-8").replace(
        'path = "../../../../../shared/data/random-cdisc"', f'path = "{DATA}"')
    (tmp_path / "trial.toml").write_text(text.replace('subgroups = ["SEX", "AGEGRP", "STRATA1"]',
                                                      'subgroups = ["SEX", "AGE", "COUNTRY"]'), encoding="utf-8")
    with pytest.raises(InputError) as error:
        report.analyze(report.load_trial(tmp_path))
    assert "analysis.forest.subgroups: 'AGE'" in str(error.value.problems[0])


def test_the_forest_plot_draws_every_level_and_the_interaction_p(ledger):
    from report.blocks.tables.forest import figures

    svg = figures(ledger)["forest"]
    for subgroup in ledger["forest"]["subgroups"]:
        assert f">{subgroup['label']}<" in svg or subgroup["label"] in svg
        assert report.layout.wording.p_value(subgroup["interaction"]["p_value"]) in svg
    assert svg == figures(ledger)["forest"]  # the same bytes twice
