"""ars.json: the bundle's figures as a CDISC Analysis Results Standard (ARS v1.0) ReportingEvent,
built from the same rows as ard.csv.

For the S1318 example, the CDISC pilot and random.cdisc.data, each built as a user builds it:
ars.json validates against the ARS v1.0 JSON schema (/work/shared/standards, MIT); every row of
the bundle's ard.csv is one OperationResult and every OperationResult one row; ten rows drawn
at random (seeded) are found again through their analysis, groupings and operation, with the
same raw value (the pilot's published tables: tests/test_ars_pilot.py). A broken ledger gives no ars.json: the builder refuses it (BrokenLedger), and a
hand-broken ReportingEvent fails the schema.
"""
from __future__ import annotations

import copy
import csv
import io
import json
import random
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

import report
from conftest import EXAMPLE, run_cli
from report.blocks.ars import BrokenLedger, Report, reporting_event
from test_adam import PILOT, RANDOM
from test_ae_tables_pilot import ARMS

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "standards" / "ars_ldm.schema.json"
ENV = {"SOURCE_DATE_EPOCH": "1735689600"}
PUBLIC = pytest.mark.needs("public-data")
TRIALS = {"s1318": EXAMPLE, "pilot": PILOT, "random-cdisc": RANDOM}


def _trial_params():
    return [pytest.param(name, marks=PUBLIC) if name != "s1318" else name for name in TRIALS]


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def summary_bundle(trial: Path, out: Path) -> Path:
    """The trial's summary bundle (HTML only), built as a user builds it."""
    result = run_cli("build", str(trial), "--format", "html", "--out", str(out), env=ENV)
    assert result.returncode == 0, result.stderr
    return next(out.glob("*/summary/*-v1"))


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    """Each trial's summary bundle, built once."""
    built: dict[str, Path] = {}

    def bundle(name: str) -> Path:
        if name not in built:
            built[name] = summary_bundle(TRIALS[name], tmp_path_factory.mktemp(name))
        return built[name]

    return bundle


class Event:
    """A ReportingEvent read back: its analyses found by block, kind and variable; a result by operation and groups."""

    def __init__(self, event: dict):
        self.event = event
        self.labels = {c["id"]: c["label"] for cz in event["analysisOutputCategorizations"] for c in cz["categories"]}
        self.operations = {o["id"]: o["label"] for m in event["methods"] for o in m["operations"]}
        self.methods = {m["id"]: m for m in event["methods"]}
        self.groupings = {g["id"]: g for g in event["analysisGroupings"]}
        self.groups = {grp["id"]: grp["name"] for g in event["analysisGroupings"] for grp in g.get("groups", ())}

    def analyses(self, block: str, context: str, variable: str = "") -> list[dict]:
        return [a for a in self.event["analyses"] if [self.labels[c] for c in a["categoryIds"]] == [block, context]
                and a.get("variable", "") == variable]

    def levels(self, result: dict) -> tuple[str, ...]:
        """The result's groups in order, by name or value; the total column (a grouping without a group) left out."""
        return tuple(self.groups[g["groupId"]] if "groupId" in g else g["groupValue"]
                     for g in result["resultGroups"] if len(g) > 1 and (g.get("groupValue") != ""))

    def keys(self) -> Counter:
        """Every OperationResult as (block, context, variable, operation, groups, raw, formatted)."""
        return Counter((*[self.labels[c] for c in a["categoryIds"]], a.get("variable", ""),
                        self.operations[r["operationId"]], self.levels(r), r.get("rawValue"), r["formattedValue"])
                       for a in self.event["analyses"] for r in a["results"])

    def find(self, block: str, context: str, variable: str, stat_name: str, *levels: str, method: str | None = None) -> dict:
        """The one result of an analysis (of `method`, where given) whose operation computes `stat_name` for `levels`."""
        found = [r for a in self.analyses(block, context, variable)
                 if method is None or method in self.methods[a["methodId"]]["name"]
                 for r in a["results"] if self.operations[r["operationId"]] == stat_name
                 and self.levels(r) == tuple(x for x in levels if x)]
        assert len(found) == 1, (block, context, variable, stat_name, levels, len(found))
        return found[0]

    def value(self, *args, **kwargs) -> float:
        return float(self.find(*args, **kwargs)["rawValue"])


