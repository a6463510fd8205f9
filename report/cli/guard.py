"""The CLI's consoles and its guard: failures mapped to exit codes, user text never read as markup."""
from __future__ import annotations

import errno
import functools
import os

import typer
from rich.console import Console
from rich.markup import escape

from ..archive.store import ArchiveError
from ..errors import InputError
from ..inputs.source_date import source_date

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

# What a command stopped by bad input has not done; commands not named here write nothing.
NOT_DONE = {"build": "nothing was written", "init": "nothing was written", "watch": "nothing was written", "send": "nothing was sent",
            "archive_reindex": "the index was not changed"}


def guarded(command):
    """Map failures to exit codes: 2 for bad input (every problem listed), 1 otherwise.
    Text from users and data is printed as it is, never read as Rich markup."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            source_date()  # a malformed SOURCE_DATE_EPOCH is bad input, before any library reads it
            return command(*args, **kwargs)
        except InputError as exc:
            report_problems(exc, NOT_DONE.get(command.__name__))
            raise typer.Exit(2) from None
        except typer.Exit:
            raise
        except ArchiveError as exc:
            err.print(f"[red]Archive damaged:[/red] {escape(str(exc))}", highlight=False)
            raise typer.Exit(1) from None
        except OSError as exc:  # disk full, permissions: the machine's problem, not a bug
            where = f"{exc.filename}: " if exc.filename else ""
            reason = exc.strerror or str(exc)
            if exc.errno == errno.ENOSPC and "out of space" not in reason:
                reason = f"out of space ({reason})"
            err.print(f"[red]Could not write:[/red] {escape(f'{where}{reason}')}. Nothing was published; "
                      "earlier versions are untouched.", highlight=False)
            raise typer.Exit(1) from None
        except Exception as exc:  # the last line of defence: no tracebacks for users
            if os.environ.get("TRIALREPORT_DEBUG"):
                raise
            err.print(f"[red]Internal error:[/red] {escape(f'{type(exc).__name__}: {exc}')}", highlight=False)
            err.print("Set TRIALREPORT_DEBUG=1 to see the traceback, and please report it.")
            raise typer.Exit(1) from None

    return run


def report_problems(exc: InputError, not_done: str | None = None) -> None:
    """Every problem, one a line, after their count and what was not done because of them."""
    count = len(exc.problems)
    after = f"; {not_done}." if not_done else ""
    err.print(f"[red bold]{count} problem{'s' if count != 1 else ''} found[/red bold]{after}", highlight=False)
    for problem in exc.problems:
        err.print(f"  - {problem}", markup=False, highlight=False)
