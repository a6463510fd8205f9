"""Ledger parts computed again only where their inputs changed (report.analysis.part_cache): what
`watch` gains after an edit of the data, with the ledger and the bytes of a cold build."""
from __future__ import annotations

import shutil

from conftest import EXAMPLE, run_cli
from report import compose
from report.analysis.part_cache import PartCache
from report.blocks.ledger import results
from report.inputs.trial import load_trial

ENV = {"SOURCE_DATE_EPOCH": "1735689600"}
FIRST_AE = "S1318-001,Fever,General disorders and administration site conditions,1,"


def _raise_first_fever_to_grade_3(trial_dir) -> None:
    events = trial_dir / "adverse_events.csv"
    text = events.read_text()
    assert FIRST_AE in text
    events.write_text(text.replace(FIRST_AE, FIRST_AE[:-2] + "3,", 1))


def test_an_edit_recomputes_exactly_the_parts_whose_inputs_changed(tmp_path):
    trial_dir = tmp_path / "trial"
    shutil.copytree(EXAMPLE, trial_dir)
    cache = PartCache()
    before = results(load_trial(trial_dir), cache)
    every = set(before.input_hashes)
    assert set(cache.computed) == every  # a cold cache computes everything

    cache.computed.clear()
    again = results(load_trial(trial_dir), cache)
    assert cache.computed == [] and again.to_json() == before.to_json()

    _raise_first_fever_to_grade_3(trial_dir)
    edited = results(load_trial(trial_dir), cache)
    changed = {key for key in every if edited.input_hashes[key] != before.input_hashes[key]}
    assert "safety" in changed and not {"survival", "response", "population"} & changed
    assert set(cache.computed) == changed
    assert edited.to_json() == results(load_trial(trial_dir)).to_json()  # a cold analysis of the edited data
    assert edited.to_json() != before.to_json()


def test_a_part_whose_inputs_are_unchanged_is_the_same_object(tmp_path):
    trial_dir = tmp_path / "trial"
    shutil.copytree(EXAMPLE, trial_dir)
    cache = PartCache()
    before = results(load_trial(trial_dir), cache)
    _raise_first_fever_to_grade_3(trial_dir)
    edited = results(load_trial(trial_dir), cache)
    assert edited.survival is before.survival and edited.response is before.response
    assert edited.safety is not before.safety


def test_a_build_after_a_data_edit_equals_a_cold_build(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", ENV["SOURCE_DATE_EPOCH"])
    monkeypatch.setattr(compose, "LAST_PARTS", PartCache())
    trial_dir = tmp_path / "trial"
    shutil.copytree(EXAMPLE, trial_dir)
    compose.build(load_trial(trial_dir), formats=("html",), out=tmp_path / "out")
    _raise_first_fever_to_grade_3(trial_dir)
    compose.LAST_PARTS.computed.clear()
    edited = compose.build(load_trial(trial_dir), formats=("html", "pdf"), out=tmp_path / "out")
    assert "safety" in compose.LAST_PARTS.computed and "survival" not in compose.LAST_PARTS.computed

    cold = run_cli("build", str(trial_dir), "--out", str(tmp_path / "cold"), env=ENV)
    assert cold.returncode == 0, cold.stderr
    cold_dir = tmp_path / "cold" / "S1318" / "summary" / "2018-07-31-v1"
    for name in ("summary.html", "summary.pdf", "results.json", "ard.csv"):
        assert (edited.directory / name).read_bytes() == (cold_dir / name).read_bytes(), name


def test_after_an_adverse_event_edit_only_the_figures_that_show_them_are_drawn_again(tmp_path, monkeypatch):
    from report.blocks.block import Block
    from report.kinds import kind

    monkeypatch.setattr(kind, "_LAST_DRAWN", {})
    trial_dir = tmp_path / "trial"
    shutil.copytree(EXAMPLE, trial_dir)
    calls = []
    real = Block.drawn
    monkeypatch.setattr(Block, "drawn", lambda self, ledger, context: calls.append(self.id) or real(self, ledger, context))
    compose.build(load_trial(trial_dir), formats=("html",), out=tmp_path / "out")
    assert {"results", "toxicity"} <= set(calls)
    calls.clear()
    _raise_first_fever_to_grade_3(trial_dir)
    compose.build(load_trial(trial_dir), formats=("html",), out=tmp_path / "out")
    assert calls == ["toxicity"]


def test_every_figure_is_the_same_drawn_from_what_its_block_sees():
    """Block.seen leaves the other blocks' parts out; a figure that read one would differ here
    (or fail), on the S1318 and the multi-arm random-cdisc ledgers."""
    from pathlib import Path

    import report
    from report.blocks.block import Context
    from report.blocks.catalogue import BLOCKS

    drawn = set()
    for trial_dir in (EXAMPLE, Path(__file__).parent / "fixtures" / "adam" / "random-cdisc"):
        ledger = report.analyze(report.load_trial(trial_dir)).to_dict()
        for block in BLOCKS.values():
            if block.figures is None or not set(block.keys) <= set(ledger) or not block.shown(ledger, Context("summary")):
                continue  # the DSMB's conduct figures: their `dsmb` part has no input hash, always seen
            assert set(block.seen(ledger)) < set(ledger) and "input_hashes" not in block.seen(ledger)
            assert block.drawn(ledger, Context("summary")) == block.figures(ledger), block.id
            drawn.add(block.id)
    assert {"results", "toxicity", "forest", "cumulative_incidence"} <= drawn
