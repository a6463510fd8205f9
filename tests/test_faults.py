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

    monkeypatch.setattr("report.archive.bundle.write_bundle", no_space)
    monkeypatch.setattr("report.compose.write_bundle", no_space)
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


# --------------------------------------------------------------------------- archive edge cases (issue 13, item 9)

def run_main(monkeypatch, capsys, *args) -> tuple[int, str]:
    monkeypatch.setattr("sys.argv", ["trialreport", *args])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    return exit_.value.code, capsys.readouterr().err


def test_disk_full_at_the_index_after_publishing_says_out_of_space(tmp_path, monkeypatch, capsys, example_trial):
    import sqlite3

    out = tmp_path / "output"
    report.build(example_trial, formats=("html",), out=out)
    before = tree(out)
    real_connect = sqlite3.connect

    class Full(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.lstrip().upper().startswith("INSERT"):
                raise sqlite3.OperationalError("database or disk is full")
            return super().execute(sql, *args)

    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: real_connect(*a, **k, factory=Full))
    code, err = run_main(monkeypatch, capsys, "build", "--format", "html", "--out", str(out))
    monkeypatch.undo()
    assert code == 1 and "out of space" in err, err
    assert "damaged" not in err and "Internal error" not in err
    assert tree(out) == before  # the version published before the index failed was taken back
    from report.archive.verify import verify

    assert verify(out)[0] == []


def test_a_failed_store_copy_leaves_no_incoming_file(tmp_path, monkeypatch, example_trial):
    out = tmp_path / "output"
    real_write = Path.write_bytes

    def disk_full_in_the_store(self, data):
        if self.name.startswith(".incoming-"):
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_full_in_the_store)
    with pytest.raises(OSError):
        report.build(example_trial, formats=("html",), out=out)
    monkeypatch.undo()
    assert [p.name for p in (out / "store").rglob("*") if p.is_file()] == []
    assert not (out / "S1318").exists() or not list((out / "S1318").rglob("manifest.json"))


def test_verify_of_a_folder_outside_the_archive_or_a_symlink_leading_out_is_exit_2(tmp_path, monkeypatch, capsys,
                                                                                  example_trial):
    import shutil

    out = tmp_path / "output"
    version = report.build(example_trial, formats=("html",), out=out).directory
    outside = tmp_path / "elsewhere" / "2018-07-31-v9"
    shutil.copytree(version, outside)
    for command in ("verify", "show", "reproduce"):
        code, err = run_main(monkeypatch, capsys, "archive", command, str(outside), "--out", str(out))
        assert code == 2 and "outside it" in err and "Internal error" not in err, (command, err)
    (version.parent / "2018-07-31-v9").symlink_to(outside, target_is_directory=True)
    code, err = run_main(monkeypatch, capsys, "archive", "verify", "S1318/summary/2018-07-31-v9", "--out", str(out))
    assert code == 2 and "outside it" in err and "Internal error" not in err, err
    code, err = run_main(monkeypatch, capsys, "archive", "verify", "--out", str(out))
    assert code == 1 and "FAILED S1318/summary/2018-07-31-v9: a symbolic link where a version folder belongs" in err
    assert "Internal error" not in err
