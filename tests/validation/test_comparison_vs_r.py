"""`report.stats.comparison.compare_arms` (the ledger's `comparisons.<endpoint>`) against R, run live.

R's reference is the exact maximum-likelihood estimate:
`coxph(Surv(time, event) ~ arm, ties = "efron", control = coxph.control(eps = 1e-14,
iter.max = 100))` with `summary(fit, conf.int = confidence)` (Wald CIs and p-values), and
`survdiff(Surv(time, event) ~ arm)` with `pchisq(chisq, df, lower.tail = FALSE)`, df the
number of arms with expected events, less one. Every figure of the ledger block (each
arm's hazard ratio, CI bounds and Wald p; the log-rank chi-square, df and p) is compared
to 1e-9: relative for values of 1 or more, absolute below (DESIGN section 6).

Data: the public data sets waltons and rossi (shipped with lifelines), ovarian (R's
survival package, exported by R inside the test), and seeded generated trials: hazard
ratios above 20 and below 1/20, heavy ties, three arms, and a random batch. Where R warns
that a coefficient may be infinite (monotone likelihood), the ledger must say "not
estimable" (None), and only there.
"""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from report.stats.comparison import compare_arms
from report.analysis.ledger import plain
from rsupport import TOL, r_value, run_r, same

CONFIDENCES = (0.95, 0.90)

R_SCRIPT = r"""
suppressMessages(library(survival))
num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
d <- read.csv("{data}", colClasses = c("character", "numeric", "numeric", "character"))
arms <- read.csv("{arms}", colClasses = "character")
for (key in unique(d$case)) {{
  x <- d[d$case == key, ]
  lv <- arms$arm[arms$case == key]
  x$arm <- factor(x$arm, levels = lv)
  infinite <- FALSE
  f <- withCallingHandlers(
    coxph(Surv(time, event) ~ arm, data = x, ties = "efron",
          control = coxph.control(eps = 1e-14, iter.max = 100)),
    warning = function(w) {{
      if (grepl("infinite|singular", conditionMessage(w))) infinite <<- TRUE
      invokeRestart("muffleWarning")
    }})
  for (cl in c({confidences})) {{
    s <- summary(f, conf.int = cl)
    for (i in seq_len(nrow(s$coefficients)))
      cat("hr", key, num(cl), lv[i + 1], num(c(s$conf.int[i, c(1, 3, 4)], s$coefficients[i, 5])),
          as.integer(infinite || any(is.na(coef(f)))), "\n")
  }}
  sd <- survdiff(Surv(time, event) ~ arm, data = x)
  df <- sum(sd$exp > 0) - 1
  cat("logrank", key, num(c(sd$chisq, df, pchisq(sd$chisq, df, lower.tail = FALSE))), "\n")
}}
"""


# ------------------------------------------------------------------------ the cases

def waltons() -> tuple:
    from lifelines.datasets import load_waltons

    data = load_waltons()
    return data["T"].to_numpy(float), data["E"].to_numpy(bool), list(data["group"]), ["control", "miR-137"]


def rossi() -> tuple:
    from lifelines.datasets import load_rossi

    data = load_rossi()
    arm = ["aid" if f == 1 else "no-aid" for f in data["fin"]]
    return data["week"].to_numpy(float), data["arrest"].to_numpy(bool), arm, ["no-aid", "aid"]


def ovarian() -> tuple:
    """R's survival::ovarian, written out by R: futime, fustat, rx (1 = reference)."""
    text = run_r('suppressMessages(library(survival)); write.csv(ovarian[, c("futime", "fustat", "rx")], '
                 'stdout(), row.names = FALSE)')
    data = pd.read_csv(io.StringIO(text))
    assert len(data) == 26
    return (data["futime"].to_numpy(float), data["fustat"].to_numpy(bool), [f"rx{r}" for r in data["rx"]],
            ["rx1", "rx2"])


def generated(seed: int, ratios: dict[str, float], n: int, grain: float = 0.0, censor: float = 0.3) -> tuple:
    """Exponential times, each arm's hazard `ratios[arm]` times the reference's; times
    rounded up to `grain` (ties), a share `censor` censored at random."""
    rng = np.random.default_rng(seed)
    times, events, arms = [], [], []
    for arm, ratio in ratios.items():
        t = rng.exponential(1.0 / ratio, n)
        censored = rng.random(n) < censor
        observed = np.where(censored, rng.random(n) * t, t)
        times += list(np.ceil(observed / grain) * grain if grain else observed)
        events += list(~censored)
        arms += [arm] * n
    return np.array(times), np.array(events, bool), arms, list(ratios)


def random_batch(count: int = 40) -> dict[str, tuple]:
    """Small random trials: 2 or 3 arms, hazard ratios from 1/100 to 100, ties at random
    grains; some have a monotone likelihood (and must then be not estimable)."""
    rng = np.random.default_rng(20261202)
    cases = {}
    for i in range(count):
        k = int(rng.integers(2, 4))
        ratios = {"A": 1.0, **{arm: float(np.exp(rng.uniform(-4.6, 4.6))) for arm in "BC"[: k - 1]}}
        grain = float(rng.choice([0.0, 0.05, 0.2, 1.0]))
        cases[f"random{i:02d}"] = generated(1000 + i, ratios, int(rng.integers(3, 25)), grain, float(rng.uniform(0, .5)))
    return cases


