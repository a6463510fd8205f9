"""ADaM datasets as read: found by name (XPT, SAS7BDAT, CSV, Parquet), variables upper-cased,
every date checked; and the value readers (dates, text, Y flags) every ADaM reader shares."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem
from .limits import date_outside

SUFFIXES = (".xpt", ".sas7bdat", ".csv", ".parquet")


class Dataset:
    """One ADaM dataset as read, with what is needed to name its problems."""

    def __init__(self, name: str, path: Path, frame: pd.DataFrame):
        self.name, self.path, self.frame = name.upper(), path, frame
        self.first_row = 2 if path.suffix.lower() == ".csv" else 1  # CSV: the header is row 1

    def has(self, variable: str) -> bool:
        return variable.upper() in self.frame.columns

    def col(self, variable: str) -> pd.Series:
        return self.frame[variable.upper()]

    def missing(self, mapping: dict[str, str | None]) -> list[Problem]:
        return [
            Problem(self.path.name, f"variable not found; the mapping [adam] {key} expects it", column=var)
            for key, var in mapping.items() if var and not self.has(var)
        ]

    def row(self, index: int) -> int:
        return int(index) + self.first_row


def open_dataset(data_dir: Path, name: str, key: str, problems: list[Problem]) -> Dataset | None:
    path = find_dataset(data_dir, name)
    if path is None:
        expected = name if Path(name).suffix else " or ".join(f"{name}{s}" for s in SUFFIXES)
        problems.append(Problem(str(data_dir), f"dataset {name.upper()} not found: the mapping [adam] {key} expects {expected}"))
        return None
    try:
        frame = _read(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a problem with this file
        problems.append(Problem(path.name, f"cannot be read as a dataset: {exc}"))
        return None
    frame.columns = [str(c).upper() for c in frame.columns]
    dataset = Dataset(Path(name).stem, path, frame)
    bad = _date_problems(dataset)
    problems.extend(bad)
    return None if bad else dataset


def _date_problems(data: Dataset) -> list[Problem]:
    """A problem for each date that is not one (text, in CSV) or lies outside the years a
    trial can have, in every date variable (*DT, *DTM, or holding dates); reported here,
    so that no later check takes the date for missing."""
    found = []
    for variable in data.frame.columns:
        values = data.frame[variable]
        first = values.first_valid_index()
        if first is None or not (variable.endswith(("DT", "DTM")) or isinstance(values[first], dt.date)):
            continue
        for index, value in values.items():
            date = as_date(value)
            if date is None and isinstance(value, str) and value.strip():
                found.append(Problem(data.path.name, f"{value!r} is not a calendar date in the form YYYY-MM-DD",
                                     data.row(index), variable))
            elif date is not None and date_outside(date):
                found.append(Problem(data.path.name, f"{date.isoformat()} {date_outside(date)}", data.row(index), variable))
    return sorted(found, key=lambda problem: problem.row)


def find_dataset(data_dir: Path, name: str) -> Path | None:
    if Path(name).suffix:
        return data_dir / name if (data_dir / name).is_file() else None
    files = {p.name.lower(): p for p in data_dir.iterdir()} if data_dir.is_dir() else {}
    return next((files[f"{name.lower()}{s}"] for s in SUFFIXES if f"{name.lower()}{s}" in files), None)


def _read(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix in (".xpt", ".sas7bdat"):
        import pyreadstat

        reader = pyreadstat.read_xport if suffix == ".xpt" else pyreadstat.read_sas7bdat
        return reader(str(path))[0]
    if suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
    return pd.read_parquet(path)


def first_date(dataset: Dataset, variables: list[str]) -> list:
    """Per row, the first of `variables` that holds a date."""
    columns = [date_values(dataset.col(v)) for v in variables]
    if not columns:
        return [None] * len(dataset.frame)
    return [next((d for d in values if d is not None), None) for values in zip(*columns)]


def date_values(values: pd.Series) -> list:
    return [as_date(v) for v in values]


def as_date(value) -> dt.date | None:
    """A date from a SAS date, a datetime, a date or ISO text; None where it is none of them."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None  # reported where the date is needed


def text_values(values: pd.Series) -> pd.Series:
    return values.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip() or None)


def flag_values(values: pd.Series) -> list[bool]:
    return [str(v).strip().upper() == "Y" for v in values]
