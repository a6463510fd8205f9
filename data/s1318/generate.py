"""Write the synthetic S1318 example: subjects.csv, adverse_events.csv, exposure.csv and labs.csv.

No patient-level data of SWOG S1318 were published. These 31 synthetic patients are
designed by hand so that trialreport's analysis, at the data cutoff 2018-07-31,
reproduces the figures presented at ASH 2018 (see the project README):

- 31 enrolled, 2 ineligible and never treated, 29 eligible and treated;
- CR or CRi in 19 of 29; 18 of the 19 responded after cycle 1; MRD by flow cytometry
  in 13 responders, 12 negative;
- overall survival: 6 deaths before 6 months (none within 28 days), then deaths at
  200 and 215 days, censoring at 232 and 262 days, deaths at 300 and 356 days, so
  S(6 mo) = 23/29 = 79.3% and S(12 mo) = 21/29 x 17/19 = 64.8%; the reverse
  Kaplan-Meier median follow-up is 651 days (21.4 months);
- disease-free survival (from response, responders): 6 events before 6 months, then
  censoring at 200 and 230 days and events at 260 and 320 days, so
  S(6 mo) = 13/19 = 68.4% and S(12 mo) = 13/19 x 9/11 = 56.0%;
- of the 10 DFS events, 7 are relapses and 3 deaths in remission (sepsis during
  post-remission blinatumomab; intracranial hemorrhage and myocardial infarction during
  POMP maintenance), as is common in older adults: the competing event of the
  cumulative incidence of relapse. Two of them replace relapses at the same times, so
  the DFS curve is unchanged: it levels off at 38% from 16 months to the last
  follow-up (35 months), and OS at 33% from 20 months (the final publication, with
  longer follow-up, gave 37% and 37% at 3 years);
- hyperglycemia in 4 patients, dyspnea, febrile neutropenia and hypertension in 3 each,
  lung infection in 2 (all grade 3 or higher), plus lower-grade terms; no other term
  reaches grade 3 in more than one patient;
- cytokine release syndrome in 6 patients (grade 1: 3, grade 2: 2, grade 3: 1) and
  neurotoxicity (encephalopathy, confusion, tremor, aphasia, seizure) in 12 (3 with
  grade 3); each grade 3 event interrupted blinatumomab, which restarted at 9 mcg/day.

The protocol is read as: registration, first dose the next day; a blinatumomab cycle is
28 days of continuous infusion and 14 days off (the next cycle is due 42 days after the
last began); one or two induction cycles until CR/CRi, three post-remission cycles for
responders, then POMP maintenance for 18 months; follow-up ends 3 years after
registration (study_status "completed"). The files beyond the analysis's own columns:

- subjects.csv: `study_status` (completed, discontinued or ongoing: off_study_on set for
  the first two, empty for ongoing) and `ineligible_reason` (where eligible is false);
- adverse_events.csv: `action_taken` with the study treatment under way at onset
  (blinatumomab, or POMP during maintenance; CDISC AEACN terms: DRUG WITHDRAWN,
  DRUG INTERRUPTED, DOSE NOT CHANGED, NOT APPLICABLE when none was under way, UNKNOWN)
  and `fatal` (true for grade 5);
- exposure.csv (treatment.py): one row per blinatumomab cycle (treatment "Blinatumomab"),
  then one per 4-week POMP maintenance course (treatment "POMP maintenance", numbered from 1,
  from 15 days after the last post-remission cycle ends until 18 months, relapse, death,
  going off study or the cutoff; the last course is cut there). Blinatumomab's `dose` and
  `planned_dose` are the total mcg of the cycle (cycle 1: 9 mcg/day for 7 days then 28 mcg/day, 651 mcg;
  later cycles 28 mcg/day, 784 mcg); `action` lists interrupted, reduced (restarted at
  9 mcg/day for 7 days) and delayed (begun after the 42 days). An interrupted cycle still
  runs 28 infusion days, so it ends later; a cycle stops early at relapse, progression,
  withdrawal or a fatal event. POMP courses leave `dose`, `planned_dose` and `action`
  empty: a four-drug oral and intravenous regimen has no single dose to sum, and its dose
  modifications are not modelled (the exposure table shows both as not collected for it);
- labs.csv (treatment.py): CTCAE grades (0-4) of neutrophil count decreased, platelet
  count decreased, anemia and ALT increased at registration (baseline Y: the last value
  on or before the first dose), on days 8, 15 (and 22 in cycle 1) and the last infusion
  day of each cycle, and 14 days after the last cycle; hyperglycemia is not among them
  (its CTCAE grade depends on the intervention, not on a laboratory value alone).

Run it from anywhere: `python data/s1318/generate.py [folder]` (default: beside this
script). Output is deterministic (seeded; the same bytes on every run).
"""
from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import treatment  # noqa: E402  (the sibling module: cycles, actions and laboratory grades)

