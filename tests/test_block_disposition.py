"""The disposition block (DST01; report/blocks/tables/disposition.py): counts worked by hand on a
tiny trial, the status recorded or derived from off-study dates, "not collected", the
ADaM example against its XPT, the table, the ard rows and bad status values."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

import report
from report.blocks.tables.disposition import BLOCK, NOT_RECORDED, ard, table, view
from report.errors import InputError
from report.layout.collected import NOT_COLLECTED

ROOT = Path(__file__).resolve().parents[1]
ADAM_EXAMPLE = ROOT / "data" / "adam-example"
SPEC = """
[trial]
id = "T-DISPOSITION"
title = "A tiny trial"

[study]
population = "Adults"
background = "Background."

[analysis]
responders = ["CR"]
"""
HEADER = ["subject_id", "arm", "enrolled_on", "eligible", "treated", "best_response", "died_on", "last_contact_on",
          "off_study_on", "off_study_reason", "ineligible_reason", "study_status"]
ROWS = [
    ["P1", "A", "2020-01-01", "true", "true", "NR", "", "2021-01-01", "2020-06-01", "Toxicity", "", "Discontinued"],
    ["P2", "A", "2020-01-01", "false", "false", "NR", "", "2021-01-01", "2020-02-01", "", "Age over 75", "discontinued"],
    ["P3", "A", "2020-01-01", "true", "true", "NR", "", "2021-01-01", "2020-12-01", "Completed therapy", "", "COMPLETED"],
    ["P4", "B", "2020-01-01", "true", "true", "NR", "", "2021-01-01", "", "", "", "ongoing"],
    ["P5", "B", "2020-01-01", "false", "true", "NR", "", "2021-01-01", "2020-03-01", "Toxicity", "", "discontinued"],
    ["P6", "B", "2020-01-01", "true", "true", "NR", "", "2021-01-01", "", "", "", ""],  # status not recorded
]


def _trial(tmp_path: Path, header=HEADER, rows=ROWS) -> Path:
    folder = tmp_path / "trial"
    folder.mkdir(exist_ok=True)
    (folder / "trial.toml").write_text(SPEC, encoding="utf-8")
    with (folder / "subjects.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])
    return folder


def _without(column: str) -> tuple[list[str], list[list[str]]]:
    i = HEADER.index(column)
    return HEADER[:i] + HEADER[i + 1:], [row[:i] + row[i + 1:] for row in ROWS]


def _share(count: int, n: int) -> dict:
    return {"count": count, "proportion": count / n}


@pytest.fixture()
def ledger(tmp_path) -> dict:
    return report.analyze(report.load_trial(_trial(tmp_path))).to_dict()


def test_the_counts_equal_counts_made_by_hand(ledger):
    total = ledger["disposition"]
    assert total["n"] == 6
    assert total["eligible"] == _share(4, 6) and total["ineligible"] == _share(2, 6)
    assert total["ineligible_reasons"] == {"named": {"Age over 75": _share(1, 6)}, "not_recorded": _share(1, 6)}
    assert total["treated"] == _share(5, 6) and total["not_treated"] == _share(1, 6)
    assert total["status_from"] == "recorded"
    assert total["status"] == {"completed": _share(1, 6), "discontinued": _share(3, 6), "ongoing": _share(1, 6),
                               "not_recorded": _share(1, 6)}
    # the reasons of the discontinued: P1 and P5 toxicity, P2 none recorded
    assert total["discontinued_reasons"] == {"named": {"Toxicity": _share(2, 6)}, "not_recorded": _share(1, 6)}
    b = ledger["by_arm"]["B"]["disposition"]
    assert b["n"] == 3 and b["status"]["discontinued"] == _share(1, 3) and b["ineligible_reasons"]["named"] == {}


def test_without_a_status_it_is_derived_from_the_off_study_dates(tmp_path):
    header, rows = _without("study_status")
    total = report.analyze(report.load_trial(_trial(tmp_path, header, rows))).to_dict()["disposition"]
    assert total["status_from"] == "derived"
    # off study: P1, P2, P5 discontinued, P3 completed ("Completed therapy"); P4, P6 ongoing
    assert total["status"] == {"completed": _share(1, 6), "discontinued": _share(3, 6), "ongoing": _share(2, 6),
                               "not_recorded": _share(0, 6)}


def test_without_status_or_off_study_dates_the_status_is_not_collected(tmp_path):
    header, rows = _without("study_status")
    i = header.index("off_study_on")
    header, rows = header[:i] + header[i + 1:], [row[:i] + row[i + 1:] for row in rows]
    ledger = report.analyze(report.load_trial(_trial(tmp_path, header, rows))).to_dict()
    total = ledger["disposition"]
    assert total["status"] is None and total["status_from"] is None and total["discontinued_reasons"] is None
    rows = {row.label: row.cells for row in table(ledger).rows}
    assert set(rows["Status on study"]) == {NOT_COLLECTED}
    assert "not collected" in view(ledger).note


def test_the_s1318_example_records_its_status_and_ineligibility_reasons():
    ledger = report.analyze(report.load_trial()).to_dict()
    raw = pd.read_csv(report.resources.bundled_trial("s1318") / "subjects.csv")
    total = ledger["disposition"]
    assert total["status_from"] == "recorded"
    for status in ("completed", "discontinued", "ongoing"):
        assert total["status"][status]["count"] == int((raw["study_status"] == status).sum()), status
    assert total["discontinued_reasons"]["named"]["Relapse"]["count"] == int(
        ((raw["off_study_reason"] == "Relapse") & (raw["study_status"] == "discontinued")).sum())
    reasons = raw["ineligible_reason"].dropna().value_counts()
    assert {k: v["count"] for k, v in total["ineligible_reasons"]["named"].items()} == dict(reasons.items())


def test_the_table(ledger):
    laid = view(ledger)
    assert laid.table.columns == ("A", "B", "Total") and laid.table.counts == ("N = 3", "N = 3", "N = 6")
    labels = [row.label for row in laid.table.rows]
    assert labels == ["Enrolled", "Eligible", "Ineligible", "Age over 75", NOT_RECORDED, "Treated", "Not treated",
                      "Status on study, n (%)", "Completed", "Discontinued", "Toxicity", NOT_RECORDED, "Ongoing",
                      "Status not recorded"]
    rows = dict(zip(labels, (row.cells for row in laid.table.rows)))
    assert rows["Enrolled"] == ("3", "3", "6") and rows["Completed"] == ("1 (33.3%)", "0", "1 (16.7%)")
    assert rows["Toxicity"] == ("1 (33.3%)", "1 (33.3%)", "2 (33.3%)")
    assert "as the data record it" in laid.note


def test_the_ard_rows_carry_the_ledgers_numbers(ledger):
    for part in [ledger["disposition"], *(p["disposition"] for p in ledger["by_arm"].values())]:
        rows = {(r.variable, r.variable_level, r.stat_name): r.stat for r in ard(part, ledger)}
        assert rows["enrolled", "", "N"] == part["n"]
        assert rows["eligible", "ineligible", "n"] == part["ineligible"]["count"]
        for level, share in part["status"].items():
            assert rows["study_status", level, "n"] == share["count"]
            assert rows["study_status", level, "p"] == share["proportion"]
        for reason, share in part["discontinued_reasons"]["named"].items():
            assert rows["off_study_reason", reason, "n"] == share["count"]


def test_a_status_that_is_not_one_is_named(tmp_path):
    rows = [row[:-1] + ["lost"] if row[0] == "P4" else row for row in ROWS]
    with pytest.raises(InputError) as error:
        report.load_trial(_trial(tmp_path, rows=rows))
    assert [str(p) for p in error.value.problems] == [
        "subjects.csv, row 5, column study_status: 'lost' is not one of completed, discontinued, ongoing"]


def test_the_adam_example_counts_equal_counts_from_the_xpt_file():
    adsl, _ = pyreadstat.read_xport(str(ADAM_EXAMPLE / "adsl.xpt"))
    ledger = report.analyze(report.load_trial(ADAM_EXAMPLE)).to_dict()
    for name, rows in {"Total": adsl, **dict(tuple(adsl.groupby("TRT01A")))}.items():
        part = ledger["disposition"] if name == "Total" else ledger["by_arm"][name]["disposition"]
        assert part["n"] == len(rows) and part["treated"]["count"] == int((rows["SAFFL"] == "Y").sum())
        assert part["status_from"] == "recorded"
        for status in ("completed", "discontinued", "ongoing"):
            assert part["status"][status]["count"] == int((rows["EOSSTT"] == status.upper()).sum()), status
        reasons = rows.loc[rows["EOSSTT"] == "DISCONTINUED", "DCSREAS"].value_counts()
        assert {k: v["count"] for k, v in part["discontinued_reasons"]["named"].items()} == reasons.to_dict()


def test_the_block_is_declared_as_a_table():
    assert BLOCK.id == "disposition" and not BLOCK.open_safe and BLOCK.ard is ard


def test_an_adsl_status_that_is_not_one_is_named(tmp_path):
    import shutil

    data = tmp_path / "adam"
    shutil.copytree(ADAM_EXAMPLE, data)
    adsl, _ = pyreadstat.read_xport(str(data / "adsl.xpt"))
    adsl.loc[4, "EOSSTT"] = "SCREEN FAILURE"
    pyreadstat.write_xport(adsl, str(data / "adsl.xpt"), table_name="ADSL")
    with pytest.raises(InputError) as error:
        report.load_trial(data)
    assert [str(p) for p in error.value.problems] == [
        "adsl.xpt, row 5, column EOSSTT: 'SCREEN FAILURE' is not one of COMPLETED, DISCONTINUED, ONGOING "
        "([adam] study_status)"]


def test_an_adsl_variable_named_in_the_spec_gives_the_ineligibility_reasons(tmp_path):
    import shutil

    data = tmp_path / "adam"
    shutil.copytree(ADAM_EXAMPLE, data)
    adsl, meta = pyreadstat.read_xport(str(data / "adsl.xpt"))
    ineligible = adsl["ITTFL"] != "Y"
    adsl.loc[4, "ITTFL"] = "N"  # one more ineligible patient, whose reason is given
    adsl["INELREAS"] = ""
    adsl.loc[4, "INELREAS"] = "Prior chemotherapy"
    pyreadstat.write_xport(adsl, str(data / "adsl.xpt"), table_name="ADSL")
    before = report.analyze(report.load_trial(data)).to_dict()["disposition"]
    assert before["ineligible_reasons"] is None  # not mapped: not collected, never zero
    spec = data / "trial.toml"
    assert "[adam]" not in spec.read_text(encoding="utf-8")
    spec.write_text(spec.read_text(encoding="utf-8") + '\n[adam]\nineligible_reason = "INELREAS"\n', encoding="utf-8")
    part = report.analyze(report.load_trial(data)).to_dict()["disposition"]
    assert part["ineligible"]["count"] == int(ineligible.sum()) + 1
    assert {k: v["count"] for k, v in part["ineligible_reasons"]["named"].items()} == {"Prior chemotherapy": 1}
    rows = [row.label for row in table(report.analyze(report.load_trial(data)).to_dict()).rows]
    assert "Prior chemotherapy" in rows
    spec.write_text(spec.read_text(encoding="utf-8").replace('"INELREAS"', '"NOSUCHVAR"'), encoding="utf-8")
    with pytest.raises(InputError) as error:
        report.load_trial(data)
    assert "NOSUCHVAR" in str(error.value.problems[0]) and "ineligible_reason" in str(error.value.problems[0])
