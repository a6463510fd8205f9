"""`build`: a loaded trial in, a bundle of finished reports out."""
from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .analysis import analyze
from .bundle import manifest, write_bundle
from .errors import InputError, Problem
from .ledger import Results, ledger_json
from .trial import Trial

FORMATS = {  # the formats each kind can write; the default is all of them
    "summary": ("pdf", "html"),
    "dsmb": ("pdf", "html"),
    "abstract": ("txt", "html", "pdf", "docx"),
}
KINDS = tuple(FORMATS)
EMBED_INPUTS_MAX_BYTES = 10 * 2**20


@dataclass(frozen=True)
class Bundle:
    directory: Path
    files: tuple[Path, ...]
    results: Results
    notes: tuple[str, ...] = ()  # what the CLI tells the user, e.g. an abstract's character count


@dataclass(frozen=True)
class Job:
    """One rendering: what to make, for which trial, dated when."""
    trial: Trial
    kind: str
    formats: tuple[str, ...]
    on: dt.date  # the report date: printed, and stamped in the files
    out_root: Path
    provenance: dict  # embedded in archival PDFs: inputs, templates and software, by hash
    password: str | None = None  # DSMB: encrypt the closed report with it
    max_chars: int | None = None  # abstract: override the limit
    previous: str | None = None  # DSMB: the archived version to compare with (pinned when reproducing)
    signed: dict | None = None  # the manifest's `signature` block (signer, signed_at): shown in the report
    step: Callable[[str], None] = lambda _: None
    render_pdfs: Callable[[list[tuple[str, dict]]], list[bytes]] | None = None  # e.g. a PdfWorker's

    def pdfs(self, requests: list[tuple[str, dict]]) -> list[bytes]:
        """`render.pdf_bytes(html, **options)` for each (html, options), in this process
        unless the job was given a renderer."""
        from .render import pdf_bytes

        if self.render_pdfs:
            return self.render_pdfs(requests)
        return [pdf_bytes(html, **options) for html, options in requests]

    def pdf(self, html: str, **options) -> bytes:
        return self.pdfs([(html, options)])[0]


@dataclass(frozen=True)
class Rendered:
    files: dict[str, bytes]
    notes: tuple[str, ...] = ()
    manifest: dict = field(default_factory=dict)  # what the kind adds to the manifest


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
    render_pdfs: Callable[[list[tuple[str, dict]]], list[bytes]] | None = None,
) -> Bundle:
    """Analyse, draw, lay out and render one report kind; archive it as a new version.

    For kind "dsmb" the closed report is encrypted with `closed_password`, by default
    the environment's TRIALREPORT_CLOSED_PASSWORD; `encrypt=False` writes it in clear.
    For kind "abstract", `max_chars` overrides the meeting's character limit.
    `render_pdfs` renders the PDFs, e.g. a `PdfWorker`'s; by default they are rendered here.
    """
    from . import archive
    from .chain import appending
    from .signing import signed_at, signer_from_env

    formats = tuple(formats) if formats else FORMATS.get(kind, ())
    _check_request(kind, formats)
    password = None
    if kind == "dsmb" and encrypt:
        from .dsmb_report import closed_password as from_env

        password = closed_password or from_env(os.environ, encrypt)
    signer = signer_from_env(os.environ)  # a bad key stops here, before anything is written
    signature = signer.block(signed_at(os.environ)) if signer else None
    root, on = Path(out), report_date()
    inputs = archive.input_entries(list(trial.inputs))
    job = Job(trial, kind, formats, on, root, provenance(trial, kind, on, inputs), password, max_chars,
              step=on_step or (lambda _: None), render_pdfs=render_pdfs, signed=signature)
    results = analyze(trial)
    rendered = render_files(job, results)  # in memory: bad input stops here, with nothing written
    job.step("Writing bundle")
    root.mkdir(parents=True, exist_ok=True)
    with appending(root) as chain:  # the index's write transaction: one version at a time joins the chain
        chain.snapshot(list(trial.inputs))
        info = {**job.provenance, **manifest(command=command or sys.argv), "formats": list(formats),
                "inputs": inputs, **rendered.manifest, "chain": chain.link(),
                **({"signature": signature} if signature else {})}
        directory = write_bundle(root / trial.spec.trial.id / kind, trial.cutoff.isoformat(), rendered.files, info,
                                 sign=signer.sign if signer else None)
        chain.record(directory)
    written = tuple(directory / name for name in sorted(rendered.files)) + (directory / "manifest.json",)
    started = (f"The archive's hash chain starts with this version; the {len(chain.legacy)} version(s) made before "
               "it are kept as unchained legacy versions, listed in its manifest.",) if chain.legacy else ()
    return Bundle(directory=directory, files=written, results=results, notes=rendered.notes + started)


def render_files(job: Job, results: Results) -> Rendered:
    """Every file of the bundle but the manifest, in memory."""
    job.step("Analysing")
    if job.kind == "dsmb":
        from .dsmb_report import dsmb_files

        return dsmb_files(job, results)
    if job.kind == "abstract":
        return _abstract_files(job, results)
    return _summary_files(job, results)


def provenance(trial: Trial, kind: str, on: dt.date, inputs: list[dict]) -> dict:
    """What a version was made from, by hash: the same for the same inputs and software."""
    from .bundle import software, template_hashes

    return {
        "trial": trial.spec.trial.id,
        "kind": kind,
        "data_cutoff": trial.cutoff.isoformat(),
        "generated_on": on.isoformat(),
        "input_hashes": [{"name": e["name"], "bytes": e["bytes"], "sha256": e["sha256"]} for e in inputs],
        "templates": template_hashes(),
        "software": software(),
    }