CUTOFF = dt.date(2018, 7, 31)
FOLLOW_UP_DAYS = 3 * 365 + 1  # follow-up ends 3 years after registration

# One row per patient, in enrollment order.
# role, enrolled, age, sex, best response, response day, cycle, MRD,
# relapse (days after response), death (days after enrollment), death cause,
# days before the cutoff of the last contact of a living patient.
PATIENTS = [
    ("R12", "2015-03-10", 79, "M", "CRi", 35, 1, "negative", None, 535, "Myocardial infarction", None),
    ("NE1", "2015-04-14", 84, "F", "NE", None, None, "", None, 45, "Lung infection", None),
    ("R13", "2015-05-19", 72, "M", "CR", 29, 1, "negative", None, None, "", 21),
    ("R10", "2015-06-23", 76, "F", "CRi", 36, 1, "", None, 356, "Intracranial hemorrhage", None),
    ("NR9", "2015-07-28", 81, "M", "NR", None, None, "", None, 420, "Refractory leukemia", None),
    ("R6", "2015-09-01", 74, "M", "CRi", 34, 1, "", 170, 610, "Relapsed leukemia", None),
    ("PD1", "2015-10-06", 86, "F", "PD", None, None, "", None, 70, "Progressive leukemia", None),
    ("R11", "2015-11-10", 68, "F", "CR", 33, 1, "negative", 420, None, "", 14),
    ("IN1", "2015-12-15", 70, "M", "", None, None, "", None, None, "", "ineligible"),
    ("R1", "2016-01-19", 78, "M", "CR", 32, 1, "", None, 142, "Sepsis", None),
    ("R14", "2016-02-23", 66, "M", "CR", 30, 1, "negative", None, None, "", 35),
    ("NR3", "2016-03-29", 82, "F", "NR", None, None, "", None, 95, "Refractory leukemia", None),
    ("R4", "2016-05-03", 75, "F", "CRi", 33, 1, "", 120, 520, "Relapsed leukemia", None),
    ("R15", "2016-06-07", 71, "M", "CR", 76, 2, "negative", None, None, "", 7),
    ("NR6", "2016-07-12", 80, "M", "NR", None, None, "", None, 200, "Refractory leukemia", None),
    ("R3", "2016-08-16", 73, "F", "CR", 31, 1, "negative", 90, 450, "Relapsed leukemia", None),
    ("R16", "2016-09-20", 69, "F", "CRi", 29, 1, "", None, None, "", 28),
    ("NR4", "2016-10-25", 83, "M", "NR", None, None, "", None, 128, "Refractory leukemia", None),
    ("R2", "2016-11-29", 77, "M", "CRi", 30, 1, "positive", 60, 430, "Relapsed leukemia", None),
    ("R5", "2017-01-03", 75, "F", "CR", 30, 1, "negative", 140, None, "", 10),
    ("NR7", "2017-02-07", 78, "M", "NR", None, None, "", None, 215, "Refractory leukemia", None),
    ("IN2", "2017-03-14", 77, "F", "", None, None, "", None, None, "", "ineligible"),
    ("R9", "2017-04-04", 72, "M", "CR", 32, 1, "negative", 260, None, "", 3),
    ("R17", "2017-04-25", 67, "F", "CR", 32, 1, "negative", None, None, "", 5),
    ("R19", "2017-05-09", 74, "M", "CRi", 32, 1, "", None, None, "", 2),
    ("NR5", "2017-05-16", 88, "F", "NR", None, None, "", None, 170, "Refractory leukemia", None),
    ("NR8", "2017-06-06", 80, "M", "NR", None, None, "", None, 300, "Refractory leukemia", None),
    ("R18", "2017-06-20", 70, "F", "CR", 30, 1, "negative", None, None, "", 0),
    ("NE2", "2017-07-18", 76, "M", "NE", None, None, "", None, None, "", 0),
    ("R8", "2017-11-11", 68, "M", "CRi", 32, 1, "negative", None, None, "", 0),
    ("R7", "2017-12-11", 73, "F", "CR", 32, 1, "negative", None, None, "", 0),
]
INELIGIBLE = {
    "IN1": "BCR-ABL1 fusion (Philadelphia chromosome-positive) on central review",
    "IN2": "Mature B-cell (Burkitt) leukemia on central pathology review",
}
WITHDREW_DAY = {"NE2": 20}  # withdrew consent, days after enrollment

