"""The S1318 example's treatment: blinatumomab cycles, POMP maintenance, the action taken
with treatment at each adverse event, and laboratory grades (used by generate.py).

A cycle is 28 days of continuous infusion. Cycle 1 steps up from 9 to 28 mcg/day after 7
days; later cycles run at 28 mcg/day. A grade 3 cytokine release syndrome or neurotoxicity
under infusion holds the infusion for HOLD_DAYS days; it restarts at 9 mcg/day for 7 days,
and the cycle still gives 28 infusion days. The next cycle is due 42 days after the last
began (and at least 14 days after it ended); a cycle begun later is "delayed".
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

CUTOFF = dt.date(2018, 7, 31)
INFUSION_DAYS, CYCLE_DAYS, REST_DAYS = 28, 42, 14
STEP_UP = [9] * 7 + [28] * 21  # mcg/day, cycle 1
FULL = [28] * 28  # mcg/day, later cycles
RESTART = [9] * 7  # mcg/day after a hold
HOLD_DAYS = 5
MAINTENANCE_DAYS = 548  # POMP for 18 months
POST_REMISSION_CYCLES = 3
HOLD_TERMS = {"Cytokine release syndrome", "Encephalopathy", "Confusion", "Tremor", "Aphasia", "Seizure"}
PROGRESSION_DAY = {"PD1": 21}  # progression under cycle 1, days after enrollment
DELAYS = {("NR4", 2): 7, ("R5", 3): 7, ("R13", 3): 7, ("R17", 4): 14}  # (role, cycle): days late
LAB_TESTS = ("Neutrophil count decreased", "Platelet count decreased", "Anemia", "Alanine aminotransferase increased")
LAB_EVENTS = {term: (term, 1) for term in LAB_TESTS} | {"Febrile neutropenia": ("Neutrophil count decreased", 3)}


@dataclass(frozen=True)
class Cycle:
    number: int
    start_on: dt.date
    end_on: dt.date
    dose: int  # mcg given in the cycle
    planned_dose: int  # mcg the cycle plans
    actions: tuple[str, ...]  # of interrupted, reduced, delayed


@dataclass(frozen=True)
class Course:
    cycles: tuple[Cycle, ...]
    maintenance: tuple[dt.date, dt.date] | None  # POMP, first and last day (by the cutoff)
    stop_on: dt.date | None  # protocol treatment stopped for good


def course(subject: dict, stop_on: dt.date | None, holds: list[dt.date]) -> Course:
    """A treated patient's cycles and maintenance, up to `stop_on`, with infusion held on `holds`."""
    role, responder = subject["role"], subject["best_response"] in ("CR", "CRi")
    planned = (subject["response_cycle"] + POST_REMISSION_CYCLES) if responder else (2 if role.startswith("NR") else 1)
    cycles: list[Cycle] = []
    due = subject["enrolled_on"] + dt.timedelta(days=1)
    for number in range(1, planned + 1):
        start = due + dt.timedelta(days=DELAYS.get((role, number), 0))
        if stop_on and start >= stop_on or start > CUTOFF:
            break
        cycles.append(_cycle(number, start, stop_on, holds, late=start > due))
        due = max(start + dt.timedelta(days=CYCLE_DAYS), cycles[-1].end_on + dt.timedelta(days=REST_DAYS + 1))
    complete = responder and len(cycles) == planned and cycles[-1].dose == cycles[-1].planned_dose
    return Course(tuple(cycles), _maintenance(cycles[-1].end_on, stop_on) if complete else None, stop_on)


