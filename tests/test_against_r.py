"""The example's estimates equal R's survival package and binom.test to 1e-6.

Runs Rscript (Debian: r-base-core, r-cran-survival). Without it the tests fail naming the
apt-get command, unless TRIALREPORT_SKIP names r (tests/needs.py).
"""
import shutil
import subprocess

import numpy as np
import pytest

from report.inputs import derive

RSCRIPT = shutil.which("Rscript")
TOL = 1e-6

pytestmark = pytest.mark.needs("r")

R_SURVIVAL = """
library(survival)
d <- read.csv("{path}")
for (ct in c("log-log", "log", "plain")) {{
  f <- survfit(Surv(time, event) ~ 1, data = d, conf.type = ct)
  s <- summary(f, times = c(6, 12))
  q <- quantile(f, c(.25, .5, .75))
  cat(ct, sprintf("%.17g", c(s$surv, s$lower, s$upper, s$n.risk, q$quantile, q$lower, q$upper)), "\\n")
}}
cat("followup", sprintf("%.17g", quantile(survfit(Surv(time, 1 - event) ~ 1, data = d), .5)$quantile), "\\n")
"""


def r_lines(script: str) -> dict[str, list[float]]:
    out = subprocess.run([RSCRIPT, "--vanilla", "-e", script], capture_output=True, text=True, check=True).stdout
    return {words[0]: [float(w) if w != "NA" else None for w in words[1:]] for words in (l.split() for l in out.splitlines() if l.strip())}


def ours(fit) -> list:
    lm = fit.landmarks
    quantiles = [fit.quartiles["25"], fit.median, fit.quartiles["75"]]
    return ([x.survival for x in lm] + [x.ci_low for x in lm] + [x.ci_high for x in lm]
            + [x.n_at_risk for x in lm] + [q.estimate for q in quantiles]
            + [q.ci_low for q in quantiles] + [q.ci_high for q in quantiles])


def assert_same(mine: list, theirs: list) -> None:
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs):
        if b is None:
            assert a is None
        else:
            assert a == pytest.approx(b, abs=TOL)


@pytest.mark.parametrize("endpoint", ["os", "dfs"])
@pytest.mark.parametrize("conf_type", ["log-log", "log", "plain"])
def test_example_survival_equals_r(example_trial, tmp_path, endpoint, conf_type):
    from report.stats.survival import kaplan_meier

    rows = example_trial.time_to_event[example_trial.time_to_event["endpoint"] == endpoint]
    time, event = rows["days"].to_numpy() / derive.DAYS_PER_UNIT["months"], rows["event"].to_numpy(dtype=int)
    fit = kaplan_meier(time, event, landmarks=[6, 12], conf_type=conf_type)
    path = tmp_path / "tte.csv"
    np.savetxt(path, np.c_[time, event], delimiter=",", header="time,event", comments="", fmt="%.17g")
    r = r_lines(R_SURVIVAL.format(path=path))
    assert_same(ours(fit), r[conf_type])
    assert fit.median_followup == pytest.approx(r["followup"][0], abs=TOL)


def test_example_proportions_equal_binom_test(ledger):
    blocks = [ledger["response"]["responders"], ledger["mrd"]["negative"], ledger["mrd"]["negative_of_evaluable"],
              ledger["response"]["after_first_cycle"],
              *ledger["response"]["categories"].values()]
    script = "; ".join(f'cat(sprintf("%.17g", binom.test({b["count"]}, {b["n"]})$conf.int), "\\n")' for b in blocks)
    out = subprocess.run([RSCRIPT, "--vanilla", "-e", script], capture_output=True, text=True, check=True).stdout
    for block, line in zip(blocks, out.splitlines()):
        low, high = map(float, line.split())
        assert block["ci_low"] == pytest.approx(low, abs=TOL)
        assert block["ci_high"] == pytest.approx(high, abs=TOL)
