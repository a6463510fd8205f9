"""`trialreport watch` timed as a statistician uses it: edit the spec's text, then a data file,
and measure how long until the live preview (HTML) and the new bundle (with its PDF) are
written. Run by bench.py; its medians are compared with the floor.

The preview's stamp.js changes when a rebuild's HTML is written; a new version folder appears
when its bundle (PDF included) is."""
from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def watch_times(example: Path, folder: Path, env: dict, edits: int = 3) -> dict[str, float]:
    """Median seconds from an edit to the preview and to the bundle, for text and data edits."""
    trial, out = folder / "watched", folder / "watch-out"
    shutil.copytree(example, trial)
    process = subprocess.Popen([sys.executable, "-m", "report", "watch", str(trial), "--out", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        stamp, versions = out / "S1318" / "summary" / "preview" / "stamp.js", out / "S1318" / "summary"
        _until(lambda: stamp.exists() and _count(versions) == 1)
        found: dict[str, list[float]] = {k: [] for k in ("text edit: preview", "text edit: pdf", "data edit: preview")}
        for i in range(edits):
            time.sleep(1)
            html, pdf = _edit_timed(lambda: _edit_text(trial, i), stamp, versions)
            found["text edit: preview"].append(html)
            found["text edit: pdf"].append(pdf)
            time.sleep(1)
            found["data edit: preview"].append(_edit_timed(lambda: _edit_data(trial, i), stamp, versions)[0])
        return {name: statistics.median(values) for name, values in found.items()}
    finally:
        process.terminate()
        process.wait()


def _edit_timed(edit, stamp: Path, versions: Path) -> tuple[float, float]:
    before, count = stamp.read_bytes(), _count(versions)
    start = time.perf_counter()
    edit()
    _until(lambda: stamp.read_bytes() != before)
    html = time.perf_counter() - start
    _until(lambda: _count(versions) == count + 1)
    return html, time.perf_counter() - start


def _edit_text(trial: Path, i: int) -> None:
    spec = trial / "trial.toml"
    text = spec.read_text()
    spec.write_text(text.replace('  "Combine blinatumomab', f'  "Edit {i}. Combine blinatumomab', 1)
                    if i == 0 else text.replace(f"Edit {i - 1}.", f"Edit {i}.", 1))


def _edit_data(trial: Path, i: int) -> None:
    """One patient's age, alternately one year more and back: a new ledger each time."""
    subjects = trial / "subjects.csv"
    text = subjects.read_text()
    subjects.write_text(text.replace(",79,M,", ",80,M,", 1) if i % 2 == 0 else text.replace(",80,M,", ",79,M,", 1))


def _count(versions: Path) -> int:
    if not versions.is_dir():
        return 0
    return sum(1 for p in versions.iterdir() if p.is_dir() and p.name != "preview" and not p.name.startswith("."))


def _until(condition, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise SystemExit("watch did not rebuild within a minute")
        time.sleep(0.01)

