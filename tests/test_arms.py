"""The arms a report shows: `[analysis] arms` and `exclude_arms` checked against the data."""
from pathlib import Path

import pytest

import report
from report import InputError

from conftest import MINIMAL_SPEC, SUBJECT_HEADER, run_cli

HEADER = [*SUBJECT_HEADER[:1], "arm", *SUBJECT_HEADER[1:]]
FIXTURES = Path(__file__).parent / "fixtures" / "adam"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def patient(index: int, arm: str, died: bool) -> list:
    return [f"P{index}", arm, "2020-01-01", 70, "F", "CR", "2020-02-01", 1, "", "",
            f"2020-{3 + index % 9:02d}-15" if died else "", "2021-01-01" if not died else ""]


def rows(arms: dict[str, int]) -> list[list]:
    out, index = [], 0
    for arm, count in arms.items():
        for i in range(count):
            index += 1
            out.append(patient(index, arm, died=i % 2 == 0))
    return out


def spec(arms: list[str] | None, exclude: list[str] | None = None) -> str:
    text = MINIMAL_SPEC
    if arms is not None:
        text += f"arms = {arms!r}\n".replace("'", '"')
    if exclude is not None:
        text += f"exclude_arms = {exclude!r}\n".replace("'", '"')
    return text


TWO = {"Control": 6, "Maintained": 6}
THREE = {"Control": 6, "Maintained": 6, "Observation": 4}


def test_a_typo_in_the_spec_arms_stops_with_exit_2_naming_both_lists(make_trial):
    folder = make_trial(rows(TWO), spec=spec(["Maintaned", "Control"]), subject_header=HEADER)
    for command in ("build", "analyze", "validate"):
        result = run_cli(command, str(folder), *(["--out", str(folder / "out")] if command == "build" else []))
        assert result.returncode == 2, (command, result.stderr)
        message = " ".join(result.stderr.split())
        assert "'Maintaned' is not an arm in the data" in message, command
        assert "did you mean 'Maintained'?" in message
        assert "spec arms: Maintaned, Control" in message and "data arms: Control, Maintained" in message
        assert "Traceback" not in result.stderr
    assert not (folder / "out").exists()


def test_an_arm_in_the_data_that_the_spec_does_not_list_stops(make_trial):
    folder = make_trial(rows(THREE), spec=spec(["Maintained", "Control"]), subject_header=HEADER)
    with pytest.raises(InputError) as caught:
        report.load_trial(folder)
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("subjects.csv", 14, "arm")
    assert "'Observation' is neither in [analysis] arms nor in exclude_arms" in problem.message
    assert "data arms: Control, Maintained, Observation" in problem.message


def test_excluded_arms_leave_the_analysis_entirely(make_trial):
    folder = make_trial(rows(THREE), spec=spec(["Maintained", "Control"], ["Observation"]), subject_header=HEADER)
    ledger = report.analyze(report.load_trial(folder)).to_dict()
    assert ledger["arms"] == ["Maintained", "Control"]
    assert ledger["population"]["enrolled"] == 12 and ledger["survival"]["os"]["n"] == 12
    assert ledger["excluded_arms"] == {"Observation": 4}
    assert "Observation" not in ledger["by_arm"]


def test_excluded_arms_are_named_in_the_report(make_trial, tmp_path):
    folder = make_trial(rows(THREE), spec=spec(["Maintained", "Control"], ["Observation"]), subject_header=HEADER)
    result = run_cli("build", str(folder), "--format", "html", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    html = next((tmp_path / "out").rglob("summary.html")).read_text()
    assert "4 patients of the arm Observation are excluded from this report" in " ".join(html.split())


def test_exclude_arms_must_name_arms_of_the_data(make_trial):
    folder = make_trial(rows(TWO), spec=spec(None, ["Observaton"]), subject_header=HEADER)
    with pytest.raises(InputError, match="exclude_arms: 'Observaton' is not an arm in the data"):
        report.load_trial(folder)


def test_an_arm_both_listed_and_excluded_stops(make_trial):
    folder = make_trial(rows(TWO), spec=spec(["Control", "Maintained"], ["Control"]), subject_header=HEADER)
    with pytest.raises(InputError, match="'Control' is both in arms and in exclude_arms"):
        report.load_trial(folder)


def test_no_listed_arms_keeps_every_arm_sorted(make_trial):
    folder = make_trial(rows(THREE), subject_header=HEADER)
    ledger = report.analyze(report.load_trial(folder)).to_dict()
    assert ledger["arms"] == ["Control", "Maintained", "Observation"] and ledger["excluded_arms"] == {}


def test_the_listed_reference_holds_the_hazard_ratio(make_trial):
    folder = make_trial(rows(TWO), spec=spec(["Maintained", "Control"]), subject_header=HEADER)
    ledger = report.analyze(report.load_trial(folder)).to_dict()
    [ratio] = ledger["comparisons"]["os"]["hazard_ratios"]
    assert (ratio["reference"], ratio["arm"]) == ("Maintained", "Control")


# ADaM --------------------------------------------------------------------------------------------

needs_adam = pytest.mark.needs("public-data")  # fails, naming what is missing, unless opted out


def adam_trial(tmp_path: Path, arms_line: str) -> Path:
    text = (FIXTURES / "random-cdisc" / "trial.toml").read_text()
    text = text.replace('path = "../../../../../shared/data/random-cdisc"', f'path = "{SHARED / "random-cdisc"}"')
    text = text.replace('responders = ["CR", "PR"]', f'responders = ["CR", "PR"]\n{arms_line}')
    folder = tmp_path / "adam"
    folder.mkdir()
    (folder / "trial.toml").write_text(text)
    return folder


@needs_adam
def test_adam_typo_in_arms_stops_through_the_cli(tmp_path):
    folder = adam_trial(tmp_path, 'arms = ["B: Placebo", "A: Drug X", "C: Combinaton"]')
    result = run_cli("validate", str(folder))
    assert result.returncode == 2, result.stderr
    message = " ".join(result.stderr.split())
    assert "'C: Combinaton' is not an arm in the data" in message
    assert "spec arms: B: Placebo, A: Drug X, C: Combinaton" in message
    assert "data arms: A: Drug X, B: Placebo, C: Combination" in message
    assert "'C: Combination' is neither in [analysis] arms nor in exclude_arms" in message
    assert "adsl.xpt, row 3, column ARM" in message or "column ARM" in message


@needs_adam
def test_adam_excluded_arm_leaves_the_ledger(tmp_path):
    folder = adam_trial(tmp_path, 'arms = ["B: Placebo", "A: Drug X"]\nexclude_arms = ["C: Combination"]')
    ledger = report.analyze(report.load_trial(folder)).to_dict()
    assert ledger["arms"] == ["B: Placebo", "A: Drug X"]
    assert ledger["population"]["enrolled"] == 268 and ledger["excluded_arms"] == {"C: Combination": 132}
    assert ledger["safety"]["n"] == sum(ledger["by_arm"][a]["safety"]["n"] for a in ledger["arms"])
    assert ledger["comparisons"]["os"]["log_rank"]["df"] == 1


def test_excluded_arms_without_adverse_event_data_leave_safety_not_collected(make_trial):
    folder = make_trial(rows(THREE), spec=spec(["Control", "Maintained"], exclude=["Observation"]), subject_header=HEADER)
    (folder / "adverse_events.csv").unlink()
    ledger = report.analyze(report.load_trial(folder)).to_dict()
    assert ledger["excluded_arms"] == {"Observation": 4}
    assert ledger["population"]["enrolled"] == 12
    assert ledger["safety"]["any_event"] is None
