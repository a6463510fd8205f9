"""The demographic table (DMT01): its statistics against values computed by hand, the spec
section and its problems (exit 2 naming the key or the file, row and column), the default
(age and sex), the layout ("-" for a column of no patients, a heading per variable, the
footnotes) and its rows of ard.csv against the ledger. R: tests/validation/test_demographics_vs_r.py;
the pilot's Table 14-2.01: tests/test_demographics_pilot.py."""
from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import special

import report
from conftest import run_cli
from report.blocks.block import Context
from report.blocks.catalogue import BLOCKS
from report.blocks.tables.demographics import grouped
from report.errors import InputError
from report.inputs.spec import load_spec
from report.stats.summary_statistics import quantile, summary
from report.stats.fisher import MAX_STEPS, FisherTooLarge, fisher_p_value
from report.stats.group_tests import anova, chisq, kruskal

ROOT = Path(__file__).resolve().parents[1]
BLOCK = BLOCKS["demographics"]
SPEC = """
[trial]
id = "T-DM"
title = "Demographics"

[study]
population = "Adults"
background = "Background."

[analysis]
responders = ["CR"]
arms = ["A", "B", "C"]
"""
SECTION = """
[analysis.demographics]
population = "safety"

[[analysis.demographics.variables]]
column = "age"
label = "Age"
kind = "continuous"

[[analysis.demographics.variables]]
column = "weight"
label = "Weight"
kind = "continuous"
test = "kruskal"

[[analysis.demographics.variables]]
column = "weight"
name = "weight_group"
label = "Weight group"
kind = "categorical"
cuts = [60, 80]
groups = ["<60", "60-<80", ">=80"]

[[analysis.demographics.variables]]
column = "stage"
label = "Stage"
kind = "categorical"
levels = ["III", "II", "I"]
labels = { I = "Stage I" }
test = "fisher"
"""
HEADER = ["subject_id", "arm", "enrolled_on", "treated", "best_response", "died_on", "last_contact_on", "age", "weight", "stage"]
ROWS = [  # arm C: no patient treated (no one in the safety population)
    ["P1", "A", "2021-01-01", "true", "NR", "", "2022-01-01", "50", "55.5", "I"],
    ["P2", "A", "2021-01-01", "true", "NR", "", "2022-01-01", "60", "60", "II"],
    ["P3", "A", "2021-01-01", "true", "NR", "", "2022-01-01", "70", "", "I"],
    ["P4", "B", "2021-01-01", "true", "NR", "", "2022-01-01", "65", "80", "III"],
    ["P5", "B", "2021-01-01", "true", "NR", "", "2022-01-01", "75", "90", ""],
    ["P6", "B", "2021-01-01", "false", "NR", "", "2022-01-01", "99", "99", "I"],
    ["P7", "C", "2021-01-01", "false", "NR", "", "2022-01-01", "40", "70", "II"],
]


