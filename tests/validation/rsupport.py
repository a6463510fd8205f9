"""Running R for the validation suite: find Rscript, send it many datasets at once, parse.

R is the reference. `r_survival(cases)` writes every case to one long CSV (a `case`
column), and one R process fits each case for every conf type and confidence and prints
plain text lines (`sprintf("%.17g")`), parsed here into `RCase` records. A single R
process is kept for the whole session (it reads one request per line on stdin), so even
property-based tests cost one R start in all.

Without R (and its survival and cmprsk packages) the R-backed tests fail naming the
apt-get command, unless TRIALREPORT_SKIP names r (tests/needs.py).
"""
from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import needs

RSCRIPT = shutil.which("Rscript")
TOL = 1e-9  # DESIGN section 6: absolute below 1, relative above
CONF_TYPES = ("log-log", "log", "plain")
CONFIDENCES = (0.95, 0.90)
QUANTILE_PROBS = (0.25, 0.5, 0.75)


def require_r() -> str:
    """The Rscript path; otherwise fail naming the install command (skip if opted out)."""
    needs.require("r")
    return RSCRIPT


# --------------------------------------------------------------------------- R code

R_SURVIVAL = r"""
suppressMessages(library(survival))
num <- function(x) sprintf("%.17g", x)
emit <- function(out, ...) cat(paste(c(...), collapse = " "), "\n", file = out, sep = "", append = TRUE)

one_case <- function(d, lms, key, out) {
  for (ct in conf_types) for (cl in confidences) {
    f <- survfit(Surv(time, event) ~ 1, data = d, conf.type = ct, conf.int = cl)
    tag <- c(key, ct, num(cl))
    s <- summary(f, censored = TRUE)
    for (i in seq_along(s$time))
      emit(out, "curve", tag, num(c(s$time[i], s$n.risk[i], s$n.event[i], s$n.censor[i],
                                   s$surv[i], s$lower[i], s$upper[i])))
    if (length(lms)) {
      s <- tryCatch(summary(f, times = lms, extend = FALSE), error = function(e) NULL)
      if (!is.null(s)) for (i in seq_along(s$time))
        emit(out, "landmark", tag, num(c(s$time[i], s$surv[i], s$lower[i], s$upper[i], s$n.risk[i])))
    }
    q <- quantile(f, probs)
    for (i in seq_along(probs))
      emit(out, "quantile", tag, num(c(probs[i], q$quantile[i], q$lower[i], q$upper[i])))
  }
  rev <- survfit(Surv(time, 1 - event) ~ 1, data = d)
  emit(out, "followup", key, num(quantile(rev, 0.5)$quantile))
}

run_request <- function(data_path, landmark_path, out) {
  data <- read.csv(data_path, colClasses = c("character", "numeric", "numeric"))
  lms <- read.csv(landmark_path, colClasses = c("character", "numeric"))
  cat("", file = out)
  for (key in unique(data$case)) {
    d <- data[data$case == key, ]
    one_case(d, sort(lms$time[lms$case == key]), key, out)
  }
}

wilson <- function(x, n, cl) {
  z <- qnorm(1 - (1 - cl) / 2); p <- x / n
  centre <- (p + z^2 / (2 * n)) / (1 + z^2 / n)
  half <- z * sqrt(p * (1 - p) / n + z^2 / (4 * n^2)) / (1 + z^2 / n)
  c(centre - half, centre + half)
}

run_proportions <- function(in_path, out) {
  d <- read.csv(in_path)
  cat("", file = out)
  for (i in seq_len(nrow(d))) {
    x <- d$x[i]; n <- d$n[i]; cl <- d$confidence[i]; a <- 1 - cl
    z <- qnorm(1 - a / 2)
    cp <- binom.test(x, n, conf.level = cl)$conf.int
    pt <- suppressWarnings(prop.test(x, n, correct = FALSE, conf.level = cl)$conf.int)
    jeffreys <- c(if (x == 0) 0 else qbeta(a / 2, x + 0.5, n - x + 0.5),
                  if (x == n) 1 else qbeta(1 - a / 2, x + 0.5, n - x + 0.5))
    nt <- n + z^2; pt2 <- (x + z^2 / 2) / nt; h <- z * sqrt(pt2 * (1 - pt2) / nt)
    ac <- c(max(0, pt2 - h), min(1, pt2 + h))
    emit(out, "proportion", num(c(x, n, cl, cp, pt, wilson(x, n, cl), jeffreys, ac)))
  }
}

con <- file("stdin", open = "r")
repeat {
  line <- readLines(con, n = 1)
  if (length(line) == 0 || line == "quit") break
  paths <- strsplit(line, "\t")[[1]]
  status <- tryCatch({
    if (paths[1] == "proportions") run_proportions(paths[2], paths[3])
    else run_request(paths[1], paths[2], paths[3])
    "ok" },
                     error = function(e) paste("error", gsub("\n", " ", conditionMessage(e))))
  cat(status, "\n", sep = "")
  flush(stdout())
}
"""


