"""The laboratory shift block (report/blocks/tables/labs_shift.py): shifts computed by hand on
a tiny trial (derived and flagged baselines, first dose from exposure), "No data", "Not
collected", input problems, the ADaM example against counts from the XPT file, ard.csv rows
equal to the ledger, and a summary that asks for it."""
from __future__ import annotations

import csv
import dataclasses
import shutil
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

import report
from report.analysis import group as groups
from report.blocks.tables.labs_shift import BLOCK, GRADES, MISSING_BASELINE, ard, labs_shift, table
from report.errors import InputError
from report.layout.collected import NOT_COLLECTED
from report.layout.formatting import MISSING
from test_ledger_parts import restricted

ROOT = Path(__file__).resolve().parents[1]
ADAM_EXAMPLE = ROOT / "data" / "adam-example"
SPEC = """
[trial]
id = "T-LABS"
title = "Two arms and their laboratory results"

[study]
population = "Adults"
background = "Background."

[analysis]
responders = ["CR"]

[analysis.labs]
tests = ["ANC", "PLT", "HGB"]
"""
SUBJECTS = [
    ["subject_id", "arm", "enrolled_on", "treated", "best_response", "died_on", "last_contact_on"],
    ["P1", "A", "2020-01-01", "true", "NR", "", "2020-06-30"],
    ["P2", "A", "2020-01-01", "true", "NR", "", "2020-06-30"],
    ["P3", "A", "2020-01-01", "true", "NR", "", "2020-06-30"],
    ["P4", "B", "2020-01-01", "true", "NR", "", "2020-06-30"],
    ["P5", "B", "2020-01-01", "true", "NR", "", "2020-06-30"],
    ["P6", "B", "2020-01-01", "false", "NR", "", "2020-06-30"],  # never treated: outside the safety population
]
LABS = [  # subject_id, test, collected_on, grade, baseline (the flag the second variant uses)
    ("P1", "ANC", "2019-12-28", 1, "true"),
    ("P1", "ANC", "2020-01-01", 0, "false"),  # derived baseline: the last on or before registration
    ("P1", "ANC", "2020-01-20", 3, "false"),
    ("P1", "ANC", "2020-02-10", 2, "false"),
    ("P2", "ANC", "2019-12-30", 2, "true"),
    ("P2", "ANC", "2020-01-15", 2, "false"),
    ("P3", "ANC", "2020-01-10", 4, "false"),  # no baseline: counted as missing, outside N
    ("P4", "ANC", "2020-01-01", 0, "false"),
    ("P4", "ANC", "2020-01-01", 1, "true"),  # two results on the baseline day: the worst is the baseline
    ("P4", "ANC", "2020-01-21", 1, "false"),
    ("P5", "ANC", "2019-12-31", 0, "true"),  # nothing after baseline: not in N
    ("P6", "ANC", "2020-01-01", 0, "true"),
    ("P6", "ANC", "2020-01-22", 4, "false"),
    ("P1", "PLT", "2020-01-01", 0, "true"),
    ("P1", "PLT", "2020-01-29", 0, "false"),
    ("P4", "PLT", "2019-12-20", 0, "true"),
    ("P4", "PLT", "2020-03-01", 3, "false"),
]


def _write(path: Path, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _folder(root: Path, flagged: bool = False, labs: list | None = None, spec: str = SPEC) -> Path:
    folder = root / ("flagged" if flagged else "derived")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "trial.toml").write_text(spec, encoding="utf-8")
    _write(folder / "subjects.csv", SUBJECTS)
    if flagged:
        rows = [("subject_id", "test", "collected_on", "grade", "baseline"), *(labs or LABS)]
    else:
        rows = [("subject_id", "test", "collected_on", "grade"), *(r[:4] for r in (labs or LABS))]
    _write(folder / "labs.csv", rows)
    return folder


def _ledger(folder: Path) -> dict:
    return report.analyze(report.load_trial(folder)).to_dict()


def _cells(shift: dict) -> dict[tuple[int, int], int]:
    """The non-zero cells: (baseline, worst) -> patients."""
    return {(int(b), int(w)): c["count"] for b, row in shift["shifts"].items() for w, c in row.items() if c["count"]}


def _missing(shift: dict) -> dict[int, int]:
    return {int(w): c for w, c in shift["missing_baseline"].items() if c}


