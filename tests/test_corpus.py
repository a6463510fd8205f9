"""A corpus of broken trial folders run through the CLI (DESIGN section 9).

Bad input: exit code 2, every problem at once, each on one line naming file, row and
column, no traceback, nothing written. A few cases are meant to load (exit 0); their
ids say so.

Every case is validated through the CLI in this process (typer's runner: the same
command, guard and exit code, without a Python start-up per case). A representative
subset is also built, in separate processes as a user runs them, into an archive made
once from a good trial, which must come out unchanged.
"""
from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import AE_HEADER, MINIMAL_SPEC, SUBJECT_HEADER, run_cli
from corpus import (
    RANDOM_CDISC, Case, adam_spec, event, events, huge_subjects, patient, spec_with, subjects,
    xlsx_with_title_row,
)
from corpus.absurd import ABSURD
from report.cli import app

HEADER_WITHOUT = lambda name: [c for c in SUBJECT_HEADER if c != name]  # noqa: E731
SPELLED = lambda old, new: [new if c == old else c for c in SUBJECT_HEADER]  # noqa: E731
WITH_DEATH_CAUSE = [*SUBJECT_HEADER, "death_cause"]
DEAD = patient(best_response="NR", response_on="", response_cycle="", mrd="", died_on="2016-06-01",
               last_contact_on="2016-06-01")
MULLER = subjects(dict(DEAD, death_cause="Müller syndrome"), header=WITH_DEATH_CAUSE)

