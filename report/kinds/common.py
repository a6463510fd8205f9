"""What every report kind shares: the job it renders, what it returns, and the page a template sees."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..archive.bundle import _version
from ..archive.signing import shown
from ..inputs.source_date import source_date
from ..inputs.trial import Trial
from ..inputs.style_files import style_paths
from ..inputs.user_templates import folder_of
from ..layout.mock import mocking
from .kind import KINDS as CATALOGUE

FORMATS = {k.id: k.formats for k in CATALOGUE.values()}  # the formats each kind writes by default
WRITES = {k.id: k.writes for k in CATALOGUE.values()}  # and every one it can write (--format)
KINDS = tuple(FORMATS)
EMBED_INPUTS_MAX_BYTES = 10 * 2**20
SUBMISSION = "pdf-submission"  # the format of a submission PDF (report.render.render.pdf_bytes, submission=True)


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
    render_pdfs: Callable[[list[tuple[str, dict]]], list[bytes]] | None = None  # e.g. a PdfWorker
    preview: Callable[[dict[str, bytes]], None] | None = None  # watch: given the HTML pages before the PDFs

    def show_preview(self, files: dict[str, bytes]) -> None:
        """The HTML pages among `files`, to the preview where the job has one (`watch`)."""
        pages = {name: data for name, data in files.items() if name.endswith(".html")}
        if self.preview and pages:
            self.preview(pages)

    def pdfs(self, requests: list[tuple[str, dict]]) -> list[bytes]:
        """`render.pdf_bytes(html, **options)` for each (html, options), in this process
        unless the job was given a renderer."""
        return self.start_pdfs(requests)()

    def start_pdfs(self, requests: list[tuple[str, dict]]) -> Callable[[], list[bytes]]:
        """`pdfs(requests)` started: the callable returned waits for them. Given a renderer
        that can start them (a PdfWorker), they render while this process goes on; else they
        are rendered when waited for."""
        from ..render.render import pdf_bytes

        folder = user_templates(self.trial)
        if folder is not None:  # its files (a logo, a font) may be read, as the shipped templates' are
            requests = [(html, {**options, "templates": str(folder)}) for html, options in requests]
        if hasattr(self.render_pdfs, "start"):
            return self.render_pdfs.start(requests)
        if self.render_pdfs:
            return lambda: self.render_pdfs(requests)
        return lambda: [pdf_bytes(html, **options) for html, options in requests]

    def pdf(self, html: str, **options) -> bytes:
        return self.pdfs([(html, options)])[0]


@dataclass(frozen=True)
class Rendered:
    files: dict[str, bytes]
    notes: tuple[str, ...] = ()
    manifest: dict = field(default_factory=dict)  # what the kind adds to the manifest


def ard_csv(ledger: dict, open_side: bool = False) -> bytes:
    """ard.csv (DESIGN section 7a): the ledger in long form, as the listings' CSV (CRLF, UTF-8,
    text cells inert in a spreadsheet); `open_side`: the open-safe blocks' rows only."""
    from ..blocks.ledger import ard
    from ..layout.ard import COLUMNS
    from ..render.spreadsheet import csv_bytes

    return csv_bytes(ard(ledger, open_side), COLUMNS)


def ard_and_ars(ledger: dict, report, open_side: bool = False) -> dict[str, bytes]:
    """ard.csv and ars.json (DESIGN section 7a) from the same rows of the ledger: every row of
    one is an OperationResult of the other. `report`: the report.blocks.ars.Report the ARS
    describes (its files and laid-out blocks); `open_side`: the open-safe blocks' rows only."""
    from ..blocks.ars import ars_json
    from ..blocks.ledger import ard
    from ..layout.ard import COLUMNS
    from ..render.spreadsheet import csv_bytes

    rows = ard(ledger, open_side)
    return {"ard.csv": csv_bytes(rows, COLUMNS), "ars.json": ars_json(ledger, report, open_side, rows)}


def ars_report(name: str, title: str, formats: tuple[str, ...], laid=None):
    """The report an ars.json describes: `<name>.<format>` for each format written, and its blocks as laid out."""
    from ..blocks.ars import Report

    return Report(name, title, tuple(f"{name}.{f}" for f in formats), tuple(laid) if laid is not None else None)


def archival_attachments(job: Job, results_json: bytes, with_data: bool = True,
                         ard: bytes | None = None) -> dict[str, bytes]:
    """Embedded in archival PDFs: the ledger, its long form (ard.csv, where given), the
    provenance and (unless confidential) the inputs.

    Inputs larger than EMBED_INPUTS_MAX_BYTES in all stay out of the PDF, which would
    otherwise grow by megabytes and take seconds to compress; the provenance still names
    them by hash and the archive's store keeps them.
    """
    if mocking():  # a mock shell's PDF carries no numbers
        return {}
    files = {"results.json": results_json, **({"ard.csv": ard} if ard is not None else {}),
             "provenance.json": _json_bytes(job.provenance)}
    if with_data and sum(path.stat().st_size for path in job.trial.inputs) <= EMBED_INPUTS_MAX_BYTES:
        files.update({path.name: path.read_bytes() for path in job.trial.inputs})
    return files


