"""The adverse-event tables (ae_overview, ae_soc_pt, ae_worst_grade) against R: every count,
proportion and Fisher's exact p-value computed by R from the source files themselves (ADaM
XPT read with haven::read_xpt, tidy CSV with read.csv), compared to 1e-9.

Data: the CDISC pilot (a severity scale, three arms), random.cdisc.data (CTCAE grades, action
taken, death), and generated tidy trials with an arm without a treated patient (N = 0: no
proportion, no p-value; R's fisher.test would give 1 for such a table, we give none) and an
arm without any event.
"""
from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import report
from rsupport import TOL, require_r

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "adam"
SHARED = ROOT.parent / "shared" / "data"

R_TABLES = r"""
args <- commandArgs(trailingOnly = TRUE)
kind <- args[1]; src <- args[2]; ref_arms <- strsplit(args[3], "|", fixed = TRUE)[[1]]
num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
up <- function(x) toupper(trimws(ifelse(is.na(x), "", as.character(x))))
if (kind == "adam") {
  suppressMessages(library(haven))
  armvar <- args[4]; sev <- args[5] == "severity"
  adsl <- as.data.frame(read_xpt(file.path(src, "adsl.xpt")))
  adae <- as.data.frame(read_xpt(file.path(src, "adae.xpt")))
  subj <- data.frame(id = adsl$USUBJID, arm = adsl[[armvar]], safety = up(adsl$SAFFL) == "Y")
  adae <- adae[up(adae$TRTEMFL) == "Y", ]
  grade <- if (sev) c(MILD = 1, MODERATE = 2, SEVERE = 3)[up(adae$AESEV)] else as.numeric(adae$AETOXGR)
  has <- function(v) v %in% names(adae) && any(up(adae[[v]]) != "")
  ae <- data.frame(id = adae$USUBJID, soc = adae$AEBODSYS, term = adae$AEDECOD, grade = grade,
                   related = if (has("AEREL")) up(adae$AEREL) %in% c("Y", "YES", "RELATED", "POSSIBLE", "PROBABLE", "DEFINITE") else NA,
                   serious = if (has("AESER")) up(adae$AESER) == "Y" else NA,
                   action = if (has("AEACN")) up(adae$AEACN) else NA,
                   fatal = if (has("AESDTH")) up(adae$AESDTH) == "Y" else NA)
} else {
  s <- read.csv(file.path(src, "subjects.csv"), colClasses = "character")
  a <- read.csv(file.path(src, "adverse_events.csv"), colClasses = "character")
  subj <- data.frame(id = s$subject_id, arm = s$arm, safety = tolower(s$treated) == "true")
  ae <- data.frame(id = a$subject_id, soc = a$soc, term = a$term, grade = as.numeric(a$grade),
                   related = tolower(a$attribution) %in% c("possible", "probable", "definite"),
                   serious = tolower(a$serious) == "true", action = up(a$action_taken),
                   fatal = tolower(a$fatal) == "true")
  sev <- FALSE
}
ae$soc[is.na(ae$soc) | ae$soc == ""] <- "Not coded"
subj <- subj[subj$safety, ]
ae <- ae[ae$id %in% subj$id, ]
ae$arm <- subj$arm[match(ae$id, subj$id)]
groups <- c(list(Total = subj$id), lapply(setNames(ref_arms, ref_arms), function(a) subj$id[subj$arm == a]))
emit <- function(...) cat(paste(c(...), collapse = "|"), "\n", sep = "")
fisher <- function(rows, a) {
  # arm a against the reference arm, patients with at least one of `rows`
  ids_a <- groups[[a]]; ids_r <- groups[[ref_arms[1]]]
  if (length(ids_a) == 0 || length(ids_r) == 0) return(NA)
  with <- unique(rows$id)
  x <- sum(ids_a %in% with); y <- sum(ids_r %in% with)
  fisher.test(matrix(c(x, length(ids_a) - x, y, length(ids_r) - y), 2))$p.value
}
count <- function(block, label, rows, soc = "") {
  for (g in names(groups)) {
    ids <- groups[[g]]; n <- length(unique(rows$id[rows$id %in% ids]))
    emit(block, g, soc, label, num(n), num(if (length(ids)) n / length(ids) else NA), num(sum(rows$id %in% ids)))
  }
  for (a in ref_arms[-1]) emit(paste0(block, "_p"), a, soc, label, num(fisher(rows, a)))
}
for (g in names(groups)) emit("N", g, "", "", num(length(groups[[g]])))
count("overview", "any_event", ae)
if (!all(is.na(ae$related))) count("overview", "related", ae[ae$related, ])
if (!all(is.na(ae$serious))) count("overview", "serious", ae[ae$serious, ])
count("overview", "grade_3_plus", ae[ae$grade >= 3, ])
if (!sev) count("overview", "grade_5", ae[ae$grade == 5, ])
if (!all(is.na(ae$action))) {
  count("overview", "discontinuation", ae[ae$action == "DRUG WITHDRAWN", ])
  count("overview", "dose_modification", ae[ae$action %in% c("DOSE REDUCED", "DOSE RATE REDUCED", "DOSE INCREASED", "DRUG INTERRUPTED"), ])
}
if (!all(is.na(ae$fatal))) count("overview", "fatal", ae[ae$fatal, ])
cols <- if (sev) list("Any severity" = 1:3, Mild = 1, Moderate = 2, Severe = 3) else list("Any grade" = 1:5, "Grade 3-4" = 3:4, "Grade 5" = 5)
worst <- function(rows, label, soc) {
  for (g in names(groups)) {
    ids <- groups[[g]]; r <- rows[rows$id %in% ids, ]
    w <- if (nrow(r)) tapply(r$grade, r$id, max) else numeric(0)
    for (c in names(cols)) emit("worst", g, soc, label, c, num(sum(w %in% cols[[c]])))
  }
}
worst(ae, "", "")
for (s in unique(ae$soc)) {
  rs <- ae[ae$soc == s, ]
  count("soc", "", rs, s)
  worst(rs, "", s)
  for (t in unique(rs$term)) {
    count("term", t, rs[rs$term == t, ], s)
    worst(rs[rs$term == t, ], t, s)
  }
}
"""