SOC = {
    "Hyperglycemia": "Metabolism and nutrition disorders",
    "Hypokalemia": "Metabolism and nutrition disorders",
    "Dyspnea": "Respiratory, thoracic and mediastinal disorders",
    "Febrile neutropenia": "Blood and lymphatic system disorders",
    "Anemia": "Blood and lymphatic system disorders",
    "Hypertension": "Vascular disorders",
    "Lung infection": "Infections and infestations",
    "Sepsis": "Infections and infestations",
    "Cytokine release syndrome": "Immune system disorders",
    "Neutrophil count decreased": "Investigations",
    "Platelet count decreased": "Investigations",
    "Alanine aminotransferase increased": "Investigations",
    "Fatigue": "General disorders and administration site conditions",
    "Fever": "General disorders and administration site conditions",
    "Edema limbs": "General disorders and administration site conditions",
    "Headache": "Nervous system disorders",
    "Tremor": "Nervous system disorders",
    "Encephalopathy": "Nervous system disorders",
    "Confusion": "Psychiatric disorders",
    "Aphasia": "Nervous system disorders",
    "Seizure": "Nervous system disorders",
    "Intracranial hemorrhage": "Nervous system disorders",
    "Myocardial infarction": "Cardiac disorders",
    "Nausea": "Gastrointestinal disorders",
}

