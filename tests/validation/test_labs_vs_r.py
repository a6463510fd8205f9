"""The laboratory shift table (labs_shift) against R, run live: R derives each patient's
baseline and worst grade after baseline from the raw records (tidy CSV, or ADLB read with
haven), then `table(factor(baseline, 0:4), factor(worst, 0:4))`, N = sum of the table and
p = table / N; the missing baselines with `table(factor(worst, 0:4))`. Counts equal, p to
1e-9, for every test in every arm and the total: two random three-arm tidy trials (baselines
derived from dates, and flagged) and the ADaM example.
"""
from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import pytest

import report
from rsupport import assert_matches, run_r

pytestmark = pytest.mark.needs("r")
ROOT = Path(__file__).resolve().parents[2]
ADAM_EXAMPLE = ROOT / "data" / "adam-example"
TESTS = ("ANC", "PLT", "ALT")
SPEC = """
[trial]
id = "T-LABS-R"
title = "Random laboratory results"

[study]
population = "Adults"
background = "Background."

[analysis]
responders = ["CR"]
"""

R_CODE = r"""
num <- function(x) sprintf("%.17g", x)
emit <- function(...) cat(paste(c(...), collapse = "\t"), "\n", sep = "")

patient <- function(d, ref, mode) {
  if (mode == "adam") {
    b <- d$grade[d$ABLFL == "Y" & !is.na(d$grade)]
    post <- d$grade[d$ONTRTFL == "Y" & !is.na(d$grade)]
  } else if (mode == "flagged") {
    b <- d$grade[d$baseline]
    cut <- max(c(ref, d$collected_on[d$baseline]))
    post <- d$grade[!d$baseline & d$collected_on > cut]
  } else {
    before <- d[d$collected_on <= ref, ]
    b <- before$grade[before$collected_on == max(before$collected_on)]
    post <- d$grade[d$collected_on > ref]
  }
  c(if (length(b)) max(b) else NA, if (length(post)) max(post) else NA)
}

shift <- function(labs, subjects, case, group, mode) {
  ref <- setNames(subjects$enrolled_on, subjects$subject_id)
  for (test in sort(unique(labs$test))) {
    d <- labs[labs$test == test, ]
    pp <- t(sapply(split(d, d$subject_id, drop = TRUE), function(x) patient(x, ref[[x$subject_id[1]]], mode)))
    both <- !is.na(pp[, 1]) & !is.na(pp[, 2])
    tab <- table(factor(pp[both, 1], levels = 0:4), factor(pp[both, 2], levels = 0:4))
    n <- sum(tab)
    emit("N", case, group, test, num(n))
    for (b in 0:4) for (w in 0:4) emit("cell", case, group, test, b, w, num(tab[b + 1, w + 1]), num(tab[b + 1, w + 1] / n))
    miss <- table(factor(pp[is.na(pp[, 1]) & !is.na(pp[, 2]), 2], levels = 0:4))
    for (w in 0:4) emit("missing", case, group, test, w, num(miss[w + 1]))
  }
}

by_group <- function(labs, subjects, case, mode) {
  subjects <- subjects[subjects$safety, ]
  labs <- labs[labs$subject_id %in% subjects$subject_id, ]
  shift(labs, subjects, case, "Total", mode)
  for (arm in sort(unique(subjects$arm))) {
    ids <- subjects$subject_id[subjects$arm == arm]
    shift(labs[labs$subject_id %in% ids, ], subjects[subjects$arm == arm, ], case, arm, mode)
  }
}

tidy <- function(folder, case, mode) {
  s <- read.csv(file.path(folder, "subjects.csv"), colClasses = "character")
  subjects <- data.frame(subject_id = s$subject_id, arm = s$arm, enrolled_on = as.Date(s$enrolled_on),
                         safety = s$treated == "true")
  l <- read.csv(file.path(folder, "labs.csv"), colClasses = "character")
  labs <- data.frame(subject_id = l$subject_id, test = l$test, collected_on = as.Date(l$collected_on),
                     grade = as.integer(l$grade))
  if (mode == "flagged") labs$baseline <- l$baseline == "true"
  by_group(labs, subjects, case, mode)
}

adam <- function(folder) {
  suppressMessages(library(haven))
  adsl <- read_xpt(file.path(folder, "adsl.xpt"))
  adlb <- read_xpt(file.path(folder, "adlb.xpt"))
  subjects <- data.frame(subject_id = adsl$USUBJID, arm = adsl$TRT01A, enrolled_on = adsl$RANDDT,
                         safety = adsl$SAFFL == "Y")
  labs <- data.frame(subject_id = adlb$USUBJID, test = adlb$PARAMCD, grade = suppressWarnings(as.integer(adlb$ATOXGR)),
                     ABLFL = adlb$ABLFL, ONTRTFL = adlb$ONTRTFL)
  by_group(labs, subjects, "adam", "adam")
}
"""


