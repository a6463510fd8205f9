"""Kind `summary`: the one-document summary of a trial's results."""
from __future__ import annotations

from ..analysis.ledger import Results, ledger_json
from .common import Job, Rendered, html_and_pdf, page_for, summary_figures


def summary_files(job: Job, results: Results) -> Rendered:
    """results.json, summary.html and the archival summary.pdf, as the job's formats ask."""
    from ..render.render import render_html

    ledger = results.to_dict()
    job.step("Drawing figures")
    figures = summary_figures(ledger)
    page = page_for(job.trial, ledger, figures, on=job.on, signed=job.signed)
    job.step("Laying out")
    html = render_html("summary.html.j2", page)
    files = {"results.json": ledger_json(ledger).encode("utf-8")}
    return Rendered({**files, **html_and_pdf(job, "summary", html, files["results.json"], figures)})
