"""The data cutoff (DESIGN section 5): what is dated after it does not exist yet."""
from __future__ import annotations

import datetime as dt

import pandas as pd

SUBJECT_DATES = ("enrolled_on", "response_on", "relapse_on", "died_on", "last_contact_on", "off_study_on")
# Columns that only mean something once their date has happened.
WITH_RESPONSE = ("best_response", "response_on", "response_cycle", "mrd")
WITH_DEATH = ("died_on", "death_cause")
WITH_OFF_STUDY = ("off_study_on", "off_study_reason")


def latest_date(subjects: pd.DataFrame, adverse_events: pd.DataFrame) -> dt.date:
    """The last date anywhere in the data: the default cutoff."""
    dates = [subjects[c].dropna().max() for c in SUBJECT_DATES if subjects[c].notna().any()]
    if adverse_events["onset_on"].notna().any():
        dates.append(adverse_events["onset_on"].max())
    return max(dates)


def subjects_at(subjects: pd.DataFrame, cutoff: dt.date) -> pd.DataFrame:
    """Patients enrolled by the cutoff, as they stood on it; follow-up censored at it."""
    s = subjects[subjects["enrolled_on"] <= cutoff].copy()

    def after(column: str) -> pd.Series:
        return s[column].map(lambda d: d is not None and d > cutoff).astype(bool)

    s.loc[after("response_on"), list(WITH_RESPONSE)] = None
    s.loc[after("relapse_on"), "relapse_on"] = None
    s.loc[after("died_on"), list(WITH_DEATH)] = None
    s.loc[after("off_study_on"), list(WITH_OFF_STUDY)] = None
    s.loc[after("last_contact_on"), "last_contact_on"] = cutoff
    return s.reset_index(drop=True)


def adverse_events_at(adverse_events: pd.DataFrame, subjects: pd.DataFrame, cutoff: dt.date) -> pd.DataFrame:
    """Events with onset by the cutoff, in patients enrolled by it."""
    keep = (adverse_events["onset_on"] <= cutoff) & adverse_events["subject_id"].isin(subjects["subject_id"])
    return adverse_events[keep].reset_index(drop=True)
