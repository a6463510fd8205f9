"""Deaths (DTHT01): every death in the safety population, by primary cause, and within each
early-death window of registration; n (%) of the safety population, in a total column
and one per arm.

The whole block in one module: its statistic (`deaths`, one group of patients in, a
frozen result out; the ledger's `deaths` and `by_arm.<arm>.deaths`), its layout (`table`,
the ledger in, a report.layout.tables.ArmTable out) and its declaration (`BLOCK`). Not
open-safe: a cause of death can reveal efficacy. A trial asks for it by id, e.g.
`[report.summary] blocks = [..., "deaths"]`.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ...analysis.group import Group, Part, Reads
from ...analysis.ledger import Share
from ...inputs import derive
from ...layout.ard import Stat, source_name
from ...layout.collected import NOT_COLLECTED
from ...layout.formatting import count_percent, percent
from ...layout.tables import TOTAL, ArmTable, Row
from ..block import Block, Context

NOT_RECORDED = "Cause not recorded"


@dataclass(frozen=True)
class Deaths:
    """None in place of the whole part: the data hold no death date (not collected)."""
    n: int  # the safety population
    deaths: Share
    causes: dict[str, Share] | None  # by primary cause, most frequent first; None: causes not collected
    cause_not_recorded: Share | None  # deaths whose cause is empty; None: causes not collected
    within_days: dict[str, Share]  # days -> deaths on or before that day after registration


def deaths(group: Group) -> Deaths | None:
    """The deaths of one group's safety population."""
    if "died_on" in group.not_collected:
        return None
    population = derive.safety_population(group.subjects)
    n = len(population)
    dead = population[population["died_on"].notna()]
    days = pd.Series([(d - e).days for d, e in zip(dead["died_on"], dead["enrolled_on"])], dtype="int64")
    collected = "death_cause" not in group.not_collected
    causes = _causes(dead["death_cause"]) if collected else None
    return Deaths(
        n=n,
        deaths=_share(len(dead), n),
        causes={cause: _share(count, n) for cause, count in causes.items() if cause is not None} if collected else None,
        cause_not_recorded=_share(causes.get(None, 0), n) if collected else None,
        within_days={str(w): _share(int((days <= w).sum()), n) for w in group.options.early_death_days},
    )


def _causes(causes: pd.Series) -> dict[str | None, int]:
    """Deaths by cause, most frequent first, then by name; None: no cause recorded (empty)."""
    counts: dict[str | None, int] = {}
    for cause in causes:
        named = None if cause is None or pd.isna(cause) else (str(cause).strip() or None)
        counts[named] = counts.get(named, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0] or "")))


def _share(count: int, n: int) -> Share:
    return Share(count, count / n if n else None)


def table(ledger: dict, context: Context | None = None) -> ArmTable:
    """The deaths table: one column per arm (where there are arms), then the total."""
    groups = [(arm, ledger["by_arm"][arm]["deaths"]) for arm in ledger["arms"]] + [(TOTAL, ledger["deaths"])]
    total = ledger["deaths"]
    if total is None:
        rows = [Row("Deaths", tuple(NOT_COLLECTED for _ in groups), "group")]
    else:
        rows = [Row("All deaths", _cells(groups, lambda part: part["deaths"]), "group"), *_cause_rows(groups, total)]
        rows += [Row(f"Within {days} days of registration", _cells(groups, lambda part, d=days: part["within_days"][d]))
                 for days in total["within_days"]]
    return ArmTable(
        columns=tuple(name for name, _ in groups),
        counts=tuple(f"N = {part['n']}" if part is not None else "" for _, part in groups),
        subcolumns=("",),
        rows=tuple(rows),
    )


def _cause_rows(groups, total: dict) -> list[Row]:
    if total["causes"] is None:
        return [Row("Primary cause", tuple(NOT_COLLECTED for _ in groups), "indent")]
    rows = [Row(cause, _cells(groups, lambda part, c=cause: part["causes"].get(c)), "indent") for cause in total["causes"]]
    if total["cause_not_recorded"]["count"]:
        rows.append(Row(NOT_RECORDED, _cells(groups, lambda part: part["cause_not_recorded"]), "indent"))
    return rows


def _cells(groups, pick) -> tuple[str, ...]:
    """n (%) in each column; a group without such a death counts 0 of its patients."""
    cells = []
    for _, part in groups:
        share = pick(part) or {"count": 0, "proportion": 0.0 if part["n"] else None}
        cells.append(count_percent(share["count"], share["proportion"]))
    return tuple(cells)


def ard(part: dict, ledger: dict) -> list[Stat]:
    """The rows of ard.csv for one group's deaths: N, then n and p of all deaths (`variable_level`
    "all"), each cause ("not recorded": an empty cause) and each early-death window."""
    died, cause = source_name(ledger, "died_on"), source_name(ledger, "death_cause")
    rows = [Stat("categorical", "N", part["n"], f"N = {part['n']}", died)]
    shares = [(died, "all", part["deaths"])]
    shares += [(cause, name, share) for name, share in (part["causes"] or {}).items()]
    if part["cause_not_recorded"] is not None:
        shares.append((cause, "not recorded", part["cause_not_recorded"]))
    shares += [(died, f"within {days} days", share) for days, share in part["within_days"].items()]
    for variable, level, share in shares:
        rows += [Stat("categorical", "n", share["count"], str(share["count"]), variable, level),
                 Stat("categorical", "p", share["proportion"], percent(share["proportion"], 1), variable, level)]
    return rows


BLOCK = Block(
    id="deaths",
    title="Deaths",
    keys=("deaths", "by_arm"),
    open_safe=False,
    partial="partials/deaths.html.j2",
    compute=Part(deaths, Reads(subjects=("safety", "died_on", "enrolled_on", "death_cause"),
                               options=("early_death_days",), not_collected=True)),
    view=table,
    ard=ard,
)
