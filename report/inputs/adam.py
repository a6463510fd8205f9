"""CDISC ADaM input: ADSL, ADRS, ADTTE and ADAE mapped onto the tidy tables.

The spec's `[adam]` section names the variables; its defaults follow the ADaM
implementation guide, so a standard dataset needs few lines. Every missing dataset,
variable or parameter is reported at once, with what the mapping expected.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .adam_datasets import Dataset, date_values, find_dataset, first_date, flag_values, open_dataset, text_values
from .arms import arm_problems
from . import demographic_columns as dc
from . import derive, strata_column
from .derive import DAYS_PER_UNIT, TTE_COLUMNS, Endpoint
from ..errors import InputError, Problem
from .source import SourceTables
from .tidy_checks import ACTIONS
from .spec import Adam, AdamAdverseEvents, Spec

UNITS = {"DAY": "days", "DAYS": "days", "WEEK": "weeks", "WEEKS": "weeks",
         "MONTH": "months", "MONTHS": "months", "YEAR": "years", "YEARS": "years"}
EMPTY_AE = pd.DataFrame(columns=["subject_id", "term", "soc", "grade", "onset_on", "attribution", "serious",
                                 "action_taken", "fatal"])
DEFAULT_ADAE = "adae"
STUDY_STATUSES = ("COMPLETED", "DISCONTINUED", "ONGOING")
# Subject columns no ADaM mapping fills (time-to-event rows come from ADTTE instead).
UNMAPPED = ("response_cycle", "mrd", "relapse_on", "ineligible_reason", "best_change")


def read_adam(spec: Spec, data_dir: Path) -> SourceTables:
    m = spec.adam
    problems: list[Problem] = []
    adsl = open_dataset(data_dir, m.adsl, "adsl", problems)
    adtte = open_dataset(data_dir, m.adtte, "adtte", problems) if m.adtte else None
    adae = _open_adae(data_dir, m.adverse_events.dataset, problems)
    adrs = open_dataset(data_dir, m.response.dataset, "response.dataset", problems) if m.response else None
    from .adam_labs import adam_labs, open_adlb  # it reads datasets with this module's helpers

    adlb = open_adlb(data_dir, m.labs.dataset, problems)
    from .adam_exposure import exposure, open_adex  # it reads datasets as this module does

    adex = open_adex(data_dir, m.exposure.dataset, problems)
    if problems:
        raise InputError(problems)
    subjects = _subjects(adsl, m, problems)
    if subjects is not None:
        rows = [adsl.row(i) for i in range(len(subjects))]
        problems += arm_problems(subjects["arm"], rows, adsl.path.name, m.arm.upper(), spec.analysis)
        problems += _with_demographics(subjects, adsl, spec, rows)
    if subjects is not None and adsl.has(m.study_status):
        problems += _status_problems(adsl, m.study_status)
    if adrs is not None and subjects is not None:
        _add_best_response(subjects, adrs, m, problems)
    tte, endpoints = _time_to_event(adtte, subjects, m, problems) if adtte is not None else (None, ())
    ae, grading = _adverse_events(adae, subjects, m.adverse_events, problems) if adae is not None else (None, "ctcae")
    ex, absent = exposure(adex, subjects, m.subject, m.exposure, problems) if adex is not None else (None, frozenset())
    labs = adam_labs(adlb, subjects, m.subject, m.labs, problems) if adlb is not None else None
    if problems:
        raise InputError(problems)
    inputs = tuple(d.path for d in (adsl, adrs, adtte, adae, adex, adlb) if d is not None)
    return SourceTables(subjects, ae, inputs, tte if tte is not None else _no_tte(), endpoints, grading,
                        _not_collected(adsl, m) | absent, exposure=ex, labs=labs)


def _with_demographics(subjects: pd.DataFrame, adsl: Dataset, spec: Spec, rows: list[int]) -> list[Problem]:
    """The intent-to-treat flag (where ADSL lacks it: the efficacy flag, unless the demographic
    table asks for it) and the demographic table's values (report.inputs.demographic_columns)."""
    m, problems = spec.adam, []
    demographics = spec.analysis.demographics
    if adsl.has(m.itt_flag):
        subjects["itt"] = flag_values(adsl.col(m.itt_flag))
    else:
        subjects["itt"] = subjects["efficacy"]
        if demographics is not None and demographics.population == "itt":
            problems += adsl.missing({"itt_flag (for [analysis.demographics] population = \"itt\")": m.itt_flag})
    values, found = dc.demographic_values(
        dc.variables(spec.analysis, _not_collected(adsl, m)), lambda c: adsl.col(c) if adsl.has(c) else None,
        list(adsl.frame.columns), adsl.path.name, rows)
    subjects[dc.COLUMN] = pd.Series(values if not found else [()] * len(subjects), index=subjects.index, dtype=object)
    return problems + found + strata_column.attach(subjects, spec.analysis.strata,
                                                   lambda c: adsl.col(c) if adsl.has(c) else None,
                                                   list(adsl.frame.columns), adsl.path.name)


