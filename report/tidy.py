"""Tidy input (DESIGN section 4): read subjects and adverse events, check every cell.

Cells are read as text and parsed here, so that each problem can name its file, its row
(1-based, as a spreadsheet shows it: the header is row 1) and its column.
"""
from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from .errors import InputError, Problem

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
INTEGER = re.compile(r"^[+-]?\d+$", re.ASCII)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab and line breaks inside quotes are allowed
MAX_BYTES = 100 * 2**20  # far above any trial's table; the whole file is held in memory
HEADER_SEARCH = 20  # rows searched for column names misplaced below row 1
TRUE_WORDS = {"true", "yes", "y", "1", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "f"}
MRD_VALUES = {"negative", "positive"}
ATTRIBUTIONS = {"unrelated", "unlikely", "possible", "probable", "definite"}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | date | bool | int | number
    required: bool = False  # the column must be present
    needs_value: bool = False  # every row must have a value
    default: object = None


SUBJECT_COLUMNS = (
    Column("subject_id", "text", required=True, needs_value=True),
    Column("arm", "text"),
    Column("enrolled_on", "date", required=True, needs_value=True),
    Column("age", "number"),
    Column("sex", "text"),
    Column("eligible", "bool", default=True),
    Column("treated", "bool", default=True),
    Column("best_response", "text", required=True),
    Column("response_on", "date"),
    Column("response_cycle", "int"),
    Column("mrd", "text"),
    Column("relapse_on", "date"),
    Column("died_on", "date", required=True),
    Column("death_cause", "text"),
    Column("last_contact_on", "date", required=True),
    Column("off_study_on", "date"),
    Column("off_study_reason", "text"),
)

AE_COLUMNS = (
    Column("subject_id", "text", required=True, needs_value=True),
    Column("term", "text", required=True, needs_value=True),
    Column("soc", "text"),
    Column("grade", "int", required=True, needs_value=True),
    Column("onset_on", "date", required=True, needs_value=True),
    Column("attribution", "text"),
    Column("serious", "bool", default=False),
)


@dataclass(frozen=True, eq=False)
class TidyTables:
    subjects: pd.DataFrame
    adverse_events: pd.DataFrame


def read_tidy(
    subjects_path: Path, ae_path: Path, *, responders: list[str], categories: list[str]
) -> TidyTables:
    """Both tables, typed, or an InputError listing every problem in both files."""
    problems: list[Problem] = []
    subjects = _read_table(subjects_path, SUBJECT_COLUMNS, problems)
    aes = _read_table(ae_path, AE_COLUMNS, problems)
    if subjects is not None and subjects.empty:
        if not any(p.file == subjects_path.name for p in problems):  # not when every row was refused
            problems.append(Problem(subjects_path.name, "no patients: the file has column names but no rows"))
        subjects = None
    if subjects is not None:
        subjects["last_contact_on"] = subjects["last_contact_on"].fillna(subjects["died_on"])
        subjects["efficacy"] = subjects["eligible"].astype(bool) & subjects["treated"].astype(bool)
        subjects["safety"] = subjects["treated"].astype(bool)
        problems += _subject_problems(subjects, subjects_path.name, responders, categories)
    if subjects is not None and aes is not None:
        problems += _ae_problems(aes, subjects, ae_path.name)
    if problems:
        raise InputError(problems)
    return TidyTables(subjects=_without_row(subjects), adverse_events=_without_row(aes))


def _read_table(path: Path, columns: tuple[Column, ...], problems: list[Problem]):
    raw = _read_text_frame(path, columns, problems)
    if raw is None:
        return None
    missing = [c.name for c in columns if c.required and c.name not in raw.columns]
    for name in missing:
        problems.append(Problem(path.name, _missing_message(name, raw.columns, columns), column=name))
    if missing:
        return None
    parsed = {"source_row": pd.Series(raw.index, index=raw.index)}
    for column in columns:
        cells = raw[column.name] if column.name in raw.columns else None
        values = _parse_column(cells, column, len(raw), path.name, problems)
        parsed[column.name] = pd.Series(values, index=raw.index, dtype=object)
    # Further baseline columns ride along as text.
    extra = {c: raw[c].replace("", None) for c in raw.columns if c not in parsed}
    return pd.DataFrame({**parsed, **extra}, index=raw.index)


