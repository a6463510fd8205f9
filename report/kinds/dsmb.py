"""Kind `dsmb`: the open and closed reports of the monthly DSMB update, as of a cutoff.

The open report (for investigators) holds conduct and pooled safety only; the closed
report (board members only) adds efficacy, everything by arm and the stopping rules.
Its ledger travels inside the encrypted PDF, never in clear on disk; the bundle's
results.json is the open ledger.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pandas as pd

from ..inputs import derive

from ..analysis import dsmb
from ..analysis.disclosure import efficacy_pattern, open_adverse_events, open_block
from ..errors import InputError, Problem
from ..layout.formatting import long_date
from ..analysis.ledger import Results, plain
from ..inputs.trial import Trial, as_of
from .common import Job, Rendered, archival_attachments, page_for
from .kind import DSMB_CLOSED, DSMB_OPEN, laid_out
from .kind import figures as sheet_figures

OPEN, CLOSED = "dsmb-open", "dsmb-closed"
from ..layout.dsmb_views import LISTING_CAP  # rows of a listing shown in a report; the full listing goes into the bundle
LISTINGS = {  # ledger key -> file name and columns of the full listing
    "serious_events": ("serious-adverse-events", ["subject_id", "term", "grade", "onset_on", "attribution"]),
    "deaths": ("deaths", ["subject_id", "died_on", "day", "cause"]),
}
OPEN_KEYS = ("schema_version", "trial", "data_cutoff", "methods", "population", "accrual", "baseline", "safety")


def dsmb_files(job: Job, results: Results, archived: tuple[bytes, str] | None = None) -> Rendered:
    """The bundle's files; without `job.password` the closed report is not encrypted.

    `archived`: the archived open ledger (results.json) of the previous cutoff and its
    version id, as the archive's index holds it (fetched by report.compose), or None.
    """
    from ..render.encrypt import encrypted_pdf, with_attachments
    from ..render.render import figures_as_images, render_html

    trial, step = job.trial, job.step
    step("Comparing with the previous report")
    full, compared_with = _open_block(trial, archived)
    # The open side pools what reveals efficacy (disclosure.py); the closed keeps it in full.
    words = efficacy_pattern(trial.spec.dsmb.efficacy_words)
    block, closed_block = plain(dataclasses.asdict(open_block(full, words))), plain(dataclasses.asdict(full))
    ledger = results.to_dict()
    open_ledger = {**{k: ledger[k] for k in OPEN_KEYS}, "safety": _open_safety(trial, ledger, words),
                   "report": OPEN, "dsmb": block}
    closed_ledger = {**ledger, "report": CLOSED, "dsmb": closed_block, "stopping": _stopping(trial)}
    step("Drawing figures")
    spec = trial.spec
    conduct, figures = sheet_figures(DSMB_OPEN, spec, open_ledger), sheet_figures(DSMB_CLOSED, spec, closed_ledger)
    step("Laying out")
    note = f" (data cutoff {long_date(trial.cutoff)})"
    html_open = render_html(DSMB_OPEN.template, page_for(trial, open_ledger, conduct, note, _extra(DSMB_OPEN, spec, open_ledger),
                                                         on=job.on, signed=job.signed))
    html_closed = render_html(DSMB_CLOSED.template, page_for(trial, closed_ledger, figures, note,
                                                             _extra(DSMB_CLOSED, spec, closed_ledger), on=job.on,
                                                             signed=job.signed))
    files = {"results.json": _json(open_ledger), **full_listings(block)}
    if "html" in job.formats:
        files[f"{OPEN}.html"] = html_open.encode("utf-8")
        if job.password is None:
            files[f"{CLOSED}.html"] = html_closed.encode("utf-8")
    step("Rendering PDF")
    requests = [(figures_as_images(html_closed, figures), {"on": job.on})]
    if "pdf" in job.formats:
        # The open report's PDF carries only the open ledger: patient data hold efficacy.
        attachments = archival_attachments(job, files["results.json"], with_data=False)
        requests.append((figures_as_images(html_open, conduct), {"archival": True, "attachments": attachments,
                                                                  "on": job.on}))
    closed_pdf, *open_pdf = job.pdfs(requests)  # side by side, given a worker for each
    if open_pdf:
        files[f"{OPEN}.pdf"] = open_pdf[0]
    attachment = {"results-closed.json": _json(closed_ledger)}
    files[f"{CLOSED}.pdf"] = (encrypted_pdf(closed_pdf, job.password, attachment) if job.password
                              else with_attachments(closed_pdf, attachment))
    extra = {"encrypted": [f"{CLOSED}.pdf"] if job.password else [], "previous_version": compared_with}
    return Rendered(files, (), extra)


def _extra(sheet, spec, ledger: dict) -> dict:
    """What a DSMB page adds: its blocks laid out, and the listings' cap."""
    return {"listing_cap": LISTING_CAP, "blocks": laid_out(sheet, spec, ledger)}


