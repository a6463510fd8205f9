"""A report kind: its pages, each an ordered list of blocks from the catalogue with its page
template, and the formats the kind writes. `[report.<page>] blocks` in trial.toml chooses
and orders a page's blocks; the open DSMB page takes open-safe blocks only."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..blocks.block import Context, Laid
from ..blocks.catalogue import BLOCKS
from ..errors import InputError, Problem
from ..inputs.spec import SPEC_FILE, Spec
from ..layout.mock import mocking


@dataclass(frozen=True)
class Sheet:
    """One page of a kind: its name, its template, its default blocks, and its spec key."""
    name: str
    template: str
    blocks: tuple[str, ...]
    spec_key: str | None  # [report.<spec_key>] blocks = [...]; None: a fixed page
    open: bool = False  # the open DSMB report: open-safe blocks only
    allowed: tuple[str, ...] | None = None  # the blocks whose ledger keys this page's ledger holds; None: all

    def valid(self) -> list[str]:
        """The block ids this page can take, in catalogue order."""
        return [i for i, b in BLOCKS.items() if (self.allowed is None or i in self.allowed)
                and (b.pages is None or self.name in b.pages) and (b.open_safe or not self.open)]

    def context(self, spec: Spec | None = None, written: dict | None = None) -> Context:
        """`written`: the user's text of the page's sections (report.kinds.narrative.written)."""
        return Context(self.name, self.open, spec.model_dump(mode="json") if spec is not None else None, written,
                       chosen(self, spec) if spec is not None else ())


@dataclass(frozen=True)
class Kind:
    id: str
    formats: tuple[str, ...]  # the formats it writes by default
    sheets: tuple[Sheet, ...]
    asked: tuple[str, ...] = ()  # the formats it writes only when asked (--format): Word, RTF tables

    @property
    def writes(self) -> tuple[str, ...]:
        """Every format it can write."""
        return self.formats + self.asked


# A trial summary as published: the study, its patients, results and toxicity. The events table by
# type (tte_summary, TTET01), exposure and laboratory shifts are the DSMB's and the study report's
# (the closed DSMB report carries them; a spec may add them).
SUMMARY_BLOCKS = ("masthead", "key_results", "study", "disposition", "demographics", "results",
                  "duration_of_response", "cumulative_incidence", "forest", "swimmer", "waterfall", "toxicity", "aesi", "deaths",
                  "next_steps", "methods")
# The summary's ledger has no DSMB part (dsmb, stopping): of the DSMB blocks, those that need none;
# and every block that computes its own part (its ledger holds them all).
COMPUTED = tuple(i for i, b in BLOCKS.items() if b.compute is not None)
SUMMARY = Sheet("summary", "summary.html.j2", SUMMARY_BLOCKS, "summary",
                allowed=(*SUMMARY_BLOCKS, "baseline", "notes", *COMPUTED))
DSMB_OPEN = Sheet("dsmb-open", "dsmb-open.html.j2",
                  ("title", "contents", "status", "changes", "baseline", "safety", "notes"), "dsmb_open", open=True)
DSMB_CLOSED = Sheet("dsmb-closed", "dsmb-closed.html.j2",
                    ("title", "contents", "status", "changes", "efficacy_changes", "stopping", "disposition", "demographics", "results",
                     "duration_of_response", "tte_summary", "cumulative_incidence", "forest", "swimmer", "waterfall", "exposure",
                     "safety", "ae_overview", "toxicity", "aesi", "labs_shift", "deaths", "methods"),
                    "dsmb_closed")
ABSTRACT_BLOCKS = ("abstract_background", "abstract_methods", "abstract_results", "abstract_conclusions",
                   "abstract_table")
# Its parts, chosen and ordered; the meeting's character limit applies to what is chosen.
ABSTRACT = Sheet("abstract", "abstract.html.j2", ABSTRACT_BLOCKS, "abstract", allowed=ABSTRACT_BLOCKS)

KINDS: dict[str, Kind] = {k.id: k for k in (
    Kind("summary", ("pdf", "html"), (SUMMARY,), ("docx", "rtf", "pdf-submission")),
    Kind("dsmb", ("pdf", "html"), (DSMB_OPEN, DSMB_CLOSED), ("docx", "rtf", "pdf-submission")),
    Kind("abstract", ("txt", "html", "pdf", "docx"), (ABSTRACT,), ("rtf", "pdf-submission")),
)}
# `asked`: written only when --format names them: Word, RTF tables, and the submission PDF
# (PDF/A-2b; of the DSMB update, the open report's only).


def chosen(sheet: Sheet, spec: Spec) -> tuple[str, ...]:
    """The page's block ids, in order: the spec's `[report.<page>] blocks`, else the default."""
    choice = getattr(spec.report, sheet.spec_key) if sheet.spec_key else None
    return tuple(choice.blocks) if choice is not None and choice.blocks is not None else sheet.blocks


def laid_out(sheet: Sheet, spec: Spec, ledger: dict, written: dict | None = None) -> list[Laid]:
    """The page's blocks laid out for this ledger, in order: what its template includes; each
    with the user's text of its section where `written` holds one."""
    context = sheet.context(spec, written)
    return [BLOCKS[i].layout(ledger, context) for i in chosen(sheet, spec)]


