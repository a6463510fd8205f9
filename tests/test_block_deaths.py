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
from report.blocks.tables.deaths import BLOCK, NO_EXPOSURE, NOT_RECORDED, ard, table, view
from report.inputs.spec import load_spec
from report.kinds.kind import DSMB_CLOSED, DSMB_OPEN, SUMMARY, SUMMARY_BLOCKS, block_problems
from report.layout.collected import NOT_COLLECTED
from report.resources import bundled_trial

ROOT = Path(__file__).resolve().parents[1]
ADAM_EXAMPLE = ROOT / "data" / "adam-example"
WINDOWS = (28, 60)
HEADER = ["subject_id", "arm", "enrolled_on", "treated", "best_response", "died_on", "death_cause", "last_contact_on",
          "off_study_on"]
AFTER_LAST_DOSE = 21  # [analysis] deaths_after_last_dose_days in SPEC
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
deaths_after_last_dose_days = {AFTER_LAST_DOSE}
"""


def _subjects() -> list[list[str]]:
    """Three arms; arm C has no deaths; some untreated patients died (outside the safety
    population); some went off study before they died, others on the day."""
    rng, rows = random.Random(14), []
    for i in range(90):
        arm = "ABC"[i % 3]
        enrolled = pd.Timestamp("2020-01-01") + pd.Timedelta(days=rng.randrange(300))
        treated = rng.random() > 0.1
        dies = arm != "C" and rng.random() < 0.5
        died = enrolled + pd.Timedelta(days=rng.choice([5, 28, 29, 45, 60, 61, 200])) if dies else None
        last = died if dies else pd.Timestamp("2021-06-30")
        off = (died - pd.Timedelta(days=rng.choice([0, 0, 3]))) if dies else (last if rng.random() < 0.3 else None)
        rows.append([f"P{i:03d}", arm, enrolled.date().isoformat(), "true" if treated else "false", "NR",
                     died.date().isoformat() if dies else "", rng.choice(CAUSES) if dies else "", last.date().isoformat(),
                     off.date().isoformat() if off is not None and off >= enrolled else ""])
    return rows


def _exposure(subjects: list[list[str]]) -> list[list[str]]:
    """21-day cycles from 0-6 days after enrolment, the last ending 0-40 days before death; every
    tenth patient has no record (a treated patient who died among them: neither window)."""
    rng, rows = random.Random(15), []
    for i, (subject, _, enrolled, treated, _, died, *_rest) in enumerate(subjects):
        if treated != "true" or i % 10 == 3:
            continue
        start = pd.Timestamp(enrolled) + pd.Timedelta(days=rng.randrange(7))
        stop = pd.Timestamp(died) - pd.Timedelta(days=rng.choice([0, 10, 21, 22, 40])) if died else start + pd.Timedelta(days=90)
        cycle = 1
        while start <= stop:
            end = min(start + pd.Timedelta(days=20), stop)
            rows.append([subject, str(cycle), start.date().isoformat(), end.date().isoformat() if cycle % 4 else ""])
            start, cycle = start + pd.Timedelta(days=21), cycle + 1
    return rows


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("deaths") / "trial"
    folder.mkdir()
    (folder / "trial.toml").write_text(SPEC, encoding="utf-8")
    subjects = _subjects()
    for name, header, rows in (("subjects.csv", HEADER, subjects),
                               ("exposure.csv", ["subject_id", "cycle", "start_on", "end_on"], _exposure(subjects))):
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows([header, *rows])
    return folder


@pytest.fixture(scope="module")
def ledger(folder) -> dict:
    return report.analyze(report.load_trial(folder)).to_dict()


def _by_hand(treated: pd.Series, died: pd.Series, enrolled: pd.Series, cause: pd.Series, windows=WINDOWS,
             first: pd.Series | None = None, last: pd.Series | None = None, off: pd.Series | None = None,
             after_last_dose: int = 30) -> dict:
    """The deaths of a safety population, counted with pandas from the file's columns; `first`
    and `last`: each patient's first start and last dose (exposure collected), `off`: the
    off-study date (collected)."""
    safety = treated
    n = int(safety.sum())
    dead = safety & died.notna()
    causes = cause[dead].fillna(NOT_RECORDED).value_counts()
    days = (died[dead] - (enrolled[dead] if first is None else first[dead])).dt.days
    share = lambda count: {"count": int(count), "proportion": int(count) / n if n else None}  # noqa: E731
    since_last = (died[dead] - last[dead]).dt.days if last is not None else None
    after_off = (died[dead] - off[dead]).dt.days if off is not None else None
    return {
        "n": n,
        "deaths": share(dead.sum()),
        "causes": {c: share(k) for c, k in causes.items() if c != NOT_RECORDED},
        "cause_not_recorded": share(causes.get(NOT_RECORDED, 0)),
        "within_days": {str(w): share((days <= w).sum()) for w in windows},
        "within_days_from": "enrollment" if first is None else "first treatment",
        "last_dose_days": after_last_dose,
        "within_last_dose": None if last is None else share((since_last <= after_last_dose).sum()),
        "beyond_last_dose": None if last is None else share((since_last > after_last_dose).sum()),
        "without_exposure_record": None if last is None else share(since_last.isna().sum()),
        "on_study": None if off is None else share((after_off.isna() | (after_off <= 0)).sum()),
        "off_study": None if off is None else share((after_off > 0).sum()),
    }


def _treatment(exposure: pd.DataFrame, ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each patient's first start and last dose (last end, else start) from exposure rows."""
    end = exposure["end"].fillna(exposure["start"])
    first = exposure.groupby("subject")["start"].min()
    last = end.groupby(exposure["subject"]).max()
    return ids.map(first), ids.map(last)


