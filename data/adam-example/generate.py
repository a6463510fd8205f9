"""Write the synthetic ADaM example: adsl.xpt, adtte.xpt, adrs.xpt and adae.xpt.

A small randomized phase 2 trial of a fictitious drug, "examplinib", added to standard
chemotherapy against chemotherapy alone, in 90 adults with an advanced solid tumour.
Every patient is invented (seeded random numbers); nothing comes from a real trial.
The datasets follow the ADaM implementation guide, so the spec's `[adam]` section needs
only the parameters (OS, PFS and BOR):

- ADSL, one record per patient: STUDYID, USUBJID, SUBJID, SITEID, AGE, AGEU, SEX, RACE,
  ARM, ARMCD, TRT01P, TRT01A, ITTFL, SAFFL, RANDDT, TRTSDT, TRTEDT, DTHFL, DTHDT,
  DTHCAUS, LSTALVDT, EOSSTT, DCSREAS, EOSDT (the end of study: death, or loss to
  follow-up; none for patients ongoing at the cutoff). Randomized 1:1 in blocks of four; two patients (one per
  arm) were never treated (SAFFL = "N", no TRTSDT; TRT01A is the arm randomized to).
- ADTTE, overall survival (OS) and progression-free survival (PFS) per patient: PARAMCD,
  PARAM, AVAL in days (AVALU = "DAYS") from STARTDT (= RANDDT) to ADT, CNSR (0 event,
  1 censored), EVNTDESC, CNSDTDSC. Patients alive at the data cutoff are censored there;
  a few are lost to follow-up earlier.
- ADRS, best overall response (PARAMCD "BOR", AVALC CR, PR, SD, PD or NE, ADT).
- ADLB, laboratory results graded by CTCAE for three tests (PARAMCD NEUT, PLAT, ALT; PARAM,
  AVISIT, ADT, ATOXGR "0" to "4", BTOXGR, ABLFL, ONTRTFL): a baseline record on the day of the
  first dose (ABLFL = "Y"; a few patients have none), then one result per 21-day cycle on
  treatment (ONTRTFL = "Y"), at most eight. Its random numbers have a seed of their own, so
  the other datasets are the same bytes with or without it.
- ADEX, exposure: one record per patient and 21-day cycle (AVISITN, AVISIT, ASTDT, AENDT,
  EXDOSE, EXPLDOS, EXDOSU and EXACTN, a sponsor-defined variable holding the dose
  modifications: DELAYED, REDUCED, INTERRUPTED), from TRTSDT to TRTEDT. Drawn from its own
  seeded generator, so that the other datasets keep their bytes.
- ADAE, treatment-emergent adverse events with CTCAE grades (AETOXGR "1" to "5"),
  AEDECOD, AEBODSYS, AESER, AEREL, ASTDT, TRTEMFL; a few records before the first dose
  carry TRTEMFL = "N" and are not counted. Each grade 5 event is the patient's death.

Run it from anywhere: `python data/adam-example/generate.py`. The output is the same
bytes on every run: the random numbers are seeded, and the creation and modification
dates SAS transport files carry in their headers are set to a fixed date.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

HERE = Path(__file__).resolve().parent
SEED = 20240630
STUDY = "EXMP-201"
CUTOFF = dt.date(2024, 6, 30)
FIRST_RANDOMIZATION = dt.date(2022, 3, 1)
ACCRUAL_DAYS = 540
PATIENTS = 90
ARMS = {  # ARMCD: (ARM, median PFS days, best-response probabilities CR PR SD PD NE)
    "CHEMO": ("Chemotherapy", 165, (0.04, 0.22, 0.38, 0.28, 0.08)),
    "EXMP+CHEMO": ("Examplinib + chemotherapy", 270, (0.10, 0.38, 0.30, 0.16, 0.06)),
}
POST_PROGRESSION_DAYS = 240  # median survival after progression
DEATH_WITHOUT_PROGRESSION = 0.08
NOT_TREATED = {"1006", "1011"}  # SUBJID of the two patients never treated
LOST_TO_FOLLOW_UP = 0.06
RACES = (("WHITE", 0.62), ("BLACK OR AFRICAN AMERICAN", 0.14), ("ASIAN", 0.18), ("OTHER", 0.06))
TERMS = (  # AEDECOD, AEBODSYS, weight, grade weights 1-4
    ("NAUSEA", "GASTROINTESTINAL DISORDERS", 10, (6, 3, 1, 0)),
    ("DIARRHOEA", "GASTROINTESTINAL DISORDERS", 8, (5, 3, 2, 0)),
    ("VOMITING", "GASTROINTESTINAL DISORDERS", 5, (6, 3, 1, 0)),
    ("FATIGUE", "GENERAL DISORDERS AND ADMINISTRATION SITE CONDITIONS", 10, (5, 4, 1, 0)),
    ("PYREXIA", "GENERAL DISORDERS AND ADMINISTRATION SITE CONDITIONS", 4, (6, 3, 1, 0)),
    ("ANAEMIA", "BLOOD AND LYMPHATIC SYSTEM DISORDERS", 7, (3, 4, 3, 0)),
    ("NEUTROPENIA", "BLOOD AND LYMPHATIC SYSTEM DISORDERS", 7, (1, 3, 4, 2)),
    ("THROMBOCYTOPENIA", "BLOOD AND LYMPHATIC SYSTEM DISORDERS", 4, (2, 3, 3, 2)),
    ("RASH", "SKIN AND SUBCUTANEOUS TISSUE DISORDERS", 5, (6, 3, 1, 0)),
    ("DECREASED APPETITE", "METABOLISM AND NUTRITION DISORDERS", 5, (6, 3, 1, 0)),
    ("HYPERTENSION", "VASCULAR DISORDERS", 3, (3, 4, 3, 0)),
    ("HEADACHE", "NERVOUS SYSTEM DISORDERS", 4, (7, 3, 0, 0)),
    ("PNEUMONIA", "INFECTIONS AND INFESTATIONS", 2, (0, 3, 5, 2)),
)
EXTRA_EVENTS = {"CHEMO": 2.6, "EXMP+CHEMO": 3.4}  # mean adverse events per treated patient
RELATEDNESS = ("UNRELATED", "UNLIKELY", "POSSIBLE", "PROBABLE", "DEFINITE")
LAB_SEED = SEED + 1
LAB_TESTS = {  # PARAMCD: (PARAM, grade weights 0-4 on treatment by ARMCD, weights at baseline)
    "NEUT": ("Neutrophil count decreased", {"CHEMO": (70, 12, 9, 6, 3), "EXMP+CHEMO": (60, 14, 12, 9, 5)}, (92, 6, 2, 0, 0)),
    "PLAT": ("Platelet count decreased", {"CHEMO": (85, 9, 4, 1.5, 0.5), "EXMP+CHEMO": (80, 11, 5, 3, 1)}, (90, 8, 2, 0, 0)),
    "ALT": ("Alanine aminotransferase increased", {"CHEMO": (90, 7, 2, 1, 0), "EXMP+CHEMO": (85, 10, 3, 1.5, 0.5)}, (88, 10, 2, 0, 0)),
}
LAB_CYCLES = 8  # results on treatment, one per 21-day cycle, at most
NO_BASELINE = 0.05  # patients without a baseline result of a test
# The fixed date written into every header; SAS transport headers hold ddMMMyy:hh:mm:ss.
HEADER_DATE = b"30JUN24:00:00:00"
HEADER_DATE_PATTERN = re.compile(rb"\d\d[A-Z]{3}\d\d:\d\d:\d\d:\d\d")


def main() -> None:
    rng = np.random.default_rng(SEED)
    adsl, outcomes = subjects(rng)
    write(adsl, "adsl", "Subject-Level Analysis Dataset", ADSL_LABELS)
    write(time_to_event(adsl, outcomes), "adtte", "Time-to-Event Analysis Dataset", ADTTE_LABELS)
    write(best_response(adsl, outcomes, rng), "adrs", "Response Analysis Dataset", ADRS_LABELS)
    write(adverse_events(adsl, outcomes, rng), "adae", "Adverse Events Analysis Dataset", ADAE_LABELS)
    write(exposure(outcomes, adsl, np.random.default_rng([SEED, 15])), "adex", "Exposure Analysis Dataset", ADEX_LABELS)
    write(laboratory(adsl, outcomes, np.random.default_rng(LAB_SEED)), "adlb", "Laboratory Analysis Dataset", ADLB_LABELS)


# ------------------------------------------------------------------------ patients

def arm_codes(rng: np.random.Generator) -> list[str]:
    """1:1 in permuted blocks of four."""
    codes = []
    while len(codes) < PATIENTS:
        codes += list(rng.permutation(["CHEMO", "CHEMO", "EXMP+CHEMO", "EXMP+CHEMO"]))
    return codes[:PATIENTS]


def subjects(rng: np.random.Generator) -> tuple[pd.DataFrame, list[dict]]:
    codes = arm_codes(rng)
    offsets = np.sort(rng.integers(0, ACCRUAL_DAYS, PATIENTS))
    rows, outcomes = [], []
    for i, (code, offset) in enumerate(zip(codes, offsets)):
        subjid = f"{1001 + i}"
        randomized = FIRST_RANDOMIZATION + dt.timedelta(days=int(offset))
        outcome = outcome_of(rng, code, randomized)
        treated = subjid not in NOT_TREATED
        started = randomized + dt.timedelta(days=int(rng.integers(1, 8))) if treated else None
        outcome["treatment_start"] = started
        outcome["treatment_end"] = min(outcome["progression_or_end"], outcome["last_alive"]) if treated else None
        outcomes.append(outcome)
        rows.append(subject_row(rng, subjid, code, randomized, started, outcome))
    return pd.DataFrame(rows), outcomes


def outcome_of(rng: np.random.Generator, code: str, randomized: dt.date) -> dict:
    """Progression, death and follow-up dates, cut at the data cutoff.

    Most deaths follow progression (survival after progression has a median of
    POST_PROGRESSION_DAYS); a few patients die without progression (DEATH_WITHOUT_PROGRESSION).
    """
    median_pfs = ARMS[code][1]
    progression_day = max(28, int(rng.exponential(median_pfs / np.log(2))))
    if rng.random() < DEATH_WITHOUT_PROGRESSION:
        death_day, progression_day = max(20, int(rng.uniform(20, progression_day + 20))), None
    else:
        death_day = progression_day + max(14, int(rng.exponential(POST_PROGRESSION_DAYS / np.log(2))))
    follow_up = (CUTOFF - randomized).days
    if rng.random() < LOST_TO_FOLLOW_UP:
        follow_up = int(rng.integers(60, follow_up))
    died = death_day <= follow_up
    last_day = death_day if died else follow_up
    progressed = progression_day is not None and progression_day < last_day
    day = lambda n: randomized + dt.timedelta(days=int(n))  # noqa: E731
    return {
        "code": code,
        "death": day(death_day) if died else None,
        "last_alive": day(last_day),
        "progression": day(progression_day) if progressed else None,
        "progression_or_end": day(progression_day if progressed else last_day),
        "cause": None,
    }


def subject_row(rng, subjid: str, code: str, randomized: dt.date, started, outcome: dict) -> dict:
    arm = ARMS[code][0]
    if outcome["death"] is not None:
        outcome["cause"] = "DISEASE PROGRESSION" if outcome["progression"] is not None else (
            "ADVERSE EVENT" if rng.random() < 0.5 else "OTHER")
    return {
        "STUDYID": STUDY, "USUBJID": f"{STUDY}-{subjid}", "SUBJID": subjid,
        "SITEID": f"{10 + int(rng.integers(1, 6))}",
        "AGE": float(int(np.clip(rng.normal(63, 9), 35, 85))), "AGEU": "YEARS",
        "SEX": "F" if rng.random() < 0.48 else "M",
        "RACE": str(rng.choice([r for r, _ in RACES], p=[p for _, p in RACES])),
        "ARM": arm, "ARMCD": code, "TRT01P": arm, "TRT01A": arm,
        "ITTFL": "Y", "SAFFL": "Y" if started else "N",
        "RANDDT": randomized, "TRTSDT": started,
        "TRTEDT": outcome["treatment_end"] if started else None,
        "DTHFL": "Y" if outcome["death"] else "",
        "DTHDT": outcome["death"], "DTHCAUS": outcome["cause"] or "",
        "LSTALVDT": outcome["last_alive"],
        "EOSSTT": "DISCONTINUED" if outcome["death"] else (
            "ONGOING" if outcome["last_alive"] == CUTOFF else "DISCONTINUED"),
        "DCSREAS": "DEATH" if outcome["death"] else ("" if outcome["last_alive"] == CUTOFF else "LOST TO FOLLOW-UP"),
        "EOSDT": outcome["death"] or (None if outcome["last_alive"] == CUTOFF else outcome["last_alive"]),
    }


# ---------------------------------------------------------------- time to event

def time_to_event(adsl: pd.DataFrame, outcomes: list[dict]) -> pd.DataFrame:
    rows = []
    for subject, outcome in zip(adsl.to_dict("records"), outcomes):
        start = subject["RANDDT"]
        death, last = outcome["death"], outcome["last_alive"]
        os_end, os_event = (death, True) if death else (last, False)
        pfs_end = outcome["progression"] or death or last
        pfs_event = outcome["progression"] is not None or death is not None
        for paramcd, param, end, event, what in (
            ("OS", "Overall Survival", os_end, os_event, "DEATH"),
            ("PFS", "Progression-Free Survival", pfs_end, pfs_event,
             "DISEASE PROGRESSION" if outcome["progression"] else "DEATH"),
        ):
            rows.append({
                "STUDYID": STUDY, "USUBJID": subject["USUBJID"], "TRT01A": subject["TRT01A"],
                "PARAMCD": paramcd, "PARAM": param, "AVAL": float((end - start).days), "AVALU": "DAYS",
                "STARTDT": start, "ADT": end, "CNSR": 0.0 if event else 1.0,
                "EVNTDESC": what if event else "",
                "CNSDTDSC": "" if event else ("DATA CUTOFF" if end == CUTOFF else "LAST KNOWN ALIVE DATE"),
            })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- response

def best_response(adsl: pd.DataFrame, outcomes: list[dict], rng: np.random.Generator) -> pd.DataFrame:
    codes = ("CR", "PR", "SD", "PD", "NE")
    values = {"CR": 1.0, "PR": 2.0, "SD": 3.0, "PD": 4.0, "NE": 5.0}
    rows = []
    for subject, outcome in zip(adsl.to_dict("records"), outcomes):
        start = subject["RANDDT"]
        early_progression = outcome["progression"] and (outcome["progression"] - start).days < 56
        early_end = (outcome["last_alive"] - start).days < 42
        bor = "PD" if early_progression else "NE" if early_end else str(rng.choice(codes, p=ARMS[outcome["code"]][2]))
        assessed = start + dt.timedelta(days=int(rng.integers(42, 57)))
        rows.append({
            "STUDYID": STUDY, "USUBJID": subject["USUBJID"], "TRT01A": subject["TRT01A"],
            "PARAMCD": "BOR", "PARAM": "Best Overall Response", "AVALC": bor, "AVAL": values[bor],
            "ADT": min(assessed, outcome["last_alive"]) if bor != "NE" else None,
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------- adverse events

def adverse_events(adsl: pd.DataFrame, outcomes: list[dict], rng: np.random.Generator) -> pd.DataFrame:
    weights = np.array([t[2] for t in TERMS], dtype=float)
    rows = []
    for subject, outcome in zip(adsl.to_dict("records"), outcomes):
        start = outcome["treatment_start"]
        if start is None:
            continue
        end = min(outcome["treatment_end"] + dt.timedelta(days=30), outcome["last_alive"])
        for _ in range(int(rng.poisson(EXTRA_EVENTS[outcome["code"]]))):
            term, soc, _, grades = TERMS[int(rng.choice(len(TERMS), p=weights / weights.sum()))]
            grade = int(rng.choice(4, p=np.array(grades) / sum(grades))) + 1
            onset = start + dt.timedelta(days=int(rng.integers(0, max(1, (end - start).days) + 1)))
            rows.append(ae_row(rng, subject, term, soc, grade, onset, "Y"))
        if rng.random() < 0.08:  # a complaint before the first dose: not treatment-emergent
            term, soc, *_ = TERMS[int(rng.integers(len(TERMS)))]
            rows.append(ae_row(rng, subject, term, soc, 1, subject["RANDDT"], "N"))
        if outcome["cause"] == "ADVERSE EVENT":
            rows.append(ae_row(rng, subject, "PNEUMONIA", "INFECTIONS AND INFESTATIONS", 5, outcome["death"], "Y"))
    frame = pd.DataFrame(rows).sort_values(["USUBJID", "ASTDT", "AEDECOD"], kind="stable").reset_index(drop=True)
    frame.insert(2, "AESEQ", frame.groupby("USUBJID").cumcount().astype(float) + 1)
    return frame


def ae_row(rng, subject: dict, term: str, soc: str, grade: int, onset: dt.date, emergent: str) -> dict:
    serious = grade >= 4 or (grade == 3 and rng.random() < 0.5)
    related = RELATEDNESS[int(rng.choice(5, p=(0.3, 0.2, 0.25, 0.15, 0.1)))] if grade < 5 else "UNLIKELY"
    return {
        "STUDYID": STUDY, "USUBJID": subject["USUBJID"], "TRT01A": subject["TRT01A"],
        "AETERM": term.capitalize(), "AEDECOD": term, "AEBODSYS": soc, "AETOXGR": str(grade),
        "AESER": "Y" if serious else "N", "AEREL": related, "ASTDT": onset, "TRTEMFL": emergent,
    }


# -------------------------------------------------------------------- laboratory

def laboratory(adsl: pd.DataFrame, outcomes: list[dict], rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for subject, outcome in zip(adsl.to_dict("records"), outcomes):
        start = outcome["treatment_start"]
        if start is None:
            continue
        days = min((outcome["treatment_end"] - start).days, LAB_CYCLES * 21)
        for paramcd, (param, on_treatment, at_baseline) in LAB_TESTS.items():
            baseline = None if rng.random() < NO_BASELINE else int(rng.choice(5, p=np.array(at_baseline) / 100))
            weights = np.array(on_treatment[outcome["code"]], dtype=float)
            visits = [("BASELINE", start, baseline, "Y", "")] if baseline is not None else []
            for cycle, day in enumerate(range(21, days + 1, 21), start=2):
                visits.append((f"CYCLE {cycle} DAY 1", start + dt.timedelta(days=day),
                               int(rng.choice(5, p=weights / weights.sum())), "", "Y"))
            for visit, when, grade, ablfl, ontrtfl in visits:
                rows.append({
                    "STUDYID": STUDY, "USUBJID": subject["USUBJID"], "TRT01A": subject["TRT01A"],
                    "PARAMCD": paramcd, "PARAM": param, "AVISIT": visit, "ADT": when, "ATOXGR": str(grade),
                    "BTOXGR": "" if baseline is None else str(baseline), "ABLFL": ablfl, "ONTRTFL": ontrtfl,
                })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- exposure

CYCLE_DAYS = 21
PLANNED_DOSE = 75.0  # mg/m2 of the chemotherapy, every cycle
MODIFICATIONS = (("DELAYED", 0.10), ("REDUCED", 0.08), ("INTERRUPTED", 0.04))  # per cycle from cycle 2


def exposure(outcomes: list[dict], adsl: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Cycles of 21 days from the first dose while treatment lasts; a delayed cycle starts a
    week late, a reduced one gets 75% of the planned dose, an interrupted one half."""
    rows = []
    for subject, outcome in zip(adsl.to_dict("records"), outcomes):
        start, last = outcome["treatment_start"], outcome["treatment_end"]
        cycle = 1
        while start is not None and start <= last:
            actions = [name for name, p in MODIFICATIONS if cycle > 1 and rng.random() < p]
            if "DELAYED" in actions:
                start += dt.timedelta(days=7)
                if start > last:
                    break
            fraction = 0.5 if "INTERRUPTED" in actions else 0.75 if "REDUCED" in actions else 1.0
            rows.append({
                "STUDYID": STUDY, "USUBJID": subject["USUBJID"], "TRT01A": subject["TRT01A"],
                "AVISITN": float(cycle), "AVISIT": f"CYCLE {cycle}", "ASTDT": start,
                "AENDT": min(start + dt.timedelta(days=CYCLE_DAYS - 1), last),
                "EXDOSE": PLANNED_DOSE * fraction, "EXPLDOS": PLANNED_DOSE, "EXDOSU": "mg/m2",
                "EXACTN": ";".join(actions),
            })
            start, cycle = start + dt.timedelta(days=CYCLE_DAYS), cycle + 1
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------ writing

