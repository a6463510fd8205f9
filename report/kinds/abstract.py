"""Kind `abstract`: a meeting abstract as text, HTML, PDF and Word, within the meeting's limit;
its parts are blocks, chosen and ordered by `[report.abstract] blocks`."""
from __future__ import annotations

from dataclasses import replace

from ..analysis.ledger import Results, ledger_json
from ..errors import InputError, Problem
from ..blocks.block import Laid
from ..blocks.catalogue import BLOCKS
from ..layout.mock import mocking
from .common import Job, Rendered, ard_and_ars, ars_report, html_and_pdf, page_for, word_and_rtf
from .kind import ABSTRACT, chosen
from .narrative import manifest_entry, written


def abstract_files(job: Job, results: Results) -> Rendered:
    """The abstract's files; InputError if it exceeds the meeting's character limit."""
    from ..layout.abstract import as_text, character_count, compose, rule_for
    from ..render.docx_writer import abstract_docx
    from ..render.render import render_html

    spec = job.trial.spec
    if spec.abstract is None:
        raise InputError(Problem("trial.toml", "abstract: no [abstract] section (meeting, conclusion)"))
    rule = rule_for(spec.abstract.meeting, spec.abstract.limit, job.max_chars)
    _check_rule(rule, spec.abstract.include_table)
    ledger = results.to_dict()
    text = written(job.trial, ledger, ABSTRACT.name)
    abstract = compose(ledger, spec, chosen(ABSTRACT, spec), {i: w.text for i, w in text.items()})
    count = character_count(abstract, rule)
    if count > rule.max_chars and not mocking():  # a mock's placeholders are not the text's length
        raise InputError(Problem("abstract.txt", f"{count:,} characters under the {rule.describe()}; "
                                 f"the limit is {rule.max_chars:,}: {count - rule.max_chars:,} over. "
                                 + _where_to_shorten(abstract, rule, text)))
    job.step("Laying out")
    laid = laid_out(abstract, ledger)
    report = ars_report("abstract", "Meeting abstract", job.formats, laid)
    files = {"results.json": ledger_json(ledger).encode("utf-8"), **ard_and_ars(ledger, report)}
    if "txt" in job.formats:
        files["abstract.txt"] = as_text(abstract).encode("utf-8")
    extra = {"abstract": abstract, "rule": rule, "count": count, "rule_described": rule.describe(), "blocks": laid}
    html = render_html("abstract.html.j2", page_for(job.trial, ledger, {}, extra=extra, on=job.on, signed=job.signed))
    files.update(html_and_pdf(job, "abstract", html, files["results.json"], {}, files["ard.csv"]))
    if "docx" in job.formats and not mocking():
        files["abstract.docx"] = abstract_docx(abstract, job.on, job.trial.spec.report.paper)
    if "rtf" in job.formats:  # its table, where it has one (the Word file is the abstract's own, above)
        files.update(word_and_rtf(replace(job, formats=("rtf",)), "abstract", html, {}, {}))
    note = f"abstract.txt: {count:,} of {rule.max_chars:,} characters ({rule.describe()})"
    if "rtf" in job.formats and not any(name.endswith(".rtf") for name in files):
        note += "; no RTF file: the abstract has no table ([abstract] include_table)"
    return Rendered(files, (note,), {"rule": rule.name, "characters": count, "limit": rule.max_chars,
                                     **manifest_entry(job.trial, {ABSTRACT.name: text})})


def _where_to_shorten(abstract, rule, text: dict) -> str:
    """Each counted part's characters, longest first, and how to shorten the longest."""
    from ..layout.abstract import part_counts

    counts = part_counts(abstract, rule)
    listed = "; ".join(f"{heading} {n:,}" for heading, _, n in counts)
    heading, part_id, _ = counts[0]
    if not part_id:
        how = "set a shorter [abstract] title"
    elif part_id in text:
        how = f"shorten your text, [narrative] {part_id}"
    else:
        how = f"write it yourself, shorter, as [narrative] {part_id} (the generated text cannot be shortened)"
    return f"By part: {listed}. Shorten {heading}: {how}."


def laid_out(abstract, ledger: dict) -> list[Laid]:
    """The abstract's parts in order, each laid out as its block: the partial it shows with,
    and the part as its view (`b.view` in the partial)."""
    return [Laid(part.id, BLOCKS[part.id].layout(ledger, ABSTRACT.context()).partial, part) for part in abstract.parts]


def _check_rule(rule, include_table: bool) -> None:
    problems = []
    if rule.max_chars <= 0:
        problems.append(Problem("trial.toml", "abstract.limit.max_chars: a custom rule needs a character limit"))
    if include_table and rule.tables < 1:
        problems.append(Problem("trial.toml", f"abstract.include_table: {rule.name} allows no table"))
    if problems:
        raise InputError(problems)
