"""The summary's wording (issue 19): one word for enrollment, the populations said once, the
ineligible patients' reasons given, and every response category of the table defined."""
import html
import json
import re

from conftest import run_cli

ENV = {"SOURCE_DATE_EPOCH": "1735689600"}


def test_the_summary_says_enrollment_names_ineligibility_and_defines_every_category(tmp_path):
    result = run_cli("build", "--format", "html", "--out", str(tmp_path), env=ENV)
    assert result.returncode == 0, result.stderr
    folder = next((tmp_path / "S1318" / "summary").iterdir())
    page = html.unescape(re.sub(r"<[^>]+>", " ", (folder / "summary.html").read_text()))
    text = " ".join(page.split())
    ledger = json.loads((folder / "results.json").read_text())
    assert "registration" not in text.lower() and "enrollment" in text
    reasons = ledger["disposition"]["ineligible_reasons"]["named"]
    assert f"{ledger['disposition']['ineligible']['count']} were found ineligible" in text
    for reason in reasons:
        assert reason[1:] in text  # its first letter may be lower case inside the sentence
    n = ledger["population"]["evaluable"]
    assert n == ledger["population"]["safety"]
    assert f"have {n} patients each" in text
    assert text.count("form the efficacy population") == 0 and text.count("form the safety population") == 0
    for code in ledger["response"]["categories"]:
        assert re.search(rf"\b{re.escape(code)} \(", text), code  # "PD (progressive disease): ..."
