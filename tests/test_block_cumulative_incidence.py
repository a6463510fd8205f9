"""The cumulative incidence block (report/blocks/tables/cumulative_incidence.py): relapse with
death in remission competing, for responders, by hand on a tiny two-arm trial; the table,
its note and ard.csv; not collected where relapse dates are absent; the S1318 example's
relapse incidence against R's survfit and cmprsk::cuminc, run live."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

import report
from report.blocks.catalogue import BLOCKS
from report.blocks.tables.cumulative_incidence import BLOCK, ard, relapse_rows, table, view
from report.inputs import derive

ROOT = Path(__file__).resolve().parents[1]
SPEC = """
[trial]
id = "T-CIR"
title = "Two arms, relapse and death in remission"

[study]
population = "Adults"
background = "Background."

[analysis]
responders = ["CR"]
arms = ["A", "B"]
time_unit = "days"
landmarks = [10, 25]
"""
HEAD = ["subject_id", "arm", "enrolled_on", "treated", "best_response", "response_on", "relapse_on", "died_on",
        "last_contact_on"]
# Responders' times from response (1 Jan 2020): A: P1 relapse day 10, P2 death day 20 (competing),
# P3 censored day 30; B: P4 relapse day 5, P5 relapse day 15 then death (relapse counts), P6 censored day 40.
# P7 (A) did not respond: not in the analysis.
PATIENTS = [
    ["P1", "A", "2019-12-01", "true", "CR", "2020-01-01", "2020-01-11", "", "2020-03-01"],
    ["P2", "A", "2019-12-01", "true", "CR", "2020-01-01", "", "2020-01-21", "2020-01-21"],
    ["P3", "A", "2019-12-01", "true", "CR", "2020-01-01", "", "", "2020-01-31"],
    ["P4", "B", "2019-12-01", "true", "CR", "2020-01-01", "2020-01-06", "", "2020-03-01"],
    ["P5", "B", "2019-12-01", "true", "CR", "2020-01-01", "2020-01-16", "2020-02-01", "2020-02-01"],
    ["P6", "B", "2019-12-01", "true", "CR", "2020-01-01", "", "", "2020-02-10"],
    ["P7", "A", "2019-12-01", "true", "NR", "", "", "2020-01-05", "2020-01-05"],
]


def _trial(folder: Path, rows=PATIENTS, head=HEAD) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "trial.toml").write_text(SPEC, encoding="utf-8")
    with (folder / "subjects.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([head, *rows])
    return folder


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> dict:
    return report.analyze(report.load_trial(_trial(tmp_path_factory.mktemp("cir")))).to_dict()


def test_responders_run_from_response_to_relapse_or_death_in_remission(tmp_path):
    trial = report.load_trial(_trial(tmp_path))
    rows = relapse_rows(trial.subjects, ["CR"])
    assert rows["days"].tolist() == [10, 20, 30, 5, 15, 40] and rows["status"].tolist() == [1, 2, 0, 1, 1, 0]


def test_the_estimates_by_hand(ledger):
    total = ledger["cumulative_incidence"]["relapse"]
    assert (total["n"], total["events"], total["competing_events"], total["conf_type"]) == (6, 3, 1, "log")
    # Aalen-Johansen, all six: day 5 relapse 1/6; day 10 relapse, S(10-) = 5/6, 5 at risk: + 5/6 * 1/5;
    # day 15 relapse, S = 4/6, 4 at risk: + 4/6 * 1/4; so by day 10: 2/6, by day 25: 3/6 (day 20 is a death).
    assert [m["estimate"] for m in total["landmarks"]] == pytest.approx([2 / 6, 3 / 6], abs=1e-15)
    assert [m["n_at_risk"] for m in total["landmarks"]] == [5, 2]  # times >= 10: P1, P2, P3, P5, P6; >= 25: P3, P6
    arm_a = ledger["by_arm"]["A"]["cumulative_incidence"]["relapse"]
    assert [m["estimate"] for m in arm_a["landmarks"]] == pytest.approx([1 / 3, 1 / 3], abs=1e-15)
    assert arm_a["gray"] is None and total["gray"]["df"] == 1 and 0 < total["gray"]["p_value"] <= 1
    death = [p for p in total["curve"] if p["competing"]]
    assert [(p["time"], p["competing_estimate"]) for p in death] == [(20.0, pytest.approx(3 / 6 * 1 / 3))]


def test_the_table_and_its_note(ledger):
    laid = view(ledger)
    assert laid.table.columns == ("A", "B", "Total")
    rows = {row.label: row.cells for row in laid.table.rows}
    assert rows["Patients"] == ("3", "3", "6")
    assert rows["Relapse"] == ("1 (33.3%)", "2 (66.7%)", "3 (50.0%)")
    assert rows["Death in remission (competing event)"] == ("1 (33.3%)", "0", "1 (16.7%)")
    assert rows["At 10 days, % (95% CI)"][2].startswith("33.3 (") and rows["At 25 days, % (95% CI)"][2].startswith("50.0 (")
    gray = ledger["cumulative_incidence"]["relapse"]["gray"]["p_value"]
    assert rows["Gray's test, p"] == ("", "", report.layout.wording.p_value(gray))
    assert "Aalen-Johansen" in laid.note and "Gray's test" in laid.note and "log scale" in laid.note


def test_the_ard_rows_carry_the_ledgers_numbers(ledger):
    part = ledger["cumulative_incidence"]
    stats = {(s.variable_level, s.stat_name): s.stat for s in ard(part, ledger)}
    for mark in part["relapse"]["landmarks"]:
        level = f"{mark['time']:g} days"
        assert (stats[level, "estimate"], stats[level, "conf.low"], stats[level, "n.risk"]) == \
            (mark["estimate"], mark["ci_low"], mark["n_at_risk"])
    assert stats["", "p.value"] == part["relapse"]["gray"]["p_value"] and stats["", "n.competing"] == 1


def test_without_relapse_dates_it_is_not_collected_and_not_shown(tmp_path):
    head = [c for c in HEAD if c != "relapse_on"]
    rows = [[v for c, v in zip(HEAD, row) if c != "relapse_on"] for row in PATIENTS]
    ledger = report.analyze(report.load_trial(_trial(tmp_path, rows, head))).to_dict()
    assert ledger["cumulative_incidence"] is None and not BLOCK.shown(ledger, None)


def test_the_block_is_in_the_catalogue_and_not_open_safe():
    assert BLOCKS["cumulative_incidence"] is BLOCK and not BLOCK.open_safe


def test_the_s1318_relapse_incidence_equals_r(tmp_path):
    from validation.rsupport import TOL, run_r  # noqa: PLC0415  (R is required: tests/needs.py)

    trial = report.load_trial(report.resources.bundled_trial("s1318"))
    ledger = report.analyze(trial).to_dict()
    rows = relapse_rows(trial.subjects, trial.spec.analysis.responders)
    path = tmp_path / "relapse.csv"
    np.savetxt(path, np.c_[rows["days"] / derive.DAYS_PER_UNIT["months"], rows["status"]], delimiter=",",
               header="time,status", comments="", fmt="%.17g")
    out = run_r(f"""suppressMessages(library(survival))
