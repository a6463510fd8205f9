"""The deaths block (DTHT01; report/blocks/tables/deaths.py): its counts against counts made
here by hand from the files (pandas and pyreadstat, not the package's readers), its table,
"not collected", and a trial asking for it."""
from __future__ import annotations

import csv
import json
import random
import shutil
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

import report
from report.blocks.tables.deaths import BLOCK, NOT_RECORDED, table
from report.inputs.spec import load_spec
from report.kinds.kind import DSMB_CLOSED, DSMB_OPEN, SUMMARY, SUMMARY_BLOCKS, block_problems
from report.layout.collected import NOT_COLLECTED
from report.resources import bundled_trial

ROOT = Path(__file__).resolve().parents[1]
ADAM_EXAMPLE = ROOT / "data" / "adam-example"
WINDOWS = (28, 60)
HEADER = ["subject_id", "arm", "enrolled_on", "treated", "best_response", "died_on", "death_cause", "last_contact_on"]
CAUSES = ("Relapsed leukemia", "Sepsis", "Refractory leukemia", "")  # "": a death whose cause is missing
SPEC = f"""
[trial]
id = "T-DEATHS"
title = "Three arms, one without deaths"

[study]
population = "Adults"
background = "Background."

[analysis]
responders = ["CR"]
early_death_days = {list(WINDOWS)}
"""


