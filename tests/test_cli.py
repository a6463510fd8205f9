"""The command line as a user runs it: outputs, exit codes, messages."""
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import run_cli

EPOCH = {"SOURCE_DATE_EPOCH": "1735689600"}  # 2025-01-01


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One `trialreport build` of the example, run from an unrelated folder."""
    where = tmp_path_factory.mktemp("elsewhere")
    result = run_cli("build", cwd=where, env=EPOCH)
    return where, result


def test_build_writes_the_bundle_and_prints_its_paths(built):
    where, result = built
    assert result.returncode == 0, result.stderr
    paths = [Path(line) for line in result.stdout.split()]
    assert {p.name for p in paths} == {"summary.pdf", "summary.html", "results.json", "ard.csv", "ars.json",
                                       "reproduce.txt", "manifest.json"}
    folder = where / "output" / "S1318" / "summary" / "2018-07-31-v1"
    assert all((where / p).parent.resolve() == folder.resolve() for p in paths)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["data_cutoff"] == "2018-07-31"
    assert {f["path"] for f in manifest["files"]} == {"summary.pdf", "summary.html", "results.json", "ard.csv",
                                                      "ars.json", "reproduce.txt"}
    assert [Path(i["path"]).name for i in manifest["inputs"]] == ["trial.toml", "subjects.csv", "adverse_events.csv",
                                                                    "exposure.csv", "labs.csv"]


def test_pdf_states_the_published_figures(built):
    where, _ = built
    pdf = where / "output" / "S1318" / "summary" / "2018-07-31-v1" / "summary.pdf"
    raw = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    text = " ".join(raw.replace("-\n", "-").split())  # undo line breaks
    headings = ("Study", "Disposition", "Demographic and baseline characteristics", "Results", "Duration of response",
                "Cumulative incidence",
                "Time on study", "Toxicity", "Adverse events of special interest", "Deaths", "Next steps")
    for number, heading in enumerate(headings, start=1):
        assert f"{number}. {heading}" in text
    assert "19 of 29 evaluable patients (66%; 95% CI 45.7%\u201382.1%)" in text
    assert "12 (92%; 95% CI 64.0%\u201399.8%) were MRD-negative" in text
    assert "Overall survival" in text and "was 79% at 6 months and 65% at 12 months" in text
    assert "was 68% at 6 months and 56% at 12 months" in text
    for term in ("hyperglycemia (4 patients, 14%)", "dyspnea (3 patients, 10%)", "lung infection (2 patients, 7%)"):
        assert term in text
    assert "none within 28 days of enrollment" in text
    assert "Page 1 of" in text and "Data cutoff 31 July 2018" in text


def test_second_build_is_a_new_version_with_identical_report(built):
    where, _ = built
    again = run_cli("build", "--format", "pdf", cwd=where, env=EPOCH)
    assert again.returncode == 0, again.stderr
    versions = where / "output" / "S1318" / "summary"
    first, second = versions / "2018-07-31-v1", versions / "2018-07-31-v2"
    assert (first / "summary.pdf").read_bytes() == (second / "summary.pdf").read_bytes()
    assert not (second / "summary.html").exists()


def test_analyze_prints_the_ledger():
    result = run_cli("analyze", "--cutoff", "2018-07-31")
    assert result.returncode == 0, result.stderr
    ledger = json.loads(result.stdout)
    assert ledger["response"]["responders"]["count"] == 19
    assert ledger["mrd"]["negative"]["n"] == 13
    assert ledger["survival"]["os"]["landmarks"][0]["n_at_risk"] == 23
    assert ledger["safety"]["deaths"]["early"]["28"] == 0


def test_validate_the_example():
    result = run_cli("validate")
    assert result.returncode == 0
    assert "31 patients" in result.stdout


def test_bad_data_exits_2_with_every_problem_and_writes_nothing(make_trial, tmp_path):
    folder = make_trial([
        ["P1", "2016-02-30", "70", "F", "CR", "2016-03-01", "1", "", "", "", "2017-01-01"],
        ["P1", "2016-01-01", "70", "F", "CR", "", "1", "", "", "", "2017-01-01"],
    ])
    result = run_cli("build", str(folder), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "subjects.csv, row 2, column enrolled_on: '2016-02-30' is not a calendar date" in result.stderr
    assert "subjects.csv, row 3, column subject_id: 'P1' repeats row 2" in result.stderr
    assert "subjects.csv, row 3, column response_on: a responder (CR) needs the date of response" in result.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_kind_and_bad_cutoff_exit_2(tmp_path):
    kind = run_cli("build", "--kind", "poster", "--out", str(tmp_path))
    assert kind.returncode == 2 and "'poster' is not a report kind" in kind.stderr
    cutoff = run_cli("analyze", "--cutoff", "31/07/2018")
    assert cutoff.returncode == 2 and "--cutoff: '31/07/2018' is not a date" in cutoff.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_trial_folder_exits_2(tmp_path):
    result = run_cli("validate", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "no trial spec here" in result.stderr


def test_analyze_does_not_import_the_rendering_stack():
    code = (
        "import sys, io, contextlib\n"
        "sys.argv = ['trialreport', 'analyze']\n"
        "from report.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main()\n    except SystemExit:\n        pass\n"
        "print(sorted(m for m in ('weasyprint', 'matplotlib', 'jinja2') if m in sys.modules))\n"
    )
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_internal_error_exits_1_without_traceback(monkeypatch, capsys):
    import report.analysis.analysis
    from report import cli

    def broken(*args, **kwargs):
        raise RuntimeError("something unexpected")

    monkeypatch.setattr(report.analysis.analysis, "analyze", broken)
    monkeypatch.setattr("sys.argv", ["trialreport", "analyze"])
    monkeypatch.delenv("TRIALREPORT_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "Internal error: RuntimeError: something unexpected" in err
    assert "Traceback" not in err


def test_batch_build_builds_every_trial_and_reports_the_bad_one(tmp_path):
    import shutil

    from conftest import EXAMPLE

    good = tmp_path / "good"
    shutil.copytree(EXAMPLE, good)
    spec = (good / "trial.toml").read_text().replace('id = "S1318"', 'id = "S1318-COPY"')
    (good / "trial.toml").write_text(spec)
    result = run_cli("build", str(EXAMPLE), str(tmp_path / "missing"), str(good), "--format", "html",
                     "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "no trial spec here" in result.stderr and "Traceback" not in result.stderr
    built = {Path(p).parts[-4] for p in result.stdout.split()}
    assert built == {"S1318", "S1318-COPY"}


def test_batch_built_side_by_side_gives_the_bytes_of_a_single_build(tmp_path):
    from conftest import EXAMPLE

    env = {"SOURCE_DATE_EPOCH": "1735689600"}
    single = run_cli("build", str(EXAMPLE), "--out", str(tmp_path / "single"), env=env)
    batch = run_cli("build", str(EXAMPLE), str(EXAMPLE), str(EXAMPLE), "--out", str(tmp_path / "batch"), env=env)
    assert single.returncode == 0 and batch.returncode == 0, batch.stderr
    versions = sorted((tmp_path / "batch" / "S1318" / "summary").iterdir())
    assert [v.name for v in versions] == ["2018-07-31-v1", "2018-07-31-v2", "2018-07-31-v3"]
    expected = (tmp_path / "single" / "S1318" / "summary" / "2018-07-31-v1" / "summary.pdf").read_bytes()
    assert all((v / "summary.pdf").read_bytes() == expected for v in versions)
    assert batch.stderr.count("Built S1318 summary report") == 3
