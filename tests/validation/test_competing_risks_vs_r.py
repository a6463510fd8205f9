"""`report.stats.competing_risks` against R's survival and cmprsk packages, run live.

For each case and confidence (0.95, 0.90), compared to 1e-9 (absolute below 1, relative
above), NA <-> None:
- every row of `fit <- survfit(Surv(time, factor(status, 0:2)) ~ 1, conf.int = cl)`
  (R's default conf.type for multi-state curves, "log"): time, n.risk of the initial
  state, n.event of states 1 and 2, n.censor, pstate of states 1 and 2, lower and upper of
  state 1  vs  `CumulativeIncidence.curve`;
- `summary(fit, times = landmarks)` (extend = FALSE): pstate, lower, upper of state 1 and
  n.risk  vs  `landmarks` (a time R drops, past the last follow-up, must be None here);
- `cmprsk::cuminc(time, status, group)$Tests["1", ]`: stat, pv, df  vs  `gray_test`
  (R's stat = -1, a singular variance, a missing row "1", no event of interest, and
  cuminc's error where there is no event at all must be None here).
Data: generated cases with ties of all three kinds at one time, heavy censoring, events
of interest and competing events at the same times, a group without events, three groups,
and R's own `mgus2` (progression, death as the competing event, by sex), written out by R.
"""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from report.stats.competing_risks import CONF_TYPE, cumulative_incidence, gray_test
from rsupport import TOL, mismatches, r_value, run_r

CONFIDENCES = (0.95, 0.90)

R_SCRIPT = r"""
suppressMessages({{library(survival); library(cmprsk)}})
num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
d <- read.csv("{data}", colClasses = c("character", "numeric", "numeric", "character"))
lms <- read.csv("{landmarks}", colClasses = c("character", "numeric"))
for (key in unique(d$case)) {{
  x <- d[d$case == key, ]
  for (cl in c({confidences})) {{
    f <- survfit(Surv(time, factor(status, 0:2)) ~ 1, data = x, conf.int = cl)
    stopifnot(identical(f$states, c("(s0)", "1", "2")))
    cat("conf_type", key, f$conf.type, "\n")
    for (i in seq_along(f$time))
      cat("curve", key, num(cl), num(c(f$time[i], f$n.risk[i, 1], f$n.event[i, 2], f$n.event[i, 3],
          f$n.censor[i], f$pstate[i, 2], f$lower[i, 2], f$upper[i, 2], f$pstate[i, 3])), "\n")
    t <- sort(lms$time[lms$case == key])
    t <- t[t <= max(x$time)]
    if (length(t)) {{
      s <- summary(f, times = t)
      for (i in seq_along(s$time))
        cat("landmark", key, num(cl), num(c(s$time[i], s$pstate[i, 2], s$lower[i, 2], s$upper[i, 2],
            s$n.risk[i, 1])), "\n")
    }}
  }}
  if (length(unique(x$group)) > 1) {{
    # cuminc fails (NAs in a Fortran call) where there is no event at all
    tests <- tryCatch(cuminc(x$time, x$status, x$group)$Tests, error = function(e) NULL)
    if ("1" %in% rownames(tests)) cat("gray", key, num(tests["1", c("stat", "pv", "df")]), "\n")
    else cat("gray", key, "none", "\n")
  }}
}}
"""

MGUS2 = r"""
suppressMessages(library(survival))
etime <- with(mgus2, ifelse(pstat == 0, futime, ptime))
event <- with(mgus2, ifelse(pstat == 0, 2 * death, 1))
write.csv(data.frame(time = etime, status = event, group = mgus2$sex), stdout(), row.names = FALSE)
"""


# ------------------------------------------------------------------------ the cases

def generated(seed: int, n: int, *, groups: int = 2, censor: float = 0.3, competing: float = 0.4,
              grain: float = 0.0, quiet_group: bool = False) -> tuple:
    """Exponential times, a share `censor` censored and `competing` of the rest competing,
    rounded up to `grain` (ties of every kind); `quiet_group`: the last group has no
    event of interest."""
    rng = np.random.default_rng(seed)
    group = np.repeat([f"g{k}" for k in range(groups)], n)
    t = rng.exponential(np.repeat(np.linspace(1.0, 2.0, groups), n))
    status = np.where(rng.random(len(t)) < competing, 2, 1)
    status = np.where(rng.random(len(t)) < censor, 0, status)
    if quiet_group:
        status[group == group[-1]] = np.where(status[group == group[-1]] == 1, 2, status[group == group[-1]])
    time = np.ceil(t / grain) * grain if grain else t
    return time, status, group


