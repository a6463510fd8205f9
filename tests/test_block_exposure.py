"""The exposure block (EXT01; report/blocks/tables/exposure.py) and its input (tidy exposure.csv,
ADaM ADEX): figures computed by hand on a tiny trial, counts from the ADaM example's XPT
files, "not collected", the table, the ard rows, and bad input named by file, row and column."""
from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

import report
from report.blocks.tables.exposure import BLOCK, NO_RECORD, NO_RECORD_OF, ard, table, view
from report.errors import InputError
from report.layout.collected import NOT_COLLECTED

ROOT = Path(__file__).resolve().parents[1]
ADAM_EXAMPLE = ROOT / "data" / "adam-example"
SPEC = """
[trial]
id = "T-EXPOSURE"
title = "A tiny trial with exposure"

[study]
population = "Adults"
background = "Background."

[analysis]
responders = ["CR"]
"""
SUBJECTS = [
    ["subject_id", "arm", "enrolled_on", "treated", "best_response", "died_on", "last_contact_on"],
    ["P1", "A", "2019-12-30", "true", "NR", "", "2021-01-01"],
    ["P2", "A", "2020-02-28", "true", "NR", "", "2021-01-01"],
    ["P3", "A", "2020-01-01", "false", "NR", "", "2021-01-01"],  # not treated: outside the safety population
    ["P4", "B", "2020-01-05", "true", "NR", "", "2021-01-01"],
    ["P5", "B", "2020-01-05", "true", "NR", "", "2021-01-01"],  # treated, no exposure record
]
EXPOSURE = [
    ["subject_id", "cycle", "start_on", "end_on", "dose", "planned_dose", "action"],
    ["P1", "1", "2020-01-01", "2020-01-21", "100", "100", ""],
    ["P1", "2", "2020-01-22", "2020-02-11", "75", "100", "Reduced"],
    ["P1", "3", "2020-02-19", "", "50", "100", "delayed; INTERRUPTED"],  # no end: ends on its start
    ["P2", "1", "2020-03-01", "2020-03-21", "100", "100", "none"],
    ["P4", "1", "2020-01-10", "2020-01-30", "80", "80", ""],
    ["P4", "1", "2020-01-17", "2020-01-17", "80", "80", ""],  # a second administration in cycle 1
    ["P4", "2", "2020-02-01", "2020-02-21", "40", "", "none"],  # no planned dose: not in the intensity
]


def _write(folder: Path, name: str, rows: list[list[str]]) -> None:
    with (folder / name).open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _trial(tmp_path: Path, exposure=EXPOSURE, subjects=SUBJECTS) -> Path:
    folder = tmp_path / "trial"
    folder.mkdir(exist_ok=True)
    (folder / "trial.toml").write_text(SPEC, encoding="utf-8")
    _write(folder, "subjects.csv", subjects)
    if exposure is not None:
        _write(folder, "exposure.csv", exposure)
    return folder


@pytest.fixture()
def ledger(tmp_path) -> dict:
    return report.analyze(report.load_trial(_trial(tmp_path))).to_dict()


def _share(count: int, n: int) -> dict:
    return {"count": count, "proportion": count / n}


