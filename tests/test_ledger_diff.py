"""`archive diff`: which ledger figures changed between two reports, told in words."""
import copy
from pathlib import Path

import pytest

import report
from report.kinds.dsmb import OPEN, OPEN_KEYS
from report.archive.ledger_change import ABSENT, NO_CHANGE, Change, LedgerDiff, same
from report.archive.ledger_diff import diff_ledgers
from report.archive.ledger_words import describe

FIXTURES = Path(__file__).parent / "fixtures" / "adam"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
RANDOM = FIXTURES / "random-cdisc"
DASH = "\u2013"


@pytest.fixture(scope="module")
def early() -> dict:
    return report.analyze(report.load_trial(cutoff="2017-06-30")).to_dict()


@pytest.fixture(scope="module")
def late() -> dict:
    return report.analyze(report.load_trial(cutoff="2018-07-31")).to_dict()


@pytest.fixture(scope="module")
def diff(early, late) -> LedgerDiff:
    return diff_ledgers(early, late)


def by_path(diff: LedgerDiff) -> dict[str, Change]:
    return {c.path: c for c in diff.changes}


def open_ledger(full: dict) -> dict:
    """A DSMB open ledger: the open keys of a full ledger, and the dsmb block."""
    return {**{k: copy.deepcopy(full[k]) for k in OPEN_KEYS}, "report": OPEN, "dsmb": {"overview": {}}}


def test_counts_of_new_patients_and_events_come_from_the_two_ledgers(early, late, diff):
    assert diff.old_cutoff == "2017-06-30" and diff.new_cutoff == "2018-07-31"
    assert diff.new_patients == late["population"]["enrolled"] - early["population"]["enrolled"]
    assert diff.new_evaluable == late["population"]["evaluable"] - early["population"]["evaluable"]
    assert diff.new_deaths == late["safety"]["deaths"]["total"] - early["safety"]["deaths"]["total"]
    assert diff.new_adverse_events == late["safety"]["any_event"]["events"] - early["safety"]["any_event"]["events"]
    assert diff.new_serious_events == late["safety"]["serious"]["events"] - early["safety"]["serious"]["events"]
    assert diff.new_grade_3_plus_events == (late["safety"]["grade_3_plus"]["events"]
                                            - early["safety"]["grade_3_plus"]["events"])
    assert diff.new_endpoint_events == {name: late["survival"][name]["events"] - early["survival"][name]["events"]
                                        for name in late["survival"]}
    assert diff.new_patients > 0 and diff.new_deaths > 0  # the later cutoff adds to both
    assert diff.only_in_old == () and diff.only_in_new == ()


def test_changed_figures_are_exactly_those_that_differ(early, late, diff):
    changes = by_path(diff)
    for key in ("enrolled", "evaluable", "treated"):
        moved = early["population"][key] != late["population"][key]
        assert (f"population.{key}" in changes) == moved
    responders = changes["response.responders"]
    assert responders.before.startswith(f"{early['response']['responders']['count']} of {early['response']['responders']['n']} (")
    assert responders.after.startswith(f"{late['response']['responders']['count']} of {late['response']['responders']['n']} (")
    terms_early = {t["term"]: t["subjects"] for t in early["safety"]["terms"]}
    terms_late = {t["term"]: t["subjects"] for t in late["safety"]["terms"]}
    moved = {t for t in terms_early.keys() | terms_late.keys() if terms_early.get(t) != terms_late.get(t)}
    assert {c.label for c in diff.changes if c.path.startswith("safety.terms.")} == moved
    assert "population.eligible" not in changes  # not one of the covered figures
    assert all(c.before != c.after or c.path.startswith("survival") for c in diff.changes)
    assert not any(c.arm for c in diff.changes)  # single arm: no by_arm blocks


def test_sentences_read_as_a_statistician_writes_them(diff):
    sentences = describe(diff)
    assert sentences[0] == "Data cutoff 30 June 2017 -> 31 July 2018."
    assert sentences[1] == "3 new patients (26 -> 29 evaluable; 28 -> 31 enrolled)."
    assert (f"Responders (CR or CRi): 16 of 26 (61.5%; 95% CI 40.6%{DASH}79.8%) -> "
            f"19 of 29 (65.5%; 95% CI 45.7%{DASH}82.1%).") in sentences
    assert "MRD-negative: 9 of 10 -> 12 of 13." in sentences
    assert "Grade 3+ adverse events: 20 patients (76.9%) -> 21 (72.4%); 1 new event." in sentences
    assert "Any adverse event: 26 patients (100.0%) -> 29 (100.0%); 7 new events." in sentences
    assert "Deaths: 10 -> 16." in sentences
    assert "Fever: 7 -> 8 patients." in sentences
    assert ("Overall survival at 6 months: 75.9% -> 79.3%; at 12 months: 62.3% -> 64.8%; "
            "median 17.6 months -> 17.1 months; 6 new deaths.") in sentences
    assert NO_CHANGE not in sentences
    assert all(s.endswith(".") for s in sentences)


def test_landmark_sentence_uses_the_ledgers_figures(early, late, diff):
    from report.layout.formatting import percent

    at12 = by_path(diff)["survival.os.landmarks.12"]
    before = next(lm for lm in early["survival"]["os"]["landmarks"] if lm["time"] == 12)
    after = next(lm for lm in late["survival"]["os"]["landmarks"] if lm["time"] == 12)
    assert (at12.before, at12.after) == (percent(before["survival"], 1), percent(after["survival"], 1))


