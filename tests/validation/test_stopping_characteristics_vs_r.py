"""A toxicity rule's operating characteristics (report.stats.stopping.toxicity_operating) against
R, run live, to 1e-9: R finds the boundary table itself (the fewest events x at n patients with
1 - pbeta(threshold, a + x, b + n - x) > limit) and carries the distribution of the event count
among the trials not yet stopped from look to look with dbinom, removing the part at or above
the boundary. All cases go to R in one script. Without R the test fails (tests/needs.py)."""
from __future__ import annotations

import pytest

from report.inputs.spec import ToxicityRule
from report.stats.stopping import toxicity_boundaries, toxicity_operating
from rsupport import mismatches, r_value, run_r

R_OPERATING = r"""
num <- function(x) sprintf("%.17g", x)
oc <- function(key, a, b, t, lim, N, p) {
  bound <- sapply(1:N, function(n) {
    x <- 0:n
    hit <- which(1 - pbeta(t, a + x, b + n - x) > lim)
    if (length(hit)) x[min(hit)] else NA
  })
  f <- 1  # P(x events and not stopped), x = 0..n-1
  stops <- numeric(N)
  for (n in 1:N) {
    g <- numeric(n + 1)
    for (y in 0:(n - 1)) g[y + 1:2] <- g[y + 1:2] + f[y + 1] * dbinom(0:1, 1, p)
    if (!is.na(bound[n])) {
      at <- (bound[n]:n) + 1
      stops[n] <- sum(g[at])
      g[at] <- 0
    }
    f <- g
  }
  first <- which(!is.na(bound))[1]
  cat(key, num(sum(stops)), num(sum((1:N) * stops) + N * (1 - sum(stops))),
      if (is.na(first)) "0" else num(stops[first]), ifelse(is.na(bound), "NA", bound), "\n")
}
"""

RULES = {
    "s1318": ToxicityRule(kind="beta-binomial", name="S1318", min_grade=4, related_only=True, threshold=0.30,
                          limit=0.80, max_patients=31),
    "informative": ToxicityRule(kind="beta-binomial", name="T", prior_a=0.5, prior_b=4.5, threshold=0.2, limit=0.9,
                                max_patients=60, acceptable_rate=0.1, unacceptable_rate=0.35),
    "late": ToxicityRule(kind="beta-binomial", name="T", prior_a=3, prior_b=1, threshold=0.5, limit=0.95,
                         max_patients=25),
    "never": ToxicityRule(kind="beta-binomial", name="T", threshold=0.5, limit=0.99, max_patients=3),
}


@pytest.fixture(scope="module")
def r_results() -> dict[str, list]:
    calls = []
    for key, rule in RULES.items():
        for shown in toxicity_operating(rule).rates:
            calls.append(f'oc("{key}-{shown.label}", {rule.prior_a}, {rule.prior_b}, {rule.threshold}, {rule.limit}, '
                         f"{rule.max_patients}, {shown.rate!r})")
    out = run_r(R_OPERATING + "\n".join(calls) + "\n")
    return {words[0]: words[1:] for words in (line.split() for line in out.splitlines()) if words}


@pytest.mark.parametrize("key", sorted(RULES))
def test_operating_characteristics_equal_r(r_results, key):
    rule = RULES[key]
    table = [b.events for b in toxicity_boundaries(rule)]
    pairs = []
    for shown in toxicity_operating(rule).rates:
        theirs = r_results[f"{key}-{shown.label}"]
        label = f"{key} at {shown.rate}"
        assert [None if w == "NA" else int(w) for w in theirs[3:]] == table, label  # R's own boundary table
        pairs += [(f"{label} P(stop)", shown.probability_stop, r_value(theirs[0])),
                  (f"{label} E(patients)", shown.expected_patients, r_value(theirs[1])),
                  (f"{label} P(stop at the first look)", shown.probability_first_look, r_value(theirs[2]))]
    assert not mismatches(pairs), mismatches(pairs)
