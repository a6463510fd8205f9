"""Tidy tables read as text: CSV (column at a time, or csv.reader for wide files), XLSX and
Parquet records, the header found, columns named; cells kept as text for report.inputs.tidy."""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ..errors import Problem

# A CSV field in quotes, any quote inside it doubled: one or more "..." back to back.
QUOTED_FIELD = re.compile(r'"[^"]*"(?:"[^"]*")*')
MAX_BYTES = 100 * 2**20  # far above any trial's table; the whole file is held in memory
HEADER_SEARCH = 20  # rows searched for column names misplaced below row 1
WIDE_COLUMNS = 1000  # from this many columns on, files are read by csv.reader


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | date | bool | int | number
    required: bool = False  # the column must be present
    needs_value: bool = False  # every row must have a value
    default: object = None


@dataclass(frozen=True, eq=False)
class _Records:
    """Every row of a file as stripped text cells, by position: `grid[i, j]` is cell j of
    row i + 1, "" where that row is short. `lengths[i]` is how many cells row i + 1 has; a
    reader may count the padding of short rows, never cells beyond the widest row. One
    array for the whole table, so that work per column is done only for the known ones."""
    grid: np.ndarray  # [row, position], object
    lengths: np.ndarray

    @property
    def cells(self) -> list[np.ndarray]:
        return [self.grid[:, j] for j in range(self.grid.shape[1])]

    def row(self, i: int) -> list[str]:
        return list(self.grid[i, :self.lengths[i]])


def read_records(path: Path, problems: list[Problem]) -> _Records | None:
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


def _csv_table(path: Path) -> _Records:
    """The rows csv.reader reads (strict, default dialect), by pandas' C parser where it reads the same."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Unreadable(
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read); it was perhaps saved as "
            "Latin-1 or Windows-1252: save it again as 'CSV UTF-8'", data.count(b"\n", 0, exc.start) + 1
        ) from None
    return _fast_csv_table(data.removeprefix(codecs.BOM_UTF8), text) or _records_table(_csv_records(text))


def _fast_csv_table(data: bytes, text: str) -> _Records | None:
    """The rows of a CSV file (`data`, decoded as `text`) read by pandas' C parser; None
    where it might read them otherwise than csv.reader: quotes other than around whole
    fields (csv refuses "a"b, pandas reads ab), a NUL (pandas ends the cell there), a byte
    order mark left after decoding (pandas drops it), a cell at csv's size limit, and what
    pandas refuses (a row longer than row 1; blank rows above row 1). pandas gives a blank
    row as a row of "" and pads short rows with "", as `_Records` holds them anyway."""
    if "\x00" in text or text.startswith("\ufeff") or _wide(text) or not _quotes_around_fields(text):
        return None
    try:
        frame = pd.read_csv(io.BytesIO(data), header=None, dtype=str, na_filter=False, skip_blank_lines=False,
                            engine="c", encoding="utf-8")
    except ValueError:  # pandas' ParserError and EmptyDataError among them
        return None
    grid = _stripped(frame.to_numpy(dtype=object), csv.field_size_limit())
    if grid is None:
        return None
    return _Records(grid, np.full(len(frame), len(frame.columns)))


def _wide(text: str) -> bool:
    """Whether row 1 names more columns than pandas' parser reads quickly (its cost grows
    with the columns, csv.reader's only with the cells)."""
    return text.count(",", 0, text.find("\n") if "\n" in text else len(text)) >= WIDE_COLUMNS


def _quotes_around_fields(text: str) -> bool:
    """Whether every quote in the CSV text belongs to a field quoted from start to end."""
    quotes = 0
    for match in QUOTED_FIELD.finditer(text):
        start, end = match.span()
        if (start and text[start - 1] not in ",\r\n") or (end < len(text) and text[end] not in ",\r\n"):
            return False
        quotes += match.group().count('"')
    return quotes == text.count('"')


def _csv_records(text: str) -> list[list[str]]:
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


