"""The ledger as parts (issue 14, items 2 and 4): each part a pure function of one group of
patients, computed for the total and each arm; blocks' own parts under their ids; blocks
found in report/blocks/tables; and each part's input hash."""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

import report
from report.analysis import group as groups
from report.analysis.analysis import analyze
from report.analysis.group import Group, Part, Reads
from report.analysis.hashes import GROUPING, GROUPING_OPTIONS
from report.analysis.ledger import plain
from report.analysis.parts import CORE
from report.blocks.block import Block
from report.blocks.catalogue import BLOCKS, catalogue, found
from report.blocks.ledger import parts as block_parts
from report.resources import bundled_trial

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = bundled_trial("s1318")
ADAM_EXAMPLE = ROOT / "data" / "adam-example"


@pytest.fixture(scope="module")
def two_arms():
    return report.load_trial(ADAM_EXAMPLE)


def _count(group: Group) -> int:
    return len(group.subjects)


COUNT = Part(_count, Reads())


# ------------------------------------------------------------------ parts in the ledger


def test_a_part_is_in_the_ledger_at_the_top_and_under_each_arm(two_arms):
    ledger = analyze(two_arms, {"patients": COUNT}).to_dict()
    assert ledger["patients"] == len(two_arms.subjects)
    arms = two_arms.subjects["arm"].value_counts()
    assert {arm: part["patients"] for arm, part in ledger["by_arm"].items()} == {arm: int(n) for arm, n in arms.items()}
    # after the core parts, which keep their places; the hashes last
    keys = list(ledger)
    assert keys[-3:] == ["excluded_arms", "patients", "input_hashes"]
    assert list(ledger["by_arm"][ledger["arms"][0]])[-2:] == ["safety", "patients"]
    assert "patients" in ledger["input_hashes"]


def test_without_parts_the_ledger_is_the_core_ledger(two_arms):
    with_blocks, core = report.analyze(two_arms).to_dict(), analyze(two_arms).to_dict()
    computed = set(block_parts())
    assert computed and computed <= set(with_blocks) and not computed & set(core)
    for key in computed:
        del with_blocks[key], with_blocks["input_hashes"][key]
        for part in with_blocks["by_arm"].values():
            del part[key]
    assert with_blocks == core


@pytest.mark.parametrize("key", ["safety", "survival", "by_arm", "input_hashes", "dsmb", "stopping", "report"])
def test_a_part_taking_a_ledger_key_is_refused(two_arms, key):
    with pytest.raises(ValueError, match=key):
        analyze(two_arms, {key: COUNT})
    with pytest.raises(ValueError, match=f"'{key}' is a key the ledger already has"):
        catalogue([Block(key, "A table", (key,), False, "partials/x.html.j2", compute=COUNT)])


def test_a_repeated_block_id_is_refused():
    block = Block("x", "X", (), False, "partials/x.html.j2")
    with pytest.raises(ValueError, match="'x' is declared twice"):
        catalogue([block, dataclasses.replace(block, title="Y")])


# ------------------------------------------------------------------ blocks found, not listed


def _package(tmp_path: Path, modules: dict[str, str]) -> types.ModuleType:
    folder = tmp_path / "found_blocks"
    folder.mkdir()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    for name, block_id in modules.items():
        (folder / f"{name}.py").write_text(
            f"from report.blocks.block import Block\nBLOCK = Block({block_id!r}, 'T', (), False, 'p')\n", encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        import found_blocks
    finally:
        sys.path.remove(str(tmp_path))
    return found_blocks


def test_blocks_are_found_in_the_order_of_their_module_names(tmp_path):
    package = _package(tmp_path, {"b_second": "two", "a_first": "one", "c_third": "three"})
    try:
        assert [b.id for b in found(package)] == ["one", "two", "three"]
    finally:
        for name in [m for m in sys.modules if m.startswith("found_blocks")]:
            del sys.modules[name]


def test_the_deaths_block_is_found_and_computes_its_part():
    assert BLOCKS["deaths"].compute is not None and "deaths" in block_parts()
    import report.blocks.tables as tables

    ids = [block.id for block in found(tables)]  # in the order of their module names
    assert "deaths" in ids and list(BLOCKS)[-len(ids):] == ids  # listed blocks first, then the found ones


def _with_module(tmp_path: Path, name: str, text: str, code: str) -> subprocess.CompletedProcess:
    """Run `code` on a copy of the package whose report/blocks/tables/ has one more module."""
    copy = tmp_path / "checkout"
    shutil.copytree(ROOT / "report", copy / "report", ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "report" / "blocks" / "tables" / f"{name}.py").write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=copy,
                          env={**os.environ, "PYTHONPATH": str(copy)}, timeout=300)