d <- read.csv("{path}")
s <- summary(survfit(Surv(time, factor(status, 0:2)) ~ 1, data = d), times = c(6, 12))
cat(sprintf("%.17g", c(s$pstate[, 2], s$lower[, 2], s$upper[, 2], s$n.risk[, 1])), "\\n")""")
    r = [float(v) for v in out.split()]
    marks = ledger["cumulative_incidence"]["relapse"]["landmarks"]
    ours = [m["estimate"] for m in marks] + [m["ci_low"] for m in marks] + [m["ci_high"] for m in marks] + \
        [m["n_at_risk"] for m in marks]
    assert ours == pytest.approx(r, abs=TOL)
    assert (ledger["cumulative_incidence"]["relapse"]["events"], ledger["cumulative_incidence"]["relapse"]["n"]) == \
        (int((rows["status"] == 1).sum()), len(rows))


def test_an_endpoint_with_competing_event_types_has_its_incidence(tmp_path):
    from test_endpoints_input import _trial as endpoints_trial

    ledger = report.analyze(report.load_trial(endpoints_trial(tmp_path))).to_dict()
    rfs = ledger["cumulative_incidence"]["rfs"]
    # P1 relapse at day 112, P5 censored at 213, P2 death in remission (competing) at 304, P3 censored at the cutoff
    # (306); P4 starts after the cutoff. Relapse: 1/4 from day 112. Death in remission: S(304-) = 3/4, 2 at risk: 3/8.
    assert (rfs["n"], rfs["events"], rfs["competing_events"]) == (4, 1, 1)
    assert rfs["landmarks"][0]["estimate"] == pytest.approx(0.25, abs=1e-15)  # 6 months
    assert rfs["landmarks"][1]["estimate"] is None  # 12 months: past the last follow-up (10 months)
    competing = [p["competing_estimate"] for p in rfs["curve"] if p["competing"]]
    assert competing == [pytest.approx(3 / 8, abs=1e-15)]
    assert (rfs["event"], rfs["competing_event"], rfs["origin"]) == ("Relapse-free interval", "death in remission",
                                                                    "remission")
    assert "efs" not in ledger["cumulative_incidence"]  # no competing type: Kaplan-Meier only
    assert [row.label for row in table(ledger).rows][0] == "Cumulative incidence: Relapse-free interval (patients in remission)"


def test_the_figure_draws_each_arm_and_gray_p(ledger):
    from report.blocks.tables.cumulative_incidence import figures

    drawn = figures(ledger)
    assert list(drawn) == ["cif-relapse"] and drawn == figures(ledger)
    gray = ledger["cumulative_incidence"]["relapse"]["gray"]["p_value"]
    assert f"{gray:.3f}"[:4] in drawn["cif-relapse"] and view(ledger).figures[0][0] == "cif-relapse"