def _open_safety(trial: Trial, ledger: dict, words) -> dict:
    """The ledger's safety block, recounted with revealing terms pooled where there are any."""
    from ..analysis.safety import summarize_safety

    pooled = open_adverse_events(trial.adverse_events, words)
    if pooled is None:
        return ledger["safety"]
    population = derive.safety_population(trial.subjects)
    return plain(summarize_safety(population, pooled, trial.spec.analysis.early_death_days, trial.grading))


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


def previous_cutoff(trial: Trial) -> dt.date:
    return trial.spec.dsmb.previous_cutoff or (pd.Timestamp(trial.cutoff) - pd.DateOffset(months=1)).date()


def _open_block(trial: Trial, archived: tuple[bytes, str] | None) -> tuple[dsmb.DsmbOpen, str | None]:
    """The open report's block, and the archived version it was compared with (if any)."""
    plan = trial.spec.dsmb
    now = dsmb.open_summary(trial.subjects, trial.adverse_events, trial.cutoff, plan, plan.early_death_days,
                            trial.not_collected)
    before_cutoff = previous_cutoff(trial)
    before, compared_with = _archived(archived)
    source = "archive"
    if before is None:
        try:
            earlier = as_of(trial, before_cutoff)
        except InputError:  # nobody enrolled yet at the previous cutoff
            return now, None
        before = plain(dataclasses.asdict(dsmb.open_summary(earlier.subjects, earlier.adverse_events, before_cutoff, plan,
                                                            plan.early_death_days, earlier.not_collected)))
        source = "recomputed"
    population = derive.safety_population(trial.subjects)
    new_serious = dsmb.serious_events(population, trial.adverse_events, after=before_cutoff)
    return dataclasses.replace(now, changes=dsmb.changes(now, before, before_cutoff, source, new_serious)), compared_with


def _archived(archived: tuple[bytes, str] | None) -> tuple[dict | None, str | None]:
    """The `dsmb` block of the archived open ledger, and that version's id; (None, None) without one."""
    if archived is None:
        return None, None
    try:
        block = json.loads(archived[0])["dsmb"]
    except (ValueError, KeyError):
        return None, None
    return block, archived[1]


def _stopping(trial: Trial) -> list[dict]:
    from ..stats.stopping import simon_boundaries, simon_status, toxicity_boundaries, toxicity_not_evaluable, toxicity_status

    evaluated = []
    population = derive.safety_population(trial.subjects)
    for rule in trial.spec.dsmb.stopping_rules:
        if rule.kind == "simon":
            outcomes = dsmb.response_outcomes(trial.subjects, trial.spec.analysis.responders)
            status, boundaries = simon_status(rule, outcomes), simon_boundaries(rule)
        elif trial.adverse_events is None:  # not collected: the rule cannot be evaluated, never "0 events"
            status, boundaries = toxicity_not_evaluable(rule, len(population)), toxicity_boundaries(rule)
        else:
            events = dsmb.patients_with_toxicity(population, trial.adverse_events, rule.min_grade, rule.related_only)
            status, boundaries = toxicity_status(rule, events, len(population)), toxicity_boundaries(rule)
        evaluated.append(plain({
            "rule": rule.model_dump(mode="json"),
            "status": dataclasses.asdict(status),
            "boundaries": [dataclasses.asdict(b) for b in boundaries],
        }))
    return evaluated


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
    return (json.dumps(ledger, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