def _cycle(number: int, start: dt.date, stop_on: dt.date | None, holds: list[dt.date], late: bool) -> Cycle:
    plan = STEP_UP if number == 1 else FULL
    rates: list[int] = []
    day, held, restart = start, False, 0
    while len(rates) < INFUSION_DAYS and not (stop_on and day > stop_on):
        rates.append(RESTART[0] if restart else plan[len(rates)])
        restart = max(restart - 1, 0)
        if day in holds:
            held, restart = True, len(RESTART)
            day += dt.timedelta(days=HOLD_DAYS)
        day += dt.timedelta(days=1)
    end = day - dt.timedelta(days=1)
    reduced = held and sum(rates) < sum(plan[:len(rates)])
    actions = tuple(a for a, on in (("interrupted", held), ("reduced", reduced), ("delayed", late)) if on)
    return Cycle(number, start, end, sum(rates), sum(plan), actions)


def _maintenance(last_infusion: dt.date, stop_on: dt.date | None) -> tuple[dt.date, dt.date] | None:
    first = last_infusion + dt.timedelta(days=REST_DAYS + 1)
    last = min(d for d in (first + dt.timedelta(days=MAINTENANCE_DAYS - 1), stop_on, CUTOFF) if d)
    return (first, last) if first <= last else None


def action_taken(c: Course, term: str, grade: int, onset: dt.date) -> str:
    """The CDISC AEACN term for the treatment under way at `onset`."""
    infusing = any(x.start_on <= onset <= x.end_on for x in c.cycles)
    maintained = c.maintenance is not None and c.maintenance[0] <= onset <= c.maintenance[1]
    between = c.cycles[0].start_on <= onset <= _planned_end(c)
    if grade == 5:
        return "DRUG WITHDRAWN" if infusing or maintained or between else "NOT APPLICABLE"
    if infusing and grade >= 3 and term in HOLD_TERMS:
        return "DRUG INTERRUPTED"
    return "DOSE NOT CHANGED" if infusing or maintained else "NOT APPLICABLE"


def _planned_end(c: Course) -> dt.date:
    """The last day treatment was still planned: maintenance's end, else the stop."""
    if c.maintenance:
        return c.maintenance[1]
    return c.stop_on or c.cycles[-1].end_on


BLINATUMOMAB, POMP = "Blinatumomab", "POMP maintenance"
POMP_COURSE_DAYS = 28  # exposure.csv gives POMP as 4-week courses


def exposure_rows(subjects: list[dict], courses: dict[str, Course]) -> list[dict]:
    """Each patient's blinatumomab cycles, then their POMP maintenance courses."""
    rows = []
    for s in subjects:
        if s["role"] not in courses:
            continue
        c = courses[s["role"]]
        rows += [{"subject_id": s["subject_id"], "treatment": BLINATUMOMAB, "cycle": x.number, "start_on": x.start_on,
                  "end_on": x.end_on, "dose": x.dose, "planned_dose": x.planned_dose, "action": ";".join(x.actions)}
                 for x in c.cycles]
        rows += [{"subject_id": s["subject_id"], "treatment": POMP, "cycle": number, "start_on": start, "end_on": end,
                  "dose": None, "planned_dose": None, "action": ""} for number, start, end in maintenance_courses(c)]
    return rows


def maintenance_courses(c: Course) -> list[tuple[int, dt.date, dt.date]]:
    """(number, first day, last day) of each 4-week POMP course, the last cut at the end of
    maintenance (18 months, relapse, death, going off study or the cutoff)."""
    if c.maintenance is None:
        return []
    first, last = c.maintenance
    starts = range(0, (last - first).days + 1, POMP_COURSE_DAYS)
    return [(i + 1, first + dt.timedelta(days=d), min(first + dt.timedelta(days=d + POMP_COURSE_DAYS - 1), last))
            for i, d in enumerate(starts)]


