"""What the column-at-a-time reading of tidy tables (report/inputs/tidy_read.py) must keep: the cells
csv.reader reads, each cell told apart, typed values, and problems in row order."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import AE_HEADER, SUBJECT_HEADER

from report.errors import InputError
from report.inputs.tidy import read_tidy
from report.inputs.tidy_read import _csv_records, _fast_csv_table, _records_table

PATIENT = ["P1", "2016-01-01", "70", "F", "CR", "2016-02-01", "1", "negative", "", "", "2017-01-01"]
EVENT = ["P1", "Fever", "General disorders", "2", "2016-03-01", "possible", "no"]


def csv_text(header: list[str], *rows: list[str]) -> str:
    return "".join(",".join(cells) + "\n" for cells in (header, *rows))


def problems_of(tmp_path: Path, subjects: str, events: str, categories: list[str] | None = None) -> list[str]:
    (tmp_path / "subjects.csv").write_bytes(subjects.encode("utf-8"))
    (tmp_path / "adverse_events.csv").write_bytes(events.encode("utf-8"))
    with pytest.raises(InputError) as error:
        read_tidy(tmp_path / "subjects.csv", tmp_path / "adverse_events.csv", responders=["CR"],
                  categories=categories or [])
    return [str(p) for p in error.value.problems]


def cells(records) -> list[list[str]]:
    """The cells by row, short rows padded with "" to the widest."""
    return [[column[i] for column in records.cells] for i in range(len(records.lengths))]


@pytest.mark.parametrize("text", [
    'a,b\n"x, y",2\n',  # a comma inside quotes
    'a,b\n"say ""hi""",2\n',  # doubled quotes
    'a,b\n"two\nlines",2\n3,4\n',  # a quoted line break: one row
    'a,b\r\n"x\r\ny",2\r\n\r\n3,4',  # CRLF, a blank row, no last line end
    "a,b\r1,2\r\r3,4\r",  # old Mac line ends
    "a,b,c\n1\n\n ,  \n 2 , 3 ,x\n",  # short, blank and padded rows
    'a,b\n"",""\n"  p  ",q\n',  # empty and padded quoted cells
    "a,b\n\x85,\u2028\n\x1f1,2\x1c\n",  # characters str.strip() takes, but not as line ends
])
def test_pandas_reads_the_cells_csv_reader_reads(text):
    data = text.encode("utf-8")
    fast = _fast_csv_table(data, text)
    assert fast is not None
    slow = _records_table(_csv_records(text))
    assert cells(fast) == cells(slow)
    assert fast.lengths[0] == slow.lengths[0]


@pytest.mark.parametrize("text", [
    'a,b\n"x"y,2\n',  # csv refuses, pandas reads xy
    'a,b\nx"y,2\n',  # a quote inside an unquoted cell
    "a,b\n1,x\x00y\n",  # pandas would end the cell at the NUL
    "\ufeffa,b\n1,2\n",  # a second byte order mark: pandas would drop it
    "a,b\n1,2,3\n",  # a row longer than row 1
    "\na,b\n1,2\n",  # a blank row 1
])
def test_pandas_steps_aside_where_it_might_read_otherwise(text):
    assert _fast_csv_table(text.encode("utf-8"), text) is None


def test_a_quote_after_a_quoted_cell_is_reported_as_csv_reads_it(tmp_path):
    subjects = csv_text(SUBJECT_HEADER, PATIENT) + '"P2"x,2016-01-01\n'
    assert problems_of(tmp_path, subjects, csv_text(AE_HEADER, EVENT)) == [
        "subjects.csv, row 3: is not a well-formed CSV file: ',' expected after '\"'"]


def test_cells_that_differ_only_after_a_nul_are_told_apart(tmp_path):
    # pandas compares an array of text by its bytes up to the first NUL: "Fever" and
    # "Fever\x00x" must not be taken for one value.
    events = csv_text(AE_HEADER, EVENT, ["P1", "Fever\x00x", *EVENT[2:]], ["P1", "\x00", *EVENT[2:]])
    assert problems_of(tmp_path, csv_text(SUBJECT_HEADER, PATIENT), events) == [
        "adverse_events.csv, row 3, column term: 'Fever\\x00x' holds a control character",
        "adverse_events.csv, row 4, column term: '\\x00' holds a control character",
    ]


