"""The DSMB update: open and closed reports as of a cutoff, confidential and encrypted."""
from html import unescape
import json
import re
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import run_cli

PASSWORD = "correct horse battery staple"
ENV = {"SOURCE_DATE_EPOCH": "1735689600", "TRIALREPORT_CLOSED_PASSWORD": PASSWORD}
EARLIER, LATER = "2017-06-30", "2017-07-31"


def build(out: Path, cutoff: str, *extra: str, env=ENV):
    result = run_cli("build", "--kind", "dsmb", "--cutoff", cutoff, "--out", str(out), *extra, env=env)
    assert result.returncode == 0, result.stderr
    return {Path(p).name: Path(p) for p in result.stdout.split()}


def pages(pdf: Path, password: str = "") -> list[str]:
    reader = PdfReader(pdf)
    if reader.is_encrypted:
        reader.decrypt(password)
    return [" ".join(page.extract_text().split()) for page in reader.pages]


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """The example at two cutoffs a month apart; the later compares with the archived earlier one."""
    out = tmp_path_factory.mktemp("dsmb")
    return out, build(out, EARLIER), build(out, LATER)


def test_bundle_holds_both_reports_and_no_closed_text_in_clear(month):
    _, _, later = month
    assert {"dsmb-open.pdf", "dsmb-open.html", "dsmb-closed.pdf", "results.json", "manifest.json"} == set(later)
    manifest = json.loads(later["manifest.json"].read_text())
    assert manifest["kind"] == "dsmb" and manifest["encrypted"] == ["dsmb-closed.pdf"]
    assert PASSWORD not in later["manifest.json"].read_text()
    open_ledger = json.loads(later["results.json"].read_text())
    assert open_ledger["report"] == "dsmb-open"
    assert not {"response", "mrd", "survival", "by_arm", "comparisons", "stopping"} & set(open_ledger)


def test_every_page_carries_its_session_label_cutoff_and_page_numbers(month):
    _, _, later = month
    for name, label, password in (("dsmb-open.pdf", "OPEN SESSION REPORT", ""),
                                  ("dsmb-closed.pdf", "CLOSED SESSION REPORT - CONFIDENTIAL", PASSWORD)):
        texts = pages(later[name], password)
        assert len(texts) > 2
        for number, text in enumerate(texts, start=1):
            assert label in text, (name, number)
            assert "Data cutoff 31 July 2017" in text, (name, number)
            assert f"Page {number} of {len(texts)}" in text, (name, number)


def test_open_report_holds_no_efficacy(month):
    _, _, later = month
    text = " ".join(pages(later["dsmb-open.pdf"]))
    html = later["dsmb-open.html"].read_text()
    for word in ("Overall survival", "Disease-free", "Kaplan", "MRD", "CR or CRi", "responders", "Response",
                 "Simon", "stopping"):
        assert word not in text, word
        assert word not in html, word
    assert "Accrual by month" in text and "Serious adverse events" in text and "Deaths" in text


def test_closed_report_is_encrypted_and_holds_efficacy_and_rules(month):
    _, _, later = month
    closed = later["dsmb-closed.pdf"]
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(closed)
    with pikepdf.open(closed, password=PASSWORD) as pdf:
        assert (pdf.encryption.R, pdf.encryption.bits, pdf.encryption.stream_method.name) == (6, 256, "aesv3")  # AES-256
        ledger = json.loads(pdf.attachments["results-closed.json"].get_file().read_bytes())
    assert ledger["report"] == "dsmb-closed" and ledger["data_cutoff"] == LATER
    assert ledger["response"]["responders"]["n"] > 0
    assert [rule["rule"]["kind"] for rule in ledger["stopping"]] == ["simon", "beta-binomial"]
    text = " ".join(pages(closed, PASSWORD))
    assert "Overall survival" in text and "Simon" in text
    assert not (closed.parent / "dsmb-closed.html").exists()


def test_changes_since_the_previous_report_count_what_appeared(month):
    _, earlier, later = month
    before = json.loads(earlier["results.json"].read_text())["dsmb"]
    now = json.loads(later["results.json"].read_text())["dsmb"]
    changes = now["changes"]
    assert changes["previous_cutoff"] == EARLIER and changes["source"] == "archive"
    assert changes["new_patients"] == now["accrual"]["enrolled"] - before["accrual"]["enrolled"] == 1
    assert changes["new_deaths"] == len(now["deaths"]) - len(before["deaths"])
    assert changes["new_serious_events"] == now["overview"]["serious"]["events"] - before["overview"]["serious"]["events"]
    assert changes["new_grade_3_plus_events"] == (
        now["overview"]["grade_3_plus"]["events"] - before["overview"]["grade_3_plus"]["events"])
    text = " ".join(pages(later["dsmb-open.pdf"]))
    assert re.search(r"Compared with the data as of 30 June 2017 \(the archived report for that cutoff\): 1 new patient,", text)


def test_without_an_archive_the_previous_cutoff_is_recomputed(tmp_path, month):
    _, _, archived = month
    fresh = build(tmp_path, LATER)
    changes = json.loads(fresh["results.json"].read_text())["dsmb"]["changes"]
    assert changes["source"] == "recomputed"
    expected = json.loads(archived["results.json"].read_text())["dsmb"]["changes"]
    assert {k: v for k, v in changes.items() if k != "source"} == {k: v for k, v in expected.items() if k != "source"}


