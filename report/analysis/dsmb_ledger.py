"""The DSMB kind's two ledgers, computed once: the open one (the bundle's results.json) and
the closed one (results-closed.json, inside the closed report only).

The open ledger holds the parts of the trial's ledger that the open report's blocks show
(their keys come from the blocks declared open-safe, never from the spec's choice of
blocks), with every reason, cause and term that reveals efficacy pooled (disclosure.py);
the closed ledger holds the whole trial ledger, the DSMB part in full and the stopping
rules evaluated, as numbers and status codes (report.layout.stopping writes their words).

Pure: the trial, its ledger, and the archived open and closed ledgers of the previous cutoff in.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from ..errors import InputError
from ..inputs import derive
from ..inputs.trial import Trial, as_of
from ..stats.stopping import (
    Operating,
    SimonBoundary,
    SimonStatus,
    ToxicityBoundary,
    ToxicityStatus,
    simon_boundaries,
    simon_operating,
    simon_status,
    toxicity_boundaries,
    toxicity_not_evaluable,
    toxicity_operating,
    toxicity_status,
)
from . import dsmb
from .dsmb_efficacy import EfficacyChanges, efficacy_changes
from .disclosure import efficacy_pattern, open_adverse_events, open_block
from .ledger import Results, plain
from .safety import SafetySummary, summarize_safety

OPEN, CLOSED = "dsmb-open", "dsmb-closed"
# Every open ledger says what it is and how its numbers were made, whatever its blocks show.
FRAME = ("schema_version", "trial", "data_cutoff", "methods", "report")
DSMB_PARTS = ("report", "dsmb")  # what a DSMB ledger adds to the trial's, in this order
# Efficacy, results by arm and the stopping rules: never in the open ledger (DESIGN section 9).
NEVER_OPEN = ("response", "mrd", "survival", "endpoints", "arms", "by_arm", "comparisons", "response_comparison",
              "excluded_arms", "stopping", "cumulative_incidence", "forest", "tte_summary", "swimmer", "waterfall",
              "duration_of_response", "efficacy_changes")


@dataclass(frozen=True)
class Stopping:
    """One stopping rule evaluated at the cutoff: numbers and status codes only."""
    rule: dict  # the rule as trial.toml declares it
    status: SimonStatus | ToxicityStatus
    boundaries: tuple[SimonBoundary, ...] | tuple[ToxicityBoundary, ...]
    operating_characteristics: Operating  # exact, under the rule's two true rates


@dataclass(frozen=True)
class DsmbOpenSide:
    """What the open report shows: the trial ledger's `keys`, its safety recounted with
    revealing terms pooled, and the DSMB part pooled likewise."""
    keys: tuple[str, ...]  # of the trial's ledger, in its order
    parts: tuple[str, ...]  # of DSMB_PARTS
    safety: SafetySummary
    dsmb: dsmb.DsmbOpen


@dataclass(frozen=True)
class DsmbClosedSide:
    """What the closed report adds to the whole trial ledger: the DSMB part in full, the rules,
    and the previous closed report's ledger to compare efficacy with (see dsmb_results)."""
    dsmb: dsmb.DsmbOpen
    stopping: tuple[Stopping, ...]
    previous_cutoff: dt.date
    archived: tuple[bytes | None, str] | None  # the previous closed ledger (None: unreadable) and its version id


@dataclass(frozen=True)
class DsmbResults:
    results: Results  # the trial's ledger (analyze)
    open: DsmbOpenSide
    closed: DsmbClosedSide
    compared_with: str | None  # the archived version the changes were counted against, if any

    @functools.cached_property
    def _ledger(self) -> dict:
        return self.results.to_dict()

    def open_ledger(self) -> dict:
        """The open ledger, as results.json holds it."""
        ledger = {k: v for k, v in self._ledger.items() if k in self.open.keys}
        if "safety" in ledger:
            ledger["safety"] = plain(self.open.safety)
        shown = {"report": OPEN, "dsmb": plain(self.open.dsmb)}
        return {**ledger, **{k: shown[k] for k in self.open.parts}}

    @functools.cached_property
    def efficacy(self) -> EfficacyChanges:
        """What changed in efficacy since the previous closed report (the closed ledger only)."""
        return efficacy_changes(self._ledger, self.closed.previous_cutoff, self.closed.archived)

    def closed_ledger(self) -> dict:
        """The closed ledger, as results-closed.json holds it."""
        return {**self._ledger, "report": CLOSED, "dsmb": plain(self.closed.dsmb), "stopping": plain(self.closed.stopping),
                "efficacy_changes": plain(self.efficacy)}


