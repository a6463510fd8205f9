"""The command line says what it did and nothing it did not (issue 13, item 14), and prints
text from users (folder names, spec text, messages) as text, never as Rich markup."""
from __future__ import annotations

import signal
import subprocess
import sys

import pytest
import typer
from conftest import SUBJECT_HEADER, run_cli
from corpus import Case, patient, subjects

BAD_AGE = {"subjects.csv": subjects(patient(age="old"))}


def stderr_lines(result) -> list[str]:
    return result.stderr.splitlines()


@pytest.mark.parametrize("command", ["validate", "analyze"])
def test_read_only_commands_do_not_say_nothing_was_written(command, tmp_path):
    folder = Case("bad", BAD_AGE).write(tmp_path / "trial")
    result = run_cli(command, str(folder), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "1 problem found" in result.stderr
    assert "written" not in result.stderr, result.stderr
    assert any("column age" in line and "'old' is not a number" in line for line in stderr_lines(result))


def test_a_build_that_stopped_says_nothing_was_written(tmp_path):
    folder = Case("bad", BAD_AGE).write(tmp_path / "trial")
    result = run_cli("build", str(folder), "--format", "html", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2
    assert "1 problem found; nothing was written." in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_batch_says_what_it_wrote_from_which_folder_and_what_it_did_not(tmp_path):
    first, second = (Case(name).write(tmp_path / name) for name in ("first", "second"))
    bad = Case("bad", BAD_AGE).write(tmp_path / "bad")
    result = run_cli("build", str(first), str(bad), str(second), "--format", "html", "--out", str(tmp_path / "out"),
                     cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = stderr_lines(result)
    assert "nothing was written." not in result.stderr, result.stderr
    built = [line for line in lines if line.startswith("Built ")]
    assert len(built) == 2 and built[0].endswith(f"from {first}") and built[1].endswith(f"from {second}"), lines
    assert f"{bad}: not built; nothing was written for it" in lines
    assert lines[-1] == f"2 of 3 trials built; nothing was written for {bad}.", lines
    assert len(list((tmp_path / "out" / "T1" / "summary").iterdir())) == 2


def test_a_single_build_names_its_source_folder(tmp_path):
    folder = Case("good").write(tmp_path / "trial")
    result = run_cli("build", str(folder), "--format", "html", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Built T1 summary report, data cutoff 2017-01-01, from {folder}" in stderr_lines(result)


@pytest.mark.parametrize("command", [["build"], ["watch"], ["validate"], ["analyze"], ["send"], ["archive", "verify"],
                                     ["archive", "list"], []])
def test_help_shows_no_type_on_flags(command):
    result = run_cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "<bool>" not in result.stdout, result.stdout
    assert "--help" in result.stdout


def test_a_typo_in_kind_is_the_only_problem_reported(tmp_path):
    folder = Case("good").write(tmp_path / "trial")
    result = run_cli("build", str(folder), "--kind", "sumary", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2
    assert "--format" not in result.stderr, result.stderr
    assert "1 problem found" in result.stderr
    assert any("--kind" in line and "'sumary'" in line and "summary, dsmb, abstract" in line
               for line in stderr_lines(result)), result.stderr


@pytest.mark.parametrize("cells, expected", [
    ({"response_on": "2016-13-01"}, "column response_on: '2016-13-01' is not a calendar date"),
    ({"response_on": "2016-02-30", "relapse_on": "2016-06-01"}, "column response_on: '2016-02-30' is not a calendar date"),
    ({"response_on": "01/02/2016"}, "column response_on: '01/02/2016' is not a date in the form YYYY-MM-DD"),
    ({"died_on": "2016-06-31", "last_contact_on": ""}, "column died_on: '2016-06-31' is not a calendar date"),
    ({"enrolled_on": "2016-00-01"}, "column enrolled_on: '2016-00-01' is not a calendar date"),
])
def test_a_date_that_does_not_parse_is_the_only_problem_of_its_row(cells, expected, tmp_path):
    header = [*SUBJECT_HEADER]
    folder = Case("bad", {"subjects.csv": subjects(patient(**cells), header=header)}).write(tmp_path / "trial")
    result = run_cli("validate", str(folder), cwd=tmp_path)
    assert result.returncode == 2
    problems = [line for line in stderr_lines(result) if line.startswith("  - ")]
    assert problems == [f"  - subjects.csv, row 2, {expected}"], result.stderr


MARKUP = "[/bold]x[red]"


def test_a_folder_named_like_markup_is_printed_as_it_is(tmp_path):
    good = Case("good").write(tmp_path / MARKUP / "good")
    bad = Case("bad", BAD_AGE).write(tmp_path / MARKUP / "bad")
    result = run_cli("build", str(good), str(bad), "--format", "html", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert f"{bad}: not built; nothing was written for it" in stderr_lines(result)
    assert any(line.endswith(f"from {good}") for line in stderr_lines(result)), result.stderr


def test_watch_of_a_folder_named_like_markup_says_so_as_it_is(tmp_path):
    folder = tmp_path / MARKUP
    folder.mkdir(parents=True)  # no trial.toml: not built, waiting for the next change
    process = subprocess.Popen([sys.executable, "-m", "report", "watch", str(folder), "--out", str(tmp_path / "out")],
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    lines = []
    try:
        for line in process.stderr:
            lines.append(line.rstrip("\n"))
            if line.startswith("Not built"):
                break
    finally:
        process.send_signal(signal.SIGINT)
        lines += process.communicate(timeout=60)[1].splitlines()
    assert "Traceback" not in "\n".join(lines), lines
    assert f"Watching {folder} (spec, data and templates); Ctrl-C stops." in lines
    assert any(str(folder) in line and "no trial spec here" in line for line in lines), lines


def test_an_internal_error_whose_message_looks_like_markup_is_printed_as_it_is(capsys):
    from report.cli import guarded

    def failing():
        raise KeyError(MARKUP)

    with pytest.raises(typer.Exit) as stopped:
        guarded(failing)()
    assert stopped.value.exit_code == 1
    assert f"Internal error: KeyError: '{MARKUP}'" in capsys.readouterr().err


def test_archive_verify_of_a_version_named_like_markup(tmp_path):
    result = run_cli("archive", "verify", MARKUP, "--out", str(tmp_path), cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert MARKUP in result.stderr


def test_an_adam_date_that_does_not_parse_is_named_and_nothing_else(tmp_path):
    from corpus.absurd import ADAM_CSV_SPEC

    adsl = ("USUBJID,TRT01A,ITTFL,SAFFL,RANDDT,DTHDT,LSTALVDT,AGE,SEX\n"
            "S1,A,Y,Y,2016-01-01,,2017-01-01,60,F\n"
            "S2,B,Y,Y,2016-13-01,,2017-02-01,61,M\n")
    folder = Case("adam", {"trial.toml": ADAM_CSV_SPEC, "adsl.csv": adsl}).write(tmp_path / "trial")
    result = run_cli("validate", str(folder), cwd=tmp_path)
    assert result.returncode == 2
    problems = [line for line in stderr_lines(result) if line.startswith("  - ")]
    assert problems == ["  - adsl.csv, row 3, column RANDDT: '2016-13-01' is not a calendar date in the form YYYY-MM-DD"], \
        result.stderr