def r_lines(kind: str, source: Path, arms: list[str], *extra: str) -> list[list[str]]:
    out = subprocess.run([require_r(), "--vanilla", "-e", R_TABLES, kind, str(source), "|".join(arms), *extra],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return [line.split("|") for line in out.stdout.splitlines() if line]


def value(text: str) -> float | None:
    return None if text == "NA" else float(text)


def close(ours, theirs) -> bool:
    if ours is None or theirs is None:
        return ours is None and theirs is None
    return abs(ours - theirs) <= TOL * max(1.0, abs(theirs))


def _part(ledger: dict, key: str, group: str) -> dict:
    return ledger[key] if group == "Total" else ledger["by_arm"][group][key]


def _soc(part: dict, soc: str) -> dict | None:
    return next((s for s in part["socs"] if s["soc"] == soc), None)


def differences(ledger: dict, lines: list[list[str]]) -> tuple[int, list[str]]:
    """How many R figures were compared, and each one the ledger does not equal."""
    bad, compared = [], 0

    def check(what, ours, theirs):
        nonlocal compared
        compared += 1
        if not close(ours, theirs):
            bad.append(f"{what}: ours {ours}, R {theirs}")

    for line in lines:
        kind, group, soc, label, *stats = line
        if kind == "N":
            check(line, ledger["ae_soc_pt"]["n"] if group == "Total" else ledger["by_arm"][group]["ae_soc_pt"]["n"],
                  value(stats[0]))
        elif kind in ("overview", "soc", "term"):
            count = _count(ledger, kind, group, soc, label)
            n, proportion, events = (value(s) for s in stats)
            check(line, count["subjects"] if count else 0, n)
            check(line, count["proportion"] if count else (0.0 if proportion is not None else None), proportion)
            check(line, count["events"] if count else 0, events)
        elif kind.endswith("_p"):
            count = _count(ledger, kind[:-2], "Total", soc, label)
            check(line, count["p_values"][group], value(stats[0]))
        elif kind == "worst":
            check(line, _worst(ledger, group, soc, label)[stats[0]]["count"], value(stats[1]))
    return compared, bad


def _count(ledger: dict, kind: str, group: str, soc: str, label: str) -> dict | None:
    if kind == "overview":
        return _part(ledger, "ae_overview", group)[label]
    found = _soc(_part(ledger, "ae_soc_pt", group), soc)
    if found is None or kind == "soc":
        return found and found["count"]
    return next((t["count"] for t in found["terms"] if t["term"] == label), None)


def _worst(ledger: dict, group: str, soc: str, label: str) -> dict:
    part = _part(ledger, "ae_worst_grade", group)
    zero = {c: {"count": 0} for c in part["columns"]}
    if not soc:
        return part["any_event"]
    band = next((s for s in part["socs"] if s["label"] == soc), None)
    if band is None:
        return zero
    if not label:
        return band["worst"]
    return next((t["worst"] for t in band["terms"] if t["label"] == label), zero)


def _with_p_values(fixture: Path, data: Path, folder: Path) -> Path:
    folder.mkdir()
    spec = (fixture / "trial.toml").read_text(encoding="utf-8")
    spec = "\n".join(f'path = "{data}"' if line.startswith("path = ") else line for line in spec.splitlines())
    if "[analysis.adverse_events]" not in spec:
        spec += "\n[analysis.adverse_events]\np_values = true\n"
    (folder / "trial.toml").write_text(spec, encoding="utf-8")
    return folder


@pytest.mark.needs("public-data")
@pytest.mark.parametrize(("name", "arm_variable", "grading"), [("cdiscpilot01", "TRT01A", "severity"),
                                                               ("random-cdisc", "ARM", "ctcae")])
def test_adam_trials_equal_r(tmp_path, name, arm_variable, grading):
    folder = _with_p_values(FIXTURES / name, SHARED / name, tmp_path / "trial")
    ledger = report.analyze(report.load_trial(folder)).to_dict()
    assert ledger["ae_overview"]["grading"] == grading
    compared, bad = differences(ledger, r_lines("adam", SHARED / name, ledger["arms"], arm_variable, grading))
    assert compared > 400 and not bad, bad[:20]


SPEC = """
[trial]
id = "T-AE-R"
title = "Generated"

[study]
population = "Adults"
background = "Background."

[analysis]
responders = ["CR"]
arms = {arms}

[analysis.adverse_events]
p_values = true
"""
ACTIONS = ["DRUG WITHDRAWN", "dose reduced", "Dose Rate Reduced", "DOSE INCREASED", "DRUG INTERRUPTED",
           "DOSE NOT CHANGED", "NOT APPLICABLE", "NOT EVALUABLE", "UNKNOWN", ""]


def _generated(folder: Path, seed: int) -> list[str]:
    """A tidy trial: arm C has no treated patient (N = 0), arm D treated patients without events."""
    rng = random.Random(seed)
    arms = ["A", "B", "C", "D"]
    folder.mkdir()
    (folder / "trial.toml").write_text(SPEC.format(arms=arms), encoding="utf-8")
    subjects, events = [], []
    socs = {f"SOC {i}": [f"Term {i}.{j}" for j in range(rng.randint(1, 6))] for i in range(8)}
    for i in range(rng.randint(20, 80)):
        arm = arms[i % 4]
        treated = arm != "C" and rng.random() > 0.1
        subjects.append((f"P{i:03d}", arm, "2020-01-01", "true" if treated else "false", "NR", "", "2021-01-01"))
        if arm == "D":
            continue
        for _ in range(rng.choice([0, 0, 1, 2, 5, 9])):
            soc = rng.choice(list(socs))
            events.append((f"P{i:03d}", rng.choice(socs[soc]), soc if rng.random() > 0.05 else "", rng.randint(1, 5),
                           "2020-03-01", rng.choice(["unrelated", "unlikely", "possible", "probable", "definite"]),
                           rng.choice(["true", "false"]), rng.choice(ACTIONS), rng.choice(["true", "false", "false"])))
    events = [e if e[2] else (*e[:2], "", *e[3:]) for e in events]
    # One organ class per term (the tidy checks refuse two): an uncoded event's term keeps none elsewhere.
    uncoded = {e[1] for e in events if not e[2]}
    events = [(*e[:2], "" if e[1] in uncoded else e[2], *e[3:]) for e in events]
    pd.DataFrame(subjects, columns=["subject_id", "arm", "enrolled_on", "treated", "best_response", "died_on",
                                    "last_contact_on"]).to_csv(folder / "subjects.csv", index=False)
    pd.DataFrame(events, columns=["subject_id", "term", "soc", "grade", "onset_on", "attribution", "serious",
                                  "action_taken", "fatal"]).to_csv(folder / "adverse_events.csv", index=False)
    return arms


@pytest.mark.parametrize("seed", range(6))
def test_generated_trials_with_empty_arms_equal_r(tmp_path, seed):
    folder = tmp_path / "trial"
    arms = _generated(folder, seed)
    ledger = report.analyze(report.load_trial(folder)).to_dict()
    assert ledger["by_arm"]["C"]["ae_soc_pt"]["n"] == 0
    assert ledger["ae_overview"]["any_event"]["p_values"]["C"] is None
    compared, bad = differences(ledger, r_lines("tidy", folder, arms))
    assert compared > 100 and not bad, bad[:20]