def mgus2() -> tuple:
    data = pd.read_csv(io.StringIO(run_r(MGUS2)))
    assert len(data) == 1384 and set(data["status"]) == {0, 1, 2}
    return data["time"].to_numpy(float), data["status"].to_numpy(int), data["group"].to_numpy(str)


def simultaneous() -> tuple:
    """Events of interest, competing events and censorings at the same days."""
    time = [1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6, 7, 8, 8]
    status = [1, 2, 0, 1, 1, 2, 0, 2, 2, 1, 2, 0, 0, 1, 1, 2, 0, 2, 1, 0]
    group = ["A", "B"] * 10
    return np.array(time, float), np.array(status), np.array(group)


def small(time, status, group=None) -> tuple:
    group = group if group is not None else ["A"] * len(time)
    return np.array(time, float), np.array(status), np.array(group)


def random_batch(count: int = 30) -> dict[str, tuple]:
    """Small random data sets: 1 to 3 groups of 2 to 30, random shares censored and
    competing, ties at random grains."""
    rng = np.random.default_rng(20261203)
    return {
        f"random{i:02d}": generated(
            100 + i, int(rng.integers(2, 31)), groups=int(rng.integers(1, 4)), censor=float(rng.uniform(0, 0.9)),
            competing=float(rng.uniform(0, 1)), grain=float(rng.choice([0.0, 0.1, 0.5, 1.0])))
        for i in range(count)
    }


def all_cases() -> dict[str, tuple]:
    return {
        **random_batch(),
        "mgus2": mgus2(),
        "simultaneous": simultaneous(),
        "ties": generated(1, 40, grain=1.0),
        "heavy_censoring": generated(2, 150, censor=0.85),
        "heavy_censoring_ties": generated(3, 100, censor=0.8, grain=0.5),
        "group_without_events": generated(4, 30, quiet_group=True, grain=0.25),
        "three_groups": generated(5, 30, groups=3),
        "three_groups_ties": generated(6, 25, groups=3, grain=1.0, censor=0.5),
        "mostly_competing": generated(7, 40, competing=0.9),
        "large": generated(8, 1500, grain=0.01),
        "time_zero": small([0, 0, 0, 1, 2, 2, 3, 5], [1, 2, 0, 1, 0, 2, 1, 0], list("ABABABAB")),
        "all_competing": small([1, 2, 2, 3, 4], [2, 2, 0, 2, 0], list("AABBB")),
        "no_events": small([1, 2, 3], [0, 0, 0], list("ABB")),
        "all_interest": small([1, 2, 2, 3], [1, 1, 1, 1], list("ABAB")),
        "ends_with_competing": small([1, 2, 3, 4], [1, 0, 1, 2]),
        "single_event": small([4.5], [1]),
        "gray_singular": small([1, 2, 3, 4, 5, 6], [0, 0, 1, 2, 1, 0], list("AABBBB")),
        "gray_three_one_quiet": small([1, 2, 3, 4, 5, 6], [1, 0, 1, 2, 1, 0], list("AABBCC")),
    }


def landmarks_for(time: np.ndarray, status: np.ndarray) -> list[float]:
    """Before the first time, the first time, the first events of interest and competing
    events, between two times, the last time and past it."""
    distinct = np.unique(time)
    picks = {float(distinct[0]), float(time.max()), float(time.max()) + 1.0, float(distinct[0]) / 2}
    picks |= {float(t) for t in np.unique(time[status == 1])[:3]}
    picks |= {float(t) for t in np.unique(time[status == 2])[:2]}
    if len(distinct) > 2:
        picks |= {float((distinct[1] + distinct[2]) / 2), float((distinct[-2] + distinct[-1]) / 2)}
    return sorted(picks)


CASES = all_cases()


# ---------------------------------------------------------------------------- R

