"""Tables from the data written as CSV and XLSX, with every text cell inert in a spreadsheet.

A text from the data that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is
written with a leading `'` (the OWASP rule against CSV injection), in both files, so a
term such as `=HYPERLINK(...)` is never run as a formula; in the XLSX every text cell is
written as a string cell, any control character XML cannot hold shown as U+FFFD.
Numbers (grades, counts, days) stay numbers.
"""
from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float | None


def safe_text(text: str) -> str:
    """The text, with a leading `'` where a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_cell(value: object) -> Cell:
    """A number as itself, nothing (None, NaN) as None, anything else as safe text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return safe_text(str(value))


def safe_rows(rows: Sequence[dict], columns: Sequence[str]) -> list[list[Cell]]:
    """The header and then each row's cells, in `columns` order, made safe."""
    return [[safe_cell(c) for c in columns]] + [[safe_cell(row.get(c)) for c in columns] for row in rows]


def csv_bytes(rows: Sequence[dict], columns: Sequence[str]) -> bytes:
    """RFC 4180 (CRLF line ends), so that a carriage return inside a cell is quoted too."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([["" if v is None else v for v in row] for row in safe_rows(rows, columns)])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows: Sequence[dict], columns: Sequence[str]) -> bytes:
    """One sheet; text cells are string cells (never formulas), in the same bytes every time."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # control characters XML cannot hold

    from .zipfiles import deterministic_zip

    book = Workbook()
    sheet = book.active
    for r, values in enumerate(safe_rows(rows, columns), start=1):
        for c, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=r, column=c)
            cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value
            if isinstance(value, str):
                cell.data_type = "s"  # set after the value: openpyxl guesses "f" from a leading "="
    out = io.BytesIO()
    book.save(out)
    return deterministic_zip(out.getvalue())
