"""`build`: a loaded trial in, a bundle of finished reports out."""
from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .analysis import analyze
from .bundle import manifest, write_bundle
from .errors import InputError, Problem
from .ledger import Results
from .trial import Trial

KINDS = ("summary",)
FORMATS = ("pdf", "html")


@dataclass(frozen=True)
class Bundle:
    directory: Path
    files: tuple[Path, ...]
    results: Results


def build(
    trial: Trial,
    kind: str = "summary",
    formats: tuple[str, ...] = FORMATS,
    out: str | Path = "output",
    on_step: Callable[[str], None] | None = None,
    command: list[str] | None = None,
) -> Bundle:
    """Analyse, draw, lay out and render one report kind; write it as a new version."""
    _check_request(kind, formats)
    step = on_step or (lambda _: None)
    step("Analysing")
    results = analyze(trial)
    ledger = results.to_dict()
    step("Drawing figures")
    from .render import Page, pdf_bytes, render_html

    from .tables import arm_tables

    page = Page(
        r=ledger,
        spec=trial.spec.model_dump(mode="json"),
        figures=summary_figures(ledger),
        generated_on=report_date(),
        version=_package_version(),
        tables=arm_tables(ledger, trial.spec.report.ae_min_percent) if ledger["arms"] else {},
    )
    step("Laying out")
    html = render_html(f"{kind}.html.j2", page)
    files = {"results.json": results.to_json().encode("utf-8")}
    if "html" in formats:
        files[f"{kind}.html"] = html.encode("utf-8")
    if "pdf" in formats:
        step("Rendering PDF")
        files[f"{kind}.pdf"] = pdf_bytes(html)
    step("Writing bundle")
    info = manifest(
        trial_id=trial.spec.trial.id, kind=kind, cutoff=trial.cutoff,
        inputs=trial.inputs, command=command or sys.argv,
    )
    directory = write_bundle(Path(out) / trial.spec.trial.id / kind, trial.cutoff.isoformat(), files, info)
    written = tuple(directory / name for name in sorted(files)) + (directory / "manifest.json",)
    return Bundle(directory=directory, files=written, results=results)


def summary_figures(ledger: dict) -> dict[str, str]:
    """Kaplan-Meier figures by endpoint (one curve per arm where there are arms), AEs by grade."""
    from .figures import ae_grade_figure, km_arms_figure, km_figure, namespaced

    unit = ledger["methods"]["time_unit"].capitalize()
    figures = {}
    for name, block in ledger["survival"].items():
        endpoint = ledger["endpoints"][name]
        time_label = f"{unit} since {endpoint['origin']}"
        if ledger["arms"]:
            arms = {arm: ledger["by_arm"][arm]["survival"][name] for arm in ledger["arms"]}
            figures[f"km-{name}"] = km_arms_figure(arms, label=endpoint["label"], time_label=time_label)
        else:
            figures[f"km-{name}"] = km_figure(block, label=endpoint["label"], time_label=time_label)
    if not ledger["arms"]:
        figures["ae"] = ae_grade_figure(ledger["safety"]["terms"], n=ledger["safety"]["n"])
    return {name: namespaced(svg, f"fig-{name}") for name, svg in figures.items()}


def report_date() -> dt.date:
    """Today (UTC), or the date of SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.datetime.now(dt.timezone.utc).date()


def _check_request(kind: str, formats: tuple[str, ...]) -> None:
    problems = []
    if kind not in KINDS:
        problems.append(Problem("--kind", f"{kind!r} is not a report kind this version builds ({', '.join(KINDS)})"))
    for f in formats:
        if f not in FORMATS:
            problems.append(Problem("--format", f"{f!r} is not an output format ({', '.join(FORMATS)})"))
    if not formats:
        problems.append(Problem("--format", "name at least one output format"))
    if problems:
        raise InputError(problems)


def _package_version() -> str:
    from .bundle import _version

    return _version("trialreport") or "0+unknown"