def _r_preamble() -> str:
    conf_types = ", ".join(f'"{c}"' for c in CONF_TYPES)
    return (
        f"conf_types <- c({conf_types})\n"
        f"confidences <- c({', '.join(repr(c) for c in CONFIDENCES)})\n"
        f"probs <- c({', '.join(repr(p) for p in QUANTILE_PROBS)})\n"
    )


# ------------------------------------------------------------------ parsed results

@dataclass
class RFit:
    """R's numbers for one case, conf type and confidence."""
    curve: list[tuple] = field(default_factory=list)  # (time, n.risk, n.event, n.censor, surv, lower, upper)
    landmarks: dict[float, tuple] = field(default_factory=dict)  # time -> (surv, lower, upper, n.risk)
    quantiles: dict[float, tuple] = field(default_factory=dict)  # p -> (estimate, lower, upper)


@dataclass
class RCase:
    fits: dict[tuple[str, float], RFit] = field(default_factory=dict)  # (conf_type, confidence)
    median_followup: float | None = None


def r_value(word: str) -> float | None:
    """R's printed number; NA and NaN become None."""
    return None if word in ("NA", "NaN") else float(word)


def parse_output(text: str) -> dict[str, RCase]:
    cases: dict[str, RCase] = {}
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        kind, key = words[0], words[1]
        case = cases.setdefault(key, RCase())
        if kind == "followup":
            case.median_followup = r_value(words[2])
            continue
        fit = case.fits.setdefault((words[2], float(words[3])), RFit())
        values = [r_value(w) for w in words[4:]]
        if kind == "curve":
            fit.curve.append(tuple(values))
        elif kind == "landmark":
            fit.landmarks[values[0]] = tuple(values[1:])
        elif kind == "quantile":
            fit.quantiles[values[0]] = tuple(values[1:])
    return cases


# --------------------------------------------------------------------- the session

