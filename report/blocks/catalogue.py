"""The catalogue of blocks, keyed by id: every section a report kind can show.

A kind's default list and a spec's `[report.<page>] blocks` name blocks from here. The
blocks listed below are joined by those found in report/blocks/tables/: each module there
declares one `BLOCK` (its statistic, its layout and its declaration in one file), found
in the order of the modules' names. A repeated id, or a computed block whose id is a key
the ledger already has, stops the import.
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Iterable

from ..analysis.ledger import RESERVED_KEYS
from . import tables
from .ard import baseline_ard, results_ard, safety_ard, status_ard
from .block import Block, Context
from .figures import adverse_event_figures, conduct_figures, survival_figures
from ..layout import dsmb_views as dv
from ..layout import summary_views as sv
from ..layout import toxicity_views as tv
from ..layout.dsmb_efficacy_views import efficacy_changes_view
from ..layout.stopping import laid_stopping

P = "partials/"
A = P + "abstract/"
ABSTRACT = ("abstract",)  # the pages of the abstract's blocks


def _single_arm(ledger: dict, context: Context) -> bool:
    return not ledger.get("arms")


def _toxicity_shown(ledger: dict, context: Context) -> bool:
    """The closed DSMB report shows pooled toxicity in its safety block: this one only by arm."""
    return bool(ledger.get("arms")) or context.page != "dsmb-closed"


def _stopping_view(ledger: dict, context: Context):
    return laid_stopping(ledger["stopping"])


def _contents_view(ledger: dict, context: Context) -> tuple[tuple[str, str], ...]:
    """The page's sections after the contents, each (title, anchor), those with something to show."""
    after = context.blocks[context.blocks.index("contents") + 1:] if "contents" in context.blocks else context.blocks
    return tuple((BLOCKS[i].title, f"block-{i}") for i in after if BLOCKS[i].partial_for(ledger, context))


def _toxicity_view(ledger: dict, context: Context):
    """By arm where the ledger has arms (never on the open page, which does not take this block)."""
    if ledger.get("arms") and not context.open:
        return tv.toxicity_arms_view(ledger, context)
    return tv.toxicity_view(ledger, context)


BLOCKS: dict[str, Block] = {b.id: b for b in (
    Block("masthead", "Masthead", ("trial", "data_cutoff"), True, P + "masthead.html.j2"),
    Block("key_results", "Key results", ("response", "mrd", "survival", "safety"), False,
          P + "key_results.html.j2", shown=_single_arm, view=sv.key_results_view),
    Block("study", "Study", ("population", "accrual", "baseline", "excluded_arms"), False, P + "study.html.j2", view=sv.study_view,
          narrative="study"),
    Block("results", "Results", ("response", "mrd", "survival", "by_arm", "comparisons", "response_comparison"), False,
          P + "results.html.j2", P + "results_arms.html.j2", figures=survival_figures,
          view=sv.results_view, ard=results_ard, narrative="results"),
    Block("toxicity", "Toxicity", ("safety", "by_arm"), False, P + "toxicity.html.j2", P + "toxicity_arms.html.j2",
          figures=adverse_event_figures, shown=_toxicity_shown, view=_toxicity_view, narrative="toxicity"),
    Block("next_steps", "Next steps", ("survival",), False, P + "next_steps.html.j2", view=sv.next_steps_view,
          narrative="next_steps"),
    Block("methods", "Methods", ("methods",), False, P + "methods.html.j2", view=sv.methods_view),
    Block("title", "DSMB title page", ("trial", "data_cutoff", "report"), True, P + "dsmb/title.html.j2", view=dv.title_view),
    Block("status", "Study status", ("accrual", "dsmb"), True, P + "dsmb/status.html.j2", figures=conduct_figures,
          view=dv.status_view, ard=status_ard, narrative="dsmb_status"),
    Block("contents", "Contents", (), True, P + "dsmb/contents.html.j2", view=_contents_view),
    Block("changes", "Changes since the previous report", ("dsmb",), True, P + "dsmb/changes.html.j2", view=dv.changes_view),
    Block("efficacy_changes", "Efficacy changes since the previous report", ("efficacy_changes",), False,
          P + "dsmb/efficacy_changes.html.j2", view=efficacy_changes_view, pages=("dsmb-closed",)),
    Block("stopping", "Stopping rules", ("stopping",), False, P + "dsmb/stopping.html.j2", view=_stopping_view),
    Block("baseline", "Baseline characteristics", ("population", "baseline"), True, P + "dsmb/baseline.html.j2",
          P + "dsmb/baseline_arms.html.j2", view=dv.baseline_view, ard=baseline_ard),
    Block("safety", "Safety, all treated patients", ("safety", "dsmb"), True, P + "dsmb/safety.html.j2", view=dv.safety_view,
          ard=safety_ard),
    Block("notes", "Notes", ("data_cutoff", "methods"), True, P + "dsmb/notes.html.j2", view=dv.notes_view),
    # The meeting abstract's parts (report.layout.abstract.PARTS writes them), on its page only.
    Block("abstract_background", "Background", (), False, A + "section.html.j2", pages=ABSTRACT),
    Block("abstract_methods", "Methods", ("methods",), False, A + "section.html.j2", pages=ABSTRACT),
    Block("abstract_results", "Results", ("population", "accrual", "baseline", "response", "mrd", "survival",
                                          "safety"), False, A + "section.html.j2", pages=ABSTRACT),
    Block("abstract_conclusions", "Conclusions", (), False, A + "section.html.j2", pages=ABSTRACT),
    Block("abstract_table", "Table of key results", ("response", "mrd", "survival"), False, A + "table.html.j2",
          pages=ABSTRACT),
)}


def found(package: ModuleType) -> tuple[Block, ...]:
    """The `BLOCK` of each module of `package`, in the order of the modules' names."""
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__))
    return tuple(importlib.import_module(f"{package.__name__}.{name}").BLOCK for name in names)


def catalogue(blocks: Iterable[Block]) -> dict[str, Block]:
    """The blocks by id; ValueError on a repeated id or a computed block taking a ledger key."""
    by_id: dict[str, Block] = {}
    for block in blocks:
        if block.id in by_id:
            raise ValueError(f"block id {block.id!r} is declared twice: ids name blocks in trial.toml, one each")
        if block.compute is not None and block.id in RESERVED_KEYS:
            raise ValueError(f"block id {block.id!r} is a key the ledger already has: its part would replace it")
        by_id[block.id] = block
    return by_id


# The blocks listed above, then those found in report/blocks/tables/.
BLOCKS = catalogue((*BLOCKS.values(), *found(tables)))