ADSL_LABELS = {
    "STUDYID": "Study Identifier", "USUBJID": "Unique Subject Identifier", "SUBJID": "Subject Identifier for the Study",
    "SITEID": "Study Site Identifier", "AGE": "Age", "AGEU": "Age Units", "SEX": "Sex", "RACE": "Race",
    "ARM": "Description of Planned Arm", "ARMCD": "Planned Arm Code", "TRT01P": "Planned Treatment for Period 01",
    "TRT01A": "Actual Treatment for Period 01", "ITTFL": "Intent-To-Treat Population Flag",
    "SAFFL": "Safety Population Flag", "RANDDT": "Date of Randomization", "TRTSDT": "Date of First Exposure to Treatment",
    "TRTEDT": "Date of Last Exposure to Treatment", "DTHFL": "Subject Death Flag", "DTHDT": "Date of Death",
    "DTHCAUS": "Cause of Death", "LSTALVDT": "Date Last Known Alive", "EOSSTT": "End of Study Status",
    "DCSREAS": "Reason for Discontinuation from Study", "EOSDT": "End of Study Date",
}
ADEX_LABELS = {
    "STUDYID": "Study Identifier", "USUBJID": "Unique Subject Identifier", "TRT01A": "Actual Treatment for Period 01",
    "AVISITN": "Analysis Visit (N)", "AVISIT": "Analysis Visit", "ASTDT": "Analysis Start Date",
    "AENDT": "Analysis End Date", "EXDOSE": "Dose", "EXPLDOS": "Planned Dose", "EXDOSU": "Dose Units",
    "EXACTN": "Dose Modifications",
}
ADTTE_LABELS = {
    "STUDYID": "Study Identifier", "USUBJID": "Unique Subject Identifier", "TRT01A": "Actual Treatment for Period 01",
    "PARAMCD": "Parameter Code", "PARAM": "Parameter", "AVAL": "Analysis Value", "AVALU": "Analysis Value Unit",
    "STARTDT": "Time-to-Event Origin Date for Subject", "ADT": "Analysis Date", "CNSR": "Censor",
    "EVNTDESC": "Event or Censoring Description", "CNSDTDSC": "Censor Date Description",
}
ADRS_LABELS = {
    "STUDYID": "Study Identifier", "USUBJID": "Unique Subject Identifier", "TRT01A": "Actual Treatment for Period 01",
    "PARAMCD": "Parameter Code", "PARAM": "Parameter", "AVALC": "Analysis Value (C)", "AVAL": "Analysis Value",
    "ADT": "Analysis Date",
}
ADAE_LABELS = {
    "STUDYID": "Study Identifier", "USUBJID": "Unique Subject Identifier", "AESEQ": "Sequence Number",
    "TRT01A": "Actual Treatment for Period 01", "AETERM": "Reported Term for the Adverse Event",
    "AEDECOD": "Dictionary-Derived Term", "AEBODSYS": "Body System or Organ Class",
    "AETOXGR": "Standard Toxicity Grade", "AESER": "Serious Event", "AEREL": "Causality",
    "ASTDT": "Analysis Start Date", "TRTEMFL": "Treatment Emergent Analysis Flag",
}