def _expected_tidy(folder: Path) -> dict[str, dict]:
    raw = pd.read_csv(folder / "subjects.csv", dtype=str, keep_default_na=False)
    ex = pd.read_csv(folder / "exposure.csv", dtype=str, keep_default_na=False)
    exposure = pd.DataFrame({"subject": ex["subject_id"], "start": pd.to_datetime(ex["start_on"]),
                             "end": pd.to_datetime(ex["end_on"].replace("", None))})
    groups = {"Total": raw, **{arm: rows for arm, rows in raw.groupby("arm")}}
    expected = {}
    for name, rows in groups.items():
        first, last = _treatment(exposure, rows["subject_id"])
        expected[name] = _by_hand(rows["treated"] == "true", pd.to_datetime(rows["died_on"].replace("", None)),
                                  pd.to_datetime(rows["enrolled_on"]), rows["death_cause"].replace("", None),
                                  first=first, last=last, off=pd.to_datetime(rows["off_study_on"].replace("", None)),
                                  after_last_dose=AFTER_LAST_DOSE)
    return expected


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
    # and both sides of each window: within and beyond the last dose, on and off study, no record
    total = expected["Total"]
    for key in ("within_last_dose", "beyond_last_dose", "without_exposure_record", "on_study", "off_study"):
        assert total[key]["count"] > 0, key


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
    assert labels == ["All deaths", *causes, NOT_RECORDED, "Within 28 days of first treatment",
                      "Within 60 days of first treatment", "Within 21 days of the last dose",
                      "More than 21 days after the last dose", NO_EXPOSURE, "On study", "After going off study"]
    rows = {row.label: row.cells for row in laid.rows}
    assert all(cell == "0" for cell in (row[2] for row in rows.values()))  # arm C: zeros, not missing
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
    adex, _ = pyreadstat.read_xport(str(ADAM_EXAMPLE / "adex.xpt"))
    exposure = pd.DataFrame({"subject": adex["USUBJID"], "start": pd.to_datetime(adex["ASTDT"]),
                             "end": pd.to_datetime(adex["AENDT"])})
    ledger = report.analyze(report.load_trial(ADAM_EXAMPLE)).to_dict()
    groups = {"Total": adsl, **{arm: rows for arm, rows in adsl.groupby("TRT01A")}}
    for name, rows in groups.items():
        part = ledger["deaths"] if name == "Total" else ledger["by_arm"][name]["deaths"]
        first, last = _treatment(exposure, rows["USUBJID"])
        expected = _by_hand(rows["SAFFL"] == "Y", pd.to_datetime(rows["DTHDT"]), pd.to_datetime(rows["RANDDT"]),
                            rows["DTHCAUS"].replace("", None), windows=(28,),  # the spec's default window
                            first=first, last=last, off=pd.to_datetime(rows["EOSDT"]))
        assert _without_order(part) == _without_order(expected), name
    assert ledger["deaths"]["within_last_dose"]["count"] and ledger["deaths"]["beyond_last_dose"]["count"]


