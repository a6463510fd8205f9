"""Any time-to-event endpoint from tidy data (report/inputs/tidy_endpoints.py, spec_endpoints.py):
times in months in and out unchanged, Kaplan-Meier figures worked by hand, dates cut at the
data cutoff, competing events kept apart from events and censored times, endpoints given as
times marked as delivered in the ledger and the footnotes, and every bad input named at once."""
from __future__ import annotations

import csv
import shutil
import datetime as dt
from pathlib import Path

import pytest

import report
from report.errors import InputError
from report.inputs.derive import DAYS_PER_UNIT
from report.inputs.trial import as_of
from report.layout.summary_views import AS_DELIVERED, methods_view, results_view

SPEC = """
[trial]
id = "T-ENDPOINTS"
title = "A tiny trial with endpoints given by the data"
data_cutoff = 2021-01-01

[study]
population = "Adults"
background = "Background."

[analysis]
responders = ["CR"]
landmarks = [6, 12]
"""
ENDPOINTS_SPEC = """
[[analysis.endpoints]]
name = "efs"
label = "Event-free survival"
description = "From registration to treatment failure, relapse or death"
origin = "registration"

[[analysis.endpoints]]
name = "rfs"
label = "Relapse-free interval"
description = "From remission to relapse, with death in remission a competing event."
origin = "remission"
population = "patients in remission"
competing = ["death in remission"]
"""
SUBJECTS = [
    ["subject_id", "arm", "enrolled_on", "best_response", "died_on", "last_contact_on"],
    *[[f"P{i}", "A" if i <= 3 else "B", "2020-01-01", "NR", "", "2021-06-30"] for i in range(1, 7)],
    ["P7", "B", "2021-03-01", "NR", "", "2021-06-30"],  # enrolled after the cutoff
]
HEADER = ["subject_id", "endpoint", "time", "time_unit", "start_on", "end_on", "event", "event_type"]
# efs, as times in months: 1.5+, 2.25, 3.5, 6+, 10, 12+ (worked by hand below).
EFS = [["P1", "efs", "3.5", "months", "", "", "true", "relapse"],
       ["P2", "efs", "6", "months", "", "", "false", ""],
       ["P3", "efs", "2.25", "months", "", "", "1", ""],
       ["P4", "efs", "10", "months", "", "", "yes", ""],
       ["P5", "efs", "12", "months", "", "", "0", ""],
       ["P6", "efs", "45.65625", "days", "", "", "false", ""],  # 1.5 months
       ["P7", "efs", "1", "months", "", "", "true", ""]]  # enrolled after the cutoff: left out
RFS = [["P1", "rfs", "", "", "2020-01-10", "2020-05-01", "true", "relapse"],
       ["P2", "rfs", "", "", "2020-02-01", "2020-12-01", "true", "death in remission"],  # competing
       ["P3", "rfs", "", "", "2020-03-01", "2021-03-01", "true", "relapse"],  # after the cutoff: censored at it
       ["P4", "rfs", "", "", "2021-02-01", "2021-04-01", "true", "relapse"],  # starts after the cutoff: dropped
       ["P5", "rfs", "", "", "2020-01-05", "2020-08-05", "false", ""]]


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _trial(tmp_path: Path, rows=(*EFS, *RFS), spec: str = SPEC + ENDPOINTS_SPEC, file: str = "endpoints.csv") -> Path:
    folder = tmp_path / "trial"
    folder.mkdir(exist_ok=True)
    (folder / "trial.toml").write_text(spec, encoding="utf-8")
    _write(folder / "subjects.csv", SUBJECTS)
    if rows is not None:
        _write(folder / file, [HEADER, *rows])
    return folder


@pytest.fixture()
def trial(tmp_path):
    return report.load_trial(_trial(tmp_path))


@pytest.fixture()
def ledger(trial) -> dict:
    return report.analyze(trial).to_dict()


def _rows(trial, endpoint: str) -> dict:
    tte = trial.time_to_event
    return {r.subject_id: r for r in tte[tte["endpoint"] == endpoint].itertuples()}


def test_the_file_s_endpoints_follow_os_with_the_spec_s_words(trial, ledger):
    assert [e.name for e in trial.endpoints] == ["os", "efs", "rfs"]  # no relapse_on: no DFS
    assert ledger["endpoints"]["rfs"] == {
        "label": "Relapse-free interval", "origin": "remission", "population": "patients in remission",
        "description": "From remission to relapse, with death in remission a competing event.", "as_delivered": False}
    assert ledger["endpoints"]["efs"]["as_delivered"] is True
    assert ledger["endpoints"]["os"]["as_delivered"] is False and ledger["endpoints"]["os"]["description"] == ""
    assert set(ledger["survival"]) == {"os", "efs", "rfs"}
    assert set(ledger["by_arm"]["A"]["survival"]) == {"os", "efs", "rfs"} and set(ledger["comparisons"]) == {"os", "efs", "rfs"}


