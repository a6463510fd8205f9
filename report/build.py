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

FORMATS = {  # the formats each kind can write; the default is all of them
    "summary": ("pdf", "html"),
    "dsmb": ("pdf", "html"),
    "abstract": ("txt", "html", "pdf", "docx"),
}
KINDS = tuple(FORMATS)


@dataclass(frozen=True)
class Bundle:
    directory: Path
    files: tuple[Path, ...]
    results: Results
    notes: tuple[str, ...] = ()  # what the CLI tells the user, e.g. an abstract's character count


def build(
    trial: Trial,
    kind: str = "summary",
    formats: tuple[str, ...] | None = None,
    out: str | Path = "output",
    on_step: Callable[[str], None] | None = None,
    command: list[str] | None = None,
    encrypt: bool = True,
    closed_password: str | None = None,
    max_chars: int | None = None,
) -> Bundle:
    """Analyse, draw, lay out and render one report kind; write it as a new version.

    For kind "dsmb" the closed report is encrypted with `closed_password`, by default
    the environment's TRIALREPORT_CLOSED_PASSWORD; `encrypt=False` writes it in clear.
    For kind "abstract", `max_chars` overrides the meeting's character limit.
    """
    formats = tuple(formats) if formats else FORMATS.get(kind, ())
    _check_request(kind, formats)
    password = None
    if kind == "dsmb" and encrypt:
        from .dsmb_report import closed_password as from_env

        password = closed_password or from_env(os.environ, encrypt)
    step = on_step or (lambda _: None)
    step("Analysing")
    results = analyze(trial)
    notes: tuple[str, ...] = ()
    if kind == "dsmb":
        from .dsmb_report import dsmb_files

        files = dsmb_files(trial, results, formats, Path(out), step, password)
    elif kind == "abstract":
        files, notes = _abstract_files(trial, results, formats, step, max_chars)
    else:
        files = _summary_files(trial, results, formats, step)
    step("Writing bundle")
    info = manifest(
        trial_id=trial.spec.trial.id, kind=kind, cutoff=trial.cutoff,
        inputs=trial.inputs, command=command or sys.argv,
    )
    info["encrypted"] = [f"{kind}-closed.pdf"] if password else []
    directory = write_bundle(Path(out) / trial.spec.trial.id / kind, trial.cutoff.isoformat(), files, info)
    written = tuple(directory / name for name in sorted(files)) + (directory / "manifest.json",)
    return Bundle(directory=directory, files=written, results=results, notes=notes)


def _summary_files(trial: Trial, results: Results, formats: tuple[str, ...], step) -> dict[str, bytes]:
    from .render import pdf_bytes, render_html

    ledger = results.to_dict()
    step("Drawing figures")
    page = page_for(trial, ledger, summary_figures(ledger))
    step("Laying out")
    html = render_html("summary.html.j2", page)
    files = {"results.json": results.to_json().encode("utf-8")}
    if "html" in formats:
        files["summary.html"] = html.encode("utf-8")
    if "pdf" in formats:
        step("Rendering PDF")
        files["summary.pdf"] = pdf_bytes(html)
    return files


def _abstract_files(trial: Trial, results: Results, formats, step, max_chars: int | None):
    from .abstract import as_text, character_count, compose, rule_for
    from .docx_writer import abstract_docx
    from .render import pdf_bytes, render_html

    spec = trial.spec
    if spec.abstract is None:
        raise InputError(Problem("trial.toml", "abstract: no [abstract] section (meeting, conclusion)"))
    rule = rule_for(spec.abstract.meeting, spec.abstract.limit, max_chars)
    _check_rule(rule, spec.abstract.include_table)
    ledger = results.to_dict()
    abstract = compose(ledger, spec)
    count = character_count(abstract, rule)
    if count > rule.max_chars:
        raise InputError(Problem("abstract.txt", f"{count:,} characters under the {rule.describe()}; "
                                 f"the limit is {rule.max_chars:,}: {count - rule.max_chars:,} over"))
    step("Laying out")
    files = {"results.json": results.to_json().encode("utf-8")}
    if "txt" in formats:
        files["abstract.txt"] = as_text(abstract).encode("utf-8")
    html = render_html("abstract.html.j2", page_for(trial, ledger, {}, extra={"abstract": abstract, "rule": rule, "count": count}))
    if "html" in formats:
        files["abstract.html"] = html.encode("utf-8")
    if "pdf" in formats:
        step("Rendering PDF")
        files["abstract.pdf"] = pdf_bytes(html)
    if "docx" in formats:
        files["abstract.docx"] = abstract_docx(abstract, report_date())
    return files, (f"abstract.txt: {count:,} of {rule.max_chars:,} characters ({rule.describe()})",)


def _check_rule(rule, include_table: bool) -> None:
    problems = []
    if rule.max_chars <= 0:
        problems.append(Problem("trial.toml", "abstract.limit.max_chars: a custom rule needs a character limit"))
    if include_table and rule.tables < 1:
        problems.append(Problem("trial.toml", f"abstract.include_table: {rule.name} allows no table"))
    if problems:
        raise InputError(problems)


def page_for(trial: Trial, ledger: dict, figures: dict[str, str], caption_suffix: str = "", extra: dict | None = None):
    """What a template may show: the ledger, the spec's text, figures and per-arm tables."""
    from .render import Page
    from .tables import arm_tables

    return Page(
        r=ledger,
        spec=trial.spec.model_dump(mode="json"),
        figures=figures,
        generated_on=report_date(),
        version=_package_version(),
        tables=arm_tables(ledger, trial.spec.report.ae_min_percent) if ledger.get("arms") else {},
        caption_suffix=caption_suffix,
        extra=extra or {},
    )


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
        if kind in FORMATS and f not in FORMATS[kind]:
            problems.append(Problem("--format", f"{f!r} is not an output format of {kind} ({', '.join(FORMATS[kind])})"))
    if not formats:
        problems.append(Problem("--format", "name at least one output format"))
    if problems:
        raise InputError(problems)


def _package_version() -> str:
    from .bundle import _version

    return _version("trialreport") or "0+unknown"