@pytest.fixture(scope="module")
def derived(tmp_path_factory) -> dict:
    return _ledger(_folder(tmp_path_factory.mktemp("labs")))


def test_derived_baselines_shift_as_counted_by_hand(derived):
    total, a, b = derived["labs_shift"]["tests"], *(derived["by_arm"][arm]["labs_shift"]["tests"] for arm in "AB")
    # ANC: P1 0 -> 3, P2 2 -> 2, P4 1 -> 1 (worst of its baseline day); P3 no baseline, worst 4;
    # P5 nothing after baseline; P6 untreated
    assert (total["ANC"]["n"], _cells(total["ANC"]), _missing(total["ANC"])) == (3, {(0, 3): 1, (2, 2): 1, (1, 1): 1}, {4: 1})
    assert (a["ANC"]["n"], _cells(a["ANC"]), _missing(a["ANC"])) == (2, {(0, 3): 1, (2, 2): 1}, {4: 1})
    assert (b["ANC"]["n"], _cells(b["ANC"]), _missing(b["ANC"])) == (1, {(1, 1): 1}, {})
    assert (total["PLT"]["n"], _cells(total["PLT"])) == (2, {(0, 0): 1, (0, 3): 1})
    assert (a["PLT"]["n"], _cells(a["PLT"]), b["PLT"]["n"], _cells(b["PLT"])) == (1, {(0, 0): 1}, 1, {(0, 3): 1})
    assert total["ANC"]["shifts"]["0"]["3"]["proportion"] == 1 / 3 and a["ANC"]["shifts"]["2"]["2"]["proportion"] == 0.5
    assert total["HGB"] is None and a["HGB"] is None  # named in the spec, never in the data
    assert list(total) == ["ANC", "PLT", "HGB"]  # the spec's order


def test_flagged_baselines_are_taken_as_flagged(tmp_path):
    ledger = _ledger(_folder(tmp_path, flagged=True))
    anc = ledger["labs_shift"]["tests"]["ANC"]
    # P1's flagged baseline is grade 1 (28 Dec), P4's the grade 1 record; P5 has nothing after it
    assert (anc["n"], _cells(anc), _missing(anc)) == (3, {(1, 3): 1, (2, 2): 1, (1, 1): 1}, {4: 1})


def test_after_a_flagged_baseline_dated_after_registration_means_after_it(tmp_path):
    labs = [*(r for r in LABS if r[0] != "P2"), ("P2", "ANC", "2020-01-03", 4, "false"),
            ("P2", "ANC", "2020-01-05", 1, "true"), ("P2", "ANC", "2020-01-05", 3, "false"), ("P2", "ANC", "2020-01-09", 2, "false")]
    anc = _ledger(_folder(tmp_path, flagged=True, labs=labs))["labs_shift"]["tests"]["ANC"]
    # P2: baseline 1 (5 January); the grade 4 before it and the grade 3 of its day are not after it
    assert (anc["n"], _cells(anc)) == (3, {(1, 3): 1, (1, 2): 1, (1, 1): 1})


def test_a_patient_whose_records_flag_no_baseline_has_a_missing_baseline(tmp_path):
    labs = [r if r[0] != "P2" else (*r[:4], "false") for r in LABS]
    anc = _ledger(_folder(tmp_path, flagged=True, labs=labs))["labs_shift"]["tests"]["ANC"]
    assert (anc["n"], _missing(anc)) == (2, {2: 1, 4: 1})


def test_the_first_dose_is_the_reference_where_exposure_is_collected(tmp_path):
    trial = report.load_trial(_folder(tmp_path))
    exposure = pd.DataFrame({"subject_id": ["P2", "P4"], "start_on": [pd.Timestamp("2020-01-16").date(),
                                                                      pd.Timestamp("2020-01-02").date()]})
    group = dataclasses.replace(groups.total(trial), exposure=exposure)
    shift = labs_shift(group)
    assert labs_shift(restricted(group, BLOCK.compute.reads)) == shift  # reads only what it declares, exposure too
    anc = shift.tests["ANC"]
    # P2's result of 15 January is now its baseline (before the first dose), with nothing after it
    assert anc.n == 2 and anc.shifts["2"]["2"].count == 0 and anc.shifts["0"]["3"].count == 1


