"""Row checks of tidy tables: subjects (values, responders, categories, date order) and
adverse events (known subjects, onset dates, one SOC per term), every problem named by row."""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from ..errors import Problem
from .tidy_read import distinct_codes

MRD_VALUES = {"negative", "positive"}
STUDY_STATUSES = ("completed", "discontinued", "ongoing")
ATTRIBUTIONS = {"unrelated", "unlikely", "possible", "probable", "definite"}
# CDISC controlled terminology ACN (action taken with study treatment), any case.
ACTIONS = ("DRUG WITHDRAWN", "DOSE REDUCED", "DOSE RATE REDUCED", "DOSE INCREASED", "DRUG INTERRUPTED",
           "DOSE NOT CHANGED", "NOT APPLICABLE", "NOT EVALUABLE", "UNKNOWN")
SUBJECT_DATES = ("enrolled_on", "response_on", "relapse_on", "died_on", "last_contact_on", "off_study_on")

class Findings:
    """Problems found by checks over whole columns, given back in row order and, within a
    row, in the order the checks were made."""

    def __init__(self, file: str, rows: pd.Series):
        self.file, self.rows = file, rows.to_numpy()
        self.found: list[tuple[int, int, Problem]] = []
        self.checks = 0

    def add(self, flagged: np.ndarray, column: str, message: Callable[[int], str]) -> None:
        """A problem in `column` for each flagged row position, worded by `message(position)`."""
        for i in np.flatnonzero(flagged):
            self.found.append((int(i), self.checks, Problem(self.file, message(i), int(self.rows[i]), column)))
        self.checks += 1

    def problems(self) -> list[Problem]:
        return [problem for _, _, problem in sorted(self.found, key=lambda found: found[:2])]


def subject_problems(
    s: pd.DataFrame, file: str, responders: list[str], categories: list[str], unreadable: dict[str, np.ndarray]
) -> list[Problem]:
    """Problems across a row's cells; a cell already reported as unreadable counts as
    neither empty nor filled, so it sets off no further problem."""
    found = Findings(file, s["source_row"])
    ids, best, mrd = (s[c].to_numpy(dtype=object) for c in ("subject_id", "best_response", "mrd"))
    age = s["age"].to_numpy(dtype=object)
    has = {c: s[c].notna().to_numpy() for c in ("subject_id", "best_response", "mrd", "response_on", "relapse_on")}
    empty = {c: ~has[c] & ~unreadable.get(c, False) for c in has}

    repeated = has["subject_id"] & s["subject_id"].duplicated().to_numpy()
    first = has["subject_id"] & ~repeated
    first_row = dict(zip(ids[first], found.rows[first]))
    found.add(repeated, "subject_id", lambda i: f"{ids[i]!r} repeats row {first_row[ids[i]]}")
    if categories:
        found.add(has["best_response"] & ~s["best_response"].isin(categories).to_numpy(), "best_response",
                  lambda i: f"{best[i]!r} is not one of {', '.join(categories)}")
    found.add(s["best_response"].isin(responders).to_numpy() & empty["response_on"], "response_on",
              lambda i: f"a responder ({best[i]}) needs the date of response")
    found.add(has["mrd"] & ~s["mrd"].isin(MRD_VALUES).to_numpy(), "mrd",
              lambda i: f"{mrd[i]!r} is not negative, positive or empty")
    status = s["study_status"].to_numpy(dtype=object)
    found.add(where_passing(s["study_status"], lambda v: v.lower() not in STUDY_STATUSES), "study_status",
              lambda i: f"{status[i]!r} is not one of {', '.join(STUDY_STATUSES)}")
    found.add(where_passing(s["response_cycle"], lambda c: c < 1), "response_cycle", lambda i: "cycles are numbered from 1")
    found.add(where_passing(s["age"], lambda a: not 0 <= a <= 120), "age", lambda i: f"{age[i]:g} is not a plausible age")
    found.add(has["relapse_on"] & empty["response_on"], "relapse_on",
              lambda i: "a relapse needs a response (response_on is empty)")
    _date_order(s, found)
    return found.problems()


