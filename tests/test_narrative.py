"""The user's own text bound to the ledger ([narrative], issue 17): every reference prints the
figure the tables print, changes when the data change, and every error is exit 2 naming the
file and line; the open DSMB report binds open-safe figures only; the manifest lists what each
section printed; an @file is an input of the version (archive reproduce renders it again)."""
import csv
import html as html_lib
import io
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import run_cli
from test_user_templates import built, refused, trial_with

ENV = {"SOURCE_DATE_EPOCH": "1735689600"}
DASH = "\u2013"
# Ten references, in Markdown, in a file beside trial.toml.
RESULTS_MD = """Of the evaluable patients, {{ response.responders }} responded: complete remission in
{{ response.categories.CR | count }} ({{ response.categories.CR | pct(1) }}) and CRi in
{{ response.categories.CRi | count }}. Of the responders, {{ response.after_first_cycle | pct }}
responded after one cycle.

Overall survival at 12 months was **{{ survival.os | at(12) }}**; the median was
{{ survival.os | median }}, and disease-free survival at 6 months {{ survival.dfs | at(6) }}
among {{ survival.dfs.n }} responders. {{ population.enrolled }} patients were enrolled
(95% CI of the response rate {{ response.responders | ci }}).
"""


def half_up(value: float, digits: int) -> str:
    return str(Decimal(repr(round(value, 9))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def pct(p: float, digits: int = 0) -> str:
    return half_up(p * 100, digits) + "%"


def expected_results(ledger: dict) -> list[str]:
    """The ten figures as DESIGN section 6 prints them, written here from the ledger's values."""
    r, os_, dfs = ledger["response"], ledger["survival"]["os"], ledger["survival"]["dfs"]
    resp, cr, cri = r["responders"], r["categories"]["CR"], r["categories"]["CRi"]
    os12 = next(x for x in os_["landmarks"] if x["time"] == 12)
    dfs6 = next(x for x in dfs["landmarks"] if x["time"] == 6)
    median = os_["median"]
    high = "NE" if median["ci_high"] is None else half_up(median["ci_high"], 1)
    return [
        f"{resp['count']} of {resp['n']} ({pct(resp['proportion'])}; 95% CI {pct(resp['ci_low'], 1)}{DASH}{pct(resp['ci_high'], 1)})",
        f"{cr['count']} of {cr['n']}", pct(cr["proportion"], 1), f"{cri['count']} of {cri['n']}",
        pct(r["after_first_cycle"]["proportion"]),
        f"{pct(os12['survival'])} (95% CI {pct(os12['ci_low'], 1)}{DASH}{pct(os12['ci_high'], 1)})",
        f"{half_up(median['estimate'], 1)} months (95% CI {half_up(median['ci_low'], 1)}{DASH}{high})",
        f"{pct(dfs6['survival'])} (95% CI {pct(dfs6['ci_low'], 1)}{DASH}{pct(dfs6['ci_high'], 1)})",
        f"among {dfs['n']} responders", f"{ledger['population']['enrolled']} patients were enrolled",
    ]


def narrative_text(html: str) -> str:
    found = re.search(r'<section id="results">.*?<div class="narrative">(.*?)</div>', html, re.S)
    assert found, "the results section shows no narrative"
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def narrated(tmp_path):
    return trial_with(tmp_path, '[narrative]\nresults = "@narrative/results.md"\n',
                      {"narrative/results.md": RESULTS_MD})


def test_ten_references_print_the_figures_the_tables_print(narrated, tmp_path):
    files = built(run_cli("build", str(narrated), "--format", "pdf,html,docx", "--out", str(tmp_path / "out"), env=ENV))
    ledger = json.loads(files["results.json"].read_text())
    html = files["summary.html"].read_text()
    prose = narrative_text(html)
    for figure in expected_results(ledger):
        assert figure in prose, (figure, prose)
    assert "<strong>" in html.split('<div class="narrative">')[1].split("</div>")[0]  # Markdown, rendered
    # The same figures in the response and survival tables the report prints beside the prose.
    resp, os12 = ledger["response"]["responders"], next(x for x in ledger["survival"]["os"]["landmarks"] if x["time"] == 12)
    table = html.split('<div class="narrative">')[1]
    assert f"{half_up(resp['ci_low'] * 100, 1)}{DASH}{half_up(resp['ci_high'] * 100, 1)}" in table
    assert f"{pct(os12['ci_low'], 1)}{DASH}{pct(os12['ci_high'], 1)}" in table
    # and in the PDF: the generated response sentence is gone, the user's is there
    pdf = flat(" ".join(page.extract_text() for page in PdfReader(files["summary.pdf"]).pages))
    assert "Of the evaluable patients, " + expected_results(ledger)[0] + " responded" in pdf
    assert "evaluable patients (66%" not in pdf
    # and in Word: the same sentence, figure for figure
    import docx

    word = flat(" ".join(p.text for p in docx.Document(str(files["summary.docx"])).paragraphs))
    for figure in expected_results(ledger):
        assert figure in word, figure
    assert "evaluable patients (66%" not in word
    manifest = json.loads(files["manifest.json"].read_text())["narrative"]
    assert manifest["references"]["summary"]["results"][:3] == [
        "response.responders", "response.categories.CR | count", "response.categories.CR | pct(1)"]
    assert len(manifest["references"]["summary"]["results"]) == 11
    assert manifest["files"][0]["path"] == "narrative/results.md"


def test_changing_the_data_changes_the_prose(narrated, tmp_path):
    before = narrative_text(built(run_cli("build", str(narrated), "--out", str(tmp_path / "a"), env=ENV))["summary.html"]
                            .read_text())
    subjects = narrated / "subjects.csv"
    rows = list(csv.DictReader(io.StringIO(subjects.read_text())))
    responder = next(r for r in rows if r["best_response"] == "CR" and not r["relapse_on"])
    responder.update(best_response="NR", response_on="", response_cycle="", mrd="")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    subjects.write_text(out.getvalue())
    files = built(run_cli("build", str(narrated), "--out", str(tmp_path / "b"), env=ENV))
    after = narrative_text(files["summary.html"].read_text())
    ledger = json.loads(files["results.json"].read_text())
    assert ledger["response"]["responders"]["count"] == 18
    assert after != before and "18 of 29 (62%" in after and "19 of 29" not in after
    for figure in expected_results(ledger):
        assert figure in after


@pytest.mark.parametrize("text, line, phrase", [
    ("One.\nTwo {{ response.respondrs }}.", 2, "response.respondrs is not in the ledger"),
    ("{{ response.responders | at(12) }}", 1, "at(12) does not fit response.responders"),
    ("First\nsecond\n{{ ''.__class__ }}", 3, "refused: access to attribute '__class__'"),
    ("{{ survival.os | at(9) }}", 1, "no landmark at 9"),
    ("{{ response }}", 1, "response is a group of figures"),
    ("{{ nothing.here }}", 1, "{{ nothing }} is not in the ledger"),
    ("{{ response.responders | upper }}", 1, "No filter named 'upper'"),
    ("{{ response.responders.__init__.__globals__ }}", 1, "refused"),
])
def test_every_error_is_exit_2_with_file_and_line(tmp_path, text, line, phrase):
    folder = trial_with(tmp_path, '[narrative]\nresults = "@notes/results.md"\n', {"notes/results.md": text})
    out = tmp_path / "out"
    for command in (["validate", str(folder)], ["build", str(folder), "--out", str(out)]):
        message = refused(run_cli(*command), phrase)
        assert f"{folder / 'notes' / 'results.md'}: line {line}: narrative.results" in message
    assert not out.exists()  # nothing half-written


def test_inline_text_errors_name_the_line_of_trial_toml(tmp_path):
    folder = trial_with(tmp_path, '[narrative]\ntoxicity = """\nAll well.\nGrade 3: {{ safety.grade3 }}"""\n'
                        'next_steps = "{{ survival.os | median(2) }}"\n', {})
    lines = (folder / "trial.toml").read_text().splitlines()
    grade_line = next(i for i, text in enumerate(lines, 1) if "safety.grade3" in text)
    steps_line = next(i for i, text in enumerate(lines, 1) if text.startswith("next_steps ="))
    message = refused(run_cli("validate", str(folder)), "2 problems found")
    assert f"trial.toml: line {grade_line}: narrative.toxicity: safety.grade3 is not in the ledger" in message
    assert f"trial.toml: line {steps_line}: narrative.next_steps" in message


def test_the_open_dsmb_report_binds_open_safe_figures_only(tmp_path):
    efficacy = trial_with(tmp_path / "a", '[narrative]\ndsmb_status = "Responders: {{ response.responders }}."\n', {})
    refused(run_cli("validate", str(efficacy)), "narrative.dsmb_status: {{ response }} is not in the open DSMB report's")
    safe = trial_with(tmp_path / "b", '[narrative]\ndsmb_status = "Enrolled so far: {{ population.enrolled }} '
                      '(<script>x</script>), {{ safety.any_event.subjects }} with an adverse event."\n', {})
    files = built(run_cli("build", str(safe), "--kind", "dsmb", "--no-encrypt", "--format", "html",
                          "--out", str(tmp_path / "out"), env=ENV))
    ledger = json.loads(files["results.json"].read_text())
    sentence = (f"Enrolled so far: {ledger['population']['enrolled']} (&lt;script&gt;x&lt;/script&gt;), "
                f"{ledger['safety']['any_event']['subjects']} with an adverse event.")
    for name in ("dsmb-open.html", "dsmb-closed.html"):
        assert sentence in files[name].read_text()
    manifest = json.loads(files["manifest.json"].read_text())["narrative"]["references"]
    assert manifest["dsmb-open"]["dsmb_status"] == ["population.enrolled", "safety.any_event.subjects"]


def test_the_abstract_counts_the_users_text_and_says_what_to_shorten(tmp_path):
    def results_part(text: str) -> str:
        return next(line for line in text.splitlines() if line.startswith("Results: "))

    plain = trial_with(tmp_path / "a", "", {})
    generated = built(run_cli("build", str(plain), "--kind", "abstract", "--format", "txt", "--out", str(tmp_path / "o"),
                              env=ENV))
    results = "{{ response.responders }} responded; 12-month OS {{ survival.os | at(12) }}."
    folder = trial_with(tmp_path / "b", f'[narrative]\nabstract_results = "{results}"\n', {})
    files = built(run_cli("build", str(folder), "--kind", "abstract", "--format", "txt", "--out", str(tmp_path / "p"),
                          env=ENV))
    text, ledger = files["abstract.txt"].read_text(), json.loads(files["results.json"].read_text())
    assert results_part(text) == f"Results: {expected_results(ledger)[0]} responded; 12-month OS {expected_results(ledger)[5]}."
    # the meeting's count (ASH: spaces counted) is of the final text
    count = json.loads(files["manifest.json"].read_text())["characters"]
    before = json.loads(generated["manifest.json"].read_text())["characters"]
    assert count - before == len(results_part(text)) - len(results_part(generated["abstract.txt"].read_text()))
    over = refused(run_cli("build", str(folder), "--kind", "abstract", "--max-chars", "900", "--out", str(tmp_path / "q")),
                   "By part: Methods")
    assert "Shorten Methods: write it yourself, shorter, as [narrative] abstract_methods" in over
    mine = trial_with(tmp_path / "c", f'[narrative]\nabstract_methods = "Phase 2. {results * 16}"\n', {})
    assert "Shorten Methods: shorten your text, [narrative] abstract_methods" in refused(
        run_cli("build", str(mine), "--kind", "abstract", "--max-chars", "900", "--out", str(tmp_path / "r")), "over")


def test_the_narrative_file_is_an_input_of_the_version(narrated, tmp_path):
    out = tmp_path / "out"
    files = built(run_cli("build", str(narrated), "--format", "html", "--out", str(out), env=ENV))
    (narrated / "narrative" / "results.md").write_text("Changed after the build.")
    version = files["manifest.json"].parent.name
    result = run_cli("archive", "reproduce", f"S1318/summary/{version}", "--out", str(out), env=ENV)
    assert result.returncode == 0, result.stderr
    assert "identical" in result.stdout and "different" not in result.stdout


def test_watch_rebuilds_when_the_narrative_file_changes(narrated, tmp_path):
    import signal
    import subprocess
    import sys
    import threading
    import time

    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "report", "watch", str(narrated), "--out", str(out),
                                "--format", "html", "--interval", "0.1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    written: list[str] = []
    reader = threading.Thread(target=lambda: written.extend(process.stdout), daemon=True)
    reader.start()

    def builds() -> list[str]:
        return [line.strip() for line in written if line.strip().endswith("summary.html")]

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 120
        while len(builds()) < count:
            assert time.monotonic() < deadline and process.poll() is None, "watch did not rebuild"
            time.sleep(0.05)

    try:
        wait_for(1)
        edited = narrated / "narrative" / "results.md"
        edited.write_text("Now {{ population.enrolled }} were enrolled.")
        wait_for(2)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        reader.join(10)
    assert "Changed: results.md" in process.stderr.read()
    assert narrative_text(Path(builds()[-1]).read_text()) == "Now 31 were enrolled."