def _open_adae(data_dir: Path, named: str | None, problems: list[Problem]) -> Dataset | None:
    """The adverse-event dataset the spec names (it must exist), else ADAE where it exists;
    None where adverse events were not collected (or the spec says so with `dataset = ""`)."""
    if named == "" or (named is None and find_dataset(data_dir, DEFAULT_ADAE) is None):
        return None
    return open_dataset(data_dir, named or DEFAULT_ADAE, "adverse_events.dataset", problems)


def _not_collected(adsl: Dataset, m: Adam) -> frozenset[str]:
    """Subject columns ADaM input does not give: unmapped ones, and ADSL variables it lacks."""
    absent = {column for column, variable in (("age", "AGE"), ("sex", "SEX"), ("death_cause", m.death_cause),
                                              ("died_on", m.death_date), ("study_status", m.study_status),
                                              ("off_study_reason", m.discontinued_reason), ("off_study_on", m.study_end))
              if not adsl.has(variable)}
    mapped = {"ineligible_reason"} if m.ineligible_reason else set()
    return frozenset(absent | set(UNMAPPED) - mapped)


def _status_problems(adsl: Dataset, variable: str) -> list[Problem]:
    """A problem for each end-of-study status that is none of COMPLETED, DISCONTINUED, ONGOING."""
    return [Problem(adsl.path.name, f"{value!r} is not one of {', '.join(STUDY_STATUSES)} ([adam] study_status)",
                    adsl.row(index), variable)
            for index, value in text_values(adsl.col(variable)).items() if value and value.upper() not in STUDY_STATUSES]


def _subjects(adsl: Dataset, m: Adam, problems: list[Problem]) -> pd.DataFrame | None:
    starts = [v for v in m.start if adsl.has(v)]
    found = adsl.missing({"subject": m.subject, "arm": m.arm, "efficacy_flag": m.efficacy_flag, "safety_flag": m.safety_flag,
                          "ineligible_reason": m.ineligible_reason})
    if not starts:
        found.append(Problem(adsl.path.name, f"none of the variables {', '.join(m.start)} found; the mapping [adam] start expects one", column=m.start[0]))
    if found:
        problems.extend(found)
        return None
    start = first_date(adsl, starts)
    for index in np.flatnonzero(pd.isna(start)):
        problems.append(Problem(adsl.path.name, "no start date (time zero) for this patient", adsl.row(index), "/".join(starts)))
    died = date_values(adsl.col(m.death_date)) if adsl.has(m.death_date) else [None] * len(start)
    optional = lambda v: text_values(adsl.col(v)) if adsl.has(v) else None  # noqa: E731
    return pd.DataFrame({
        "subject_id": text_values(adsl.col(m.subject)),
        "arm": text_values(adsl.col(m.arm)),
        "enrolled_on": start,
        "age": pd.to_numeric(adsl.col("AGE"), errors="coerce").astype(object) if adsl.has("AGE") else None,
        "sex": optional("SEX"),
        "eligible": flag_values(adsl.col(m.efficacy_flag)),
        "treated": flag_values(adsl.col(m.safety_flag)),
        "efficacy": flag_values(adsl.col(m.efficacy_flag)),
        "safety": flag_values(adsl.col(m.safety_flag)),
        "best_response": None, "response_on": None, "response_cycle": None, "mrd": None, "relapse_on": None,
        "best_change": None,
        "died_on": died,
        "death_cause": optional(m.death_cause),
        "last_contact_on": date_values(adsl.col(m.last_alive)) if adsl.has(m.last_alive) else died,
        "off_study_on": date_values(adsl.col(m.study_end)) if adsl.has(m.study_end) else None,
        "off_study_reason": optional(m.discontinued_reason),
        "ineligible_reason": optional(m.ineligible_reason) if m.ineligible_reason else None,
        "study_status": text_values(adsl.col(m.study_status)).str.lower() if adsl.has(m.study_status) else None,
    }).astype(object).where(lambda f: f.notna(), None)