def test_the_figures_equal_figures_worked_by_hand(ledger):
    total = ledger["exposure"]
    assert total["n"] == 4 and total["with_records"] == 3  # P1, P2, P4, P5 treated; P5 without a record
    assert total["cycles"] == {"0": _share(1, 4), "1": _share(1, 4), "2": _share(1, 4), "3": _share(1, 4)}
    assert list(total["cycles"]) == ["0", "1", "2", "3"]
    cycles = total["cycles_summary"]  # 3, 1, 2 distinct cycles
    assert (cycles["n"], cycles["mean"], cycles["sd"], cycles["median"]) == (3, 2.0, 1.0, 2.0)
    assert (cycles["q1"], cycles["q3"], cycles["min"], cycles["max"]) == (1.5, 2.5, 1.0, 3.0)
    # duration, inclusive: P1 1 Jan - 19 Feb = 50 days, P2 1-21 Mar = 21, P4 10 Jan - 21 Feb = 43
    days = total["duration_days"]
    assert (days["n"], days["mean"], days["median"], days["min"], days["max"]) == (3, 38.0, 43.0, 21.0, 50.0)
    assert days["sd"] == pytest.approx(math.sqrt(((50 - 38) ** 2 + (21 - 38) ** 2 + (43 - 38) ** 2) / 2), abs=1e-12)
    assert (days["q1"], days["q3"]) == (32.0, 46.5)  # R quantile type 7: 21 + (43 - 21)/2, 43 + (50 - 43)/2
    assert total["duration_to"] == "end"
    # intensity: P1 225/300, P2 100/100, P4 160/160 (its cycle 2 has no planned dose)
    intensity = total["dose_intensity"]
    assert intensity["n"] == 3 and intensity["mean"] == pytest.approx(2.75 / 3, abs=1e-15)
    assert (intensity["median"], intensity["q1"], intensity["min"]) == (1.0, 0.875, 0.75)
    assert total["modifications"] == {"any": _share(1, 4), "interrupted": _share(1, 4), "reduced": _share(1, 4),
                                      "delayed": _share(1, 4)}


def test_each_arm_counts_its_own_safety_population(ledger):
    a, b = ledger["by_arm"]["A"]["exposure"], ledger["by_arm"]["B"]["exposure"]
    assert a["n"] == 2 and a["cycles"] == {"1": _share(1, 2), "3": _share(1, 2)}  # P3 untreated
    assert b["n"] == 2 and b["cycles"] == {"0": _share(1, 2), "2": _share(1, 2)}
    assert b["modifications"]["any"] == _share(0, 2) and b["duration_days"]["sd"] is None  # one patient: no SD


def test_the_table_and_its_note(ledger):
    laid = view(ledger)
    assert laid.table.columns == ("A", "B", "Total") and laid.table.counts == ("N = 2", "N = 2", "N = 4")
    rows = {row.label: row.cells for row in laid.table.rows}
    assert rows[NO_RECORD] == ("0", "1 (50.0%)", "1 (25.0%)")
    means = [row.cells for row in laid.table.rows if row.label == "Mean (SD)"]  # cycles, duration, intensity
    assert [cells[2] for cells in means] == ["2.0 (1.0)", f"38.0 ({math.sqrt(229):.1f})", "91.7 (14.4)"]
    assert means[0][1] == "2.0 (\u2014)"  # one patient in arm B: no SD
    assert rows["Interrupted"] == ("1 (50.0%)", "0", "1 (25.0%)")
    labels = [row.label for row in laid.table.rows]
    assert labels.index("Treatment duration, days") < labels.index("Relative dose intensity, %")
    assert "quantile type 7" in laid.note and "last end" in laid.note


def test_the_ard_rows_carry_the_ledgers_numbers(ledger):
    for part in [ledger["exposure"], *(p["exposure"] for p in ledger["by_arm"].values())]:
        rows = {(r.variable, r.variable_level, r.stat_name): r for r in ard(part, ledger)}
        for level, share in part["cycles"].items():
            assert rows["cycle", level, "n"].stat == share["count"] and rows["cycle", level, "N"].stat == part["n"]
            assert rows["cycle", level, "p"].stat == share["proportion"]
        for key, name in (("mean", "mean"), ("sd", "sd"), ("median", "median"), ("q1", "p25"), ("q3", "p75"),
                          ("min", "min"), ("max", "max"), ("n", "n")):
            assert rows["treatment_duration_days", "", name].stat == part["duration_days"][key]
            assert rows["relative_dose_intensity", "", name].stat == part["dose_intensity"][key]
        assert rows["action", "reduced", "n"].stat == part["modifications"]["reduced"]["count"]
        assert {r.context for r in rows.values()} == {"categorical", "continuous"}


