"""The data cutoff (DESIGN section 5): what is dated after it does not exist yet."""
from __future__ import annotations

import datetime as dt

import pandas as pd

SUBJECT_DATES = ("enrolled_on", "response_on", "relapse_on", "died_on", "last_contact_on", "off_study_on")
# Columns that only mean something once their date has happened.
WITH_RESPONSE = ("best_response", "response_on", "response_cycle", "mrd")
WITH_DEATH = ("died_on", "death_cause")
WITH_OFF_STUDY = ("off_study_on", "off_study_reason")


def latest_date(subjects: pd.DataFrame, adverse_events: pd.DataFrame | None,
                time_to_event: pd.DataFrame | None = None) -> dt.date:
    """The last date anywhere in the data: the default cutoff."""
    columns = [subjects[c] for c in SUBJECT_DATES]
    if adverse_events is not None:
        columns.append(adverse_events["onset_on"])
    if time_to_event is not None and "end_on" in time_to_event:
        columns.append(time_to_event["end_on"])
    return max(d for column in columns for d in column.dropna())


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
    """Events with onset by the cutoff (undated ones kept), in patients enrolled by it."""
    dated_in_time = adverse_events["onset_on"].map(lambda d: d is None or d <= cutoff).astype(bool)
    keep = dated_in_time & adverse_events["subject_id"].isin(subjects["subject_id"])
    return adverse_events[keep].reset_index(drop=True)


CUTOFF_REASON = "Data cutoff"  # why a time is censored where the cutoff censored an event or censoring after it


def time_to_event_at(time_to_event: pd.DataFrame, subjects: pd.DataFrame, cutoff: dt.date) -> pd.DataFrame:
    """Given times (ADaM) as of the cutoff: an event or censoring after it is censored at it."""
    tte = time_to_event[time_to_event["subject_id"].isin(subjects["subject_id"])].copy()
    late = tte["end_on"].map(lambda d: isinstance(d, dt.date) and d > cutoff).astype(bool)
    if late.any():
        enrolled = dict(zip(subjects["subject_id"], subjects["enrolled_on"]))
        origins = [start if isinstance(start, dt.date) else enrolled[subject]
                   for start, subject in zip(tte.loc[late, "start_on"], tte.loc[late, "subject_id"])]
        tte.loc[late, "days"] = [float((cutoff - origin).days) for origin in origins]
        tte.loc[late, "event"] = False
        for column, value in (("event_type", None), ("censor_reason", CUTOFF_REASON)):
            if column in tte:
                tte.loc[late, column] = value
    return tte.reset_index(drop=True)


def dated_rows_at(rows: pd.DataFrame | None, subjects: pd.DataFrame, cutoff: dt.date, column: str) -> pd.DataFrame | None:
    """Rows dated (in `column`) by the cutoff (undated ones kept), of patients enrolled by it;
    None stays None (not collected)."""
    if rows is None:
        return None
    in_time = rows[column].map(lambda d: d is None or pd.isna(d) or d <= cutoff).astype(bool)
    return rows[in_time & rows["subject_id"].isin(subjects["subject_id"])].reset_index(drop=True)


def endpoint_rows_at(rows: pd.DataFrame | None, subjects: pd.DataFrame, cutoff: dt.date) -> pd.DataFrame | None:
    """A tidy endpoints file's rows (report.inputs.tidy_endpoints) as of the cutoff, for
    patients enrolled by it. A row given by dates: dropped where it starts after the cutoff;
    an event or censoring after it is censored at it (end_on the cutoff, no event type). A
    row given as a time cannot be cut: kept as delivered."""
    if rows is None:
        return None
    started = rows["start_on"].map(lambda d: not isinstance(d, dt.date) or d <= cutoff).astype(bool)
    r = rows[started & rows["subject_id"].isin(subjects["subject_id"])].copy()
    late = r["end_on"].map(lambda d: isinstance(d, dt.date) and d > cutoff).astype(bool)
    if late.any():
        r.loc[late, "days"] = [float((cutoff - start).days) for start in r.loc[late, "start_on"]]
        r.loc[late, "end_on"] = cutoff
        r.loc[late, "event"] = False
        r.loc[late, "event_type"] = None
        if "censor_reason" in r:
            r.loc[late, "censor_reason"] = CUTOFF_REASON
    return r.reset_index(drop=True)