def test_identical_ledgers_change_nothing(late):
    twin = copy.deepcopy(late)
    diff = diff_ledgers(late, twin)
    assert diff.changes == () and diff.new_patients == 0 and diff.new_deaths == 0
    assert describe(diff) == [NO_CHANGE]


def test_float_noise_is_not_a_change(late):
    noisy = copy.deepcopy(late)
    noisy["response"]["responders"]["proportion"] += 1e-15
    noisy["survival"]["os"]["landmarks"][0]["survival"] *= 1 + 1e-14
    assert diff_ledgers(late, noisy).changes == ()
    noisy["response"]["responders"]["proportion"] += 1e-6
    assert [c.path for c in diff_ledgers(late, noisy).changes] == ["response.responders"]
    assert same(1, 1.0) and not same(None, 0) and not same(True, 1)


def test_response_missing_from_one_ledger_is_said_added_or_dropped(late):
    without = {**copy.deepcopy(late), "response": None, "mrd": None}
    added = diff_ledgers(without, late)
    assert [c.path for c in added.changes] == ["response", "mrd"]
    assert added.changes[0].before == ABSENT
    sentences = describe(added)
    assert f"Response added: responders 19 of 29 (65.5%; 95% CI 45.7%{DASH}82.1%)." in sentences
    assert "MRD added: MRD-negative 12 of 13." in sentences
    dropped = describe(diff_ledgers(late, without))
    assert any(s.startswith("Response dropped (only in the old ledger)") for s in dropped)


def test_open_dsmb_ledgers_compare_and_say_what_only_one_holds(early, late):
    opened = diff_ledgers(open_ledger(early), open_ledger(late))
    assert opened.new_patients == 3 and opened.new_deaths == 6
    assert opened.new_endpoint_events == {}
    assert not any(c.path.startswith(("response", "mrd", "survival")) for c in opened.changes)
    sentences = describe(opened)
    assert sentences[:2] == ["Data cutoff 30 June 2017 -> 31 July 2018.", "3 new patients (26 -> 29 evaluable; 28 -> 31 enrolled)."]

    mixed = diff_ledgers(late, open_ledger(late))
    assert set(mixed.only_in_new) == {"report", "dsmb"}
    assert {"response", "mrd", "survival", "endpoints"} <= set(mixed.only_in_old)
    words = describe(mixed)
    assert "Only in the new ledger: report, dsmb." in words
    assert any(s.startswith("Overall survival dropped (only in the old ledger): 29 patients, 16 events") for s in words)
    assert not any("->" in s for s in words[1:])  # nothing compared, only told apart


def test_ledgers_of_any_shape_do_not_break(late):
    for old, new in [({}, late), (late, {}), ({}, {}), ({"data_cutoff": "2018-07-31"}, {"data_cutoff": "2018-07-31"})]:
        assert describe(diff_ledgers(old, new))
    empty = diff_ledgers({}, late)
    assert empty.new_patients is None and empty.new_endpoint_events == {}


def test_new_and_dropped_terms_and_early_deaths(late):
    changed = copy.deepcopy(late)
    safety = changed["safety"]
    dropped = safety["terms"].pop(0)  # the most frequent term: several patients
    safety["terms"].append({**dropped, "term": "Rash", "subjects": 1, "events": 1})
    safety["deaths"]["early"]["60"] += 1
    safety["deaths"]["total"] += 1
    sentences = describe(diff_ledgers(late, changed))
    assert "New term: Rash (1 patient)." in sentences
    assert f"Term no longer reported: {dropped['term']} (was {dropped['subjects']} patients)." in sentences
    assert "Deaths: 16 -> 17; within 60 days: 1 -> 2." in sentences


needs_adam = pytest.mark.needs("public-data")


@pytest.fixture(scope="module")
def three_arms() -> tuple[dict, dict]:
    return (report.analyze(report.load_trial(RANDOM, cutoff="2020-06-30")).to_dict(),
            report.analyze(report.load_trial(RANDOM)).to_dict())


@needs_adam
def test_three_arm_diff_tells_each_arm(three_arms):
    old, new = three_arms
    diff = diff_ledgers(old, new)
    sentences = describe(diff)
    for arm in new["arms"]:
        line = next(s for s in sentences if s.startswith(f"By arm, {arm}: "))
        responders = [new["by_arm"][arm]["response"]["responders"][k] for k in ("count", "n")]
        assert f"-> {responders[0]} of {responders[1]}" in line
        os_new = new["by_arm"][arm]["survival"]["os"]["events"] - old["by_arm"][arm]["survival"]["os"]["events"]
        assert f"{os_new} new deaths" in line
        assert any(c.arm == arm and c.path == f"by_arm.{arm}.response.responders" for c in diff.changes)
    assert any(c.path.startswith("comparisons.os.hazard_ratios.") for c in diff.changes)
    assert diff.new_patients == new["population"]["enrolled"] - old["population"]["enrolled"]


@needs_adam
def test_arm_only_in_one_ledger_is_named(three_arms):
    old, new = three_arms
    arm = new["arms"][1]
    fewer = {**old, "arms": [a for a in old["arms"] if a != arm],
             "by_arm": {a: b for a, b in old["by_arm"].items() if a != arm}}
    sentences = describe(diff_ledgers(fewer, old))
    assert f"By arm, {arm}: only in the new ledger ({old['by_arm'][arm]['population']['enrolled']} enrolled)." in sentences