# ------------------------------------------------------------------ not collected


def test_no_exposure_file_is_not_collected(tmp_path):
    ledger = report.analyze(report.load_trial(_trial(tmp_path, exposure=None))).to_dict()
    assert ledger["exposure"] is None and all(p["exposure"] is None for p in ledger["by_arm"].values())
    rows = view(ledger).table.rows
    assert [(row.label, set(row.cells)) for row in rows] == [("Exposure to treatment", {NOT_COLLECTED})]
    assert ard(None, ledger) == []


def test_the_s1318_example_counts_its_cycles_and_without_the_file_says_not_collected(tmp_path):
    ledger = report.analyze(report.load_trial()).to_dict()
    raw = pd.read_csv(report.resources.bundled_trial("s1318") / "exposure.csv")
    assert ledger["exposure"]["with_records"] == raw["subject_id"].nunique() == 29
    assert list(ledger["exposure"]["by_treatment"]) == ["Blinatumomab", "POMP maintenance"]
    for name, part in ledger["exposure"]["by_treatment"].items():
        per_patient = raw[raw["treatment"] == name].groupby("subject_id")["cycle"].nunique()
        assert part["with_records"] == len(per_patient)
        bands = per_patient.map(lambda c: str(c) if c < 10 else "10+").value_counts()
        assert {k: v["count"] for k, v in part["cycles"].items() if k != "0"} == {str(k): int(v) for k, v in bands.items()}
    pomp = ledger["exposure"]["by_treatment"]["POMP maintenance"]
    assert pomp["dose_intensity"] is None and pomp["modifications"] is None  # no dose to sum, no action recorded
    rows = [(row.label, row.cells) for row in table(ledger).rows]
    assert rows[-1] == ("Dose modifications", (NOT_COLLECTED,)) and ("Relative dose intensity, %", (NOT_COLLECTED,)) in rows
    assert "none of a treatment's records" in view(ledger).note
    unexposed = tmp_path / "s1318"
    shutil.copytree(report.resources.bundled_trial("s1318"), unexposed)
    (unexposed / "exposure.csv").unlink()
    without = report.analyze(report.load_trial(unexposed)).to_dict()
    assert without["exposure"] is None and "not collected" in view(without).note


def test_columns_the_file_lacks_are_not_collected_not_zero(tmp_path):
    narrow = [row[:3] for row in EXPOSURE]  # subject_id, cycle, start_on
    ledger = report.analyze(report.load_trial(_trial(tmp_path, exposure=narrow))).to_dict()
    total = ledger["exposure"]
    assert total["dose_intensity"] is None and total["modifications"] is None and total["duration_to"] == "start"
    assert total["duration_days"]["max"] == 50.0  # P1: 1 Jan to the start of cycle 3, 19 Feb
    rows = {row.label: row.cells for row in table(ledger).rows}
    assert set(rows["Relative dose intensity, %"]) == {NOT_COLLECTED} and set(rows["Dose modifications"]) == {NOT_COLLECTED}
    assert "first to the last start" in view(ledger).note


# ------------------------------------------------------------------ bad input


def test_every_problem_is_named_at_once_with_the_subjects_problems(tmp_path):
    bad = [EXPOSURE[0],
           ["P1", "0", "2020-01-01", "", "", "", ""],
           ["P9", "1", "2020-01-01", "", "", "", ""],
           ["P2", "1", "2020-03-01", "2020-02-01", "-5", "", "paused"],
           ["P2", "x", "2020-13-01", "", "", "", "reduced;held"]]
    subjects = [*SUBJECTS, ["P1", "A", "2020-01-01", "true", "NR", "", "2021-01-01"]]  # P1 repeated
    with pytest.raises(InputError) as error:
        report.load_trial(_trial(tmp_path, exposure=bad, subjects=subjects))
    found = {(p.file, p.row, p.column) for p in error.value.problems}
    assert ("subjects.csv", 7, "subject_id") in found
    assert {("exposure.csv", 2, "cycle"), ("exposure.csv", 4, "end_on"),
            ("exposure.csv", 4, "dose"), ("exposure.csv", 4, "action"), ("exposure.csv", 5, "cycle"),
            ("exposure.csv", 5, "start_on"), ("exposure.csv", 5, "action")} <= found
    messages = {(p.row, p.column): p.message for p in error.value.problems if p.file == "exposure.csv"}
    assert "'paused' is not an action" in messages[4, "action"] and "'held'" in messages[5, "action"]


