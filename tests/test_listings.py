"""The full listings of a DSMB bundle (CSV and XLSX) hold text from the data as text, never
as a live spreadsheet formula (the OWASP CSV-injection rule)."""
import csv
import io
from pathlib import Path

import openpyxl
import pytest

from conftest import AE_HEADER, MINIMAL_SPEC, SUBJECT_HEADER, run_cli
from report.kinds.dsmb import LISTING_CAP, full_listings

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "-5"]
NEUTRAL = ["Fever", "3 days", "", "O'Brien"]
TERMS = HOSTILE + NEUTRAL


def neutralised(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def xlsx_rows(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def hostile_block(count: int = LISTING_CAP + 1) -> dict:
    terms = [TERMS[i % len(TERMS)] for i in range(count)]
    return {
        "serious_events": [{"subject_id": "-1" if i == 0 else f"P{i}", "term": term, "grade": 3 + i % 3,
                            "onset_on": "2016-01-10", "attribution": "=1+1" if i == 1 else "possible"}
                           for i, term in enumerate(terms)],
        "deaths": [{"subject_id": f"P{i}", "died_on": "2016-06-01", "day": 152, "cause": term}
                   for i, term in enumerate(terms)],
    }


def test_hostile_cells_are_neither_formulas_nor_formula_text():
    block = hostile_block()
    files = full_listings(block)
    assert set(files) == {"serious-adverse-events.csv", "serious-adverse-events.xlsx", "deaths.csv", "deaths.xlsx"}
    for stem, key, text_column in (("serious-adverse-events", "serious_events", "term"), ("deaths", "deaths", "cause")):
        for rows in (xlsx_rows(files[f"{stem}.xlsx"]), csv_rows(files[f"{stem}.csv"])):
            header, *body = rows
            column = header.index(text_column)
            assert [row[column] or "" for row in body] == [neutralised(r[text_column]) for r in block[key]]
    sae = xlsx_rows(files["serious-adverse-events.xlsx"])
    assert sae[1][0] == "'-1" and sae[2][4] == "'=1+1"  # subject id and attribution too
    assert [row[2] for row in sae[1:4]] == [3, 4, 5]  # grades stay numbers
    assert xlsx_rows(files["deaths.xlsx"])[1][2] == 152
    text_cells = [c for row in openpyxl.load_workbook(io.BytesIO(files["deaths.xlsx"])).active.iter_rows()
                  for c in row if isinstance(c.value, str)]
    assert text_cells and all(c.data_type == "s" for c in text_cells)


def test_listings_are_the_same_bytes_twice():
    assert full_listings(hostile_block()) == full_listings(hostile_block())


def test_a_dsmb_bundle_built_from_hostile_terms_has_inert_listings(tmp_path):
    folder = tmp_path / "trial"
    folder.mkdir()
    (folder / "trial.toml").write_text(MINIMAL_SPEC, encoding="utf-8")
    subjects = [[f"P{i:02d}", "2016-01-01", "70", "F", "CR", "2016-02-01", "1", "negative", "", "",
                 "2017-01-01"] for i in range(LISTING_CAP + 1)]
    terms = [t for t in TERMS if t]
    events = [[row[0], terms[i % len(terms)], "General disorders", "3", "2016-01-10", "possible", "yes"]
              for i, row in enumerate(subjects)]
    for name, header, rows in (("subjects.csv", SUBJECT_HEADER, subjects), ("adverse_events.csv", AE_HEADER, events)):
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\r\n").writerows([header, *rows])  # "\r" in a cell quoted
    result = run_cli("build", str(folder), "--kind", "dsmb", "--format", "html", "--no-encrypt",
                     "--out", str(tmp_path / "out"), env={"SOURCE_DATE_EPOCH": "1735689600"})
    assert result.returncode == 0, result.stderr
    files = {Path(p).name: Path(p) for p in result.stdout.split()}
    for rows in (xlsx_rows(files["serious-adverse-events.xlsx"].read_bytes()),
                 csv_rows(files["serious-adverse-events.csv"].read_bytes())):
        header, *body = rows
        assert sorted(row[header.index("term")] for row in body) == sorted(neutralised(e[1].strip()) for e in events)  # the loader trims


@pytest.mark.parametrize("text", HOSTILE)
def test_every_formula_start_is_neutralised(text):
    from report.render.spreadsheet import safe_text

    assert safe_text(text) == "'" + text


def test_control_characters_do_not_stop_the_xlsx():
    block = hostile_block()
    block["deaths"][0]["cause"] = "bell\x07 and\x00nul"
    sheet = openpyxl.load_workbook(io.BytesIO(full_listings(block)["deaths.xlsx"])).active
    assert sheet["D2"].value == "bell\ufffd and\ufffdnul"
