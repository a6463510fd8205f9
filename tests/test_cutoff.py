"""The data cutoff: what is dated after it does not exist yet (DESIGN section 5)."""
import datetime as dt

import pytest

import report
from report import InputError, load_trial

ROWS = [
    ["P1", "2016-01-01", "70", "F", "CR", "2016-02-01", "1", "negative", "2016-08-01", "2016-12-01", "2016-12-01"],
    ["P2", "2016-03-01", "71", "M", "CR", "2016-06-15", "2", "", "", "", "2017-06-01"],
    ["P3", "2016-09-01", "72", "M", "NR", "", "", "", "", "", "2017-06-01"],
]
EVENTS = [
    ["P1", "Fever", "General", "1", "2016-01-10", "", ""],
    ["P2", "Nausea", "Gastro", "3", "2016-07-01", "", ""],
]


def test_cutoff_hides_later_patients_events_and_follow_up(make_trial):
    trial = load_trial(make_trial(ROWS, EVENTS), cutoff="2016-06-30")
    ledger = report.analyze(trial).to_dict()
    assert ledger["data_cutoff"] == "2016-06-30"
    assert ledger["population"]["enrolled"] == 2  # P3 enrolled after the cutoff
    assert ledger["response"]["responders"]["count"] == 2  # P2 responded on 2016-06-15
    os_ = ledger["survival"]["os"]
    assert os_["events"] == 0  # P1 died after the cutoff: alive on it
    days = (dt.date(2016, 6, 30) - dt.date(2016, 1, 1)).days
    assert os_["max_time"] == pytest.approx(days / 30.4375)  # censored at the cutoff
    assert ledger["survival"]["dfs"]["events"] == 0  # the relapse is after the cutoff too
    assert ledger["safety"]["any_event"]["events"] == 1  # the nausea started in July


def test_response_after_the_cutoff_is_not_yet_a_response(make_trial):
    ledger = report.analyze(load_trial(make_trial(ROWS, EVENTS), cutoff="2016-06-01")).to_dict()
    assert ledger["response"]["responders"]["count"] == 1
    assert ledger["response"]["categories"]["not assessed"]["count"] == 1


def test_default_cutoff_is_the_last_date_in_the_data(make_trial):
    assert load_trial(make_trial(ROWS, EVENTS)).cutoff == dt.date(2017, 6, 1)


def test_cutoff_before_any_enrollment_is_an_input_error(make_trial):
    with pytest.raises(InputError, match="no patient was enrolled"):
        load_trial(make_trial(ROWS, EVENTS), cutoff="2015-01-01")


def test_example_at_an_earlier_cutoff(example_trial):
    early = report.analyze(load_trial(cutoff="2016-06-30")).to_dict()
    assert early["population"]["enrolled"] < example_trial.subjects.shape[0]
    assert early["data_cutoff"] == "2016-06-30"