def ard_rows(folder: Path) -> list[dict]:
    """ard.csv's rows, each text cell as the ledger holds it (without the `'` that keeps a
    leading `-` or `=` inert in a spreadsheet, report.render.spreadsheet)."""
    rows = csv.DictReader(io.StringIO((folder / "ard.csv").read_text(encoding="utf-8"), newline=""))
    return [{k: _unsafe(v) for k, v in row.items()} for row in rows]


def _unsafe(cell: str) -> str:
    from report.render.spreadsheet import FORMULA_STARTS

    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def ard_keys(rows: list[dict]) -> Counter:
    return Counter((r["block"], r["context"], r["variable"], r["stat_name"],
                    tuple(x for x in (r["group1_level"], r["group2_level"], r["variable_level"]) if x),
                    r["stat"] if r["stat"] != "" else None, r["stat_fmt"]) for r in rows)


def read(folder: Path) -> Event:
    return Event(json.loads((folder / "ars.json").read_text(encoding="utf-8")))


# ----------------------------------------------------------------------------- every build

@pytest.mark.parametrize("name", _trial_params())
def test_the_bundles_ars_json_validates_against_the_ars_schema(bundles, validator, name):
    event = read(bundles(name)).event
    errors = sorted(validator.iter_errors(event), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5]]
    assert event["outputs"][0]["fileSpecifications"] == [{"name": "summary.html", "location": "summary.html"}]
    displays = [d["display"]["label"] for d in event["outputs"][0]["displays"]]
    assert "demographics" in displays and displays[-1] == "methods"
    listed = event["mainListOfContents"]["contentsList"]["listItems"]
    assert listed[0]["outputId"] == "Out_summary"
    in_contents = [item["analysisId"] for top in listed for item in _items(top) if "analysisId" in item]
    assert sorted(in_contents) == sorted(a["id"] for a in event["analyses"])  # each analysis listed once


def _items(item: dict):
    yield item
    for child in (item.get("sublist") or {}).get("listItems", ()):
        yield from _items(child)


@pytest.mark.parametrize("name", _trial_params())
def test_every_ard_row_is_one_operation_result_and_every_result_a_row(bundles, name):
    folder = bundles(name)
    rows, event = ard_rows(folder), read(folder)
    results = [r for a in event.event["analyses"] for r in a["results"]]
    assert len(results) == len(rows)
    assert event.keys() == ard_keys(rows)


@pytest.mark.parametrize("name", _trial_params())
def test_ten_random_figures_read_back_with_the_same_raw_value(bundles, name):
    folder = bundles(name)
    event, ledger = read(folder), json.loads((folder / "results.json").read_text(encoding="utf-8"))
    arm = ledger["methods"]["variables"]["arm"]
    for row in random.Random(f"ars-{name}").sample(ard_rows(folder), 10):
        levels = (row["group1_level"], row["group2_level"], row["variable_level"])
        found = event.find(row["block"], row["context"], row["variable"], row["stat_name"], *levels)
        assert found.get("rawValue", "") == row["stat"] and found["formattedValue"] == row["stat_fmt"]
        if row["stat"] and row["stat_name"] not in ("method", "strata"):
            assert repr(float(found["rawValue"])) == repr(float(row["stat"]))  # the same float, read back
        arms = [event.groups[g["groupId"]] for g in found["resultGroups"] if "groupId" in g]  # the treatment grouping's
        assert arms == [level for variable, level in ((row["group1"], row["group1_level"]),
                                                      (row["group2"], row["group2_level"])) if variable == arm]


def test_the_where_clauses_name_the_sources_variables(bundles):
    tidy = read(bundles("s1318")).event
    sets = {s["id"]: s for s in tidy["analysisSets"]}
    assert sets["AnalysisSet_safety"]["condition"] == {"dataset": "subjects", "variable": "treated", "comparator": "EQ",
                                                        "value": ["true"]}
    clauses = sets["AnalysisSet_efficacy"]["compoundExpression"]["whereClauses"]
    assert [c["condition"]["variable"] for c in clauses] == ["eligible", "treated"]
    assert not [g for g in tidy["analysisGroupings"] if not g["dataDriven"]]  # single arm: no treatment grouping


