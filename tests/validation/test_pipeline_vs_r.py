"""The whole pipeline on data no one has seen, against R computing from the raw dates.

A seeded generator writes a trial folder (subjects.csv with dates, some patients not
eligible or not treated; adverse_events.csv) and one trial.toml per time unit (days,
months), conf type (log-log, log, plain) and confidence (0.95, 0.90). We run
`report.load_trial` + `report.analyze`; R reads the same subjects.csv, keeps eligible and
treated patients, derives OS itself (as.Date differences, / 30.4375 for months; death =
event, else last contact) and fits survfit. Compared to 1e-9: every landmark's survival,
CI and number at risk, the median with its CI, the median follow-up (reverse KM), n and
events; and `response.responders` against binom.test.
"""
from __future__ import annotations

import csv
import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pytest

import report
from rsupport import CONF_TYPES, CONFIDENCES, TOL, assert_matches, r_value, run_r

SEED = 20240611
UNITS = {"days": 1.0, "months": 30.4375}
LANDMARKS = {"days": [30, 91, 182.5, 365, 730, 20000], "months": [1, 3, 6, 12, 24, 600]}
HEADER = ["subject_id", "enrolled_on", "age", "sex", "eligible", "treated", "best_response",
          "response_on", "response_cycle", "mrd", "relapse_on", "died_on", "last_contact_on"]
RESPONDERS = ("CR", "CRi")


def generate_subjects(seed: int, n: int = 90) -> list[list[str]]:
    """Random patients whose dates pass report/inputs/tidy.py's checks."""
    rng = np.random.default_rng(seed)
    start = dt.date(2019, 3, 1)
    rows = []
    for i in range(n):
        enrolled = start + dt.timedelta(days=int(rng.integers(0, 700)))
        os_days = int(rng.integers(0, 60)) if i < 4 else int(np.ceil(rng.exponential(420)))
        follow_days = int(rng.integers(0, 1200))
        died = os_days <= follow_days
        last = enrolled + dt.timedelta(days=min(os_days, follow_days))
        best = str(rng.choice(["CR", "CRi", "NR"], p=[0.45, 0.15, 0.40]))
        response_on = ""
        if best in RESPONDERS:
            response_on = (enrolled + dt.timedelta(days=int(rng.integers(0, (last - enrolled).days + 1)))).isoformat()
        rows.append([
            f"P{i:03d}", enrolled.isoformat(), str(int(rng.integers(20, 85))), str(rng.choice(["F", "M"])),
            "false" if rng.random() < 0.05 else "true", "false" if rng.random() < 0.05 else "true",
            best, response_on, "1" if response_on else "", "", "",
            last.isoformat() if died else "", last.isoformat(),
        ])
    return rows


def spec_text(unit: str, conf_type: str, confidence: float) -> str:
    return f"""
[trial]
id = "V1"
title = "An unseen validation trial"

[study]
population = "Adults"
background = "Background text."

[analysis]
responders = ["CR", "CRi"]
time_unit = "{unit}"
landmarks = {LANDMARKS[unit]}
km_conf_type = "{conf_type}"
confidence = {confidence}
"""


