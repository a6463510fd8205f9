"""`trialreport watch`: a rebuild for every settled change of the spec, data or templates."""
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from report.resources import bundled_trial
from report.cli.watch import changed, stamps, watch, watched_files


def _touch(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    later = time.time_ns() + 10**9  # coarse file-system clocks would otherwise hide the change
    os.utime(path, ns=(later, later))


def _watching(files, interval=0.02):
    calls: list[list[Path]] = []
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(files, calls.append), kwargs={"interval": interval, "stop": stop})
    thread.start()
    _wait_for(lambda: calls)  # the first build
    return calls, stop, thread


def _wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_changed_names_added_removed_and_modified_files(tmp_path):
    a, b, c = (tmp_path / n for n in "abc")
    before = {a: (1, 10), b: (1, 10)}
    after = {a: (1, 10), b: (2, 11), c: (1, 1)}
    assert changed(before, after) == [b, c]
    assert changed(after, {a: (1, 10), b: (2, 11)}) == [c]
    assert stamps([tmp_path / "missing"]) == {}


def test_one_rebuild_per_settled_change_naming_the_file(tmp_path):
    data, other = tmp_path / "subjects.csv", tmp_path / "notes.txt"
    data.write_text("a")
    other.write_text("x")
    calls, stop, thread = _watching(lambda: [data, other])
    try:
        _touch(data, "ab")
        _wait_for(lambda: len(calls) == 2)
        time.sleep(0.5)
        assert calls == [[], [data]]  # the first build, then one for the change
        _touch(data, "abc")  # a second change after the rebuild gives a second rebuild
        _wait_for(lambda: len(calls) == 3)
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


def test_a_change_during_the_first_build_is_not_missed(tmp_path):
    data = tmp_path / "subjects.csv"
    data.write_text("a")
    calls: list[list[Path]] = []

    def rebuild(changes):
        calls.append(changes)
        if len(calls) == 1:
            _touch(data, "edited while building")

    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(lambda: [data], rebuild), kwargs={"interval": 0.02, "stop": stop})
    thread.start()
    try:
        _wait_for(lambda: len(calls) == 2)
    finally:
        stop.set()
        thread.join(5)
    assert calls == [[], [data]]


def test_writes_in_quick_succession_give_one_rebuild(tmp_path):
    data = tmp_path / "adverse_events.csv"
    data.write_text("0")
    calls, stop, thread = _watching(lambda: [data])
    try:
        for i in range(1, 5):  # an export writing in steps, each well within the settle time
            _touch(data, "0" * (i + 1))
            time.sleep(0.05)
        _wait_for(lambda: len(calls) == 2)
        time.sleep(0.6)
    finally:
        stop.set()
        thread.join(5)
    assert calls == [[], [data]]


def test_watched_files_are_the_trial_folder_data_folder_and_templates(tmp_path):
    trial, data = tmp_path / "trial", tmp_path / "data"
    (trial / "output").mkdir(parents=True)
    data.mkdir()
    (trial / "trial.toml").write_text("")
    (trial / "output" / "report.pdf").write_text("")  # bundles are not inputs
    (data / "subjects.csv").write_text("")
    files = watched_files(trial, data)
    assert trial / "trial.toml" in files and data / "subjects.csv" in files
    assert trial / "output" / "report.pdf" not in files
    assert any(p.name == "report.css" for p in files)


def test_the_trials_own_templates_are_watched_subfolders_and_all(tmp_path):
    trial = tmp_path / "trial"
    (trial / "look" / "partials").mkdir(parents=True)
    (trial / "look" / "partials" / "study.html.j2").write_text("")
    files = watched_files(trial, None, trial / "look")
    assert trial / "look" / "partials" / "study.html.j2" in files


def _bundles(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "S1318" / "summary").glob("*-v*")) if out.exists() else []


def test_cli_rebuilds_on_change_reports_bad_input_and_stops_on_ctrl_c(tmp_path):
    trial, out = tmp_path / "trial", tmp_path / "out"
    shutil.copytree(bundled_trial("s1318"), trial)
    process = subprocess.Popen(
        [sys.executable, "-m", "report", "watch", str(trial), "--out", str(out), "--format", "html", "--interval", "0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    written: list[str] = []  # the paths each build prints, as they come
    reader = threading.Thread(target=lambda: written.extend(process.stdout), daemon=True)
    reader.start()
    html_files = lambda: [line for line in written if line.strip().endswith("summary.html")]  # noqa: E731
    try:
        _wait_for(lambda: len(html_files()) == 1, timeout=120)
        subjects = trial / "subjects.csv"
        original = subjects.read_text(encoding="utf-8")
        _touch(subjects, original.replace("S1318-001,2015-03-10,79", "S1318-001,2015-03-10,78"))
        _wait_for(lambda: len(html_files()) == 2, timeout=120)
        _touch(subjects, original.replace("S1318-001,2015-03-10,79", "S1318-001,2015-03-10,old"))
        time.sleep(3)
        assert len(_bundles(out)) == 2  # bad input: nothing built, still watching
        _touch(subjects, original)
        _wait_for(lambda: len(html_files()) == 3, timeout=120)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        reader.join(10)
    stderr = process.stderr.read()
    assert process.returncode == 0, stderr
    assert _bundles(out) == ["2018-07-31-v1", "2018-07-31-v2", "2018-07-31-v3"]
    assert "Changed: subjects.csv" in stderr
    assert "subjects.csv, row 2, column age: 'old' is not a number" in stderr
    assert "Not built; waiting for the next change." in stderr
    assert stderr.rstrip().endswith("Stopped watching.")
    assert "Traceback" not in stderr