def test_a_found_block_repeating_an_id_stops_the_import(tmp_path):
    result = _with_module(tmp_path, "zz_again", "from .deaths import BLOCK as _DEATHS\nBLOCK = _DEATHS\n",
                          "import report.blocks.catalogue")
    assert result.returncode != 0
    assert "ValueError: block id 'deaths' is declared twice" in result.stderr


def test_a_new_module_is_a_new_table_with_nothing_else_edited(tmp_path):
    module = textwrap.dedent("""
        from report.analysis.group import Part, Reads
        from report.blocks.block import Block

        BLOCK = Block("treated", "Treated", ("treated",), False, "partials/deaths.html.j2",
                      compute=Part(lambda group: int(group.subjects["treated"].sum()), Reads(subjects=("treated",))))
    """)
    code = ("import json, report\nfrom report.kinds.kind import SUMMARY\n"
            "ledger = report.analyze(report.load_trial('data/adam-example')).to_dict()\n"
            "print(json.dumps([ledger['treated'], {a: p['treated'] for a, p in ledger['by_arm'].items()},"
            " 'treated' in ledger['input_hashes'], 'treated' in SUMMARY.valid()]))")
    shutil.copytree(ADAM_EXAMPLE, tmp_path / "checkout" / "data" / "adam-example")
    result = _with_module(tmp_path, "treated", module, code)
    assert result.returncode == 0, result.stderr
    total, by_arm, hashed, allowed = json.loads(result.stdout)
    subjects = report.load_trial(ADAM_EXAMPLE).subjects
    assert total == int(subjects["treated"].sum()) and hashed and allowed
    assert by_arm == {arm: int(rows["treated"].sum()) for arm, rows in subjects.groupby("arm")}


# ------------------------------------------------------------------ each part reads what it declares


class _Undeclared:
    """Stands in for what a part did not declare: reading it fails."""

    def __init__(self, what: str):
        self.what = what

    def __contains__(self, item):
        raise AssertionError(f"read {self.what} without declaring it")

    def __getattr__(self, name):
        raise AssertionError(f"read {self.what}.{name} without declaring it")


def restricted(group: Group, reads: Reads) -> Group:
    """The group with only what `reads` declares (and what splits arms): nothing else to read."""
    def frame(name):
        data = getattr(group, name)
        if data is None or not getattr(reads, name):
            return data if data is None else _Undeclared(name)
        return data[list(dict.fromkeys((*GROUPING[name], *getattr(reads, name))))]

    options = types.SimpleNamespace(**{o: getattr(group.options, o) for o in (*GROUPING_OPTIONS, *reads.options)})
    return dataclasses.replace(
        group, subjects=frame("subjects"), time_to_event=frame("time_to_event"), adverse_events=frame("adverse_events"),
        exposure=frame("exposure"), labs=frame("labs"), options=options, grading=group.grading if reads.grading else _Undeclared("grading"),
        not_collected=group.not_collected if reads.not_collected else _Undeclared("not_collected"))


def _groups(trial):
    total = groups.total(trial)
    risk = {name: tuple(p.time for p in km.risk_table) for name, km in CORE["survival"](total).items()}
    arms = sorted(trial.subjects["arm"].dropna().unique())
    return [total] + [groups.arm_group(trial, arm, risk) for arm in arms]


@pytest.mark.parametrize("source", [EXAMPLE, ADAM_EXAMPLE], ids=["s1318", "adam-example"])
@pytest.mark.parametrize("key", [*CORE, *block_parts()])
def test_every_part_reads_only_what_it_declares(source, key):
    part = {**CORE, **block_parts()}[key]
    trial = report.load_trial(source)
    for group in _groups(trial):
        expected = json.dumps(plain(part(group)))
        assert json.dumps(plain(part(restricted(group, part.reads)))) == expected, group.label


def test_the_comparisons_read_only_what_they_declare(two_arms):
    from report.analysis.analysis import COMPARISONS, _arms, _comparison

    reads, options = COMPARISONS, two_arms.spec.analysis
    arms = _arms(two_arms.subjects, options)
    only = dataclasses.replace(
        two_arms, subjects=two_arms.subjects[list(dict.fromkeys((*GROUPING["subjects"], *reads.subjects)))],
        time_to_event=two_arms.time_to_event[list(dict.fromkeys((*GROUPING["time_to_event"], *reads.time_to_event)))])
    declared = types.SimpleNamespace(**{o: getattr(options, o) for o in (*GROUPING_OPTIONS, *reads.options)})
    for endpoint in two_arms.endpoints:
        assert plain(_comparison(only, endpoint.name, arms, declared)) == plain(
            _comparison(two_arms, endpoint.name, arms, options))