def write_folder(folder: Path, rows, spec: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "trial.toml").write_text(spec, encoding="utf-8")
    with (folder / "subjects.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([HEADER, *rows])
    (folder / "adverse_events.csv").write_text("subject_id,term,soc,grade,onset_on,attribution,serious\n",
                                                encoding="utf-8")
    return folder


COMBINATIONS = list(itertools.product(UNITS, CONF_TYPES, CONFIDENCES))

R_SCRIPT = r"""
suppressMessages(library(survival))
num <- function(x) sprintf("%.17g", x)
s <- read.csv("{subjects}", colClasses = "character", na.strings = "")
s <- s[tolower(s$eligible) == "true" & tolower(s$treated) == "true", ]
enrolled <- as.Date(s$enrolled_on)
died <- as.Date(s$died_on)
last <- as.Date(s$last_contact_on)
event <- as.integer(!is.na(died))
days <- as.numeric(ifelse(is.na(died), last - enrolled, died - enrolled))
units <- c(days = 1, months = 30.4375)
landmarks <- list(days = c({days}), months = c({months}))
responders <- sum(s$best_response %in% c("CR", "CRi"))
cat("responders", num(c(responders, nrow(s))), "\n")
for (conf in c({confidences})) cat("binom", num(c(conf, binom.test(responders, nrow(s), conf.level = conf)$conf.int)), "\n")
for (u in names(units)) {{
  time <- days / units[[u]]
  cat("counts", u, num(c(length(time), sum(event))), "\n")
  cat("followup", u, num(quantile(survfit(Surv(time, 1 - event) ~ 1), 0.5)$quantile), "\n")
  for (ct in c({conf_types})) for (conf in c({confidences})) {{
    f <- survfit(Surv(time, event) ~ 1, conf.type = ct, conf.int = conf)
    q <- quantile(f, 0.5)
    cat("median", u, ct, num(conf), num(c(q$quantile, q$lower, q$upper)), "\n")
    sm <- summary(f, times = landmarks[[u]], extend = FALSE)
    for (i in seq_along(sm$time))
      cat("landmark", u, ct, num(conf), num(c(sm$time[i], sm$surv[i], sm$lower[i], sm$upper[i], sm$n.risk[i])), "\n")
  }}
}}
"""


def r_from_dates(subjects_csv: Path) -> dict:
    script = R_SCRIPT.format(
        subjects=subjects_csv, days=", ".join(map(repr, LANDMARKS["days"])),
        months=", ".join(map(repr, LANDMARKS["months"])),
        confidences=", ".join(map(repr, CONFIDENCES)), conf_types=", ".join(f'"{c}"' for c in CONF_TYPES),
    )
    out: dict = {"landmarks": {}}
    for words in (line.split() for line in run_r(script).splitlines() if line.strip()):
        kind = words[0]
        if kind == "landmark":
            unit, ct, conf, t, *values = words[1:]
            out["landmarks"][(unit, ct, float(conf), float(t))] = [r_value(v) for v in values]
        elif kind in ("median",):
            out[(kind, words[1], words[2], float(words[3]))] = [r_value(v) for v in words[4:]]
        elif kind in ("counts", "followup"):
            out[(kind, words[1])] = [r_value(v) for v in words[2:]]
        elif kind == "binom":
            out[("binom", float(words[1]))] = [r_value(v) for v in words[2:]]
        else:
            out[kind] = [r_value(v) for v in words[1:]]
    return out


@pytest.fixture(scope="module")
def unseen(tmp_path_factory):
    """Ledgers for every combination, and R's numbers from the same CSV."""
    rows = generate_subjects(SEED)
    base = tmp_path_factory.mktemp("unseen")
    ledgers = {}
    for unit, conf_type, confidence in COMBINATIONS:
        folder = write_folder(base / f"{unit}-{conf_type}-{confidence}", rows, spec_text(unit, conf_type, confidence))
        ledgers[(unit, conf_type, confidence)] = report.analyze(report.load_trial(folder)).to_dict()
    return ledgers, r_from_dates(folder / "subjects.csv")


@pytest.mark.parametrize("unit,conf_type,confidence", COMBINATIONS)
def test_overall_survival_equals_r(unseen, unit, conf_type, confidence):
    ledgers, r = unseen
    os_ = ledgers[(unit, conf_type, confidence)]["survival"]["os"]
    assert (os_["time_unit"], os_["conf_type"]) == (unit, conf_type)
    n, events = r[("counts", unit)]
    pairs = [("n", os_["n"], n), ("events", os_["events"], events),
             ("median_followup", os_["median_followup"], r[("followup", unit)][0])]
    median = r[("median", unit, conf_type, confidence)]
    pairs += [(f"median {k}", os_["median"][k], v) for k, v in zip(("estimate", "ci_low", "ci_high"), median)]
    assert [lm["time"] for lm in os_["landmarks"]] == LANDMARKS[unit]
    for lm in os_["landmarks"]:
        theirs = r["landmarks"].get((unit, conf_type, confidence, float(lm["time"])))
        if theirs is None:  # past the last follow-up: R drops it
            pairs.append((f"landmark {lm['time']} survival (R: dropped)", lm["survival"], None))
            continue
        names = ("survival", "ci_low", "ci_high", "n_at_risk")
        pairs += [(f"landmark {lm['time']} {k}", lm[k], v) for k, v in zip(names, theirs)]
    assert_matches(pairs)


def test_generator_exercises_the_rules(unseen):
    """The unseen data has censoring, deaths, excluded patients and an R-dropped landmark."""
    ledgers, r = unseen
    n, events = r[("counts", "days")]
    assert 0 < events < n < 90
    assert (("days", "log", 0.95, 20000.0) not in r["landmarks"]) and (("days", "log", 0.95, 365.0) in r["landmarks"])
    assert r[("median", "days", "log-log", 0.95)][0] is not None


@pytest.mark.parametrize("confidence", CONFIDENCES)
def test_responders_equal_binom_test(unseen, confidence):
    ledgers, r = unseen
    block = ledgers[("months", "log-log", confidence)]["response"]["responders"]
    count, n = r["responders"]
    low, high = r[("binom", confidence)]
    assert_matches([("count", block["count"], count), ("n", block["n"], n),
                    ("ci_low", block["ci_low"], low), ("ci_high", block["ci_high"], high),
                    ("proportion", block["proportion"], count / n)])
    assert block["ci_method"] == "clopper-pearson" and block["confidence"] == pytest.approx(confidence, abs=TOL)
