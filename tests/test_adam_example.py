"""The shipped synthetic ADaM example (data/adam-example): reproducible from its script, and
built through the CLI exactly as the README says, with figures equal to counts made by hand
from the XPT files (pyreadstat and plain Python, not the package's ADaM reader)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyreadstat
import pytest

import report
from conftest import run_cli
from report.resources import bundled_trial

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "adam-example"
DATASETS = ("adsl", "adtte", "adrs", "adae", "adex", "adlb")
ARMS = ("Chemotherapy", "Examplinib + chemotherapy")
ENV = {"SOURCE_DATE_EPOCH": "1735689600"}


def test_generate_reproduces_the_committed_files_byte_for_byte(tmp_path):
    shutil.copy(EXAMPLE / "generate.py", tmp_path / "generate.py")
    subprocess.run([sys.executable, str(tmp_path / "generate.py")], check=True, timeout=120)
    for name in DATASETS:
        written, committed = (tmp_path / f"{name}.xpt").read_bytes(), (EXAMPLE / f"{name}.xpt").read_bytes()
        assert written == committed, f"{name}.xpt differs from the committed file"


def test_header_dates_are_fixed_whatever_the_clock():
    sys.path.insert(0, str(EXAMPLE))
    try:
        from generate import HEADER_DATE, fixed_header_dates
    finally:
        sys.path.remove(str(EXAMPLE))
    data = (EXAMPLE / "adsl.xpt").read_bytes()
    assert data.count(HEADER_DATE) == 4  # library and member headers, created and modified
    clocked = data.replace(HEADER_DATE, b"02DEC26:15:41:47", 3)
    assert fixed_header_dates(clocked) == data
    assert pyreadstat.read_xport(str(EXAMPLE / "adsl.xpt"), metadataonly=True)[1].table_name == "ADSL"


def read(name: str):
    return pyreadstat.read_xport(str(EXAMPLE / f"{name}.xpt"))[0].to_dict("records")


def hand_counts() -> dict[str, dict]:
    """Per arm, the figures counted straight from the datasets."""
    adsl = read("adsl")
    arm = {s["USUBJID"]: s["TRT01A"] for s in adsl}
    itt = {s["USUBJID"] for s in adsl if s["ITTFL"] == "Y"}
    safety = {s["USUBJID"] for s in adsl if s["SAFFL"] == "Y"}
    emergent = [a for a in read("adae") if a["TRTEMFL"] == "Y" and a["USUBJID"] in safety]
    tte = [t for t in read("adtte") if t["USUBJID"] in itt]
    counts = {}
    for name in ARMS:
        mine = lambda ids: {i for i in ids if arm[i] == name}  # noqa: E731
        events = [a for a in emergent if arm[a["USUBJID"]] == name]
        counts[name] = {
            "n": len(mine(itt)), "safety": len(mine(safety)),
            "responders": sum(1 for r in read("adrs") if r["PARAMCD"] == "BOR" and r["USUBJID"] in mine(itt)
                              and r["AVALC"] in ("CR", "PR")),
            "ae_subjects": len({a["USUBJID"] for a in events}), "ae_events": len(events),
            "grade_3_plus": len({a["USUBJID"] for a in events if int(a["AETOXGR"]) >= 3}),
            "worst_grade": Counter(max(int(a["AETOXGR"]) for a in events if a["USUBJID"] == s)
                                   for s in {a["USUBJID"] for a in events}),
        }
        for paramcd in ("OS", "PFS"):
            rows = [(t["AVAL"], t["CNSR"] == 0) for t in tte if t["PARAMCD"] == paramcd and arm[t["USUBJID"]] == name]
            counts[name][paramcd.lower()] = {"n": len(rows), "events": sum(e for _, e in rows), "median_days": km_median(rows)}
    return counts


def test_adex_lies_within_each_patients_treatment_and_the_ledger_counts_it():
    """ADEX: cycles of treated patients only, numbered 1, 2, ... in date order, between TRTSDT
    and TRTEDT; the ledger's exposure and disposition equal the counts from the files."""
    adsl = {s["USUBJID"]: s for s in read("adsl")}
    adex = read("adex")
    by_patient: dict[str, list[dict]] = {}
    for record in adex:
        by_patient.setdefault(record["USUBJID"], []).append(record)
    assert set(by_patient) == {i for i, s in adsl.items() if s["SAFFL"] == "Y"}
    for subject, records in by_patient.items():
        assert [r["AVISITN"] for r in records] == list(range(1, len(records) + 1))
        assert records[0]["ASTDT"] == adsl[subject]["TRTSDT"] and records[-1]["AENDT"] <= adsl[subject]["TRTEDT"]
    ledger = report.analyze(report.load_trial(EXAMPLE)).to_dict()
    assert ledger["exposure"]["with_records"] == len(by_patient)
    assert ledger["exposure"]["modifications"]["delayed"]["count"] == len(
        {r["USUBJID"] for r in adex if "DELAYED" in r["EXACTN"]})
    assert ledger["disposition"]["status"]["ongoing"]["count"] == sum(s["EOSSTT"] == "ONGOING" for s in adsl.values())
    assert all((s["EOSDT"] is None or s["EOSDT"] != s["EOSDT"]) == (s["EOSSTT"] == "ONGOING") for s in adsl.values())


