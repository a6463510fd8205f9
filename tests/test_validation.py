"""Bad input: every problem at once, each naming its file, row and column."""
import pytest

from report import InputError, load_trial
from conftest import MINIMAL_SPEC

GOOD = ["P1", "2016-01-01", "70", "F", "CR", "2016-02-01", "1", "negative", "", "", "2017-01-01"]


def problems_of(folder) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_trial(folder)
    return [str(p) for p in caught.value.problems]


def test_a_clean_trial_loads(make_trial):
    trial = load_trial(make_trial([GOOD], [["P1", "Fever", "General", "1", "2016-01-05", "possible", "no"]]))
    assert len(trial.subjects) == 1 and len(trial.adverse_events) == 1


def test_every_cell_problem_is_reported_with_file_row_and_column(make_trial):
    subjects = [
        GOOD,
        ["P2", "2016-13-01", "70", "M", "NR", "", "", "", "", "", "2017-01-01"],  # row 3: bad month
        ["P1", "2016-01-01", "old", "M", "NR", "", "", "", "", "", "2017-01-01"],  # row 4: repeat id, age
        ["P4", "2016-03-01", "70", "M", "CR", "2016-02-01", "1", "maybe", "", "", "2017-01-01"],  # row 5
    ]
    events = [
        ["P9", "Fever", "General", "2", "2016-01-05", "", ""],  # row 2: unknown subject
        ["P1", "Fever", "General", "7", "2016-01-05", "", ""],  # row 3: grade
        ["P1", "Fever", "General", "2", "05/01/2016", "", ""],  # row 4: date format
    ]
    found = problems_of(make_trial(subjects, events))
    expected = [
        "subjects.csv, row 3, column enrolled_on: '2016-13-01' is not a calendar date",
        "subjects.csv, row 4, column age: 'old' is not a number",
        "subjects.csv, row 4, column subject_id: 'P1' repeats row 2",
        "subjects.csv, row 5, column mrd: 'maybe' is not negative, positive or empty",
        "subjects.csv, row 5, column response_on: 2016-02-01 is before enrolled_on (2016-03-01)",
        "adverse_events.csv, row 2, column subject_id: 'P9' is not in the subjects file",
        "adverse_events.csv, row 3, column grade: 7 is not a CTCAE grade (1-5)",
        "adverse_events.csv, row 4, column onset_on: '05/01/2016' is not a date in the form YYYY-MM-DD",
    ]
    for message in expected:
        assert message in found
    assert len(found) == len(expected)


def test_date_order_rules(make_trial):
    subjects = [
        ["P1", "2016-01-01", "70", "F", "CR", "2016-02-01", "1", "", "2016-01-15", "", "2017-01-01"],
        ["P2", "2016-01-01", "70", "F", "NR", "", "", "", "", "2016-06-01", "2016-09-01"],
        ["P3", "2016-01-01", "70", "F", "CR", "2017-02-01", "1", "", "", "", "2017-01-01"],
        ["P4", "2016-01-01", "70", "F", "CR", "", "", "", "", "", "2017-01-01"],
    ]
    found = problems_of(make_trial(subjects))
    assert "subjects.csv, row 2, column relapse_on: 2016-01-15 is not after response_on (2016-02-01)" in found
    assert any(p.startswith("subjects.csv, row 3, column last_contact_on: 2016-09-01 differs from died_on") for p in found)
    assert "subjects.csv, row 4, column response_on: 2017-02-01 is after last_contact_on (2017-01-01)" in found
    assert "subjects.csv, row 5, column response_on: a responder (CR) needs the date of response" in found


def test_missing_columns_are_named(make_trial):
    folder = make_trial([["P1", "2016-01-01"]], subject_header=["subject_id", "enrolled_on"])
    found = problems_of(folder)
    for column in ("best_response", "died_on", "last_contact_on"):
        assert f"subjects.csv, column {column}: required column is missing" in found


def test_spec_errors_name_their_key_paths(make_trial):
    spec = MINIMAL_SPEC.replace('responders = ["CR", "CRi"]', 'km_conf_type = "arcsin"\nconfidence = 1.5\nfavourite = 3')
    spec = spec.replace('population = "Adults"\n', "")
    found = problems_of(make_trial([GOOD], spec=spec))
    text = "\n".join(found)
    assert "analysis.km_conf_type" in text
    assert "analysis.confidence" in text
    assert "study.population: Field required" in text
    assert "analysis.favourite: unknown key" in text
    assert all(p.startswith(str(make_trial([GOOD], spec=spec) / "trial.toml")) for p in found)


def test_invalid_toml_is_one_clear_problem(make_trial):
    found = problems_of(make_trial([GOOD], spec="[trial\nid = 1"))
    assert len(found) == 1 and "not valid TOML" in found[0]


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_spreadsheet_and_parquet_input_read_like_csv(make_trial, suffix):
    import pandas as pd

    folder = make_trial([GOOD, ["P2", "2016-03-01", "71", "M", "NR", "", "", "", "", "2016-09-01", "2016-09-01"]])
    for name in ("subjects", "adverse_events"):
        frame = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        for column in [c for c in frame.columns if c.endswith("_on")]:  # real dates, as a spreadsheet holds them
            frame[column] = pd.to_datetime(frame[column].replace("", None))
        if name == "subjects":
            frame["age"] = frame["age"].astype(float)
        (frame.to_excel if suffix == ".xlsx" else frame.to_parquet)(folder / f"{name}{suffix}", index=False)
    spec = (folder / "trial.toml").read_text() + (
        f'\n[source]\nsubjects = "subjects{suffix}"\nadverse_events = "adverse_events{suffix}"\n')
    (folder / "trial.toml").write_text(spec)
    from_file = load_trial(folder)
    assert list(from_file.subjects["enrolled_on"].astype(str)) == ["2016-01-01", "2016-03-01"]
    assert list(from_file.subjects["age"]) == [70.0, 71.0]
    assert from_file.inputs[1].suffix == suffix