def _missing_message(name: str, present, columns: tuple[Column, ...]) -> str:
    known = {c.name for c in columns}
    unknown = {c.lower(): c for c in present if c not in known}
    close = difflib.get_close_matches(name, list(unknown), n=1, cutoff=0.75)
    hint = f" (did you mean {unknown[close[0]]}?)" if close else ""
    return f"required column is missing{hint}"


def _read_text_frame(path: Path, columns: tuple[Column, ...], problems: list[Problem]) -> pd.DataFrame | None:
    """The table as text cells, indexed by spreadsheet row number; None after a problem."""
    records = _read_records(path, problems)
    if records is None:
        return None
    start = _header_index(records, columns, path.name, problems)
    if start is None:
        return None
    return _records_frame(records, start, path.name, problems)


def _read_records(path: Path, problems: list[Problem]) -> list[list[str]] | None:
    """Every row of the file as text cells, row 1 first."""
    if not path.is_file():
        problems.append(Problem(str(path), "file not found"))
        return None
    suffix = path.suffix.lower()
    reader = RECORD_READERS.get(suffix)
    if reader is None:
        problems.append(Problem(path.name, "unsupported file type (use .csv, .xlsx or .parquet)"))
        return None
    size = path.stat().st_size
    if size > MAX_BYTES:
        problems.append(Problem(path.name, f"is {size / 2**20:,.0f} MB; data files over {MAX_BYTES // 2**20} MB "
                                "are refused (is it the right file?)"))
        return None
    try:
        return reader(path)
    except _Unreadable as exc:
        problems.append(Problem(path.name, exc.message, exc.row))
    except ImportError as exc:
        problems.append(Problem(path.name, f"cannot read {suffix} files here: {exc} (pip install 'trialreport[formats]')"))
    except OSError as exc:
        problems.append(Problem(path.name, f"cannot be read: {exc.strerror or exc}"))
    except Exception as exc:  # noqa: BLE001 - a reader failing on a damaged file is a problem with that file
        problems.append(Problem(path.name, f"is not a readable {suffix} file: {exc}"))
    return None


class _Unreadable(Exception):
    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.message, self.row = message, row