def test_the_response_comparison_reads_only_what_it_declares(two_arms):
    from report.analysis.analysis import _arms
    from report.analysis.response_comparison import READS, compare_response

    options = two_arms.spec.analysis
    arms = _arms(two_arms.subjects, options)
    only = two_arms.subjects[list(dict.fromkeys((*GROUPING["subjects"], *READS.subjects)))]
    declared = types.SimpleNamespace(**{o: getattr(options, o) for o in (*GROUPING_OPTIONS, *READS.options)})
    ours = plain(compare_response(only, arms, declared))
    assert ours is not None and ours == plain(compare_response(two_arms.subjects, arms, options))


# ------------------------------------------------------------------ input hashes


def _hashes(folder: Path) -> dict[str, str]:
    return report.analyze(report.load_trial(folder)).input_hashes


def test_hashes_are_sha256_of_every_part_and_the_same_for_the_same_trial():
    first, again = _hashes(EXAMPLE), _hashes(EXAMPLE)
    assert first == again
    assert set(first) == {*CORE, "comparisons", "response_comparison", *block_parts()}
    assert all(len(h) == 64 and int(h, 16) >= 0 for h in first.values())


def test_hashes_are_the_same_in_another_process_with_another_hash_seed():
    code = "import json, report; print(json.dumps(report.analyze(report.load_trial()).input_hashes))"
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                           env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}) for seed in ("1", "2")]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr
    assert json.loads(runs[0].stdout) == json.loads(runs[1].stdout) == _hashes(EXAMPLE)


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "trial"
    shutil.copytree(EXAMPLE, folder)
    return folder


def _changed(before: dict, after: dict) -> set[str]:
    return {key for key in before if before[key] != after[key]}


def test_changing_an_adverse_event_changes_the_hashes_of_the_parts_reading_it_only(tmp_path):
    folder = _copy(tmp_path)
    before = _hashes(folder)
    events = folder / "adverse_events.csv"
    lines = events.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[1].startswith("S1318-001,Fever,") and ",1,2015-03-12," in lines[1]
    lines[1] = lines[1].replace(",1,2015-03-12,", ",2,2015-03-12,")
    events.write_text("".join(lines), encoding="utf-8")
    # and the blocks' parts that read the grade (the adverse-event tables)
    graders = {key for key, part in block_parts().items() if "grade" in groups.reads_of(part).adverse_events}
    assert _changed(before, _hashes(folder)) == {"safety", *graders}


def _with_analysis(folder: Path, line: str) -> None:
    """The spec with one `[analysis]` option set anew (`key = value`)."""
    spec = folder / "trial.toml"
    key = line.split(" = ")[0]
    text, n = re.subn(rf"^{key} = .*$", line, spec.read_text(encoding="utf-8"), count=1, flags=re.M)
    assert n == 1
    spec.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("line, parts", [
    ("confidence = 0.9", {"response", "mrd", "survival", "comparisons", "response_comparison", "cumulative_incidence",
                          "forest"}),
    ("km_conf_type = \"plain\"", {"survival"}),
    ("early_death_days = [30]", {"safety", "deaths"}),
])
def test_changing_an_option_changes_the_hashes_of_the_parts_that_use_it(tmp_path, line, parts):
    folder = _copy(tmp_path)
    before = _hashes(folder)
    _with_analysis(folder, line)
    assert _changed(before, _hashes(folder)) == parts


def test_a_part_that_declares_nothing_is_taken_to_read_everything(tmp_path):
    folder = _copy(tmp_path)
    before = analyze(report.load_trial(folder), {"patients": _count}).input_hashes
    events = folder / "adverse_events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace(",Fever,", ",Pyrexia,", 1), encoding="utf-8")
    after = analyze(report.load_trial(folder), {"patients": _count}).input_hashes
    assert _changed(before, after) == {"patients", "safety"}


def test_changing_a_patient_changes_the_parts_that_read_the_column(tmp_path):
    folder = _copy(tmp_path)
    before = _hashes(folder)
    subjects = folder / "subjects.csv"
    text = subjects.read_text(encoding="utf-8")
    assert text.count(",Lung infection,") == 1
    subjects.write_text(text.replace(",Lung infection,", ",Pneumonia,"), encoding="utf-8")
    assert _changed(before, _hashes(folder)) == {"deaths"}


def test_the_cli_and_report_analyze_hold_every_block_and_the_hashes():
    from conftest import run_cli

    result = run_cli("analyze")
    assert result.returncode == 0, result.stderr
    ledger = json.loads(result.stdout)
    assert ledger["deaths"] == report.analyze(report.load_trial()).to_dict()["deaths"]
    assert ledger["input_hashes"] == _hashes(EXAMPLE)
