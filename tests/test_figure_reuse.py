"""Figures drawn again only when the ledger changed (report.kinds.kind.figures): what `watch`
gains after an edit of text or a template, with the bytes of a cold build."""
from __future__ import annotations

import shutil

from conftest import EXAMPLE, run_cli
from report import compose
from report.blocks.block import Block
from report.inputs.trial import load_trial
from report.kinds import kind

ENV = {"SOURCE_DATE_EPOCH": "1735689600"}


def test_same_ledger_reuses_figures_and_a_changed_one_redraws(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", ENV["SOURCE_DATE_EPOCH"])
    trial_dir = tmp_path / "trial"
    shutil.copytree(EXAMPLE, trial_dir)
    monkeypatch.setattr(kind, "_LAST_DRAWN", {})  # nothing drawn yet in this process
    calls = []
    real = Block.drawn
    monkeypatch.setattr(Block, "drawn", lambda self, ledger, context: calls.append(self.id) or real(self, ledger, context))

    compose.build(load_trial(trial_dir), formats=("html",), out=tmp_path / "out")
    first = len(calls)
    spec = trial_dir / "trial.toml"
    text = spec.read_text()
    assert '  "Combine blinatumomab' in text
    spec.write_text(text.replace('  "Combine blinatumomab', '  "Edited while watching. Combine blinatumomab', 1))
    edited = compose.build(load_trial(trial_dir), formats=("html", "pdf"), out=tmp_path / "out")
    assert first > 0 and len(calls) == first  # nothing redrawn: the ledger is the same
    compose.build(load_trial(trial_dir, cutoff="2017-07-31"), formats=("html",), out=tmp_path / "out")
    assert len(calls) == 2 * first  # another cutoff, another ledger: every figure drawn again

    cold = run_cli("build", str(trial_dir), "--out", str(tmp_path / "cold"), env=ENV)
    assert cold.returncode == 0, cold.stderr
    cold_dir = tmp_path / "cold" / "S1318" / "summary" / "2018-07-31-v1"
    assert b"Edited while watching." in (edited.directory / "summary.html").read_bytes()
    for name in ("summary.html", "summary.pdf"):
        assert (edited.directory / name).read_bytes() == (cold_dir / name).read_bytes(), name
