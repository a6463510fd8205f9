"""Tidy input (DESIGN section 4): read subjects and adverse events, check every cell.

Cells are read as text and parsed here, so that each problem can name its file, its row
(1-based, as a spreadsheet shows it: the header is row 1) and its column.

Tables run to hundreds of thousands of rows, so work is done a column at a time: each
distinct cell is stripped and parsed once, checks are masks over whole columns, and text
is written only for the cells and rows that fail.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .arms import arm_problems
from .errors import InputError, Problem
from .spec import Analysis
from .limits import date_outside

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
INTEGER = re.compile(r"^[+-]?\d+$", re.ASCII)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab and line breaks inside quotes are allowed
# A CSV field in quotes, any quote inside it doubled: one or more "..." back to back.
QUOTED_FIELD = re.compile(r'"[^"]*"(?:"[^"]*")*')
MAX_BYTES = 100 * 2**20  # far above any trial's table; the whole file is held in memory
HEADER_SEARCH = 20  # rows searched for column names misplaced below row 1
WIDE_COLUMNS = 1000  # from this many columns on, files are read by csv.reader
TRUE_WORDS = {"true", "yes", "y", "1", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "f"}
MRD_VALUES = {"negative", "positive"}
ATTRIBUTIONS = {"unrelated", "unlikely", "possible", "probable", "definite"}
SUBJECT_DATES = ("enrolled_on", "response_on", "relapse_on", "died_on", "last_contact_on", "off_study_on")


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
    adverse_events: pd.DataFrame | None  # None: no adverse-event file (not collected)
    not_collected: frozenset[str] = frozenset()  # optional subject columns the file lacks


def read_tidy(
    subjects_path: Path, ae_path: Path | None, *, responders: list[str], categories: list[str],
    arms: Analysis | None = None,
) -> TidyTables:
    """Both tables, typed, or an InputError listing every problem in both files (and, given
    the spec's `[analysis]`, every disagreement between its arm lists and the data). Without
    `ae_path`, adverse events were not collected: a table of none is not made up."""
    problems: list[Problem] = []
    unreadable: dict[str, np.ndarray] = {}  # subjects' cells already reported, by column
    subjects = _read_table(subjects_path, SUBJECT_COLUMNS, problems, unreadable)
    aes = _read_table(ae_path, AE_COLUMNS, problems, {}) if ae_path is not None else None
    not_collected = frozenset(subjects.attrs["absent"]) if subjects is not None else frozenset()
    if subjects is not None and subjects.empty:
        if not any(p.file == subjects_path.name for p in problems):  # not when every row was refused
            problems.append(Problem(subjects_path.name, "no patients: the file has column names but no rows"))
        subjects = None
    if subjects is not None:
        subjects["last_contact_on"] = subjects["last_contact_on"].fillna(subjects["died_on"])
        subjects["efficacy"] = subjects["eligible"].astype(bool) & subjects["treated"].astype(bool)
        subjects["safety"] = subjects["treated"].astype(bool)
        problems += _subject_problems(subjects, subjects_path.name, responders, categories, unreadable)
        if arms is not None:
            problems += arm_problems(subjects["arm"], subjects["source_row"], subjects_path.name, "arm", arms)
    if subjects is not None and aes is not None:
        problems += _ae_problems(aes, subjects, ae_path.name)
    if problems:
        raise InputError(problems)
    return TidyTables(_without_row(subjects), _without_row(aes) if ae_path is not None else None, not_collected)


def _read_table(path: Path, columns: tuple[Column, ...], problems: list[Problem], unreadable: dict[str, np.ndarray]):
    """The table typed, or None; each cell that could not be read is a problem, and its
    column's mask in `unreadable` flags its row."""
    raw = _read_text_frame(path, columns, problems)
    if raw is None:
        return None
    missing = [c.name for c in columns if c.required and c.name not in raw.columns]
    for name in missing:
        problems.append(Problem(path.name, _missing_message(name, raw.columns, columns), column=name))
    if missing:
        return None
    parsed = {"source_row": pd.Series(raw.index, index=raw.index)}
    known = {column.name for column in columns}
    for column in columns:
        if column.name in raw.columns:
            values, unreadable[column.name] = _parse_column(raw[column.name], column, path.name, problems)
        else:
            values = _objects([column.default] * len(raw))
        parsed[column.name] = pd.Series(values, index=raw.index, dtype=object)
    # Further baseline columns ride along as text, unparsed: one block, whatever their number.
    extra = raw[[c for c in raw.columns if c not in known and c != "source_row"]]
    text = extra.to_numpy(dtype=object, copy=True)
    text[text == ""] = None
    frame = pd.concat([pd.DataFrame(parsed, index=raw.index), pd.DataFrame(text, index=raw.index, columns=extra.columns)],
                      axis=1)
    frame.attrs["absent"] = [c.name for c in columns if c.name not in raw.columns]  # not collected
    return frame


def _missing_message(name: str, present, columns: tuple[Column, ...]) -> str:
    known = {c.name for c in columns}
    unknown = {c.lower(): c for c in present if c not in known}
    close = difflib.get_close_matches(name, list(unknown), n=1, cutoff=0.75)
    hint = f" (did you mean {unknown[close[0]]}?)" if close else ""
    return f"required column is missing{hint}"


def _read_text_frame(path: Path, columns: tuple[Column, ...], problems: list[Problem]) -> pd.DataFrame | None:
    """The table as text cells, indexed by spreadsheet row number; None after a problem."""
    records = _read_records(path, problems)
    if records is None or not _header_in_row_1(records, columns, path.name, problems):
        return None
    return _records_frame(records, path.name, problems)


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


def _read_records(path: Path, problems: list[Problem]) -> _Records | None:
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
    codes, distinct = _distinct(cells.ravel())
    if limit is not None and max(map(len, distinct), default=0) >= limit:
        return None
    # code -1 (None) takes the ""
    return _objects([cell.strip() for cell in distinct] + [""])[codes].reshape(cells.shape)


def _distinct(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values): `distinct[codes]` gives the values back; empty ones (None)
    have code -1 and are not among the distinct ones."""
    # pandas compares an array of text only by its UTF-8 bytes up to the first NUL, taking
    # "a" and "a\x00b" for one value; with a None after it, it compares Python objects.
    codes, distinct = pd.factorize(np.append(np.asarray(values, dtype=object), None))
    return codes[:-1], distinct


def _objects(values: list) -> np.ndarray:
    """A 1-d object array of the values as they are (numpy would unpack sequences)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


RECORD_READERS: dict[str, Callable[[Path], _Records]] = {
    ".csv": _csv_table,
    ".xlsx": lambda path: _records_table(_xlsx_records(path)),
    ".parquet": lambda path: _records_table(_parquet_records(path)),
}


def _header_in_row_1(records: _Records, columns: tuple[Column, ...], file: str, problems: list[Problem]) -> bool:
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


def _records_frame(records: _Records, file: str, problems: list[Problem]) -> pd.DataFrame | None:
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


def _parse_column(cells: pd.Series, column: Column, file: str, problems: list[Problem]) -> tuple[np.ndarray, np.ndarray]:
    """The column's values (its default where a cell is empty or bad), each distinct cell
    parsed once, and which cells were bad; a problem for each bad cell, in row order."""
    codes, distinct = _distinct(cells)
    parsed = [_parse_cell(cell, column) for cell in distinct]
    messages = [message for _, message in parsed]
    bad = np.array([message is not None for message in messages], dtype=bool)
    for i in np.flatnonzero(bad[codes]):
        problems.append(Problem(file, messages[codes[i]], int(cells.index[i]), column.name))
    return _objects([value for value, _ in parsed])[codes], np.append(bad, False)[codes]


def _parse_cell(cell: str, column: Column) -> tuple[object, str | None]:
    """(value, None) or, for a bad cell, (the column's default, what is wrong)."""
    if cell == "":
        return column.default, "a value is required" if column.needs_value else None
    if CONTROL.search(cell):
        return column.default, f"{cell!r} holds a control character"
    try:
        return PARSERS[column.kind](cell), None
    except ValueError as exc:
        return column.default, f"{cell!r} {exc}"


def _date(cell: str) -> dt.date:
    if not ISO_DATE.match(cell):
        raise ValueError("is not a date in the form YYYY-MM-DD")
    try:
        date = dt.date.fromisoformat(cell)
    except ValueError:
        raise ValueError("is not a calendar date") from None
    if date_outside(date):
        raise ValueError(date_outside(date))
    return date


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


class _Findings:
    """Problems found by checks over whole columns, given back in row order and, within a
    row, in the order the checks were made."""

    def __init__(self, file: str, rows: pd.Series):
        self.file, self.rows = file, rows.to_numpy()
        self.found: list[tuple[int, int, Problem]] = []
        self.checks = 0

    def add(self, flagged: np.ndarray, column: str, message: Callable[[int], str]) -> None:
        """A problem in `column` for each flagged row position, worded by `message(position)`."""
        for i in np.flatnonzero(flagged):
            self.found.append((int(i), self.checks, Problem(self.file, message(i), int(self.rows[i]), column)))
        self.checks += 1

    def problems(self) -> list[Problem]:
        return [problem for _, _, problem in sorted(self.found, key=lambda found: found[:2])]


def _subject_problems(
    s: pd.DataFrame, file: str, responders: list[str], categories: list[str], unreadable: dict[str, np.ndarray]
) -> list[Problem]:
    """Problems across a row's cells; a cell already reported as unreadable counts as
    neither empty nor filled, so it sets off no further problem."""
    found = _Findings(file, s["source_row"])
    ids, best, mrd = (s[c].to_numpy(dtype=object) for c in ("subject_id", "best_response", "mrd"))
    age = s["age"].to_numpy(dtype=object)
    has = {c: s[c].notna().to_numpy() for c in ("subject_id", "best_response", "mrd", "response_on", "relapse_on")}
    empty = {c: ~has[c] & ~unreadable.get(c, False) for c in has}

    repeated = has["subject_id"] & s["subject_id"].duplicated().to_numpy()
    first = has["subject_id"] & ~repeated
    first_row = dict(zip(ids[first], found.rows[first]))
    found.add(repeated, "subject_id", lambda i: f"{ids[i]!r} repeats row {first_row[ids[i]]}")
    if categories:
        found.add(has["best_response"] & ~s["best_response"].isin(categories).to_numpy(), "best_response",
                  lambda i: f"{best[i]!r} is not one of {', '.join(categories)}")
    found.add(s["best_response"].isin(responders).to_numpy() & empty["response_on"], "response_on",
              lambda i: f"a responder ({best[i]}) needs the date of response")
    found.add(has["mrd"] & ~s["mrd"].isin(MRD_VALUES).to_numpy(), "mrd",
              lambda i: f"{mrd[i]!r} is not negative, positive or empty")
    found.add(_where(s["response_cycle"], lambda c: c < 1), "response_cycle", lambda i: "cycles are numbered from 1")
    found.add(_where(s["age"], lambda a: not 0 <= a <= 120), "age", lambda i: f"{age[i]:g} is not a plausible age")
    found.add(has["relapse_on"] & empty["response_on"], "relapse_on",
              lambda i: "a relapse needs a response (response_on is empty)")
    _date_order(s, found)
    return found.problems()


def _date_order(s: pd.DataFrame, found: _Findings) -> None:
    """Each date out of order in a subject's row."""
    dates = {c: s[c].to_numpy(dtype=object) for c in SUBJECT_DATES}
    day = {c: _ordinals(s[c]) for c in SUBJECT_DATES}
    start, last = dates["enrolled_on"], dates["last_contact_on"]
    for column in ("response_on", "relapse_on", "died_on", "last_contact_on", "off_study_on"):
        found.add(day[column] < day["enrolled_on"], column,
                  lambda i, column=column: f"{dates[column][i]} is before enrolled_on ({start[i]})")
    found.add(day["relapse_on"] <= day["response_on"], "relapse_on",
              lambda i: f"{dates['relapse_on'][i]} is not after response_on ({dates['response_on'][i]})")
    for column in ("response_on", "relapse_on", "off_study_on"):
        found.add(day[column] > day["last_contact_on"], column,
                  lambda i, column=column: f"{dates[column][i]} is after last_contact_on ({last[i]})")
    both = ~np.isnan(day["died_on"]) & ~np.isnan(day["last_contact_on"])
    found.add(both & (day["died_on"] != day["last_contact_on"]), "last_contact_on",
              lambda i: f"{last[i]} differs from died_on ({dates['died_on'][i]}); "
                        "for a patient who died, the last contact is the date of death")


def _ae_problems(ae: pd.DataFrame, s: pd.DataFrame, file: str) -> list[Problem]:
    found = _Findings(file, ae["source_row"])
    ids, grade, attribution, onset = (ae[c].to_numpy(dtype=object)
                                      for c in ("subject_id", "grade", "attribution", "onset_on"))
    # Each event's subject as a position in `subjects`, -1 if not there; of a repeated
    # subject_id, the last row counts.
    subjects = s[s["subject_id"].notna()].drop_duplicates("subject_id", keep="last")
    subject = pd.Index(subjects["subject_id"].to_numpy(dtype=object)).get_indexer(ids)
    # The subject's dates for each event (-1 takes the element appended: no date).
    enrolled, last = (np.append(subjects[c].to_numpy(dtype=object), None)[subject]
                      for c in ("enrolled_on", "last_contact_on"))
    enrolled_day, last_day = (np.append(_ordinals(subjects[c]), np.nan)[subject]
                              for c in ("enrolled_on", "last_contact_on"))
    onset_day = _ordinals(ae["onset_on"])

    found.add(ae["subject_id"].notna().to_numpy() & (subject == -1), "subject_id",
              lambda i: f"{ids[i]!r} is not in the subjects file")
    found.add(_where(ae["grade"], lambda g: not 1 <= g <= 5), "grade",
              lambda i: f"{grade[i]} is not a CTCAE grade (1-5)")
    found.add(_where(ae["attribution"], lambda a: a.lower() not in ATTRIBUTIONS), "attribution",
              lambda i: f"{attribution[i]!r} is not one of {', '.join(sorted(ATTRIBUTIONS))}")
    _soc_conflicts(ae, found)
    found.add(onset_day < enrolled_day, "onset_on",
              lambda i: f"{onset[i]} is before the patient's enrolled_on ({enrolled[i]})")
    found.add(onset_day > last_day, "onset_on",
              lambda i: f"{onset[i]} is after the patient's last_contact_on ({last[i]})")
    return found.problems()


def _soc_conflicts(ae: pd.DataFrame, found: _Findings) -> None:
    """Each event whose term is coded to another organ class (soc) than in the first row
    with both."""
    term, soc = ae["term"].to_numpy(dtype=object), ae["soc"].to_numpy(dtype=object)
    both = np.flatnonzero(ae["term"].notna().to_numpy() & ae["soc"].notna().to_numpy())
    codes, _ = _distinct(term[both])  # numbered 0, 1, ... in order of first appearance
    first = both[np.unique(codes, return_index=True)[1][codes]]  # for each row in `both`, its term's first
    differs, first_of = np.zeros(len(ae), dtype=bool), np.zeros(len(ae), dtype=np.int64)
    differs[both], first_of[both] = soc[both] != soc[first], first
    found.add(differs, "soc", lambda i: f"{term[i]!r} is coded to {soc[i]!r} here but to {soc[first_of[i]]!r} "
                                        f"in row {found.rows[first_of[i]]}")


def _where(values: pd.Series, test: Callable[[object], bool]) -> np.ndarray:
    """Which values pass `test`; empty ones never do. Each distinct value is tested once."""
    codes, distinct = _distinct(values)
    return np.array([bool(test(v)) for v in distinct] + [False], dtype=bool)[codes]


def _ordinals(dates: pd.Series | np.ndarray) -> np.ndarray:
    """Each date as a day number, NaN where empty, to compare whole columns (NaN never compares true)."""
    codes, distinct = _distinct(dates)
    return np.array([d.toordinal() for d in distinct] + [np.nan], dtype=float)[codes]


def _without_row(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns="source_row").reset_index(drop=True)
