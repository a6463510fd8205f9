"""The waterfall plot: each patient's best percent change from baseline in the sum of the
target lesions (tidy `best_change`, solid tumours), sorted, with RECIST 1.1's -30% (partial
response) and +20% (progression) lines; coloured by arm where there are arms. The Total's
part only; None where the data hold no best change (not collected). The patients with
a change and the median change by arm are statistics (ard.csv); the bars are drawing data.
Not open-safe: efficacy.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass

import pandas as pd

from ...analysis.group import TOTAL, Group, Part, Reads
from ...inputs import derive
from ...layout.ard import Stat, source_name
from ...layout.formatting import number
from ..block import Block, Context

BLOCK_ID = "waterfall"


@dataclass(frozen=True)
class Bar:
    subject: str
    arm: str
    change: float


@dataclass(frozen=True)
class Waterfall:
    patients: int  # of the efficacy population, with a best change
    without_change: int  # of the efficacy population, without one
    median_change: float | None
    bars: tuple[Bar, ...]


def waterfall(group: Group) -> Waterfall | None:
    if group.label != TOTAL or "best_change" in group.not_collected:
        return None
    population = derive.evaluable(group.subjects)
    known = population[population["best_change"].notna()]
    if known.empty:
        return None
    bars = tuple(Bar(str(s), "" if a is None or pd.isna(a) else str(a), float(c))
                 for s, a, c in zip(known["subject_id"], known["arm"], known["best_change"]))
    return Waterfall(len(bars), len(population) - len(bars), statistics.median(b.change for b in bars), bars)


def shown(ledger: dict, context: Context | None = None) -> bool:
    return bool(ledger.get(BLOCK_ID))


def figures(ledger: dict) -> dict[str, str]:
    from ...layout.efficacy_figures import WaterfallBar, waterfall_figure
    from ...layout.figures import namespaced

    bars = [WaterfallBar(b["subject"], b["arm"], b["change"]) for b in ledger[BLOCK_ID]["bars"]]
    return {"waterfall": namespaced(waterfall_figure(bars), "fig-waterfall")}


@dataclass(frozen=True)
class WaterfallView:
    figure: str
    caption: str


def view(ledger: dict, context: Context | None = None) -> WaterfallView:
    part = ledger[BLOCK_ID]
    missing = f"; {part['without_change']} without a post-baseline assessment are not shown" \
        if part["without_change"] else ""
    return WaterfallView("waterfall", (
        f"Best percent change from baseline in the sum of the target lesions' diameters, each of the "
        f"{part['patients']} patients of the efficacy population with one (median {number(part['median_change'], 1)}%)"
        f"{missing}. Dashed lines: -30% (partial response) and +20% (progression), RECIST 1.1."))


def ard(part: dict | None, ledger: dict) -> list[Stat]:
    if not part:
        return []
    variable = source_name(ledger, "best_change")
    return [Stat("continuous", "n", part["patients"], str(part["patients"]), variable),
            Stat("continuous", "n_missing", part["without_change"], str(part["without_change"]), variable),
            Stat("continuous", "median", part["median_change"], number(part["median_change"], 1), variable)]


BLOCK = Block(
    id=BLOCK_ID,
    title="Best change in tumour size",
    keys=(BLOCK_ID,),
    open_safe=False,
    partial="partials/waterfall.html.j2",
    shown=shown,
    figures=figures,
    compute=Part(waterfall, Reads(subjects=("efficacy", "arm", "best_change"), not_collected=True)),
    view=view,
    ard=ard,
)