def archival_attachments(job: Job, results_json: bytes, with_data: bool = True) -> dict[str, bytes]:
    """Embedded in archival PDFs: the ledger, the provenance and (unless confidential) the inputs.

    Inputs larger than EMBED_INPUTS_MAX_BYTES in all stay out of the PDF, which would
    otherwise grow by megabytes and take seconds to compress; the provenance still names
    them by hash and the archive's store keeps them.
    """
    files = {"results.json": results_json, "provenance.json": _json_bytes(job.provenance)}
    if with_data and sum(path.stat().st_size for path in job.trial.inputs) <= EMBED_INPUTS_MAX_BYTES:
        files.update({path.name: path.read_bytes() for path in job.trial.inputs})
    return files


def _json_bytes(value: dict) -> bytes:
    import json

    return (json.dumps(value, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _summary_files(job: Job, results: Results) -> Rendered:
    from .render import render_html

    ledger = results.to_dict()
    job.step("Drawing figures")
    figures = summary_figures(ledger)
    page = page_for(job.trial, ledger, figures, on=job.on, signed=job.signed)
    job.step("Laying out")
    html = render_html("summary.html.j2", page)
    files = {"results.json": ledger_json(ledger).encode("utf-8")}
    return Rendered({**files, **_html_and_pdf(job, "summary", html, files["results.json"], figures)})


def _html_and_pdf(job: Job, stem: str, html: str, results_json: bytes, figures: dict[str, str]) -> dict[str, bytes]:
    """`<stem>.html` and the archival `<stem>.pdf`, as the job's formats ask."""
    from .render import figures_as_images

    files = {}
    if "html" in job.formats:
        files[f"{stem}.html"] = html.encode("utf-8")
    if "pdf" in job.formats:
        job.step("Rendering PDF")
        attachments = archival_attachments(job, results_json)
        files[f"{stem}.pdf"] = job.pdf(figures_as_images(html, figures), archival=True, attachments=attachments,
                                       on=job.on)
    return files


def _abstract_files(job: Job, results: Results) -> Rendered:
    from .abstract import as_text, character_count, compose, rule_for
    from .docx_writer import abstract_docx
    from .render import render_html

    spec = job.trial.spec
    if spec.abstract is None:
        raise InputError(Problem("trial.toml", "abstract: no [abstract] section (meeting, conclusion)"))
    rule = rule_for(spec.abstract.meeting, spec.abstract.limit, job.max_chars)
    _check_rule(rule, spec.abstract.include_table)
    ledger = results.to_dict()
    abstract = compose(ledger, spec)
    count = character_count(abstract, rule)
    if count > rule.max_chars:
        raise InputError(Problem("abstract.txt", f"{count:,} characters under the {rule.describe()}; "
                                 f"the limit is {rule.max_chars:,}: {count - rule.max_chars:,} over"))
    job.step("Laying out")
    files = {"results.json": ledger_json(ledger).encode("utf-8")}
    if "txt" in job.formats:
        files["abstract.txt"] = as_text(abstract).encode("utf-8")
    extra = {"abstract": abstract, "rule": rule, "count": count}
    html = render_html("abstract.html.j2", page_for(job.trial, ledger, {}, extra=extra, on=job.on, signed=job.signed))
    files.update(_html_and_pdf(job, "abstract", html, files["results.json"], {}))
    if "docx" in job.formats:
        files["abstract.docx"] = abstract_docx(abstract, job.on)
    note = f"abstract.txt: {count:,} of {rule.max_chars:,} characters ({rule.describe()})"
    return Rendered(files, (note,), {"rule": rule.name, "characters": count, "limit": rule.max_chars})


def _check_rule(rule, include_table: bool) -> None:
    problems = []
    if rule.max_chars <= 0:
        problems.append(Problem("trial.toml", "abstract.limit.max_chars: a custom rule needs a character limit"))
    if include_table and rule.tables < 1:
        problems.append(Problem("trial.toml", f"abstract.include_table: {rule.name} allows no table"))
    if problems:
        raise InputError(problems)


def page_for(trial: Trial, ledger: dict, figures: dict[str, str], caption_suffix: str = "",
             extra: dict | None = None, on: dt.date | None = None, signed: dict | None = None):
    """What a template may show: the ledger, the spec's text, figures and per-arm tables."""
    from .render import Page
    from .signing import shown
    from .tables import arm_tables

    return Page(
        r=ledger,
        spec=trial.spec.model_dump(mode="json"),
        figures=figures,
        generated_on=on or report_date(),
        version=_package_version(),
        tables=arm_tables(ledger, trial.spec.report.ae_min_percent) if ledger.get("arms") else {},
        caption_suffix=caption_suffix,
        extra=extra or {},
        signed=shown(signed),
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
    if not ledger["arms"] and ledger["safety"]["terms"] is not None:  # None: adverse events not collected
        figures["ae"] = ae_grade_figure(ledger["safety"]["terms"], n=ledger["safety"]["n"])
    return {name: namespaced(svg, f"fig-{name}") for name, svg in figures.items()}


def report_date() -> dt.date:
    """Today (UTC), or the date of SOURCE_DATE_EPOCH for reproducible builds (report.source_date)."""
    from .source_date import source_date

    return source_date() or dt.datetime.now(dt.timezone.utc).date()


def _check_request(kind: str, formats: tuple[str, ...]) -> None:
    if kind not in KINDS:  # alone: the formats depend on the kind
        raise InputError(Problem("--kind", f"{kind!r} is not a report kind this version builds ({', '.join(KINDS)})"))
    problems = []
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
