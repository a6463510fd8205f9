"""Derived analysis variables (DESIGN section 5): populations, time-to-event, time units."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DAYS_PER_UNIT = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}


@dataclass(frozen=True, eq=False)
class TimeToEvent:
    time: np.ndarray  # in the report's time unit
    event: np.ndarray  # True: the event; False: censored


def days_between(start: pd.Series, end: pd.Series) -> np.ndarray:
    return np.array([(e - s).days for s, e in zip(start, end)], dtype=float)


def evaluable(subjects: pd.DataFrame) -> pd.DataFrame:
    """The efficacy population: eligible and treated."""
    return subjects[subjects["eligible"].astype(bool) & subjects["treated"].astype(bool)]


def safety_population(subjects: pd.DataFrame) -> pd.DataFrame:
    """Every patient who received any protocol treatment."""
    return subjects[subjects["treated"].astype(bool)]


def responders(subjects: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    return subjects[subjects["best_response"].isin(codes)]


def overall_survival(subjects: pd.DataFrame, unit: str) -> TimeToEvent:
    """From enrollment to death (event) or last contact (censored)."""
    died = subjects["died_on"].notna().to_numpy()
    end = subjects["died_on"].where(subjects["died_on"].notna(), subjects["last_contact_on"])
    return TimeToEvent(days_between(subjects["enrolled_on"], end) / DAYS_PER_UNIT[unit], died)


def disease_free_survival(responding: pd.DataFrame, unit: str) -> TimeToEvent:
    """From response to the first of relapse or death (event), else last contact (censored)."""
    first_event = [
        min(d for d in (relapse, death) if d is not None) if (relapse is not None or death is not None) else None
        for relapse, death in zip(responding["relapse_on"], responding["died_on"])
    ]
    event = np.array([d is not None for d in first_event], dtype=bool)
    end = [d if d is not None else last for d, last in zip(first_event, responding["last_contact_on"])]
    return TimeToEvent(days_between(responding["response_on"], pd.Series(end)) / DAYS_PER_UNIT[unit], event)