def dsmb_results(trial: Trial, results: Results, archived: tuple[bytes, str] | None,
                 block_keys: Iterable[str], archived_closed: tuple[bytes | None, str] | None = None) -> DsmbResults:
    """Both DSMB ledgers of `trial` as of its cutoff.

    `archived`: the open ledger (results.json bytes) of the previous cutoff's DSMB version
    and that version's id, as the archive's index holds it, or None (then the previous
    cutoff is recomputed from the same data). `block_keys`: the ledger keys of the blocks
    the open report may show (the open-safe ones). `archived_closed`: that version's closed
    ledger (results-closed.json bytes, None where it could not be read) and its id, or None.
    """
    full, compared_with = _dsmb_part(trial, archived)
    words = efficacy_pattern(trial.spec.dsmb.efficacy_words)  # the open side pools them; the closed keeps them
    keys, parts = open_keys(block_keys)
    side = DsmbOpenSide(keys, parts, _open_safety(trial, results.safety, words), open_block(full, words))
    return DsmbResults(results, side, DsmbClosedSide(full, stopping(trial), previous_cutoff(trial), archived_closed),
                       compared_with)


def open_keys(block_keys: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The trial-ledger keys (in its order) and the DSMB parts of the open ledger: the FRAME
    and every key an open-safe block shows; ValueError for a key the open side may never hold."""
    wanted = set(FRAME) | set(block_keys)
    fields = [f.name for f in dataclasses.fields(Results)]
    refused = sorted(k for k in wanted if k in NEVER_OPEN or k not in fields and k not in DSMB_PARTS)
    if refused:
        raise ValueError(f"the open DSMB ledger cannot hold {', '.join(refused)}: a block declared open-safe shows it")
    return tuple(k for k in fields if k in wanted), tuple(k for k in DSMB_PARTS if k in wanted)


def previous_cutoff(trial: Trial) -> dt.date:
    """The cutoff of the report the changes are counted from: the spec's, else a month earlier."""
    return trial.spec.dsmb.previous_cutoff or (pd.Timestamp(trial.cutoff) - pd.DateOffset(months=1)).date()


def _open_safety(trial: Trial, safety: SafetySummary, words) -> SafetySummary:
    """The ledger's safety block, recounted with revealing terms pooled where there are any."""
    pooled = open_adverse_events(trial.adverse_events, words)
    if pooled is None:
        return safety
    population = derive.safety_population(trial.subjects)
    return summarize_safety(population, pooled, trial.spec.analysis.early_death_days, trial.grading)


def _dsmb_part(trial: Trial, archived: tuple[bytes, str] | None) -> tuple[dsmb.DsmbOpen, str | None]:
    """The ledger's `dsmb` part in full, and the archived version it was compared with (if any)."""
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
        before = plain(dsmb.open_summary(earlier.subjects, earlier.adverse_events, before_cutoff, plan,
                                         plan.early_death_days, earlier.not_collected))
        source = "recomputed"
    population = derive.safety_population(trial.subjects)
    new_serious = dsmb.serious_events(population, trial.adverse_events, after=before_cutoff)
    return dataclasses.replace(now, changes=dsmb.changes(now, before, before_cutoff, source, new_serious)), compared_with


def _archived(archived: tuple[bytes, str] | None) -> tuple[dict | None, str | None]:
    """The `dsmb` part of the archived open ledger, and that version's id; (None, None) without one."""
    if archived is None:
        return None, None
    try:
        part = json.loads(archived[0])["dsmb"]
    except (ValueError, KeyError):
        return None, None
    return part, archived[1]


def stopping(trial: Trial) -> tuple[Stopping, ...]:
    """Every stopping rule of the spec, evaluated at the cutoff, with its operating characteristics."""
    population = derive.safety_population(trial.subjects)
    evaluated = []
    for rule in trial.spec.dsmb.stopping_rules:
        if rule.kind == "simon":
            outcomes = dsmb.response_outcomes(trial.subjects, trial.spec.analysis.responders)
            status, boundaries, operating = simon_status(rule, outcomes), simon_boundaries(rule), simon_operating(rule)
        else:
            status, boundaries = _toxicity(trial, rule, population), toxicity_boundaries(rule)
            operating = toxicity_operating(rule, boundaries)
        evaluated.append(Stopping(rule.model_dump(mode="json"), status, boundaries, operating))
    return tuple(evaluated)


def _toxicity(trial: Trial, rule, population: pd.DataFrame) -> ToxicityStatus:
    if trial.adverse_events is None:  # not collected: the rule cannot be evaluated, never "0 events"
        return toxicity_not_evaluable(rule, len(population))
    events = dsmb.patients_with_toxicity(population, trial.adverse_events, rule.min_grade, rule.related_only)
    return toxicity_status(rule, events, len(population))
