"""The demographic table (report/blocks/tables/demographics.py) against R, to 1e-9: every
count, percentage, mean, SD, median, quartile (quantile(type = 7 or 2)), min and max of
every variable in the total and each arm, and every test: aov, kruskal.test,
chisq.test(correct = FALSE), fisher.test. R reads the data itself (XPT with haven, CSV with
read.csv) and derives the groups with cut(right = FALSE).

Three trials: the CDISC pilot (its Table 14-2.01 spec, ANOVA and chi-square), random-cdisc
(Kruskal-Wallis, Fisher, quantile type 2) and generated tidy data with missing values, an arm
with no patient in the population, a variable missing in a whole arm and one-level factors.
"""
from __future__ import annotations

import csv
import random
import shutil
import subprocess
from pathlib import Path

import pytest

import needs
import report
from report.inputs.demographic_columns import variables

ROOT = Path(__file__).resolve().parents[2]
PILOT = ROOT / "tests" / "fixtures" / "adam" / "cdiscpilot01"
RANDOM = ROOT / "tests" / "fixtures" / "adam" / "random-cdisc"
TOL = 1e-9
pytestmark = [pytest.mark.needs("r"), pytest.mark.needs("public-data")]

R_CODE = r"""
args <- commandArgs(TRUE)
path <- args[1]; pop <- args[2]; armvar <- args[3]; qtype <- as.integer(args[5])
arms <- strsplit(args[6], "|", fixed = TRUE)[[1]]
d <- if (grepl("xpt$", path)) as.data.frame(haven::read_xpt(path)) else
  read.csv(path, colClasses = "character", na.strings = "", check.names = FALSE)
if (nzchar(pop)) d <- d[toupper(d[[pop]]) %in% c("Y", "TRUE"), , drop = FALSE]
arm <- as.character(d[[armvar]])
spec <- read.csv(args[4], colClasses = "character", na.strings = character(0))
num <- function(x) if (length(x) == 0 || is.na(x)) "NA" else sprintf("%.17g", x)
say <- function(...) cat(paste(c(...), collapse = "\t"), "\n", sep = "")
groups <- c(list(Total = rep(TRUE, nrow(d))), setNames(lapply(arms, function(a) !is.na(arm) & arm == a), arms))
for (i in seq_len(nrow(spec))) {
  s <- spec[i, ]
  x <- d[[s$column]]
  cuts <- if (nzchar(s$cuts)) as.numeric(strsplit(s$cuts, ";")[[1]]) else numeric(0)
  if (s$kind == "continuous" || length(cuts)) x <- as.numeric(x) else { x <- as.character(x); x[!is.na(x) & trimws(x) == ""] <- NA; x <- trimws(x) }
  if (length(cuts)) x <- as.character(cut(x, c(-Inf, cuts, Inf), right = FALSE, labels = FALSE))
  for (g in names(groups)) {
    xs <- x[groups[[g]]]; N <- length(xs); present <- xs[!is.na(xs)]
    say("N", s$key, g, num(N)); say("missing", s$key, g, num(sum(is.na(xs))))
    if (s$kind == "continuous") {
      say("stat", s$key, g, "n", num(length(present)))
      if (length(present)) {
        q <- quantile(present, c(0.25, 0.75), type = qtype, names = FALSE)
        say("stat", s$key, g, "mean", num(mean(present))); say("stat", s$key, g, "median", num(median(present)))
        say("stat", s$key, g, "q1", num(q[1])); say("stat", s$key, g, "q3", num(q[2]))
        say("stat", s$key, g, "min", num(min(present))); say("stat", s$key, g, "max", num(max(present)))
        say("stat", s$key, g, "sd", if (length(present) > 1) num(sd(present)) else "NA")
      }
    } else {
      tab <- table(present)
      for (l in names(tab)) say("level", s$key, g, l, num(tab[[l]]), if (N) num(tab[[l]] / N) else "NA")
    }
  }
  keep <- !is.na(x) & !is.na(arm); xa <- x[keep]; aa <- factor(arm[keep])
  p <- c(NA, NA, NA)
  if (s$test == "anova" && nlevels(aa) >= 2) {
    t <- summary(aov(xa ~ aa))[[1]]; p <- c(t[1, "F value"], t[1, "Df"], t[1, "Pr(>F)"])
  } else if (s$test == "kruskal" && nlevels(aa) >= 2) {
    t <- suppressWarnings(kruskal.test(xa, aa)); p <- c(t$statistic, t$parameter, t$p.value)
  } else if (s$test %in% c("chisq", "fisher")) {
    tab <- table(aa, xa); tab <- tab[rowSums(tab) > 0, colSums(tab) > 0, drop = FALSE]
    if (nrow(tab) >= 2 && ncol(tab) >= 2) {
      if (s$test == "chisq") { t <- suppressWarnings(chisq.test(tab, correct = FALSE)); p <- c(t$statistic, t$parameter, t$p.value) }
      else p <- c(NA, NA, fisher.test(tab, workspace = 2e8)$p.value)
    }
  }
  if (s$test != "none") say("test", s$key, num(p[1]), num(p[2]), num(p[3]))
}
"""


