"""The command line (`trialreport`, `python -m report`): commands, batch builds, watch, mail.

`main`, `run`, `app` and `guarded` are imported on first use, so that a batch worker importing
report.cli.batch does not load Typer and Rich.
"""
from __future__ import annotations

__all__ = ["main", "run", "app", "guarded"]


def __getattr__(name: str):
    if name in __all__:
        from . import commands

        return getattr(commands, name)
    raise AttributeError(f"module 'report.cli' has no attribute {name!r}")
