"""The swimmer plot block (report/blocks/tables/swimmer.py): one lane per patient of the
efficacy population with its marks, checked against the S1318 subjects file; ongoing where
alive and not off study; left out past MAX_PATIENTS; drawn with a lane per patient."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import report
from report.blocks.tables import swimmer as block
from report.inputs.derive import DAYS_PER_UNIT


@pytest.fixture(scope="module")
def ledger() -> dict:
    return report.analyze(report.load_trial(None)).to_dict()


def test_each_lane_is_a_patients_time_on_study_with_the_marks_of_the_subjects_file(ledger):
    s = pd.read_csv(report.resources.bundled_trial("s1318") / "subjects.csv", dtype=str)
    s = s[(s["eligible"] == "true") & (s["treated"] == "true")].set_index("subject_id")
    part = ledger["swimmer"]
    assert part["patients"] == len(s) == len(part["lanes"]) and part["time_unit"] == "months"
    for lane in part["lanes"]:
        row = s.loc[lane["subject"]]
        start = dt.date.fromisoformat(row["enrolled_on"])
        last = max(dt.date.fromisoformat(d) for d in (row["last_contact_on"], row["died_on"]) if isinstance(d, str))
        assert lane["end"] == pytest.approx((last - start).days / DAYS_PER_UNIT["months"], abs=1e-12)
        kinds = {m["kind"] for m in lane["marks"]}
        assert kinds == {k for c, k in block.MARKS if isinstance(row[c], str)}
        assert lane["ongoing"] == (not isinstance(row["died_on"], str) and not isinstance(row["off_study_on"], str))
    assert ledger["by_arm"] == {} or all(p.get("swimmer") is None for p in ledger["by_arm"].values())


def test_the_figure_has_a_lane_per_patient(ledger):
    svg = block.figures(ledger)["swimmer"]
    import re

    assert len(set(re.findall(r"swimmer-lane-\d+", svg))) == len(ledger["swimmer"]["lanes"])
    assert block.shown(ledger, None) and "29 patients" in block.view(ledger).caption


def test_past_the_limit_the_plot_is_left_out(monkeypatch):
    monkeypatch.setattr(block, "MAX_PATIENTS", 10)
    ledger = report.analyze(report.load_trial(None)).to_dict()
    assert ledger["swimmer"]["lanes"] is None and not block.shown(ledger, None)


def test_no_lane_to_draw_leaves_the_plot_out(ledger):
    """The CDISC pilot's efficacy population has no last-contact or death date: no empty figure
    of "each of the 0 patients"."""
    empty = {**ledger, "swimmer": {**ledger["swimmer"], "lanes": [], "patients": 0}}
    assert block.shown(ledger, None) and not block.shown(empty, None)
