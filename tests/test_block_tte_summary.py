"""The time-to-event summary block (TTET01; report/blocks/tables/tte_summary.py): events by
type and censored patients by reason, counted by hand from the S1318 subjects file and from
random-cdisc's ADTTE (EVNTDESC, CNSDTDSC); a cutoff that censors later events says so; the
Kaplan-Meier rows are the ledger's; ard.csv carries the counts."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

import report
from report.blocks.tables.tte_summary import BLOCK, NOT_RECORDED, ard, table
from report.inputs.cutoff import CUTOFF_REASON

ROOT = Path(__file__).resolve().parents[1]
RANDOM = ROOT / "tests" / "fixtures" / "adam" / "random-cdisc"
DATA = ROOT.parent / "shared" / "data" / "random-cdisc"


def _counts(part: dict) -> dict[str, int]:
    return {k: v["count"] for k, v in part.items()}


def test_s1318_events_by_type_counted_from_the_subjects_file():
    trial = report.load_trial(None)
    ledger = report.analyze(trial).to_dict()
    s = pd.read_csv(report.resources.bundled_trial("s1318") / "subjects.csv", dtype=str)
    evaluable = s[(s["eligible"] == "true") & (s["treated"] == "true")]
    os_ = ledger["tte_summary"]["os"]
    assert os_["n"] == len(evaluable) and _counts(os_["event_types"]) == {"Death": int(evaluable["died_on"].notna().sum())}
    responders = evaluable[evaluable["best_response"].isin(["CR", "CRi"])]
    relapse_first = responders["relapse_on"].notna() & ~(responders["died_on"] < responders["relapse_on"])
    death_first = responders["died_on"].notna() & ~relapse_first
    dfs = ledger["tte_summary"]["dfs"]
    assert _counts(dfs["event_types"]) == {"Relapse": int(relapse_first.sum()), "Death": int(death_first.sum())}
    assert dfs["censored"]["count"] == len(responders) - int(relapse_first.sum()) - int(death_first.sum())
    assert dfs["censor_reasons"] is None  # tidy data give no reason: not collected, no row
    rows = {row.label: row.cells for row in table(ledger).rows}
    assert rows["Relapse"] == (f"{int(relapse_first.sum())} ({100 * relapse_first.sum() / len(responders):.1f}%)",)
    assert rows["Rate at 6 months (95% CI)"][0].startswith("68.4% (")  # DFS, the ledger's landmark


def test_random_cdisc_types_and_reasons_equal_the_adtte_descriptions():
    ledger = report.analyze(report.load_trial(RANDOM)).to_dict()
    adtte, _ = pyreadstat.read_xport(str(DATA / "adtte.xpt"))
    adsl, _ = pyreadstat.read_xport(str(DATA / "adsl.xpt"))
    pfs = adtte[(adtte["PARAMCD"] == "PFS") & adtte["USUBJID"].isin(adsl.loc[adsl["ITTFL"] == "Y", "USUBJID"])]
    part = ledger["tte_summary"]["pfs"]
    assert _counts(part["event_types"]) == pfs.loc[pfs["CNSR"] == 0, "EVNTDESC"].value_counts().to_dict()
    assert _counts(part["censor_reasons"]) == pfs.loc[pfs["CNSR"] == 1, "CNSDTDSC"].value_counts().to_dict()
    arm = ledger["by_arm"]["B: Placebo"]["tte_summary"]["pfs"]
    mine = pfs[pfs["USUBJID"].isin(adsl.loc[adsl["ARM"] == "B: Placebo", "USUBJID"])]
    assert arm["events"]["count"] == int((mine["CNSR"] == 0).sum())


def test_an_earlier_cutoff_censors_later_events_and_says_so():
    ledger = report.analyze(report.load_trial(RANDOM, cutoff="2020-06-30")).to_dict()
    reasons = ledger["tte_summary"]["os"]["censor_reasons"]
    assert reasons[CUTOFF_REASON]["count"] > 0


def test_ard_rows_and_the_declaration():
    ledger = report.analyze(report.load_trial(None)).to_dict()
    stats = {(s.variable, s.variable_level, s.stat_name): s.stat for s in ard(ledger["tte_summary"], ledger)}
    assert stats["dfs", "event: Relapse", "n"] == ledger["tte_summary"]["dfs"]["event_types"]["Relapse"]["count"]
    assert stats["os", "censored", "N"] == ledger["tte_summary"]["os"]["n"]
    assert not BLOCK.open_safe and NOT_RECORDED == "Type not recorded"
