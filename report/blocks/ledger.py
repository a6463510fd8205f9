"""The ledger a user sees: every core part and every block's own part (`Block.compute`).

report.analysis.analyze takes the blocks' parts as an argument (analysis sits below the
blocks); this is where the catalogue hands them over. `build`, `reproduce`, the CLI's
`analyze` and `report.analyze` all go through `results`.
"""
from __future__ import annotations

from typing import Callable

from ..analysis import analysis
from ..analysis.group import Group
from ..analysis.ledger import Results
from ..analysis.part_cache import PartCache
from ..inputs.trial import Trial
from .ard import ard_rows
from .catalogue import BLOCKS


def parts() -> dict[str, Callable[[Group], object]]:
    """Each computed block's part, by block id, in catalogue order."""
    return {block.id: block.compute for block in BLOCKS.values() if block.compute is not None}


def results(trial: Trial, reuse: PartCache | None = None) -> Results:
    """The numbers ledger of `trial`, with every block's part; `reuse`: the parts kept from the
    last build in this process, taken where their inputs are the same (report.analysis.part_cache)."""
    return analysis.analyze(trial, parts(), reuse)


def ard(ledger: dict, open_side: bool = False) -> list[dict]:
    """The rows of ard.csv for `ledger`: every block of the catalogue with `ard`, in catalogue
    order; `open_side`: the open-safe blocks only (the open DSMB report's), whatever the spec asks,
    for all patients only (never by arm, whatever the ledger holds)."""
    return ard_rows(ledger, [block for block in BLOCKS.values() if block.open_safe or not open_side], arms=not open_side)