def test_a_time_in_months_comes_back_unchanged(trial, ledger):
    rows = _rows(trial, "efs")
    assert rows["P1"].days == 3.5 * DAYS_PER_UNIT["months"] and rows["P6"].days == 45.65625
    assert "P7" not in rows  # enrolled after the cutoff
    km = ledger["survival"]["efs"]
    assert km["time_unit"] == "months" and km["min_time"] == 1.5 and km["max_time"] == 12.0
    assert [p["time"] for p in km["curve"] if p["time"] in (2.25, 3.5, 10.0)] != []
    for months in (0.1, 3.5, 7.3, 11.99, 123.45):
        assert months * DAYS_PER_UNIT["months"] / DAYS_PER_UNIT["months"] == months


def test_kaplan_meier_of_times_worked_by_hand(ledger):
    # 1.5+, 2.25, 3.5, 6+, 10, 12+: S = 4/5 at 2.25, 3/5 at 3.5, 3/10 at 10.
    km = ledger["survival"]["efs"]
    assert (km["n"], km["events"]) == (6, 3)
    assert km["median"]["estimate"] == 10.0
    six, twelve = km["landmarks"]
    assert six["survival"] == pytest.approx(0.6, abs=1e-12) and six["n_at_risk"] == 3
    assert twelve["survival"] == pytest.approx(0.3, abs=1e-12) and twelve["n_at_risk"] == 1
    arm_a = ledger["by_arm"]["A"]["survival"]["efs"]  # P1 3.5 (event), P2 6+, P3 2.25 (event)
    assert (arm_a["n"], arm_a["events"]) == (3, 2)


def test_dates_are_cut_at_the_cutoff_and_competing_events_kept_apart(trial):
    rows = _rows(trial, "rfs")
    assert set(rows) == {"P1", "P2", "P3", "P5"}  # P4 starts after the cutoff
    relapse, competing, late, censored = rows["P1"], rows["P2"], rows["P3"], rows["P5"]
    assert (relapse.days, relapse.event, relapse.event_type) == (112.0, True, "relapse")
    assert (competing.days, competing.event, competing.event_type) == (304.0, False, "death in remission")
    assert (late.days, late.event, late.event_type, late.end_on) == (306.0, False, None, dt.date(2021, 1, 1))
    assert (censored.days, censored.event, censored.event_type) == (213.0, False, None)
    assert all(r.event_type is None for r in _rows(trial, "os").values())


def test_an_earlier_cutoff_cuts_the_same_way_loaded_or_applied(tmp_path, trial):
    earlier = report.load_trial(_trial(tmp_path), cutoff="2020-06-01")
    applied = as_of(trial, dt.date(2020, 6, 1))
    for t in (earlier, applied):
        rows = _rows(t, "rfs")
        assert set(rows) == {"P1", "P2", "P3", "P5"}
        assert (rows["P2"].days, rows["P2"].event, rows["P2"].event_type) == (121.0, False, None)  # competing after it
        assert (rows["P3"].days, rows["P3"].event) == (92.0, False)
        assert _rows(t, "efs")["P1"].days == 3.5 * DAYS_PER_UNIT["months"]  # times are not cut
    assert [e.name for e in applied.endpoints] == [e.name for e in earlier.endpoints] == ["os", "efs", "rfs"]


def test_the_default_cutoff_is_the_last_date_the_endpoints_hold(tmp_path):
    spec = SPEC.replace("data_cutoff = 2021-01-01\n", "")
    rows = [*EFS, *RFS[:3], ["P4", "rfs", "", "", "2021-02-01", "2021-08-01", "true", "relapse"], RFS[4]]
    assert report.load_trial(_trial(tmp_path, rows, spec + ENDPOINTS_SPEC)).cutoff == dt.date(2021, 8, 1)


def test_the_report_says_which_endpoint_could_not_be_cut(ledger):
    view = results_view(ledger, None)
    assert [e.name for e in view.endpoints] == ["os", "efs", "rfs"]
    efs = next(e for e in view.endpoints if e.name == "efs")
    assert AS_DELIVERED in efs.note and AS_DELIVERED not in next(e for e in view.endpoints if e.name == "rfs").note
    definitions = methods_view(ledger, None).definitions
    assert "Event-free survival: From registration to treatment failure, relapse or death." in definitions
    assert "Event-free survival was given as times, not dates" in definitions