def _r(data: Path, population: str, arm: str, trial, folder: Path) -> list[list[str]]:
    needs.require("r")
    chosen = variables(trial.spec.analysis, trial.not_collected)
    spec_file = folder / "r-spec.csv"
    with spec_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["key", "column", "kind", "cuts", "test"])
        for v in chosen:
            writer.writerow([v.key, v.column, v.kind, ";".join(repr(float(c)) for c in v.cuts), v.chosen_test])
    (folder / "demographics.R").write_text(R_CODE, encoding="utf-8")
    settings = trial.spec.analysis.demographics
    arms = "|".join(trial.spec.analysis.arms or sorted(trial.subjects["arm"].dropna().unique()))
    out = subprocess.run([shutil.which("Rscript"), "--vanilla", str(folder / "demographics.R"), str(data), population, arm,
                          str(spec_file), str(settings.quantile_type if settings else 7), arms],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    return [line.split("\t") for line in out.stdout.splitlines()]


def _value(text: str) -> float | None:
    return None if text == "NA" else float(text)


def _close(ours, theirs, what: str) -> None:
    if theirs is None:
        assert ours is None, f"{what}: R gives NA, we give {ours}"
        return
    assert ours is not None, f"{what}: R gives {theirs}, we give None"
    assert abs(ours - theirs) <= TOL * max(1.0, abs(theirs)), f"{what}: ours {ours!r}, R {theirs!r}"


def compare(ledger: dict, lines: list[list[str]], chosen) -> int:
    """Every figure R printed against the ledger; the number compared."""
    parts = {"Total": ledger["demographics"], **{a: ledger["by_arm"][a]["demographics"] for a in ledger["arms"]}}
    by_key = {v.key: v for v in chosen}
    compared, levels_seen = 0, {}
    for line in lines:
        kind, key = line[0], line[1]
        if kind == "test":
            comparison = parts["Total"]["variables"][key]["comparison"]
            statistic, parameter, p = (_value(x) for x in line[2:5])
            _close(comparison["p_value"], p, f"{key} p-value")
            if comparison["test"] != "fisher":
                _close(comparison["statistic"], statistic, f"{key} statistic")
                _close(comparison["parameter"], parameter, f"{key} df")
            compared += 1
            continue
        group = line[2]
        variable = parts[group]["variables"][key]
        if kind == "N":
            assert parts[group]["n"] == int(float(line[3])), (key, group)
        elif kind == "missing":
            assert variable["missing"]["count"] == int(float(line[3])), (key, group)
        elif kind == "stat":
            _close(variable["description"][line[3]], _value(line[4]), f"{key} {group} {line[3]}")
        elif kind == "level":
            v = by_key[key]
            level = v.group_labels()[int(line[3]) - 1] if v.cuts else line[3]
            found = {c["level"]: c["share"] for c in variable["categories"]}
            assert found[level]["count"] == int(float(line[4])), (key, group, level)
            _close(found[level]["proportion"], _value(line[5]), f"{key} {group} {level} %")
            levels_seen.setdefault((key, group), set()).add(level)
        compared += 1
    for (key, group), seen in levels_seen.items():  # every category the ledger counts, R counts (or it is 0)
        counted = {c["level"] for c in parts[group]["variables"][key]["categories"] if c["share"]["count"]}
        assert counted == seen, (key, group)
    return compared


def test_the_pilot_equals_r(tmp_path):
    trial = report.load_trial(PILOT)
    ledger = report.analyze(trial).to_dict()
    lines = _r(ROOT.parent / "shared" / "data" / "cdiscpilot01" / "adsl.xpt", "ITTFL", "TRT01A", trial, tmp_path)
    assert compare(ledger, lines, variables(trial.spec.analysis, trial.not_collected)) > 350
    assert sum(line[0] == "test" for line in lines) == 12


RANDOM_SECTION = """
[analysis.demographics]
population = "itt"
quantile_type = 2

[[analysis.demographics.variables]]
column = "AGE"
kind = "continuous"
test = "kruskal"

[[analysis.demographics.variables]]
column = "BMRKR1"
kind = "continuous"
digits = 2

[[analysis.demographics.variables]]
column = "BMRKR1"
name = "BMRKR1_GROUP"
kind = "categorical"
cuts = [3, 5.5, 8]

[[analysis.demographics.variables]]
column = "SEX"
kind = "categorical"
test = "fisher"

[[analysis.demographics.variables]]
column = "BMRKR2"
kind = "categorical"
levels = ["LOW", "MEDIUM", "HIGH"]
test = "chisq"

[[analysis.demographics.variables]]
column = "RACE"
kind = "categorical"

[[analysis.demographics.variables]]
column = "STRATA1"
kind = "categorical"
test = "none"

[[analysis.demographics.variables]]
column = "COUNTRY"
kind = "categorical"
levels = ["USA", "CAN", "GBR"]

"""


def test_random_cdisc_equals_r(tmp_path):
    folder = tmp_path / "random"
    folder.mkdir()
    text = (RANDOM / "trial.toml").read_text(encoding="utf-8").split("# The subgroup analysis")[0]
    data = (RANDOM / "../../../../../shared/data/random-cdisc").resolve()
    text = text.replace('path = "../../../../../shared/data/random-cdisc"', f'path = "{data}"')
    (folder / "trial.toml").write_text(text + RANDOM_SECTION, encoding="utf-8")
    trial = report.load_trial(folder)
    ledger = report.analyze(trial).to_dict()
    lines = _r(data / "adsl.xpt", "ITTFL", "ARM", trial, tmp_path)
    assert compare(ledger, lines, variables(trial.spec.analysis, trial.not_collected)) > 200
    assert sum(line[0] == "test" for line in lines) == 7


GENERATED_SPEC = """
[trial]
id = "T-DEMOG"
title = "Generated demographics"

[study]
population = "Adults"
background = "Background."

[analysis]
responders = ["CR"]
arms = ["A", "B", "C", "D"]

[analysis.demographics]
population = "safety"
quantile_type = {quantile_type}

[[analysis.demographics.variables]]
column = "age"
kind = "continuous"

[[analysis.demographics.variables]]
column = "weight"
kind = "continuous"
test = "kruskal"

[[analysis.demographics.variables]]
column = "weight"
name = "weight_group"
kind = "categorical"
cuts = [60, 75.5]

[[analysis.demographics.variables]]
column = "score"
kind = "continuous"

[[analysis.demographics.variables]]
column = "stage"
kind = "categorical"
levels = ["I", "II", "III"]
test = "fisher"

[[analysis.demographics.variables]]
column = "site"
kind = "categorical"

[[analysis.demographics.variables]]
column = "only"
kind = "categorical"
test = "fisher"

[[analysis.demographics.variables]]
column = "ecog"
kind = "categorical"
"""


def generated(folder: Path, seed: int, quantile_type: int) -> None:
    """Arms A-D; D's patients are all untreated (an arm with no one in the safety population);
    weight missing for every patient of arm C and some others; `score` constant in arm B;
    `only` one level; `site` a code, some missing."""
    rng = random.Random(seed)
    folder.mkdir()
    (folder / "trial.toml").write_text(GENERATED_SPEC.format(quantile_type=quantile_type), encoding="utf-8")
    header = ["subject_id", "arm", "enrolled_on", "treated", "best_response", "died_on", "last_contact_on", "age",
              "sex", "weight", "score", "stage", "site", "only", "ecog"]
    rows = []
    for i in range(rng.randrange(30, 70)):
        arm = "ABCD"[i % 4]
        weight = "" if arm == "C" or rng.random() < 0.15 else f"{rng.gauss(70, 12):.1f}"
        rows.append([f"P{i:03d}", arm, "2021-01-05", "false" if arm == "D" or rng.random() < 0.05 else "true", "NR", "",
                     "2022-01-01", "" if rng.random() < 0.1 else str(rng.randrange(20, 90)), rng.choice("MF"), weight,
                     "7" if arm == "B" else str(rng.randrange(0, 12)), rng.choice(["I", "II", "III", ""]),
                     rng.choice(["1", "2", "3", "", "10"]), "yes", rng.choice(["0", "1", "1", "2"])])
    with (folder / "subjects.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])


@pytest.mark.parametrize("seed,quantile_type", [(1, 7), (2, 2), (3, 7), (4, 2)])
def test_generated_data_with_missing_values_and_empty_arms_equal_r(tmp_path, seed, quantile_type):
    folder = tmp_path / "trial"
    generated(folder, seed, quantile_type)
    trial = report.load_trial(folder)
    ledger = report.analyze(trial).to_dict()
    lines = _r(folder / "subjects.csv", "treated", "arm", trial, tmp_path)
    assert compare(ledger, lines, variables(trial.spec.analysis, trial.not_collected)) > 100
    assert ledger["by_arm"]["D"]["demographics"]["n"] == 0
    only = ledger["demographics"]["variables"]["only"]
    assert only["comparison"]["p_value"] is None  # one level: no test (R's fisher.test refuses it)