def _add_best_response(subjects: pd.DataFrame, adrs: Dataset, m: Adam, problems: list[Problem]) -> None:
    paramcd = m.response.paramcd
    found = adrs.missing({"subject": m.subject, "response.paramcd (PARAMCD)": "PARAMCD", "response (AVALC)": "AVALC"})
    if found:
        problems.extend(found)
        return
    records = adrs.frame[text_values(adrs.col("PARAMCD")) == paramcd]
    if records.empty:
        present = ", ".join(sorted(set(text_values(adrs.col("PARAMCD")).dropna())))
        problems.append(Problem(adrs.path.name, f"no records with PARAMCD {paramcd!r}: the mapping [adam.response] paramcd expects them (present: {present})", column="PARAMCD"))
        return
    ids = text_values(records[m.subject.upper()])
    for index in records.index[ids.duplicated()]:
        problems.append(Problem(adrs.path.name, f"a second {paramcd} record for {ids[index]!r}: one per patient expected", adrs.row(index), m.subject))
    best = dict(zip(ids, text_values(records["AVALC"])))
    dated = [v for v in ("ADT", "ADTM") if v in records.columns]
    when = dict(zip(ids, first_date(Dataset(adrs.name, adrs.path, records), dated)))
    subjects["best_response"] = [best.get(s) for s in subjects["subject_id"]]
    subjects["response_on"] = [when.get(s) for s in subjects["subject_id"]]


def _time_to_event(adtte: Dataset, subjects: pd.DataFrame | None, m: Adam, problems: list[Problem]):
    found = adtte.missing({"subject": m.subject, "endpoints (PARAMCD)": "PARAMCD", "endpoints (AVAL)": "AVAL", "endpoints (CNSR)": "CNSR"})
    if found or subjects is None:
        problems.extend(found)
        return None, ()
    frame = adtte.frame
    units = _units(adtte, m, problems)
    mappings = m.endpoints or _time_valued_parameters(frame, units)
    endpoints, parts = [], []
    for mapping in mappings:
        rows = frame[text_values(frame["PARAMCD"]) == mapping.paramcd]
        if rows.empty:
            present = ", ".join(sorted(set(text_values(frame["PARAMCD"]).dropna())))
            problems.append(Problem(adtte.path.name, f"no records with PARAMCD {mapping.paramcd!r}: the mapping [[adam.endpoints]] expects them (present: {present})", column="PARAMCD"))
            continue
        name = mapping.name or mapping.paramcd.lower()
        label = mapping.label or (str(rows["PARAM"].iloc[0]) if "PARAM" in rows.columns else mapping.paramcd)
        endpoints.append(Endpoint(name, label, mapping.origin, "efficacy population"))
        parts.append(_endpoint_rows(adtte, rows, name, units, m))
    efficacy = set(subjects.loc[subjects["efficacy"].astype(bool), "subject_id"])
    tte = pd.concat(parts, ignore_index=True) if parts else _no_tte()
    return tte[tte["subject_id"].isin(efficacy)].reset_index(drop=True), tuple(endpoints)


def _units(adtte: Dataset, m: Adam, problems: list[Problem]) -> pd.Series:
    if adtte.has("AVALU"):
        return text_values(adtte.col("AVALU")).str.upper().map(UNITS)
    if m.aval_unit is None:
        problems.append(Problem(adtte.path.name, "no AVALU: say the unit of AVAL with [adam] aval_unit", column="AVALU"))
    return pd.Series(m.aval_unit, index=adtte.frame.index)


def _time_valued_parameters(frame: pd.DataFrame, units: pd.Series):
    from .spec import AdamEndpoint

    timed = frame[units.notna()]
    return [AdamEndpoint(paramcd=p) for p in dict.fromkeys(text_values(timed["PARAMCD"]))]


def _endpoint_rows(adtte: Dataset, rows: pd.DataFrame, name: str, units: pd.Series, m: Adam) -> pd.DataFrame:
    days = pd.to_numeric(rows["AVAL"], errors="coerce") * units[rows.index].map(DAYS_PER_UNIT)
    sub = Dataset(adtte.name, adtte.path, rows)
    event = (pd.to_numeric(rows["CNSR"], errors="coerce") == 0).to_numpy()
    described = text_values(rows["EVNTDESC"]).to_numpy() if "EVNTDESC" in rows else derive.none_column(len(rows))
    censored = text_values(rows["CNSDTDSC"]).to_numpy() if "CNSDTDSC" in rows else derive.none_column(len(rows))
    return pd.DataFrame({
        "subject_id": text_values(rows[m.subject.upper()]).to_numpy(),
        "endpoint": name,
        "days": days.to_numpy(dtype=float),
        "event": event,
        derive.EVENT_TYPE: np.where(event, described, None),  # what the event was (EVNTDESC)
        derive.CENSOR_REASON: np.where(event, None, np.where(pd.isna(censored), described, censored)),
        "start_on": first_date(sub, ["STARTDT"]) if sub.has("STARTDT") else None,
        "end_on": first_date(sub, [v for v in ("ADT", "ADTM") if sub.has(v)]) or None,
    })