ADLB_LABELS = {
    "STUDYID": "Study Identifier", "USUBJID": "Unique Subject Identifier", "TRT01A": "Actual Treatment for Period 01",
    "PARAMCD": "Parameter Code", "PARAM": "Parameter", "AVISIT": "Analysis Visit", "ADT": "Analysis Date",
    "ATOXGR": "Analysis Toxicity Grade", "BTOXGR": "Baseline Toxicity Grade", "ABLFL": "Baseline Record Flag",
    "ONTRTFL": "On Treatment Record Flag",
}


def write(frame: pd.DataFrame, name: str, label: str, labels: dict[str, str]) -> Path:
    path = HERE / f"{name}.xpt"
    pyreadstat.write_xport(frame, str(path), file_label=label, table_name=name.upper(),
                           column_labels=[labels[c] for c in frame.columns], file_format_version=5)
    path.write_bytes(fixed_header_dates(path.read_bytes()))
    return path


def fixed_header_dates(data: bytes) -> bytes:
    """The file with the creation and modification dates in its headers set to HEADER_DATE."""
    end = data.index(b"HEADER RECORD*******OBS     HEADER RECORD")
    return HEADER_DATE_PATTERN.sub(HEADER_DATE, data[:end]) + data[end:]


if __name__ == "__main__":
    main()
