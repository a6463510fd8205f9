"""Continuous summaries against R, run live, to 1e-9:
- report.stats.summary_statistics.summary  vs  length, mean, sd, median, quantile(type = 7 and 2),
  min, max on fixed and random samples (ties, one value, two values, negative values);
- the exposure table's summaries (cycles per patient, treatment duration, relative dose
  intensity), total and by arm, vs the same figures R computes itself from the ADaM
  example's adsl.xpt and adex.xpt (haven::read_xpt), with its own aggregation.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import report
from report.stats.summary_statistics import quantile, summary
from rsupport import assert_matches, r_value, run_r

ROOT = Path(__file__).resolve().parents[2]
ADAM_EXAMPLE = ROOT / "data" / "adam-example"
KEYS = ("n", "mean", "sd", "median", "q1", "q3", "min", "max")
R_SUMMARY = r"""
num <- function(x) if (is.na(x)) "NA" else sprintf("%.17g", x)
show <- function(key, x, type) {
  q <- if (length(x)) quantile(x, c(.25, .5, .75), type = type, names = FALSE) else c(NA, NA, NA)
  s <- if (length(x) > 1) sd(x) else NA
  cat(key, num(length(x)), num(if (length(x)) mean(x) else NA), num(s), num(q[2]), num(q[1]), num(q[3]),
      num(if (length(x)) min(x) else NA), num(if (length(x)) max(x) else NA), "\n")
}
"""


def _samples() -> dict[str, list[float]]:
    rng = np.random.default_rng(15)
    fixed = {"one": [4.0], "two": [1.0, 8.0], "ties": [3, 3, 3, 5, 5, 9], "negative": [-2.5, 0.0, 7.25, -11.0, 3.5],
             "days": [50, 21, 43], "ratios": [0.75, 1.0, 1.0]}
    random = {f"random{i}": [float(v) for v in np.round(rng.gamma(2.0, 30.0, size=int(rng.integers(3, 60))), 3)]
              for i in range(20)}
    return {**fixed, **random}


def _r_lines(text: str) -> dict[str, list[float | None]]:
    return {words[0]: [r_value(w) for w in words[1:]] for words in (line.split() for line in text.splitlines()) if words}


@pytest.mark.needs("r")
@pytest.mark.parametrize("quantile_type", [7, 2])
def test_summaries_equal_r(quantile_type):
    samples = _samples()
    script = R_SUMMARY + "".join(f"show({key!r}, c({', '.join(repr(v) for v in values)}), {quantile_type})\n"
                                 for key, values in samples.items())
    theirs = _r_lines(run_r(script))
    pairs = []
    for key, values in samples.items():
        ours = summary(values, quantile_type)
        pairs += [(f"{key} {name} type {quantile_type}", getattr(ours, name), theirs[key][i]) for i, name in enumerate(KEYS)]
    assert_matches(pairs)


def test_quantile_types_differ_where_r_says_they_do():
    assert quantile([1, 2, 3, 4], 0.25, 7) == 1.75 and quantile([1, 2, 3, 4], 0.25, 2) == 1.5  # R: 1.75, 1.5
    assert summary([]).n == 0 and summary([]).mean is None
    with pytest.raises(ValueError, match="quantile type 6"):
        quantile([1.0], 0.5, 6)


R_EXPOSURE = r"""
suppressMessages(library(haven))
adsl <- read_xpt(file.path(dir, "adsl.xpt")); adex <- read_xpt(file.path(dir, "adex.xpt"))
adex <- adex[adex$USUBJID %in% adsl$USUBJID[adsl$SAFFL == "Y"], ]
arm <- setNames(adsl$TRT01A, adsl$USUBJID)
ids <- sort(unique(adex$USUBJID))
cycles <- sapply(ids, function(id) length(unique(adex$AVISITN[adex$USUBJID == id])))
days <- sapply(ids, function(id) { r <- adex[adex$USUBJID == id, ]
  as.numeric(max(r$AENDT) - min(r$ASTDT)) + 1 })