def test_a_patient_not_in_the_subjects_file_is_named(tmp_path):
    with pytest.raises(InputError) as error:
        report.load_trial(_trial(tmp_path, exposure=[*EXPOSURE, ["P9", "1", "2020-01-01", "", "", "", ""]]))
    assert [str(p) for p in error.value.problems] == [
        f"exposure.csv, row {len(EXPOSURE) + 1}, column subject_id: 'P9' is not in the subjects file"]


def test_a_named_exposure_file_must_exist(tmp_path):
    folder = _trial(tmp_path, exposure=None)
    (folder / "trial.toml").write_text(SPEC + '\n[source]\nexposure = "cycles.csv"\n', encoding="utf-8")
    with pytest.raises(InputError, match="cycles.csv: file not found"):
        report.load_trial(folder)


# ------------------------------------------------------------------ the ADaM example


def test_the_adam_example_counts_equal_counts_from_the_xpt_files():
    adsl, _ = pyreadstat.read_xport(str(ADAM_EXAMPLE / "adsl.xpt"))
    adex, _ = pyreadstat.read_xport(str(ADAM_EXAMPLE / "adex.xpt"))
    ledger = report.analyze(report.load_trial(ADAM_EXAMPLE)).to_dict()
    for name, rows in {"Total": adsl, **dict(tuple(adsl.groupby("TRT01A")))}.items():
        part = ledger["exposure"] if name == "Total" else ledger["by_arm"][name]["exposure"]
        safety = rows.loc[rows["SAFFL"] == "Y", "USUBJID"]
        ex = adex[adex["USUBJID"].isin(safety)]
        cycles = ex.groupby("USUBJID")["AVISITN"].nunique()
        assert part["n"] == len(safety) and part["with_records"] == len(cycles)
        assert part["cycles_summary"]["mean"] == pytest.approx(cycles.mean(), abs=1e-12)
        days = (pd.to_datetime(ex["AENDT"]).groupby(ex["USUBJID"]).max()
                - pd.to_datetime(ex["ASTDT"]).groupby(ex["USUBJID"]).min()).dt.days + 1
        assert part["duration_days"]["median"] == pytest.approx(days.median(), abs=1e-12)
        sums = ex.groupby("USUBJID")[["EXDOSE", "EXPLDOS"]].sum()
        assert part["dose_intensity"]["mean"] == pytest.approx((sums["EXDOSE"] / sums["EXPLDOS"]).mean(), abs=1e-12)
        reduced = ex.loc[ex["EXACTN"].str.contains("REDUCED"), "USUBJID"].nunique()
        assert part["modifications"]["reduced"]["count"] == reduced
        assert part["modifications"]["any"]["count"] == ex.loc[ex["EXACTN"] != "", "USUBJID"].nunique()


def test_an_adex_without_the_action_variable_is_not_collected(tmp_path):
    data = tmp_path / "adam"
    shutil.copytree(ADAM_EXAMPLE, data)
    adex, _ = pyreadstat.read_xport(str(data / "adex.xpt"))
    pyreadstat.write_xport(adex.drop(columns=["EXACTN", "EXPLDOS"]), str(data / "adex.xpt"), table_name="ADEX")
    ledger = report.analyze(report.load_trial(data)).to_dict()
    assert ledger["exposure"]["modifications"] is None and ledger["exposure"]["dose_intensity"] is None
    assert ledger["exposure"]["cycles_summary"]["n"] == 88


