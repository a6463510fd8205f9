"""An ADaM trial's survival by arm, log-rank and Cox figures against R itself, to DESIGN's
1e-9 (absolute below 1, relative above), with R's Cox fit run to its exact maximum; where the
spec names `[analysis] strata`, the log-rank and Cox model are stratified in R too
(`+ strata(stratum)`, patients without a stratum left out) and the overall tests compared."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "validation"))
from rsupport import mismatches  # noqa: E402

R_SCRIPT = """
library(survival)
d <- read.csv("{path}", na.strings = c("NA", ""))
rhs <- if ("stratum" %in% names(d)) "arm + strata(stratum)" else "arm"
for (e in c("os", "pfs")) {{
  x <- d[d$endpoint == e, ]
  for (a in sort(unique(x$arm))) {{
    f <- survfit(Surv(time, event) ~ 1, data = x[x$arm == a, ], conf.type = "log-log")
    s <- summary(f, times = c(6, 12, 24), extend = FALSE)
    q <- quantile(f, .5)
    cat(e, a, sprintf("%.17g", c(s$surv, s$lower, s$upper, s$n.risk, q$quantile, q$lower, q$upper)), sep = "|")
    cat("\\n")
  }}
  form <- as.formula(paste("Surv(time, event) ~", rhs))
  cat(e, "chisq", sprintf("%.17g", survdiff(form, data = x)$chisq), sep = "|"); cat("\\n")
  f <- coxph(form, data = x, ties = "efron", control = coxph.control(eps = 1e-14, iter.max = 100))
  s <- summary(f)
  cat(e, "tests", sprintf("%.17g", c(s$logtest[c(1, 3)], f$wald.test, s$waldtest[3], s$sctest[c(1, 3)])), sep = "|")
  cat("\\n")
  cat(e, "cox", sprintf("%.17g", c(s$conf.int[, "exp(coef)"], s$conf.int[, "lower .95"], s$conf.int[, "upper .95"], s$coefficients[, "Pr(>|z|)"])), sep = "|"); cat("\\n")
}}
"""


def by_arm_differences(trial, ledger: dict, folder: Path) -> tuple[int, list[str]]:
    """R's output lines, and every ledger figure that differs from R's."""
    stratified = bool(trial.spec.analysis.strata)
    tte = trial.time_to_event.merge(trial.subjects[["subject_id", "arm", *(["strata"] if stratified else [])]])
    if stratified:
        tte["stratum"] = [None if v is None else " / ".join(v) for v in tte["strata"]]
    columns = ["endpoint", "arm", "time", "event", *(["stratum"] if stratified else [])]
    tte.assign(time=tte["days"] / 30.4375, event=tte["event"].astype(int))[columns].to_csv(folder / "tte.csv", index=False)
    out = subprocess.run([shutil.which("Rscript") or "Rscript", "--vanilla", "-e", R_SCRIPT.format(path=folder / "tte.csv")],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    lines = [line.split("|") for line in out.splitlines() if line]
    problems = []
    for endpoint, key, *values in lines:
        theirs = [None if v == "NA" else float(v) for v in values]
        mine = _ledger_figures(ledger, endpoint, key)
        if len(mine) != len(theirs):
            problems.append(f"{endpoint} {key}: {len(mine)} figures, R has {len(theirs)}")
            continue
        problems += mismatches([(f"{endpoint} {key} #{i}", a, b) for i, (a, b) in enumerate(zip(mine, theirs))])
    return len(lines), problems


def _ledger_figures(ledger: dict, endpoint: str, key: str) -> list:
    """The ledger's figures in the order the R script prints them."""
    if key == "chisq":
        return [ledger["comparisons"][endpoint]["log_rank"]["chi_square"]]
    if key == "tests":
        c = ledger["comparisons"][endpoint]
        return [c[t][f] for t in ("likelihood_ratio", "wald", "score") for f in ("statistic", "p_value")]
    if key == "cox":
        ratios = ledger["comparisons"][endpoint]["hazard_ratios"]
        return [h[f] for f in ("hazard_ratio", "ci_low", "ci_high", "p_value") for h in ratios]
    block = ledger["by_arm"][key]["survival"][endpoint]
    marks = [lm for lm in block["landmarks"] if lm["survival"] is not None]
    return ([lm["survival"] for lm in marks] + [lm["ci_low"] for lm in marks] + [lm["ci_high"] for lm in marks]
            + [lm["n_at_risk"] for lm in marks]
            + [block["median"]["estimate"], block["median"]["ci_low"], block["median"]["ci_high"]])