def figures(sheet: Sheet, spec: Spec, ledger: dict, ledger_bytes: bytes | None = None) -> dict[str, str]:
    """The figures of the page's blocks. Given the ledger's bytes (its results.json: a ledger that
    is final), a block's figures are drawn again only when what they are drawn from (`Block.seen`:
    the ledger less the other blocks' parts) has changed since this process last drew them for
    this page: `watch` after an edit of text or a template redraws nothing, and after an edit of
    the adverse events, not the survival curves."""
    if mocking():  # a mock shell: each figure a placeholder under its name, no data drawn
        from ..layout.figures import placeholder_figure

        return {name: placeholder_figure(BLOCKS[i].title) for i in chosen(sheet, spec)
                for name in BLOCKS[i].drawn(ledger, sheet.context())}
    drawn, context = {}, sheet.context()
    for i in chosen(sheet, spec):
        if BLOCKS[i].figures is None:
            continue
        fingerprint = _fingerprint(BLOCKS[i].seen(ledger)) if ledger_bytes is not None else None
        last = _LAST_DRAWN.get((i, context))
        if fingerprint is not None and last is not None and last[0] == fingerprint:
            drawn.update(last[1])
            continue
        svgs = BLOCKS[i].drawn(ledger, context)
        if fingerprint is not None:
            _LAST_DRAWN[(i, context)] = (fingerprint, svgs)
        drawn.update(svgs)
    return drawn


def _fingerprint(ledger: dict) -> bytes:
    """SHA-256 of a ledger (part) as canonical JSON."""
    return hashlib.sha256(json.dumps(ledger, sort_keys=True, separators=(",", ":"), default=str).encode()).digest()


def drawings(sheet: Sheet, spec: Spec, ledger: dict, ledger_bytes: bytes | None, images: bool
             ) -> tuple[dict[str, str], dict[str, bytes]]:
    """The page's figures (`figures`) and, where `images` (a Word file is asked for), each also
    as PNG by name, drawn anew in the same pass."""
    if not images:
        return figures(sheet, spec, ledger, ledger_bytes), {}
    from ..layout.figures import raster_key, rasters

    fingerprint = hashlib.sha256(ledger_bytes).digest() if ledger_bytes is not None else None
    key = (sheet.name, chosen(sheet, spec))
    last = _LAST_IMAGES.get(key)
    if fingerprint is not None and last is not None and last[0] == fingerprint:  # `watch`, the ledger unchanged
        return last[1], last[2]
    with rasters() as pngs:
        drawn = figures(sheet, spec, ledger)  # no fingerprint: drawn now, so its PNGs are too
    found = {name: pngs[raster_key(svg)] for name, svg in drawn.items() if raster_key(svg) in pngs}
    if fingerprint is not None:
        _LAST_IMAGES[key] = (fingerprint, drawn, found)
    return drawn, found


_LAST_IMAGES: dict[tuple, tuple[bytes, dict[str, str], dict[str, bytes]]] = {}  # one entry per page and choice of blocks


_LAST_DRAWN: dict[tuple[str, Context], tuple[bytes, dict[str, str]]] = {}  # one entry per block and page


def block_problems(spec: Spec, spec_file: Path | str = "trial.toml") -> list[Problem]:
    """Every unknown, repeated or (on the open DSMB page) not open-safe block id the spec names."""
    problems = []
    for kind in KINDS.values():
        for sheet in kind.sheets:
            problems += _sheet_problems(sheet, spec, str(spec_file))
    return problems


def check_blocks(spec: Spec, spec_file: Path | str = "trial.toml") -> None:
    """Stop (InputError, exit 2) on any problem of block_problems."""
    problems = block_problems(spec, spec_file)
    if problems:
        raise InputError(problems)


def check_report(spec: Spec, trial_dir: Path) -> None:
    """Stop (InputError, exit 2) on any problem of block_problems and any of the trial's own
    templates that does not compile, all at once."""
    from ..inputs.user_templates import folder_of
    from ..render.template_check import template_problems

    spec_file = str(Path(trial_dir) / SPEC_FILE)
    problems = block_problems(spec, spec_file)
    folder = folder_of(Path(trial_dir), spec.report.templates)
    if folder is not None:
        problems += template_problems(folder, spec.report.templates, spec_file)
    if problems:
        raise InputError(problems)


def _sheet_problems(sheet: Sheet, spec: Spec, spec_file: str) -> list[Problem]:
    if sheet.spec_key is None:
        return []
    choice = getattr(spec.report, sheet.spec_key).blocks or []
    valid = sheet.valid()
    problems, seen = [], set()
    for n, block_id in enumerate(choice):
        where = f"report.{sheet.spec_key}.blocks[{n}]"
        if block_id not in BLOCKS:
            problems.append(Problem(spec_file, f"{where}: {block_id!r} is not a block; the valid ones: {', '.join(valid)}"))
        elif not BLOCKS[block_id].open_safe and sheet.open:
            problems.append(Problem(spec_file, f"{where}: {block_id!r} is not open-safe (it shows efficacy or "
                                    f"results by arm): the open DSMB report takes only {', '.join(valid)}"))
        elif block_id not in valid and (sheet.name == ABSTRACT.name or BLOCKS[block_id].pages is not None):
            problems.append(Problem(spec_file, f"{where}: {block_id!r} is not a block of the {sheet.name} page; "
                                    f"the valid ones: {', '.join(valid)}"))
        elif block_id not in valid:
            problems.append(Problem(spec_file, f"{where}: {block_id!r} shows what the {sheet.name} report's ledger "
                                    f"does not hold; the valid ones: {', '.join(valid)}"))
        elif block_id in seen:
            problems.append(Problem(spec_file, f"{where}: {block_id!r} is named twice"))
        seen.add(block_id)
    return problems