def test_the_note_says_from_when_windows_count(ledger, tmp_path):
    assert "counted in days from the first treatment" in view(ledger).note
    s1318 = report.analyze(report.load_trial()).to_dict()
    assert "counted in days from the first treatment" in view(s1318).note
    rows = {row.label: row.cells for row in table(s1318).rows}
    # 16 deaths of 29; the two deaths in remission during POMP maintenance are within 30 days of its last course
    assert rows["Within 30 days of the last dose"] == ("5 (17.2%)",)
    assert rows["More than 30 days after the last dose"] == ("11 (37.9%)",)
    assert "last end date of any treatment" in view(s1318).note
    assert rows["On study"] == ("5 (17.2%)",) and rows["After going off study"] == ("11 (37.9%)",)
    unexposed = tmp_path / "s1318"
    shutil.copytree(bundled_trial("s1318"), unexposed)
    (unexposed / "exposure.csv").unlink()
    without = report.analyze(report.load_trial(unexposed)).to_dict()
    assert "counted in days from enrollment (the data hold no exposure records)" in view(without).note
    rows = {row.label: row.cells for row in table(without).rows}
    assert rows["Within 30 days of the last dose"] == (NOT_COLLECTED,)


def test_a_death_during_a_later_treatment_counts_within_the_window_of_its_last_dose(tmp_path):
    """P1's induction cycle ended 100 days before death, its maintenance course 10 days before:
    the last dose is the maintenance's (the last of any treatment), within the 21 days; without
    the maintenance row the same death is more than 21 days after the last dose."""
    subjects = [HEADER, ["P1", "A", "2020-01-01", "true", "NR", "2020-05-10", "Sepsis", "2020-05-10", ""],
                ["P2", "A", "2020-01-01", "true", "NR", "", "", "2021-01-01", ""]]
    induction = [["P1", "Blinatumomab", "1", "2020-01-02", "2020-01-31"], ["P2", "Blinatumomab", "1", "2020-01-02", ""]]
    maintenance = [["P1", "POMP maintenance", "1", "2020-04-03", "2020-04-30"]]
    counts = {}
    for name, exposure in (("later", induction + maintenance), ("induction only", induction)):
        folder = tmp_path / name.replace(" ", "_")
        folder.mkdir()
        (folder / "trial.toml").write_text(SPEC, encoding="utf-8")
        for file, rows in (("subjects.csv", subjects),
                           ("exposure.csv", [["subject_id", "treatment", "cycle", "start_on", "end_on"], *exposure])):
            with (folder / file).open("w", newline="", encoding="utf-8") as handle:
                csv.writer(handle, lineterminator="\n").writerows(rows)
        part = report.analyze(report.load_trial(folder)).to_dict()["deaths"]
        counts[name] = (part["within_last_dose"]["count"], part["beyond_last_dose"]["count"])
    assert counts == {"later": (1, 0), "induction only": (0, 1)}  # 10 days after 30 April; 100 after 31 January


def test_the_ard_rows_carry_the_ledgers_numbers(ledger):
    for part in [ledger["deaths"], *(p["deaths"] for p in ledger["by_arm"].values())]:
        rows = {(r.variable_level, r.stat_name): r.stat for r in ard(part, ledger)}
        assert rows["all", "n"] == part["deaths"]["count"] and rows["all", "N"] == part["n"]
        assert rows["all", "p"] == part["deaths"]["proportion"]
        for cause, share in part["causes"].items():
            assert rows[cause, "n"] == share["count"] and rows[cause, "p"] == share["proportion"]
        for days, share in part["within_days"].items():
            assert rows[f"within {days} days of first treatment", "n"] == share["count"]
        assert rows["within 21 days of the last dose", "n"] == part["within_last_dose"]["count"]
        assert rows["more than 21 days after the last dose", "p"] == part["beyond_last_dose"]["proportion"]
        assert rows["after going off study", "n"] == part["off_study"]["count"]
    assert ard(None, ledger) == []


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


def test_the_summary_and_closed_pages_show_it_and_the_open_page_refuses_it(folder, tmp_path):
    assert not BLOCK.open_safe
    assert "deaths" in SUMMARY_BLOCKS and "deaths" in DSMB_CLOSED.blocks and "deaths" not in DSMB_OPEN.blocks
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
    assert default.index('id="toxicity"') < default.index('id="deaths"')  # after the adverse events


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


def test_an_arm_without_treated_patients_prints_a_dash(tmp_path, folder):
    data = tmp_path / "trial"
    shutil.copytree(folder, data)
    with (data / "subjects.csv").open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            ["P900", "D", "2020-02-01", "false", "NR", "2020-03-01", "Sepsis", "2020-03-01", ""])
    ledger = report.analyze(report.load_trial(data)).to_dict()
    assert ledger["by_arm"]["D"]["deaths"]["n"] == 0
    laid = table(ledger)
    assert laid.columns[3] == "D" and {row.cells[3] for row in laid.rows} == {"-"}