def r_results(cases: dict[str, tuple]) -> dict[str, dict]:
    """R's numbers by case: {"curve": {cl: [rows]}, "landmark": {cl: {t: row}}, "gray": row or None}."""
    with tempfile.TemporaryDirectory() as tmp:
        data, landmarks = Path(tmp) / "data.csv", Path(tmp) / "landmarks.csv"
        with data.open("w", encoding="utf-8") as d, landmarks.open("w", encoding="utf-8") as lm:
            d.write("case,time,status,group\n")
            lm.write("case,time\n")
            for name, (time, status, group) in cases.items():
                d.writelines(f"{name},{float(t)!r},{int(s)},{g}\n" for t, s, g in zip(time, status, group))
                lm.writelines(f"{name},{t!r}\n" for t in landmarks_for(time, status))
        out = run_r(R_SCRIPT.format(data=data, landmarks=landmarks, confidences=", ".join(map(repr, CONFIDENCES))))
    results = {name: {"curve": {c: [] for c in CONFIDENCES}, "landmark": {c: {} for c in CONFIDENCES}}
               for name in cases}
    for words in (line.split() for line in out.splitlines() if line.strip()):
        kind, case = words[0], words[1]
        if kind == "conf_type":
            results[case]["conf_type"] = words[2]
        elif kind == "curve":
            results[case]["curve"][float(words[2])].append([r_value(w) for w in words[3:]])
        elif kind == "landmark":
            row = [r_value(w) for w in words[3:]]
            results[case]["landmark"][float(words[2])][row[0]] = row[1:]
        elif kind == "gray":
            results[case]["gray"] = None if words[2] == "none" else [r_value(w) for w in words[2:5]]
    return results


@pytest.fixture(scope="module")
def from_r():
    return r_results(CASES)


# ----------------------------------------------------------------------- comparing

CURVE_FIELDS = ("time", "n_at_risk", "events", "competing", "censored", "estimate", "ci_low", "ci_high",
                "competing_estimate")


def curve_pairs(fit, rows) -> list[tuple]:
    pairs = [("curve rows", len(fit.curve), len(rows))]
    for ours, theirs in zip(fit.curve, rows):
        pairs += [(f"t={theirs[0]:g} {name}", getattr(ours, name), value)
                  for name, value in zip(CURVE_FIELDS, theirs)]
    return pairs


def landmark_pairs(fit, theirs: dict) -> list[tuple]:
    pairs = []
    for lm in fit.landmarks:
        row = theirs.get(lm.time)
        if row is None:  # R drops a time past the last follow-up
            pairs += [(f"landmark {lm.time:g} (R: dropped) estimate", lm.estimate, None),
                      (f"landmark {lm.time:g} (R: dropped) n_at_risk", lm.n_at_risk, 0)]
            continue
        pairs += [(f"landmark {lm.time:g} {name}", getattr(lm, name), value)
                  for name, value in zip(("estimate", "ci_low", "ci_high", "n_at_risk"), row)]
    return pairs


@pytest.mark.parametrize("confidence", CONFIDENCES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_cumulative_incidence_equals_survfit(from_r, case, confidence):
    time, status, _ = CASES[case]
    fit = cumulative_incidence(time, status, landmarks_for(time, status), confidence)
    theirs = from_r[case]
    assert fit.conf_type == theirs["conf_type"] == CONF_TYPE
    pairs = curve_pairs(fit, theirs["curve"][confidence]) + landmark_pairs(fit, theirs["landmark"][confidence])
    pairs.append(("landmarks R kept", sum(lm.estimate is not None for lm in fit.landmarks),
                  len(theirs["landmark"][confidence])))
    problems = mismatches(pairs, TOL)
    assert not problems, f"{case} at {confidence}: {len(problems)} differ from R:\n" + "\n".join(problems)


@pytest.mark.parametrize("case", sorted(c for c in CASES if len(set(CASES[c][2])) > 1))
def test_gray_test_equals_cuminc(from_r, case):
    time, status, group = CASES[case]
    ours, theirs = gray_test(time, status, group), from_r[case]["gray"]
    if theirs is None or theirs[0] == -1:  # no event of interest, or a singular variance
        assert ours is None, f"{case}: R could not compute the test ({theirs}), ours {ours}"
        return
    assert ours is not None, f"{case}: R computes {theirs}, ours None"
    problems = mismatches([("statistic", ours.statistic, theirs[0]), ("p_value", ours.p_value, theirs[1]),
                           ("df", ours.df, theirs[2])], TOL)
    assert not problems, f"{case}:\n" + "\n".join(problems)


def test_the_cases_cover_what_the_issue_names(from_r):
    """The edge cases are really in the data: a group without events of interest, a time
    with an event of interest, a competing event and a censoring at once, a singular test,
    and mgus2's test computed."""
    time, status, group = CASES["group_without_events"]
    assert not (status[group == "g1"] == 1).any() and (status[group == "g0"] == 1).any()
    time, status, _ = CASES["simultaneous"]
    assert any({0, 1, 2} <= set(status[time == t]) for t in np.unique(time))
    assert from_r["gray_singular"]["gray"][0] == -1
    assert from_r["mgus2"]["gray"][0] > 0
    assert (CASES["heavy_censoring"][1] == 0).mean() > 0.8
