"""Stratified comparisons (`compare_arms(..., strata=)`) and the overall Cox tests against R, run live.

R's reference: `survdiff(Surv(time, event) ~ arm + strata(s))` (chi-square, df the arms
with expected events less one, p) and `coxph(Surv(time, event) ~ arm + strata(s), ties =
"efron", control = coxph.control(eps = 1e-14, iter.max = 100))` with `summary(fit)`:
each hazard ratio with its Wald CI and p, and the likelihood-ratio, Wald and score tests
(`$logtest`, `$waldtest` with the unrounded `fit$wald.test`, `$sctest`). Unstratified cases check the three overall tests too.

Data: seeded generated trials with ties, 2 to 4 strata, three arms, a stratum where one arm
has no patients, an arm without events (R: infinite coefficient; the ledger: not estimable,
but the score test and log-rank still given), and small counts. Compared to 1e-9.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest

from report.analysis.ledger import plain
from report.stats.comparison import compare_arms
from rsupport import r_value, run_r, same

R_SCRIPT = r"""
suppressMessages(library(survival))
num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
d <- read.csv("{data}", colClasses = c("character", "numeric", "numeric", "character", "character"))
arms <- read.csv("{arms}", colClasses = "character")
for (key in unique(d$case)) {{
  x <- d[d$case == key, ]
  lv <- arms$arm[arms$case == key]
  x$arm <- factor(x$arm, levels = lv)
  strat <- any(x$s != "")
  form <- if (strat) Surv(time, event) ~ arm + strata(s) else Surv(time, event) ~ arm
  infinite <- FALSE
  f <- withCallingHandlers(
    coxph(form, data = x, ties = "efron", control = coxph.control(eps = 1e-14, iter.max = 100)),
    warning = function(w) {{
      if (grepl("infinite|singular", conditionMessage(w))) infinite <<- TRUE
      invokeRestart("muffleWarning")
    }})
  s <- summary(f, conf.int = 0.95)
  for (i in seq_len(nrow(s$coefficients)))
    cat("hr", key, lv[i + 1], num(c(s$conf.int[i, c(1, 3, 4)], s$coefficients[i, 5])),
        as.integer(infinite || any(is.na(coef(f)))), "\n")
  cat("lr", key, num(s$logtest), "\n")
  cat("wald", key, num(c(f$wald.test, s$waldtest[2:3])), "\n")  # summary rounds the statistic
  cat("score", key, num(s$sctest), "\n")
  sd <- survdiff(form, data = x)
  df <- sum(rowSums(as.matrix(sd$exp)) > 0) - 1
  cat("logrank", key, num(c(sd$chisq, df, pchisq(sd$chisq, df, lower.tail = FALSE))), "\n")
}}
"""


def generated(seed: int, ratios: dict[str, float], strata: dict[str, float], n: int, grain: float = 0.0,
              censor: float = 0.3) -> tuple:
    """Exponential times, hazard ratios[arm] * strata[stratum]; rounded up to `grain` (ties)."""
    rng = np.random.default_rng(seed)
    times, events, arms, layers = [], [], [], []
    for arm, ratio in ratios.items():
        for layer, factor in strata.items():
            size = int(rng.integers(max(1, n // 2), n + 1))
            t = rng.exponential(1.0 / (ratio * factor), size)
            censored = rng.random(size) < censor
            observed = np.where(censored, rng.random(size) * t, t)
            times += list(np.ceil(observed / grain) * grain if grain else observed)
            events += list(~censored)
            arms += [arm] * size
            layers += [layer] * size
    return np.array(times), np.array(events, bool), arms, list(ratios), layers


def without(case: tuple, arm: str, layer: str | None = None, events_only: bool = False) -> tuple:
    """The case less an arm's patients in a stratum (or all its events, censoring them)."""
    time, event, arms, levels, layers = case
    hit = np.array([a == arm and (layer is None or s == layer) for a, s in zip(arms, layers)])
    if events_only:
        return time, event & ~hit, arms, levels, layers
    keep = ~hit
    return time[keep], event[keep], [a for a, k in zip(arms, keep) if k], levels, [s for s, k in zip(layers, keep) if k]


def random_batch(count: int = 30) -> dict[str, tuple]:
    rng = np.random.default_rng(20261203)
    cases = {}
    for i in range(count):
        k = int(rng.integers(2, 4))
        ratios = {"A": 1.0, **{a: float(np.exp(rng.uniform(-2.5, 2.5))) for a in "BC"[: k - 1]}}
        strata = {f"s{j}": float(np.exp(rng.uniform(-1, 1))) for j in range(int(rng.integers(2, 5)))}
        grain = float(rng.choice([0.0, 0.1, 0.5, 1.0]))
        cases[f"random{i:02d}"] = generated(2000 + i, ratios, strata, int(rng.integers(3, 20)), grain,
                                            float(rng.uniform(0, 0.5)))
    return cases