def test_an_adex_value_that_is_not_an_action_is_named(tmp_path):
    data = tmp_path / "adam"
    shutil.copytree(ADAM_EXAMPLE, data)
    adex, _ = pyreadstat.read_xport(str(data / "adex.xpt"))
    adex.loc[3, "EXACTN"] = "HELD"
    adex.loc[5, "AVISITN"] = 0.0
    pyreadstat.write_xport(adex, str(data / "adex.xpt"), table_name="ADEX")
    with pytest.raises(InputError) as error:
        report.load_trial(data)
    assert {(p.file, p.row, p.column) for p in error.value.problems} == {("adex.xpt", 4, "EXACTN"),
                                                                         ("adex.xpt", 6, "AVISITN")}


def test_the_block_is_declared_as_a_table():
    assert BLOCK.id == "exposure" and not BLOCK.open_safe and BLOCK.ard is ard


def test_an_arm_without_treated_patients_prints_a_dash_not_a_percentage(tmp_path):
    subjects = [*SUBJECTS, ["P6", "C", "2020-01-05", "false", "NR", "", "2021-01-01"]]
    ledger = report.analyze(report.load_trial(_trial(tmp_path, subjects=subjects))).to_dict()
    arm_c = ledger["by_arm"]["C"]["exposure"]
    assert arm_c["n"] == 0 and arm_c["cycles"] == {} and arm_c["duration_days"]["mean"] is None
    assert arm_c["modifications"]["any"] == {"count": 0, "proportion": None}
    laid = table(ledger)
    assert laid.columns[2] == "C" and laid.counts[2] == "N = 0"
    rows = [(row.label, row.cells[2]) for row in laid.rows]
    assert ("Any modification", "-") in rows and ("1", "-") in rows and ("Mean (SD)", "\u2014 (\u2014)") in rows
    stats = {(r.variable, r.variable_level, r.stat_name): r for r in ard(arm_c, ledger)}
    assert stats["action", "any", "p"].stat is None and stats["action", "any", "p"].stat_fmt == "-"


# ------------------------------------------------------------------ several treatments

TREATED = [["subject_id", "treatment", "cycle", "start_on", "end_on", "dose", "planned_dose", "action"],
           # maintenance first in the file: the bands follow the first start, not the file
           ["P1", "Maintenance", "1", "2020-03-01", "2020-03-28", "", "", ""],
           ["P1", "Maintenance", "2", "2020-03-29", "2020-04-10", "", "", "delayed"],
           ["P4", " Maintenance ", "1", "2020-03-15", "2020-04-11", "10", "20", ""],
           *([row[0], "Induction", *row[1:]] for row in EXPOSURE[1:])]


@pytest.fixture()
def treated(tmp_path) -> dict:
    return report.analyze(report.load_trial(_trial(tmp_path, exposure=TREATED))).to_dict()


