"""Derived analysis variables (DESIGN section 5): populations, time-to-event, time units."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DAYS_PER_UNIT = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}


TTE_COLUMNS = ["subject_id", "endpoint", "days", "event"]
# `event_type` (optional, None where the data do not say): what the event was. An event of
# interest has event True; a competing event has event False (Kaplan-Meier censors it) and
# its event_type; a censored time has event False and event_type None.
EVENT_TYPE = "event_type"
# `censor_reason` (optional, None where the data do not say): why a censored time ends (ADaM
# CNSDTDSC, or "Data cutoff" where the cutoff censored an event after it).
CENSOR_REASON = "censor_reason"
DEATH, RELAPSE = "Death", "Relapse"  # the event types of the derived OS and DFS


@dataclass(frozen=True)
class Endpoint:
    """A time-to-event endpoint: its ledger key and how reports name it."""
    name: str  # the ledger key, e.g. "os"
    label: str  # "Overall survival"
    origin: str  # time zero, as in "months since registration"
    population: str  # whose times they are, e.g. "efficacy population"
    description: str = ""  # one sentence for the methods section (the spec's [[analysis.endpoints]])
    as_delivered: bool = False  # given as times, not dates: the data cutoff could not be applied
    competing: tuple[str, ...] = ()  # event_type values that are competing events


OVERALL_SURVIVAL = Endpoint("os", "Overall survival", "enrollment", "efficacy population")
DISEASE_FREE_SURVIVAL = Endpoint("dfs", "Disease-free survival", "response", "responders")


def days_between(start: pd.Series, end: pd.Series) -> np.ndarray:
    return np.array([(e - s).days for s, e in zip(start, end)], dtype=float)


def evaluable(subjects: pd.DataFrame) -> pd.DataFrame:
    """The efficacy population (tidy input: eligible and treated)."""
    return subjects[subjects["efficacy"].astype(bool)]


def safety_population(subjects: pd.DataFrame) -> pd.DataFrame:
    """The safety population (tidy input: every patient who received any treatment)."""
    return subjects[subjects["safety"].astype(bool)]


def responders(subjects: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    return subjects[subjects["best_response"].isin(codes)]


def tidy_time_to_event(subjects: pd.DataFrame, responder_codes: list[str]) -> pd.DataFrame:
    """OS for the efficacy population and DFS for its responders, one row per patient and endpoint."""
    population = evaluable(subjects)
    return pd.concat(
        [_overall_survival(population), _disease_free_survival(responders(population, responder_codes))],
        ignore_index=True,
    )


def _overall_survival(subjects: pd.DataFrame) -> pd.DataFrame:
    """From enrollment to death (event) or last contact (censored)."""
    died = subjects["died_on"].notna().to_numpy()
    end = subjects["died_on"].where(subjects["died_on"].notna(), subjects["last_contact_on"])
    return _tte(subjects["subject_id"], "os", days_between(subjects["enrolled_on"], end), died,
                np.where(died, DEATH, None))


def _disease_free_survival(responding: pd.DataFrame) -> pd.DataFrame:
    """From response to the first of relapse or death (event), else last contact (censored)."""
    first_event = [
        min(d for d in (relapse, death) if d is not None) if (relapse is not None or death is not None) else None
        for relapse, death in zip(responding["relapse_on"], responding["died_on"])
    ]
    event = np.array([d is not None for d in first_event], dtype=bool)
    end = [d if d is not None else last for d, last in zip(first_event, responding["last_contact_on"])]
    kind = [None if d is None else RELAPSE if d == relapse else DEATH
            for d, relapse in zip(first_event, responding["relapse_on"])]
    return _tte(responding["subject_id"], "dfs", days_between(responding["response_on"], pd.Series(end)), event,
                np.array(kind, dtype=object))


def none_column(n: int) -> np.ndarray:
    """A column of n Nones (not NaN): a value the data do not give."""
    return np.full(n, None, dtype=object)


def _tte(subject_id: pd.Series, endpoint: str, days: np.ndarray, event: np.ndarray, kind: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({
        "subject_id": subject_id.to_numpy(),
        "endpoint": endpoint,
        "days": days.astype(float),
        "event": event.astype(bool),
        EVENT_TYPE: kind.astype(object),
    }, columns=[*TTE_COLUMNS, EVENT_TYPE])


UNNAMED_TREATMENT = "Protocol treatment"  # exposure rows whose treatment is empty, where others are named


def treatment_names(exposure: pd.DataFrame) -> pd.Series:
    """Each exposure row's treatment, UNNAMED_TREATMENT where the row names none."""
    return exposure["treatment"].map(lambda t: UNNAMED_TREATMENT if t is None or pd.isna(t) else t)


def treatments(exposure: pd.DataFrame | None) -> tuple[str, ...]:
    """The treatments exposure rows name, in the order of their first start, then of the
    file; () where they name fewer than two (or exposure was not collected)."""
    if exposure is None or "treatment" not in exposure:
        return ()
    named = treatment_names(exposure)
    if named.nunique() < 2:
        return ()
    first = pd.DataFrame({"name": named.to_numpy(), "start": exposure["start_on"].to_numpy(),
                          "order": range(len(exposure))}).sort_values(["start", "order"], kind="stable")
    return tuple(dict.fromkeys(first["name"]))
