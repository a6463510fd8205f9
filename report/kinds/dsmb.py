"""Kind `dsmb`: the open and closed reports of the monthly DSMB update, as of a cutoff.

The open report (for investigators) holds conduct and pooled safety only; the closed
report (board members only) adds efficacy, everything by arm and the stopping rules.
Its ledger travels inside the encrypted PDF, never in clear on disk; the bundle's
results.json is the open ledger.
"""
from __future__ import annotations

from ..analysis.dsmb_ledger import (
    CLOSED,
    OPEN,
    DsmbResults,
    dsmb_results,
    open_keys,
    previous_cutoff,  # noqa: F401 (report.compose fetches that cutoff's ledger)
)
from ..analysis.ledger import Results, ledger_json
from ..blocks.catalogue import BLOCKS
from ..errors import InputError, Problem
from ..inputs.trial import Trial
from ..layout.formatting import long_date
from ..layout.mock import mocking
from ..layout.dsmb_views import LISTING_CAP  # rows of a listing shown in a report; the full listing goes into the bundle
from .common import SUBMISSION, Job, Rendered, archival_attachments, ard_and_ars, ars_report, page_for, word_and_rtf
from .kind import DSMB_CLOSED, DSMB_OPEN, drawings, laid_out
from .narrative import manifest_entry, written

LISTINGS = {  # ledger key -> file name and columns of the full listing
    "serious_events": ("serious-adverse-events", ["subject_id", "term", "grade", "onset_on", "attribution"]),
    "deaths": ("deaths", ["subject_id", "died_on", "day", "cause"]),
}
# The open report's ledger holds what its open-safe blocks show, whatever the spec chooses of them.
OPEN_BLOCK_KEYS = tuple(dict.fromkeys(k for i in DSMB_OPEN.valid() for k in BLOCKS[i].keys))
OPEN_KEYS = open_keys(OPEN_BLOCK_KEYS)[0]  # the trial ledger's keys in the open ledger
CLOSED_LEDGER = "results-closed.json"  # the closed ledger: attached inside the closed report only


def dsmb_files(job: Job, results: Results, archived: tuple[bytes, str] | None = None,
               archived_closed: tuple[bytes | None, str] | None = None) -> Rendered:
    """The bundle's files; without `job.password` the closed report is not encrypted.

    `archived`: the archived open ledger (results.json) of the previous cutoff and its
    version id, as the archive's index holds it (fetched by report.compose), or None;
    `archived_closed`: that version's closed ledger (None where it could not be read) and id.
    """
    from ..render.encrypt import encrypted_pdf, with_attachments
    from ..render.render import figures_as_images, render_html

    trial, step = job.trial, job.step
    step("Comparing with the previous report")
    computed = dsmb_ledgers(trial, results, archived, archived_closed)
    open_ledger, closed_ledger = computed.open_ledger(), computed.closed_ledger()
    spec = trial.spec
    open_json, closed_json = _json(open_ledger), _json(closed_ledger)
    word = "docx" in job.formats
    text = written(trial, open_ledger, DSMB_OPEN.name)  # both pages: the user's text binds open-safe figures only
    note = f" (data cutoff {long_date(trial.cutoff)})"
    # The closed report first: its PDF, the longest, renders while the open report is drawn and laid out.
    step("Drawing figures")
    figures, closed_images = drawings(DSMB_CLOSED, spec, closed_ledger, closed_json, word)
    step("Laying out")
    closed_extra = _extra(DSMB_CLOSED, spec, closed_ledger, text)
    html_closed = render_html(DSMB_CLOSED.template, page_for(trial, closed_ledger, figures, note, closed_extra,
                                                             on=job.on, signed=job.signed))
    step("Rendering PDF")
    closed_pdfs = job.start_pdfs([(figures_as_images(html_closed, figures), {"on": job.on})])
    conduct, open_images = drawings(DSMB_OPEN, spec, open_ledger, open_json, word)
    open_extra = _extra(DSMB_OPEN, spec, open_ledger, text)
    html_open = render_html(DSMB_OPEN.template, page_for(trial, open_ledger, conduct, note, open_extra,
                                                         on=job.on, signed=job.signed))
    # ard.csv and ars.json: the open ledger's open-safe blocks only; the closed ones travel inside the closed PDF.
    report = ars_report(OPEN, "DSMB open report", tuple(f for f in job.formats if f in ("pdf", "html")),
                        open_extra["blocks"])
    files = {"results.json": open_json, **ard_and_ars(open_ledger, report, open_side=True),
             **full_listings(open_ledger["dsmb"])}
    if "html" in job.formats:
        files[f"{OPEN}.html"] = html_open.encode("utf-8")
        if job.password is None:
            files[f"{CLOSED}.html"] = html_closed.encode("utf-8")
        job.show_preview(files)  # the open report only, unless the closed one is written in clear
    requests = []
    if "pdf" in job.formats:
        # The open report's PDF carries only the open ledger: patient data hold efficacy.
        attachments = archival_attachments(job, files["results.json"], with_data=False, ard=files["ard.csv"])
        requests.append((figures_as_images(html_open, conduct), {"archival": True, "attachments": attachments,
                                                                  "on": job.on}))
    if SUBMISSION in job.formats:  # the open report's only: the closed report is never a submission PDF
        requests.append((figures_as_images(html_open, conduct), {"submission": True, "on": job.on}))
    open_pdfs = job.start_pdfs(requests)
    closed = ard_and_ars(closed_ledger, ars_report(CLOSED, "DSMB closed report", ("pdf",), closed_extra["blocks"]))
    (closed_pdf,), open_pdfs = closed_pdfs(), open_pdfs()  # side by side, given a worker for each
    files.update(zip(_open_pdf_names(job.formats), open_pdfs))
    attachment = {CLOSED_LEDGER: closed_json, "ard-closed.csv": closed["ard.csv"],
                  "ars-closed.json": closed["ars.json"]}
    files[f"{CLOSED}.pdf"] = (encrypted_pdf(closed_pdf, job.password, attachment) if job.password
                              else closed_pdf if mocking() else with_attachments(closed_pdf, attachment))
    files.update(word_and_rtf(job, OPEN, html_open, conduct, open_images))
    files.update(word_and_rtf(job, CLOSED, html_closed, figures, closed_images, job.password))
    encrypted = [f"{CLOSED}.pdf", *([f"{CLOSED}.docx"] if word else [])] if job.password else []
    extra = {"encrypted": encrypted, "previous_version": computed.compared_with,
             **manifest_entry(trial, {DSMB_OPEN.name: text, DSMB_CLOSED.name: text})}
    return Rendered(files, (), extra)


