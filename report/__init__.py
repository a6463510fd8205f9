"""trialreport: clinical trial reports from patient-level data.

    import report
    trial = report.load_trial("data/s1318", cutoff="2018-07-31")
    results = report.analyze(trial)          # the numbers ledger; results.to_json()
    bundle = report.build(trial, kind="summary", formats=("pdf", "html"))
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .inputs.source_date import unset_if_empty

unset_if_empty()  # SOURCE_DATE_EPOCH= (empty) means unset, here and in every library that reads it

__all__ = ["load_trial", "analyze", "build", "InputError"]

if TYPE_CHECKING:
    from .blocks.ledger import results as analyze
    from .compose import build
    from .errors import InputError
    from .inputs.trial import load_trial

# name -> (module, its name there); `analyze` is the ledger with every block's part.
_HOMES = {"load_trial": ("inputs.trial", "load_trial"), "analyze": ("blocks.ledger", "results"),
          "build": ("compose", "build"), "InputError": ("errors", "InputError")}


def __getattr__(name: str):
    # Imported on first use, so `import report` stays cheap for the CLI and notebooks.
    if name in _HOMES:
        from importlib import import_module

        module, attribute = _HOMES[name]
        return getattr(import_module(f".{module}", __name__), attribute)
    raise AttributeError(f"module 'report' has no attribute {name!r}")