def _csv_records(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Unreadable(
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read); it was perhaps saved as "
            "Latin-1 or Windows-1252: save it again as 'CSV UTF-8'", data.count(b"\n", 0, exc.start) + 1
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return list(reader)
    except csv.Error as exc:
        raise _Unreadable(f"is not a well-formed CSV file: {exc}", reader.line_num) from None


def _xlsx_records(path: Path) -> list[list[str]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(min_row=1, min_col=1, values_only=True)
        return [[_cell_text(v) for v in row] for row in rows]
    finally:
        book.close()


def _parquet_records(path: Path) -> list[list[str]]:
    frame = pd.read_parquet(path)
    return [[str(c) for c in frame.columns], *([_cell_text(v) for v in row] for row in frame.itertuples(index=False))]


RECORD_READERS: dict[str, Callable[[Path], list[list[str]]]] = {
    ".csv": _csv_records,
    ".xlsx": _xlsx_records,
    ".parquet": _parquet_records,
}


def _header_index(records: list[list[str]], columns: tuple[Column, ...], file: str, problems: list[Problem]) -> int | None:
    """Where the column names are: row 1, or None after saying why not."""
    if not any(cell.strip() for record in records for cell in record):
        problems.append(Problem(file, "is empty: row 1 should hold the column names"))
        return None
    required = {c.name for c in columns if c.required}
    header = [cell.strip() for cell in records[0]]
    if required & set(header):
        return 0
    separator = _other_separator(header, required)
    if separator:
        problems.append(Problem(file, f"looks like a {separator}-separated file; use commas to separate the columns", 1))
        return None
    below = next((i for i, r in enumerate(records[1:HEADER_SEARCH], start=1) if required & {c.strip() for c in r}), None)
    if below is not None:
        problems.append(Problem(file, f"the header row was not found in row 1 but in row {below + 1}: "
                                "delete the rows above the column names", 1))
        return None
    return 0  # names the missing columns


def _other_separator(header: list[str], required: set[str]) -> str | None:
    line = ",".join(header)
    for separator, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
        if required & {c.strip() for c in line.split(separator)}:
            return name
    return None


def _records_frame(records: list[list[str]], start: int, file: str, problems: list[Problem]) -> pd.DataFrame | None:
    header = [cell.strip() for cell in records[start]]
    rows, numbers = [], []
    for number, record in enumerate(records[start + 1:], start=start + 2):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue  # a blank row: skipped, but it keeps its number
        if len(cells) > len(header) and any(cells[len(header):]):
            problems.append(Problem(file, f"has {len(cells)} cells but row {start + 1} names {len(header)} columns "
                                    "(a comma inside a value needs quotes)", number))
            continue
        rows.append((cells + [""] * len(header))[:len(header)])
        numbers.append(number)
    frame = pd.DataFrame(rows, columns=range(len(header)), index=numbers, dtype=object)
    keep = _named_columns(header, frame, start + 1, file, problems)
    if keep is None:
        return None
    frame = frame[keep]
    frame.columns = [header[i] for i in keep]
    return frame


def _named_columns(header: list[str], frame: pd.DataFrame, row: int, file: str, problems: list[Problem]) -> list[int] | None:
    """Positions of the columns to read: named once each; nameless empty ones are dropped."""
    first: dict[str, int] = {}
    keep, found = [], False
    for i, name in enumerate(header):
        if not name:
            if frame[i].astype(bool).any():
                problems.append(Problem(file, f"column {_letter(i)} holds values but has no name", row))
                found = True
            continue
        if name in first:
            problems.append(Problem(file, f"named twice: columns {_letter(first[name])} and {_letter(i)}", row, name))
            found = True
            continue
        first[name] = i
        keep.append(i)
    return None if found else keep


def _letter(index: int) -> str:
    """The spreadsheet name of a 0-based column position: A, B, ..., Z, AA, ..."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _cell_text(value) -> str:
    """A typed cell (from Excel or Parquet) as the text a CSV would hold: dates as YYYY-MM-DD."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.isoformat()[:10]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parse_column(cells, column: Column, n: int, file: str, problems: list[Problem]) -> list:
    if cells is None:
        return [column.default] * n
    parse = PARSERS[column.kind]
    values = []
    for row, cell in cells.items():
        if cell == "":
            if column.needs_value:
                problems.append(Problem(file, "a value is required", row, column.name))
            values.append(column.default)
            continue
        if CONTROL.search(cell):
            problems.append(Problem(file, f"{cell!r} holds a control character", row, column.name))
            values.append(column.default)
            continue
        try:
            values.append(parse(cell))
        except ValueError as exc:
            problems.append(Problem(file, f"{cell!r} {exc}", row, column.name))
            values.append(column.default)
    return values


def _date(cell: str) -> dt.date:
    if not ISO_DATE.match(cell):
        raise ValueError("is not a date in the form YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(cell)
    except ValueError:
        raise ValueError("is not a calendar date") from None


def _bool(cell: str) -> bool:
    word = cell.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("is not true or false")


def _int(cell: str) -> int:
    if not INTEGER.match(cell):
        raise ValueError("is not a whole number")
    return int(cell)


def _number(cell: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise ValueError("is not a number") from None
    if not math.isfinite(value):
        raise ValueError("is not a finite number")
    return value


PARSERS: dict[str, Callable[[str], object]] = {
    "text": str,
    "date": _date,
    "bool": _bool,
    "int": _int,
    "number": _number,
}


def _subject_problems(
    s: pd.DataFrame, file: str, responders: list[str], categories: list[str]
) -> list[Problem]:
    problems = []

    def add(row, column, message):
        problems.append(Problem(file, message, int(row), column))

    first_row: dict[str, int] = {}
    for r in s.itertuples(index=False):
        if r.subject_id is not None:
            if r.subject_id in first_row:
                add(r.source_row, "subject_id", f"{r.subject_id!r} repeats row {first_row[r.subject_id]}")
            first_row.setdefault(r.subject_id, r.source_row)
        if categories and r.best_response is not None and r.best_response not in categories:
            add(r.source_row, "best_response", f"{r.best_response!r} is not one of {', '.join(categories)}")
        if r.best_response in responders and r.response_on is None:
            add(r.source_row, "response_on", f"a responder ({r.best_response}) needs the date of response")
        if r.mrd is not None and r.mrd not in MRD_VALUES:
            add(r.source_row, "mrd", f"{r.mrd!r} is not negative, positive or empty")
        if r.response_cycle is not None and r.response_cycle < 1:
            add(r.source_row, "response_cycle", "cycles are numbered from 1")
        if r.age is not None and not 0 <= r.age <= 120:
            add(r.source_row, "age", f"{r.age:g} is not a plausible age")
        if r.relapse_on is not None and r.response_on is None:
            add(r.source_row, "relapse_on", "a relapse needs a response (response_on is empty)")
        problems.extend(Problem(file, m, int(r.source_row), c) for c, m in _date_order(r))
    return problems


def _date_order(r) -> list[tuple[str, str]]:
    """(column, message) for each date out of order in one subject's row."""
    out = []
    start, last = r.enrolled_on, r.last_contact_on
    for column in ("response_on", "relapse_on", "died_on", "last_contact_on", "off_study_on"):
        value = getattr(r, column)
        if start is not None and value is not None and value < start:
            out.append((column, f"{value} is before enrolled_on ({start})"))
    if r.relapse_on is not None and r.response_on is not None and r.relapse_on <= r.response_on:
        out.append(("relapse_on", f"{r.relapse_on} is not after response_on ({r.response_on})"))
    if last is not None:
        for column in ("response_on", "relapse_on", "off_study_on"):
            value = getattr(r, column)
            if value is not None and value > last:
                out.append((column, f"{value} is after last_contact_on ({last})"))
        if r.died_on is not None and r.died_on != last:
            out.append(("last_contact_on", f"{last} differs from died_on ({r.died_on}); "
                        "for a patient who died, the last contact is the date of death"))
    return out


def _ae_problems(ae: pd.DataFrame, s: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    subjects = {r.subject_id: r for r in s.itertuples(index=False) if r.subject_id is not None}
    soc_of_term: dict[str, tuple[str, int]] = {}
    for r in ae.itertuples(index=False):
        row = int(r.source_row)
        subject = subjects.get(r.subject_id)
        if r.subject_id is not None and subject is None:
            problems.append(Problem(file, f"{r.subject_id!r} is not in the subjects file", row, "subject_id"))
        if r.grade is not None and not 1 <= r.grade <= 5:
            problems.append(Problem(file, f"{r.grade} is not a CTCAE grade (1-5)", row, "grade"))
        if r.attribution is not None and r.attribution.lower() not in ATTRIBUTIONS:
            problems.append(Problem(file, f"{r.attribution!r} is not one of {', '.join(sorted(ATTRIBUTIONS))}", row, "attribution"))
        if r.term is not None and r.soc is not None:
            seen = soc_of_term.setdefault(r.term, (r.soc, row))
            if seen[0] != r.soc:
                problems.append(Problem(file, f"{r.term!r} is coded to {r.soc!r} here but to {seen[0]!r} in row {seen[1]}", row, "soc"))
        if subject is not None and r.onset_on is not None:
            if subject.enrolled_on is not None and r.onset_on < subject.enrolled_on:
                problems.append(Problem(file, f"{r.onset_on} is before the patient's enrolled_on ({subject.enrolled_on})", row, "onset_on"))
            if subject.last_contact_on is not None and r.onset_on > subject.last_contact_on:
                problems.append(Problem(file, f"{r.onset_on} is after the patient's last_contact_on ({subject.last_contact_on})", row, "onset_on"))
    return problems


def _without_row(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns="source_row").reset_index(drop=True)