CASES = [
    # Files that are not there
    Case("missing_subjects_csv", {"subjects.csv": None}, (("subjects.csv", "file not found"),)),
    # No adverse-event file: adverse events were not collected (issue 13); a file the spec names must exist.
    Case("missing_adverse_events_csv_loads_as_not_collected", {"adverse_events.csv": None}, code=0),
    Case("named_adverse_events_file_missing", {"trial.toml": MINIMAL_SPEC + '\n[source]\nadverse_events = "ae.csv"\n'},
         (("ae.csv", "file not found"),)),
    Case("missing_trial_toml", {"trial.toml": None}, (("trial.toml", "no trial spec here"),)),
    Case("source_path_to_a_missing_folder", {"trial.toml": MINIMAL_SPEC + '\n[source]\npath = "nowhere"\n'},
         (("nowhere", "subjects.csv", "file not found"),)),
    Case("unsupported_file_type", {"trial.toml": MINIMAL_SPEC + '\n[source]\nsubjects = "subjects.txt"\n',
                                   "subjects.txt": subjects(patient())},
         (("subjects.txt", "unsupported file type"),)),
    # Columns
    Case("missing_required_column_died_on", {"subjects.csv": subjects(patient(), header=HEADER_WITHOUT("died_on"))},
         (("subjects.csv", "column died_on", "required column is missing"),)),
    Case("missing_required_ae_columns_grade_and_term",
         {"adverse_events.csv": events(event(), header=[c for c in AE_HEADER if c not in ("grade", "term")])},
         (("adverse_events.csv", "column grade", "required column is missing"),
          ("adverse_events.csv", "column term", "required column is missing"))),
    Case("misspelled_column_enroled_on_is_named_with_a_hint",
         {"subjects.csv": subjects(patient(enroled_on="2016-01-01"), header=SPELLED("enrolled_on", "enroled_on"))},
         (("subjects.csv", "column enrolled_on", "required column is missing", "did you mean enroled_on?"),)),
    Case("capitalised_column_Grade_is_named_with_a_hint",
         {"adverse_events.csv": events(event(Grade="1"), header=["Grade" if c == "grade" else c for c in AE_HEADER])},
         (("adverse_events.csv", "column grade", "did you mean Grade?"),)),
    Case("extra_unknown_columns_ride_along_and_load",
         {"subjects.csv": subjects(patient(ecog="1", site="Leeds"), header=[*SUBJECT_HEADER, "ecog", "site"]),
          "adverse_events.csv": events(event(verbatim="fever"), header=[*AE_HEADER, "verbatim"])}, code=0),
    Case("column_named_twice", {"subjects.csv": subjects(patient(), header=[*SUBJECT_HEADER, "age"])},
         (("subjects.csv", "row 1", "column age", "named twice: columns C and L"),)),
    Case("values_in_a_column_without_a_name",
         {"subjects.csv": subjects(patient(**{"": "x"}), header=[*SUBJECT_HEADER, ""])},
         (("subjects.csv", "row 1", "column L holds values but has no name"),)),
    # Cells of the wrong type
    Case("age_old", {"subjects.csv": subjects(patient(age="old"))},
         (("subjects.csv", "row 2", "column age", "'old' is not a number"),)),
    Case("age_nan", {"subjects.csv": subjects(patient(age="nan"))},
         (("subjects.csv", "row 2", "column age", "'nan' is not a finite number"),)),
    Case("response_cycle_1_5", {"subjects.csv": subjects(patient(response_cycle="1.5"))},
         (("subjects.csv", "row 2", "column response_cycle", "'1.5' is not a whole number"),)),
    Case("eligible_maybe", {"subjects.csv": subjects(patient(eligible="maybe"), header=[*SUBJECT_HEADER, "eligible"])},
         (("subjects.csv", "row 2", "column eligible", "'maybe' is not true or false"),)),
    Case("mrd_unknown_word", {"subjects.csv": subjects(patient(mrd="undetectable"))},
         (("subjects.csv", "row 2", "column mrd", "is not negative, positive or empty"),)),
    Case("control_character_in_a_cell", {"adverse_events.csv": events(event(term="Fe\x07ver"))},
         (("adverse_events.csv", "row 2", "column term", "control character"),)),
    # Dates
    Case("date_day_first_31_07_2018", {"subjects.csv": subjects(patient(), patient(subject_id="P2", enrolled_on="31/07/2018"))},
         (("subjects.csv", "row 3", "column enrolled_on", "'31/07/2018' is not a date in the form YYYY-MM-DD"),)),
    Case("date_without_zeros_2018_7_31", {"subjects.csv": subjects(patient(last_contact_on="2018-7-31"))},
         (("subjects.csv", "row 2", "column last_contact_on", "'2018-7-31' is not a date in the form YYYY-MM-DD"),)),
    Case("date_impossible_2018_02_30", {"subjects.csv": subjects(patient(response_on="2018-02-30"))},
         (("subjects.csv", "row 2", "column response_on", "'2018-02-30' is not a calendar date"),)),
    Case("date_in_fullwidth_digits", {"subjects.csv": subjects(patient(enrolled_on="２０１６-01-01"))},
         (("subjects.csv", "row 2", "column enrolled_on", "is not a date in the form YYYY-MM-DD"),)),
    Case("death_before_enrollment", {"subjects.csv": subjects(dict(DEAD, died_on="2015-06-01", last_contact_on="2015-06-01"))},
         (("subjects.csv", "row 2", "column died_on", "2015-06-01 is before enrolled_on (2016-01-01)"),)),
    Case("relapse_before_response", {"subjects.csv": subjects(patient(relapse_on="2016-01-15"))},
         (("subjects.csv", "row 2", "column relapse_on", "is not after response_on (2016-02-01)"),)),
    Case("response_after_last_contact", {"subjects.csv": subjects(patient(response_on="2017-02-01"))},
         (("subjects.csv", "row 2", "column response_on", "2017-02-01 is after last_contact_on (2017-01-01)"),)),
    Case("ae_onset_before_enrollment", {"adverse_events.csv": events(event(onset_on="2015-12-31"))},
         (("adverse_events.csv", "row 2", "column onset_on", "is before the patient's enrolled_on"),)),
    # Identities and grades
    Case("duplicate_subject_ids", {"subjects.csv": subjects(patient(), patient(subject_id="P2"), patient())},
         (("subjects.csv", "row 4", "column subject_id", "'P1' repeats row 2"),)),
    Case("ae_for_an_unknown_subject", {"adverse_events.csv": events(event(), event(subject_id="P9"))},
         (("adverse_events.csv", "row 3", "column subject_id", "'P9' is not in the subjects file"),)),
    Case("grade_0", {"adverse_events.csv": events(event(grade="0"))},
         (("adverse_events.csv", "row 2", "column grade", "0 is not a CTCAE grade (1-5)"),)),
    Case("grade_6", {"adverse_events.csv": events(event(grade="6"))},
         (("adverse_events.csv", "row 2", "column grade", "6 is not a CTCAE grade (1-5)"),)),
    Case("grade_roman_III", {"adverse_events.csv": events(event(grade="III"))},
         (("adverse_events.csv", "row 2", "column grade", "'III' is not a whole number"),)),
    Case("attribution_unknown_word", {"adverse_events.csv": events(event(attribution="likely"))},
         (("adverse_events.csv", "row 2", "column attribution", "'likely' is not one of"),)),
    Case("every_problem_in_both_files_at_once",
         {"subjects.csv": subjects(patient(age="old"), patient(subject_id="P2", enrolled_on="2016-13-01")),
          "adverse_events.csv": events(event(), event(grade="7"), event(subject_id="", onset_on="05/01/2016"))},
         (("subjects.csv", "row 2", "column age"), ("subjects.csv", "row 3", "column enrolled_on"),
          ("adverse_events.csv", "row 3", "column grade"), ("adverse_events.csv", "row 4", "column subject_id", "a value is required"),
          ("adverse_events.csv", "row 4", "column onset_on"))),
    # Shapes of file
    Case("empty_subjects_file_0_bytes", {"subjects.csv": b""}, (("subjects.csv", "is empty"),)),
    Case("empty_adverse_events_file_0_bytes", {"adverse_events.csv": b""}, (("adverse_events.csv", "is empty"),)),
    Case("header_only_subjects_has_no_patients", {"subjects.csv": subjects()}, (("subjects.csv", "no patients"),)),
    Case("header_only_adverse_events_load", {"adverse_events.csv": events()}, code=0),
    Case("blank_row_keeps_the_row_numbers",
         {"subjects.csv": subjects(patient()) + "\n" + subjects(patient(subject_id="P2", age="old")).split("\n", 1)[1]},
         (("subjects.csv", "row 4", "column age", "'old' is not a number"),)),
    Case("unquoted_comma_makes_a_row_too_long",
         {"subjects.csv": subjects(patient(), patient(subject_id="P2", sex="F,M")).replace('"F,M"', "F,M")},
         (("subjects.csv", "row 3", "has 12 cells but row 1 names 11 columns"),)),
    Case("unterminated_quote", {"subjects.csv": subjects(patient()) + '"P2,2016-01-01\n'},
         (("subjects.csv", "row 3", "is not a well-formed CSV file"),)),
    # Encodings and separators
    Case("utf8_bom_loads", {"subjects.csv": b"\xef\xbb\xbf" + subjects(patient()).encode()}, code=0),
    Case("latin1_text_is_refused_naming_the_row",
         {"subjects.csv": subjects(patient(), patient(subject_id="P2")).encode() + MULLER.split("\n", 1)[1].encode("latin-1")},
         (("subjects.csv", "row 4", "is not UTF-8 text", "Latin-1"),)),
    Case("semicolon_separated", {"subjects.csv": subjects(patient()).replace(",", ";")},
         (("subjects.csv", "looks like a semicolon-separated file; use commas"),)),
    Case("tab_separated", {"adverse_events.csv": events(event()).replace(",", "\t")},
         (("adverse_events.csv", "looks like a tab-separated file"),)),
    Case("excel_with_a_title_row",
         {"trial.toml": MINIMAL_SPEC + '\n[source]\nsubjects = "subjects.xlsx"\n', "subjects.xlsx": xlsx_with_title_row},
         (("subjects.xlsx", "row 1", "header row was not found in row 1 but in row 2"),)),
    Case("csv_named_xlsx", {"trial.toml": MINIMAL_SPEC + '\n[source]\nsubjects = "subjects.xlsx"\n',
                            "subjects.xlsx": subjects(patient())},
         (("subjects.xlsx", "is not a readable .xlsx file"),)),
    Case("garbage_named_parquet", {"trial.toml": MINIMAL_SPEC + '\n[source]\nadverse_events = "ae.parquet"\n',
                                   "ae.parquet": b"PAR1 this is not parquet"},
         (("ae.parquet", "is not a readable .parquet file"),)),
    # The spec
    Case("toml_syntax_error", {"trial.toml": "[trial\nid = 'T1'\n"}, (("trial.toml", "not valid TOML", "line 1"),)),
    Case("toml_latin1", {"trial.toml": MINIMAL_SPEC.replace("Adults", "Adults in Zürich").encode("latin-1")},
         (("trial.toml", "is not UTF-8 text"),)),
    Case("toml_with_bom_loads", {"trial.toml": b"\xef\xbb\xbf" + MINIMAL_SPEC.encode()}, code=0),
    Case("landmarks_six", {"trial.toml": spec_with('landmarks = "six"')}, (("trial.toml", "analysis.landmarks"),)),
    Case("landmarks_nan", {"trial.toml": spec_with("landmarks = [nan]")}, (("trial.toml", "analysis.landmarks.0"),)),
    Case("confidence_high", {"trial.toml": spec_with('confidence = "high"')}, (("trial.toml", "analysis.confidence"),)),
    Case("responders_CR_not_a_list", {"trial.toml": spec_with('responders = "CR"')},
         (("trial.toml", "analysis.responders", "valid list"),)),
    Case("unknown_spec_keys", {"trial.toml": spec_with("responder = ['CR']\n[reporting]\nx = 1")},
         (("trial.toml", "analysis.responder: unknown key"), ("trial.toml", "reporting: unknown key"))),
    Case("spec_without_study_section", {"trial.toml": MINIMAL_SPEC.split("[study]")[0] + "[analysis]\n"},
         (("trial.toml", "study: Field required"),)),
    Case("trial_id_with_a_space", {"trial.toml": MINIMAL_SPEC.replace('id = "T1"', 'id = "T 1"')},
         (("trial.toml", "trial.id"),)),
    # ADaM (the public random.cdisc.data datasets, read in place)
    Case("adam_variable_the_dataset_lacks", {"trial.toml": lambda p: p.write_text(adam_spec('arm = "ARM"', 'arm = "ARMX"'))},
         (("adsl.xpt", "column ARMX", "variable not found; the mapping [adam] arm expects it"),), adam=True),
    Case("adam_missing_dataset", {"trial.toml": lambda p: p.write_text(adam_spec('[adam]\n', '[adam]\nadtte = "adttex"\n'))},
         (("random-cdisc", "dataset ADTTEX not found", "adttex.xpt"),), adam=True),
    Case("adam_missing_paramcd", {"trial.toml": lambda p: p.write_text(adam_spec('paramcd = "PFS"', 'paramcd = "PFSX"'))},
         (("adtte.xpt", "column PARAMCD", "no records with PARAMCD 'PFSX'", "present: CRSD, EFS, OS, PFS, TNE"),), adam=True),
    Case("adam_missing_response_paramcd", {"trial.toml": lambda p: p.write_text(adam_spec('paramcd = "BESRSPI"', 'paramcd = "BOR9"'))},
         (("adrs.xpt", "column PARAMCD", "no records with PARAMCD 'BOR9'"),), adam=True),
    Case("adam_empty_start_list", {"trial.toml": lambda p: p.write_text(adam_spec('[adam]\n', '[adam]\nstart = []\n'))},
         (("trial.toml", "adam.start"),), adam=True),
]
CASES += ABSURD  # issue 13, item 10: values no trial can have
BUILT = {  # the representative subset that is also built into the archive
    "missing_subjects_csv", "age_old", "duplicate_subject_ids", "header_only_subjects_has_no_patients",
    "latin1_text_is_refused_naming_the_row", "semicolon_separated", "toml_syntax_error", "adam_variable_the_dataset_lacks",
    "arms_200", "data_cutoff_9999_12_31", "toml_nested_100000_deep",
}
HAVE_ADAM = (RANDOM_CDISC / "adsl.xpt").is_file()