def test_several_treatments_are_summarised_each_on_its_own(treated, ledger):
    total = treated["exposure"]
    assert set(total) == {"n", "with_records", "duration_days", "duration_to", "by_treatment"}
    assert (total["n"], total["with_records"], total["duration_to"]) == (4, 3, "end")
    # any treatment: P1 1 Jan - 10 Apr 2020 = 31 + 29 + 31 + 10 = 101 days, P2 21, P4 10 Jan - 11 Apr = 22 + 29 + 31 + 11 = 93
    days = total["duration_days"]
    assert (days["n"], days["median"], days["min"], days["max"]) == (3, 93.0, 21.0, 101.0)
    assert days["mean"] == pytest.approx(215 / 3, abs=1e-12) and (days["q1"], days["q3"]) == (57.0, 97.0)
    assert list(total["by_treatment"]) == ["Induction", "Maintenance"]
    assert total["by_treatment"]["Induction"] == ledger["exposure"]  # the rows of the one-treatment trial
    kept = total["by_treatment"]["Maintenance"]
    assert kept["with_records"] == 2 and kept["cycles"] == {"0": _share(2, 4), "1": _share(1, 4), "2": _share(1, 4)}
    cycles = kept["cycles_summary"]  # P1 2 courses, P4 1
    assert (cycles["mean"], cycles["median"], cycles["q1"], cycles["q3"]) == (1.5, 1.5, 1.25, 1.75)
    assert cycles["sd"] == pytest.approx(math.sqrt(0.5), abs=1e-15)
    # P1 1 Mar - 10 Apr = 41 days, P4 15 Mar - 11 Apr = 28
    assert (kept["duration_days"]["mean"], kept["duration_days"]["min"], kept["duration_days"]["max"]) == (34.5, 28.0, 41.0)
    assert kept["dose_intensity"]["n"] == 1 and kept["dose_intensity"]["mean"] == 0.5  # P4 10/20; P1 no dose
    assert kept["modifications"] == {"any": _share(1, 4), "interrupted": _share(0, 4), "reduced": _share(0, 4),
                                     "delayed": _share(1, 4)}
    arm_b = treated["by_arm"]["B"]["exposure"]["by_treatment"]["Maintenance"]
    assert arm_b["cycles"] == {"0": _share(1, 2), "1": _share(1, 2)}  # P5 has no record
    assert arm_b["modifications"] is None  # P4's maintenance record names no action
    induction_b = treated["by_arm"]["B"]["exposure"]["by_treatment"]["Induction"]
    assert induction_b["modifications"]["any"] == _share(0, 2)  # P4's "none": recorded, no modification


def test_several_treatments_are_a_band_each_and_the_note_says_so(treated):
    laid = view(treated)
    labels = [row.label for row in laid.table.rows]
    assert labels[0] == "Treatment duration, any treatment, days"
    induction, maintenance = labels.index("Induction"), labels.index("Maintenance")
    assert induction < maintenance and NO_RECORD not in labels
    band = {row.label: row for row in laid.table.rows[maintenance:]}
    assert band[NO_RECORD_OF].cells == ("1 (50.0%)", "1 (50.0%)", "2 (50.0%)") and band[NO_RECORD_OF].kind == "nested"
    assert band["Cycles started, n (%)"].kind == "indent"
    # arm B's maintenance records (P4) name no action: not collected there, not 0
    assert band["Delayed"].cells == ("1 (50.0%)", NOT_COLLECTED, "1 (25.0%)")
    assert [row.kind for row in laid.table.rows if row.label == "Maintenance"] == ["group"]
    assert "several treatments" in laid.note and "Relative dose intensity" in laid.note
    assert "none of a treatment's records" in laid.note  # arm B's maintenance records name no action


def test_a_treatment_whose_records_name_no_action_has_modifications_not_collected(tmp_path):
    quiet = [[*row[:7], "" if row[1].strip() == "Maintenance" else row[7]] for row in TREATED]
    ledger = report.analyze(report.load_trial(_trial(tmp_path, exposure=quiet))).to_dict()
    parts = ledger["exposure"]["by_treatment"]
    assert parts["Maintenance"]["modifications"] is None and parts["Induction"]["modifications"]["any"] == _share(1, 4)
    # every band of every column with an action and a dose: P4's maintenance delayed, P1's dosed
    acted = [[*row[:7], "delayed" if row[0] == "P4" and row[1].strip() == "Maintenance" else row[7]] for row in TREATED]
    acted = [[*row[:5], "10", "10", row[7]] if row[:2] == ["P1", "Maintenance"] else row for row in acted]
    (tmp_path / "each").mkdir()
    each = report.analyze(report.load_trial(_trial(tmp_path / "each", exposure=acted))).to_dict()
    assert "none of a treatment's records" not in view(each).note


