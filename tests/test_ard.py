"""ard.csv (DESIGN section 7a): every figure of every block's part of the ledger as one row,
with the same value, in each bundle and from `trialreport analyze --ard`; the open DSMB
bundle's holds the open-safe blocks for all patients only, the closed one travels inside the
encrypted closed report."""
from __future__ import annotations

import csv
from collections import Counter
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

import report
from conftest import EXAMPLE
from report.blocks.ard import ard_rows, part_of
from report.blocks.block import Block
from report.blocks.catalogue import BLOCKS
from report.kinds.common import ard_csv
from report.layout.ard import COLUMNS, Stat
from test_adam import PILOT, RANDOM

ADAM_EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "adam-example"
PASSWORD = "correct horse battery staple"
ENV = {"SOURCE_DATE_EPOCH": "1735689600", "TRIALREPORT_CLOSED_PASSWORD": PASSWORD}
# Leaves of a part that are not figures, each documented in report/layout/ard_parts.py: the
# Kaplan-Meier curve's points (drawing data) and the times an estimate is given at (the row's level).
NOT_FIGURES = ("curve", "lanes", "bars", "last_dose_days", "quantile_type", "digits", "cuts")  # the curve's points; settings: a window's days (the row's level), the quantile definition, the demographic table's decimals and cut points
TIMES_UNDER = ("landmarks", "risk_table")
TRIALS = {"s1318": EXAMPLE, "adam-example": ADAM_EXAMPLE, "pilot": PILOT, "random-cdisc": RANDOM}
PUBLIC = pytest.mark.needs("public-data")


def _trial_params():
    return [pytest.param(name, marks=PUBLIC) if name in ("pilot", "random-cdisc") else name for name in TRIALS]


@pytest.fixture(scope="module")
def ledgers() -> dict:
    cache: dict[str, dict] = {}

    def ledger(name: str) -> dict:
        if name not in cache:
            cache[name] = report.analyze(report.load_trial(TRIALS[name])).to_dict()
        return cache[name]

    return ledger


def numbers(value, path=()) -> list[tuple[tuple, float]]:
    """The part's leaves that are numbers (not flags), with their paths."""
    if isinstance(value, dict):
        return [leaf for key, v in value.items() if key not in NOT_FIGURES
                and not (key == "time" and set(path) & set(TIMES_UNDER)) for leaf in numbers(v, (*path, key))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in numbers(v, (*path, i))]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [(path, value)]
    return []


def groups(ledger: dict):
    arm = ledger["methods"]["variables"]["arm"]
    return [("", "", ledger)] + [(arm, name, ledger["by_arm"][name]) for name in ledger["arms"]]


def parsed(data: bytes) -> list[dict]:
    assert data.startswith(",".join(COLUMNS).encode() + b"\r\n")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def level_of(time: float) -> str:
    from report.layout.ard_parts import level

    return level(time)


def value(text: str):
    """A stat cell as written: an int, a float (repr: it round-trips), text, or None (empty)."""
    if text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


@pytest.mark.parametrize("name", _trial_params())
def test_every_figure_of_every_part_is_a_row_with_the_same_value(ledgers, name):
    ledger = ledgers(name)
    rows = parsed(ard_csv(ledger))
    with_ard = [b for b in BLOCKS.values() if b.ard is not None]
    assert {"baseline", "results", "safety", "deaths"} <= {b.id for b in with_ard}
    for block in with_ard:
        for group1, level, group in groups(ledger):
            part = part_of(block, group)
            leaves = numbers(part)
            stats = [value(r["stat"]) for r in rows if r["block"] == block.id and r["group1_level"] == level]
            if part is None:
                assert not stats
                continue
            assert all(r["group1"] == group1 for r in rows if r["group1_level"] == level)
            written = Counter(s for s in stats if isinstance(s, (int, float)))
            # As many rows of each value as leaves of it (a row per figure), and no value the part lacks.
            missing = Counter(v for _, v in leaves) - written
            assert not missing, (block.id, level, [(path, v) for path, v in leaves if v in missing][:5])
            figures = {v for _, v in leaves}
            assert set(written) <= figures, (block.id, level, set(written) - figures)