@PUBLIC
def test_the_pilots_sets_subset_and_arms_are_adam_where_clauses(bundles):
    pilot = read(bundles("pilot")).event
    sets = {s["id"]: s.get("condition") for s in pilot["analysisSets"]}
    assert sets["AnalysisSet_safety"] == {"dataset": "ADSL", "variable": "SAFFL", "comparator": "EQ", "value": ["Y"]}
    assert sets["AnalysisSet_itt"] == {"dataset": "ADSL", "variable": "ITTFL", "comparator": "EQ", "value": ["Y"]}
    assert pilot["dataSubsets"][0]["condition"] == {"dataset": "ADAE", "variable": "TRTEMFL", "comparator": "EQ",
                                                    "value": ["Y"]}
    treatment = next(g for g in pilot["analysisGroupings"] if not g["dataDriven"])
    assert treatment["groupingVariable"] == "TRT01A"
    assert [(g["name"], g["condition"]["value"]) for g in treatment["groups"]] == [(a, [a]) for a in ARMS]
    demographics = [a for a in pilot["analyses"] if a["id"].endswith("_demographics")]
    assert {a["analysisSetId"] for a in demographics} == {"AnalysisSet_itt"}
    ae = [a for a in pilot["analyses"] if a["id"].endswith("_ae_soc_pt")]
    assert {(a["analysisSetId"], a["dataSubsetId"], a["dataset"]) for a in ae} == {("AnalysisSet_safety", "Dss_TEAE", "ADAE")}


# ----------------------------------------------------------------------------- a broken ledger

@pytest.fixture(scope="module")
def example_ledger() -> dict:
    return report.analyze(report.load_trial(EXAMPLE)).to_dict()


def test_a_ledger_without_a_proportion_is_refused(example_ledger):
    broken = copy.deepcopy(example_ledger)
    del broken["safety"]["any_event"]["proportion"]
    with pytest.raises(BrokenLedger, match="proportion"):
        reporting_event(broken, Report("summary", "Trial summary"))


@pytest.mark.parametrize("value", ["many", float("nan"), True, [1]])
def test_a_ledger_with_no_number_where_one_belongs_is_refused(example_ledger, value):
    broken = copy.deepcopy(example_ledger)
    broken["safety"]["any_event"]["subjects"] = value
    with pytest.raises(BrokenLedger, match="any"):
        reporting_event(broken, Report("summary", "Trial summary"))


def test_the_schema_refuses_a_broken_reporting_event(example_ledger, validator):
    event = reporting_event(example_ledger, Report("summary", "Trial summary"))
    assert not list(validator.iter_errors(event))
    result = event["analyses"][0]["results"][0]
    for broken in ({**result, "rawValue": 12}, {k: v for k, v in result.items() if k != "operationId"},
                   {**result, "resultGroups": [{"groupId": "x"}]}):
        damaged = copy.deepcopy(event)
        damaged["analyses"][0]["results"][0] = broken
        assert list(validator.iter_errors(damaged))
    damaged = copy.deepcopy(event)
    del damaged["analyses"][0]["methodId"]
    assert list(validator.iter_errors(damaged))


# ----------------------------------------------------------------------------- the CLI and the same bytes

def test_analyze_ars_prints_the_reporting_event_and_the_same_ledger_gives_the_same_bytes(bundles, validator):
    printed = run_cli("analyze", str(EXAMPLE), "--ars", env=ENV)
    assert printed.returncode == 0, printed.stderr
    event = json.loads(printed.stdout)
    assert not list(validator.iter_errors(event))
    built = read(bundles("s1318")).event
    assert event["analyses"] == built["analyses"] and event["methods"] == built["methods"]
    assert "fileSpecifications" not in event["outputs"][0]  # nothing written
    again = run_cli("analyze", str(EXAMPLE), "--ars", env=ENV)
    assert again.stdout == printed.stdout
    both = run_cli("analyze", str(EXAMPLE), "--ars", "--ard", env=ENV)
    assert both.returncode == 2 and "--ard and --ars" in both.stderr