def _open_pdf_names(formats: tuple[str, ...]) -> list[str]:
    """The open report's PDFs, in the order they are asked of the renderer."""
    return ([f"{OPEN}.pdf"] if "pdf" in formats else []) + ([f"{OPEN}-submission.pdf"] if SUBMISSION in formats else [])


def dsmb_ledgers(trial: Trial, results: Results, archived: tuple[bytes, str] | None,
                 archived_closed: tuple[bytes | None, str] | None = None) -> DsmbResults:
    """The open and closed ledgers (report.analysis.dsmb_ledger), the open one from the open-safe blocks' keys."""
    return dsmb_results(trial, results, archived, OPEN_BLOCK_KEYS, archived_closed)


def _extra(sheet, spec, ledger: dict, text: dict) -> dict:
    """What a DSMB page adds: its blocks laid out (with the user's text), and the listings' cap."""
    return {"listing_cap": LISTING_CAP, "blocks": laid_out(sheet, spec, ledger, text)}


def full_listings(block: dict) -> dict[str, bytes]:
    """CSV and XLSX of every listing longer than the reports show, text from the data inert."""
    from ..render.spreadsheet import csv_bytes, xlsx_bytes

    files = {}
    for key, (stem, columns) in LISTINGS.items():
        rows = block[key] or []  # None: not collected
        if len(rows) > LISTING_CAP:
            files[f"{stem}.csv"] = csv_bytes(rows, columns)
            files[f"{stem}.xlsx"] = xlsx_bytes(rows, columns)
    return files


def check_rtf(kind: str, formats: tuple[str, ...], encrypt: bool) -> None:
    """Stop (exit 2) where the closed DSMB report's tables would go into RTF files, which
    cannot be encrypted, without --no-encrypt."""
    if kind == "dsmb" and "rtf" in formats and encrypt:
        raise InputError(Problem("--format", "rtf: RTF files cannot be encrypted, and the closed DSMB report's "
                                 "tables are confidential: pass --no-encrypt to write them unencrypted, or leave out rtf"))


def closed_password(env, encrypt: bool) -> str | None:
    """The closed report's password from the environment; stop (exit 2) without one."""
    from ..render.encrypt import PASSWORD_ENV

    if not encrypt:
        return None
    password = env.get(PASSWORD_ENV)
    if not password:
        raise InputError(Problem(PASSWORD_ENV, "not set: the closed DSMB report is encrypted with this password "
                                 "(or pass --no-encrypt to write it unencrypted)"))
    return password


def _json(ledger: dict) -> bytes:
    return ledger_json(ledger).encode("utf-8")