def km_median(rows: list[tuple[float, bool]]) -> float | None:
    """The smallest time at which the product-limit estimate falls to 0.5 or below."""
    survival = 1.0
    for time in sorted({t for t, event in rows if event}):
        at_risk = sum(1 for t, _ in rows if t >= time)
        survival *= 1 - sum(1 for t, event in rows if t == time and event) / at_risk
        if survival <= 0.5:
            return time
    return None


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """`trialreport build data/adam-example`, run from the top of the checkout as the README says."""
    out = tmp_path_factory.mktemp("adam-example")
    result = run_cli("build", "data/adam-example", "--out", str(out), cwd=ROOT, env=ENV)
    assert result.returncode == 0, result.stderr
    return {Path(p).name: Path(p) for p in result.stdout.split()}


def test_the_readme_build_command_gives_the_hand_counted_figures(built):
    ledger = json.loads(built["results.json"].read_text(encoding="utf-8"))
    counts = hand_counts()
    assert ledger["arms"] == list(ARMS)
    assert ledger["population"]["enrolled"] == 90 and ledger["population"]["safety"] == 88
    for name in ARMS:
        block, hand = ledger["by_arm"][name], counts[name]
        assert block["response"]["responders"]["count"] == hand["responders"]
        assert block["response"]["responders"]["n"] == hand["n"] == 45
        assert block["safety"]["n"] == hand["safety"] == 44
        assert block["safety"]["any_event"]["subjects"] == hand["ae_subjects"]
        assert block["safety"]["any_event"]["events"] == hand["ae_events"]
        assert block["safety"]["grade_3_plus"]["subjects"] == hand["grade_3_plus"]
        assert {int(g): c for g, c in block["safety"]["by_worst_grade"].items() if c} == dict(hand["worst_grade"])
        for endpoint in ("os", "pfs"):
            fit = block["survival"][endpoint]
            assert (fit["n"], fit["events"]) == (hand[endpoint]["n"], hand[endpoint]["events"])
            assert fit["median"]["estimate"] == pytest.approx(hand[endpoint]["median_days"] / 30.4375, rel=1e-12)


def test_the_report_states_the_hand_counted_figures(built):
    from pypdf import PdfReader

    text = " ".join(" ".join(p.extract_text() for p in PdfReader(built["summary.pdf"]).pages).split())
    counts = hand_counts()
    for name in ARMS:
        hand = counts[name]
        assert f"{name}: {hand['responders']} of {hand['n']} (" in text
        assert f"{name}, {hand['pfs']['events']} events in {hand['pfs']['n']} patients" in text
    assert "Log-rank test across arms" in text and "Hazard ratio (95% CI)" in text
    assert "Progression-Free Survival" in text and "Overall Survival" in text


