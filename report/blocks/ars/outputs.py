"""The ReportingEvent's outputs (the report, with a display for each of its tables and
figures: title, legend, footnotes, as the report prints them), its list of contents and its
reference documents (the spec, the data cutoff, the ledger and ard.csv)."""
from __future__ import annotations

import dataclasses
import functools
import html
import re
from dataclasses import dataclass
from typing import Sequence

from ...resources import templates_dir
from ..block import Laid
from ..catalogue import BLOCKS
from .analyses import SPEC_REF
from .sets import slug

FILE_TYPES = ("pdf", "rtf", "txt")  # ARS's controlled terms for an output file
TAG = re.compile(r"<[^>]+>")
# A table's body and its marks: a row's `note` and a subcolumn's `subnotes` are footnote marks, not their text.
SKIPPED = ("rows", "bodies", "cells", "subnotes")
USED = re.compile(r"""{%-?\s*(?:import|include|from|extends)\s+["']([^"']+)["']""")


@dataclass(frozen=True)
class Report:
    """The report the ReportingEvent describes: its kind's name, its files in the bundle, and
    its blocks as laid out (None: no report, e.g. `trialreport analyze --ars` without one)."""
    name: str  # e.g. "summary", "dsmb-open"
    title: str
    files: tuple[str, ...] = ()
    laid: Sequence[Laid] | None = None


def sections(view: object, printed: str | None, depth: int = 0) -> dict[str, list[str]]:
    """The text a view prints around its tables and figures, by ARS section type: its captions
    and titles (`Title`), its figures' captions (`Legend`) and its notes (`Footnote`), read from
    the view's fields by their names (`caption`, `response_caption`, `captions`, `note`, ...)
    and from the views nested in it (an endpoint's table); of those, only the fields that the
    block's partial prints (`printed`, its source: e.g. `v.survival_note`), where it is known."""
    found: dict[str, list[str]] = {"Title": [], "Legend": [], "Footnote": []}
    if depth > 3 or not dataclasses.is_dataclass(view) or isinstance(view, type):
        return found
    for field in dataclasses.fields(view):
        value, name = getattr(view, field.name), field.name
        if name in SKIPPED or (printed is not None and not re.search(rf"\.{name}\b", printed)):
            continue
        if name.endswith("captions") or name == "figures":  # (figure key, caption) pairs
            found["Legend"] += [text for pair in value or () for text in _strings(pair[-1])]
        elif name.endswith("caption") or name == "title":
            found["Title"] += _strings(value)
        elif name.endswith(("note", "notes")):
            found["Footnote"] += _strings(value)
        else:
            for nested in value if isinstance(value, (tuple, list)) else (value,):
                for kind, lines in sections(nested, printed, depth + 1).items():
                    found[kind] += lines
    return found


@functools.lru_cache(maxsize=None)
def partial_source(partial: str | None) -> str | None:
    """The shipped partial's source with the templates it imports or includes (their macros
    print the view's fields); None where there is none: then every field counts."""
    sources, pending = {}, [partial] if partial else []
    while pending:
        name = pending.pop()
        path = templates_dir() / name
        if name in sources or not path.is_file():
            continue
        sources[name] = path.read_text(encoding="utf-8")
        pending += USED.findall(sources[name])
    return "\n".join(sources.values()) if sources else None


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        text = " ".join(html.unescape(TAG.sub("", str(value))).split())
        return [text] if text else []
    if isinstance(value, (tuple, list)):
        return [text for v in value for text in _strings(v)]
    return []


