"""Every command given no trial folder takes this folder where it holds a trial.toml, else the
bundled example (issue 19: `watch` took this folder while `build` took the example)."""
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import EXAMPLE, run_cli


def here_trial(tmp_path: Path) -> Path:
    folder = tmp_path / "here"
    shutil.copytree(EXAMPLE, folder)
    spec = folder / "trial.toml"
    spec.write_text(re.sub(r'(?m)^id = "S1318"$', 'id = "HERE-1"', spec.read_text()))
    return folder


def test_build_analyze_and_validate_take_this_folder_where_it_holds_a_trial(tmp_path):
    folder = here_trial(tmp_path)
    built = run_cli("build", "--format", "html", "--out", "out", cwd=folder)
    assert built.returncode == 0, built.stderr
    assert (folder / "out" / "HERE-1" / "summary").is_dir() and "from ." in built.stderr
    assert '"id": "HERE-1"' in run_cli("analyze", cwd=folder).stdout
    assert "HERE-1" in run_cli("validate", cwd=folder).stdout


def test_without_a_trial_here_they_take_the_bundled_example(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    built = run_cli("build", "--format", "html", "--out", "out", cwd=empty)
    assert built.returncode == 0, built.stderr
    assert (empty / "out" / "S1318" / "summary").is_dir() and "the bundled S1318 example" in built.stderr
    assert "S1318" in run_cli("validate", cwd=empty).stdout


def test_watch_takes_this_folder_too(tmp_path):
    folder = here_trial(tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "report", "watch", "--format", "html", "--out", "out"],
                               cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list((folder / "out" / "HERE-1" / "summary").glob("*-v1/summary.html")):
            assert time.monotonic() < deadline and process.poll() is None, "watch built nothing here"
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    assert "Watching ." in process.stderr.read()