@pytest.mark.parametrize("name", _trial_params())
def test_named_rows_hold_the_ledger_values_they_name(ledgers, name):
    ledger = ledgers(name)
    rows = ard_rows(ledger, BLOCKS.values())
    names = ledger["methods"]["variables"]

    def stat(block, level="", **where):
        [row] = [r for r in rows if r["block"] == block and r["group1_level"] == level
                 and all(r[k] == v for k, v in where.items())]
        return row["stat"]

    for _, level, group in groups(ledger):
        age = group["baseline"]["age"]
        if age is not None:
            assert stat("baseline", level, variable=names["age"], stat_name="mean") == age["mean"]
            assert stat("baseline", level, variable=names["age"], stat_name="max") == age["maximum"]
        for sex, share in (group["baseline"]["sex"] or {}).items():
            assert stat("baseline", level, variable=names["sex"], variable_level=sex, stat_name="n") == share["count"]
            assert stat("baseline", level, variable=names["sex"], variable_level=sex, stat_name="p") == share["proportion"]
        for endpoint, km in group["survival"].items():
            where = {"variable": endpoint, "variable_level": "0.5", "context": "survival_quantile"}
            assert stat("results", level, stat_name="estimate", **where) == km["median"]["estimate"]
            assert stat("results", level, stat_name="conf.high", **where) == km["median"]["ci_high"]
            assert stat("results", level, variable=endpoint, stat_name="n.event") == km["events"]
        safety = group["safety"]
        for term in safety["terms"] or ():
            where = {"context": "hierarchical", "variable": names["term"], "variable_level": term["term"]}
            assert stat("safety", level, stat_name="n", **where) == term["subjects"]
            assert stat("safety", level, stat_name="n.event", **where) == term["events"]
        if group["response"] is not None:
            responders = group["response"]["responders"]
            where = {"variable": names["best_response"], "variable_level": " or ".join(group["response"]["responder_codes"])}
            assert stat("results", level, stat_name="p", **where) == responders["proportion"]
            assert stat("results", level, stat_name="conf.low", **where) == responders["ci_low"]
    for endpoint, comparison in ledger["comparisons"].items():
        for ratio in comparison["hazard_ratios"]:
            where = {"variable": endpoint, "variable_level": f"{ratio['arm']} vs {ratio['reference']}"}
            assert stat("results", stat_name="estimate", **where) == ratio["hazard_ratio"]
            assert stat("results", stat_name="p.value", **where) == ratio["p_value"]
        for lc in comparison["landmark_differences"]:
            for lm in lc["landmarks"]:
                where = {"variable": endpoint, "variable_level": level_of(lm["time"]), "group2_level": lc["arm"],
                         "context": "landmark_difference"}
                assert stat("results", stat_name="estimate", **where) == lm["difference"]["estimate"]
                assert stat("results", stat_name="surv.reference", **where) == lm["reference_survival"]
        for key in ("likelihood_ratio", "wald", "score"):
            if comparison[key]:
                where = {"variable": endpoint, "variable_level": key}
                assert stat("results", stat_name="statistic", **where) == comparison[key]["statistic"]
                assert stat("results", stat_name="p.value", **where) == comparison[key]["p_value"]
    for c in (ledger["response_comparison"] or {}).get("arms", ()):
        where = {"variable": names["best_response"], "variable_level": f"{c['arm']} vs {c['reference']}"}
        for context, key in (("rate_difference", "estimate"), ("odds_ratio", "estimate"), ("cmh", "odds_ratio")):
            block = c[{"cmh": "mantel_haenszel"}.get(context, context)]
            if block is not None:
                assert stat("results", context=context, stat_name="estimate", **where) == block[key]
                assert stat("results", context=context, stat_name="p.value", **where) == block["p_value"]


