"""The catalogue of blocks, keyed by id: every section a report kind can show.

A kind's default list and a spec's `[report.<page>] blocks` name blocks from here.
"""
from __future__ import annotations

from .block import Block, Context
from .figures import adverse_event_figures, conduct_figures, survival_figures

P = "partials/"
A = P + "abstract/"
ABSTRACT = ("abstract",)  # the pages of the abstract's blocks


def _single_arm(ledger: dict, context: Context) -> bool:
    return not ledger.get("arms")


def _toxicity_shown(ledger: dict, context: Context) -> bool:
    """The closed DSMB report shows pooled toxicity in its safety block: this one only by arm."""
    return bool(ledger.get("arms")) or context.page != "dsmb-closed"


BLOCKS: dict[str, Block] = {b.id: b for b in (
    Block("masthead", "Masthead", ("trial", "data_cutoff"), True, P + "masthead.html.j2"),
    Block("key_results", "Key results", ("response", "mrd", "survival", "safety"), False,
          P + "key_results.html.j2", shown=_single_arm),
    Block("study", "Study", ("population", "accrual", "baseline", "excluded_arms"), False, P + "study.html.j2"),
    Block("results", "Results", ("response", "mrd", "survival", "by_arm", "comparisons"), False,
          P + "results.html.j2", P + "results_arms.html.j2", figures=survival_figures),
    Block("toxicity", "Toxicity", ("safety", "by_arm"), False, P + "toxicity.html.j2", P + "toxicity_arms.html.j2",
          figures=adverse_event_figures, shown=_toxicity_shown),
    Block("next_steps", "Next steps", ("survival",), False, P + "next_steps.html.j2"),
    Block("methods", "Methods", ("methods",), False, P + "methods.html.j2"),
    Block("title", "DSMB title page", ("trial", "data_cutoff", "report"), True, P + "dsmb/title.html.j2"),
    Block("status", "Study status", ("dsmb",), True, P + "dsmb/status.html.j2", figures=conduct_figures),
    Block("changes", "Changes since the previous report", ("dsmb",), True, P + "dsmb/changes.html.j2"),
    Block("stopping", "Stopping rules", ("stopping",), False, P + "dsmb/stopping.html.j2"),
    Block("baseline", "Baseline characteristics", ("population", "baseline"), True, P + "dsmb/baseline.html.j2",
          P + "dsmb/baseline_arms.html.j2"),
    Block("safety", "Safety, all treated patients", ("safety", "dsmb"), True, P + "dsmb/safety.html.j2"),
    Block("notes", "Notes", ("data_cutoff", "methods"), True, P + "dsmb/notes.html.j2"),
    # The meeting abstract's parts (report.layout.abstract.PARTS writes them), on its page only.
    Block("abstract_background", "Background", (), False, A + "section.html.j2", pages=ABSTRACT),
    Block("abstract_methods", "Methods", ("methods",), False, A + "section.html.j2", pages=ABSTRACT),
    Block("abstract_results", "Results", ("population", "accrual", "baseline", "response", "mrd", "survival",
                                          "safety"), False, A + "section.html.j2", pages=ABSTRACT),
    Block("abstract_conclusions", "Conclusions", (), False, A + "section.html.j2", pages=ABSTRACT),
    Block("abstract_table", "Table of key results", ("response", "mrd", "survival"), False, A + "table.html.j2",
          pages=ABSTRACT),
)}