def all_cases() -> dict[str, tuple]:
    two = generated(1, {"A": 1.0, "B": 2.0}, {"low": 0.5, "high": 2.0}, 40, grain=0.5)
    three = generated(2, {"A": 1.0, "B": 0.5, "C": 1.5}, {"x": 1.0, "y": 3.0, "z": 0.3}, 30, grain=1.0)
    unstratified = generated(3, {"A": 1.0, "B": 1.8}, {"": 1.0}, 50, grain=0.2)
    return {
        "two_strata_ties": two,
        "three_arms_three_strata": three,
        "four_strata_small": generated(4, {"A": 1.0, "B": 3.0}, {f"q{i}": 1.0 + i for i in range(4)}, 5, grain=1.0),
        "stratum_without_arm": without(two, "B", "low"),
        "arm_without_events": without(three, "C", events_only=True),
        "unstratified_overall": unstratified,
        **random_batch(),
    }


def r_results(cases: dict[str, tuple]) -> dict[str, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        data, arms = Path(tmp) / "data.csv", Path(tmp) / "arms.csv"
        with data.open("w", encoding="utf-8") as d, arms.open("w", encoding="utf-8") as a:
            d.write("case,time,event,arm,s\n")
            a.write("case,arm\n")
            for name, (time, event, arm, levels, layers) in cases.items():
                d.writelines(f"{name},{float(t)!r},{int(e)},{g},{s}\n" for t, e, g, s in zip(time, event, arm, layers))
                a.writelines(f"{name},{g}\n" for g in levels)
        out = run_r(R_SCRIPT.format(data=data, arms=arms))
    results: dict[str, dict] = {name: {"hr": {}} for name in cases}
    for words in (line.split() for line in out.splitlines() if line.strip()):
        if words[0] == "hr":
            results[words[1]]["hr"][words[2]] = (*[r_value(w) for w in words[3:7]], words[7] == "1")
        else:
            results[words[1]][words[0]] = tuple(r_value(w) for w in words[2:5])
    return results


CASES = all_cases()


@pytest.fixture(scope="module")
def r():
    return r_results(CASES)


def ours(case: str) -> dict:
    time, event, arm, levels, layers = CASES[case]
    strata = layers if any(layers) else None
    return plain(compare_arms(time, event, arm, levels, 0.95, strata=strata, stratified_by=("S",)))


def differences(block: dict, theirs: dict) -> list[str]:
    problems = []
    infinite = any(v[4] for v in theirs["hr"].values())
    for ratio in block["hazard_ratios"]:
        hr, low, high, p, _ = theirs["hr"][ratio["arm"]]
        expected = (None, None, None, None) if infinite else (hr, low, high, p)
        for name, value in zip(("hazard_ratio", "ci_low", "ci_high", "p_value"), expected):
            if not same(ratio[name], value):
                problems.append(f"{ratio['arm']} {name}: ours={ratio[name]!r} R={value!r}")
    # Where R finds a coefficient infinite it may set it to NA and count one df fewer for
    # its score test; the statistic is the same, and the ledger counts every arm compared.
    tests = [("logrank", block["log_rank"], ("chi_square", "df", "p_value")),
             ("score", block["score"], ("statistic",) if infinite else ("statistic", "df", "p_value"))]
    if not infinite:
        tests += [("lr", block["likelihood_ratio"], ("statistic", "df", "p_value")),
                  ("wald", block["wald"], ("statistic", "df", "p_value"))]
    else:
        problems += [f"{n}: ours={block[n]!r}, not estimable in R" for n in ("likelihood_ratio", "wald") if block[n]]
    for key, test, names in tests:
        for name, value in zip(names, theirs[key]):
            if test is None or not same(test[name], value):
                problems.append(f"{key} {name}: ours={None if test is None else test[name]!r} R={value!r}")
    return problems


@pytest.mark.parametrize("case", sorted(CASES))
def test_stratified_comparison_equals_r(r, case):
    problems = differences(ours(case), r[case])
    assert not problems, f"{case}:\n" + "\n".join(problems)


def test_the_cases_hold_what_they_are_named_for(r):
    assert any(v[4] for v in r["arm_without_events"]["hr"].values())
    assert not any(v[4] for v in r["two_strata_ties"]["hr"].values())
    assert ours("two_strata_ties")["stratified_by"] == ["S"] and ours("unstratified_overall")["stratified_by"] == []
    time = CASES["two_strata_ties"][0]
    assert len(np.unique(time)) < len(time) / 3
    # stratifying changes the answer (so the strata are really used)
    time, event, arm, levels, _ = CASES["three_arms_three_strata"]
    plain_block = plain(compare_arms(time, event, arm, levels))
    assert not same(plain_block["log_rank"]["chi_square"], r["three_arms_three_strata"]["logrank"][0])