def test_the_columns_their_order_and_the_cells_as_written(ledgers):
    ledger = ledgers("s1318")
    data = ard_csv(ledger)
    rows = parsed(data)
    assert tuple(csv.reader(io.StringIO(data.decode(), newline="")).__next__()) == COLUMNS
    assert COLUMNS == ("group1", "group1_level", "group2", "group2_level", "variable", "variable_level",
                       "block", "context", "stat_name", "stat", "stat_fmt")
    p = next(r for r in rows if r["stat_name"] == "p" and r["block"] == "results")
    assert repr(float(p["stat"])) == p["stat"] and "." in p["stat"] and p["stat_fmt"].endswith("%")
    n = next(r for r in rows if r["stat_name"] == "n" and r["block"] == "results")
    assert n["stat"].isdigit() and n["stat"] == n["stat_fmt"]
    assert data == ard_csv(ledger)  # the same ledger, the same bytes


def test_tidy_names_are_the_columns_and_adam_names_the_mapping(ledgers):
    tidy = ledgers("s1318")["methods"]["variables"]
    assert all(source == column for column, source in tidy.items() if not column.startswith("lab_"))
    assert tidy["age"] == "age" and (tidy["lab_test"], tidy["lab_grade"]) == ("test", "grade")  # labs.csv's names
    adam = ledgers("adam-example")
    names = adam["methods"]["variables"]
    assert (names["arm"], names["age"], names["sex"], names["term"], names["soc"]) == (
        "TRT01A", "AGE", "SEX", "AEDECOD", "AEBODSYS")
    assert names["grade"] == ("AETOXGR" if adam["methods"]["ae_grading"] == "ctcae" else "AESEV")
    rows = ard_rows(adam, BLOCKS.values())
    assert {r["group1"] for r in rows} == {"", "TRT01A"}
    assert {r["group1_level"] for r in rows} == {"", *adam["arms"]}
    assert {"AGE", "SEX", "AEDECOD", "AEBODSYS"} <= {r["variable"] for r in rows}


@PUBLIC
def test_pilot_grades_by_severity_under_its_variable(ledgers):
    pilot = ledgers("pilot")
    assert pilot["methods"]["variables"]["grade"] == "AESEV"
    rows = ard_rows(pilot, BLOCKS.values())
    worst = [r for r in rows if r["context"] == "worst_grade" and r["group1_level"] == "Placebo"]
    assert [r["variable"] for r in worst] == ["AESEV"] * len(worst)
    assert [r["stat"] for r in worst] == list(pilot["by_arm"]["Placebo"]["safety"]["by_worst_grade"].values())