def trial_folder(tmp_path: Path, section: str = SECTION, rows=ROWS, header=HEADER) -> Path:
    folder = tmp_path / "trial"
    folder.mkdir(exist_ok=True)
    (folder / "trial.toml").write_text(SPEC + section, encoding="utf-8")
    with (folder / "subjects.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])
    return folder


@pytest.fixture()
def ledger(tmp_path) -> dict:
    return report.analyze(report.load_trial(trial_folder(tmp_path))).to_dict()


# ------------------------------------------------------------------ statistics by hand


def test_descriptive_statistics_by_hand():
    d = summary([1.0, None, 2.0, 3.0, 4.0, float("nan")])  # the shared report.stats.summary_statistics
    assert (d.n, d.mean, d.median, d.min, d.max) == (4, 2.5, 2.5, 1.0, 4.0)
    assert d.sd == pytest.approx(math.sqrt(5 / 3), abs=1e-12)
    assert (d.q1, d.q3) == pytest.approx((1.75, 3.25))  # type 7: 1 + 0.75 (2 - 1)
    d2 = summary([4, 3, 2, 1], quantile_type=2)
    assert (d2.q1, d2.q3) == (1.5, 3.5)  # type 2: np = 1 is whole, so the mean of the 1st and 2nd
    assert quantile(np.array([1.0, 2, 3, 4, 10]), 0.25, 2) == 2.0  # np = 1.25: the 2nd
    assert summary([7.0]).sd is None and summary([]).mean is None


def test_tests_by_hand():
    f = anova([np.array([1.0, 2, 3]), np.array([4.0, 5, 6]), np.array([])])
    assert (f.statistic, f.parameter, f.df_residual) == pytest.approx((13.5, 1, 4))
    assert f.p_value == pytest.approx(special.fdtrc(1, 4, 13.5), abs=1e-15)
    h = kruskal([np.array([1.0, 2]), np.array([3.0, 4])])
    assert (h.statistic, h.parameter) == pytest.approx((2.4, 1))  # 12/20 (9/2 + 49/2) - 15
    x = chisq(np.array([[10, 20, 0], [30, 40, 0]]))  # an empty column is dropped, as R's table() has none
    assert x.statistic == pytest.approx(4 / 12 + 4 / 18 + 4 / 28 + 4 / 42, abs=1e-12) and x.parameter == 1
    assert fisher_p_value([[3, 0], [1, 4]]) == pytest.approx(8 / 56, abs=1e-15)  # (4 + 4) / C(8, 3)
    assert anova([np.array([1.0, 1]), np.array([1.0, 1])]) is None  # no variation: R's F is NaN
    assert anova([np.array([1.0, 2])]) is None and kruskal([np.array([1.0])]) is None
    assert chisq(np.array([[3], [4]])) is None and fisher_p_value([[3, 4]]) is None  # one category: no test


def test_fisher_refuses_a_table_too_large_naming_the_limit():
    with pytest.raises(FisherTooLarge, match=f"{MAX_STEPS:,}"):
        fisher_p_value(np.full((5, 6), 60))


def test_groups_are_closed_on_the_left():
    assert grouped([64, 65, 80, 80.5, 81, None], [65, 81], ["<65", "65-80", ">80"]) == \
        ["<65", "65-80", "65-80", "65-80", ">80", None]


# ------------------------------------------------------------------ the part


def test_the_part_counts_the_population_by_column(ledger):
    total, a, c = ledger["demographics"], ledger["by_arm"]["A"]["demographics"], ledger["by_arm"]["C"]["demographics"]
    assert (total["n"], a["n"], c["n"], total["population"]) == (5, 3, 0, "safety")
    weight = total["variables"]["weight"]
    assert (weight["n"], weight["missing"]["count"], weight["description"]["mean"]) == (4, 1, (55.5 + 60 + 80 + 90) / 4)
    groups = {g["level"]: g["share"]["count"] for g in total["variables"]["weight_group"]["categories"]}
    assert groups == {"<60": 1, "60-<80": 1, ">=80": 2}
    stage = total["variables"]["stage"]
    assert [(s["level"], s["label"], s["share"]["count"]) for s in stage["categories"]] == \
        [("III", "III", 1), ("II", "II", 1), ("I", "Stage I", 2)]
    assert stage["categories"][2]["share"]["proportion"] == 2 / 5  # of the column's N, the missing included
    assert stage["missing"]["count"] == 1
    # the tests are in the total's part only
    assert ledger["by_arm"]["A"]["demographics"]["variables"]["age"]["comparison"] is None
    assert total["variables"]["age"]["comparison"]["test"] == "anova"
    assert total["variables"]["weight"]["comparison"]["test"] == "kruskal"
    assert total["variables"]["stage"]["comparison"]["p_value"] == pytest.approx(fisher_p_value([[2, 1, 0], [0, 0, 1]]))
    assert c["variables"]["age"]["description"]["mean"] is None


def test_the_table_has_a_heading_per_variable_and_dashes_for_no_patients(ledger):
    view = BLOCK.view(ledger, Context("summary"))
    assert view.table.columns == ("A", "B", "C", "Total", "p-value")
    assert view.table.counts == ("N = 3", "N = 2", "N = 0", "N = 5", "")
    assert [s[0].label for s in view.sections] == ["Age", "Weight", "Weight group", "Stage"]
    stage = {r.label: r.cells for r in view.sections[3]}
    assert stage["Stage I"] == ("2 (66.7%)", "0", "-", "2 (40.0%)", "")
    assert stage["Missing"] == ("0", "1 (50.0%)", "-", "1 (20.0%)", "")
    assert [r.label for r in view.sections[0]] == ["Age", "n", "Mean (SD)", "Median", "Q1, Q3", "Min, Max"]
    notes = " ".join(view.notes)
    assert "safety population (N = 5)" in notes and "Kruskal-Wallis" in notes and "Fisher's exact test" in notes
    assert "type 7" in notes and "closed on the left" in notes


def test_ard_rows_carry_the_ledger_numbers(ledger):
    for part in (ledger["demographics"], ledger["by_arm"]["A"]["demographics"]):
        rows = list(BLOCK.ard(part, ledger))
        by = {(r.variable, r.variable_level, r.context, r.stat_name): r.stat for r in rows}
        for key, v in part["variables"].items():
            assert by[(v["column"], "", v["kind"], "N")] == part["n"]
            if v["kind"] == "continuous":
                for stat, name in (("mean", "mean"), ("sd", "sd"), ("p25", "q1"), ("p75", "q3"), ("min", "min")):
                    assert by[(v["column"], "", "continuous", stat)] == v["description"][name]
            else:
                for c in v["categories"]:
                    assert by[(v["column"], c["level"], "categorical", "n")] == c["share"]["count"]
                    assert by[(v["column"], c["level"], "categorical", "p")] == c["share"]["proportion"]
            if v["comparison"]:
                assert by[(v["column"], v["comparison"]["test"], "comparison", "p.value")] == v["comparison"]["p_value"]
    empty = {(r.variable, r.stat_name): r for r in BLOCK.ard(ledger["by_arm"]["C"]["demographics"], ledger)
             if r.variable_level == "I"}
    assert empty["stage", "p"].stat is None and empty["stage", "p"].stat_fmt == "-"  # N = 0, as the table prints it
    assert any(r.context == "comparison" for r in BLOCK.ard(ledger["demographics"], ledger))
    assert not any(r.context == "comparison" for r in BLOCK.ard(ledger["by_arm"]["A"]["demographics"], ledger))


def test_without_the_section_age_and_sex_where_collected(tmp_path):
    ledger = report.analyze(report.load_trial()).to_dict()  # S1318
    assert list(ledger["demographics"]["variables"]) == ["age", "sex"]
    assert all(v["comparison"] is None for v in ledger["demographics"]["variables"].values())  # one arm: no test
    view = BLOCK.view(ledger, Context("summary"))
    assert view.table.columns == ("Total",) and not any("p-values" in note for note in view.notes)
    assert ledger["demographics"]["population"] == "enrolled"
    rows = [r[:7] for r in ROWS]
    bare = report.analyze(report.load_trial(trial_folder(tmp_path, "", rows, HEADER[:7]))).to_dict()
    assert bare["demographics"] is None
    assert BLOCK.view(bare, Context("summary")).not_collected == "Not collected"


def test_the_adam_example_reads_adsl_columns_by_name():
    ledger = report.analyze(report.load_trial(ROOT / "data" / "adam-example")).to_dict()
    age = ledger["demographics"]["variables"]["age"]
    assert age["description"]["n"] == ledger["demographics"]["n"]
    rows = list(BLOCK.ard(ledger["demographics"], ledger))
    from report.layout.ard import source_name
    # named as in the source: methods.variables maps age to AGE (where the ledger has the map)
    assert {r.variable for r in rows} == {source_name(ledger, "age"), source_name(ledger, "sex")}
    mapped = {**ledger, "methods": {**ledger["methods"], "variables": {"age": "AGE", "sex": "SEX"}}}
    assert {r.variable for r in BLOCK.ard(ledger["demographics"], mapped)} == {"AGE", "SEX"}


# ------------------------------------------------------------------ problems


def test_an_unknown_column_is_exit_2_naming_the_key_and_the_columns(tmp_path):
    folder = trial_folder(tmp_path, SECTION.replace('column = "stage"', 'column = "stadium"'))
    for command in (["validate", str(folder)], ["build", str(folder), "--out", str(tmp_path / "out")]):
        result = run_cli(*command)
        assert result.returncode == 2, result.stderr
        assert "analysis.demographics.variables.3.column: 'stadium' is not a column of subjects.csv" in result.stderr
        assert "weight, stage" in result.stderr and "Traceback" not in result.stderr


def test_an_unknown_adsl_variable_names_the_key_and_the_variables(tmp_path):
    folder = tmp_path / "adam"
    folder.mkdir()
    text = (ROOT / "data" / "adam-example" / "trial.toml").read_text(encoding="utf-8")
    data = (ROOT / "data" / "adam-example").resolve()
    (folder / "trial.toml").write_text(text + '\n[analysis.demographics]\n[[analysis.demographics.variables]]\n'
                                       'column = "BMIBL"\nkind = "continuous"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        report.load_trial(folder, data=data)
    message = str(caught.value)
    assert "analysis.demographics.variables.0.column: 'BMIBL' is not a column of adsl" in message
    assert "USUBJID" in message


def test_a_number_that_is_not_one_names_file_row_and_column(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[1][8] = "sixty"
    rows[3][7] = "n/a"
    with pytest.raises(InputError) as caught:
        report.load_trial(trial_folder(tmp_path, rows=rows))
    problems = [str(p) for p in caught.value.problems]
    assert "subjects.csv, row 3, column weight: 'sixty' is not a number" in problems
    assert any(p.startswith("subjects.csv, row 5, column age") for p in problems)


@pytest.mark.parametrize("variable,message", [
    ('column = "age"\nkind = "continuous"\ncuts = [50]', 'give kind = "categorical"'),
    ('column = "age"\nkind = "categorical"\ncuts = [50, 40]', "strictly ascending"),
    ('column = "age"\nkind = "categorical"\ncuts = [50]\ngroups = ["a"]', "groups names 1 groups; 1 cuts make 2"),
    ('column = "age"\nkind = "continuous"\ntest = "fisher"', "'fisher' is not for a continuous variable"),
    ('column = "stage"\nkind = "categorical"\ntest = "anova"', "'anova' is not for a categorical variable"),
    ('column = "age"\nkind = "numeric"', "analysis.demographics.variables.0.kind"),
])
def test_spec_problems_name_the_key(tmp_path, variable, message):
    folder = trial_folder(tmp_path, f"\n[analysis.demographics]\n[[analysis.demographics.variables]]\n{variable}\n")
    with pytest.raises(InputError) as caught:
        load_spec(folder)
    assert message in str(caught.value) and "analysis.demographics.variables.0" in str(caught.value)


def test_a_repeated_ledger_key_is_refused(tmp_path):
    section = '\n[analysis.demographics]\n[[analysis.demographics.variables]]\ncolumn = "age"\nkind = "continuous"\n' \
              '[[analysis.demographics.variables]]\ncolumn = "age"\nkind = "categorical"\ncuts = [50]\n'
    with pytest.raises(InputError, match="repeat the ledger key age"):
        load_spec(trial_folder(tmp_path, section))


def test_not_open_safe_and_on_the_summary_and_closed_pages_only():
    from report.kinds.kind import DSMB_CLOSED, DSMB_OPEN, SUMMARY
    assert not BLOCK.open_safe
    assert "demographics" in SUMMARY.blocks and "demographics" in DSMB_CLOSED.blocks
    assert "demographics" not in DSMB_OPEN.blocks
    assert "demographics" not in DSMB_OPEN.valid()


def test_a_table_too_large_for_fisher_is_an_input_problem_naming_the_variable(tmp_path):
    section = '\n[analysis.demographics]\n[[analysis.demographics.variables]]\ncolumn = "stage"\nkind = "categorical"\n' \
              'test = "fisher"\n'
    rows = [[f"P{i}", "ABC"[i % 3], "2021-01-01", "true", "NR", "", "2022-01-01", "60", "70", "I II III".split()[(i * 7) % 3]]
            for i in range(600)]
    trial = report.load_trial(trial_folder(tmp_path, section, rows))
    with pytest.raises(InputError, match=r"analysis\.demographics\.variables\.0\.test: stage: .*use the chi-square test"):
        report.analyze(trial)
