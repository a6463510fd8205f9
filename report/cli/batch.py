"""Many trials in one command (`trialreport build DIR1 DIR2 ...`), one process per core.

Each process imports the stack once and builds whole trials, rendering its PDFs itself,
so the reports of a batch are analysed, drawn and laid out side by side. The archive
already takes concurrent builds: the index's transaction gives each its own version and
its own place in the hash chain (report.archive.chain).

With `scheduler` (an address, `--scheduler tcp://host:8786`), the same builds are tasks of
a Dask distributed cluster (`pip install "trialreport[dask]"`): each task one trial, run by
whichever worker Dask chooses, through Dask's own executor (Client.get_executor, the
concurrent.futures interface); nothing of the scheduling is trialreport's. The workers must
see the trial folders and the output folder at the same paths (a shared file system), and
each appends its version to the archive through the index's own transaction, as here.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

from ..errors import InputError, Problem


@dataclass(frozen=True)
class Outcome:
    """One trial of a batch: what was built, or the problems that stopped it."""
    trial_dir: Path | None
    summary: str = ""  # e.g. "S1318 summary report, data cutoff 2018-07-31"
    notes: tuple[str, ...] = ()
    files: tuple[Path, ...] = ()
    problems: tuple[Problem, ...] = ()


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def processes_for(trials: int) -> int:
    """How many processes a batch of `trials` gets: one per available core, at most one per trial."""
    return max(1, min(trials, available_cores()))


def build_all(trial_dirs: list[Path | None], cutoff: str | None, data: Path | None, options: dict,
              processes: int, scheduler: str | None = None) -> Iterator[Outcome]:
    """Each trial's outcome, in the order given, as soon as it and those before it are done."""
    where = _absolute if scheduler else (lambda path: path)  # a cluster's worker may run in another folder
    options = {**options, "out": where(options["out"])}
    if scheduler:  # the batch's date, not each worker's clock or environment
        from ..kinds.common import report_date

        options["on"] = report_date()
    with _executor(processes, scheduler) as pool:
        futures = [pool.submit(build_one, where(d), cutoff, where(data), options) for d in trial_dirs]
        for trial_dir, future in zip(trial_dirs, futures):
            yield replace(future.result(), trial_dir=trial_dir)


@contextmanager
def _executor(processes: int, scheduler: str | None) -> Iterator[Executor]:
    if scheduler is None:
        context = multiprocessing.get_context("spawn")  # fork would copy the parent's threads' locks
        with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
            yield pool
        return
    from distributed import Client

    try:
        client = Client(scheduler, set_as_default=False, timeout="10s")
    except (OSError, ValueError) as exc:  # nothing listening there; not an address
        raise InputError(Problem("--scheduler", f"no Dask scheduler answered at {scheduler} ({exc})")) from None
    with client, client.get_executor(pure=False) as pool:
        yield pool


def _absolute(path: Path | None) -> Path | None:
    return None if path is None else Path(path).absolute()


def build_one(trial_dir: Path | None, cutoff: str | None, data: Path | None, options: dict) -> Outcome:
    """Load and build one trial (in a batch process)."""
    from ..compose import build
    from ..inputs.trial import load_trial

    try:
        trial = load_trial(trial_dir, cutoff=cutoff, data=data)
        bundle = build(trial, **options)
    except InputError as exc:
        return Outcome(trial_dir, problems=tuple(exc.problems))
    return built(trial_dir, trial, bundle, options["kind"])


def built(trial_dir: Path | None, trial, bundle, kind: str) -> Outcome:
    """The outcome of a trial that was built."""
    return Outcome(trial_dir, f"{trial.spec.trial.id} {kind} report, data cutoff {trial.cutoff}",
                   bundle.notes, bundle.files)
