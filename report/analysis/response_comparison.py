"""Responders compared between arms (ledger `response_comparison`): each arm against the
reference (the first arm), the rate difference and odds ratio by the spec's methods
(`[analysis] rate_difference_method`, `odds_ratio_method`), and where the spec names
`[analysis] strata`, the Cochran-Mantel-Haenszel test and common odds ratio over the strata
(patients without a stratum left out of it). Among the efficacy population, as the
response table; None where response was not collected or the trial has one arm.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..inputs import derive, strata_column
from ..inputs.spec import Analysis
from ..stats.rates import MH_METHOD, ODDS_METHODS, RATE_METHODS, Difference, MantelHaenszel, mantel_haenszel, \
    odds_ratio, rate_difference
from .group import Reads

READS = Reads(subjects=("efficacy", "best_response", "strata"),
              options=("responders", "rate_difference_method", "odds_ratio_method", "confidence", "strata"))


@dataclass(frozen=True)
class ArmResponse:
    arm: str
    reference: str
    responders: int
    n: int
    reference_responders: int
    reference_n: int
    rate_difference: Difference  # the arm's rate less the reference's
    odds_ratio: Difference  # the arm's odds of response over the reference's
    mantel_haenszel: MantelHaenszel | None  # stratified; None unstratified


@dataclass(frozen=True)
class ResponseComparison:
    responder_codes: tuple[str, ...]
    rate_difference_method: str
    rate_difference_method_name: str
    odds_ratio_method: str
    odds_ratio_method_name: str
    mantel_haenszel_method: str | None
    stratified_by: tuple[str, ...]
    arms: tuple[ArmResponse, ...]


def compare_response(subjects: pd.DataFrame, arms: list[str], options: Analysis) -> ResponseComparison | None:
    """Each arm's responders against the reference's; None without arms or response data."""
    if len(arms) < 2 or not subjects["best_response"].notna().any():
        return None
    evaluable = derive.evaluable(subjects)
    responding = evaluable["best_response"].isin(options.responders)
    strata = _strata(evaluable, options)
    rows = tuple(_arm(arm, arms[0], evaluable["arm"], responding, strata, options) for arm in arms[1:])
    return ResponseComparison(
        responder_codes=tuple(options.responders),
        rate_difference_method=options.rate_difference_method,
        rate_difference_method_name=RATE_METHODS[options.rate_difference_method],
        odds_ratio_method=options.odds_ratio_method,
        odds_ratio_method_name=ODDS_METHODS[options.odds_ratio_method],
        mantel_haenszel_method=MH_METHOD if strata is not None else None,
        stratified_by=tuple(options.strata) if strata is not None else (),
        arms=rows,
    )


def _strata(evaluable: pd.DataFrame, options: Analysis) -> pd.Series | None:
    if not options.strata or strata_column.COLUMN not in evaluable:
        return None
    return evaluable[strata_column.COLUMN].map(strata_column.label)


def _arm(arm: str, reference: str, arm_of: pd.Series, responding: pd.Series, strata: pd.Series | None,
         options: Analysis) -> ArmResponse:
    x1, n1 = int(responding[arm_of == arm].sum()), int((arm_of == arm).sum())
    x2, n2 = int(responding[arm_of == reference].sum()), int((arm_of == reference).sum())
    return ArmResponse(
        arm, reference, x1, n1, x2, n2,
        rate_difference(x1, n1, x2, n2, options.rate_difference_method, options.confidence),
        odds_ratio(x1, n1, x2, n2, options.odds_ratio_method, options.confidence),
        _cmh(arm, reference, arm_of, responding, strata, options.confidence) if strata is not None else None,
    )


def _cmh(arm: str, reference: str, arm_of: pd.Series, responding: pd.Series, strata: pd.Series,
         confidence: float) -> MantelHaenszel:
    """R's mantelhaen.test over the strata (Yates-corrected, R's default)."""
    tables = []
    for stratum in sorted(strata.dropna().unique()):
        here = strata == stratum
        cells = [[int((responding & here & (arm_of == a)).sum()), int((~responding & here & (arm_of == a)).sum())]
                 for a in (arm, reference)]
        tables.append(cells)
    return mantel_haenszel(tables, confidence, correct=True)