def _subjects() -> list[list[str]]:
    """Three arms; arm C has no deaths; some untreated patients died (outside the safety population)."""
    rng, rows = random.Random(14), []
    for i in range(90):
        arm = "ABC"[i % 3]
        enrolled = pd.Timestamp("2020-01-01") + pd.Timedelta(days=rng.randrange(300))
        treated = rng.random() > 0.1
        dies = arm != "C" and rng.random() < 0.5
        died = enrolled + pd.Timedelta(days=rng.choice([5, 28, 29, 45, 60, 61, 200])) if dies else None
        last = died if dies else pd.Timestamp("2021-06-30")
        rows.append([f"P{i:03d}", arm, enrolled.date().isoformat(), "true" if treated else "false", "NR",
                     died.date().isoformat() if dies else "", rng.choice(CAUSES) if dies else "", last.date().isoformat()])
    return rows


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("deaths") / "trial"
    folder.mkdir()
    (folder / "trial.toml").write_text(SPEC, encoding="utf-8")
    with (folder / "subjects.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerows([HEADER, *_subjects()])
    return folder


@pytest.fixture(scope="module")
def ledger(folder) -> dict:
    return report.analyze(report.load_trial(folder)).to_dict()


def _by_hand(treated: pd.Series, died: pd.Series, enrolled: pd.Series, cause: pd.Series, windows=WINDOWS) -> dict:
    """The deaths of a safety population, counted with pandas from the file's columns."""
    safety = treated
    n = int(safety.sum())
    dead = safety & died.notna()
    causes = cause[dead].fillna(NOT_RECORDED).value_counts()
    days = (died[dead] - enrolled[dead]).dt.days
    share = lambda count: {"count": int(count), "proportion": int(count) / n if n else None}  # noqa: E731
    return {
        "n": n,
        "deaths": share(dead.sum()),
        "causes": {c: share(k) for c, k in causes.items() if c != NOT_RECORDED},
        "cause_not_recorded": share(causes.get(NOT_RECORDED, 0)),
        "within_days": {str(w): share((days <= w).sum()) for w in windows},
    }


def _expected_tidy(folder: Path) -> dict[str, dict]:
    raw = pd.read_csv(folder / "subjects.csv", dtype=str, keep_default_na=False)
    groups = {"Total": raw, **{arm: rows for arm, rows in raw.groupby("arm")}}
    return {name: _by_hand(rows["treated"] == "true", pd.to_datetime(rows["died_on"].replace("", None)),
                           pd.to_datetime(rows["enrolled_on"]), rows["death_cause"].replace("", None))
            for name, rows in groups.items()}


def _without_order(part: dict) -> dict:
    return {**part, "causes": dict(sorted(part["causes"].items()))} if part and part["causes"] is not None else part


def test_counts_equal_counts_made_by_hand(ledger, folder):
    expected = _expected_tidy(folder)
    assert _without_order(ledger["deaths"]) == _without_order(expected["Total"])
    assert ledger["arms"] == ["A", "B", "C"]
    for arm in ledger["arms"]:
        assert _without_order(ledger["by_arm"][arm]["deaths"]) == _without_order(expected[arm]), arm
    # the file has what the test is about: a missing cause, an arm without deaths, untreated deaths
    assert expected["Total"]["cause_not_recorded"]["count"] > 0
    assert expected["C"]["deaths"]["count"] == 0 and expected["C"]["n"] > 0
    raw = pd.read_csv(folder / "subjects.csv", dtype=str, keep_default_na=False)
    assert ((raw["treated"] == "false") & (raw["died_on"] != "")).any()


def test_causes_are_most_frequent_first(ledger):
    counts = [share["count"] for share in ledger["deaths"]["causes"].values()]
    assert counts == sorted(counts, reverse=True)


def test_the_table_has_a_column_per_arm_and_the_total(ledger):
    laid = table(ledger)
    assert laid.columns == ("A", "B", "C", "Total")
    n = {arm: ledger["by_arm"][arm]["deaths"]["n"] for arm in ledger["arms"]}
    assert laid.counts == tuple(f"N = {k}" for k in (*n.values(), ledger["deaths"]["n"]))
    labels = [row.label for row in laid.rows]
    causes = list(ledger["deaths"]["causes"])
    assert labels == ["All deaths", *causes, NOT_RECORDED, "Within 28 days of registration",
                      "Within 60 days of registration"]
    rows = {row.label: row.cells for row in laid.rows}
    assert all(cell == "0 (0.0%)" for cell in (row[2] for row in rows.values()))  # arm C: zeros, not missing
    total = ledger["deaths"]["deaths"]
    assert rows["All deaths"][3] == f"{total['count']} ({100 * total['proportion']:.1f}%)"
    arm_a = ledger["by_arm"]["A"]["deaths"]["cause_not_recorded"]
    assert rows[NOT_RECORDED][0] == f"{arm_a['count']} ({100 * arm_a['proportion']:.1f}%)"


def test_a_single_arm_trial_has_the_total_column_only():
    ledger = report.analyze(report.load_trial()).to_dict()
    laid = table(ledger)
    assert laid.columns == ("Total",) and ledger["by_arm"] == {}
    assert laid.rows[0].cells == ("16 (55.2%)",)  # 16 of the 29 treated patients of S1318
    assert NOT_RECORDED not in [row.label for row in laid.rows]  # every S1318 death has its cause


def test_the_adam_example_counts_equal_counts_from_the_xpt_files():
    adsl, _ = pyreadstat.read_xport(str(ADAM_EXAMPLE / "adsl.xpt"))
    ledger = report.analyze(report.load_trial(ADAM_EXAMPLE)).to_dict()
    groups = {"Total": adsl, **{arm: rows for arm, rows in adsl.groupby("TRT01A")}}
    for name, rows in groups.items():
        part = ledger["deaths"] if name == "Total" else ledger["by_arm"][name]["deaths"]
        expected = _by_hand(rows["SAFFL"] == "Y", pd.to_datetime(rows["DTHDT"]), pd.to_datetime(rows["RANDDT"]),
                            rows["DTHCAUS"].replace("", None), windows=(28,))  # the spec's default window
        assert _without_order(part) == _without_order(expected), name


# ------------------------------------------------------------------ not collected


def test_no_death_date_in_the_data_is_not_collected(tmp_path):
    data = tmp_path / "trial"
    shutil.copytree(ADAM_EXAMPLE, data)
    adsl, meta = pyreadstat.read_xport(str(data / "adsl.xpt"))
    pyreadstat.write_xport(adsl.drop(columns=["DTHDT", "DTHFL"]), str(data / "adsl.xpt"), table_name="ADSL")
    trial = report.load_trial(data)
    assert "died_on" in trial.not_collected
    ledger = report.analyze(trial).to_dict()
    assert ledger["deaths"] is None and all(part["deaths"] is None for part in ledger["by_arm"].values())
    laid = table(ledger)
    assert [(row.label, set(row.cells)) for row in laid.rows] == [("Deaths", {NOT_COLLECTED})]


def test_no_cause_column_is_not_collected_not_missing(tmp_path, folder):
    data = tmp_path / "trial"
    shutil.copytree(folder, data)
    raw = pd.read_csv(data / "subjects.csv", dtype=str, keep_default_na=False).drop(columns=["death_cause"])
    raw.to_csv(data / "subjects.csv", index=False)
    ledger = report.analyze(report.load_trial(data)).to_dict()
    assert ledger["deaths"]["causes"] is None and ledger["deaths"]["cause_not_recorded"] is None
    assert ledger["deaths"]["deaths"]["count"] > 0
    rows = {row.label: row.cells for row in table(ledger).rows}
    assert set(rows["Primary cause"]) == {NOT_COLLECTED} and NOT_RECORDED not in rows


# ------------------------------------------------------------------ a trial asks for it


def test_no_default_page_shows_it_and_the_open_page_refuses_it(folder, tmp_path):
    assert not BLOCK.open_safe
    assert "deaths" not in SUMMARY_BLOCKS + DSMB_OPEN.blocks + DSMB_CLOSED.blocks
    assert "deaths" in SUMMARY.valid() and "deaths" in DSMB_CLOSED.valid() and "deaths" not in DSMB_OPEN.valid()
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    (spec_dir / "trial.toml").write_text(SPEC + '\n[report.dsmb_open]\nblocks = ["title", "deaths"]\n'
                                         '[report.dsmb_closed]\nblocks = ["title", "deaths"]\n', encoding="utf-8")
    problems = block_problems(load_spec(spec_dir))
    assert [p.message.split(":")[0] for p in problems] == ["report.dsmb_open.blocks[1]"]
    assert "'deaths' is not open-safe" in problems[0].message


def _build_html(folder: Path, out: Path, blocks: str | None, kind: str = "summary") -> dict[str, str]:
    spec = folder / "trial.toml"
    if blocks is not None:
        key = "summary" if kind == "summary" else "dsmb_closed"
        spec.write_text(spec.read_text(encoding="utf-8") + f"\n[report.{key}]\nblocks = {blocks}\n", encoding="utf-8")
    bundle = report.build(report.load_trial(folder), kind=kind, formats=("html",), out=out, encrypt=False)
    return {p.name: p.read_text(encoding="utf-8") for p in bundle.files if p.suffix in (".html", ".json")}


def test_a_summary_that_asks_for_it_shows_it_where_asked(tmp_path, folder):
    data = tmp_path / "trial"
    shutil.copytree(folder, data)
    html = _build_html(data, tmp_path / "out", '["masthead", "deaths", "methods"]')["summary.html"]
    assert html.index('id="deaths"') < html.index('id="methods"')
    section = html.split('<section id="deaths">')[1].split("</section>")[0]
    assert "Deaths, safety population" in section and NOT_RECORDED in section
    for cell in table(report.analyze(report.load_trial(data)).to_dict()).rows[0].cells:
        assert f"<td>{cell}</td>" in section
    default = _build_html(bundled_trial("s1318"), tmp_path / "default", None)["summary.html"]
    assert 'id="deaths"' not in default


def test_the_closed_dsmb_report_shows_it_by_arm(tmp_path, folder):
    data = tmp_path / "trial"
    shutil.copytree(folder, data)
    html = _build_html(data, tmp_path / "out", '["title", "deaths"]', kind="dsmb")
    section = html["dsmb-closed.html"].split('<section id="deaths">')[1].split("</section>")[0]
    assert all(f">{arm}<" in section for arm in ("A", "B", "C", "Total"))
    assert 'id="deaths"' not in html["dsmb-open.html"]
    open_ledger = json.loads(html["results.json"])  # the bundle's results.json is the open ledger
    assert open_ledger["report"] == "dsmb-open" and "deaths" not in open_ledger
    assert all("deaths" not in part for part in open_ledger.get("by_arm", {}).values())