def _json_bytes(value: dict) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True) + "\n").encode("utf-8")


def html_and_pdf(job: Job, stem: str, html: str, results_json: bytes, figures: dict[str, str],
                 ard: bytes | None = None) -> dict[str, bytes]:
    """`<stem>.html`, the archival `<stem>.pdf` (embedding the ledger and `ard`) and the submission
    `<stem>-submission.pdf` (PDF/A-2b, nothing embedded), as the job's formats ask."""
    from ..render.render import figures_as_images

    files = {}
    if "html" in job.formats:
        files[f"{stem}.html"] = html.encode("utf-8")
        job.show_preview(files)
    if "pdf" in job.formats:
        job.step("Rendering PDF")
        attachments = archival_attachments(job, results_json, ard=ard)
        files[f"{stem}.pdf"] = job.pdf(figures_as_images(html, figures), archival=True, attachments=attachments,
                                       on=job.on)
    if SUBMISSION in job.formats:
        files[f"{stem}-submission.pdf"] = job.pdf(figures_as_images(html, figures), submission=True, on=job.on)
    return files


def word_and_rtf(job: Job, stem: str, html: str, figures: dict[str, str], images: dict[str, bytes],
                 password: str | None = None) -> dict[str, bytes]:
    """`<stem>.docx` (encrypted with `password` where given) and `<stem>-table-NN-<section>.rtf`
    for each of the report's tables, as the job's formats ask: from the report's final HTML, so
    their words and numbers are the PDF's. `images`: each figure as PNG, by name."""
    if "docx" not in job.formats and "rtf" not in job.formats:
        return {}
    from ..render.document import elements, figure_placeholders

    spec, files = job.trial.spec, {}
    found = elements(figure_placeholders(html, figures))
    if "docx" in job.formats:
        from ..render.docx_report import report_docx, word_style

        job.step("Writing Word")
        data = report_docx(found, images, job.on, spec.report.paper, word_style(spec, job.trial.directory))
        if password:
            from ..render.encrypt import encrypted_docx

            data = encrypted_docx(data, password)
        files[f"{stem}.docx"] = data
    if "rtf" in job.formats:
        from ..render.rtf_tables import table_files

        job.step("Writing RTF tables")
        style = spec.report.style
        footer = " ".join(t for t in (style.confidentiality, style.footer) if t)
        files.update({f"{stem}-table-{name}": data for name, data in
                      table_files(found, spec.report.paper, footer, style.numbering).items()})
    return files


def page_for(trial: Trial, ledger: dict, figures: dict[str, str], caption_suffix: str = "",
             extra: dict | None = None, on: dt.date | None = None, signed: dict | None = None):
    """What a template may show: the ledger, the spec's text and figures (the blocks' views, with their
    tables, come in `extra`: report.kinds.kind.laid_out)."""
    from ..render.render import Page

    return Page(
        r=ledger,
        spec=trial.spec.model_dump(mode="json"),
        figures=figures,
        generated_on=on or report_date(),
        version=_package_version(),
        caption_suffix=caption_suffix,
        extra=extra or {},
        signed=shown(signed),
        templates=user_templates(trial),
        style_files=style_files(trial),
        numbering=numbering(trial),
    )


def style_files(trial: Trial) -> dict[str, tuple[str, bytes]]:
    """The files of the spec's house style ([report.style] logo, font, font_bold): key -> (name, bytes)."""
    paths = style_paths(trial.directory, trial.spec.report.style)
    return {key: (path.name, path.read_bytes()) for key, path in paths.items()}


def numbering(trial: Trial) -> bool | None:
    """[report.style] numbering where the spec writes it; None where it leaves it to the stylesheet."""
    style = trial.spec.report.style
    return style.numbering if "numbering" in style.model_fields_set else None


def user_templates(trial: Trial) -> Path | None:
    """The trial's own templates folder ([report] templates), resolved; None without one."""
    return folder_of(trial.directory, trial.spec.report.templates)


def summary_figures(ledger: dict) -> dict[str, str]:
    """The figures of the summary's default blocks: Kaplan-Meier by endpoint (a curve per arm
    where there are arms), cumulative incidence, time on study, AEs by grade, ..."""
    from ..blocks.catalogue import BLOCKS
    from .kind import SUMMARY

    drawn = {}
    for block_id in SUMMARY.blocks:
        drawn.update(BLOCKS[block_id].drawn(ledger, SUMMARY.context()))
    return drawn


def report_date() -> dt.date:
    """Today (UTC), or the date of SOURCE_DATE_EPOCH for reproducible builds (report.inputs.source_date)."""
    return source_date() or dt.datetime.now(dt.timezone.utc).date()


def _package_version() -> str:
    return _version("trialreport") or "0+unknown"