def test_the_file_name_can_be_set_in_the_spec(tmp_path):
    spec = SPEC.replace("[analysis]", '[source]\nendpoints = "tte.csv"\n\n[analysis]') + ENDPOINTS_SPEC
    trial = report.load_trial(_trial(tmp_path, spec=spec, file="tte.csv"))
    assert [e.name for e in trial.endpoints] == ["os", "efs", "rfs"]
    assert trial.inputs[-1].name == "tte.csv"


def test_without_the_file_or_the_spec_nothing_changes(tmp_path):
    trial = report.load_trial(_trial(tmp_path, rows=None, spec=SPEC))
    assert [e.name for e in trial.endpoints] == ["os"]
    assert list(trial.time_to_event.columns) == ["subject_id", "endpoint", "days", "event", "event_type", "censor_reason"]


def test_every_bad_row_is_named_at_once(tmp_path):
    bad = [
        *EFS, *RFS,
        ["P9", "efs", "1", "months", "", "", "true", ""],  # 14: unknown patient
        ["P1", "pfs", "1", "months", "", "", "true", ""],  # 15: not described
        ["P2", "os", "1", "months", "", "", "true", ""],  # 16: derived from the dates
        ["P6", "rfs", "3", "months", "2020-01-01", "2020-02-01", "true", ""],  # 17: both; and a time in a dated endpoint
        ["P6", "efs", "", "", "", "", "true", ""],  # 18: neither; and a repeat of P6 efs
        ["P3", "pfs", "-1", "months", "", "", "true", ""],  # 19: negative
        ["P4", "pfs", "2", "", "", "", "true", ""],  # 20: no unit
        ["P5", "pfs", "2", "mo", "", "", "maybe", ""],  # 21: unknown unit, not a yes/no
        ["P6", "rfs2", "", "", "2020-01-01", "", "true", ""],  # 22: no end
        ["P1", "rfs2", "", "", "2020-02-01", "2020-01-01", "false", "relapse"],  # 23: end before start; censored type
        ["P2", "rfs2", "", "", "2020-13-01", "2021-01-01", "false", "death in remission"],  # 24: bad date
    ]
    spec = SPEC + ENDPOINTS_SPEC + '\n[[analysis.endpoints]]\nname = "never"\nlabel = "Never"\norigin = "x"\n'
    with pytest.raises(InputError) as error:
        report.load_trial(_trial(tmp_path, bad, spec))
    found = [(p.file, p.row, p.column) for p in error.value.problems]
    assert found == [  # cells that cannot be read first (as in every tidy file), then the checks, by row
        ("endpoints.csv", 24, "start_on"), ("endpoints.csv", 21, "event"),
        ("endpoints.csv", 14, "subject_id"),
        ("endpoints.csv", 15, "endpoint"), ("endpoints.csv", 16, "endpoint"),
        ("endpoints.csv", 17, "time"), ("endpoints.csv", 17, "endpoint"),
        ("endpoints.csv", 18, "time"), ("endpoints.csv", 18, "endpoint"),
        ("endpoints.csv", 19, "endpoint"), ("endpoints.csv", 19, "time"),
        ("endpoints.csv", 20, "endpoint"), ("endpoints.csv", 20, "time_unit"),
        ("endpoints.csv", 21, "endpoint"), ("endpoints.csv", 21, "time_unit"),
        ("endpoints.csv", 22, "endpoint"), ("endpoints.csv", 22, "end_on"),
        ("endpoints.csv", 23, "endpoint"), ("endpoints.csv", 23, "end_on"), ("endpoints.csv", 23, "event_type"),
        ("endpoints.csv", 24, "endpoint"), ("endpoints.csv", 24, "event_type"),
        ("endpoints.csv", None, "endpoint"),
    ]
    text = [str(p) for p in error.value.problems]
    assert "endpoints.csv, row 16, column endpoint: 'os' is derived from the subjects' dates" in "\n".join(text)
    assert ("endpoints.csv, row 17, column endpoint: 'rfs' is given by dates in row 9 but by a time here; "
            "give every row of one endpoint the same way") in text
    assert "endpoints.csv, row 18, column endpoint: 'efs' of 'P6' repeats row 7" in text
    assert text[-1] == "endpoints.csv, column endpoint: endpoint 'never' is described in the spec's [[analysis.endpoints]] but has no row here"


