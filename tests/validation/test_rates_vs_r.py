"""report.stats.rates against R, run live, to 1e-9.

- rate_difference: `prop.test(c(x1, x2), c(n1, n2), correct =)` `$estimate` difference,
  `$conf.int`, `$p.value` (NaN where the pooled rate is 0 or 1: our None);
- odds_ratio "fisher": fisher.test's equations (the conditional mean and the two tails of
  the noncentral hypergeometric, copied from R's fisher.test) solved with
  `uniroot(tol = 1e-14)` in the log odds ratio, since fisher.test's own uniroot stops at
  about 1e-4 (checked against fisher.test to 1e-3 too), and `fisher.test()$p.value`;
- odds_ratio "wald": Woolf's formula written in R;
- mantel_haenszel: `mantelhaen.test(array, correct =)` statistic, p, estimate and CI;
- landmark_difference: `summary(survfit(Surv(time, event) ~ 1), times = t)` `$surv` and
  `$std.err` of each group, then the difference +/- qnorm(0.975) sqrt(se1^2 + se2^2).
Cases: small counts, zero cells, all or none responding, and random tables.
"""
from __future__ import annotations

import numpy as np
import pytest

from report.stats.rates import landmark_difference, mantel_haenszel, odds_ratio, rate_difference
from rsupport import r_value, run_r, same

R_PRELUDE = r"""
suppressMessages(library(survival))
num <- function(x) ifelse(is.na(x) | is.infinite(x), "NA", sprintf("%.17g", x))
exact_or <- function(x, m, n, k, alpha) {
  lo <- max(0L, k - n); hi <- min(k, m); support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dn <- function(th) { d <- logdc + th * support; d <- exp(d - max(d)); d / sum(d) }
  root <- function(f) { a <- -1; b <- 1
    while (sign(f(a)) == sign(f(b))) { a <- 2 * a; b <- 2 * b }
    uniroot(f, c(a, b), tol = 1e-14, maxiter = 1000)$root }
  est <- if (x == lo) 0 else if (x == hi) Inf else exp(root(function(th) sum(support * dn(th)) - x))
  low <- if (x == lo) 0 else exp(root(function(th) sum(dn(th)[support >= x]) - alpha))
  high <- if (x == hi) Inf else exp(root(function(th) sum(dn(th)[support <= x]) - alpha))
  c(est, low, high)
}
"""

TABLES = [(15, 20, 10, 20), (3, 4, 1, 4), (0, 10, 4, 12), (7, 7, 3, 9), (1, 3, 0, 2), (12, 50, 25, 48),
          (5, 5, 5, 5), (0, 6, 0, 7), (2, 30, 9, 31), (40, 41, 1, 39)]


def random_tables(count: int = 20) -> list[tuple[int, int, int, int]]:
    rng = np.random.default_rng(16)
    out = []
    for _ in range(count):
        n1, n2 = (int(v) for v in rng.integers(2, 60, 2))
        out.append((int(rng.integers(0, n1 + 1)), n1, int(rng.integers(0, n2 + 1)), n2))
    return out


ALL = TABLES + random_tables()


@pytest.fixture(scope="module")
def r_two_by_two():
    lines = [R_PRELUDE]
    for i, (x1, n1, x2, n2) in enumerate(ALL):
        lines.append(f"""
for (cc in c(FALSE, TRUE)) {{ t <- suppressWarnings(prop.test(c({x1}, {x2}), c({n1}, {n2}), correct = cc))
  cat("rd", {i}, as.integer(cc), num(c(t$estimate[1] - t$estimate[2], t$conf.int, t$p.value)), "\\n") }}
m <- matrix(c({x1}, {n1 - x1}, {x2}, {n2 - x2}), 2)
f <- fisher.test(m)
cat("fisher", {i}, num(c(exact_or({x1}, {n1}, {n2}, {x1 + x2}, 0.025), f$p.value)), "\\n")
cat("fisherR", {i}, num(c(f$estimate, f$conf.int)), "\\n")
if (all(m > 0)) {{ l <- log(m[1, 1] * m[2, 2] / (m[1, 2] * m[2, 1])); se <- sqrt(sum(1 / m))
  cat("woolf", {i}, num(c(exp(l), exp(l + c(-1, 1) * qnorm(0.975) * se), 2 * pnorm(-abs(l / se)))), "\\n") }}
""")
    results: dict = {}
    for words in (line.split() for line in run_r("".join(lines)).splitlines() if line.strip()):
        key = (words[0], int(words[1])) + ((int(words[2]),) if words[0] == "rd" else ())
        results[key] = [r_value(w) for w in words[3 if words[0] == "rd" else 2:]]
    return results


def folded(value: float | None) -> float | None:
    """An odds ratio on the scale fisher.test's uniroot solves it: t below 1, 1/t above."""
    return value if value is None or value <= 1 else 1 / value


def check(label: str, ours: list, theirs: list, tol: float = 1e-9) -> list[str]:
    return [f"{label}[{k}]: ours={a!r} R={b!r}" for k, (a, b) in enumerate(zip(ours, theirs)) if not same(a, b, tol)]


