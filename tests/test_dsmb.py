"""The DSMB update: open and closed reports as of a cutoff, confidential and encrypted."""
from html import unescape
import json
import re
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

import needs
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
    assert {"dsmb-open.pdf", "dsmb-open.html", "dsmb-closed.pdf", "results.json", "ard.csv", "ars.json", "reproduce.txt",
            "manifest.json"} == set(later)
    manifest = json.loads(later["manifest.json"].read_text())
    assert manifest["kind"] == "dsmb" and manifest["encrypted"] == ["dsmb-closed.pdf"]
    assert PASSWORD not in later["manifest.json"].read_text()
    open_ledger = json.loads(later["results.json"].read_text())
    assert open_ledger["report"] == "dsmb-open"
    assert not {"response", "mrd", "survival", "by_arm", "comparisons", "stopping", "efficacy_changes"} & set(open_ledger)


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
    html = re.sub(r'url\("data:[^"]*"\)', "url()", html)  # the embedded fonts' base64 is no text ("MRD" is in it)
    for word in ("Overall survival", "Disease-free", "Kaplan", "MRD", "CR or CRi", "responders", "Response",
                 "Simon", "stopping", "Efficacy changes", "new responses"):
        assert word not in text, word
        assert word not in html, word
    assert "Accrual by quarter" in text and "Serious adverse events" in text and "Deaths" in text


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
    from test_adam import RANDOM

    needs.require("public-data")
    files = {Path(p).name: Path(p) for p in run_cli(
        "build", str(RANDOM), "--kind", "dsmb", "--out", str(tmp_path), env=ENV).stdout.split()}
    open_text = " ".join(pages(files["dsmb-open.pdf"])) + files["dsmb-open.html"].read_text()
    for arm in ("Drug X", "Placebo", "Combination"):
        assert arm not in open_text
    closed = " ".join(pages(files["dsmb-closed.pdf"], PASSWORD))
    assert all(arm in closed for arm in ("A: Drug X", "B: Placebo", "C: Combination"))
    assert "Demographic and baseline characteristics" in closed and "Hazard ratio" in closed
    # the comparisons between arms, stratified as the spec asks, in the closed report only
    assert "Hazard ratio, stratified" in closed and "Odds ratio, Mantel-Haenszel" in closed
    assert "Mantel-Haenszel" not in open_text and "stratified" not in open_text.lower()
    assert "response_comparison" not in json.loads(files["results.json"].read_text())


def test_long_listings_are_capped_in_reports_and_complete_in_the_bundle(tmp_path):
    import csv
    import io

    import openpyxl

    from test_adam import RANDOM

    needs.require("public-data")
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


EFFICACY_WORDS = re.compile(r"relaps|progress|refractor", re.IGNORECASE)  # the default list, by stem


def test_open_report_pools_reasons_and_causes_that_reveal_efficacy(month):
    _, _, later = month
    open_html = later["dsmb-open.html"].read_text()
    open_pdf = " ".join(pages(later["dsmb-open.pdf"]))
    results = later["results.json"].read_text()
    with pikepdf.open(later["dsmb-open.pdf"]) as pdf:
        embedded = {name: f.get_file().read_bytes().decode() for name, f in pdf.attachments.items()}
    for name, text in {"dsmb-open.html": open_html, "dsmb-open.pdf": open_pdf, "results.json": results,
                       "ard.csv": later["ard.csv"].read_text(), "ars.json": later["ars.json"].read_text(),
                       **embedded}.items():
        assert not EFFICACY_WORDS.findall(text), (name, EFFICACY_WORDS.findall(text))
    disposition = json.loads(results)["dsmb"]["disposition"]["off_study"]
    with pikepdf.open(later["dsmb-closed.pdf"], password=PASSWORD) as pdf:
        closed = json.loads(pdf.attachments["results-closed.json"].get_file().read_bytes())["dsmb"]
    full = closed["disposition"]["off_study"]
    assert disposition["Disease-related"] == full["Relapse"] + full["Refractory disease"]
    assert {k: v for k, v in disposition.items() if k != "Disease-related"} == {
        k: v for k, v in full.items() if k not in ("Relapse", "Refractory disease")}
    assert len(json.loads(results)["dsmb"]["deaths"]) == len(closed["deaths"])
    causes = {d["cause"] for d in json.loads(results)["dsmb"]["deaths"]}
    assert "Disease-related" in causes and "Lung infection" in causes
    assert "Disease-related" in open_pdf


def test_closed_report_keeps_reasons_and_causes_in_full(month):
    _, _, later = month
    closed = " ".join(pages(later["dsmb-closed.pdf"], PASSWORD))
    assert "Relapse" in closed and "Refractory leukemia" in closed and "Relapsed leukemia" in closed
    with pikepdf.open(later["dsmb-closed.pdf"], password=PASSWORD) as pdf:
        ledger = json.loads(pdf.attachments["results-closed.json"].get_file().read_bytes())
    assert ledger["dsmb"]["disposition"]["off_study"]["Relapse"] == 6  # by 31 July 2017 (two more died in remission)
    assert "Disease-related" not in json.dumps(ledger["dsmb"])


def test_efficacy_words_match_by_stem_in_any_case():
    from report.analysis.disclosure import DISEASE_RELATED, efficacy_pattern, open_text

    pattern = efficacy_pattern(["relapse", "progression", "progressive", "refractory"])
    for text in ("Relapsed", "RELAPSE", "Refractory/relapsed leukemia", "Disease progression", "Progressed",
                 "progressive disease", "Non-relapse mortality"):
        assert open_text(text, pattern) == DISEASE_RELATED, text
    for text in ("Lung infection", "Regression of rash", "Death", None):
        assert open_text(text, pattern) == text, text
    assert open_text("Relapse", efficacy_pattern([])) == "Relapse"