def all_cases() -> dict[str, tuple]:
    return {
        "waltons": waltons(),
        "rossi": rossi(),
        "ovarian": ovarian(),
        "hr_above_20": generated(11, {"A": 1.0, "B": 60.0}, 40),
        "hr_above_20_ties": generated(12, {"A": 1.0, "B": 80.0}, 40, grain=0.01),
        "hr_below_1_20": generated(13, {"A": 1.0, "B": 1 / 60}, 40),
        "heavy_ties": generated(14, {"A": 1.0, "B": 2.5}, 60, grain=0.5),
        "three_arms": generated(15, {"A": 1.0, "B": 3.0, "C": 0.4}, 50),
        "three_arms_large": generated(19, {"A": 1.0, "B": 40.0, "C": 1 / 30}, 40, grain=0.02),
        "three_arms_ties": generated(17, {"A": 1.0, "B": 1.5, "C": 2.0}, 30, grain=1.0),
        **random_batch(),
    }


# ---------------------------------------------------------------------------- R

def r_comparisons(cases: dict[str, tuple]) -> dict[str, dict]:
    """R's numbers by case: {"hr": {(confidence, arm): (hr, low, high, p, infinite)},
    "logrank": (chisq, df, p)}."""
    with tempfile.TemporaryDirectory() as tmp:
        data, arms = Path(tmp) / "data.csv", Path(tmp) / "arms.csv"
        with data.open("w", encoding="utf-8") as d, arms.open("w", encoding="utf-8") as a:
            d.write("case,time,event,arm\n")
            a.write("case,arm\n")
            for name, (time, event, arm, levels) in cases.items():
                d.writelines(f"{name},{float(t)!r},{int(e)},{g}\n" for t, e, g in zip(time, event, arm))
                a.writelines(f"{name},{g}\n" for g in levels)
        script = R_SCRIPT.format(data=data, arms=arms, confidences=", ".join(map(repr, CONFIDENCES)))
        out = run_r(script)
    results: dict[str, dict] = {name: {"hr": {}} for name in cases}
    for words in (line.split() for line in out.splitlines() if line.strip()):
        if words[0] == "hr":
            values = [r_value(w) for w in words[4:8]]
            results[words[1]]["hr"][(float(words[2]), words[3])] = (*values, words[8] == "1")
        elif words[0] == "logrank":
            results[words[1]]["logrank"] = tuple(r_value(w) for w in words[2:5])
    return results


CASES = all_cases()


@pytest.fixture(scope="module")
def r_results():
    return r_comparisons(CASES)


# ----------------------------------------------------------------------- comparing

def ledger_block(case: str, confidence: float) -> dict:
    time, event, arm, levels = CASES[case]
    return plain(compare_arms(time, event, arm, levels, confidence))


def differences(case: str, confidence: float, theirs: dict, tol: float = TOL) -> list[str]:
    """Every ledger figure that differs from R, as readable lines."""
    block = ledger_block(case, confidence)
    problems = []
    for ratio in block["hazard_ratios"]:
        hr, low, high, p, infinite = theirs["hr"][(confidence, ratio["arm"])]
        if infinite:
            if ratio["hazard_ratio"] is not None:
                problems.append(f"{ratio['arm']}: R finds no finite estimate, ours {ratio['hazard_ratio']!r}")
            continue
        for name, value in (("hazard_ratio", hr), ("ci_low", low), ("ci_high", high), ("p_value", p)):
            if not same(ratio[name], value, tol):
                problems.append(f"{ratio['arm']} {name}: ours={ratio[name]!r} R={value!r}")
    chisq, df, p = theirs["logrank"]
    ours = block["log_rank"]
    for name, value in (("chi_square", chisq), ("df", df), ("p_value", p)):
        if not same(ours[name], value, tol):
            problems.append(f"log-rank {name}: ours={ours[name]!r} R={value!r}")
    return problems


@pytest.mark.parametrize("confidence", CONFIDENCES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_comparison_equals_r(r_results, case, confidence):
    problems = differences(case, confidence, r_results[case])
    assert not problems, f"{case} at {confidence}:\n" + "\n".join(problems)


def test_the_cases_cover_what_they_should(r_results):
    """The fixed cases hold what they are named for (so none silently turns trivial)."""
    hr = {case: r_results[case]["hr"][(0.95, CASES[case][3][1])][0] for case in CASES}
    assert hr["waltons"] == pytest.approx(7.787618918925, rel=1e-11)  # the example
    assert hr["hr_above_20"] > 20 and hr["hr_above_20_ties"] > 20 and hr["hr_below_1_20"] < 1 / 20
    large = r_results["three_arms_large"]["hr"]
    assert large[(0.95, "B")][0] > 20 and large[(0.95, "C")][0] < 1 / 20
    assert len(np.unique(CASES["heavy_ties"][0])) < len(CASES["heavy_ties"][0]) / 4
    randoms = [r_results[c]["hr"] for c in CASES if c.startswith("random")]
    monotone = sum(any(v[4] for v in h.values()) for h in randoms)
    assert 0 < monotone < len(randoms) / 2, monotone  # both kinds are exercised


def test_waltons_fails_at_lifelines_default_precision(r_results):
    """Guards the tolerance: a Cox fit stopped as lifelines stops (relative change of the
    log-likelihood below 1e-9) is measurably off at 1e-9, so this suite can tell."""
    from lifelines import CoxPHFitter

    time, event, arm, _ = CASES["waltons"]
    frame = pd.DataFrame({"b": [float(a == "miR-137") for a in arm], "time": time, "event": event})
    fit = CoxPHFitter().fit(frame, duration_col="time", event_col="event")
    hr = float(fit.summary.loc["b", "exp(coef)"])
    assert not same(hr, r_results["waltons"]["hr"][(0.95, "miR-137")][0])
