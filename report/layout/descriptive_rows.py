"""Rows of a per-arm table for counts and continuous summaries (report.stats.summary_statistics
as the ledger holds them), and their ard.csv rows: shared by the disposition, exposure and
deaths tables. Values are picked and formatted, never derived.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from .ard import Stat
from .collected import NOT_COLLECTED
from .formatting import count_percent, number
from .tables import ArmTable, Row

NO_DENOMINATOR = "-"  # a percentage of no patients
SUMMARY_STATS = (("n", "n"), ("mean", "mean"), ("sd", "sd"), ("median", "median"), ("q1", "p25"), ("q3", "p75"),
                 ("min", "min"), ("max", "max"))


def n_percent(share: dict | None, n: int) -> str:
    """'3 (12.5%)' of the column's N; '-' where N is 0; a share the group lacks counts 0 of N."""
    if not n:
        return NO_DENOMINATOR
    share = share or {"count": 0, "proportion": 0.0}
    return count_percent(share["count"], share["proportion"])


def share_cells(groups: list[tuple[str, dict | None]], pick: Callable[[dict], dict | None]) -> tuple[str, ...]:
    """n (%) in each column; "Not collected" for a group whose part was not collected."""
    return tuple(NOT_COLLECTED if part is None else n_percent(pick(part), part["n"]) for _, part in groups)


def summary_rows(groups: list[tuple[str, dict | None]], pick: Callable[[dict], dict | None], label: str,
                 digits: int = 1, scale: float = 1.0, extreme_digits: int | None = None) -> list[Row]:
    """A heading row, then n, Mean (SD), Median, Q1, Q3 and Min, max of the summary `pick`
    takes from each group's part ("Not collected" on the heading where it is None). `scale`
    multiplies the values shown (100: a proportion as a percentage); `extreme_digits` the
    decimals of the minimum and maximum (default `digits`: whole days print as whole days)."""
    ends = digits if extreme_digits is None else extreme_digits
    summaries = [None if part is None else pick(part) for _, part in groups]
    if all(s is None for s in summaries):
        return [Row(label, tuple(NOT_COLLECTED for _ in groups), "group")]

    def shown(s: dict | None, key: str, places: int = digits) -> str:
        value = None if s is None or s[key] is None else s[key] * scale
        return number(value, places)

    def cells(text: Callable[[dict], str]) -> tuple[str, ...]:
        return tuple(NOT_COLLECTED if s is None else text(s) for s in summaries)

    return [
        Row(label, tuple("" for _ in groups), "group"),
        Row("n", cells(lambda s: str(s["n"])), "indent"),
        Row("Mean (SD)", cells(lambda s: f"{shown(s, 'mean')} ({shown(s, 'sd')})"), "indent"),
        Row("Median", cells(lambda s: shown(s, "median")), "indent"),
        Row("Q1, Q3", cells(lambda s: f"{shown(s, 'q1')}, {shown(s, 'q3')}"), "indent"),
        Row("Min, max", cells(lambda s: f"{shown(s, 'min', ends)}, {shown(s, 'max', ends)}"), "indent"),
    ]


def summary_stats(summary: dict | None, variable: str, digits: int = 1, scale: float = 1.0) -> Iterable[Stat]:
    """A continuous summary's ard.csv rows (cards' names: n, mean, sd, median, p25, p75, min, max)."""
    if summary is None:
        return []
    return [Stat("continuous", name, summary[key], _formatted(summary[key], name, digits, scale), variable)
            for key, name in SUMMARY_STATS]


def share_stats(share: dict | None, n: int, variable: str, level: str = "") -> Iterable[Stat]:
    """A count's ard.csv rows: n, N and p (p None where N is 0)."""
    share = share or {"count": 0, "proportion": 0.0 if n else None}
    return [
        Stat("categorical", "n", share["count"], str(share["count"]), variable, level),
        Stat("categorical", "N", n, str(n), variable, level),
        Stat("categorical", "p", share["proportion"],
             NO_DENOMINATOR if share["proportion"] is None else number(share["proportion"] * 100), variable, level),
    ]


def _formatted(value, name: str, digits: int, scale: float) -> str:
    if name == "n":
        return str(value)
    return number(None if value is None else value * scale, digits)


@dataclass(frozen=True)
class NotedTable:
    """A table and its footnote, both laid out from the ledger (the note names the methods
    and what the data held, so that it changes with them)."""
    table: ArmTable
    note: str
