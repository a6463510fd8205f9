"""Mock shells (`trialreport build --mock`): a kind's pages laid out from the real ledger's
structure with every number a placeholder (report.layout.mock), and nothing else: no
ledger (results.json, ard.csv), no listings, no attachments in the PDFs, no Word file."""
from __future__ import annotations

from ..analysis.ledger import Results
from ..layout.formatting import long_date
from ..layout.mock import keep_strings, mask_text, mock_shell, spec_numbers
from .common import Job, Rendered

SHOWN = (".html", ".pdf", ".txt")  # what a mock bundle holds: the pages, never the numbers behind them
FORMATS = ("html", "pdf", "txt")


def mock_files(job: Job, results: Results, render) -> Rendered:
    """The kind's pages as mock shells: `render(job, results)` (report.compose.render_files)
    laid out and rendered while mocking, then only its pages kept (the text masked too)."""
    with mock_shell():
        rendered = render(job, results)
    files = {name: data for name, data in rendered.files.items() if name.endswith(SHOWN)}
    if "abstract.txt" in files:
        ledger, spec = results.to_dict(), job.trial.spec.model_dump(mode="json")
        affiliations = dict.fromkeys(a["affiliation"] for a in spec["trial"]["authors"] if a.get("affiliation"))
        marks = {f"{i}. {a}" for i, a in enumerate(affiliations, start=1)}  # as report.layout.abstract.as_text numbers them
        keep = keep_strings(spec, ledger, marks, {long_date(ledger["data_cutoff"]), long_date(job.on), "grade 3 or higher"})
        text = mask_text(files["abstract.txt"].decode("utf-8"), keep, spec_numbers(spec))
        files["abstract.txt"] = text.encode("utf-8")
    notes = tuple(n for n in rendered.notes if not n.startswith("abstract.txt"))
    return Rendered(files, notes + ("Mock shell: every number is a placeholder; nothing was archived.",))
