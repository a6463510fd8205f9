"""`trialreport init [DIR] --from PATH` (issue 17, item 6): a commented trial.toml scaffolded
from the data a user has, tidy (data/s1318) or ADaM (data/adam-example, the CDISC pilot read
in place); what the data cannot say is a TODO that `validate` lists, key by key; filled in,
the spec validates and builds."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pyreadstat
import pytest
from typer.testing import CliRunner

from conftest import run_cli
from needs import PUBLIC_DATA
from report.cli import app
from report.inputs.spec import Adam, Source, load_spec
from report.inputs.spec_todo import todo_keys

ROOT = Path(__file__).resolve().parents[1]
S1318 = ROOT / "data" / "s1318"
ADAM_EXAMPLE = ROOT / "data" / "adam-example"
PILOT = PUBLIC_DATA / "cdiscpilot01"
ENV = {"SOURCE_DATE_EPOCH": "1735689600"}
COMMON_TODOS = ["trial.title", "trial.data_cutoff", "study.population", "study.background", "next_steps.text",
                "abstract.conclusion"]
# What a user would write for each TODO key (by its last part), as TOML.
FILLED = {"id": '"T-1"', "data_cutoff": "2024-06-30", "responders": '["CR"]', "text": '["Plans."]',
          "aval_unit": '"days"', "origin": '"first dose"'}
TEXT = '"Filled in."'  # any other key: text


def init(trial: Path, source: Path):
    result = CliRunner().invoke(app, ["init", str(trial), "--from", str(source)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def validate(trial: Path):
    return CliRunner().invoke(app, ["validate", str(trial)])


def raw(trial: Path) -> dict:
    return tomllib.loads((trial / "trial.toml").read_text(encoding="utf-8"))


def fill_todos(trial: Path, cutoff: str = "2024-06-30") -> None:
    """Each `key = "TODO..."` line (or list of one TODO) replaced by a value, as a user would."""
    values = {**FILLED, "data_cutoff": cutoff}
    lines = []
    for line in (trial / "trial.toml").read_text(encoding="utf-8").splitlines():
        match = re.match(r'^(\w+) = \[?"TODO', line)
        lines.append(f"{match[1]} = {values.get(match[1], TEXT)}" if match else line)
    (trial / "trial.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_tidy_s1318_maps_the_files_and_leaves_the_rest_to_fill_in(tmp_path):
    trial = tmp_path / "trial"
    result = init(trial, S1318)
    assert result.exit_code == 0, result.output
    spec = raw(trial)
    written = Source.model_validate({k: v for k, v in spec["source"].items() if k != "path"})
    human = load_spec(S1318).source
    assert written == human.model_copy(update={"path": "."})
    assert (trial / spec["source"]["path"]).resolve() == S1318.resolve()
    assert spec["analysis"]["response_categories"] == ["CR", "CRi", "NR", "PD", "NE"]  # as data/s1318/trial.toml
    assert "arms" not in spec["analysis"]  # single arm: no arm column
    assert spec["analysis"]["labs"]["tests"] == ["Neutrophil count decreased", "Platelet count decreased", "Anemia",
                                                "Alanine aminotransferase increased"]
    assert "adam" not in spec
    keys = [key for key, _ in todo_keys(spec)]
    assert keys == ["trial.id", "trial.title", "trial.data_cutoff", "study.population", "study.background",
                    "analysis.responders", "next_steps.text", "abstract.conclusion"]
    for line in ("subjects.csv: subjects, 31 patients", "adverse_events.csv", "labs.csv", "exposure.csv"):
        assert line in result.stdout
    numbered = re.findall(r"^\s+(\d+)\. ([\w.]+):", result.stdout, re.MULTILINE)
    assert numbered == [(str(i), key) for i, key in enumerate(keys, 1)]


def test_adam_example_maps_what_its_spec_names(tmp_path):
    trial = tmp_path / "trial"
    result = init(trial, ADAM_EXAMPLE)
    assert result.exit_code == 0, result.output
    spec = raw(trial)
    human = load_spec(ADAM_EXAMPLE)
    adam = Adam.model_validate(spec["adam"])
    # The same mapping, but that the scaffold lists only the variables the datasets have (the
    # spec's defaults list alternatives) and the endpoints in ADTTE's order (the spec: PFS first).
    same = {"endpoints": True, "exposure": {"start", "end", "dose"}}
    assert adam.model_dump(exclude=same) == human.adam.model_dump(exclude=same)
    assert sorted(adam.endpoints, key=lambda e: e.paramcd) == sorted(human.adam.endpoints, key=lambda e: e.paramcd)
    columns = set(pyreadstat.read_xport(str(ADAM_EXAMPLE / "adex.xpt"), metadataonly=True)[1].column_names)
    for key in ("start", "end", "dose"):
        assert getattr(adam.exposure, key) == [v for v in getattr(human.adam.exposure, key) if v in columns]
    assert spec["source"]["kind"] == "adam"
    assert spec["trial"]["id"] == human.trial.id  # ADSL's STUDYID
    assert spec["analysis"]["arms"] == human.analysis.arms
    assert spec["analysis"]["response_categories"] == human.analysis.response_categories
    assert spec["analysis"]["labs"]["tests"] == list(human.analysis.labs.tests)
    assert [v["column"] for v in spec["analysis"]["demographics"]["variables"]] == ["AGE", "SEX", "RACE"]
    assert [key for key, _ in todo_keys(spec)] == COMMON_TODOS[:4] + ["analysis.responders"] + COMMON_TODOS[4:]
    assert "[adam.exposure] action = EXACTN" in result.stdout
    assert "ADAE has no AESDTH: fatal outcome not collected" in result.stdout


def test_every_section_is_commented_and_every_todo_marked(tmp_path):
    trial = tmp_path / "trial"
    init(trial, ADAM_EXAMPLE)
    lines = (trial / "trial.toml").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if line.startswith("[") and not line.startswith("[[analysis.demographics.variables"):
            assert lines[index - 1].startswith("# "), f"{line} has no comment saying what it is for"
        if re.match(r'^\w+ = \[?"TODO', line):
            assert lines[index - 1].startswith("# TODO"), line
    assert "2024" not in "".join(lines)  # no date in it: the same data give the same text


def test_validate_lists_every_todo_with_file_and_key_without_a_traceback(tmp_path):
    trial = tmp_path / "trial"
    init(trial, S1318)
    result = validate(trial)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    spec_file = str(trial / "trial.toml")
    problems = [line.strip()[2:] for line in result.stderr.splitlines() if line.strip().startswith("- ")]
    assert len(problems) == 8 and f"{len(problems)} problems found" in result.stderr
    for problem, key in zip(problems, [k for k, _ in todo_keys(raw(trial))]):
        assert problem.startswith(f"{spec_file}: {key}: fill in "), problem
    assert "pattern" not in result.stderr and "date" not in result.stderr.split("data_cutoff: ")[1].split("(")[0][:9]


def test_a_todo_left_in_a_free_text_key_stops_validate(tmp_path):
    """A title of "TODO: ..." is a valid string to pydantic: the TODO check still refuses it."""
    trial = tmp_path / "trial"
    init(trial, ADAM_EXAMPLE)
    fill_todos(trial)
    text = (trial / "trial.toml").read_text(encoding="utf-8")
    (trial / "trial.toml").write_text(text.replace('[study]\n', '[study]\nrationale = "TODO later"\n'), encoding="utf-8")
    result = validate(trial)
    assert result.exit_code == 2
    assert "study.rationale: fill in later (a TODO left by trialreport init)" in result.stderr


@pytest.mark.parametrize("source, cutoff", [(S1318, "2018-07-31"), (ADAM_EXAMPLE, "2024-06-30")], ids=["s1318", "adam"])
def test_filled_in_the_scaffold_validates_and_builds(tmp_path, source, cutoff):
    trial = tmp_path / "trial"
    init(trial, source)
    fill_todos(trial, cutoff)
    result = validate(trial)
    assert result.exit_code == 0, result.output
    assert f"data cutoff {cutoff}" in result.stdout
    built = run_cli("build", str(trial), "--out", str(tmp_path / "out"), env=ENV)
    assert built.returncode == 0, built.stderr
    paths = [Path(p) for p in built.stdout.split()]
    assert {p.name for p in paths} >= {"summary.pdf", "summary.html", "results.json"}
    assert all(p.is_file() for p in paths)


@pytest.mark.needs("public-data")
def test_cdisc_pilot_read_in_place(tmp_path):
    trial = tmp_path / "trial"
    result = init(trial, PILOT)
    assert result.exit_code == 0, result.output
    spec = raw(trial)
    human = load_spec(ROOT / "tests" / "fixtures" / "adam" / "cdiscpilot01")
    adam = Adam.model_validate(spec["adam"] | {"aval_unit": "days"})
    for key in ("arm", "efficacy_flag", "safety_flag", "subject"):
        assert getattr(adam, key) == getattr(human.adam, key)
    assert adam.start == ["TRTSDT"]  # the pilot's ADSL has no RANDDT
    assert [(e.paramcd, e.name, e.origin) for e in adam.endpoints] == [("TTDE", "ttde", "first dose")]
    assert sorted(spec["analysis"]["arms"]) == sorted(human.analysis.arms)
    assert "responders" not in spec["analysis"]  # no ADRS: response not collected
    assert spec["adam"]["adverse_events"]["severity"] == "AESEV"  # no AETOXGR
    assert "adam.aval_unit" in [key for key, _ in todo_keys(spec)]  # ADTTE has no AVALU
    fill_todos(trial, "2015-01-01")
    checked = validate(trial)
    assert checked.exit_code == 0, checked.output
    assert "254 patients" in checked.stdout


def test_responders_outside_the_categories_are_refused(tmp_path):
    """A responder code the response categories lack stops validate (it stopped build with a KeyError)."""
    trial = tmp_path / "trial"
    init(trial, S1318)
    fill_todos(trial, "2018-07-31")
    text = (trial / "trial.toml").read_text(encoding="utf-8").replace('responders = ["CR"]', 'responders = ["CR", "PR"]')
    (trial / "trial.toml").write_text(text, encoding="utf-8")
    result = validate(trial)
    assert result.exit_code == 2
    assert "analysis: responders PR are not among response_categories (CR, CRi, NR, PD, NE)" in result.stderr


def test_refuses_to_overwrite_a_spec(tmp_path):
    trial = tmp_path / "trial"
    trial.mkdir()
    (trial / "trial.toml").write_text("# mine\n", encoding="utf-8")
    result = init(trial, S1318)
    assert result.exit_code == 2
    assert "already exists" in result.stderr and "nothing was written" in result.stderr
    assert (trial / "trial.toml").read_text(encoding="utf-8") == "# mine\n"


def test_defaults_to_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["init", "--from", str(ADAM_EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert raw(tmp_path)["source"]["path"] == Path(__import__("os").path.relpath(ADAM_EXAMPLE, tmp_path)).as_posix()


def test_a_folder_without_trial_data_is_exit_2_naming_what_was_looked_for(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    trial = tmp_path / "trial"
    result = init(trial, data)
    assert result.exit_code == 2
    assert "no trial data recognised" in result.stderr
    assert "subjects.csv" in result.stderr and "adsl.xpt" in result.stderr
    assert not (trial / "trial.toml").exists()
    missing = init(trial, tmp_path / "absent")
    assert missing.exit_code == 2 and "not a folder" in missing.stderr


def test_adam_without_adsl_says_so(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "adae.xpt").write_bytes((ADAM_EXAMPLE / "adae.xpt").read_bytes())
    result = init(tmp_path / "trial", data)
    assert result.exit_code == 2
    assert "found ADAE but no ADSL" in result.stderr


def test_a_tidy_file_with_another_name_is_found_by_its_columns(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "patients.csv").write_text((S1318 / "subjects.csv").read_text(encoding="utf-8"), encoding="utf-8")
    (data / "toxicity.csv").write_text((S1318 / "adverse_events.csv").read_text(encoding="utf-8"), encoding="utf-8")
    trial = tmp_path / "trial"
    result = init(trial, data)
    assert result.exit_code == 0, result.output
    source = raw(trial)["source"]
    assert (source["subjects"], source["adverse_events"]) == ("patients.csv", "toxicity.csv")
    assert "no labs file (labs.csv): not collected" in result.stdout
    fill_todos(trial, "2018-07-31")
    assert validate(trial).exit_code == 0


def test_an_unreadable_dataset_is_exit_2_naming_it(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "adsl.xpt").write_bytes(b"not a SAS transport file")
    result = init(tmp_path / "trial", data)
    assert result.exit_code == 2
    assert "adsl.xpt: cannot be read as a dataset" in result.stderr


def test_values_from_the_data_are_written_as_valid_toml(tmp_path):
    """Arms with quotes, backslashes and non-ASCII letters come back as they were."""
    data = tmp_path / "data"
    data.mkdir()
    rows = (S1318 / "subjects.csv").read_text(encoding="utf-8").splitlines()
    arms = ['Drug "X" \\ 10 mg', "Placébo"]
    lines = [rows[0] + ",arm"] + [f'{row},"{arms[i % 2].replace(chr(34), chr(34) * 2)}"' for i, row in enumerate(rows[1:])]
    (data / "subjects.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    trial = tmp_path / "trial"
    assert init(trial, data).exit_code == 0
    assert raw(trial)["analysis"]["arms"] == sorted(arms)


def test_a_tidy_endpoints_file_gives_one_endpoint_each_to_describe(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "subjects.csv").write_text((S1318 / "subjects.csv").read_text(encoding="utf-8"), encoding="utf-8")
    ids = [line.split(",")[0] for line in (S1318 / "subjects.csv").read_text(encoding="utf-8").splitlines()[1:]]
    rows = ["subject_id,endpoint,time,time_unit,event,event_type"]
    rows += [f"{s},efs,{3 + i},months,{'true' if i % 3 else 'false'},{'relapse' if i % 3 == 1 else 'death' if i % 3 else ''}"
             for i, s in enumerate(ids)]
    (data / "endpoints.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    trial = tmp_path / "trial"
    result = init(trial, data)
    assert result.exit_code == 0, result.output
    spec = raw(trial)
    (endpoint,) = spec["analysis"]["endpoints"]
    assert endpoint["name"] == "efs" and endpoint["competing"] == []
    assert ["analysis.endpoints.0.label", "analysis.endpoints.0.origin"] == [
        k for k, _ in todo_keys(spec) if k.startswith("analysis.endpoints")]
    assert "the file has: relapse, death" in (trial / "trial.toml").read_text(encoding="utf-8")
    fill_todos(trial, "2018-07-31")
    checked = validate(trial)
    assert checked.exit_code == 0, checked.output


def test_init_in_the_data_folder_itself_points_source_at_it(tmp_path):
    for name in ("adsl", "adtte", "adrs"):
        (tmp_path / f"{name}.xpt").write_bytes((ADAM_EXAMPLE / f"{name}.xpt").read_bytes())
    result = init(tmp_path, tmp_path)
    assert result.exit_code == 0, result.output
    spec = raw(tmp_path)
    assert spec["source"]["path"] == "."
    assert "no ADAE (adae.xpt or .sas7bdat): adverse events not collected" in result.stdout
    assert "adverse_events" not in spec["adam"]


def test_help_names_the_option_without_types():
    result = CliRunner().invoke(app, ["init", "--help"])
    assert result.exit_code == 0
    assert "--from" in result.stdout and "<bool>" not in result.stdout
    missing = CliRunner().invoke(app, ["init"])
    assert missing.exit_code == 2 and "--from" in missing.output