# term: [(role, grade, onset day after enrollment, attribution), ...]
EVENTS = {
    "Hyperglycemia": [("R12", 3, 60, "possible"), ("R4", 3, 45, "possible"), ("R4", 3, 120, "possible"),
                      ("R5", 4, 70, "possible"), ("R17", 3, 50, "possible")],
    "Dyspnea": [("NR9", 3, 30, "unlikely"), ("NR6", 3, 25, "unlikely"), ("NR8", 3, 40, "possible")],
    "Febrile neutropenia": [("PD1", 3, 12, "possible"), ("NR3", 3, 18, "possible"), ("R3", 3, 20, "possible")],
    "Hypertension": [("R13", 3, 8, "possible"), ("R14", 3, 10, "possible"), ("R18", 3, 6, "unlikely")],
    "Lung infection": [("NE1", 5, 40, "possible"), ("NR4", 3, 35, "unlikely")],
    "Sepsis": [("R1", 5, 135, "unlikely")],
    "Cytokine release syndrome": [("R10", 1, 2, "definite"), ("R2", 2, 2, "definite"), ("NR5", 3, 3, "definite"),
                                  ("R16", 1, 3, "definite"), ("NR9", 2, 2, "definite"), ("R15", 1, 2, "probable")],
    "Neutrophil count decreased": [("R12", 2, 14, "possible"), ("R6", 3, 20, "possible"), ("R15", 2, 16, "possible"),
                                   ("R16", 1, 21, "possible"), ("R9", 2, 15, "possible")],
    "Anemia": [("NE1", 2, 10, "unlikely"), ("NR9", 2, 12, "unlikely"), ("R11", 1, 20, "unlikely"),
               ("NR3", 2, 9, "unlikely"), ("R19", 3, 14, "possible"), ("NE2", 1, 8, "unlikely")],
    "Platelet count decreased": [("PD1", 2, 11, "unlikely"), ("NR6", 1, 13, "unlikely"),
                                 ("R2", 2, 17, "possible"), ("R8", 1, 20, "possible")],
    "Fatigue": [("R13", 1, 15, "probable"), ("R10", 2, 20, "probable"), ("R11", 1, 25, "possible"),
                ("R14", 1, 30, "possible"), ("R5", 2, 18, "probable"), ("R17", 1, 22, "possible"),
                ("R7", 1, 9, "possible")],
    "Fever": [("R12", 1, 2, "definite"), ("R10", 2, 1, "definite"), ("R10", 1, 45, "possible"),
              ("R1", 1, 2, "definite"), ("R4", 1, 3, "definite"), ("R3", 2, 1, "definite"),
              ("R9", 1, 2, "definite"), ("NR5", 1, 2, "definite"), ("R8", 1, 3, "definite")],
    "Headache": [("R6", 1, 4, "possible"), ("R15", 1, 3, "possible"), ("R16", 2, 5, "probable"),
                 ("R19", 1, 6, "possible"), ("R18", 1, 4, "possible")],
    "Tremor": [("R11", 1, 7, "probable"), ("R2", 1, 6, "probable"), ("R7", 2, 5, "probable"),
               ("R4", 1, 9, "probable")],
    "Encephalopathy": [("NR7", 3, 9, "probable"), ("NR8", 2, 8, "probable")],
    "Confusion": [("R6", 3, 6, "probable"), ("NR4", 2, 10, "probable"), ("R19", 1, 12, "possible")],
    "Aphasia": [("R12", 2, 8, "probable"), ("R3", 1, 50, "possible")],
    "Seizure": [("NR6", 3, 11, "probable")],
    "Intracranial hemorrhage": [("R10", 5, 356, "unlikely")],
    "Myocardial infarction": [("R12", 5, 533, "unlikely")],
    "Nausea": [("R13", 1, 10, "unlikely"), ("R14", 1, 12, "unlikely"), ("NR4", 2, 6, "unlikely"),
               ("NE2", 1, 5, "unlikely")],
    "Hypokalemia": [("NR3", 2, 15, "unlikely"), ("R5", 1, 11, "unlikely"), ("NR8", 2, 20, "unlikely")],
    "Alanine aminotransferase increased": [("R4", 2, 22, "possible"), ("R17", 1, 30, "possible")],
    "Edema limbs": [("NR9", 1, 40, "unlikely"), ("R19", 2, 35, "unlikely")],
}
SERIOUS = {"Febrile neutropenia", "Lung infection", "Sepsis"}  # and grade 4-5, and grade 3 CRS or neurotoxicity
UNKNOWN_ACTION = {("NE2", "Anemia")}  # the patient withdrew before the page was completed
SUBJECT_FIELDS = [
    "subject_id", "enrolled_on", "age", "sex", "eligible", "treated", "best_response",
    "response_on", "response_cycle", "mrd", "relapse_on", "died_on", "death_cause",
    "last_contact_on", "off_study_on", "off_study_reason", "study_status", "ineligible_reason",
]
AE_FIELDS = ["subject_id", "term", "soc", "grade", "onset_on", "attribution", "serious", "action_taken", "fatal"]
EXPOSURE_FIELDS = ["subject_id", "treatment", "cycle", "start_on", "end_on", "dose", "planned_dose", "action"]
LAB_FIELDS = ["subject_id", "test", "collected_on", "grade", "baseline"]


def subject_rows() -> list[dict]:
    return [_subject(number, row) for number, row in enumerate(PATIENTS, start=1)]


def _subject(number: int, row: tuple) -> dict:
    role, enrolled, age, sex, best, response_day, cycle, mrd, relapse_after, death_day, cause, before_cutoff = row
    start = dt.date.fromisoformat(enrolled)
    day = lambda n: start + dt.timedelta(days=n)  # noqa: E731
    ineligible = before_cutoff == "ineligible"
    response_on = day(response_day) if response_day is not None else None
    relapse_on = response_on + dt.timedelta(days=relapse_after) if relapse_after is not None else None
    died_on = day(death_day) if death_day is not None else None
    completed_on = day(FOLLOW_UP_DAYS) if not died_on and not ineligible and day(FOLLOW_UP_DAYS) <= CUTOFF else None
    if died_on:
        last_contact = died_on
    elif ineligible:
        last_contact = day(30)
    elif completed_on:
        last_contact = completed_on
    else:
        last_contact = CUTOFF - dt.timedelta(days=before_cutoff)
    off_on, off_reason = _off_study(role, start, relapse_on, died_on, ineligible, completed_on)
    return {
        "subject_id": f"S1318-{number:03d}",
        "role": role,
        "enrolled_on": start,
        "age": age,
        "sex": sex,
        "eligible": not ineligible,
        "treated": not ineligible,
        "best_response": best,
        "response_on": response_on,
        "response_cycle": cycle,
        "mrd": mrd,
        "relapse_on": relapse_on,
        "died_on": died_on,
        "death_cause": cause,
        "last_contact_on": last_contact,
        "off_study_on": off_on,
        "off_study_reason": off_reason,
        "study_status": _study_status(off_reason),
        "ineligible_reason": INELIGIBLE.get(role, ""),
    }


