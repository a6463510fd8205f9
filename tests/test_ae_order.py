"""The order of adverse-event rows in every table by arm (report/layout/ae_order.py): organ classes
by patients in the total, most first, and within each its terms likewise, ties alphabetically (as
tern's AET02 sorts them); grade rows no patient has are left out; a zero count prints "0". A tiny
trial written here whose ties the ledger orders otherwise (by events, by grade 3 or higher)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import report
from report.blocks.tables import ae_soc_pt, ae_worst_grade
from report.layout.ae_order import by_incidence
from report.layout.dsmb_views import _soc_rows
from report.layout.tables import arm_tables

SPEC = """
[trial]
id = "T-ORDER"
title = "Two arms, ties in incidence"

[study]
population = "Adults"
background = "Background."

[analysis]
responders = ["CR"]
arms = ["A", "B"]
"""
ALPHA, BETA, GAMMA = "Alpha disorders", "Beta disorders", "Gamma disorders"
# Gamma: 3 patients. Alpha and Beta: 2 each, Beta with more events (the ledger puts it first).
# In Gamma, Eta and Zeta: 2 patients each, Zeta at grade 3 (the ledger puts it first).
EVENTS = [
    ("P1", "Zeta", GAMMA, 3), ("P2", "Zeta", GAMMA, 3),
    ("P3", "Eta", GAMMA, 1), ("P4", "Eta", GAMMA, 2),
    ("P1", "Itch", BETA, 1), ("P1", "Itch", BETA, 1), ("P1", "Itch", BETA, 2), ("P4", "Itch", BETA, 1),
    ("P2", "Ache", ALPHA, 1), ("P5", "Ache", ALPHA, 1),
]


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> dict:
    folder: Path = tmp_path_factory.mktemp("order") / "trial"
    folder.mkdir()
    (folder / "trial.toml").write_text(SPEC, encoding="utf-8")
    subjects = [(f"P{i}", "A" if i <= 3 else "B", "2020-01-01", "true", "NR", "", "2020-12-31") for i in range(1, 7)]
    pd.DataFrame(subjects, columns=["subject_id", "arm", "enrolled_on", "treated", "best_response", "died_on",
                                    "last_contact_on"]).to_csv(folder / "subjects.csv", index=False)
    pd.DataFrame([(s, term, soc, grade, "2020-02-01") for s, term, soc, grade in EVENTS],
                 columns=["subject_id", "term", "soc", "grade", "onset_on"]).to_csv(folder / "adverse_events.csv",
                                                                                   index=False)
    return report.analyze(report.load_trial(folder)).to_dict()


ORDER = ["Any adverse event", GAMMA, "Eta", "Zeta", ALPHA, "Ache", BETA, "Itch"]


def test_the_ledger_keeps_its_own_order(ledger):
    assert [s["soc"] for s in ledger["safety"]["socs"]] == [GAMMA, BETA, ALPHA]  # ties: most events first
    assert [t["term"] for t in ledger["safety"]["terms"]][:2] == ["Zeta", "Ache"]  # ties: most grade 3+ first


def test_the_soc_table_by_arm_sorts_by_incidence_ties_alphabetically(ledger):
    table = arm_tables(ledger)["soc_terms"]
    assert [row.label for row in table.rows] == ORDER
    assert dict((row.label, row.cells) for row in table.rows)["Ache"][:4] == ("1 (33.3%)", "1", "1 (33.3%)", "1")


def test_the_ae_soc_pt_table_sorts_the_same(ledger):
    assert [row.label for row in ae_soc_pt.table(ledger).table.rows] == ORDER


def test_the_worst_grade_table_by_arm_sorts_and_leaves_out_grades_nobody_has(ledger):
    rows = [(row.label, row.cells) for row in arm_tables(ledger)["worst_grade"].rows]
    assert [label for label, _ in rows] == ["Ache", "Grade 1-2", "Eta", "Grade 1-2", "Itch", "Grade 1-2",
                                            "Zeta", "Grade 3-4"]  # all four terms: 2 patients
    assert rows[7][1] == ("2 (66.7%)", "0", "2 (33.3%)")  # a zero count is "0", never "0 (0.0%)"


def test_the_graded_table_sorts_organ_classes_and_terms(ledger):
    labels = [row.label for row in ae_worst_grade.table(ledger).table.rows if "sub" not in row.kind.split()]
    assert labels == ORDER


def test_the_dsmb_table_sorts_the_same(ledger):
    assert [row[0] for row in _soc_rows(ledger["safety"])] == ORDER[1:]


def test_no_zero_percentage_in_any_table_by_arm(ledger):
    tables = [*arm_tables(ledger).values(), ae_soc_pt.table(ledger).table, ae_worst_grade.table(ledger).table]
    cells = [cell for table in tables if table for row in table.rows for cell in row.cells]
    assert "0" in cells and not any("(0.0%)" in cell for cell in cells)


def test_ties_alphabetically_regardless_of_case():
    items = [("beta", 2), ("Alpha", 2), ("gamma", 3), ("alpha", 2)]
    assert by_incidence(items, lambda i: i[1], lambda i: i[0]) == [("gamma", 3), ("Alpha", 2), ("alpha", 2), ("beta", 2)]