# ------------------------------------------------------------------ the table


def test_the_table_has_a_band_per_test_and_group(derived):
    laid = table(derived)
    assert laid.subcolumns == tuple(f"Grade {g}" for g in GRADES)
    heads = [row.label for row in laid.rows if row.kind == "group"]
    assert heads == ["ANC, A (N = 2)", "ANC, B (N = 1)", "ANC, Total (N = 3)", "PLT, A (N = 1)", "PLT, B (N = 1)",
                     "PLT, Total (N = 2)", "HGB: no results in the data"]
    rows = list(laid.rows)
    total = rows[heads.index("ANC, Total (N = 3)") * 7 + 1: heads.index("ANC, Total (N = 3)") * 7 + 7]
    assert [r.label for r in total] == [f"Baseline grade {g}" for g in GRADES] + [MISSING_BASELINE]
    assert total[0].cells == ("0", "0", "0", "1 (33.3%)", "0")
    assert total[5].cells == ("0", "0", "0", "0", "1")  # the missing baseline: counts, no percentage


def test_an_arm_without_a_patient_in_n_prints_no_percentage(tmp_path):
    labs = [r for r in LABS if not (r[0] == "P4" and r[1] == "PLT")]
    ledger = _ledger(_folder(tmp_path, labs=labs))
    rows = {row.label: i for i, row in enumerate(table(ledger).rows)}
    band = list(table(ledger).rows)[rows["PLT, B (N = 0)"] + 1: rows["PLT, B (N = 0)"] + 6]
    assert all(cell == MISSING for row in band for cell in row.cells)


def test_not_collected_is_said_never_zero(tmp_path):
    folder = _folder(tmp_path)
    (folder / "labs.csv").unlink()
    ledger = _ledger(folder)
    assert ledger["labs_shift"] is None and all(p["labs_shift"] is None for p in ledger["by_arm"].values())
    laid = table(ledger)
    assert [(row.label, row.cells) for row in laid.rows] == [("CTCAE grades", (NOT_COLLECTED,))]
    assert list(ard(ledger["labs_shift"], ledger)) == []


def test_the_spec_may_name_another_file_and_it_must_exist(tmp_path):
    folder = _folder(tmp_path)
    (folder / "labs.csv").rename(folder / "lab_results.csv")
    spec = SPEC + '\n[source]\nlabs = "lab_results.csv"\n'
    (folder / "trial.toml").write_text(spec, encoding="utf-8")
    assert _ledger(folder)["labs_shift"]["tests"]["ANC"]["n"] == 3
    (folder / "lab_results.csv").unlink()
    with pytest.raises(InputError, match="lab_results.csv: file not found"):
        report.load_trial(folder)


def test_without_tests_named_every_test_is_shown_by_name(tmp_path):
    ledger = _ledger(_folder(tmp_path, spec=SPEC.replace('tests = ["ANC", "PLT", "HGB"]', "")))
    assert list(ledger["labs_shift"]["tests"]) == ["ANC", "PLT"]


# ------------------------------------------------------------------ input problems


def test_every_bad_cell_is_a_problem_named_by_file_row_and_column(tmp_path):
    labs = [*LABS, ("P9", "ANC", "2020-01-05", 1, "false"), ("P1", "ANC", "2020-13-01", 1, "false"),
            ("P1", "ANC", "2020-02-01", 5, "false"), ("P1", "ANC", "2020-02-02", "", "false"),
            ("P1", "ANC", "2020-01-01", 0, "true"), ("P1", "", "2020-01-01", 0, "maybe")]
    folder = _folder(tmp_path, flagged=True, labs=labs)
    _write(folder / "subjects.csv", [*SUBJECTS, ["P7", "A", "not a date", "true", "NR", "", ""]])
    with pytest.raises(InputError) as caught:
        report.load_trial(folder)
    lines = [str(p) for p in caught.value.problems]
    assert any(line.startswith("subjects.csv, row 8, column enrolled_on") for line in lines)  # both files at once
    expected = [
        "labs.csv, row 20, column collected_on: '2020-13-01' is not a calendar date",
        "labs.csv, row 21, column grade: 5 is not a CTCAE grade of a laboratory result (0-4)",
        "labs.csv, row 22, column grade: a value is required",
        "labs.csv, row 23, column baseline: a second baseline record of 'ANC' for 'P1' (the first is row 2)",
        "labs.csv, row 24, column test: a value is required",
        "labs.csv, row 24, column baseline: 'maybe' is not true or false",
    ]
    for line in expected:
        assert line in lines, f"{line}\n--- found:\n" + "\n".join(lines)
    _write(folder / "subjects.csv", SUBJECTS)  # readable subjects: the unknown patient is found too
    with pytest.raises(InputError) as caught:
        report.load_trial(folder)
    lines = [str(p) for p in caught.value.problems]
    assert set(expected) < set(lines) and "labs.csv, row 19, column subject_id: 'P9' is not in the subjects file" in lines


