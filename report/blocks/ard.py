"""ard.csv (DESIGN section 7a): the ledger in long form, one row per figure, from the blocks'
`ard` functions; the writer adds the arm (`group1`, `group1_level`) and the block id.

A block with `ard` is asked for the total's part and each arm's: a block that computes its
own part (`compute`) is given `ledger[<id>]` (and `by_arm.<arm>.<id>`), any other the
ledger's parts that its `keys` name. A block whose part is not in the ledger (or is None:
not collected) gives no rows, so the open DSMB ledger yields the rows of its own parts only.
Nothing is recomputed: each row is a value of the ledger and the text the report prints for it.
"""
from __future__ import annotations

import dataclasses
from typing import Iterable

from ..layout import ard_parts as ap
from ..layout.ard import COLUMNS, Stat, source_name
from .block import Block


def ard_rows(ledger: dict, blocks: Iterable[Block], arms: bool = True) -> list[dict]:
    """Every row of ard.csv, as dicts of COLUMNS: block by block (in the order given), the
    total first and then (unless `arms` is False) each arm in the ledger's order, each block's
    rows in its order."""
    arm, by_arm = source_name(ledger, "arm"), (ledger.get("by_arm") or {}) if arms else {}
    groups = [("", "", ledger)] + [(arm, name, by_arm[name]) for name in ledger.get("arms") or () if name in by_arm]
    rows = []
    for block in blocks:
        if block.ard is None:
            continue
        for group1, group1_level, group in groups:
            part = part_of(block, group)
            if part is not None:
                rows += [_row(stat, group1, group1_level, block.id) for stat in block.ard(part, ledger)]
    return rows


def part_of(block: Block, group: dict) -> object | None:
    """A block's part of one group's ledger: its own (`<id>`), or the parts its keys name; None where absent."""
    if block.compute is not None:
        return group.get(block.id)
    return {key: group[key] for key in block.keys if key in group and key != "by_arm"} or None


def _row(stat: Stat, group1: str, group1_level: str, block: str) -> dict:
    row = {**dataclasses.asdict(stat), "group1": group1, "group1_level": group1_level, "block": block}
    return {column: row[column] for column in COLUMNS}


# ----------------------------------------------------------------------------- the core parts' blocks

def baseline_ard(part: dict, ledger: dict) -> list[Stat]:
    """The `baseline` block: the populations, age and sex."""
    return ap.population_rows(part.get("population"), ledger) + ap.baseline_rows(part.get("baseline"),
                                                                                  part.get("population"), ledger)


def results_ard(part: dict, ledger: dict) -> list[Stat]:
    """The `results` block: response, MRD, survival and (for all patients) the comparisons between arms."""
    return (ap.response_rows(part.get("response"), ledger) + ap.mrd_rows(part.get("mrd"), ledger)
            + ap.survival_rows(part.get("survival"), ledger) + ap.comparison_rows(part.get("comparisons"), ledger)
            + ap.response_comparison_rows(part.get("response_comparison"), ledger))


def safety_ard(part: dict, ledger: dict) -> list[Stat]:
    """The `safety` block: adverse events and deaths in the safety population (and in a DSMB
    ledger its overview of the DSMB part)."""
    return ap.safety_rows(part.get("safety"), ledger) + ap.dsmb_safety_rows(part.get("dsmb"), ledger)


def status_ard(part: dict, ledger: dict) -> list[Stat]:
    """The DSMB `status` block: accrual and disposition (a DSMB ledger's `dsmb` part)."""
    return ap.dsmb_status_rows(part.get("dsmb"), ledger)