def test_no_password_stops_with_exit_2_and_writes_nothing(tmp_path):
    result = run_cli("build", "--kind", "dsmb", "--out", str(tmp_path), env={"TRIALREPORT_CLOSED_PASSWORD": ""})
    assert result.returncode == 2
    assert "TRIALREPORT_CLOSED_PASSWORD" in result.stderr and "--no-encrypt" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_no_encrypt_writes_the_closed_report_in_clear_when_asked(tmp_path):
    files = build(tmp_path, LATER, "--no-encrypt", env={"SOURCE_DATE_EPOCH": "1735689600"})
    with pikepdf.open(files["dsmb-closed.pdf"]) as pdf:
        assert not pdf.is_encrypted
    assert "dsmb-closed.html" in files


def test_three_arm_trial_open_report_names_no_arm_and_closed_report_has_them(tmp_path):
    from test_adam import RANDOM, SHARED

    if not (SHARED / "random-cdisc" / "adsl.xpt").is_file():
        pytest.skip("the public ADaM data are not here")
    files = {Path(p).name: Path(p) for p in run_cli(
        "build", str(RANDOM), "--kind", "dsmb", "--out", str(tmp_path), env=ENV).stdout.split()}
    open_text = " ".join(pages(files["dsmb-open.pdf"])) + files["dsmb-open.html"].read_text()
    for arm in ("Drug X", "Placebo", "Combination"):
        assert arm not in open_text
    closed = " ".join(pages(files["dsmb-closed.pdf"], PASSWORD))
    assert all(arm in closed for arm in ("A: Drug X", "B: Placebo", "C: Combination"))
    assert "Baseline characteristics by arm" in closed and "Hazard ratio" in closed


def test_long_listings_are_capped_in_reports_and_complete_in_the_bundle(tmp_path):
    import csv
    import io

    import openpyxl

    from test_adam import RANDOM, SHARED

    if not (SHARED / "random-cdisc" / "adsl.xpt").is_file():
        pytest.skip("the public ADaM data are not here")
    result = run_cli("build", str(RANDOM), "--kind", "dsmb", "--format", "html", "--out", str(tmp_path), env=ENV)
    assert result.returncode == 0, result.stderr
    files = {Path(p).name: Path(p) for p in result.stdout.split()}
    ledger = json.loads(files["results.json"].read_text())["dsmb"]
    serious = len(ledger["serious_events"])
    assert serious > 40
    rows = list(csv.DictReader(io.StringIO(files["serious-adverse-events.csv"].read_text())))
    assert len(rows) == serious and rows[0]["subject_id"] == ledger["serious_events"][0]["subject_id"]
    sheet = openpyxl.load_workbook(files["serious-adverse-events.xlsx"]).active
    assert sheet.max_row == serious + 1  # with its header
    html = files["dsmb-open.html"].read_text()
    listing = html.split("Serious adverse events")[1].split("</table>")[0]
    assert listing.count("<tr>") == 40 + 1  # the header row and 40 events
    assert f"The first 40 of {serious} serious adverse events" in html
    manifest = json.loads(files["manifest.json"].read_text())
    assert "serious-adverse-events.xlsx" in {f["path"] for f in manifest["files"]}


OVER_ACCRUED_SPEC = """
[trial]
id = "T40"
title = "A trial that accrued past its design"

[study]
population = "Adults"
background = "Background text."

[analysis]
responders = ["CR", "CRi"]

[dsmb]
[[dsmb.stopping_rules]]
kind = "simon"
name = "Efficacy"
p0 = 0.2
p1 = 0.4
n1 = 13
r1 = 3
n = 30
r = 10

[[dsmb.stopping_rules]]
kind = "beta-binomial"
name = "Toxicity"
min_grade = 3
threshold = 0.3
limit = 0.8
max_patients = 30
"""


def test_accrual_past_the_designs_n_builds_and_says_so(make_trial, tmp_path):
    subjects = [[f"P{i:02d}", f"2020-{1 + i // 4:02d}-{1 + i % 4:02d}", 70, "F", "CR" if i % 3 == 0 else "NR",
                 f"2020-{2 + i // 4:02d}-10" if i % 3 == 0 else "", 1 if i % 3 == 0 else "", "", "", "", "2021-06-01"]
                for i in range(40)]
    events = [[f"P{i:02d}", "Nausea", "Gastrointestinal disorders", 3, "2021-01-05", "possible", "false"] for i in range(5)]
    folder = make_trial(subjects, events, spec=OVER_ACCRUED_SPEC)
    result = run_cli("build", str(folder), "--kind", "dsmb", "--format", "html", "--no-encrypt",
                     "--out", str(tmp_path / "out"), env={"SOURCE_DATE_EPOCH": "1735689600"})
    assert result.returncode == 0, result.stderr
    files = {Path(p).name: Path(p) for p in result.stdout.split()}
    closed = " ".join(unescape(files["dsmb-closed.html"].read_text()).split())
    first_30 = sum(1 for i in range(30) if i % 3 == 0)
    assert ("Accrual has passed the design's n: 40 patients evaluated for response, 10 more than the 30 the design "
            f"plans. Final analysis: {first_30} responses in 30 patients") in closed
    assert "compares the responses among the first 30 evaluable patients (in order of enrollment) with r = 10" in closed
    assert "The safety population (40 patients) has passed the 30 patients of the boundary table" in closed
    with pikepdf.open(files["dsmb-closed.pdf"]) as pdf:
        ledger = json.loads(pdf.attachments["results-closed.json"].get_file().read_bytes())
    simon_status = ledger["stopping"][0]["status"]
    assert (simon_status["status"], simon_status["final_responses"], simon_status["beyond_design"]) == (
        "final_inactive", first_30, 10)