def test_the_readme_analyze_command_prints_the_ledger():
    result = run_cli("analyze", "data/adam-example", cwd=ROOT, env=ENV)
    assert result.returncode == 0, result.stderr
    ledger = json.loads(result.stdout)
    assert ledger["trial"]["id"] == "EXMP-201"
    assert set(ledger["survival"]) == {"os", "pfs"}


def test_the_example_is_found_where_the_package_ships_it():
    assert bundled_trial("adam-example").resolve() == EXAMPLE.resolve() or (
        bundled_trial("adam-example") / "adsl.xpt").is_file()
    import tomllib

    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert include["data/adam-example"] == "report/data/adam-example"


# The ADaM reader's general behaviour, shown on the shipped example so that it is checked in any
# clone (test_adam.py shows the same on the public data, where they are beside the checkout).

@pytest.mark.needs("r")
def test_survival_by_arm_equals_r(tmp_path):
    import report
    from adam_vs_r import by_arm_differences

    trial = report.load_trial(EXAMPLE)
    lines, problems = by_arm_differences(trial, report.analyze(trial).to_dict(), tmp_path)
    assert lines == 2 * (len(ARMS) + 3) and problems == []  # per endpoint: each arm, log-rank, overall tests, Cox


def test_a_cutoff_censors_what_comes_after_it():
    import report

    full, early = report.load_trial(EXAMPLE), report.load_trial(EXAMPLE, cutoff="2023-06-30")
    randomized = {s["USUBJID"]: s["RANDDT"] for s in read("adsl")}
    assert len(early.subjects) == sum(1 for d in randomized.values() if str(d) <= "2023-06-30") < len(full.subjects)
    after = early.time_to_event.set_index(["subject_id", "endpoint"])
    ends = {(t["USUBJID"], t["PARAMCD"].lower()): t["ADT"] for t in read("adtte")}
    late = [key for key in after.index if str(ends[key]) > "2023-06-30"]
    assert late
    for subject, endpoint in late:
        assert not after.loc[(subject, endpoint), "event"]
        assert after.loc[(subject, endpoint), "days"] == (early.cutoff - randomized[subject]).days


def test_a_missing_variable_and_parameter_are_named(tmp_path):
    from report import InputError, load_trial

    spec = (EXAMPLE / "trial.toml").read_text(encoding="utf-8").replace('path = "."', f'path = "{EXAMPLE}"')
    (tmp_path / "trial.toml").write_text(
        spec.replace("[adam.response]", '[adam]\narm = "TRT02A"\n\n[adam.response]').replace('"PFS"', '"PFSX"'))
    with pytest.raises(InputError) as caught:
        load_trial(tmp_path)
    found = [str(p) for p in caught.value.problems]
    assert "adsl.xpt, column TRT02A: variable not found; the mapping [adam] arm expects it" in found
    (tmp_path / "trial.toml").write_text(spec.replace('"PFS"', '"PFSX"'))
    with pytest.raises(InputError) as caught:
        load_trial(tmp_path)
    assert any("no records with PARAMCD 'PFSX'" in str(p) and "present: OS, PFS" in str(p) for p in caught.value.problems)


def test_the_abstract_names_the_adam_populations_and_reads_its_labels_in_sentence_case(tmp_path):
    result = run_cli("build", str(EXAMPLE), "--kind", "abstract", "--format", "txt", "--out", str(tmp_path), env=ENV)
    assert result.returncode == 0, result.stderr
    text = " ".join(next(tmp_path.rglob("abstract.txt")).read_text(encoding="utf-8").split())
    adsl, _ = pyreadstat.read_xport(str(EXAMPLE / "adsl.xpt"))
    itt = int((adsl["ITTFL"] == "Y").sum())
    assert f'{itt} had ITTFL = "Y"' in text
    assert "eligible and treated" not in text  # the ADaM flags say nothing of eligibility
    assert "progression-free survival" in text and "progression-Free" not in text