def test_a_missing_column_is_a_problem(tmp_path):
    folder = _folder(tmp_path)
    _write(folder / "labs.csv", [("subject_id", "test", "collected_on"), ("P1", "ANC", "2020-01-01")])
    with pytest.raises(InputError, match="labs.csv, column grade: required column is missing"):
        report.load_trial(folder)


# ------------------------------------------------------------------ ADaM


def _hand_adlb(adlb: pd.DataFrame, adsl: pd.DataFrame, arm: str | None, test: str) -> tuple[int, dict, dict]:
    """N, the (baseline, worst) cells and the missing baselines of one test, from the XPT file."""
    safety = adsl[(adsl["SAFFL"] == "Y") & ((adsl["TRT01A"] == arm) if arm else True)]["USUBJID"]
    rows = adlb[(adlb["PARAMCD"] == test) & adlb["USUBJID"].isin(set(safety))]
    cells, missing = {}, {}
    for _, patient in rows.groupby("USUBJID"):
        base = patient[patient["ABLFL"] == "Y"]["ATOXGR"]
        post = patient[patient["ONTRTFL"] == "Y"]["ATOXGR"]
        if post.empty:
            continue
        worst = max(int(g) for g in post)
        if base.empty:
            missing[worst] = missing.get(worst, 0) + 1
        else:
            cells[(int(base.iloc[0]), worst)] = cells.get((int(base.iloc[0]), worst), 0) + 1
    return sum(cells.values()), cells, missing


def test_the_adam_example_equals_counts_from_the_xpt_file():
    adlb, _ = pyreadstat.read_xport(str(ADAM_EXAMPLE / "adlb.xpt"))
    adsl, _ = pyreadstat.read_xport(str(ADAM_EXAMPLE / "adsl.xpt"))
    ledger = _ledger(ADAM_EXAMPLE)
    assert list(ledger["labs_shift"]["tests"]) == ["NEUT", "PLAT", "ALT"]
    for arm in [None, *ledger["arms"]]:
        part = ledger["labs_shift"] if arm is None else ledger["by_arm"][arm]["labs_shift"]
        for test, shift in part["tests"].items():
            assert (shift["n"], _cells(shift), _missing(shift)) == _hand_adlb(adlb, adsl, arm, test), (arm, test)
    assert ledger["labs_shift"]["tests"]["NEUT"]["label"] == "Neutrophil count decreased"
    assert any(_missing(s) for s in ledger["labs_shift"]["tests"].values())  # the example has missing baselines


def test_adam_without_ablfl_takes_btoxgr(tmp_path):
    data = tmp_path / "trial"
    shutil.copytree(ADAM_EXAMPLE, data)
    adlb, _ = pyreadstat.read_xport(str(data / "adlb.xpt"))
    pyreadstat.write_xport(adlb.drop(columns=["ABLFL"]), str(data / "adlb.xpt"), table_name="ADLB")
    assert _ledger(data)["labs_shift"] == _ledger(ADAM_EXAMPLE)["labs_shift"]


def test_adam_bad_grades_and_unknown_patients_are_problems(tmp_path):
    data = tmp_path / "trial"
    shutil.copytree(ADAM_EXAMPLE, data)
    adlb, _ = pyreadstat.read_xport(str(data / "adlb.xpt"))
    adlb.loc[3, "ATOXGR"], adlb.loc[5, "USUBJID"] = "7", "EXMP-201-9999"
    pyreadstat.write_xport(adlb, str(data / "adlb.xpt"), table_name="ADLB")
    with pytest.raises(InputError) as caught:
        report.load_trial(data)
    lines = [str(p) for p in caught.value.problems]
    assert "adlb.xpt, row 4, column ATOXGR: '7' is not a CTCAE grade of a laboratory result (0-4)" in lines
    assert "adlb.xpt, row 6, column USUBJID: 'EXMP-201-9999' is not in ADSL" in lines