# ----------------------------------------------------------------------------- the DSMB bundle

def test_open_dsmb_ars_holds_the_open_ard_rows_only_and_the_closed_one_is_encrypted(tmp_path, validator):
    import shutil

    import pikepdf

    from report.kinds.kind import DSMB_OPEN
    from test_ard import ADAM_EXAMPLE, PASSWORD

    trial = tmp_path / "trial"
    shutil.copytree(ADAM_EXAMPLE, trial)
    every = ", ".join(f'"{i}"' for i in DSMB_OPEN.valid())
    with (trial / "trial.toml").open("a", encoding="utf-8") as spec:
        spec.write(f"\n[report.dsmb_open]\nblocks = [{every}]\n")
    built = run_cli("build", str(trial), "--kind", "dsmb", "--out", str(tmp_path / "out"),
                    env={**ENV, "TRIALREPORT_CLOSED_PASSWORD": PASSWORD})
    assert built.returncode == 0, built.stderr
    folder = next((tmp_path / "out").glob("*/dsmb/*-v1"))
    text, event = (folder / "ars.json").read_bytes(), read(folder)
    assert not list(validator.iter_errors(event.event))
    assert event.keys() == ard_keys(ard_rows(folder))
    assert {event.labels[a["categoryIds"][0]] for a in event.event["analyses"]} <= {"baseline", "status", "safety"}
    assert not [g for g in event.event["analysisGroupings"] if not g["dataDriven"]]  # no treatment grouping
    for arm in report.analyze(report.load_trial(ADAM_EXAMPLE)).to_dict()["arms"]:
        assert arm.encode() not in text
    shown = [d["display"]["label"] for d in event.event["outputs"][0]["displays"]]
    assert {"title", "status", "safety"} <= set(shown) <= set(DSMB_OPEN.valid())
    with pikepdf.open(folder / "dsmb-closed.pdf", password=PASSWORD) as pdf:
        closed = pdf.attachments["ars-closed.json"].get_file().read_bytes()
    closed_event = Event(json.loads(closed))
    assert not list(validator.iter_errors(closed_event.event))
    assert {"results", "baseline", "safety"} <= {closed_event.labels[a["categoryIds"][0]] for a in closed_event.event["analyses"]}
    assert [g for g in closed_event.event["analysisGroupings"] if not g["dataDriven"]]  # by arm
    assert not list(folder.glob("ars-closed*"))


@pytest.mark.parametrize("name", _trial_params())
def test_the_displays_footnotes_and_legends_are_the_reports_text(bundles, name):
    import html
    import re

    folder = bundles(name)
    printed = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", (folder / "summary.html").read_text(encoding="utf-8"))).split())
    printed = printed.replace(" ", "")
    displays = [d["display"] for d in read(folder).event["outputs"][0]["displays"]]
    texts = [(d["label"], s["sectionType"], x["subSection"]["text"]) for d in displays for s in d["displaySections"]
             for x in s["orderedSubSections"] if s["sectionType"] in ("Footnote", "Legend") or x["order"] > 1]
    # (a display's first title is its block's, which a report may not print: "Masthead")
    assert len({label for label, _, _ in texts}) >= 4
    missing = [t for t in texts if t[2].replace(" ", "") not in printed]
    assert not missing, missing[:3]


def test_the_abstract_bundle_holds_its_ars_json(tmp_path, validator):
    built = run_cli("build", str(EXAMPLE), "--kind", "abstract", "--format", "txt", "--out", str(tmp_path), env=ENV)
    assert built.returncode == 0, built.stderr
    folder = next(tmp_path.glob("*/abstract/*-v1"))
    event = read(folder)
    assert not list(validator.iter_errors(event.event))
    assert event.keys() == ard_keys(ard_rows(folder))
    output = event.event["outputs"][0]
    assert output["fileSpecifications"] == [{"name": "abstract.txt", "location": "abstract.txt",
                                             "fileType": {"controlledTerm": "txt"}}]
    assert [d["display"]["label"] for d in output["displays"]][0] == "abstract_background"