def test_problems_come_in_row_order_then_in_the_order_of_the_checks(tmp_path):
    late = ["P1", "2016-01-01", "150", "F", "XX", "", "0", "maybe", "2016-03-01", "2015-06-01", "2015-05-01"]
    subjects = csv_text(SUBJECT_HEADER, late, PATIENT, ["P2", *PATIENT[1:3], "F", "CR", "", "", "", "", "", "2017-01-01"])
    events = csv_text(AE_HEADER, ["P9", "Fever", "Skin", "7", "2015-01-01", "maybe", "no"],
                      ["P2", "Fever", "General disorders", "2", "2018-01-01", "", ""], EVENT)
    assert problems_of(tmp_path, subjects, events, categories=["CR", "PR"]) == [
        "subjects.csv, row 2, column best_response: 'XX' is not one of CR, PR",
        "subjects.csv, row 2, column mrd: 'maybe' is not negative, positive or empty",
        "subjects.csv, row 2, column response_cycle: cycles are numbered from 1",
        "subjects.csv, row 2, column age: 150 is not a plausible age",
        "subjects.csv, row 2, column relapse_on: a relapse needs a response (response_on is empty)",
        "subjects.csv, row 2, column died_on: 2015-06-01 is before enrolled_on (2016-01-01)",
        "subjects.csv, row 2, column last_contact_on: 2015-05-01 is before enrolled_on (2016-01-01)",
        "subjects.csv, row 2, column relapse_on: 2016-03-01 is after last_contact_on (2015-05-01)",
        ("subjects.csv, row 2, column last_contact_on: 2015-05-01 differs from died_on (2015-06-01); "
         "for a patient who died, the last contact is the date of death"),
        "subjects.csv, row 3, column subject_id: 'P1' repeats row 2",
        "subjects.csv, row 4, column response_on: a responder (CR) needs the date of response",
        "adverse_events.csv, row 2, column subject_id: 'P9' is not in the subjects file",
        "adverse_events.csv, row 2, column grade: 7 is not a CTCAE grade (1-5)",
        ("adverse_events.csv, row 2, column attribution: 'maybe' is not one of "
         "definite, possible, probable, unlikely, unrelated"),
        "adverse_events.csv, row 3, column soc: 'Fever' is coded to 'General disorders' here but to 'Skin' in row 2",
        "adverse_events.csv, row 3, column onset_on: 2018-01-01 is after the patient's last_contact_on (2017-01-01)",
        # Not after last contact: P1 is its last row (row 3), not row 2 (last contact 2015-05-01).
        "adverse_events.csv, row 4, column soc: 'Fever' is coded to 'General disorders' here but to 'Skin' in row 2",
    ]


def test_repeated_cells_give_typed_values_and_defaults(tmp_path):
    header = [*SUBJECT_HEADER, "eligible", "site"]
    rows = [[f"P{i}", "2016-01-01", " 70 ", "F", "NR", "", "", "", "", "", "2017-01-01", ["yes", "N", ""][i % 3],
             ["Leeds", ""][i % 2]] for i in range(6)]
    (tmp_path / "subjects.csv").write_text(csv_text(header, *rows), encoding="utf-8")
    (tmp_path / "adverse_events.csv").write_text(csv_text(AE_HEADER, EVENT, EVENT), encoding="utf-8")
    tables = read_tidy(tmp_path / "subjects.csv", tmp_path / "adverse_events.csv", responders=["CR"], categories=[])
    s, ae = tables.subjects, tables.adverse_events
    assert s["enrolled_on"].tolist() == [dt.date(2016, 1, 1)] * 6
    assert s["age"].tolist() == [70.0] * 6 and all(type(a) is float for a in s["age"])
    assert s["eligible"].tolist() == [True, False, True] * 2  # empty: the column's default
    assert s["treated"].tolist() == [True] * 6  # no column: the default
    assert s["response_on"].tolist() == [None] * 6
    assert s["site"].tolist() == ["Leeds", None] * 3  # rides along as text
    assert s["efficacy"].tolist() == [True, False, True] * 2
    assert all(s[c].dtype == object for c in ("enrolled_on", "age", "eligible", "treated", "response_cycle"))
    assert ae["grade"].tolist() == [2, 2] and all(type(g) is int for g in ae["grade"])
    assert ae["serious"].tolist() == [False, False]