def _off_study(role, start, relapse_on, died_on, ineligible, completed_on):
    if ineligible:
        return start + dt.timedelta(days=5), "Ineligible"
    if role in WITHDREW_DAY:
        return start + dt.timedelta(days=WITHDREW_DAY[role]), "Withdrew consent"
    if relapse_on:
        return relapse_on, "Relapse"
    if role.startswith(("NR", "PD")):
        return start + dt.timedelta(days=84) if not died_on or (died_on - start).days > 84 else died_on, "Refractory disease"
    if died_on:
        return died_on, "Death"
    if completed_on:
        return completed_on, "Completed follow-up"
    return None, ""


def _study_status(off_reason: str) -> str:
    if not off_reason:
        return "ongoing"
    return "completed" if off_reason == "Completed follow-up" else "discontinued"


def event_rows(subjects: list[dict], courses: dict[str, treatment.Course]) -> list[dict]:
    """Every adverse event, with the action taken with the treatment under way at its onset."""
    by_role = {s["role"]: s for s in subjects}
    rows = []
    for term, events in EVENTS.items():
        for role, grade, onset_day, attribution in events:
            subject = by_role[role]
            onset = subject["enrolled_on"] + dt.timedelta(days=onset_day)
            rows.append({
                "subject_id": subject["subject_id"],
                "term": term,
                "soc": SOC[term],
                "grade": grade,
                "onset_on": onset,
                "attribution": attribution,
                "serious": term in SERIOUS or grade >= 4 or term in treatment.HOLD_TERMS and grade >= 3,
                "action_taken": ("UNKNOWN" if (role, term) in UNKNOWN_ACTION
                                 else treatment.action_taken(courses[role], term, grade, onset)),
                "fatal": grade == 5,
            })
    return sorted(rows, key=lambda r: (r["subject_id"], r["onset_on"], r["term"]))


def courses_by_role(subjects: list[dict]) -> dict[str, treatment.Course]:
    """Each treated patient's blinatumomab cycles and maintenance, given their holds (grade 3+
    cytokine release syndrome or neurotoxicity under infusion)."""
    return {s["role"]: treatment.course(s, _stop_on(s), _holds(s)) for s in subjects if s["treated"]}


def _holds(subject: dict) -> list[dt.date]:
    return sorted(subject["enrolled_on"] + dt.timedelta(days=onset)
                  for term, events in EVENTS.items() if term in treatment.HOLD_TERMS
                  for role, grade, onset, _ in events if role == subject["role"] and grade >= 3)


def _stop_on(subject: dict) -> dt.date | None:
    """The day protocol treatment stopped for good: relapse, progression, withdrawal, a
    fatal event, death, going off study; None if it has not."""
    start = subject["enrolled_on"]
    fatal = [start + dt.timedelta(days=onset) for events in EVENTS.values()
             for role, grade, onset, _ in events if role == subject["role"] and grade == 5]
    progression = [start + dt.timedelta(days=treatment.PROGRESSION_DAY[subject["role"]])] \
        if subject["role"] in treatment.PROGRESSION_DAY else []
    stops = [d for d in (subject["relapse_on"], subject["died_on"], subject["off_study_on"]) if d] + fatal + progression
    return min(stops) if stops else None


def _write(path: Path, fields: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row[k]) for k in fields})


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_all(folder: Path) -> None:
    subjects = subject_rows()
    courses = courses_by_role(subjects)
    events = event_rows(subjects, courses)
    _write(folder / "subjects.csv", SUBJECT_FIELDS, subjects)
    _write(folder / "adverse_events.csv", AE_FIELDS, events)
    _write(folder / "exposure.csv", EXPOSURE_FIELDS, treatment.exposure_rows(subjects, courses))
    _write(folder / "labs.csv", LAB_FIELDS, treatment.lab_rows(subjects, courses, events))


if __name__ == "__main__":
    write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
    print(f"wrote {len(PATIENTS)} patients to {sys.argv[1] if len(sys.argv) > 1 else HERE}")