class RSession:
    """One long-running Rscript that answers survival requests (one line each)."""

    def __init__(self, rscript: str):
        self.dir = Path(tempfile.mkdtemp(prefix="rvalidation-"))
        script = self.dir / "survival_server.R"
        script.write_text(_r_preamble() + R_SURVIVAL, encoding="utf-8")
        self.process = subprocess.Popen(
            [rscript, "--vanilla", str(script)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        self.requests = 0

    def survival(self, cases: dict[str, tuple]) -> dict[str, RCase]:
        """cases: name -> (time, event[, landmarks]); R's results by name."""
        self.requests += 1
        stem = self.dir / f"request{self.requests}"
        data, landmarks, out = (Path(f"{stem}_{n}") for n in ("data.csv", "landmarks.csv", "out.txt"))
        write_cases(cases, data, landmarks)
        return parse_output(self._ask([str(data), str(landmarks), str(out)], out))

    def _ask(self, fields: list[str], out: Path) -> str:
        self.process.stdin.write("\t".join(fields) + "\n")
        self.process.stdin.flush()
        status = self.process.stdout.readline().strip()
        if status != "ok":
            raise RuntimeError(f"R failed: {status or 'no answer'}")
        return out.read_text(encoding="utf-8")

    def proportions(self, combos: list[tuple[int, int, float]]) -> dict[tuple, dict[str, tuple]]:
        """(x, n, confidence) -> {method: (low, high)} from binom.test, prop.test and closed forms."""
        self.requests += 1
        data, out = self.dir / f"request{self.requests}_props.csv", self.dir / f"request{self.requests}_out.txt"
        data.write_text("x,n,confidence\n" + "".join(f"{x},{n},{c!r}\n" for x, n, c in combos), encoding="utf-8")
        return parse_proportions(self._ask(["proportions", str(data), str(out)], out))

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
            self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def write_cases(cases: dict[str, tuple], data_path: Path, landmark_path: Path) -> None:
    """The long CSVs R reads: case,time,event and case,time (landmarks)."""
    with data_path.open("w", encoding="utf-8") as data, landmark_path.open("w", encoding="utf-8") as lms:
        data.write("case,time,event\n")
        lms.write("case,time\n")
        for name, (time, event, *rest) in cases.items():
            assert " " not in name and "," not in name, name
            for t, e in zip(np.asarray(time, dtype=float), np.asarray(event, dtype=bool)):
                data.write(f"{name},{float(t)!r},{int(e)}\n")
            for t in (rest[0] if rest else ()):
                lms.write(f"{name},{float(t)!r}\n")


_SESSION: RSession | None = None


def r_session() -> RSession:
    """The shared R session (started on first use; fails or skips without R, as needs.py says)."""
    global _SESSION
    rscript = require_r()
    if _SESSION is None:
        _SESSION = RSession(rscript)
        atexit.register(_SESSION.close)
    return _SESSION


def r_survival(cases: dict[str, tuple]) -> dict[str, RCase]:
    return r_session().survival(cases)


def r_proportions(combos: list[tuple[int, int, float]]) -> dict[tuple, dict[str, tuple]]:
    return r_session().proportions(combos)


PROPORTION_COLUMNS = ("clopper-pearson", "prop.test", "wilson", "jeffreys", "agresti-coull")


def parse_proportions(text: str) -> dict[tuple, dict[str, tuple]]:
    results = {}
    for line in text.splitlines():
        words = line.split()
        x, n, confidence = int(float(words[1])), int(float(words[2])), float(words[3])
        values = [r_value(w) for w in words[4:]]
        results[(x, n, confidence)] = {m: (values[2 * i], values[2 * i + 1]) for i, m in enumerate(PROPORTION_COLUMNS)}
    return results


def run_r(script: str) -> str:
    """Run one R script (text) in a fresh Rscript; its stdout."""
    rscript = require_r()
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False, encoding="utf-8") as handle:
        handle.write(script)
    try:
        result = subprocess.run([rscript, "--vanilla", handle.name], capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(handle.name)
    if result.returncode != 0:
        raise RuntimeError(f"Rscript failed:\n{result.stderr}")
    return result.stdout


# ------------------------------------------------------------------- comparisons

def same(ours, theirs, tol: float = TOL) -> bool:
    """Equal to `tol` (absolute below 1, relative above); R's NA/NaN (None) only equals our None."""
    if theirs is None or ours is None:
        return theirs is None and ours is None
    return abs(float(ours) - float(theirs)) <= tol * max(1.0, abs(float(theirs)))


def mismatches(pairs: list[tuple[str, object, object]], tol: float = TOL) -> list[str]:
    """The labelled (label, ours, R) pairs that differ, as readable lines."""
    return [f"{label}: ours={a!r} R={b!r}" for label, a, b in pairs if not same(a, b, tol)]


def survival_pairs(fit, r_fit: RFit, landmarks=()) -> list[tuple[str, object, object]]:
    """(label, ours, R) for every curve row, landmark and quantile of one fit."""
    pairs = curve_pairs(fit, r_fit)
    pairs += landmark_pairs(fit, r_fit, landmarks)
    pairs += quantile_pairs(fit, r_fit)
    return pairs


def curve_pairs(fit, r_fit: RFit) -> list[tuple]:
    rows = fit.curve[1:]  # our first row is the synthetic time 0
    pairs = [("curve rows", len(rows), len(r_fit.curve))]
    names = ("time", "n_at_risk", "events", "censored", "survival", "ci_low", "ci_high")
    for ours, theirs in zip(rows, r_fit.curve):
        pairs += [(f"curve t={theirs[0]:g} {n}", getattr(ours, n), v) for n, v in zip(names, theirs)]
    return pairs


def landmark_pairs(fit, r_fit: RFit, landmarks) -> list[tuple]:
    pairs = [("landmark count", len(fit.landmarks), len(list(landmarks)))]
    for lm in fit.landmarks:
        theirs = r_fit.landmarks.get(float(lm.time))
        if theirs is None:  # R drops a time past the last follow-up
            pairs.append((f"landmark {lm.time:g} survival (R: dropped)", lm.survival, None))
            continue
        names = ("survival", "ci_low", "ci_high", "n_at_risk")
        pairs += [(f"landmark {lm.time:g} {n}", getattr(lm, n), v) for n, v in zip(names, theirs)]
    return pairs


def quantile_pairs(fit, r_fit: RFit) -> list[tuple]:
    ours = {0.25: fit.quartiles["25"], 0.5: fit.median, 0.75: fit.quartiles["75"]}
    pairs = []
    for p, (estimate, low, high) in r_fit.quantiles.items():
        q = ours[p]
        pairs += [(f"q{p:g} estimate", q.estimate, estimate), (f"q{p:g} ci_low", q.ci_low, low),
                  (f"q{p:g} ci_high", q.ci_high, high)]
    return pairs


def assert_matches(pairs: list[tuple], tol: float = TOL) -> None:
    """Fail listing every (label, ours, R) pair that differs."""
    problems = mismatches(pairs, tol)
    assert not problems, f"{len(problems)} value(s) differ from R:\n" + "\n".join(problems)
