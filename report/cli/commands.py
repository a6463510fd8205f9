"""The `trialreport` command: a thin shell over the Python API (DESIGN section 3)."""
from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path
from typing import NoReturn, Optional

import typer
from rich.markup import escape

from .archive_commands import archive_app
from .guard import NOT_DONE, err, guarded, out, report_problems
from .init_command import init
from ..errors import InputError, Problem

# Help in plain text: typer's Rich help shows a type (<bool>) on flags, which take no value.
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Clinical trial reports from patient-level data.",
)
app.add_typer(archive_app, name="archive")
app.command(name="init")(init)
TrialDir = typer.Argument(None, help="Trial folder with trial.toml (default: this folder where it holds a trial.toml, "
                          "else the bundled S1318 example).")
Cutoff = typer.Option(None, "--cutoff", help="Data cutoff, YYYY-MM-DD (default: the spec's, else the last date in the data).")
Data = typer.Option(None, "--data", help="Folder of the data files (overrides the path in the spec's source section).")


@app.command()
@guarded
def build(
    trial_dirs: Optional[list[Path]] = typer.Argument(
        None, help="Trial folders with trial.toml; several are built side by side, one process per core "
        "(default: this folder where it holds a trial.toml, else the bundled S1318 example)."),
    kind: str = typer.Option("summary", "--kind", help="Report kind: summary, dsmb or abstract."),
    fmt: Optional[str] = typer.Option(None, "--format", help="Comma-separated formats: pdf, html, docx (the report in Word), rtf (each table as an RTF file; "
                                       "for dsmb only with --no-encrypt), pdf-submission (PDF/A-2b for a submission; dsmb: the "
                                       "open report only); abstract: also txt. Default: pdf, html (abstract: txt, html, pdf, docx)."),
    cutoff: Optional[str] = Cutoff,
    out_dir: Path = typer.Option(Path("output"), "--out", help="Root folder of the bundles."),
    data: Optional[Path] = Data,
    max_chars: Optional[int] = typer.Option(None, "--max-chars", min=1, max=100_000,  # spec.MAX_CHARS
                                            help="Abstract: override the meeting's character limit."),
    no_encrypt: bool = typer.Option(
        False, "--no-encrypt", help="DSMB: write the closed report unencrypted (default: encrypt with TRIALREPORT_CLOSED_PASSWORD)."
    ),
    mock: bool = typer.Option(
        False, "--mock", help="A mock shell for review before data lock: the report's structure (arms, blocks, row "
        "labels) with every number a placeholder (xx, xx.x) and every figure a placeholder, marked MOCK SHELL on "
        "every page; written to OUT/<trial>/<kind>/mock/, never archived, the closed DSMB report in clear (it holds "
        "no number). No results.json, ard.csv or Word file."),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="Address of a Dask distributed scheduler (tcp://host:8786): each trial one task on "
        "its workers, which must see the trial and output folders at the same paths (pip install 'trialreport[dask]')."),
) -> None:
    """Build a report bundle and print the paths written."""
    from contextlib import ExitStack

    from .batch import build_all, processes_for

    options = {**_build_options(kind, fmt, out_dir, max_chars, no_encrypt), **({"mock": True} if mock else {})}
    dirs = trial_dirs or [default_trial()]
    if len(dirs) == 1 and scheduler is None:
        with ExitStack() as cleanup:
            _build_one(dirs[0], cutoff, data, options, _Renderer(cleanup, options))
        return
    processes = processes_for(len(dirs))
    failed = []
    where = f"on the Dask cluster at {scheduler}" if scheduler else f"in {processes} processes"
    with err.status(f"Building {len(dirs)} trial(s) {where}"):
        for outcome in build_all(dirs, cutoff, data, options, processes, _dask_scheduler(scheduler)):
            if outcome.problems:
                err.print(f"[red]{escape(_source(outcome.trial_dir))}:[/red] not built; nothing was written for it",
                          highlight=False)
                report_problems(InputError(list(outcome.problems)))
                failed.append(_source(outcome.trial_dir))
            else:
                _announce(outcome)
    if failed:
        err.print(f"{len(dirs) - len(failed)} of {len(dirs)} trials built; nothing was written for {', '.join(failed)}.",
                  markup=False, highlight=False)
        raise typer.Exit(2)


def _dask_scheduler(address: str | None) -> str | None:
    """The address, once Dask is known to be installed (else InputError: exit 2, saying how)."""
    if address is not None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise InputError(Problem("--scheduler", "needs Dask distributed: pip install 'trialreport[dask]'")) from None
    return address


