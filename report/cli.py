"""The `trialreport` command: a thin shell over the Python API (DESIGN section 3)."""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from .errors import InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Clinical trial reports from patient-level data.",
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

def guarded(command):
    """Map failures to exit codes: 2 for bad input (every problem listed), 1 otherwise."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as exc:
            _report_problems(exc)
            raise typer.Exit(2) from None
        except Exception as exc:  # the last line of defence: no tracebacks for users
            if os.environ.get("TRIALREPORT_DEBUG"):
                raise
            err.print(f"[red]Internal error:[/red] {type(exc).__name__}: {exc}", markup=True, highlight=False)
            err.print("Set TRIALREPORT_DEBUG=1 to see the traceback, and please report it.")
            raise typer.Exit(1) from None

    return run


TrialDir = typer.Argument(None, help="Trial folder with trial.toml (default: the bundled S1318 example).")
Cutoff = typer.Option(None, "--cutoff", help="Data cutoff, YYYY-MM-DD (default: the spec's, else the last date in the data).")
Data = typer.Option(None, "--data", help="Folder of the data files (overrides the spec's [source] path).")


@app.command()
@guarded
def build(
    trial_dir: Optional[Path] = TrialDir,
    kind: str = typer.Option("summary", "--kind", help="Report kind: summary, dsmb or abstract."),
    fmt: Optional[str] = typer.Option(None, "--format", help="Comma-separated formats: pdf, html (abstract: also txt, docx). Default: all the kind writes."),
    cutoff: Optional[str] = Cutoff,
    out_dir: Path = typer.Option(Path("output"), "--out", help="Root folder of the bundles."),
    data: Optional[Path] = Data,
    max_chars: Optional[int] = typer.Option(None, "--max-chars", help="Abstract: override the meeting's character limit."),
    no_encrypt: bool = typer.Option(
        False, "--no-encrypt", help="DSMB: write the closed report unencrypted (default: encrypt with TRIALREPORT_CLOSED_PASSWORD)."
    ),
) -> None:
    """Build a report bundle and print the paths written."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from .build import build as build_bundle
    from .trial import load_trial

    formats = tuple(f.strip().lower() for f in fmt.split(",") if f.strip()) if fmt else None
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=True) as progress:
        task = progress.add_task("Loading trial")
        trial = load_trial(trial_dir, cutoff=cutoff, data=data)
        bundle = build_bundle(
            trial, kind=kind, formats=formats, out=out_dir,
            on_step=lambda name: progress.update(task, description=name),
            command=["trialreport", *sys.argv[1:]],
            encrypt=not no_encrypt,
            max_chars=max_chars,
        )
    err.print(f"[green]Built[/green] {trial.spec.trial.id} {kind} report, data cutoff {trial.cutoff}")
    for note in bundle.notes:
        err.print(note, markup=False, highlight=False)
    for path in bundle.files:
        print(path)


@app.command()
@guarded
def analyze(trial_dir: Optional[Path] = TrialDir, cutoff: Optional[str] = Cutoff, data: Optional[Path] = Data) -> None:
    """Print the numbers ledger (results.json) to standard output."""
    from .analysis import analyze as analyze_trial
    from .trial import load_trial

    sys.stdout.write(analyze_trial(load_trial(trial_dir, cutoff=cutoff, data=data)).to_json())


@app.command()
@guarded
def validate(trial_dir: Optional[Path] = TrialDir, data: Optional[Path] = Data) -> None:
    """Check the spec and the data; report every problem found."""
    from .trial import load_trial

    trial = load_trial(trial_dir, data=data)
    out.print(
        f"[green]OK[/green] {trial.spec.trial.id}: {len(trial.subjects)} patients, "
        f"{len(trial.adverse_events)} adverse events, data cutoff {trial.cutoff}"
    )


@app.command()
@guarded
def send(
    bundle: Path = typer.Argument(..., help="A DSMB bundle folder (output/<trial>/dsmb/<cutoff>-v<N>)."),
    trial_dir: Optional[Path] = typer.Option(None, "--trial", help="Trial folder whose spec names the recipients "
                                             "(default: the spec the bundle was built from)."),
) -> None:
    """Mail a DSMB bundle: the open report to the open list, the closed report to the closed list only."""
    from .mail import send_bundle, spec_for_bundle
    from .spec import load_spec

    spec = load_spec(trial_dir if trial_dir is not None else spec_for_bundle(bundle).parent)
    report = send_bundle(bundle, spec)
    for message in report.messages:
        out.print(f"Sent the {message.report} report ({', '.join(message.attachments)}) to {', '.join(message.recipients)}",
                  markup=False, highlight=False)
        if message.refused:
            err.print(f"[yellow]Warning:[/yellow] {report.server} refused {', '.join(message.refused)} "
                      f"for the {message.report} report", highlight=False)


def main() -> None:
    app()


def _report_problems(exc: InputError) -> None:
    count = len(exc.problems)
    err.print(f"[red bold]{count} problem{'s' if count != 1 else ''} found[/red bold]; nothing was written.")
    for problem in exc.problems:
        err.print(f"  - {problem}", markup=False, highlight=False)