def test_several_treatments_ard_rows_carry_the_treatment_as_group2(treated):
    for part in [treated["exposure"], *(p["exposure"] for p in treated["by_arm"].values())]:
        stats = ard(part, treated)
        overall = {(r.variable, r.stat_name): r.stat for r in stats if not r.group2}
        assert overall == {("exposure_record", "n"): part["with_records"],
                           **{("treatment_duration_days", name): part["duration_days"][key] for key, name in
                              (("n", "n"), ("mean", "mean"), ("sd", "sd"), ("median", "median"), ("q1", "p25"),
                               ("q3", "p75"), ("min", "min"), ("max", "max"))}}
        for name, own in part["by_treatment"].items():
            rows = {(r.variable, r.variable_level, r.stat_name): r.stat for r in stats
                    if (r.group2, r.group2_level) == ("treatment", name)}
            assert rows == {("exposure_record", "any", "n"): own["with_records"],
                            **{(r.variable, r.variable_level, r.stat_name): r.stat for r in ard(own, treated)}}
            assert rows["cycles_per_patient", "", "mean"] == own["cycles_summary"]["mean"]


def test_one_named_treatment_is_the_table_of_today(tmp_path, ledger):
    named = [[*EXPOSURE[0], "treatment"], *([*row, "Drug X"] for row in EXPOSURE[1:])]
    alone = report.analyze(report.load_trial(_trial(tmp_path, exposure=named))).to_dict()
    assert alone["exposure"] == ledger["exposure"] and view(alone) == view(ledger)


def test_an_adex_with_two_treatments_in_extrt_gives_a_band_each(tmp_path):
    data = tmp_path / "adam"
    shutil.copytree(ADAM_EXAMPLE, data)
    adex, _ = pyreadstat.read_xport(str(data / "adex.xpt"))
    adex["EXTRT"] = ["EXAMPLINIB" if n % 2 else "CISPLATIN" for n in adex["AVISITN"]]
    pyreadstat.write_xport(adex, str(data / "adex.xpt"), table_name="ADEX")
    ledger = report.analyze(report.load_trial(data)).to_dict()
    by = ledger["exposure"]["by_treatment"]
    assert set(by) == {"EXAMPLINIB", "CISPLATIN"}
    safety = set(pyreadstat.read_xport(str(data / "adsl.xpt"))[0].query("SAFFL == 'Y'")["USUBJID"])
    odd = adex[adex["USUBJID"].isin(safety) & (adex["EXTRT"] == "EXAMPLINIB")]
    assert by["EXAMPLINIB"]["cycles_summary"]["mean"] == pytest.approx(odd.groupby("USUBJID")["AVISITN"].nunique().mean(),
                                                                        abs=1e-12)
    assert {r.group2 for r in ard(ledger["exposure"], ledger)} == {"", "EXTRT"}


def test_an_arm_not_given_one_of_the_trials_treatments_counts_it_as_none_given(tmp_path):
    induction_only_in_b = [row for row in TREATED if not (row[0] == "P4" and row[1].strip() == "Maintenance")]
    ledger = report.analyze(report.load_trial(_trial(tmp_path, exposure=induction_only_in_b))).to_dict()
    arm_b = ledger["by_arm"]["B"]["exposure"]
    assert list(arm_b["by_treatment"]) == ["Induction", "Maintenance"]  # the trial's treatments, in every arm
    none_given = arm_b["by_treatment"]["Maintenance"]
    assert none_given["with_records"] == 0 and none_given["cycles"] == {"0": _share(2, 2)}
    assert none_given["dose_intensity"]["n"] == 0  # nothing given is not "not collected"
    assert none_given["modifications"]["any"] == _share(0, 2)
    rows = view(ledger).table.rows
    maintenance = [row.label for row in rows].index("Maintenance")
    band = {row.label: row.cells for row in rows[maintenance:]}
    assert band[NO_RECORD_OF] == ("1 (50.0%)", "2 (100.0%)", "3 (75.0%)")
    assert NOT_COLLECTED not in band["Any modification"] and NOT_COLLECTED not in band["Relative dose intensity, %"]
