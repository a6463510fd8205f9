"""ars.json: the ledger as a CDISC Analysis Results Standard (ARS v1.0) ReportingEvent.

Built from the same rows as ard.csv (report.blocks.ledger.ard, DESIGN section 7a): every row
is one OperationResult of an analysis, and nothing else is; the ledger's `methods` give the
analysis sets (its populations as where-clauses over the source's variables), the data subset
(the adverse events counted) and the treatment grouping (its arms). The report's laid-out
blocks give the outputs and their display sections. A transformation of rows, no statistics:
cheap enough for every bundle. Validation against the schema is the tests' (jsonschema is
not imported here).
"""
from __future__ import annotations

import json

from ..ledger import ard
from . import sets
from .analyses import TERMINOLOGY, BrokenLedger, Registry, analyses, categorizations
from .outputs import Report, contents, outputs, reference_documents

__all__ = ["BrokenLedger", "Report", "ars_json", "reporting_event"]


def reporting_event(ledger: dict, report: Report, open_side: bool = False, rows: list[dict] | None = None) -> dict:
    """The ReportingEvent of `ledger` and `report`; `open_side`: the open DSMB report's rows
    only, exactly as its ard.csv; `rows`: ard.csv's rows where the caller has them already
    (report.blocks.ledger.ard of the same ledger and side). BrokenLedger where the ledger
    lacks a figure or holds text where a number belongs."""
    if rows is None:
        try:
            rows = ard(ledger, open_side)
        except (KeyError, TypeError, AttributeError, IndexError) as error:
            raise BrokenLedger(f"the ledger cannot be read as ard.csv's rows: {type(error).__name__} {error}") from error
    registry = Registry(ledger)
    found = analyses(rows, registry)
    trial = ledger.get("trial") or {}
    return {
        "id": f"RE_{sets.slug(str(trial.get('id', 'trial')))}_{sets.slug(report.name)}",
        "name": f"{trial.get('title') or trial.get('id', '')}: {report.title}",
        "description": "The figures of a trialreport bundle (ard.csv's rows) as a CDISC ARS v1.0 reporting event.",
        "mainListOfContents": contents(report, found),
        "referenceDocuments": reference_documents(ledger),
        "terminologyExtensions": TERMINOLOGY,
        "analysisOutputCategorizations": categorizations(rows),
        "analysisSets": sets.analysis_sets(registry.populations, ledger),
        "dataSubsets": sets.data_subsets(ledger) if registry.events else [],
        "analysisGroupings": list(registry.groupings.values()),
        "methods": list(registry.methods.values()),
        "analyses": found,
        "globalDisplaySections": _global_sections(ledger),
        "outputs": outputs(report),
    }


def _global_sections(ledger: dict) -> list[dict]:
    trial = ledger.get("trial") or {}
    sections = [{"sectionType": "Header", "subSections": [{"id": "GlobalDisp_Header_1", "text": str(trial.get("title") or trial.get("id", ""))}]}]
    if ledger.get("data_cutoff"):
        sections.append({"sectionType": "Footer", "subSections": [
            {"id": "GlobalDisp_Footer_1", "text": f"Data cutoff: {ledger['data_cutoff']}"}]})
    return sections


def ars_json(ledger: dict, report: Report, open_side: bool = False, rows: list[dict] | None = None) -> bytes:
    """ars.json's bytes: the ReportingEvent in a fixed order (the same ledger, the same bytes),
    compact (a large trial's holds tens of thousands of results)."""
    event = reporting_event(ledger, report, open_side, rows)
    return (json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
