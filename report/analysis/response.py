"""Response, response after the first cycle and MRD negativity."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..inputs.derive import responders
from ..stats.proportions import Proportion, proportion

NOT_ASSESSED = "not assessed"


@dataclass(frozen=True)
class ResponseSummary:
    responder_codes: tuple[str, ...]
    responders: Proportion
    categories: dict[str, Proportion]  # every best-response code, in display order
    after_first_cycle: Proportion | None  # None: the cycle of response was not collected
    first_response_cycle: dict[str, int] | None  # responders by the cycle of first response


@dataclass(frozen=True)
class MrdSummary:
    assessed: int  # responders with an MRD result
    negative: Proportion  # MRD-negative among them
    not_assessed: int
    negative_of_evaluable: Proportion  # MRD-negative among all evaluable patients (untested counted as not negative)


def summarize_response(evaluable: pd.DataFrame, codes: list[str], categories: list[str], method: str, confidence: float,
                       cycles_collected: bool = True) -> ResponseSummary:
    n = len(evaluable)
    best = evaluable["best_response"].fillna(NOT_ASSESSED)
    responding = responders(evaluable, codes)
    cycles = responding["response_cycle"].dropna().astype(int)
    return ResponseSummary(
        responder_codes=tuple(codes),
        responders=proportion(len(responding), n, method, confidence),
        categories={
            code: proportion(int((best == code).sum()), n, method, confidence)
            for code in _category_order(best, codes, categories)
        },
        after_first_cycle=(proportion(int((cycles == 1).sum()), len(responding), method, confidence)
                           if cycles_collected else None),
        first_response_cycle={str(c): int((cycles == c).sum()) for c in sorted(cycles.unique())} if cycles_collected else None,
    )


def summarize_mrd(responding: pd.DataFrame, evaluable: int, method: str, confidence: float) -> MrdSummary:
    results = responding["mrd"].dropna()
    negative = int((results == "negative").sum())
    return MrdSummary(
        assessed=len(results),
        negative=proportion(negative, len(results), method, confidence),
        not_assessed=len(responding) - len(results),
        negative_of_evaluable=proportion(negative, evaluable, method, confidence),
    )


def _category_order(best: pd.Series, codes: list[str], categories: list[str]) -> list[str]:
    """The spec's order, else responder codes first; categories no patient has are kept."""
    seen = list(dict.fromkeys(sorted(best.unique())))
    order = list(categories) or [c for c in codes] + [c for c in seen if c not in codes and c != NOT_ASSESSED]
    return order + [c for c in seen if c not in order]