def _date_order(s: pd.DataFrame, found: Findings) -> None:
    """Each date out of order in a subject's row."""
    dates = {c: s[c].to_numpy(dtype=object) for c in SUBJECT_DATES}
    day = {c: ordinals(s[c]) for c in SUBJECT_DATES}
    start, last = dates["enrolled_on"], dates["last_contact_on"]
    for column in ("response_on", "relapse_on", "died_on", "last_contact_on", "off_study_on"):
        found.add(day[column] < day["enrolled_on"], column,
                  lambda i, column=column: f"{dates[column][i]} is before enrolled_on ({start[i]})")
    found.add(day["relapse_on"] <= day["response_on"], "relapse_on",
              lambda i: f"{dates['relapse_on'][i]} is not after response_on ({dates['response_on'][i]})")
    for column in ("response_on", "relapse_on", "off_study_on"):
        found.add(day[column] > day["last_contact_on"], column,
                  lambda i, column=column: f"{dates[column][i]} is after last_contact_on ({last[i]})")
    both = ~np.isnan(day["died_on"]) & ~np.isnan(day["last_contact_on"])
    found.add(both & (day["died_on"] != day["last_contact_on"]), "last_contact_on",
              lambda i: f"{last[i]} differs from died_on ({dates['died_on'][i]}); "
                        "for a patient who died, the last contact is the date of death")


def ae_problems(ae: pd.DataFrame, s: pd.DataFrame, file: str) -> list[Problem]:
    found = Findings(file, ae["source_row"])
    ids, grade, attribution, onset = (ae[c].to_numpy(dtype=object)
                                      for c in ("subject_id", "grade", "attribution", "onset_on"))
    # Each event's subject as a position in `subjects`, -1 if not there; of a repeated
    # subject_id, the last row counts.
    subjects = s[s["subject_id"].notna()].drop_duplicates("subject_id", keep="last")
    subject = pd.Index(subjects["subject_id"].to_numpy(dtype=object)).get_indexer(ids)
    # The subject's dates for each event (-1 takes the element appended: no date).
    enrolled, last = (np.append(subjects[c].to_numpy(dtype=object), None)[subject]
                      for c in ("enrolled_on", "last_contact_on"))
    enrolled_day, last_day = (np.append(ordinals(subjects[c]), np.nan)[subject]
                              for c in ("enrolled_on", "last_contact_on"))
    onset_day = ordinals(ae["onset_on"])

    found.add(ae["subject_id"].notna().to_numpy() & (subject == -1), "subject_id",
              lambda i: f"{ids[i]!r} is not in the subjects file")
    found.add(where_passing(ae["grade"], lambda g: not 1 <= g <= 5), "grade",
              lambda i: f"{grade[i]} is not a CTCAE grade (1-5)")
    found.add(where_passing(ae["attribution"], lambda a: a.lower() not in ATTRIBUTIONS), "attribution",
              lambda i: f"{attribution[i]!r} is not one of {', '.join(sorted(ATTRIBUTIONS))}")
    if "action_taken" in ae.columns:
        action = ae["action_taken"].to_numpy(dtype=object)
        found.add(where_passing(ae["action_taken"], lambda a: a.strip().upper() not in ACTIONS), "action_taken",
                  lambda i: f"{action[i]!r} is not one of {', '.join(ACTIONS)} (CDISC ACN, any case)")
    _soc_conflicts(ae, found)
    found.add(onset_day < enrolled_day, "onset_on",
              lambda i: f"{onset[i]} is before the patient's enrolled_on ({enrolled[i]})")
    found.add(onset_day > last_day, "onset_on",
              lambda i: f"{onset[i]} is after the patient's last_contact_on ({last[i]})")
    return found.problems()


def _soc_conflicts(ae: pd.DataFrame, found: Findings) -> None:
    """Each event whose term is coded to another organ class (soc) than in the first row
    with both."""
    term, soc = ae["term"].to_numpy(dtype=object), ae["soc"].to_numpy(dtype=object)
    both = np.flatnonzero(ae["term"].notna().to_numpy() & ae["soc"].notna().to_numpy())
    codes, _ = distinct_codes(term[both])  # numbered 0, 1, ... in order of first appearance
    first = both[np.unique(codes, return_index=True)[1][codes]]  # for each row in `both`, its term's first
    differs, first_of = np.zeros(len(ae), dtype=bool), np.zeros(len(ae), dtype=np.int64)
    differs[both], first_of[both] = soc[both] != soc[first], first
    found.add(differs, "soc", lambda i: f"{term[i]!r} is coded to {soc[i]!r} here but to {soc[first_of[i]]!r} "
                                        f"in row {found.rows[first_of[i]]}")


def where_passing(values: pd.Series, test: Callable[[object], bool]) -> np.ndarray:
    """Which values pass `test`; empty ones never do. Each distinct value is tested once."""
    codes, distinct = distinct_codes(values)
    return np.array([bool(test(v)) for v in distinct] + [False], dtype=bool)[codes]


def ordinals(dates: pd.Series | np.ndarray) -> np.ndarray:
    """Each date as a day number, NaN where empty, to compare whole columns (NaN never compares true)."""
    codes, distinct = distinct_codes(dates)
    return np.array([d.toordinal() for d in distinct] + [np.nan], dtype=float)[codes]


def without_row(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns="source_row").reset_index(drop=True)
