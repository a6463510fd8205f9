"""The archive: immutable versions, verification, reproduction, diff, faults and concurrency."""
import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest

from conftest import run_cli

ENV = {"SOURCE_DATE_EPOCH": "1735689600"}
V1, V2 = "S1318/summary/2018-07-31-v1", "S1318/summary/2018-07-31-v2"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Two builds of the example: v1 and v2."""
    root = tmp_path_factory.mktemp("archive") / "output"
    for _ in range(2):
        result = run_cli("build", "--out", str(root), env=ENV)
        assert result.returncode == 0, result.stderr
    return root


INPUTS = ["trial.toml", "subjects.csv", "adverse_events.csv", "exposure.csv", "labs.csv"]  # the S1318 example's


def test_two_builds_make_v1_and_v2_indexed(archive):
    listed = run_cli("archive", "list", "--out", str(archive))
    assert listed.returncode == 0
    assert V1 in listed.stdout and V2 in listed.stdout
    with sqlite3.connect(archive / "archive.sqlite") as db:
        assert db.execute("SELECT id FROM versions ORDER BY number").fetchall() == [(V1,), (V2,)]
    manifest = json.loads((archive / V1 / "manifest.json").read_text())
    assert {"weasyprint", "lifelines", "pandas", "matplotlib", "python"} <= set(manifest["software"])
    assert [i["name"] for i in manifest["inputs"]] == INPUTS
    assert any(t["path"] == "summary.html.j2" for t in manifest["templates"])
    assert manifest["generated_on"] == "2025-01-01" and manifest["created_at"]


def test_inputs_are_stored_once_by_content(archive):
    stored = [p for p in (archive / "store").rglob("*") if p.is_file()]
    assert len(stored) == len(INPUTS)  # two builds, five inputs, deduplicated
    manifest = json.loads((archive / V1 / "manifest.json").read_text())
    for entry in manifest["inputs"]:
        assert (archive / "store" / "sha256" / entry["sha256"][:2] / entry["sha256"][2:]).is_file()


def test_verify_passes_then_fails_naming_a_flipped_byte(archive, tmp_path):
    import shutil

    assert run_cli("archive", "verify", "--out", str(archive)).returncode == 0
    copy = tmp_path / "output"
    shutil.copytree(archive, copy)
    pdf = copy / V2 / "summary.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    (copy / V1 / "stray.txt").write_text("not in the manifest")
    (copy / V1 / "results.json").unlink()
    result = run_cli("archive", "verify", "--out", str(copy))
    assert result.returncode == 1
    assert f"{V2}/summary.pdf: changed" in result.stderr
    assert f"{V1}/stray.txt: extra file" in result.stderr
    assert f"{V1}/results.json: missing" in result.stderr


def test_reproduce_v1_is_byte_identical(archive):
    result = run_cli("archive", "reproduce", V1, "--out", str(archive))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    for name in ("summary.pdf", "summary.html", "results.json", "ard.csv", "ars.json", "reproduce.txt"):
        assert any(line.strip() == f"identical  {name}" for line in lines), result.stdout


def test_reproduce_works_without_the_original_files(archive, tmp_path, make_trial):
    """A trial folder that no longer exists is rebuilt from the store alone."""
    import shutil

    from conftest import EXAMPLE

    trial = tmp_path / "gone"
    shutil.copytree(EXAMPLE, trial)
    built = run_cli("build", str(trial), "--format", "pdf", "--out", str(archive), env=ENV)
    assert built.returncode == 0, built.stderr
    version = Path(built.stdout.split()[0]).parent.relative_to(archive).as_posix()
    shutil.rmtree(trial)
    result = run_cli("archive", "reproduce", version, "--out", str(archive))
    assert result.returncode == 0 and "identical  summary.pdf" in result.stdout


def test_pdf_is_pdf_a3_with_the_ledger_and_inputs_attached(archive):
    with pikepdf.open(archive / V1 / "summary.pdf") as pdf:
        meta = pdf.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("3", "B")
        attached = {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}
        info = pdf.docinfo
        assert str(info["/Title"]).startswith("S1318") and "Advani" in str(info["/Author"])
        assert "/Keywords" in info and "/Subject" in info
    assert attached["results.json"] == (archive / V1 / "results.json").read_bytes()
    assert {"provenance.json", "trial.toml", "subjects.csv", "adverse_events.csv"} <= set(attached)


def test_inputs_over_the_embedding_limit_stay_out_of_the_pdf(example_trial, tmp_path, monkeypatch):
    from report import compose
    from report.kinds import common

    monkeypatch.setattr(common, "EMBED_INPUTS_MAX_BYTES", 1000)
    bundle = compose.build(example_trial, formats=("pdf",), out=tmp_path)
    with pikepdf.open(bundle.directory / "summary.pdf") as pdf:
        attached = set(pdf.attachments)
        provenance = json.loads(pdf.attachments["provenance.json"].get_file().read_bytes())
    assert attached == {"results.json", "ard.csv", "provenance.json"}
    assert {e["name"] for e in provenance["input_hashes"]} == set(INPUTS)


def test_diff_in_words(archive, tmp_path):
    later = run_cli("build", "--cutoff", "2017-06-30", "--format", "pdf", "--out", str(archive), env=ENV)
    assert later.returncode == 0
    result = run_cli("archive", "diff", "S1318/summary/2017-06-30-v1", V1, "--out", str(archive))
    assert result.returncode == 0
    assert "Data cutoff 30 June 2017 -> 31 July 2018." in result.stdout
    assert "3 new patients" in result.stdout


def test_two_concurrent_builds_get_distinct_versions(tmp_path):
    root = tmp_path / "output"
    command = [sys.executable, "-m", "report", "build", "--format", "html", "--out", str(root)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    folders = sorted(p.name for p in (root / "S1318" / "summary").iterdir())
    assert folders == ["2018-07-31-v1", "2018-07-31-v2"]
    assert run_cli("archive", "verify", "--out", str(root)).returncode == 0


def test_a_killed_build_leaves_no_version_and_a_verifiable_archive(tmp_path):
    root = tmp_path / "output"
    assert run_cli("build", "--format", "html", "--out", str(root)).returncode == 0
    run = subprocess.Popen([sys.executable, "-m", "report", "build", "--out", str(root)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(4)  # mid-build: analysing or rendering
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    versions = sorted(p.name for p in (root / "S1318" / "summary").iterdir() if not p.name.startswith("."))
    assert versions in (["2018-07-31-v1"], ["2018-07-31-v1", "2018-07-31-v2"])  # whole or not at all
    for folder in versions:
        manifest = json.loads((root / "S1318" / "summary" / folder / "manifest.json").read_text())
        assert all((root / "S1318" / "summary" / folder / f["path"]).is_file() for f in manifest["files"])
    result = run_cli("archive", "verify", "--out", str(root))
    assert result.returncode == 0, result.stderr


def test_a_corrupted_index_is_reported_not_rebuilt(tmp_path):
    root = tmp_path / "output"
    assert run_cli("build", "--format", "html", "--out", str(root)).returncode == 0
    index = root / "archive.sqlite"
    index.write_bytes(b"this is not a database" * 100)
    damaged = index.read_bytes()
    result = run_cli("archive", "verify", "--out", str(root))
    assert result.returncode == 1 and "archive index is damaged" in result.stderr
    assert index.read_bytes() == damaged  # left as it was
    again = run_cli("build", "--format", "html", "--out", str(root))
    assert again.returncode == 1 and "damaged" in again.stderr and "Traceback" not in again.stderr


def test_archive_list_shows_cutoff_status_and_files(archive, tmp_path):
    lines = run_cli("archive", "list", "--out", str(archive)).stdout.splitlines()
    assert lines[0].split() == ["version", "cutoff", "created", "(UTC)", "status", "files"]
    listed = [line for line in lines[1:] if line.startswith("S1318/summary/2018-07-31-v")]
    latest = f"v{len(listed)}"  # the module's other tests may have added versions to the archive
    first, last = listed[0], listed[-1]
    assert "2018-07-31" in first and f"superseded by {latest}, unsigned" in first and "current, unsigned" in last
    files = [f["path"] for f in json.loads((archive / V1 / "manifest.json").read_text())["files"]]
    assert first.endswith(", ".join(files))
    copy = tmp_path / "copy"
    shutil.copytree(archive, copy)
    manifest = copy / V1 / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"kind"', '"kind" ', 1))
    assert f"superseded by {latest}, unsigned, CHANGED" in run_cli("archive", "list", "--out", str(copy)).stdout
