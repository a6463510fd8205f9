"""Tidy time-to-event endpoints (`endpoints.csv`, optional): any endpoint besides the OS and
DFS derived from the subjects' dates, one row per patient and endpoint, each endpoint
described in the spec's `[[analysis.endpoints]]` (report.inputs.spec_endpoints).

| column | type | notes |
| --- | --- | --- |
| `subject_id` | text | must exist in subjects |
| `endpoint` | text | an endpoint the spec describes (`name`); not os or dfs |
| `time`, `time_unit` | number, text | the time (decimals allowed) and its unit: days, weeks, months or years |
| `start_on`, `end_on` | date | instead of a time: from start to the event or censoring (days = end - start) |
| `event` | bool | true: the event happened at the time; false: censored |
| `event_type` | text | optional: what the event was ("relapse"); a type the spec lists as `competing` is a competing event |

An endpoint is given either by times or by dates, every row the same way. The data cutoff
applies to an endpoint given by dates (report.inputs.cutoff.endpoint_rows_at); one given by
times cannot be cut, and its `Endpoint.as_delivered` says so. Read like the other tidy
tables: every problem at once, by file, row and column.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem
from .derive import DAYS_PER_UNIT, EVENT_TYPE, TTE_COLUMNS, Endpoint
from .spec_endpoints import DERIVED, EndpointSpec
from .tidy import read_table
from .tidy_checks import Findings, ordinals, where_passing, without_row
from .tidy_read import Column

DEFAULT_FILE = "endpoints.csv"
SPEC_KEY = "[[analysis.endpoints]]"
ENDPOINT_COLUMNS = (
    Column("subject_id", "text", required=True, needs_value=True),
    Column("endpoint", "text", required=True, needs_value=True),
    Column("time", "number"),
    Column("time_unit", "text"),
    Column("start_on", "date"),
    Column("end_on", "date"),
    Column("event", "bool", required=True, needs_value=True),
    Column(EVENT_TYPE, "text"),
)
# The rows the pipeline holds: the time-to-event frame's columns, and the dates (None for
# an endpoint given by times) that the cutoff is applied to.
FRAME_COLUMNS = (*TTE_COLUMNS, EVENT_TYPE, "start_on", "end_on")


def read_endpoints(path: Path | None, subjects: pd.DataFrame | None, described: list[EndpointSpec],
                   spec_file: str) -> tuple[pd.DataFrame | None, tuple[Endpoint, ...], list[Problem]]:
    """The rows (FRAME_COLUMNS), the endpoints in the spec's order, and every problem found
    (`subjects` None: the subjects file could not be read, so the patients are not checked)."""
    if path is None:
        if not described:
            return None, (), []
        names = ", ".join(e.name for e in described)
        return None, (), [Problem(spec_file, f"analysis.endpoints: {names} described, but there is no "
                                             f"{DEFAULT_FILE} (or file named by [source] endpoints)")]
    problems: list[Problem] = []
    unreadable: dict[str, np.ndarray] = {}  # cells already reported, by column: neither empty nor filled
    frame = read_table(path, ENDPOINT_COLUMNS, problems, unreadable)
    if frame is None:
        return None, (), problems
    for column in ("endpoint", "time_unit", EVENT_TYPE):
        frame[column] = [v.strip() if isinstance(v, str) else v for v in frame[column]]
    problems += _endpoint_problems(frame, subjects, described, path.name, unreadable)
    if problems:
        return None, (), problems
    by_time = set(frame.loc[frame["time"].notna(), "endpoint"])
    endpoints = tuple(Endpoint(e.name, e.label, e.origin, e.population, e.description, e.name in by_time,
                               tuple(e.competing)) for e in described)
    return _rows(without_row(frame), {e.name: e for e in described}), endpoints, []


def _rows(frame: pd.DataFrame, described: dict[str, EndpointSpec]) -> pd.DataFrame:
    """The typed rows as the time-to-event frame holds them: days from the time and its unit
    or from the dates; a competing event with event False and its type."""
    given = frame["time"].notna().to_numpy()
    days = np.array([t * DAYS_PER_UNIT[u] if g else float((e - s).days)
                     for g, t, u, s, e in zip(given, frame["time"], frame["time_unit"], frame["start_on"], frame["end_on"])],
                    dtype=float)
    event = frame["event"].to_numpy(dtype=bool)
    kinds = [t if happened else None for t, happened in zip(frame[EVENT_TYPE], event)]
    competing = np.array([k is not None and k in described[name].competing for k, name in zip(kinds, frame["endpoint"])],
                         dtype=bool)
    return pd.DataFrame({
        "subject_id": frame["subject_id"].to_numpy(dtype=object),
        "endpoint": frame["endpoint"].to_numpy(dtype=object),
        "days": days,
        "event": event & ~competing,
        EVENT_TYPE: pd.Series(kinds, dtype=object).to_numpy(),
        "start_on": frame["start_on"].to_numpy(dtype=object),
        "end_on": frame["end_on"].to_numpy(dtype=object),
    }, columns=list(FRAME_COLUMNS))


def _endpoint_problems(f: pd.DataFrame, subjects: pd.DataFrame | None, described: list[EndpointSpec],
                       file: str, unreadable: dict[str, np.ndarray]) -> list[Problem]:
    found = Findings(file, f["source_row"])
    ids, name = f["subject_id"].to_numpy(dtype=object), f["endpoint"].to_numpy(dtype=object)
    if subjects is not None:
        known = set(subjects["subject_id"].dropna())
        found.add(f["subject_id"].notna().to_numpy() & ~f["subject_id"].isin(known).to_numpy(), "subject_id",
                  lambda i: f"{ids[i]!r} is not in the subjects file")
    _endpoint_names(f, described, found)
    _time_or_dates(f, found, unreadable)
    _event_types(f, {e.name: e.competing for e in described}, found)
    keys = pd.Series(list(zip(ids, name)), index=f.index)
    both = f["subject_id"].notna().to_numpy() & f["endpoint"].notna().to_numpy()
    again = both & keys.where(both).duplicated().to_numpy()
    first = dict(zip(keys[both & ~again], found.rows[both & ~again]))
    found.add(again, "endpoint", lambda i: f"{name[i]!r} of {ids[i]!r} repeats row {first[keys.iloc[i]]}")
    present = set(f["endpoint"].dropna())
    absent = [Problem(file, f"endpoint {e.name!r} is described in the spec's {SPEC_KEY} but has no row here",
                      column="endpoint") for e in described if e.name not in present]
    return found.problems() + absent


def _endpoint_names(f: pd.DataFrame, described: list[EndpointSpec], found: Findings) -> None:
    name = f["endpoint"].to_numpy(dtype=object)
    names = [e.name for e in described]
    listed = f" (it describes {', '.join(names)})" if names else " (it describes none)"
    found.add(where_passing(f["endpoint"], lambda v: v in DERIVED), "endpoint",
              lambda i: f"{name[i]!r} is derived from the subjects' dates; give this endpoint another name "
                        f"and describe it in the spec's {SPEC_KEY}")
    found.add(where_passing(f["endpoint"], lambda v: v not in DERIVED and v not in names), "endpoint",
              lambda i: f"{name[i]!r} is not described in the spec's {SPEC_KEY}{listed}")


def _time_or_dates(f: pd.DataFrame, found: Findings, unreadable: dict[str, np.ndarray]) -> None:
    """A time with its unit, or both dates in order; one way for every row of an endpoint."""
    time, unit = f["time"].to_numpy(dtype=object), f["time_unit"].to_numpy(dtype=object)
    start, end = f["start_on"].to_numpy(dtype=object), f["end_on"].to_numpy(dtype=object)
    has_time, has_start, has_end = (f[c].notna().to_numpy() | unreadable.get(c, False) for c in ("time", "start_on", "end_on"))
    dated = has_start | has_end
    found.add(has_time & dated, "time", lambda i: "give either a time (with time_unit) or start_on and end_on, not both")
    found.add(~has_time & ~dated, "time", lambda i: "a time (with time_unit) or start_on and end_on is required")
    found.add(where_passing(f["time"], lambda t: t < 0), "time", lambda i: f"{time[i]:g} is negative")
    found.add(has_time & f["time_unit"].isna().to_numpy() & ~unreadable.get("time_unit", False), "time_unit",
              lambda i: f"a time needs its unit: {', '.join(DAYS_PER_UNIT)}")
    found.add(where_passing(f["time_unit"], lambda u: u not in DAYS_PER_UNIT), "time_unit",
              lambda i: f"{unit[i]!r} is not one of {', '.join(DAYS_PER_UNIT)}")
    found.add(has_start & ~has_end & ~has_time, "end_on", lambda i: "a start_on needs its end_on")
    found.add(has_end & ~has_start & ~has_time, "start_on", lambda i: "an end_on needs its start_on")
    found.add(ordinals(f["end_on"]) < ordinals(f["start_on"]), "end_on",
              lambda i: f"{end[i]} is before start_on ({start[i]})")
    way = np.where(has_time, "a time", np.where(dated, "dates", ""))
    name = f["endpoint"].to_numpy(dtype=object)
    first: dict[str, int] = {}
    for i in np.flatnonzero(f["endpoint"].notna().to_numpy() & (way != "")):
        first.setdefault(name[i], i)
    mixed = np.array([w != "" and n in first and way[first[n]] != w for n, w in zip(name, way)], dtype=bool)
    found.add(mixed, "endpoint", lambda i: f"{name[i]!r} is given by {way[first[name[i]]]} in row "
                                           f"{found.rows[first[name[i]]]} but by {way[i]} here; give every row "
                                           "of one endpoint the same way")


def _event_types(f: pd.DataFrame, competing: dict[str, list[str]], found: Findings) -> None:
    """An event type names what happened: a censored row has none."""
    kind, name = f[EVENT_TYPE].to_numpy(dtype=object), f["endpoint"].to_numpy(dtype=object)
    censored = f["event"].map(lambda e: e is False).to_numpy(dtype=bool)
    typed = f[EVENT_TYPE].notna().to_numpy()

    def message(i: int) -> str:
        if kind[i] in competing.get(name[i], ()):
            return (f"{kind[i]!r} is a competing event of {name[i]!r} (the spec's competing), but event is false: "
                    "give a competing event with event true")
        return f"{kind[i]!r} names what the event was, but event is false (censored): leave event_type empty"
    found.add(censored & typed, EVENT_TYPE, message)
