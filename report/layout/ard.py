"""One row of `ard.csv`, the ledger in long form (DESIGN section 7a, the shape of pharmaverse's
{cards}): what a block's `ard` function returns for one group's part of the ledger. The
writer adds the arm (`group1`, `group1_level`) and the block id.
"""
from __future__ import annotations

from dataclasses import dataclass

COLUMNS = ("group1", "group1_level", "group2", "group2_level", "variable", "variable_level",
           "block", "context", "stat_name", "stat", "stat_fmt")


@dataclass(frozen=True)
class Stat:
    """One figure: `stat` unrounded (a count, a proportion 0-1, an estimate; None where not
    computable), `stat_fmt` the text the report prints for it. `variable` is named as in the
    source (`AGE` for ADaM, `age` for tidy data); `group2` a nesting level (`AEBODSYS`)."""
    context: str  # continuous, categorical, hierarchical, proportion, survival, comparison, ...
    stat_name: str  # cards' vocabulary: N, n, p, mean, sd, median, p25, p75, min, max, estimate, p.value, ...
    stat: float | int | str | None
    stat_fmt: str
    variable: str = ""
    variable_level: str = ""
    group2: str = ""
    group2_level: str = ""


def source_name(ledger: dict, column: str) -> str:
    """The source's name of one of the pipeline's columns (`age` -> `AGE` for ADaM input), from
    the ledger's `methods.variables`; the column's own name where the ledger does not map it."""
    return (ledger.get("methods") or {}).get("variables", {}).get(column, column)
