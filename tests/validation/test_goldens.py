"""`report.stats.survival.kaplan_meier` against golden values R computed, without running R.

golden/lung.csv and golden/aml.csv are R's `survival::lung` (days; status 2 = dead) and
`survival::aml` (weeks; status 1 = event); golden/expected.csv holds what R 3.x's survfit
gave for them (make_goldens.R): for the whole data and each group (lung by sex, aml by
x), each conf type and confidence 0.95 / 0.90, every row of summary(fit, censored = TRUE),
the landmarks (lung 180, 365, 730 days; aml 12, 26, 52 weeks; a time R drops must be None
here), the 25/50/75% quantiles with their CIs and the median follow-up. Compared to 1e-9.
golden/cox.csv holds R's Cox and log-rank figures (the ledger's comparisons block) for aml,
lung, ovarian and a made-up trial with a hazard ratio of about 30, compared to 1e-9.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from report.stats.survival import kaplan_meier
from rsupport import assert_matches

GOLDEN = Path(__file__).parent / "golden"
LANDMARKS = {"lung": (180, 365, 730), "aml": (12, 26, 52)}
UNITS = {"lung": "days", "aml": "weeks"}
CURVE_FIELDS = {"time": "time", "n_risk": "n_at_risk", "n_event": "events", "n_censor": "censored",
                "surv": "survival", "lower": "ci_low", "upper": "ci_high"}
LANDMARK_FIELDS = {"surv": "survival", "lower": "ci_low", "upper": "ci_high", "n_risk": "n_at_risk"}


def load_data() -> dict[str, pd.DataFrame]:
    lung = pd.read_csv(GOLDEN / "lung.csv")
    lung["event"] = lung["status"] == 2
    aml = pd.read_csv(GOLDEN / "aml.csv")
    aml["event"] = aml["status"] == 1
    return {"lung": lung, "aml": aml}


def load_expected() -> pd.DataFrame:
    expected = pd.read_csv(GOLDEN / "expected.csv", keep_default_na=False, dtype={"subset": str})
    expected["value"] = pd.Series([None if v == "NA" else float(v) for v in expected["value"]], dtype=object)
    expected["index"] = expected["index"].astype(float)
    return expected


DATA = load_data()
EXPECTED = load_expected()
GROUPS = sorted(EXPECTED.groupby(["dataset", "subset", "conf_type", "confidence"]).groups)


def subset_rows(dataset: str, subset: str) -> pd.DataFrame:
    data = DATA[dataset]
    if subset == "all":
        return data
    column, value = subset.split("=", 1)
    return data[data[column].astype(str) == value]


def golden_pairs(fit, expected: pd.DataFrame) -> list[tuple]:
    """(label, ours, R) for every golden value of one fit."""
    values = {(q, i): v for q, i, v in zip(expected["quantity"], expected["index"], expected["value"])}
    pairs = []
    n_rows = int(max(i for q, i in values if q == "curve_time"))
    pairs.append(("curve rows", len(fit.curve) - 1, n_rows))
    for row, point in enumerate(fit.curve[1:], start=1):
        pairs += [(f"curve row {row} {r}", getattr(point, ours), values.get((f"curve_{r}", row), "missing"))
                  for r, ours in CURVE_FIELDS.items()]
    for lm in fit.landmarks:
        if ("landmark_surv", float(lm.time)) not in values:  # R dropped it: past the last time
            pairs.append((f"landmark {lm.time} survival (R: dropped)", lm.survival, None))
            continue
        pairs += [(f"landmark {lm.time} {r}", getattr(lm, ours), values[(f"landmark_{r}", float(lm.time))])
                  for r, ours in LANDMARK_FIELDS.items()]
    quantiles = {0.25: fit.quartiles["25"], 0.5: fit.median, 0.75: fit.quartiles["75"]}
    for p, q in quantiles.items():
        pairs += [(f"q{p} {name}", getattr(q, attr), values[(f"quantile_{name}", p)])
                  for name, attr in (("estimate", "estimate"), ("lower", "ci_low"), ("upper", "ci_high"))]
    pairs.append(("median_followup", fit.median_followup, values[("median_followup", 0.0)]))
    return pairs


@pytest.mark.parametrize("dataset,subset,conf_type,confidence", GROUPS)
def test_golden_equals_ours(dataset, subset, conf_type, confidence):
    rows = subset_rows(dataset, subset)
    expected = EXPECTED[(EXPECTED["dataset"] == dataset) & (EXPECTED["subset"] == subset)
                        & (EXPECTED["conf_type"] == conf_type) & (EXPECTED["confidence"] == confidence)]
    fit = kaplan_meier(rows["time"].to_numpy(float), rows["event"].to_numpy(bool), time_unit=UNITS[dataset],
                       landmarks=LANDMARKS[dataset], conf_type=conf_type, confidence=confidence)
    assert len(rows) > 0 and len(expected) > 20
    assert_matches(golden_pairs(fit, expected))


def test_goldens_cover_what_they_should():
    """The golden files hold the data and every group, with known R values."""
    assert DATA["lung"].shape[0] == 228 and DATA["aml"].shape[0] == 23
    assert len(GROUPS) == (3 + 3) * 3 * 2  # lung: all + 2 sexes; aml: all + 2 arms
    median = EXPECTED[(EXPECTED["dataset"] == "lung") & (EXPECTED["subset"] == "all")
                      & (EXPECTED["quantity"] == "quantile_estimate") & (EXPECTED["index"] == 0.5)]
    assert set(median["value"]) == {310.0}  # the textbook lung median
    dropped = EXPECTED[(EXPECTED["subset"] == "x=Nonmaintained") & (EXPECTED["quantity"] == "landmark_surv")]
    assert 52.0 not in set(dropped["index"]) and np.isclose(sorted(dropped["index"])[0], 12.0)


# ------------------------------------------------------------------ Cox and log-rank
# golden/cox.csv: R's coxph at its exact maximum (coxph.control(eps = 1e-14), Efron ties)
# and survdiff, for aml (by x), lung (by sex), ovarian (by rx) and a made-up trial whose
# hazard ratio is about 30 (golden/separated.csv); compared to 1e-9, relative for values
# of 1 or more, absolute below (DESIGN section 6).

def cox_data() -> dict[str, tuple]:
    """dataset -> (time, event, arm, arms with the reference first)."""
    ovarian = pd.read_csv(GOLDEN / "ovarian.csv")
    separated = pd.read_csv(GOLDEN / "separated.csv")
    aml, lung = DATA["aml"], DATA["lung"]
    return {
        "aml": (aml["time"], aml["event"], list(aml["x"]), ["Maintained", "Nonmaintained"]),
        "lung": (lung["time"], lung["event"], [str(s) for s in lung["sex"]], ["1", "2"]),
        "ovarian": (ovarian["futime"], ovarian["fustat"] == 1, [str(r) for r in ovarian["rx"]], ["1", "2"]),
        "separated": (separated["time"], separated["status"] == 1, list(separated["arm"]), ["slow", "fast"]),
    }


COX_DATA = cox_data()
COX_EXPECTED = pd.read_csv(GOLDEN / "cox.csv", keep_default_na=False)


def cox_pairs(dataset: str, confidence: float) -> list[tuple]:
    """(label, ours, R) for every figure of the ledger's comparisons block."""
    from report.stats.comparison import compare_arms
    from report.analysis.ledger import plain

    time, event, arm, arms = COX_DATA[dataset]
    block = plain(compare_arms(time.to_numpy(float), event.to_numpy(bool), arm, arms, confidence))
    ours = {(r["arm"], name): r[name] for r in block["hazard_ratios"]
            for name in ("hazard_ratio", "ci_low", "ci_high", "p_value")}
    ours |= {("-", f"logrank_{short}"): block["log_rank"][name]
             for short, name in (("chisq", "chi_square"), ("df", "df"), ("p", "p_value"))}
    rows = COX_EXPECTED[(COX_EXPECTED["dataset"] == dataset) & (COX_EXPECTED["confidence"] == confidence)]
    return [(f"{arm} {quantity}", ours[(arm, quantity)], float(value))
            for arm, quantity, value in zip(rows["arm"], rows["quantity"], rows["value"])]


@pytest.mark.parametrize("confidence", (0.95, 0.90))
@pytest.mark.parametrize("dataset", sorted(COX_DATA))
def test_cox_golden_equals_ours(dataset, confidence):
    pairs = cox_pairs(dataset, confidence)
    assert len(pairs) == 7
    assert_matches(pairs)


def test_cox_goldens_cover_a_large_ratio():
    hr = COX_EXPECTED[(COX_EXPECTED["dataset"] == "separated") & (COX_EXPECTED["quantity"] == "hazard_ratio")]
    assert (hr["value"].astype(float) > 20).all() and len(hr) == 2
