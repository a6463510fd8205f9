"""The waterfall plot block (report/blocks/tables/waterfall.py) on the solid-tumour fixture:
its generator writes the committed subjects.csv byte for byte; the bars are the patients'
best changes; the median and counts are the file's; the figure draws a bar per patient and
the RECIST lines; without the column, not collected and not shown."""
from __future__ import annotations

import csv
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

import report
from report.blocks.tables import waterfall as block

SOLID = Path(__file__).resolve().parent / "fixtures" / "solid-tumour"


def test_the_generator_writes_the_committed_file(tmp_path):
    shutil.copy(SOLID / "generate.py", tmp_path / "generate.py")
    subprocess.run([sys.executable, str(tmp_path / "generate.py")], check=True)
    assert (tmp_path / "subjects.csv").read_bytes() == (SOLID / "subjects.csv").read_bytes()


def test_the_bars_are_the_best_changes_of_the_file():
    with (SOLID / "subjects.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    changes = {r["subject_id"]: float(r["best_change"]) for r in rows if r["best_change"]}
    ledger = report.analyze(report.load_trial(SOLID)).to_dict()
    part = ledger["waterfall"]
    assert {b["subject"]: b["change"] for b in part["bars"]} == changes
    assert (part["patients"], part["without_change"]) == (len(changes), len(rows) - len(changes))
    assert part["median_change"] == statistics.median(changes.values())
    for r in rows:  # the fixture's responses follow RECIST from the change
        if r["best_change"]:
            c = float(r["best_change"])
            assert r["best_response"] == ("CR" if c <= -100 else "PR" if c <= -30 else "PD" if c >= 20 else "SD")
    svg = block.figures(ledger)["waterfall"]
    assert len(set(re.findall(r"waterfall-bar-\d+", svg))) == len(changes)
    assert "partial response" in svg and "progression" in svg
    stats = {s.stat_name: s.stat for s in block.ard(part, ledger)}
    assert stats == {"n": len(changes), "n_missing": 3, "median": part["median_change"]}


def test_without_the_column_it_is_not_collected(tmp_path):
    ledger = report.analyze(report.load_trial(None)).to_dict()  # S1318: no best_change
    assert ledger["waterfall"] is None and not block.shown(ledger, None)