@app.command()
@guarded
def watch(
    trial_dir: Optional[Path] = TrialDir,
    kind: str = typer.Option("summary", "--kind", help="Report kind: summary, dsmb or abstract."),
    fmt: Optional[str] = typer.Option(None, "--format", help="Comma-separated formats, as for build (default: the kind's, as for build)."),
    cutoff: Optional[str] = Cutoff,
    out_dir: Path = typer.Option(Path("output"), "--out", help="Root folder of the bundles."),
    data: Optional[Path] = Data,
    no_encrypt: bool = typer.Option(False, "--no-encrypt", help="DSMB: write the closed report unencrypted."),
    interval: float = typer.Option(0.2, "--interval", min=0.05, max=3600, help="Seconds between checks for changes."),
) -> None:
    """Build, then rebuild whenever trial.toml, a data file or a template changes (Ctrl-C stops)."""
    from contextlib import ExitStack

    from ..inputs.narrative_sources import declared_files
    from ..inputs.spec import load_spec
    from ..inputs.style_files import style_paths
    from ..inputs.user_templates import folder_of
    from .watch import watch as watch_files
    from .watch import watched_files

    from ..resources import bundled_trial

    options = {**_build_options(kind, fmt, out_dir, None, no_encrypt), "preview": True}
    trial_dir = trial_dir or default_trial() or bundled_trial("s1318")
    data_dir = data

    own_templates, narrative, style = None, [], []

    def files() -> list[Path]:
        nonlocal data_dir, own_templates, narrative, style
        try:  # the data and templates folders (and style and narrative files) the spec names now; the last ones known if it is broken
            spec = load_spec(trial_dir)
            data_dir = data or trial_dir / spec.source.path
            own_templates = folder_of(trial_dir, spec.report.templates)
            narrative = declared_files(trial_dir, spec)
            style = list(style_paths(trial_dir, spec.report.style).values())
        except InputError:
            pass
        return sorted(set(watched_files(trial_dir, data_dir, own_templates)) | set(style)
                      | {p for p in narrative if p.is_file()})

    def rebuild(changes: list[Path]) -> None:
        if changes:
            err.print("Changed: " + ", ".join(p.name for p in changes[:5]) + (" ..." if len(changes) > 5 else ""),
                      markup=False, highlight=False)
        try:
            _build_one(trial_dir, cutoff, data, options, renderer)
        except InputError as exc:
            report_problems(exc, NOT_DONE["watch"])
            err.print("Not built; waiting for the next change.")

    with ExitStack() as cleanup:
        renderer = _Renderer(cleanup, options)
        err.print(f"Watching {trial_dir} (spec, data and templates); Ctrl-C stops.", markup=False, highlight=False)
        err.print(f"Live preview, open it once and it reloads itself: {out_dir}/<trial>/{kind}/preview/",
                  markup=False, highlight=False)
        try:
            watch_files(files, rebuild, interval=interval)
        except KeyboardInterrupt:
            err.print("Stopped watching.")


def _build_options(kind: str, fmt: str | None, out_dir: Path, max_chars: int | None, no_encrypt: bool) -> dict:
    formats = tuple(f.strip().lower() for f in fmt.split(",") if f.strip()) if fmt else None
    return {"kind": kind, "formats": formats, "out": out_dir, "command": ["trialreport", *sys.argv[1:]],
            "encrypt": not no_encrypt, "max_chars": max_chars}


