"""Kind `summary`: the one-document summary of a trial's results, its blocks in order."""
from __future__ import annotations

from ..analysis.ledger import Results, ledger_json
from .common import Job, Rendered, ard_and_ars, ars_report, html_and_pdf, page_for, word_and_rtf
from .kind import SUMMARY, drawings, laid_out
from .narrative import manifest_entry, written


def summary_files(job: Job, results: Results) -> Rendered:
    """results.json, ard.csv, ars.json, summary.html and the archival summary.pdf, as the job's formats ask
    (and, asked, summary.docx and the RTF tables)."""
    from ..render.render import render_html

    ledger, spec = results.to_dict(), job.trial.spec
    results_json = ledger_json(ledger).encode("utf-8")
    job.step("Drawing figures")
    drawn, images = drawings(SUMMARY, spec, ledger, results_json, "docx" in job.formats)
    text = written(job.trial, ledger, SUMMARY.name)
    laid = laid_out(SUMMARY, spec, ledger, text)
    page = page_for(job.trial, ledger, drawn, extra={"blocks": laid}, on=job.on, signed=job.signed)
    job.step("Laying out")
    html = render_html(SUMMARY.template, page)
    report = ars_report("summary", "Trial summary", job.formats, laid)
    files = {"results.json": results_json, **ard_and_ars(ledger, report)}
    return Rendered({**files, **html_and_pdf(job, "summary", html, files["results.json"], drawn, files["ard.csv"]),
                     **word_and_rtf(job, "summary", html, drawn, images)},
                    manifest=manifest_entry(job.trial, {SUMMARY.name: text}))
