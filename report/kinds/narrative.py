"""The user's narrative on each page: which sections a page takes, rendered against that page's
ledger (the open DSMB report's: open-safe figures only, DESIGN section 9), every problem at once,
and what the manifest records of it (the files read, the references each section printed)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import InputError, Problem
from ..inputs.narrative_sources import narrative_files
from ..inputs.spec_narrative import SECTIONS
from ..inputs.trial import Trial
from ..layout.narrative import NarrativeError, Written, render

ABSTRACT_SECTIONS = tuple(s for s in SECTIONS if s.startswith("abstract_"))
PAGE_SECTIONS = {  # the sections each page's blocks take ([narrative] keys)
    "summary": ("study", "results", "toxicity", "next_steps"),
    "dsmb-open": ("dsmb_status",),
    "dsmb-closed": ("dsmb_status",),  # the same text, bound to the open ledger's figures on both pages
    "abstract": ABSTRACT_SECTIONS,
}

SCOPES = {"dsmb-open": "the open DSMB report's figures (efficacy and results by arm are the closed report's, "
                       "DESIGN section 9)",
          "dsmb-closed": "the open DSMB report's figures (the status section is in both reports)"}


def written(trial: Trial, ledger: dict, page: str) -> dict[str, Written]:
    """The page's sections that the user wrote, rendered against `ledger`; InputError (exit 2)
    naming the file and line of every reference that cannot be printed."""
    done, problems = {}, []
    for section in PAGE_SECTIONS[page]:
        source = trial.narrative.get(section)
        if source is None:
            continue
        try:
            done[section] = render(source, ledger, SCOPES.get(page, "the ledger"))
        except NarrativeError as exc:
            problems.append(exc.problem)
    if problems:
        raise InputError(problems)
    return done


def narrative_problems(trial: Trial, ledgers: dict[str, dict]) -> list[Problem]:
    """Every problem of every page's narrative, each page's sections against its ledger
    (`ledgers`: page -> ledger); a section shared by two pages is reported once."""
    problems: list[Problem] = []
    for page, ledger in ledgers.items():
        try:
            written(trial, ledger, page)
        except InputError as exc:
            problems += [p for p in exc.problems if p not in problems]
    return problems


def manifest_entry(trial: Trial, pages: dict[str, dict[str, Written]]) -> dict:
    """The manifest's `narrative`: the @files read (path in the trial folder and SHA-256) and, per
    page, the references each section printed; {} where the user wrote none."""
    if not trial.narrative:
        return {}
    files = [{"path": path, "sha256": _sha256(trial.directory / path)} for path in narrative_files(trial.narrative)]
    references = {page: {section: list(w.references) for section, w in done.items()}
                  for page, done in pages.items() if done}
    return {"narrative": {"files": files, "references": references}}


def narrative_paths(trial: Trial) -> list[Path]:
    """The @files, to store with the version's inputs."""
    return [trial.directory / path for path in narrative_files(trial.narrative)]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def validation_problems(trial: Trial) -> list[Problem]:
    """`validate`: every narrative problem of every page, each page's sections against the ledger
    it would be printed with (the open DSMB ledger for the status). Computes the ledger only
    where the user wrote text."""
    if not trial.narrative:
        return []
    from ..blocks.ledger import results as analyze

    results = analyze(trial)
    ledger = results.to_dict()
    ledgers = {"summary": ledger, "abstract": ledger}
    if "dsmb_status" in trial.narrative:
        from .dsmb import dsmb_ledgers

        ledgers["dsmb-open"] = dsmb_ledgers(trial, results, None).open_ledger()
    return narrative_problems(trial, ledgers)