def test_a_new_block_with_ard_appears_without_editing_the_writer(ledgers, monkeypatch):
    from report.blocks import catalogue
    from report.blocks.ledger import ard

    ledger = {**ledgers("adam-example")}
    ledger["by_arm"] = {arm: {**part, "extra": {"k": i}} for i, (arm, part) in enumerate(ledger["by_arm"].items())}
    ledger["extra"] = {"k": 41}

    def extra_ard(part: dict, _ledger: dict):
        return [Stat("continuous", "n", part["k"], str(part["k"]), "K")]

    block = Block("extra", "Extra", ("extra", "by_arm"), False, "partials/deaths.html.j2",
                  compute=lambda group: None, ard=extra_ard)
    monkeypatch.setitem(catalogue.BLOCKS, "extra", block)
    rows = [r for r in ard(ledger) if r["block"] == "extra"]
    assert [(r["group1_level"], r["stat"]) for r in rows] == [("", 41)] + [(a, i) for i, a in enumerate(ledger["arms"])]
    assert not [r for r in ard(ledger, open_side=True) if r["block"] == "extra"]  # not open-safe


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`trialreport` in its own process, its output as bytes (ard.csv's CRLF kept)."""
    return subprocess.run([sys.executable, "-m", "report", *args], cwd=cwd, capture_output=True,
                          env={**os.environ, **ENV}, timeout=300)


def test_analyze_ard_prints_the_bundles_ard_csv(tmp_path):
    built = _run("build", str(ADAM_EXAMPLE), "--format", "html", "--out", str(tmp_path))
    assert built.returncode == 0, built.stderr
    folder = next(tmp_path.glob("*/summary/*-v1"))
    printed = _run("analyze", str(ADAM_EXAMPLE), "--ard")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == (folder / "ard.csv").read_bytes()
    import json

    manifest = json.loads((folder / "manifest.json").read_text())
    assert "ard.csv" in {f["path"] for f in manifest["files"]}
    again = _run("build", str(ADAM_EXAMPLE), "--format", "html", "--out", str(tmp_path))
    assert again.returncode == 0, again.stderr
    assert (next(tmp_path.glob("*/summary/*-v2")) / "ard.csv").read_bytes() == printed.stdout


def test_open_dsmb_ard_holds_open_safe_blocks_for_all_patients_and_the_closed_one_is_encrypted(tmp_path):
    from report.kinds.kind import DSMB_OPEN

    trial = tmp_path / "trial"
    shutil.copytree(ADAM_EXAMPLE, trial)
    every = ", ".join(f'"{i}"' for i in DSMB_OPEN.valid())
    with (trial / "trial.toml").open("a", encoding="utf-8") as spec:
        spec.write(f"\n[report.dsmb_open]\nblocks = [{every}]\n")
    built = _run("build", str(trial), "--kind", "dsmb", "--out", str(tmp_path / "out"))
    assert built.returncode == 0, built.stderr
    folder = next((tmp_path / "out").glob("*/dsmb/*-v1"))
    text = (folder / "ard.csv").read_bytes()
    rows = parsed(text)
    open_safe = {b.id for b in BLOCKS.values() if b.open_safe}
    assert rows and {r["block"] for r in rows} <= open_safe
    assert {r["group1"] for r in rows} == {""} and {r["group1_level"] for r in rows} == {""}
    ledger = report.analyze(report.load_trial(ADAM_EXAMPLE)).to_dict()
    for arm in ledger["arms"]:
        assert arm.encode() not in text
    assert not [r for r in rows if r["context"] in ("proportion", "survival", "comparison", "survival_quantile")]
    with pikepdf.open(folder / "dsmb-open.pdf") as pdf:
        assert pdf.attachments["ard.csv"].get_file().read_bytes() == text
    with pikepdf.open(folder / "dsmb-closed.pdf", password=PASSWORD) as pdf:
        closed = parsed(pdf.attachments["ard-closed.csv"].get_file().read_bytes())
    assert {"results", "baseline", "safety"} <= {r["block"] for r in closed}
    assert set(ledger["arms"]) <= {r["group1_level"] for r in closed}
    assert not list(folder.glob("ard-closed*"))


def test_the_open_dsmb_ledgers_conduct_and_safety_figures_are_rows(ledgers):
    from report.kinds.dsmb import dsmb_ledgers

    trial = report.load_trial(ADAM_EXAMPLE)
    ledger = dsmb_ledgers(trial, report.analyze(trial), None).open_ledger()
    rows = parsed(ard_csv(ledger, open_side=True))
    d = ledger["dsmb"]
    for block, parts in (("status", (d["accrual"], d["disposition"])),
                         ("safety", (ledger["safety"], d["overview"], d["early_deaths"]))):
        written = Counter(value(r["stat"]) for r in rows if r["block"] == block and r["stat"] != "")
        leaves = [leaf for part in parts for leaf in numbers(part)]
        missing = Counter(v for _, v in leaves) - written
        assert not missing, (block, [(path, v) for path, v in leaves if v in missing][:5])
    assert {r["block"] for r in rows} == {"baseline", "status", "safety"}
    month = d["accrual"]["months"][-1]
    [cumulative] = [r for r in rows if r["variable_level"] == month["month"] and r["stat_name"] == "cumulative"]
    assert int(cumulative["stat"]) == month["cumulative"] == d["accrual"]["enrolled"]