def runnable(case: Case) -> bool:
    return HAVE_ADAM or not case.adam


def param(case: Case):
    """A case that reads the public data fails without them, unless opted out (tests/needs.py)."""
    return pytest.param(case, id=case.id, marks=[pytest.mark.needs("public-data")] if case.adam else [])


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """An output root holding one good build."""
    out = tmp_path_factory.mktemp("archive")
    good = Case("good").write(tmp_path_factory.mktemp("good") / "trial")
    built = run_cli("build", str(good), "--format", "html", "--out", str(out))
    assert built.returncode == 0, built.stderr
    return out


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under root: its hash, or 'dir'."""
    return {str(p.relative_to(root)): "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))}


@pytest.fixture(scope="module")
def builds(tmp_path_factory, archive):
    """The subset built into `archive`, concurrently, each from its own working folder;
    with the archive as it was before."""
    before = snapshot(archive)
    jobs = {}
    for case in filter(runnable, CASES):
        if case.id in BUILT:
            folder = case.write(tmp_path_factory.mktemp(case.id) / "trial")
            jobs[case.id] = (("build", str(folder), "--out", str(archive)), tmp_path_factory.mktemp(f"{case.id}-cwd"))
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
        futures = {key: pool.submit(run_cli, *args, cwd=cwd) for key, (args, cwd) in jobs.items()}
        return {key: (future.result(), jobs[key][1]) for key, future in futures.items()}, before


def check(exit_code: int, stdout: str, stderr: str, case: Case, cwd: Path) -> None:
    assert "Traceback" not in stderr + stdout, stderr
    assert exit_code == case.code, stdout + stderr
    lines = stderr.splitlines()
    for fragments in case.expect:
        assert any(all(f in line for f in fragments) for line in lines), f"no line with {fragments}:\n{stderr}"
    assert list(cwd.iterdir()) == [], "something was written in the working folder"
    if case.code == 0:
        assert stdout.startswith("OK"), stdout


def test_the_corpus_is_large_and_its_ids_unique():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    assert BUILT <= {c.id for c in CASES}


@pytest.mark.parametrize("case", [param(c) for c in CASES])
def test_validate(case: Case, tmp_path, monkeypatch):
    folder = case.write(tmp_path / "trial")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)  # the default --out is output/ under it
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    check(result.exit_code, result.stdout, result.stderr, case, cwd)


@pytest.mark.parametrize("case", [param(c) for c in CASES if c.id in BUILT])
def test_build_writes_nothing(case: Case, builds):
    result, cwd = builds[0][case.id]
    check(result.returncode, result.stdout, result.stderr, case, cwd)
    assert "nothing was written" in result.stderr


def test_failed_builds_leave_the_archive_unchanged(builds, archive):
    assert builds[0], "no build ran"
    assert snapshot(archive) == builds[1]


def test_a_200_mb_file_is_refused_quickly(tmp_path):
    folder = Case("huge", {"subjects.csv": huge_subjects}).write(tmp_path / "trial")
    started = time.monotonic()
    result = run_cli("validate", str(folder), cwd=tmp_path)
    assert time.monotonic() - started < 10
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert any("subjects.csv" in line and "over 100 MB are refused" in line for line in result.stderr.splitlines()), result.stderr