def display(report: Report, laid: Laid) -> dict:
    """One block of the report as an OutputDisplay: its title, figure legends and footnotes."""
    block = BLOCKS[laid.id]
    display_id = f"Disp_{slug(report.name)}_{slug(laid.id)}"
    found = sections(laid.view, partial_source(laid.partial))
    titles = found["Title"]
    found["Title"] = [block.title, *titles]
    shown = []
    for kind, lines in found.items():
        lines = list(dict.fromkeys(lines))
        if lines:
            shown.append({"sectionType": kind, "orderedSubSections": [
                {"order": i, "subSection": {"id": f"{display_id}_{kind}_{i}", "text": line}}
                for i, line in enumerate(lines, start=1)]})
    return {"id": display_id, "name": block.title, "label": laid.id, "displayTitle": titles[0] if titles else block.title,
            "displaySections": shown}


def shown(report: Report) -> list[Laid]:
    """The report's blocks that print something on this ledger."""
    return [laid for laid in report.laid or () if laid.partial is not None and laid.id in BLOCKS]


def outputs(report: Report) -> list[dict]:
    """The report as one Output, a display for each block it shows."""
    if report.laid is None:
        return []
    files = [{"name": name, "location": name,
              **({"fileType": {"controlledTerm": name.rsplit(".", 1)[-1]}} if name.rsplit(".", 1)[-1] in FILE_TYPES else {})}
             for name in report.files]
    displays = [{"order": i, "display": display(report, laid)} for i, laid in enumerate(shown(report), start=1)]
    return [{"id": f"Out_{slug(report.name)}", "name": report.title, "displays": displays,
             **({"fileSpecifications": files} if files else {}), "documentRefs": [{"referenceDocumentId": SPEC_REF}]}]


def contents(report: Report, analyses: list[dict]) -> dict:
    """The main list of contents: the report, each of its displays with the analyses of its block;
    then the ledger's analyses that the report does not display."""
    by_block: dict[str, list[dict]] = {}
    for a in analyses:
        by_block.setdefault(a["categoryIds"][0], []).append(a)
    items, listed = [], set()
    if report.laid is not None:
        sublist = []
        for order, laid in enumerate(shown(report), start=1):
            block_analyses = by_block.get(f"Cat_block_{slug(laid.id)}", [])
            listed.add(laid.id)
            sublist.append({"name": BLOCKS[laid.id].title, "level": 2, "order": order,
                            **_sublist(block_analyses, 3)})
        items.append({"name": report.title, "level": 1, "order": 1, "outputId": f"Out_{slug(report.name)}",
                      **({"sublist": {"listItems": sublist}} if sublist else {})})
    rest = [a for a in analyses if a["categoryIds"][0] not in {f"Cat_block_{slug(i)}" for i in listed}]
    if rest:
        items.append({"name": "Analyses of the ledger" + (" not displayed in the report" if items else ""),
                      "level": 1, "order": len(items) + 1, **_sublist(rest, 2)})
    return {"name": f"Analyses and outputs: {report.title}", "contentsList": {"listItems": items}}


def _sublist(analyses: list[dict], level: int) -> dict:
    if not analyses:
        return {}
    return {"sublist": {"listItems": [{"name": a["name"], "level": level, "order": i, "analysisId": a["id"]}
                                      for i, a in enumerate(analyses, start=1)]}}


def reference_documents(ledger: dict) -> list[dict]:
    """The spec, the data cutoff, and the two files the figures are read from."""
    trial = ledger.get("trial") or {}
    documents = [{"id": SPEC_REF, "name": "Trial specification (trial.toml)", "location": "trial.toml",
                  "description": f"The analyses, populations and report blocks of trial {trial.get('id', '')}."}]
    if ledger.get("data_cutoff"):
        documents.append({"id": "Ref_DataCutoff", "name": f"Data cutoff {ledger['data_cutoff']}",
                          "description": "Every figure counts the data as of this date."})
    return documents + [
        {"id": "Ref_Ledger", "name": "Numbers ledger (results.json)", "location": "results.json",
         "description": "Every figure of the report, as computed; this file describes it."},
        {"id": "Ref_ARD", "name": "Analysis results data (ard.csv)", "location": "ard.csv",
         "description": "The same figures in long form, one row per OperationResult."}]