rdi <- sapply(ids, function(id) { r <- adex[adex$USUBJID == id, ]; sum(r$EXDOSE) / sum(r$EXPLDOS) })
groups <- c("Total", sort(unique(arm[ids])))
for (g in groups) {
  keep <- if (g == "Total") rep(TRUE, length(ids)) else arm[ids] == g
  tag <- gsub("[^A-Za-z]", "_", g)
  show(paste0(tag, ":cycles"), cycles[keep], 7)
  show(paste0(tag, ":days"), days[keep], 7)
  show(paste0(tag, ":rdi"), rdi[keep], 7)
}
"""


@pytest.mark.needs("r")
def test_the_exposure_tables_summaries_equal_r_from_the_xpt_files():
    ledger = report.analyze(report.load_trial(ADAM_EXAMPLE)).to_dict()
    theirs = _r_lines(run_r(f"dir <- {str(ADAM_EXAMPLE)!r}\n" + R_SUMMARY + R_EXPOSURE))
    parts = {"Total": ledger["exposure"], **{arm: ledger["by_arm"][arm]["exposure"] for arm in ledger["arms"]}}
    pairs = []
    for group, part in parts.items():
        tag = "".join(c if c.isalpha() else "_" for c in group)
        for name, key in (("cycles", "cycles_summary"), ("days", "duration_days"), ("rdi", "dose_intensity")):
            r_values = theirs[f"{tag}:{name}"]
            pairs += [(f"{group} {name} {stat}", part[key][stat], r_values[i]) for i, stat in enumerate(KEYS)]
    assert len(pairs) == 3 * 3 * len(KEYS)
    assert_matches(pairs)


R_BY_TREATMENT = r"""
subjects <- read.csv(file.path(dir, "subjects.csv"), colClasses = "character")
ex <- read.csv(file.path(dir, "exposure.csv"), colClasses = "character")
ex <- ex[ex$subject_id %in% subjects$subject_id[subjects$treated == "true"], ]
ex$start <- as.Date(ex$start_on); ex$end <- as.Date(ifelse(ex$end_on == "", ex$start_on, ex$end_on))
span <- function(r) sapply(split(r, r$subject_id), function(p) as.numeric(max(p$end) - min(p$start)) + 1)
show("any:days", span(ex), 7)
for (t in unique(ex$treatment)) {
  r <- ex[ex$treatment == t, ]; tag <- gsub("[^A-Za-z]", "_", t)
  show(paste0(tag, ":cycles"), sapply(split(r$cycle, r$subject_id), function(c) length(unique(c))), 7)
  show(paste0(tag, ":days"), span(r), 7)
  dosed <- r[r$dose != "" & r$planned_dose != "", ]
  if (nrow(dosed)) show(paste0(tag, ":rdi"), sapply(split(dosed, dosed$subject_id), function(p)
    sum(as.numeric(p$dose)) / sum(as.numeric(p$planned_dose))), 7)
}
"""


@pytest.mark.needs("r")
def test_the_s1318_exposure_by_treatment_equals_r_from_its_csv_files():
    """S1318 names two treatments (blinatumomab cycles, POMP maintenance courses): each one's
    summaries and the duration on any treatment, against R's own aggregation of the CSV files."""
    folder = ROOT / "data" / "s1318"
    total = report.analyze(report.load_trial(folder)).to_dict()["exposure"]
    theirs = _r_lines(run_r(f"dir <- {str(folder)!r}\n" + R_SUMMARY + R_BY_TREATMENT))
    pairs = [(f"any days {stat}", total["duration_days"][stat], theirs["any:days"][i]) for i, stat in enumerate(KEYS)]
    for name, part in total["by_treatment"].items():
        tag = "".join(c if c.isalpha() else "_" for c in name)
        for short, key in (("cycles", "cycles_summary"), ("days", "duration_days"), ("rdi", "dose_intensity")):
            if part[key] is None:
                assert f"{tag}:{short}" not in theirs  # no dose to sum: not collected
                continue
            pairs += [(f"{name} {short} {stat}", part[key][stat], theirs[f"{tag}:{short}"][i]) for i, stat in enumerate(KEYS)]
    assert len(pairs) == (1 + 3 + 2) * len(KEYS)
    assert_matches(pairs)
