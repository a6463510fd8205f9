"""Data never collected are "not collected", never zero (issue 13, item 3).

A dataset or column that is absent is not collected: the report says so or leaves the row
out, and the ledger holds null. A dataset that is present but empty was collected, and its
zero is a genuine zero.
"""
import csv
import json
import re
import shutil
from pathlib import Path

import pytest

import report
from report import InputError
from report.resources import bundled_trial

from conftest import run_cli

EXAMPLE = bundled_trial("s1318")
ENV = {"SOURCE_DATE_EPOCH": "1735689600"}
# Every safety block computed from adverse-event records; n and deaths come from the subjects.
AE_BLOCKS = ("any_event", "grade_3_plus", "serious", "by_worst_grade", "socs", "terms", "leading_grade_3_plus")
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
RANDOM = Path(__file__).parent / "fixtures" / "adam" / "random-cdisc"


def _copy_example(tmp_path: Path, ae: str = "absent", drop: tuple[str, ...] = ()) -> Path:
    """The example trial, its adverse-event file absent, header-only or as it is, and
    without the subject columns named in `drop`."""
    folder = tmp_path / "trial"
    folder.mkdir()
    shutil.copy(EXAMPLE / "trial.toml", folder / "trial.toml")
    with (EXAMPLE / "subjects.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    columns = [c for c in rows[0] if c not in drop]
    with (folder / "subjects.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    if ae == "header":
        header = (EXAMPLE / "adverse_events.csv").read_text(encoding="utf-8").splitlines()[0]
        (folder / "adverse_events.csv").write_text(header + "\n", encoding="utf-8")
    elif ae == "present":
        shutil.copy(EXAMPLE / "adverse_events.csv", folder / "adverse_events.csv")
    return folder


def _build(folder: Path, out: Path, *args: str) -> dict[str, Path]:
    result = run_cli("build", str(folder), "--out", str(out), *args, env=ENV)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return {Path(p).name: Path(p) for p in result.stdout.split()}


def _text(html: Path) -> str:
    """The visible text of an HTML report, on one line (without its contents list, whose titles would
    be found before the sections they name)."""
    body = re.sub(r"<style.*?</style>|<svg.*?</svg>|<nav class=\"contents\">.*?</nav>", " ",
                  html.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


# ---------------------------------------------------------------- no adverse-event file (tidy)


@pytest.fixture(scope="module")
def no_ae(tmp_path_factory):
    return _copy_example(tmp_path_factory.mktemp("no-ae"))


def test_no_ae_file_loads_and_the_ledger_holds_null_safety_blocks(no_ae):
    trial = report.load_trial(no_ae)
    assert trial.adverse_events is None
    assert all(path.name != "adverse_events.csv" for path in trial.inputs)
    ledger = report.analyze(trial).to_dict()
    for block in AE_BLOCKS:
        assert ledger["safety"][block] is None, block
    assert ledger["safety"]["n"] == ledger["population"]["safety"] > 0
    assert ledger["safety"]["deaths"]["total"] > 0  # deaths come from the subjects: still reported


def test_validate_says_adverse_events_were_not_collected(no_ae):
    result = run_cli("validate", str(no_ae))
    assert result.returncode == 0, result.stderr
    assert "adverse events not collected" in result.stdout
    assert "0 adverse events" not in result.stdout


def test_summary_says_not_collected_and_never_a_zero(no_ae, tmp_path):
    files = _build(no_ae, tmp_path, "--format", "html")
    text = _text(files["summary.html"])
    toxicity = text.split("Toxicity", 1)[1]
    assert "Adverse events were not collected" in toxicity
    assert "had at least one adverse event" not in text
    assert not re.search(r"\b0 of \d+ (treated )?patients", text)
    assert "deaths within 28 days" in text  # deaths come from the subjects
    assert json.loads(files["results.json"].read_text())["safety"]["any_event"] is None


def test_dsmb_open_and_closed_say_not_collected_and_the_toxicity_rule_cannot_be_evaluated(no_ae, tmp_path):
    files = _build(no_ae, tmp_path, "--kind", "dsmb", "--format", "html", "--no-encrypt")
    open_text, closed_text = _text(files["dsmb-open.html"]), _text(files["dsmb-closed.html"])
    for text in (open_text, closed_text):
        safety = text.split("Safety, all treated patients", 1)[1]
        assert "Adverse events were not collected" in safety
        assert "None reported" not in safety  # no serious-event listing claims none
        changes = text.split("Changes since the previous report", 1)[1].split("Safety, all treated", 1)[0]
        assert "new serious adverse event" not in changes and "grade 3 or higher" not in changes
    rule = closed_text.split("Safety: treatment-related grade 4 or 5 toxicity", 1)[1]
    assert "cannot be evaluated" in rule.split("Boundaries:", 1)[0]
    assert "Continue" not in rule.split("Boundaries:", 1)[0]
    block = json.loads(files["results.json"].read_text())["dsmb"]
    overview = block["overview"]
    assert overview["n"] > 0
    assert all(overview[k] is None for k in ("any_event", "grade_3_plus", "grade_5", "serious", "related", "discontinued"))
    assert block["serious_events"] is None
    assert block["changes"]["new_serious_events"] is None and block["changes"]["new_grade_3_plus_events"] is None


def test_dsmb_pdf_builds_without_adverse_events(no_ae, tmp_path):
    files = _build(no_ae, tmp_path, "--kind", "dsmb", "--no-encrypt")
    assert {"dsmb-open.pdf", "dsmb-closed.pdf"} <= set(files)


def test_abstract_says_adverse_events_were_not_collected(no_ae, tmp_path):
    files = _build(no_ae, tmp_path, "--kind", "abstract", "--format", "txt")
    results = files["abstract.txt"].read_text(encoding="utf-8").split("Results:", 1)[1].split("Conclusions:", 1)[0]
    assert "Adverse events were not collected." in results


def test_archive_diff_copes_with_null_safety_blocks(no_ae, tmp_path):
    from report.archive.ledger_diff import diff_ledgers
    from report.archive.ledger_words import describe

    without = report.analyze(report.load_trial(no_ae)).to_dict()
    with_ae = report.analyze(report.load_trial(EXAMPLE, cutoff=without["data_cutoff"])).to_dict()
    for old, new in ((with_ae, without), (without, with_ae), (without, without)):
        diff = diff_ledgers(old, new)
        assert diff.new_adverse_events is None if old is not new else diff.changes == ()
        sentences = " ".join(describe(diff))
        assert "new event" not in sentences
    assert "Any adverse event dropped" in " ".join(describe(diff_ledgers(with_ae, without)))


def test_a_named_ae_file_that_does_not_exist_is_an_error(no_ae, tmp_path):
    folder = tmp_path / "named"
    shutil.copytree(no_ae, folder)
    spec = (folder / "trial.toml").read_text(encoding="utf-8")
    (folder / "trial.toml").write_text(spec.replace("[source]\n", '[source]\nadverse_events = "toxicity.csv"\n'),
                                       encoding="utf-8")
    with pytest.raises(InputError) as caught:
        report.load_trial(folder)
    assert any("toxicity.csv" in str(p) and "file not found" in str(p) for p in caught.value.problems)
    result = run_cli("validate", str(folder))
    assert result.returncode == 2 and "toxicity.csv" in result.stderr


# ---------------------------------------------------------------- collected, none occurred


def test_an_ae_file_with_a_header_only_is_a_genuine_zero(tmp_path):
    folder = _copy_example(tmp_path, ae="header")
    ledger = report.analyze(report.load_trial(folder)).to_dict()
    assert ledger["safety"]["any_event"] == {"subjects": 0, "proportion": 0.0, "events": 0}
    assert ledger["safety"]["socs"] == [] and ledger["safety"]["terms"] == []
    text = _text(_build(folder, tmp_path / "out", "--format", "html")["summary.html"])
    assert re.search(r"\b0 of \d+ treated patients \(0%\) had at least one adverse event", text)
    adverse_events, deaths = text.split("Toxicity", 1)[1].split("Deaths, safety population", 1)
    assert "not collected" not in adverse_events.lower()  # toxicity and special interest: true zeros
    assert "Not collected" in deaths  # no exposure.csv in this folder: the last-dose windows are truly not collected


# ---------------------------------------------------------------- absent subject columns


def test_no_sex_or_age_column_gives_no_unknown_row_and_null_baseline(tmp_path):
    folder = _copy_example(tmp_path, ae="present", drop=("sex", "age"))
    ledger = report.analyze(report.load_trial(folder)).to_dict()
    assert ledger["baseline"]["sex"] is None and ledger["baseline"]["age"] is None
    text = _text(_build(folder, tmp_path / "out", "--kind", "dsmb", "--format", "html", "--no-encrypt")["dsmb-open.html"])
    baseline = text.split("Baseline characteristics", 1)[1].split("Safety, all treated", 1)[0]
    assert "Unknown" not in baseline and "100" not in baseline
    assert "Age, years Not collected" in baseline and "Sex Not collected" in baseline  # the baseline table's one-group form


def test_no_response_cycle_column_gives_no_after_first_cycle_figure(tmp_path):
    folder = _copy_example(tmp_path, ae="present", drop=("response_cycle",))
    ledger = report.analyze(report.load_trial(folder)).to_dict()
    assert ledger["response"]["after_first_cycle"] is None
    assert ledger["response"]["first_response_cycle"] is None
    text = _text(_build(folder, tmp_path / "out", "--format", "html")["summary.html"])
    assert "after the first cycle" not in text and "after cycle 1" not in text


def test_no_disposition_or_death_cause_columns_are_not_collected_in_the_dsmb_report(tmp_path):
    folder = _copy_example(tmp_path, ae="present", drop=("off_study_on", "off_study_reason", "death_cause", "eligible"))
    files = _build(folder, tmp_path / "out", "--kind", "dsmb", "--format", "html", "--no-encrypt")
    block = json.loads(files["results.json"].read_text())["dsmb"]
    assert block["disposition"]["on_study"] is None and block["disposition"]["off_study"] is None
    assert block["disposition"]["ineligible"] is None
    assert block["overview"]["discontinued"] is None
    text = _text(files["dsmb-open.html"])
    assert "remain on study" not in text
    deaths = text.split("Deaths", 1)[1]
    assert "Not collected" in deaths and "Not recorded" not in deaths


# ---------------------------------------------------------------- ADaM without ADAE


@pytest.fixture()
def adam_without_adae(tmp_path):
    import needs

    needs.require("public-data")
    source = SHARED / "random-cdisc"
    data = tmp_path / "data"
    data.mkdir()
    for name in ("adsl.xpt", "adrs.xpt", "adtte.xpt"):
        shutil.copy(source / name, data / name)
    folder = tmp_path / "trial"
    folder.mkdir()
    spec = (RANDOM / "trial.toml").read_text(encoding="utf-8")
    spec = spec.replace('path = "../../../../../shared/data/random-cdisc"', f'path = "{data.as_posix()}"')
    (folder / "trial.toml").write_text(spec, encoding="utf-8")
    return folder


def test_adam_without_adae_holds_null_safety_blocks_by_arm(adam_without_adae):
    trial = report.load_trial(adam_without_adae)
    assert trial.adverse_events is None
    ledger = report.analyze(trial).to_dict()
    for block in AE_BLOCKS:
        assert ledger["safety"][block] is None, block
        for arm in ledger["arms"]:
            assert ledger["by_arm"][arm]["safety"][block] is None, (arm, block)


def test_adam_without_adae_builds_every_kind(adam_without_adae, tmp_path):
    summary = _text(_build(adam_without_adae, tmp_path / "s", "--format", "html")["summary.html"])
    toxicity = summary.split("Toxicity", 1)[1]
    assert "Adverse events were not collected" in toxicity
    assert "had at least one adverse event" not in summary
    assert "Any adverse event" not in toxicity  # no per-arm overview row of zeros
    dsmb = _build(adam_without_adae, tmp_path / "d", "--kind", "dsmb", "--format", "html", "--no-encrypt")
    assert "Adverse events were not collected" in _text(dsmb["dsmb-open.html"])


def test_adam_naming_a_missing_adae_is_an_error(adam_without_adae):
    spec = (adam_without_adae / "trial.toml").read_text(encoding="utf-8")
    (adam_without_adae / "trial.toml").write_text(spec + '\n[adam.adverse_events]\ndataset = "adae"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        report.load_trial(adam_without_adae)
    assert any("dataset ADAE not found" in str(p) for p in caught.value.problems)


def test_no_relapse_column_gives_no_disease_free_survival(tmp_path):
    """Without relapse dates every responder would count as free of relapse: DFS is not
    collected, not a curve of deaths only."""
    folder = _copy_example(tmp_path, ae="present", drop=("relapse_on",))
    ledger = report.analyze(report.load_trial(folder)).to_dict()
    assert set(ledger["survival"]) == {"os"} and set(ledger["endpoints"]) == {"os"}
    text = _text(_build(folder, tmp_path / "out", "--format", "html")["summary.html"])
    assert "Disease-free survival" not in text