@pytest.mark.parametrize("i", range(len(ALL)))
def test_two_by_two_equals_r(r_two_by_two, i):
    x1, n1, x2, n2 = ALL[i]
    problems = []
    for cc, method in ((0, "wald"), (1, "wald-cc")):
        d = rate_difference(x1, n1, x2, n2, method)
        problems += check(method, [d.estimate, d.ci_low, d.ci_high, d.p_value], r_two_by_two[("rd", i, cc)])
    f = odds_ratio(x1, n1, x2, n2, "fisher")
    expected = r_two_by_two[("fisher", i)]
    if x1 + x2 in (0, n1 + n2):  # one table only: R says 0 (0, Inf); the ledger: not estimable
        expected = [None, None, None, expected[3]]
    problems += check("fisher", [f.estimate, f.ci_low, f.ci_high, f.p_value], expected)
    problems += check("fisher.test (its uniroot tolerance)", [folded(v) for v in (f.estimate, f.ci_low, f.ci_high)],
                      [folded(v) for v in r_two_by_two[("fisherR", i)]], 1e-3) if x1 + x2 not in (0, n1 + n2) else []
    w = odds_ratio(x1, n1, x2, n2, "wald")
    woolf = r_two_by_two.get(("woolf", i), [None] * 4)
    problems += check("woolf", [w.estimate, w.ci_low, w.ci_high, w.p_value], woolf)
    assert not problems, f"{ALL[i]}:\n" + "\n".join(problems)


def strata_sets() -> list[list[tuple[int, int, int, int]]]:
    rng = np.random.default_rng(61)
    sets = [[(15, 20, 10, 20), (3, 4, 1, 4)], [(0, 10, 4, 12), (7, 9, 3, 9), (1, 3, 0, 2)],
            [(5, 5, 5, 5), (2, 6, 1, 7)]]
    for _ in range(10):
        sets.append([(int(rng.integers(0, a + 1)), int(a), int(rng.integers(0, b + 1)), int(b))
                     for a, b in rng.integers(1, 30, (int(rng.integers(2, 6)), 2))])
    return sets


@pytest.fixture(scope="module")
def r_cmh():
    lines = [R_PRELUDE]
    for i, tables in enumerate(strata_sets()):
        cells = ", ".join(f"{x1}, {x2}, {n1 - x1}, {n2 - x2}" for x1, n1, x2, n2 in tables)
        lines.append(f"""a <- array(c({cells}), dim = c(2, 2, {len(tables)}))
for (cc in c(FALSE, TRUE)) {{ t <- mantelhaen.test(a, correct = cc)
  cat({i}, as.integer(cc), num(c(t$statistic, t$p.value, t$estimate, t$conf.int)), "\\n") }}
""")
    return {(int(w[0]), int(w[1])): [r_value(v) for v in w[2:]]
            for w in (line.split() for line in run_r("".join(lines)).splitlines() if line.strip())}


@pytest.mark.parametrize("i", range(len(strata_sets())))
def test_mantel_haenszel_equals_r(r_cmh, i):
    tables = [[[x1, n1 - x1], [x2, n2 - x2]] for x1, n1, x2, n2 in strata_sets()[i]]
    problems = []
    for cc in (0, 1):
        m = mantel_haenszel(tables, 0.95, bool(cc))
        problems += check(f"cmh correct={cc}", [m.statistic, m.p_value, m.odds_ratio, m.ci_low, m.ci_high],
                          r_cmh[(i, cc)])
    assert not problems, "\n".join(problems)


def test_landmark_difference_equals_r():
    rng = np.random.default_rng(7)
    groups = [(np.ceil(rng.exponential(s, n) * 2) / 2, rng.random(n) < 0.7) for s, n in ((10, 40), (6, 35), (8, 3))]
    text = R_PRELUDE + "".join(
        f"""g{k} <- data.frame(time = c({", ".join(map(repr, map(float, t)))}), event = c({", ".join(str(int(e)) for e in ev)}))
s{k} <- function(t) {{ s <- summary(survfit(Surv(time, event) ~ 1, data = g{k}), times = t); c(s$surv, s$std.err) }}
""" for k, (t, ev) in enumerate(groups))
    pairs = [(0, 1, 5.0), (0, 1, 0.2), (1, 2, 3.0), (0, 2, 1.0), (0, 1, 12.0)]
    text += "".join(f"""a <- s{i}({t}); b <- s{j}({t}); d <- a[1] - b[1]; h <- qnorm(0.975) * sqrt(a[2]^2 + b[2]^2)
cat({n}, num(c(a, b, d, d - h, d + h, 2 * pnorm(-abs(d) / sqrt(a[2]^2 + b[2]^2)))), "\\n")
""" for n, (i, j, t) in enumerate(pairs))
    r = {int(w[0]): [r_value(v) for v in w[1:]] for w in (line.split() for line in run_r(text).splitlines() if line.strip())}
    problems, compared = [], 0
    for n, (i, j, t) in enumerate(pairs):
        if max(groups[i][0].max(), groups[j][0].max()) < t or min(groups[i][0].max(), groups[j][0].max()) < t:
            continue
        d = landmark_difference(*groups[i], *groups[j], t)
        ours = [d.survival, d.std_err, d.reference_survival, d.reference_std_err, d.difference.estimate,
                d.difference.ci_low, d.difference.ci_high, d.difference.p_value]
        problems += check(f"pair {n}", ours, r[n])
        compared += 1
    assert compared >= 3 and not problems, "\n".join(problems)