def _build_one(trial_dir: Path | None, cutoff: str | None, data: Path | None, options: dict, renderer) -> None:
    """Load, build and announce one trial's bundle; InputError for bad input."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from .batch import built
    from ..compose import build as build_bundle
    from ..inputs.trial import load_trial

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=True) as progress:
        task = progress.add_task("Loading trial")
        trial = load_trial(trial_dir, cutoff=cutoff, data=data)
        bundle = build_bundle(trial, on_step=lambda name: progress.update(task, description=name),
                              render_pdfs=renderer(), **options)
    _announce(built(trial_dir, trial, bundle, options["kind"]))


def _announce(outcome) -> None:
    """'Built ... from FOLDER' and the notes on standard error; the paths written on standard output."""
    err.print(f"[green]Built[/green] {escape(outcome.summary)}, from {escape(_source(outcome.trial_dir))}", highlight=False)
    for note in outcome.notes:
        err.print(note, markup=False, highlight=False)
    for path in outcome.files:
        print(path, flush=True)


def default_trial() -> Path | None:
    """The trial a command takes when given none: this folder where it holds a trial.toml, else
    None (the bundled S1318 example)."""
    return Path(".") if Path("trial.toml").is_file() else None


def _source(trial_dir: Path | None) -> str:
    """The folder a trial was read from, as the user named it."""
    return str(trial_dir) if trial_dir is not None else "the bundled S1318 example"


class _Renderer:
    """The PDF worker (report.render.pdf_worker), started when the first trial has loaded, so
    that it warms up while that trial is analysed and drawn, and kept for every build after.
    A DSMB build gets a process for each of its two PDFs where there are two cores."""

    def __init__(self, cleanup, options: dict):
        from .batch import available_cores

        self._cleanup, self._render = cleanup, None
        self._wanted = (options["formats"] is None or options["kind"] == "dsmb"
                        or any(f.startswith("pdf") for f in options["formats"]))
        self._processes = 2 if options["kind"] == "dsmb" and available_cores() > 1 else 1

    def __call__(self):
        if self._wanted and self._render is None:
            from ..render.pdf_worker import PdfWorker

            self._render = self._cleanup.enter_context(PdfWorker(self._processes))
        return self._render


@app.command()
@guarded
def analyze(trial_dir: Optional[Path] = TrialDir, cutoff: Optional[str] = Cutoff, data: Optional[Path] = Data,
            ard: bool = typer.Option(False, "--ard", help="Print the ledger in long form (ard.csv) instead."),
            ars: bool = typer.Option(False, "--ars", help="Print the ledger as a CDISC ARS v1.0 reporting event "
                                     "(ars.json) instead.")) -> None:
    """Print the numbers ledger (results.json), or with --ard its long form (ard.csv), or with
    --ars its CDISC ARS reporting event (ars.json, describing the summary report), to standard output."""
    from ..blocks.ledger import results
    from ..inputs.trial import load_trial

    if ard and ars:
        raise InputError(Problem("analyze", "--ard and --ars: ask for one of them"))
    trial = load_trial(trial_dir or default_trial(), cutoff=cutoff, data=data)
    ledger = results(trial)
    if ard or ars:
        sys.stdout.buffer.write(_ars(trial, ledger.to_dict()) if ars else _ard(ledger.to_dict()))
        sys.stdout.flush()
        return
    sys.stdout.write(ledger.to_json())


def _ard(ledger: dict) -> bytes:
    from ..kinds.common import ard_csv

    return ard_csv(ledger)


def _ars(trial, ledger: dict) -> bytes:
    """ars.json of the ledger, describing the summary report as the spec lays it out (no files: none is written)."""
    from ..blocks.ars import ars_json
    from ..kinds.common import ars_report
    from ..kinds.kind import SUMMARY, laid_out

    return ars_json(ledger, ars_report("summary", "Trial summary", (), laid_out(SUMMARY, trial.spec, ledger)))


@app.command()
@guarded
def validate(trial_dir: Optional[Path] = TrialDir, data: Optional[Path] = Data) -> None:
    """Check the spec and the data; report every problem found."""
    from ..inputs.trial import load_trial
    from ..kinds.kind import check_report
    from ..kinds.narrative import validation_problems

    trial = load_trial(trial_dir or default_trial(), data=data)
    problems = validation_problems(trial)  # the narrative's references, against the ledger
    try:
        check_report(trial.spec, trial.directory)
    except InputError as exc:
        problems = list(exc.problems) + problems
    if problems:
        raise InputError(problems)
    events = "adverse events not collected" if trial.adverse_events is None else f"{len(trial.adverse_events)} adverse events"
    out.print(
        f"[green]OK[/green] {escape(trial.spec.trial.id)}: {len(trial.subjects)} patients, "
        f"{events}, data cutoff {trial.cutoff}", highlight=False
    )


@app.command()
@guarded
def send(
    bundle: Path = typer.Argument(..., help="A DSMB bundle folder (output/<trial>/dsmb/<cutoff>-v<N>)."),
    trial_dir: Optional[Path] = typer.Option(None, "--trial", help="Trial folder whose spec names the recipients "
                                             "(default: the spec the bundle was built from)."),
    public_key: Optional[Path] = typer.Option(None, "--public-key", help="An Ed25519 public key (PEM) kept outside "
                                              "the archive: the bundle must be signed with its private key."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything and say who would receive what; send nothing."),
) -> None:
    """Mail a DSMB bundle: the open report to the open list, the closed report to the closed list only."""
    from .mail import send_bundle, spec_for_bundle
    from ..inputs.spec import load_spec

    spec = load_spec(trial_dir if trial_dir is not None else spec_for_bundle(bundle).parent)
    report = send_bundle(bundle, spec, public_key=public_key, dry_run=dry_run)
    verb = "Sent" if report.sent else "Would send"
    for message in report.messages:
        out.print(f"{verb} the {message.report} report ({', '.join(message.attachments)}) to {', '.join(message.recipients)}",
                  markup=False, highlight=False)
        if message.refused:
            refused = escape(f"{report.server} refused {', '.join(message.refused)}")
            err.print(f"[yellow]Warning:[/yellow] {refused} for the {message.report} report", highlight=False)
    if not report.sent:
        out.print(f"Dry run: nothing was sent (server {report.server}, from {report.sender}; subjects: "
                  + "; ".join(f"{m.subject!r}" for m in report.messages) + ").", markup=False, highlight=False)


def main() -> None:
    """Run the command; SystemExit with its exit code, as any Typer application."""
    app()


def run() -> NoReturn:
    """`trialreport` and `python -m report`: `main`, then end the process without tearing the
    interpreter down. Freeing every module and object of pandas, matplotlib and their kin
    costs a short command a fifth of its time and does nothing that a process's end does
    not: the exit handlers still run (temporary folders, logging) and the output is flushed."""
    try:
        main()
        code = 0
    except SystemExit as stop:
        code = stop.code
    _exit_now(code)


def _exit_now(code: int | str | None) -> NoReturn:
    if isinstance(code, str):
        print(code, file=sys.stderr)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can reach it
            pass
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)
