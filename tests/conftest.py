"""Shared fixtures: the bundled example, its ledger, and small trial folders made on the fly."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

import needs
import report
from report.resources import bundled_trial

EXAMPLE = bundled_trial("s1318")

SUBJECT_HEADER = [
    "subject_id", "enrolled_on", "age", "sex", "best_response", "response_on", "response_cycle",
    "mrd", "relapse_on", "died_on", "last_contact_on",
]
AE_HEADER = ["subject_id", "term", "soc", "grade", "onset_on", "attribution", "serious"]

MINIMAL_SPEC = """
[trial]
id = "T1"
title = "A small test trial"

[study]
population = "Adults"
background = "Background text."

[analysis]
responders = ["CR", "CRi"]
"""


PANGO = {"pango-1.0": "libpango-1.0-0", "pangoft2-1.0": "libpangoft2-1.0-0"}


def pytest_configure(config):
    config.addinivalue_line("markers", "needs(name): the test needs r, chromium, public-data or libreoffice (tests/needs.py)")
    needs.opted_out()  # an unknown name in TRIALREPORT_SKIP stops the run here
    absent = needs.missing_distributions(needs.test_extra())
    if absent:  # else pytest.importorskip would skip their tests in silence
        raise pytest.UsageError(f"the test extra is not installed (no {', '.join(absent)}): pip install \".[test]\"")
    import ctypes.util

    absent = [package for library, package in PANGO.items() if ctypes.util.find_library(library) is None]
    if absent:
        raise pytest.UsageError(f"WeasyPrint needs the Pango libraries: apt-get install -y {' '.join(absent)}")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    for mark in item.iter_markers("needs"):
        for name in mark.args:
            needs.require(name)


@pytest.fixture(scope="session")
def example_trial():
    return report.load_trial()


@pytest.fixture(scope="session")
def ledger(example_trial) -> dict:
    """The example's results.json, as the reports read it."""
    return report.analyze(example_trial).to_dict()


@pytest.fixture()
def make_trial(tmp_path):
    """Write a trial folder: make_trial(subjects=[...], adverse_events=[...], spec=...)."""

    def write(subjects, adverse_events=(), spec=MINIMAL_SPEC, subject_header=SUBJECT_HEADER, ae_header=AE_HEADER):
        folder = tmp_path / "trial"
        folder.mkdir(exist_ok=True)
        (folder / "trial.toml").write_text(spec, encoding="utf-8")
        _write_csv(folder / "subjects.csv", subject_header, subjects)
        _write_csv(folder / "adverse_events.csv", ae_header, adverse_events)
        return folder

    return write


def _write_csv(path: Path, header, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `trialreport` as a user would, in a separate process."""
    return subprocess.run(
        [sys.executable, "-m", "report", *args],
        cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300,
    )