def test_adam_without_adlb_is_not_collected(tmp_path):
    data = tmp_path / "trial"
    shutil.copytree(ADAM_EXAMPLE, data)
    (data / "adlb.xpt").unlink()
    assert _ledger(data)["labs_shift"] is None


# ------------------------------------------------------------------ ard.csv and a report


def test_ard_rows_carry_the_ledger_numbers(derived):
    for part in [derived["labs_shift"], *(p["labs_shift"] for p in derived["by_arm"].values())]:
        stats = list(ard(part, derived))
        for test, shift in part["tests"].items():
            mine = [s for s in stats if s.group2_level == test]
            if shift is None:
                assert not mine
                continue
            assert {s.group2 for s in mine} == {"test"} and {s.variable for s in mine} == {"grade"}
            assert [(s.stat, s.context) for s in mine if s.stat_name == "N"] == [(shift["n"], "shift")]
            for b in GRADES:
                for w in GRADES:
                    cell = {s.stat_name: s.stat for s in mine if s.variable_level == f"{b} -> {w}"}
                    assert cell == {"n": shift["shifts"][b][w]["count"], "p": shift["shifts"][b][w]["proportion"]}
            for w in GRADES:
                cell = {s.stat_name: s.stat for s in mine if s.variable_level == f"Missing -> {w}"}
                assert cell == {"n": shift["missing_baseline"][w]}


def test_a_summary_that_asks_for_it_shows_it(tmp_path):
    folder = _folder(tmp_path)
    spec = folder / "trial.toml"
    spec.write_text(spec.read_text(encoding="utf-8") + '\n[report.summary]\nblocks = ["masthead", "labs_shift", "methods"]\n',
                    encoding="utf-8")
    bundle = report.build(report.load_trial(folder), kind="summary", formats=("html",), out=tmp_path / "out", encrypt=False)
    html = next(p for p in bundle.files if p.suffix == ".html").read_text(encoding="utf-8")
    section = html.split('<section id="labs_shift">')[1].split("</section>")[0]
    assert "ANC, Total (N = 3)" in section and "<td>1 (33.3%)</td>" in section and "HGB: no results in the data" in section
    assert html.index('id="labs_shift"') < html.index('id="methods"')
    assert not BLOCK.open_safe


def test_an_adlb_found_by_default_without_grades_is_not_collected_one_named_is_a_problem(tmp_path):
    data = tmp_path / "trial"
    shutil.copytree(ADAM_EXAMPLE, data)
    adlb, _ = pyreadstat.read_xport(str(data / "adlb.xpt"))
    pyreadstat.write_xport(adlb.drop(columns=["ATOXGR"]), str(data / "adlb.xpt"), table_name="ADLB")
    assert _ledger(data)["labs_shift"] is None
    spec = data / "trial.toml"
    spec.write_text(spec.read_text(encoding="utf-8") + '\n[adam.labs]\ndataset = "adlb"\n', encoding="utf-8")
    with pytest.raises(InputError, match="adlb.xpt, column ATOXGR: variable not found; the mapping \\[adam\\] labs.grade"):
        report.load_trial(data)


def test_a_file_without_rows_holds_no_results_said_so(tmp_path):
    folder = _folder(tmp_path, spec=SPEC.replace('tests = ["ANC", "PLT", "HGB"]', ""))
    _write(folder / "labs.csv", [("subject_id", "test", "collected_on", "grade")])
    ledger = _ledger(folder)
    assert ledger["labs_shift"] == {"tests": {}}  # collected, and none: not "not collected"
    assert [row.label for row in table(ledger).rows] == ["Laboratory tests: no results in the data"]


def test_validate_exits_2_naming_the_labs_problem(tmp_path):
    from conftest import run_cli

    folder = _folder(tmp_path, labs=[*LABS, ("P1", "ANC", "2020-02-01", 9, "false")])
    result = run_cli("validate", str(folder))
    assert result.returncode == 2, result.stderr
    assert "labs.csv, row 19, column grade: 9 is not a CTCAE grade of a laboratory result (0-4)" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
