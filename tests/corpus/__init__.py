"""Broken trial folders, made in code: each case says what it writes and what the CLI must say.

A case's files map a name in the trial folder to bytes, to text (written as UTF-8), or to
a function that writes the file itself (spreadsheets). `expect` lists the lines the CLI
must print: each is a tuple of fragments that must all be found on one line of stderr.
"""
from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Union

from conftest import AE_HEADER, MINIMAL_SPEC, SUBJECT_HEADER

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
RANDOM_CDISC = SHARED / "random-cdisc"
RANDOM_SPEC = Path(__file__).resolve().parents[1] / "fixtures" / "adam" / "random-cdisc" / "trial.toml"

Content = Union[bytes, str, Callable[[Path], None], None]

PATIENT = dict(zip(SUBJECT_HEADER, ["P1", "2016-01-01", "70", "F", "CR", "2016-02-01", "1", "negative", "", "", "2017-01-01"]))
EVENT = dict(zip(AE_HEADER, ["P1", "Fever", "General disorders", "1", "2016-01-05", "possible", "no"]))


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, Content] = field(default_factory=dict)  # over the default files; None removes one
    expect: tuple[tuple[str, ...], ...] = ()
    code: int = 2
    adam: bool = False  # reads the shared random.cdisc.data datasets

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        defaults = {"trial.toml": MINIMAL_SPEC, "subjects.csv": subjects(patient()), "adverse_events.csv": events(event())}
        for name, content in {**defaults, **self.files}.items():
            _write(folder / name, content)
        return folder


def _write(path: Path, content: Content) -> None:
    if content is None:
        return
    if callable(content):
        content(path)
    else:
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def patient(**cells: str) -> dict[str, str]:
    return {**PATIENT, **cells}


def event(**cells: str) -> dict[str, str]:
    return {**EVENT, **cells}


def table(rows: list[dict[str, str]], header: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([row.get(c, "") for c in header] for row in rows)
    return buffer.getvalue()


def subjects(*rows: dict[str, str], header: list[str] | None = None) -> str:
    return table(list(rows), header or SUBJECT_HEADER)


def events(*rows: dict[str, str], header: list[str] | None = None) -> str:
    return table(list(rows), header or AE_HEADER)


def spec_with(analysis_line: str) -> str:
    return MINIMAL_SPEC.replace('responders = ["CR", "CRi"]', analysis_line)


def adam_spec(old: str = "", new: str = "") -> str:
    spec = RANDOM_SPEC.read_text(encoding="utf-8") if RANDOM_SPEC.is_file() else ""
    spec = spec.replace('path = "../../../../../shared/data/random-cdisc"', f'path = "{RANDOM_CDISC.as_posix()}"')
    assert old in spec
    return spec.replace(old, new)


def xlsx_with_title_row(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Trial T1: patients as of 2017-01-31"])
    sheet.append(SUBJECT_HEADER)
    sheet.append(list(PATIENT.values()))
    book.save(path)


def copy_of(source: Path) -> Callable[[Path], None]:
    return lambda path: shutil.copyfile(source, path)


def huge_subjects(path: Path, size: int = 200 * 2**20) -> None:
    """A real subjects.csv of `size` bytes: valid rows padded by a long extra column."""
    header = ",".join([*SUBJECT_HEADER, "notes"]) + "\n"
    row = ",".join(PATIENT.values()) + "," + "x" * 4000 + "\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(header)
        for _ in range(size // len(row) + 1):
            handle.write(row)