def lab_rows(subjects: list[dict], courses: dict[str, Course], events: list[dict]) -> list[dict]:
    """Grades of LAB_TESTS at registration and through the cycles, never below the grade of
    an adverse event of the same test (or a febrile neutropenia) reported before them."""
    rng = random.Random(1318)
    rows = []
    for s in subjects:
        if s["role"] not in courses:
            continue
        visits = _visits(s, courses[s["role"]])
        mine = [e for e in events if e["subject_id"] == s["subject_id"] and e["term"] in LAB_EVENTS]
        for test in LAB_TESTS:
            grades = _trajectory(rng, test, s, [phase for _, phase in visits])
            for e in mine:
                target, floor = LAB_EVENTS[e["term"]]
                after = [i for i, (on, _) in enumerate(visits) if on >= e["onset_on"]]
                if target == test and after:
                    grades[after[0]] = max(grades[after[0]], e["grade"], floor)
            rows += [{"subject_id": s["subject_id"], "test": test, "collected_on": on, "grade": g,
                      "baseline": "Y" if phase == "baseline" else "N"} for (on, phase), g in zip(visits, grades)]
    return rows


def _visits(s: dict, c: Course) -> list[tuple[dt.date, str]]:
    """(date, phase): registration, days 8, 15 (and 22 in cycle 1) and the last infusion day
    of each cycle, and 14 days after the last cycle; none after the stop or the cutoff."""
    visits = [(s["enrolled_on"], "baseline")]
    for x in c.cycles:
        days = [x.start_on + dt.timedelta(days=n) for n in ((7, 14, 21) if x.number == 1 else (7, 14))]
        visits += [(d, _phase(s, d)) for d in days if d < x.end_on]
        visits.append((x.end_on, "response" if x.number == s["response_cycle"] else _phase(s, x.end_on)))
    after = c.cycles[-1].end_on + dt.timedelta(days=REST_DAYS)
    visits.append((after, _phase(s, after)))
    last = min(d for d in (c.stop_on, s["died_on"], CUTOFF) if d)
    return [(d, phase) for d, phase in visits if d <= last]


def _phase(s: dict, on: dt.date) -> str:
    return "remission" if s["response_on"] and on >= s["response_on"] else "induction"


# CTCAE grades to draw from, by test and phase (CR: full count recovery; CRi: platelets not).
CHOICES = {
    "Neutrophil count decreased": {"baseline": [2, 3, 3, 4], "CR": [0, 1, 2], "CRi": [1, 2],
                                   "remission": [0, 0, 1, 1, 2]},
    "Platelet count decreased": {"baseline": [2, 3, 3, 4], "CR": [0, 1], "CRi": [2, 3],
                                 "remission": [0, 0, 1, 1, 2]},
    "Anemia": {"baseline": [1, 2, 2, 3], "CR": [0, 1, 1], "CRi": [1, 1, 2], "remission": [0, 1, 1]},
    "Alanine aminotransferase increased": {"baseline": [0, 0, 0, 1], "CR": [0, 0, 0, 1], "CRi": [0, 0, 0, 1],
                                           "remission": [0, 0, 0, 1]},
}


TOP = {"Neutrophil count decreased": 4, "Platelet count decreased": 4, "Anemia": 3}  # anemia of grade 4 is an emergency


def _trajectory(rng: random.Random, test: str, s: dict, phases: list[str]) -> list[int]:
    """A plausible course of CTCAE grades: cytopenias at diagnosis that recover step by step
    to the response (fully in CR, partly in CRi) and persist without response; ALT rising
    now and then in the first weeks of blinatumomab."""
    choice = CHOICES[test]
    start = rng.choice(choice["baseline"])
    reached = rng.choice(choice[s["best_response"]]) if s["best_response"] in ("CR", "CRi") else None
    induction = phases.count("induction")
    grades, step = [], 0
    for phase in phases:
        if phase == "baseline":
            grades.append(start)
        elif phase == "response":
            grades.append(reached)
        elif phase == "remission":  # recovering a grade at a time at most
            grades.append(max(rng.choice(choice["remission"]), grades[-1] - 1))
        elif test == "Alanine aminotransferase increased":
            grades.append(rng.choice([0, 1, 1, 2] if step < 2 else [0, 0, 1]))
            step += 1
        elif reached is not None:
            step += 1
            grades.append(round(start + (reached - start) * step / (induction + 1)))
        else:
            grades.append(min(TOP[test], max(2, start + rng.choice([-1, 0, 0, 1]))))
    return grades