def test_problems_in_other_files_come_with_them(tmp_path):
    folder = _trial(tmp_path, [*EFS, *RFS, ["P1", "pfs", "1", "weeks", "", "", "true", ""]])
    _write(folder / "subjects.csv", [*SUBJECTS, ["P1", "A", "2020-01-01", "NR", "", "2021-06-30"]])
    with pytest.raises(InputError) as error:
        report.load_trial(folder)
    assert {(p.file, p.column) for p in error.value.problems} == {("subjects.csv", "subject_id"), ("endpoints.csv", "endpoint")}


def test_a_described_endpoint_needs_the_file(tmp_path):
    with pytest.raises(InputError) as error:
        report.load_trial(_trial(tmp_path, rows=None))
    assert [str(p) for p in error.value.problems] == [
        "trial.toml: analysis.endpoints: efs, rfs described, but there is no endpoints.csv (or file named by [source] endpoints)"]


def test_the_spec_refuses_os_dfs_and_a_name_twice(tmp_path):
    spec = SPEC + ENDPOINTS_SPEC.replace('name = "efs"', 'name = "dfs"') + ENDPOINTS_SPEC.split("\n\n")[0]
    spec += '\ncompeting = ["death", "death"]\n'
    with pytest.raises(InputError) as error:
        report.load_trial(_trial(tmp_path, spec=spec))
    messages = [p.message for p in error.value.problems]
    assert any(m.startswith("analysis.endpoints.0.name: 'dfs' is derived from the subjects' dates") for m in messages)
    assert "analysis.endpoints.2.competing: named more than once: death" in messages


def test_the_spec_refuses_an_endpoint_described_twice(tmp_path):
    with pytest.raises(InputError) as error:
        report.load_trial(_trial(tmp_path, spec=SPEC + ENDPOINTS_SPEC + ENDPOINTS_SPEC.split("\n\n")[0]))
    assert [p.message for p in error.value.problems] == ["analysis.endpoints: endpoint(s) described more than once: efs"]


def test_a_competing_event_is_an_event(tmp_path):
    rows = [*EFS, *RFS[:4], ["P5", "rfs", "", "", "2020-01-05", "2020-08-05", "false", "death in remission"]]
    with pytest.raises(InputError) as error:
        report.load_trial(_trial(tmp_path, rows))
    assert [str(p) for p in error.value.problems] == [
        "endpoints.csv, row 13, column event_type: 'death in remission' is a competing event of 'rfs' (the spec's "
        "competing), but event is false: give a competing event with event true"]


def test_excluded_arms_leave_their_endpoint_rows_out(tmp_path):
    spec = SPEC.replace("landmarks = [6, 12]", 'landmarks = [6, 12]\nexclude_arms = ["B"]') + ENDPOINTS_SPEC
    trial = report.load_trial(_trial(tmp_path, spec=spec))
    assert set(trial.time_to_event["subject_id"]) == {"P1", "P2", "P3"}


def test_a_build_shows_every_endpoint_and_says_which_was_not_cut(tmp_path):
    folder = _trial(tmp_path, spec=SPEC.replace('landmarks = [6, 12]', 'landmarks = [6, 12]\narms = ["A", "B"]')
                    + ENDPOINTS_SPEC + '\n[report.summary]\nblocks = ["masthead", "results", "methods"]\n')
    bundle = report.build(report.load_trial(folder), kind="summary", formats=("html",), out=tmp_path / "out",
                          encrypt=False)
    files = {p.name: p for p in bundle.files}
    html = files["summary.html"].read_text(encoding="utf-8")
    for label in ("Overall survival by arm", "Event-free survival by arm", "Relapse-free interval by arm"):
        assert label in html
    efs = html.split("<h3>Event-free survival</h3>")[1].split("<h3>")[0]
    rfs = html.split("<h3>Relapse-free interval</h3>")[1]
    assert AS_DELIVERED in efs and "Data as delivered; the cutoff could not be applied." in efs
    assert AS_DELIVERED not in rfs.split('id="methods"')[0]
    assert "Event-free survival was given as times, not dates" in html
    ledger = report.analyze(report.load_trial(folder)).to_dict()
    assert '"as_delivered": true' in files["results.json"].read_text(encoding="utf-8")
    assert ledger["by_arm"]["B"]["survival"]["rfs"]["n"] == 1  # P5; P4 started after the cutoff


def test_adam_input_refuses_tidy_endpoint_descriptions(tmp_path):
    folder = tmp_path / "adam"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "adam-example", folder)
    spec = folder / "trial.toml"
    spec.write_text(spec.read_text(encoding="utf-8") + ENDPOINTS_SPEC, encoding="utf-8")
    with pytest.raises(InputError) as error:
        report.load_trial(folder)
    assert [p.message.split(";")[0] for p in error.value.problems] == [
        "analysis.endpoints: describes the endpoints of a tidy endpoints.csv"]