def _trial(folder: Path, seed: int, flagged: bool) -> Path:
    """Three arms, some patients untreated; per test, results before, on and after
    registration (same-day duplicates, patients without baseline or without later results,
    flagged baselines two days after registration)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    (folder / "trial.toml").write_text(SPEC, encoding="utf-8")
    subjects, labs = [], []
    for i in range(60):
        enrolled = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(200))
        subjects.append([f"S{i:02d}", "ABC"[i % 3], enrolled.isoformat(), "true" if rng.random() > 0.1 else "false",
                         "NR", "", "2022-06-30"])
        for test in TESTS:
            if rng.random() < 0.1:
                continue  # no result of this test
            before = [enrolled + dt.timedelta(days=rng.choice([0, 0, -1, -3, -7, 2])) for _ in range(rng.choice([0, 1, 1, 2, 3]))]
            after = [enrolled + dt.timedelta(days=rng.randrange(1, 300)) for _ in range(rng.choice([0, 1, 3, 6]))]
            flag = rng.randrange(len(before)) if before and rng.random() > 0.1 else None
            if flagged and test == "ALT" and i % 3 == 2:
                flag = None  # arm C: no ALT baseline flagged, N = 0 (R: 0/0 is NaN, ours None)
            for j, day in enumerate(before + after):
                grade = rng.choices(range(5), weights=(50, 20, 15, 10, 5))[0]
                labs.append([f"S{i:02d}", test, day.isoformat(), grade, "true" if j == flag else "false"])
    rng.shuffle(labs)
    header = ["subject_id", "arm", "enrolled_on", "treated", "best_response", "died_on", "last_contact_on"]
    _write(folder / "subjects.csv", [header, *subjects])
    lab_header = ["subject_id", "test", "collected_on", "grade", "baseline"]
    _write(folder / "labs.csv", [lab_header[:5 if flagged else 4], *(row[:5 if flagged else 4] for row in labs)])
    return folder


def _write(path: Path, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _r_results(cases: dict[str, Path]) -> list[list[str]]:
    calls = "".join(f'tidy("{folder}", "{case}", "{case}")\n' for case, folder in cases.items() if case != "adam")
    out = run_r(R_CODE + calls + f'adam("{ADAM_EXAMPLE}")\n')
    return [line.split("\t") for line in out.splitlines() if line]


def _ours(ledger: dict, group: str, test: str) -> dict:
    part = ledger["labs_shift"] if group == "Total" else ledger["by_arm"][group]["labs_shift"]
    return part["tests"][test]


def _pairs(lines: list[list[str]], ledgers: dict[str, dict]) -> list[tuple]:
    pairs = []
    for kind, case, group, test, *values in lines:
        shift = _ours(ledgers[case], group, test)
        label = f"{case} {group} {test}"
        if kind == "N":
            pairs.append((f"{label} N", shift["n"], float(values[0])))
        elif kind == "cell":
            b, w, n, p = values
            cell = shift["shifts"][b][w]
            pairs.append((f"{label} {b}->{w} n", cell["count"], float(n)))
            pairs.append((f"{label} {b}->{w} p", cell["proportion"], None if p in ("NaN", "NA") else float(p)))
        else:
            pairs.append((f"{label} missing ->{values[0]}", shift["missing_baseline"][values[0]], float(values[1])))
    return pairs


def test_shifts_equal_r(tmp_path):
    cases = {"derived": _trial(tmp_path / "derived", 15, flagged=False),
             "flagged": _trial(tmp_path / "flagged", 16, flagged=True)}
    ledgers = {case: report.analyze(report.load_trial(folder)).to_dict() for case, folder in cases.items()}
    ledgers["adam"] = report.analyze(report.load_trial(ADAM_EXAMPLE)).to_dict()
    lines = _r_results(cases)
    pairs = _pairs(lines, ledgers)
    # every case, group and test was compared: 3 tests x (3 arms + total) tidy, 3 x (2 + 1) ADaM
    compared = {(case, group, test) for _, case, group, test, *_ in lines}
    assert len(compared) == 2 * 3 * 4 + 3 * 3
    assert len(pairs) == len(compared) * (1 + 25 * 2 + 5)
    assert any(p[2] for p in pairs if "missing" in p[0])  # the data have missing baselines
    assert ("flagged C ALT N", 0, 0.0) in pairs and any(p[1] is None and p[2] is None for p in pairs)  # and an N of 0
    assert_matches(pairs)
