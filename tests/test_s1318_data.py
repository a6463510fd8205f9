"""The S1318 example's data (data/s1318/generate.py): reproducible byte for byte, the published
figures and the abstract's follow-up still out of the pipeline, and the files beyond the
analysis's own columns (exposure.csv, labs.csv, action_taken, fatal, study_status,
ineligible_reason) consistent with each patient's timeline. The files are read here with the
csv module, not the package's readers."""
from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from report.layout.formatting import percent
from report.resources import bundled_trial

EXAMPLE = bundled_trial("s1318")
FILES = ("subjects.csv", "adverse_events.csv", "exposure.csv", "labs.csv")
CUTOFF = dt.date(2018, 7, 31)
ACTIONS = {"DRUG WITHDRAWN", "DOSE REDUCED", "DRUG INTERRUPTED", "DOSE NOT CHANGED", "NOT APPLICABLE", "UNKNOWN"}
CRS = "Cytokine release syndrome"
NEUROTOXICITY = ("Encephalopathy", "Confusion", "Tremor", "Aphasia", "Seizure")
LAB_TERMS = ("Neutrophil count decreased", "Platelet count decreased", "Anemia", "Alanine aminotransferase increased")


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _read(name: str) -> list[dict]:
    with (EXAMPLE / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def subjects() -> dict[str, dict]:
    rows = {}
    for row in _read("subjects.csv"):
        for column in ("enrolled_on", "response_on", "relapse_on", "died_on", "last_contact_on", "off_study_on"):
            row[column] = _date(row[column])
        rows[row["subject_id"]] = row
    return rows


@pytest.fixture(scope="module")
def events() -> list[dict]:
    return [{**r, "grade": int(r["grade"]), "onset_on": _date(r["onset_on"])} for r in _read("adverse_events.csv")]


@pytest.fixture(scope="module")
def cycles() -> dict[str, list[dict]]:
    """The blinatumomab cycles, by patient."""
    by_subject = defaultdict(list)
    for r in _read("exposure.csv"):
        if r["treatment"] != "Blinatumomab":
            continue
        by_subject[r["subject_id"]].append({**r, "cycle": int(r["cycle"]), "start_on": _date(r["start_on"]),
                                            "end_on": _date(r["end_on"]), "dose": int(r["dose"]),
                                            "planned_dose": int(r["planned_dose"]),
                                            "action": [a for a in r["action"].split(";") if a]})
    return dict(by_subject)


@pytest.fixture(scope="module")
def maintenance() -> dict[str, list[dict]]:
    """The POMP maintenance courses, by patient."""
    by_subject = defaultdict(list)
    for r in _read("exposure.csv"):
        if r["treatment"] == "POMP maintenance":
            by_subject[r["subject_id"]].append({**r, "cycle": int(r["cycle"]), "start_on": _date(r["start_on"]),
                                                "end_on": _date(r["end_on"])})
    return dict(by_subject)


@pytest.fixture(scope="module")
def labs() -> list[dict]:
    return [{**r, "grade": int(r["grade"]), "collected_on": _date(r["collected_on"])} for r in _read("labs.csv")]


@pytest.fixture(scope="module")
def generate():
    """generate.py as a module (it puts its folder on sys.path for treatment.py: undone here)."""
    path, modules = list(sys.path), set(sys.modules)
    spec = importlib.util.spec_from_file_location("s1318_generate", EXAMPLE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = path
        for name in set(sys.modules) - modules:
            del sys.modules[name]
    return module


def test_generate_reproduces_the_committed_files_byte_for_byte(tmp_path):
    subprocess.run([sys.executable, str(EXAMPLE / "generate.py"), str(tmp_path)], check=True, timeout=120,
                   capture_output=True)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (EXAMPLE / name).read_bytes(), f"{name} differs from the committed file"


def test_the_abstracts_median_follow_up_is_unchanged(ledger):
    """Reverse Kaplan-Meier: the censoring of 20 September 2016's patient at 651 days."""
    assert ledger["survival"]["os"]["median_followup"] == pytest.approx(651 / 30.4375, abs=1e-12)
    assert f'{ledger["survival"]["os"]["median_followup"]:.1f}' == "21.4"


def test_published_figures_still_hold(ledger):
    """The figures s1318-facts.md lists (tests/test_example.py checks each in more detail)."""
    response, mrd = ledger["response"]["responders"], ledger["mrd"]["negative"]
    assert (response["count"], response["n"], ledger["response"]["after_first_cycle"]["count"]) == (19, 29, 18)
    assert (mrd["count"], mrd["n"]) == (12, 13)
    shown = {e: [percent(lm["survival"]) for lm in ledger["survival"][e]["landmarks"]] for e in ("os", "dfs")}
    assert shown == {"os": ["79%", "65%"], "dfs": ["68%", "56%"]}
    assert ledger["safety"]["deaths"]["early"]["28"] == 0
    counts = {t["term"]: t["subjects"] for t in ledger["safety"]["terms"]}
    assert [counts[t] for t in ("Hyperglycemia", "Dyspnea", "Febrile neutropenia", "Hypertension", "Lung infection")] \
        == [4, 3, 3, 3, 2]


def test_relapses_and_deaths_in_remission(subjects):
    """Among the 19 responders: 7 relapses, 3 deaths in remission (none from leukemia), 9
    alive in remission; every relapsed patient went off study at relapse."""
    responders = [s for s in subjects.values() if s["best_response"] in ("CR", "CRi")]
    relapsed = [s for s in responders if s["relapse_on"]]
    in_remission = [s for s in responders if s["died_on"] and not s["relapse_on"]]
    assert (len(responders), len(relapsed), len(in_remission)) == (19, 7, 3)
    assert all("leukemia" not in s["death_cause"].lower() for s in in_remission)
    assert all(s["relapse_on"] < s["died_on"] for s in relapsed if s["died_on"])
    assert all(s["off_study_on"] == s["relapse_on"] and s["off_study_reason"] == "Relapse" for s in relapsed)


def test_every_death_has_a_cause_and_fatal_events_match_them(subjects, events):
    dead = {i: s for i, s in subjects.items() if s["died_on"]}
    assert dead and all(s["death_cause"] for s in dead.values())
    assert all(not s["death_cause"] for s in subjects.values() if not s["died_on"])
    fatal = [e for e in events if e["fatal"] == "true"]
    assert all(e["grade"] == 5 for e in fatal) and all(e["fatal"] == "false" for e in events if e["grade"] < 5)
    assert len({e["subject_id"] for e in fatal}) == len(fatal) == 4
    for e in fatal:
        death = dead[e["subject_id"]]
        assert death["death_cause"] == e["term"] and 0 <= (death["died_on"] - e["onset_on"]).days <= 14


def test_no_event_after_death_or_last_contact(subjects, events, cycles, labs):
    for e in events:
        s = subjects[e["subject_id"]]
        assert s["enrolled_on"] <= e["onset_on"] <= s["last_contact_on"]
        assert not s["died_on"] or e["onset_on"] <= s["died_on"]
    for subject_id, rows in cycles.items():
        s = subjects[subject_id]
        assert all(not s["died_on"] or c["end_on"] <= s["died_on"] for c in rows)
    for lab in labs:
        s = subjects[lab["subject_id"]]
        assert s["enrolled_on"] <= lab["collected_on"] <= min(d for d in (s["died_on"], CUTOFF) if d)


def test_study_status_agrees_with_off_study(subjects):
    statuses = Counter(s["study_status"] for s in subjects.values())
    assert set(statuses) == {"completed", "discontinued", "ongoing"}
    for s in subjects.values():
        assert (s["study_status"] == "ongoing") == (s["off_study_on"] is None)
        assert (s["study_status"] == "completed") == (s["off_study_reason"] == "Completed follow-up")
        if s["died_on"]:
            assert s["study_status"] == "discontinued"
        if s["study_status"] == "completed":
            assert s["off_study_on"] == s["last_contact_on"] and (s["off_study_on"] - s["enrolled_on"]).days >= 3 * 365
        assert bool(s["ineligible_reason"]) == (s["eligible"] == "false")
    assert statuses["discontinued"] == sum(1 for s in subjects.values() if s["off_study_reason"] not in
                                           ("", "Completed follow-up"))


def test_cycles_fit_each_patients_timeline(subjects, cycles):
    treated = {i for i, s in subjects.items() if s["treated"] == "true"}
    assert set(cycles) == treated
    for subject_id, rows in cycles.items():
        s = subjects[subject_id]
        assert [c["cycle"] for c in rows] == list(range(1, len(rows) + 1))
        assert rows[0]["start_on"] == s["enrolled_on"] + dt.timedelta(days=1)
        for before, after in zip(rows, rows[1:]):
            assert (after["start_on"] - before["start_on"]).days >= 42 and (after["start_on"] - before["end_on"]).days > 14
        stop = min(d for d in (s["off_study_on"], s["relapse_on"], s["died_on"], CUTOFF) if d)
        assert all(c["start_on"] < stop and c["start_on"] <= c["end_on"] <= stop for c in rows)
        if s["best_response"] in ("CR", "CRi"):
            cycle = int(s["response_cycle"])
            assert rows[cycle - 1]["end_on"] < s["response_on"]
            assert len(rows) <= cycle + 3 and (len(rows) == cycle or rows[cycle]["start_on"] > s["response_on"])
            assert len(rows) == cycle + 3 or s["relapse_on"] or s["died_on"]  # three post-remission cycles
        else:
            assert len(rows) <= 2


def test_every_exposure_row_is_blinatumomab_or_pomp_maintenance():
    assert {r["treatment"] for r in _read("exposure.csv")} == {"Blinatumomab", "POMP maintenance"}


def test_pomp_courses_fit_each_patients_timeline(subjects, events, cycles, maintenance):
    """Four-week courses, back to back, from 15 days after the last post-remission cycle ends, for
    responders who completed it, until 18 months (548 days), relapse, a fatal event, death, going
    off study or the cutoff (the last course cut there); no dose (four drugs have no single dose
    to sum), no action."""
    assert maintenance and set(maintenance) <= set(cycles)
    fatal = {e["subject_id"]: e["onset_on"] for e in events if e["grade"] == 5}
    for subject_id, rows in maintenance.items():
        s, blinatumomab = subjects[subject_id], cycles[subject_id]
        assert s["best_response"] in ("CR", "CRi") and len(blinatumomab) == int(s["response_cycle"]) + 3
        assert rows[0]["start_on"] == blinatumomab[-1]["end_on"] + dt.timedelta(days=15)
        assert [c["cycle"] for c in rows] == list(range(1, len(rows) + 1))
        for before, after in zip(rows, rows[1:]):
            assert (before["end_on"] - before["start_on"]).days == 27
            assert after["start_on"] == before["end_on"] + dt.timedelta(days=1)
        stop = min(d for d in (s["off_study_on"], s["relapse_on"], s["died_on"], fatal.get(subject_id), CUTOFF) if d)
        assert rows[-1]["end_on"] == min(stop, rows[0]["start_on"] + dt.timedelta(days=547))
        assert 0 <= (rows[-1]["end_on"] - rows[-1]["start_on"]).days <= 27
        assert all(r["dose"] == r["planned_dose"] == r["action"] == "" for r in rows)
    lasted = [(rows[-1]["end_on"] - rows[0]["start_on"]).days + 1 for rows in maintenance.values()]
    assert max(lasted) == 548 and min(lasted) < 548  # some finished the 18 months, some stopped early


def test_the_deaths_during_pomp_are_within_30_days_of_its_last_course(subjects, maintenance):
    """The two deaths in remission during maintenance (intracranial hemorrhage, myocardial
    infarction): their last course ends at the fatal event, within 30 days of the death."""
    during = {i: rows for i, rows in maintenance.items() if subjects[i]["died_on"]
              and 0 <= (subjects[i]["died_on"] - rows[-1]["end_on"]).days <= 30}
    assert sorted(subjects[i]["death_cause"] for i in during) == ["Intracranial hemorrhage", "Myocardial infarction"]


def test_doses_are_the_cycles_mcg(cycles):
    """Total mcg: cycle 1 plans 9 mcg/day for 7 days then 28 (651), later cycles 28 a day (784);
    a full cycle gives its plan unless restarted at 9 mcg/day after a hold (reduced)."""
    for rows in cycles.values():
        for c in rows:
            assert c["planned_dose"] == (651 if c["cycle"] == 1 else 784)
            assert 0 < c["dose"] <= c["planned_dose"]
            assert set(c["action"]) <= {"interrupted", "reduced", "delayed"}
            assert ("reduced" in c["action"]) <= ("interrupted" in c["action"])
            if not c["action"] and (c["end_on"] - c["start_on"]).days == 27:
                assert c["dose"] == c["planned_dose"]
            if "reduced" in c["action"]:
                assert c["dose"] < c["planned_dose"]
    actions = Counter(a for rows in cycles.values() for c in rows for a in c["action"])
    assert actions == {"interrupted": 4, "reduced": 4, "delayed": 4}


def test_interruptions_are_the_grade_3_crs_and_neurotoxicity(events, cycles):
    interrupted = {(e["subject_id"], e["onset_on"]) for e in events if e["action_taken"] == "DRUG INTERRUPTED"}
    severe = {(e["subject_id"], e["onset_on"]) for e in events
              if e["term"] in (CRS, *NEUROTOXICITY) and e["grade"] >= 3}
    assert interrupted == severe
    for subject_id, onset in interrupted:
        cycle = next(c for c in cycles[subject_id] if c["start_on"] <= onset <= c["end_on"])
        assert "interrupted" in cycle["action"]
    assert sum("interrupted" in c["action"] for rows in cycles.values() for c in rows) == len(interrupted)


def test_action_taken_uses_cdisc_terms(events, cycles):
    assert {e["action_taken"] for e in events} <= ACTIONS
    for e in events:
        infusing = any(c["start_on"] <= e["onset_on"] <= c["end_on"] for c in cycles[e["subject_id"]])
        if e["action_taken"] in ("DRUG INTERRUPTED",):
            assert infusing
        if e["fatal"] == "true":
            assert e["action_taken"] == "DRUG WITHDRAWN"


def _worst(events: list[dict], terms: tuple[str, ...]) -> Counter:
    worst = {}
    for e in events:
        if e["term"] in terms:
            worst[e["subject_id"]] = max(worst.get(e["subject_id"], 0), e["grade"])
    return Counter(worst.values())


def test_crs_and_neurotoxicity_by_worst_grade_are_as_generated(events, generate):
    expected = {}
    for name, terms in (("crs", (CRS,)), ("neuro", NEUROTOXICITY)):
        worst = {}
        for term in terms:
            for role, grade, _, _ in generate.EVENTS[term]:
                worst[role] = max(worst.get(role, 0), grade)
        expected[name] = Counter(worst.values())
    assert _worst(events, (CRS,)) == expected["crs"] == {1: 3, 2: 2, 3: 1}
    assert _worst(events, NEUROTOXICITY) == expected["neuro"] == {1: 5, 2: 4, 3: 3}
    assert all(e["serious"] == "true" for e in events if e["term"] in (CRS, *NEUROTOXICITY) and e["grade"] >= 3)


def test_no_new_term_joins_the_published_grade_3_five(events):
    high = Counter(t for t, _ in {(e["term"], e["subject_id"]) for e in events if e["grade"] >= 3})
    assert {t for t, n in high.items() if n >= 2} == {"Hyperglycemia", "Dyspnea", "Febrile neutropenia",
                                                      "Hypertension", "Lung infection"}


def test_labs_have_one_baseline_before_the_first_dose(subjects, cycles, labs):
    by_test = defaultdict(list)
    for lab in labs:
        by_test[lab["subject_id"], lab["test"]].append(lab)
    treated = {i for i, s in subjects.items() if s["treated"] == "true"}
    assert set(by_test) == {(i, t) for i in treated for t in LAB_TERMS}
    for (subject_id, _), rows in by_test.items():
        first_dose = cycles[subject_id][0]["start_on"]
        before = [r for r in rows if r["collected_on"] <= first_dose]
        assert [r["baseline"] for r in rows] == ["Y" if r is max(before, key=lambda r: r["collected_on"]) else "N"
                                                for r in rows]
        assert len(rows) > 1 and all(0 <= r["grade"] <= 4 for r in rows)


def _at(labs: list[dict], subject_id: str, test: str, on: dt.date) -> int:
    """The grade of the last collection on or before `on`."""
    rows = [r for r in labs if r["subject_id"] == subject_id and r["test"] == test and r["collected_on"] <= on]
    return max(rows, key=lambda r: r["collected_on"])["grade"]


def test_counts_at_response_fit_cr_and_cri(subjects, labs):
    """CR: neutrophils above 1,000/uL (grade 2 or less) and platelets above 75,000/uL (grade 1
    or less); CRi: one of them short of that."""
    for subject_id, s in subjects.items():
        if s["best_response"] not in ("CR", "CRi"):
            continue
        neutrophils = _at(labs, subject_id, "Neutrophil count decreased", s["response_on"])
        platelets = _at(labs, subject_id, "Platelet count decreased", s["response_on"])
        assert (neutrophils <= 2 and platelets <= 1) == (s["best_response"] == "CR"), subject_id


def test_labs_reach_the_grade_of_each_laboratory_adverse_event(events, labs):
    for e in events:
        test, floor = (e["term"], e["grade"]) if e["term"] in LAB_TERMS else \
            ("Neutrophil count decreased", 3) if e["term"] == "Febrile neutropenia" else (None, None)
        if test is None:
            continue
        later = sorted((r for r in labs if r["subject_id"] == e["subject_id"] and r["test"] == test
                        and r["collected_on"] >= e["onset_on"]), key=lambda r: r["collected_on"])
        assert not later or later[0]["grade"] >= max(floor, e["grade"]), e
