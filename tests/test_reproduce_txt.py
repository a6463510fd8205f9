"""reproduce.txt (issue 18, item 3): every bundle states, in plain ASCII, the software and its
versions, every input by SHA-256 and size, and the exact commands that rebuild it; the
command it states, run on those inputs, gives the same bytes."""
from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

from conftest import run_cli
from report.archive.reproduce_text import ascii_only, reproduce_text, source_date_epoch

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """The S1318 summary, built from the bundled example (its inputs where the package keeps them)."""
    out = tmp_path_factory.mktemp("first")
    result = run_cli("build", "--out", str(out), env=EPOCH)
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.split()[0]).parent
    return folder, json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_reproduce_txt_is_plain_ascii_and_one_of_the_bundles_files(bundle):
    folder, manifest = bundle
    data = (folder / "reproduce.txt").read_bytes()
    data.decode("ascii")  # raises on any other byte
    assert b"\r" not in data and data.endswith(b"\n")
    assert "reproduce.txt" in {f["path"] for f in manifest["files"]}


def test_it_names_the_software_and_every_input_by_hash_and_size(bundle):
    folder, manifest = bundle
    text = (folder / "reproduce.txt").read_text(encoding="ascii")
    software = manifest["software"]
    assert f"pip install trialreport=={software['trialreport']}" in text
    assert f"Python {software['python']}" in text
    for name in ("weasyprint", "pandas", "lifelines", "numpy", "scipy", "matplotlib", "jinja2"):
        assert f"{name}=={software[name]}" in text
    assert len(manifest["inputs"]) == 5
    for entry in manifest["inputs"]:
        assert re.search(rf"^    {entry['sha256']} +{entry['bytes']}  {re.escape(entry['name'])}$", text, re.M), entry
    assert "trialreport archive reproduce" in text
    assert "/" + str(Path(manifest["inputs"][0]["path"]).parent).strip("/") not in text  # no folder of this machine


def stated_command(text: str) -> tuple[dict, list[str]]:
    """The environment and arguments of the one build command reproduce.txt states."""
    lines = [line.strip() for line in text.splitlines() if "trialreport build" in line]
    assert len(lines) == 1, lines
    words = shlex.split(lines[0])
    env = dict(word.split("=", 1) for word in words[:words.index("trialreport")])
    return env, words[words.index("trialreport") + 1:]


def test_the_stated_command_rebuilds_the_same_bytes(bundle, tmp_path):
    folder, manifest = bundle
    text = (folder / "reproduce.txt").read_text(encoding="ascii")
    env, args = stated_command(text)
    assert env == {"SOURCE_DATE_EPOCH": str(source_date_epoch(manifest["generated_on"]))} == EPOCH
    assert args[:2] == ["build", "."] and "--cutoff" in args and args[args.index("--format") + 1] == "pdf,html"
    inputs = tmp_path / "inputs"  # a folder holding the inputs by the names listed, as the text says
    inputs.mkdir()
    for entry in manifest["inputs"]:
        shutil.copyfile(entry["path"], inputs / entry["name"])
    result = run_cli(*args, cwd=inputs, env=env)
    assert result.returncode == 0, result.stderr
    again = Path(result.stdout.split()[0])
    again = (inputs / again if not again.is_absolute() else again).parent
    for name in ("summary.pdf", "summary.html", "results.json", "ard.csv", "reproduce.txt"):
        assert (again / name).read_bytes() == (folder / name).read_bytes(), name


def test_archive_verify_checks_it_like_every_other_file(bundle, tmp_path):
    folder, _ = bundle
    root = tmp_path / "copy"
    shutil.copytree(folder.parents[2], root)
    copied = root / folder.relative_to(folder.parents[2])
    assert run_cli("archive", "verify", "--out", str(root)).returncode == 0
    (copied / "reproduce.txt").write_text("pip install something-else\n", encoding="ascii")
    result = run_cli("archive", "verify", "--out", str(root))
    assert result.returncode == 1 and "reproduce.txt: changed" in result.stderr


RECORD = {
    "trial": "T\u00e9st", "kind": "abstract", "data_cutoff": "2024-03-31", "generated_on": "2024-04-02",
    "formats": ["txt", "pdf"], "limit": 2500,
    "input_hashes": [{"name": "donn\u00e9es \u2013 sujets.csv", "bytes": 12, "sha256": "a" * 64}],
    "user_templates": {"folder": "mod\u00e8les", "files": [{"path": "report.css", "bytes": 3, "sha256": "b" * 64}]},
    "narrative": {"files": [{"path": "texte/r\u00e9sum\u00e9.md", "sha256": "c" * 64}], "references": {}},
    "software": {"trialreport": "1.2.3", "python": "3.11.7", "weasyprint": "70.0", "lifelines": None},
}


def test_names_outside_ascii_are_escaped_exactly_and_every_input_kind_is_listed():
    text = reproduce_text(RECORD).decode("ascii")
    assert "donn\\xe9es \\u2013 sujets.csv" in text and "T\\xe9st" in text
    assert f"{'b' * 64}           3  report.css" in text and "mod\\xe8les" in text
    assert f"{'c' * 64}" in text and "texte/r\\xe9sum\\xe9.md" in text
    assert "python3.11 -m pip install trialreport==1.2.3" in text and "weasyprint==70.0" in text
    assert "lifelines" not in text  # a library not installed is not pinned
    assert ascii_only("a\nb") == "a\\nb"  # a name cannot add a line


def test_the_command_carries_what_the_kind_needs_to_give_the_same_bytes():
    _, args = stated_command(reproduce_text(RECORD).decode("ascii"))
    assert args[args.index("--max-chars") + 1] == "2500" and args[args.index("--kind") + 1] == "abstract"
    dsmb = {**RECORD, "kind": "dsmb", "encrypted": [], "previous_version": "T/dsmb/2024-02-29-v1"}
    text = reproduce_text(dsmb).decode("ascii")
    assert "--no-encrypt" in stated_command(text)[1] and "T/dsmb/2024-02-29-v1" in text
    encrypted = reproduce_text({**dsmb, "encrypted": ["dsmb-closed.pdf"]}).decode("ascii")
    assert "--no-encrypt" not in stated_command(encrypted)[1] and "TRIALREPORT_CLOSED_PASSWORD" in encrypted
    assert source_date_epoch("2024-04-02") == 1712016000