def _records_table(records: list[list[str]]) -> _Records:
    lengths = np.fromiter(map(len, records), dtype=np.int64, count=len(records))
    width = int(lengths.max(initial=0))
    grid = np.empty((len(records), width), dtype=object)  # short rows are padded with None
    for i, record in enumerate(records):
        grid[i, :len(record)] = record
    return _Records(_stripped(grid), lengths)


def _stripped(cells: np.ndarray, limit: int | None = None) -> np.ndarray | None:
    """The cells (an array of any shape) without surrounding whitespace, "" for None (each
    distinct cell stripped once); None if a cell is `limit` characters or longer."""
    codes, distinct = distinct_codes(cells.ravel())
    if limit is not None and max(map(len, distinct), default=0) >= limit:
        return None
    # code -1 (None) takes the ""
    return object_array([cell.strip() for cell in distinct] + [""])[codes].reshape(cells.shape)


def distinct_codes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values): `distinct[codes]` gives the values back; empty ones (None)
    have code -1 and are not among the distinct ones."""
    # pandas compares an array of text only by its UTF-8 bytes up to the first NUL, taking
    # "a" and "a\x00b" for one value; with a None after it, it compares Python objects.
    codes, distinct = pd.factorize(np.append(np.asarray(values, dtype=object), None))
    return codes[:-1], distinct


def object_array(values: list) -> np.ndarray:
    """A 1-d object array of the values as they are (numpy would unpack sequences)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


RECORD_READERS: dict[str, Callable[[Path], _Records]] = {
    ".csv": _csv_table,
    ".xlsx": lambda path: _records_table(_xlsx_records(path)),
    ".parquet": lambda path: _records_table(_parquet_records(path)),
}


def header_in_row_1(records: _Records, columns: tuple[Column, ...], file: str, problems: list[Problem]) -> bool:
    """Whether the column names can be read from row 1; False after saying why not."""
    if not (records.grid != "").any():
        problems.append(Problem(file, "is empty: row 1 should hold the column names"))
        return False
    required = {c.name for c in columns if c.required}
    header = records.row(0)
    if required & set(header):
        return True
    separator = _other_separator(header, required)
    if separator:
        problems.append(Problem(file, f"looks like a {separator}-separated file; use commas to separate the columns", 1))
        return False
    rows = range(1, min(HEADER_SEARCH, len(records.lengths)))
    below = next((i for i in rows if required & set(records.row(i))), None)
    if below is not None:
        problems.append(Problem(file, f"the header row was not found in row 1 but in row {below + 1}: "
                                "delete the rows above the column names", 1))
        return False
    return True  # names the missing columns


def _other_separator(header: list[str], required: set[str]) -> str | None:
    line = ",".join(header)
    for separator, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
        if required & {c.strip() for c in line.split(separator)}:
            return name
    return None


def records_frame(records: _Records, file: str, problems: list[Problem]) -> pd.DataFrame | None:
    """Rows 2 on in the columns row 1 names, indexed by row number; None after a problem."""
    header = records.row(0)
    width = len(header)
    filled = records.grid[1:] != ""  # [row, position]
    too_long = filled[:, width:].any(axis=1)
    for i in np.flatnonzero(too_long):
        problems.append(Problem(file, f"has {records.lengths[i + 1]} cells but row 1 names {width} columns "
                                "(a comma inside a value needs quotes)", int(i) + 2))
    keep = filled.any(axis=1) & ~too_long  # a blank row is skipped, but it keeps its number
    named = _named_columns(header, filled[keep], 1, file, problems)
    if named is None:
        return None
    body = records.grid[1:][keep][:, named]
    return pd.DataFrame(body, index=np.flatnonzero(keep) + 2, columns=[header[i] for i in named], dtype=object)


def _named_columns(header: list[str], filled: np.ndarray, row: int, file: str, problems: list[Problem]) -> list[int] | None:
    """Positions of the columns to read: named once each; nameless empty ones are dropped."""
    first: dict[str, int] = {}
    keep, found = [], False
    for i, name in enumerate(header):
        if not name:
            if filled[:, i].any():
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


