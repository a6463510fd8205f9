"""Endpoints from a tidy endpoints.csv equal R's survfit on the same file, read by R on its
own: times in weeks and months converted by R, dates cut at the data cutoff by R, competing
events censored. Runs Rscript (tests/needs.py); estimates to 1e-9."""
from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import report

pytestmark = pytest.mark.needs("r")
TOL = 1e-9
CUTOFF = dt.date(2021, 6, 30)
SPEC = f"""
[trial]
id = "T-ENDPOINTS-R"
title = "Generated endpoints"
data_cutoff = {CUTOFF.isoformat()}

[study]
population = "Adults"
background = "Background."

[analysis]
landmarks = [3, 6, 12]
km_conf_type = "{{conf_type}}"

[[analysis.endpoints]]
name = "pfs"
label = "Progression-free survival"
origin = "registration"

[[analysis.endpoints]]
name = "cir"
label = "Relapse"
origin = "remission"
competing = ["death in remission"]
"""
R_SCRIPT = """
library(survival)
s <- read.csv("{folder}/subjects.csv", stringsAsFactors = FALSE)
d <- read.csv("{folder}/endpoints.csv", stringsAsFactors = FALSE, na.strings = "")
cutoff <- as.Date("{cutoff}")
d <- d[d$subject_id %in% s$subject_id[as.Date(s$enrolled_on) <= cutoff], ]
per <- c(days = 1, weeks = 7, months = 30.4375, years = 365.25)
d$status <- as.integer(d$event %in% c("true", "1", "yes"))
d$status[!is.na(d$event_type) & d$event_type == "death in remission"] <- 0L
dated <- !is.na(d$start_on)
d <- d[!dated | as.Date(d$start_on) <= cutoff, ]
dated <- !is.na(d$start_on)
late <- dated & as.Date(d$end_on) > cutoff
d$end_on[late] <- as.character(cutoff)
d$status[late] <- 0L
d$months <- ifelse(dated, as.numeric(as.Date(d$end_on) - as.Date(d$start_on)), d$time * per[d$time_unit]) / 30.4375
for (e in c("pfs", "cir")) {{
  f <- survfit(Surv(months, status) ~ 1, data = d[d$endpoint == e, ], conf.type = "{conf_type}")
  x <- summary(f, times = c(3, 6, 12), extend = TRUE)
  q <- quantile(f, 0.5)
  cat(e, sprintf("%.17g", c(sum(d$endpoint == e), sum(d$status[d$endpoint == e]), x$surv, x$lower, x$upper,
                            x$n.risk, q$quantile, q$lower, q$upper)), "\\n")
}}
"""


def _folder(tmp_path: Path, conf_type: str) -> Path:
    """60 patients: PFS in weeks or months (2 decimals, ties), relapse from remission by dates
    (some after the cutoff, some starting after it), deaths in remission competing."""
    rng = np.random.default_rng(16)
    folder = tmp_path / "trial"
    folder.mkdir()
    (folder / "trial.toml").write_text(SPEC.format(conf_type=conf_type), encoding="utf-8")
    start = dt.date(2019, 1, 1)
    subjects = [["subject_id", "enrolled_on", "best_response", "died_on", "last_contact_on"]]
    rows = [["subject_id", "endpoint", "time", "time_unit", "start_on", "end_on", "event", "event_type"]]
    for i in range(60):
        sid, enrolled = f"S{i:02d}", start + dt.timedelta(days=int(rng.integers(0, 900)))
        subjects.append([sid, enrolled.isoformat(), "CR", "", "2022-12-31"])
        months = round(float(rng.choice([2.5, 4.0, 6.0, 7.25]) if i % 7 == 0 else rng.exponential(9)), 2)
        unit, value = ("weeks", round(months * 30.4375 / 7, 1)) if i % 3 == 0 else ("months", months)
        rows.append([sid, "pfs", f"{value:g}", unit, "", "", str(bool(rng.random() < 0.6)).lower(), ""])
        remission = enrolled + dt.timedelta(days=int(rng.integers(20, 60)))
        end = remission + dt.timedelta(days=int(rng.exponential(300)) + 1)
        kind = rng.choice(["relapse", "death in remission", ""], p=[0.4, 0.2, 0.4])
        rows.append([sid, "cir", "", "", remission.isoformat(), end.isoformat(), "true" if kind else "false", kind])
    for name, table in (("subjects.csv", subjects), ("endpoints.csv", rows)):
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows(table)
    return folder


@pytest.mark.parametrize("conf_type", ["log-log", "plain"])
def test_endpoints_equal_survfit_on_the_file(tmp_path, conf_type):
    folder = _folder(tmp_path, conf_type)
    ledger = report.analyze(report.load_trial(folder)).to_dict()
    script = R_SCRIPT.format(folder=folder, cutoff=CUTOFF.isoformat(), conf_type=conf_type)
    out = subprocess.run([shutil.which("Rscript") or "Rscript", "--vanilla", "-e", script],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        name, *values = line.split()
        r = [None if v == "NA" else float(v) for v in values]
        km = ledger["survival"][name]
        lm, median = km["landmarks"], km["median"]
        ours = [km["n"], km["events"], *(x["survival"] for x in lm), *(x["ci_low"] for x in lm),
                *(x["ci_high"] for x in lm), *(x["n_at_risk"] for x in lm),
                median["estimate"], median["ci_low"], median["ci_high"]]
        assert len(ours) == len(r)
        for mine, theirs in zip(ours, r):
            assert (mine is None) if theirs is None else mine == pytest.approx(theirs, abs=TOL, rel=TOL)
    assert ledger["endpoints"]["pfs"]["as_delivered"] and not ledger["endpoints"]["cir"]["as_delivered"]