def _adverse_events(adae: Dataset, subjects: pd.DataFrame | None, a: AdamAdverseEvents, problems: list[Problem]):
    grading = "ctcae" if adae.has(a.grade) else "severity"
    needed = {"subject": "USUBJID", "adverse_events.term": a.term, "adverse_events.soc": a.soc,
              "adverse_events.treatment_emergent": a.treatment_emergent}
    needed["adverse_events.grade" if grading == "ctcae" else "adverse_events.severity (no grade variable)"] = a.grade if grading == "ctcae" else a.severity
    found = adae.missing(needed)
    if found or subjects is None:
        problems.extend(found)
        return EMPTY_AE, grading
    frame = adae.frame
    if a.treatment_emergent:
        frame = frame[text_values(frame[a.treatment_emergent.upper()]).str.upper() == "Y"]
    grade = _grades(adae, frame, a, grading, problems)
    known = set(subjects["subject_id"])
    ids = text_values(frame["USUBJID"])
    for index in frame.index[~ids.isin(known)]:
        problems.append(Problem(adae.path.name, f"{ids[index]!r} is not in ADSL", adae.row(index), "USUBJID"))
    sub = Dataset(adae.name, adae.path, frame)
    _action_problems(sub, a.action, problems)
    onset = [v for v in (a.onset, "ASTDTM") if sub.has(v)]
    return pd.DataFrame({
        "subject_id": ids.to_numpy(),
        "term": text_values(frame[a.term.upper()]).to_numpy(),
        "soc": text_values(frame[a.soc.upper()]).to_numpy() if sub.has(a.soc) else None,
        "grade": grade,
        "onset_on": first_date(sub, onset) if onset else None,
        "attribution": _recorded(sub, a.related, str.lower),
        "serious": _recorded(sub, a.serious, lambda v: v.upper() == "Y"),
        "action_taken": _recorded(sub, a.action, str.upper),
        "fatal": _recorded(sub, a.fatal, lambda v: v.upper() == "Y"),
    }).astype(object).where(lambda f: f.notna(), None), grading


def _action_problems(data: Dataset, variable: str, problems: list[Problem]) -> None:
    """Each action taken that is not a CDISC ACN term (any case; blank is allowed)."""
    if not data.has(variable):
        return
    for index, text in text_values(data.col(variable)).items():
        if text is not None and text.upper() not in ACTIONS:
            problems.append(Problem(data.path.name, f"{text!r} is not one of {', '.join(ACTIONS)} (CDISC ACN, any case)",
                                    data.row(index), variable.upper()))


def _recorded(data: Dataset, variable: str, value) -> np.ndarray:
    """An optional ADAE variable, each record's `value(text)` ("" read as blank): None in every
    record where the dataset lacks the variable or leaves it blank throughout (not collected)."""
    if not data.has(variable):
        return np.full(len(data.frame), None, dtype=object)
    text = text_values(data.col(variable))
    if text.isna().all():
        return np.full(len(data.frame), None, dtype=object)
    return np.array([value(t or "") for t in text], dtype=object)


def _grades(adae: Dataset, frame: pd.DataFrame, a: AdamAdverseEvents, grading: str, problems: list[Problem]) -> list:
    if grading == "ctcae":
        values = pd.to_numeric(frame[a.grade.upper()], errors="coerce")
        bad = values.isna() | ~values.isin([1, 2, 3, 4, 5])
        column, message = a.grade, "is not a CTCAE grade (1-5)"
    else:
        scale = {k.upper(): v for k, v in a.severity_scale.items()}
        values = text_values(frame[a.severity.upper()]).str.upper().map(scale)
        bad = values.isna()
        column, message = a.severity, f"is not one of {', '.join(scale)} ([adam.adverse_events] severity_scale)"
    raw = frame[column.upper()]
    for index in frame.index[bad.to_numpy()]:
        problems.append(Problem(adae.path.name, f"{raw[index]!r} {message}", adae.row(index), column))
    return [None if pd.isna(v) else int(v) for v in values]


def _no_tte() -> pd.DataFrame:
    return pd.DataFrame(columns=[*TTE_COLUMNS, derive.EVENT_TYPE, derive.CENSOR_REASON, "start_on", "end_on"])


