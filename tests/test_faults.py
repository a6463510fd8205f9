"""Nothing lost: a failed write publishes nothing and leaves earlier versions intact."""
import errno
import hashlib
from pathlib import Path

import pytest

import report
from report import cli


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_disk_full_mid_bundle_publishes_nothing_and_keeps_earlier_versions(tmp_path, monkeypatch, example_trial):
    out = tmp_path / "output"
    report.build(example_trial, formats=("html",), out=out)
    before = tree(out)
    real_write = Path.write_bytes
    calls = {"n": 0}

    def disk_full_on_second_file(self, data):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_full_on_second_file)
    with pytest.raises(OSError):
        report.build(example_trial, formats=("html",), out=out)
    monkeypatch.undo()
    assert tree(out) == before  # no v2, no staging folder, v1 and the index untouched
    assert not list((out / "S1318" / "summary").glob(".building-*"))


def test_the_cli_reports_a_write_failure_without_a_traceback(tmp_path, monkeypatch, capsys):
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "output"))

    monkeypatch.setattr("report.bundle.write_bundle", no_space)
    monkeypatch.setattr("report.builder.write_bundle", no_space)
    monkeypatch.setattr("sys.argv", ["trialreport", "build", "--format", "html", "--out", str(tmp_path / "output")])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "Could not write:" in err and "No space left on device" in err and "Traceback" not in err


def test_no_secret_reaches_a_manifest_or_message(tmp_path):
    from conftest import run_cli

    password = "Sekr1t-Pa55-Word"
    result = run_cli("build", "--kind", "dsmb", "--cutoff", "2017-07-31", "--format", "pdf",
                     "--out", str(tmp_path), env={"TRIALREPORT_CLOSED_PASSWORD": password})
    assert result.returncode == 0, result.stderr
    assert password not in result.stdout + result.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path
