"""The duration-of-response block (report/blocks/tables/duration_of_response.py): responders,
events by type, competing events and ongoing responses counted by hand on a made-up group,
with the range and the Kaplan-Meier cells worked out by hand; on S1318 every median,
percentile, range and landmark cell is the ledger's `survival.dfs` and ard.csv carries the
part's numbers; on random-cdisc (ADaM, three arms) the block is not shown until the spec names
ADTTE's duration of confirmed response, whose counts by arm are those of the XPT files; a spec
naming an endpoint the trial lacks stops with exit 2."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

import needs
import report
from conftest import run_cli
from report.analysis.group import Group
from report.analysis.ledger import plain
from report.analysis.parts import survival
from report.layout.km_rows import landmark_cell, median_cell
from report.blocks.tables.duration_of_response import (
    BLOCK,
    ard,
    duration_of_response,
    range_cell,
    shown,
    table,
    view,
)
from report.errors import InputError
from report.inputs.derive import CENSOR_REASON, DAYS_PER_UNIT, EVENT_TYPE
from report.inputs.spec import Analysis

ROOT = Path(__file__).resolve().parents[1]
RANDOM = ROOT / "tests" / "fixtures" / "adam" / "random-cdisc"
DATA = ROOT.parent / "shared" / "data" / "random-cdisc"
MONTH = DAYS_PER_UNIT["months"]


def _group(label: str, rows: list[tuple[float, bool, str | None]], risk_times: dict | None = None) -> Group:
    """A group whose `dfs` rows are (months, event, event type)."""
    tte = pd.DataFrame({"subject_id": [f"{label}{i}" for i in range(len(rows))], "endpoint": "dfs",
                        "days": [m * MONTH for m, _, _ in rows], "event": [e for _, e, _ in rows],
                        EVENT_TYPE: pd.Series([t for _, _, t in rows], dtype=object),
                        CENSOR_REASON: pd.Series([None] * len(rows), dtype=object)})
    return Group(label, pd.DataFrame({"subject_id": tte["subject_id"]}), tte, None, Analysis(),
                 risk_times=risk_times or {})


# Two relapses, a death, a transplant (competing: censored for Kaplan-Meier), two ongoing.
MADE_UP = [(0.9, True, "Relapse"), (2.5, True, "Death"), (4.0, False, None), (7.25, True, "Relapse"),
           (12.0, False, "Transplant"), (30.5, False, None)]


def _made_up_ledger() -> dict:
    total = _group("T", MADE_UP)
    arm = _group("A", [], risk_times={"dfs": (0.0, 6.0, 12.0)})  # an arm with no responder
    return {"arms": ["A"], "endpoints": {"dfs": {"label": "Disease-free survival"}},
            "duration_of_response": plain(duration_of_response(total)), "survival": plain(survival(total)),
            "by_arm": {"A": {"duration_of_response": plain(duration_of_response(arm)),
                             "survival": plain(survival(arm))}}}


def test_counts_and_range_of_a_made_up_group_by_hand():
    ledger = _made_up_ledger()
    part = ledger["duration_of_response"]
    assert part["endpoint"] == "dfs" and part["n"] == 6
    assert part["events"] == {"count": 3, "proportion": 0.5}
    assert part["event_types"] == {"Relapse": {"count": 2, "proportion": 2 / 6}, "Death": {"count": 1, "proportion": 1 / 6}}
    assert part["competing"] == {"Transplant": {"count": 1, "proportion": 1 / 6}}
    assert part["ongoing"] == {"count": 2, "proportion": 2 / 6}
    rows = {row.label: row.cells for row in table(ledger).rows}
    assert list(rows)[:7] == ["Responders, n", "Relapse, progression or death, n (%)", "Relapse", "Death",
                              "Ended by a competing event (censored), n (%)", "Transplant",
                              "Response ongoing at last contact (censored), n (%)"]
    assert rows["Responders, n"] == ("0", "6")
    assert rows["Relapse"] == ("-", "2 (33.3%)") and rows["Transplant"] == ("-", "1 (16.7%)")
    assert rows["Response ongoing at last contact (censored), n (%)"] == ("-", "2 (33.3%)")
    # S(t): 5/6 after 0.9, 4/6 after 2.5, 4/6 * 2/3 = 4/9 after 7.25 (3 at risk): the median is 7.25.
    assert rows["Range, months"] == ("NE", "0.9 to 30.5+")
    assert rows["25th and 75th percentiles, months"] == ("NE", "2.5, NR")
    assert rows["Median duration, months (95% CI)"][1].startswith("7.3 (")
    assert rows["Still in response at 6 months (95% CI)"][1].startswith("66.7% (")
    assert rows["Still in response at 12 months (95% CI)"][1].startswith("44.4% (")


def test_a_tie_at_the_shortest_duration_and_an_event_at_the_longest():
    fit = plain(survival(_group("T", [(1.5, True, "Relapse"), (1.5, False, None), (9.0, True, "Death")])))["dfs"]
    assert range_cell(fit) == "1.5+ to 9.0"  # as the follow-up range of the results: censored at the minimum


def test_no_responders_or_no_endpoint_is_not_shown():
    assert duration_of_response(_group("T", [])) is None  # no dfs rows: no responder
    other = _group("T", MADE_UP)
    assert duration_of_response(Group("T", other.subjects, other.time_to_event.assign(endpoint="os"), None,
                                      Analysis())) is None
    named = Group("T", other.subjects, other.time_to_event.assign(endpoint="dor"), None,
                  Analysis(duration_of_response="dor"))
    assert duration_of_response(named).endpoint == "dor" and duration_of_response(named).n == 6
    assert not shown({"duration_of_response": None}) and shown(_made_up_ledger())


@pytest.fixture(scope="module")
def s1318() -> dict:
    from report.blocks.ledger import results
    from report.inputs.trial import load_trial

    return results(load_trial(None)).to_dict()


def test_s1318_estimates_are_the_ledger_survival_part(s1318):
    part, fit = s1318["duration_of_response"], s1318["survival"]["dfs"]
    assert part["endpoint"] == "dfs" and part["n"] == fit["n"] == s1318["tte_summary"]["dfs"]["n"]
    assert part["events"]["count"] == fit["events"] and part["ongoing"]["count"] == fit["censored"]
    rows = {row.label: row.cells[-1] for row in table(s1318).rows}
    assert rows["Median duration, months (95% CI)"] == median_cell(fit["median"])
    assert rows["Median duration, months (95% CI)"].startswith(f"{fit['median']['estimate']:.1f} (")
    assert rows["Range, months"] == range_cell(fit) == f"{fit['min_time']:.1f} to {fit['max_time']:.1f}+"
    for mark in fit["landmarks"]:
        cell = rows[f"Still in response at {mark['time']:g} months (95% CI)"]
        assert cell == landmark_cell(mark) and cell.startswith(f"{100 * mark['survival']:.1f}% (")
    note = view(s1318).note
    assert "log(\u2212log)" in note and "Kaplan-Meier" in note and "+: censored" in note
    assert not BLOCK.open_safe


def test_ard_carries_the_part(s1318):
    part = s1318["duration_of_response"]
    stats = {(s.variable, s.variable_level, s.stat_name): s.stat for s in ard(part, s1318)}
    assert stats["dfs", "responders", "N"] == part["n"]
    assert stats["dfs", "event", "n"] == part["events"]["count"]
    assert stats["dfs", "event: Relapse", "n"] == part["event_types"]["Relapse"]["count"]
    assert stats["dfs", "ongoing", "p"] == part["ongoing"]["proportion"]
    assert ard(None, s1318) == []


def _random_copy(tmp_path: Path, extra: str) -> Path:
    text = (RANDOM / "trial.toml").read_text(encoding="utf-8").replace(
        'path = "../../../../../shared/data/random-cdisc"', f'path = "{DATA}"')
    text = text.replace('responders = ["CR", "PR"]\n', 'responders = ["CR", "PR"]\n' + extra)
    text += '\n[[adam.endpoints]]\nparamcd = "CRSD"\nname = "dor"\norigin = "response"\n'
    (tmp_path / "trial.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_random_cdisc_not_shown_then_by_arm_from_the_xpt_files(tmp_path):
    needs.require("public-data")
    plain_ledger = report.analyze(report.load_trial(RANDOM)).to_dict()
    assert plain_ledger["duration_of_response"] is None and not shown(plain_ledger)  # no dfs in ADaM

    ledger = report.analyze(report.load_trial(_random_copy(tmp_path, 'duration_of_response = "dor"\n'))).to_dict()
    adtte, _ = pyreadstat.read_xport(str(DATA / "adtte.xpt"))
    adsl, _ = pyreadstat.read_xport(str(DATA / "adsl.xpt"))
    crsd = adtte.loc[adtte["PARAMCD"] == "CRSD", ["USUBJID", "CNSR", "EVNTDESC"]].merge(adsl[adsl["ITTFL"] == "Y"][["USUBJID", "ARM"]], on="USUBJID")
    for arm in ledger["arms"]:
        part, mine = ledger["by_arm"][arm]["duration_of_response"], crsd[crsd["ARM"] == arm]
        assert part["n"] == len(mine) and part["ongoing"]["count"] == int((mine["CNSR"] == 1).sum())
        assert {k: v["count"] for k, v in part["event_types"].items()} == \
            mine.loc[mine["CNSR"] == 0, "EVNTDESC"].value_counts().to_dict()
    rows = table(ledger).rows
    assert table(ledger).columns == (*ledger["arms"], "Total") and all(len(r.cells) == 4 for r in rows)
    median = {r.label: r.cells for r in rows}["Median duration, months (95% CI)"]
    assert median == tuple(median_cell(s["dor"]["median"]) for s in
                           [*(ledger["by_arm"][a]["survival"] for a in ledger["arms"]), ledger["survival"]])


def test_an_endpoint_the_trial_lacks_is_refused_with_exit_2(tmp_path):
    needs.require("public-data")
    folder = _random_copy(tmp_path, 'duration_of_response = "dfs"\n')
    with pytest.raises(InputError) as error:
        report.load_trial(folder)
    assert "analysis.duration_of_response: 'dfs' is not an endpoint of this trial (its endpoints: os, pfs, dor)" \
        in str(error.value.problems[0])
    result = run_cli("analyze", str(folder))
    assert result.returncode == 2 and "analysis.duration_of_response" in result.stderr
    assert "Traceback" not in result.stderr


R_DOR = """
suppressMessages({{library(survival); library(haven)}})
adsl <- read_xpt("{data}/adsl.xpt"); adtte <- read_xpt("{data}/adtte.xpt")
d <- merge(adtte[adtte$PARAMCD == "CRSD", c("USUBJID", "AVAL", "CNSR")], adsl[adsl$ITTFL == "Y", c("USUBJID", "ARM")])
d$time <- d$AVAL / 30.4375; d$event <- 1 - d$CNSR
for (a in c(sort(unique(d$ARM)), "Total")) {{
  x <- if (a == "Total") d else d[d$ARM == a, ]
  f <- survfit(Surv(time, event) ~ 1, data = x, conf.type = "log-log")
  q <- quantile(f, c(.25, .5, .75))
  s <- summary(f, times = 6)
  cat(a, sprintf("%.17g", c(nrow(x), sum(x$event), q$quantile, q$lower, q$upper, s$surv, s$lower, s$upper,
                            min(x$time), max(x$time))), sep = "|"); cat("\\n")
}}
"""


def test_random_cdisc_duration_of_response_equals_r(tmp_path):
    """Each arm's and the total's responders, events and Kaplan-Meier figures of the table
    against R's survfit on ADTTE's CRSD read from the XPT files by haven."""
    import subprocess
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "validation"))
    from rsupport import mismatches, require_r

    needs.require("public-data")
    rscript = require_r()
    ledger = report.analyze(report.load_trial(_random_copy(tmp_path, 'duration_of_response = "dor"\n'))).to_dict()
    out = subprocess.run([rscript, "--vanilla", "-e", R_DOR.format(data=DATA)], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    lines = [line.split("|") for line in out.splitlines() if line]
    assert [line[0] for line in lines] == [*ledger["arms"], "Total"]
    pairs = []
    for column, *values in lines:
        group = ledger if column == "Total" else ledger["by_arm"][column]
        part, fit = group["duration_of_response"], group["survival"]["dor"]
        quantiles = [fit["quartiles"]["25"], fit["median"], fit["quartiles"]["75"]]
        mine = [part["n"], part["events"]["count"], *(q["estimate"] for q in quantiles),
                *(q["ci_low"] for q in quantiles), *(q["ci_high"] for q in quantiles),
                fit["landmarks"][0]["survival"], fit["landmarks"][0]["ci_low"], fit["landmarks"][0]["ci_high"],
                fit["min_time"], fit["max_time"]]
        theirs = [None if v == "NA" else float(v) for v in values]
        assert len(mine) == len(theirs)
        pairs += [(f"{column} #{i}", a, b) for i, (a, b) in enumerate(zip(mine, theirs))]
    assert mismatches(pairs) == []