def test_full_listings_outside_the_closed_report_pool_efficacy_words(make_trial, tmp_path):
    import openpyxl

    subjects = [[f"P{i:02d}", "2020-01-02", 70, "F", "NR", "", "", "", "",
                 f"2020-{2 + i % 10:02d}-10", "Relapsed leukemia" if i % 2 else "Sepsis", ""] for i in range(45)]
    events = [[f"P{i:02d}", "Disease progression" if i % 2 else "Febrile neutropenia", "General disorders", 3,
               "2020-01-20", "unrelated", "true"] for i in range(45)]
    header = ["subject_id", "enrolled_on", "age", "sex", "best_response", "response_on", "response_cycle", "mrd",
              "relapse_on", "died_on", "death_cause", "last_contact_on"]
    folder = make_trial(subjects, events, subject_header=header)
    result = run_cli("build", str(folder), "--kind", "dsmb", "--format", "html", "--no-encrypt",
                     "--out", str(tmp_path / "out"), env={"SOURCE_DATE_EPOCH": "1735689600"})
    assert result.returncode == 0, result.stderr
    files = {Path(p).name: Path(p) for p in result.stdout.split()}
    assert {"deaths.csv", "deaths.xlsx", "serious-adverse-events.csv", "serious-adverse-events.xlsx"} <= set(files)
    texts = {name: files[name].read_text() for name in ("deaths.csv", "serious-adverse-events.csv", "results.json",
                                                        "dsmb-open.html")}
    for name in ("deaths.xlsx", "serious-adverse-events.xlsx"):
        sheet = openpyxl.load_workbook(files[name]).active
        texts[name] = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
    for name, text in texts.items():
        assert not EFFICACY_WORDS.findall(text), name
    assert "Disease-related" in texts["deaths.csv"] and "Disease-related" in texts["serious-adverse-events.xlsx"]
    closed = files["dsmb-closed.html"].read_text()
    assert "Relapsed leukemia" in closed and "Disease progression" in closed


def test_results_json_and_the_closed_ledger_are_what_the_analysis_computes(month):
    """One source of truth: the bundle's ledgers are report.analysis.dsmb_ledger's, to the byte."""
    from conftest import EXAMPLE
    from report.analysis.ledger import ledger_json
    from report.archive.index import indexed_file
    from report.blocks.ledger import results
    from report.inputs.trial import load_trial
    from report.kinds.dsmb import dsmb_ledgers

    out, _, later = month
    trial = load_trial(EXAMPLE, cutoff=LATER)
    from report.render.encrypt import attached

    archived = indexed_file(out, "S1318", "dsmb", EARLIER, None, "results.json")
    pdf, version = indexed_file(out, "S1318", "dsmb", EARLIER, None, "dsmb-closed.pdf")
    computed = dsmb_ledgers(trial, results(trial), archived, (attached(pdf, "results-closed.json", PASSWORD), version))
    assert ledger_json(computed.open_ledger()).encode("utf-8") == later["results.json"].read_bytes()
    with pikepdf.open(later["dsmb-closed.pdf"], password=PASSWORD) as pdf:
        closed = pdf.attachments["results-closed.json"].get_file().read_bytes()
    assert ledger_json(computed.closed_ledger()).encode("utf-8") == closed
    manifest = json.loads(later["manifest.json"].read_text())
    assert computed.compared_with == manifest["previous_version"] is not None
    # Efficacy compared with the closed ledger inside the earlier closed report, opened with the password.
    efficacy = json.loads(closed)["efficacy_changes"]
    assert (efficacy["source"], efficacy["compared_with"]) == ("archive", manifest["previous_version"])
    assert "Efficacy changes since the previous report" in " ".join(pages(later["dsmb-closed.pdf"], PASSWORD))


S1318_SENTENCES = (  # at the cutoff of 31 July 2017, word for word as before they moved to layout
    "Activity criterion met. Stage 2: 27 of 31 patients evaluated, 17 responses, already beyond the activity boundary (more "
    "than 16 responses in 31 patients). The treatment meets the activity criterion.",
    "Continue. 2 of 27 patients had a grade 4 or higher adverse event related to treatment; P(rate > 30%) < 0.01, "
    "below the 0.80 limit; the boundary at 27 patients is 10 events. Continue.",
    "Exact type I error 0.049, power 0.811; probability of stopping after stage 1 when the rate is 40%: 0.753; "
    "expected sample size then 15.9.",
    "Stage 1 11 5 stop for futility if 5 or fewer respond 0.753 0.149 Final 31 16 declare the treatment active if more "
    "than 16 respond 0.049 0.811",
)


def test_the_closed_ledger_holds_the_rules_numbers_and_the_report_their_sentences(month):
    from report.layout.stopping import laid_stopping

    _, _, later = month
    with pikepdf.open(later["dsmb-closed.pdf"], password=PASSWORD) as pdf:
        stopping = json.loads(pdf.attachments["results-closed.json"].get_file().read_bytes())["stopping"]
    for item in stopping:  # no sentence, no formatted number: the status code and the rule's name are its only text
        assert "message" not in item["status"]
        assert all("decision" not in b for b in item["boundaries"])
        text = [v for v in [*item["status"].values(), *(v for b in item["boundaries"] for v in b.values())]
                if isinstance(v, str)]
        assert text == [item["rule"]["name"], item["status"]["status"]], text
    closed = " ".join(pages(later["dsmb-closed.pdf"], PASSWORD))
    for sentence in S1318_SENTENCES:
        assert sentence in closed, sentence
    for rule in laid_stopping(stopping).rules:
        assert f"{rule.verdict} {rule.sentence}" in closed and rule.design in closed
