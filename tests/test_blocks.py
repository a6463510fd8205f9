"""Blocks and kinds (issue 14): a report is an ordered list of blocks from the catalogue,
chosen and ordered in trial.toml; the open DSMB report takes open-safe blocks only."""
import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import EXAMPLE, run_cli
from report.analysis.dsmb_ledger import FRAME
from report.blocks.catalogue import BLOCKS
from report.kinds.kind import DSMB_CLOSED, DSMB_OPEN, KINDS, SUMMARY

ENV = {"SOURCE_DATE_EPOCH": "1735689600"}
SAFE = [i for i, b in BLOCKS.items() if b.open_safe]
UNSAFE = [i for i, b in BLOCKS.items() if not b.open_safe]
HEADINGS = {  # a block's heading in the summary (the masthead's: the trial's title)
    "study": "Study", "results": "Results", "toxicity": "Toxicity", "next_steps": "Next steps",
    "methods": "Data cutoff",
}


def trial_with(tmp_path: Path, toml: str) -> Path:
    """The bundled example with `toml` appended to its trial.toml."""
    folder = tmp_path / "trial"
    shutil.copytree(EXAMPLE, folder)
    spec = folder / "trial.toml"
    spec.write_text(spec.read_text(encoding="utf-8") + "\n" + toml, encoding="utf-8")
    return folder


def built(result) -> dict[str, Path]:
    assert result.returncode == 0, result.stderr
    return {Path(p).name: Path(p) for p in result.stdout.split()}


def pdf_text(pdf: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages)


def test_every_block_declares_open_safe_and_every_kind_names_catalogued_blocks():
    assert all(isinstance(b.open_safe, bool) and b.id == i for i, b in BLOCKS.items())
    for kind in KINDS.values():
        for sheet in kind.sheets:
            assert set(sheet.blocks) <= set(BLOCKS), sheet.name
    assert all(BLOCKS[i].open_safe for i in DSMB_OPEN.blocks)
    assert {"results", "stopping", "key_results", "study"} <= set(UNSAFE)
    assert "stopping" in DSMB_CLOSED.blocks and "results" in SUMMARY.blocks


def test_one_block_serves_single_arm_and_by_arm_ledgers():
    from report.blocks.block import Context

    summary, closed, opened = Context("summary"), Context("dsmb-closed"), Context("dsmb-open", open=True)
    results, toxicity, baseline = BLOCKS["results"], BLOCKS["toxicity"], BLOCKS["baseline"]
    assert results.partial_for({"arms": []}, summary) == "partials/results.html.j2"
    assert results.partial_for({"arms": ["A", "B"]}, summary) == "partials/results_arms.html.j2"
    assert toxicity.partial_for({"arms": []}, closed) is None  # the closed report's safety block pools it
    assert baseline.partial_for({"arms": ["A", "B"]}, closed) == "partials/dsmb/baseline_arms.html.j2"
    assert baseline.partial_for({"arms": ["A", "B"]}, opened) == "partials/dsmb/baseline.html.j2"


def test_a_spec_that_reorders_and_drops_blocks_gets_those_sections_in_that_order(tmp_path):
    chosen = ["methods", "toxicity", "masthead", "study"]
    folder = trial_with(tmp_path, f"[report.summary]\nblocks = {chosen!r}\n".replace("'", '"'))
    files = built(run_cli("build", str(folder), "--out", str(tmp_path / "out"), env=ENV))
    html = files["summary.html"].read_text(encoding="utf-8").split("</style>", 1)[1]
    sections = re.findall(r'<section(?: class="[^"]*")? id="([a-z-]+)"', html)
    assert sections == ["methods", "toxicity", "study"]
    assert html.index('id="methods"') < html.index('id="toxicity"') < html.index('class="string-title"') < html.index('id="study"')
    assert "key-results" not in html and 'id="results"' not in html and 'id="next-steps"' not in html
    text = pdf_text(files["summary.pdf"])
    title = re.search(r'class="string-title">([^<]+)<', html).group(1)
    places = [text.index(HEADINGS["methods"]), text.index("Toxicity"), text.index(title[:40]), text.index("Study")]
    assert places == sorted(places)
    assert "Next steps" not in text and "Results" not in text and "Key results" not in text


def test_an_unknown_block_is_exit_2_naming_the_valid_ones_in_build_and_validate(tmp_path):
    folder = trial_with(tmp_path, '[report.summary]\nblocks = ["masthead", "forest_plot"]\n')
    for command in (["build", str(folder), "--out", str(tmp_path / "out")], ["validate", str(folder)]):
        result = run_cli(*command, env=ENV)
        assert result.returncode == 2, result.stderr
        assert "report.summary.blocks[1]: 'forest_plot' is not a block" in result.stderr
        assert "the valid ones: " + ", ".join(SUMMARY.valid()) in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_block_whose_ledger_part_the_page_lacks_or_a_repeated_block_is_refused(tmp_path):
    from report.inputs.spec import load_spec
    from report.kinds.kind import block_problems

    folder = trial_with(tmp_path, '[report.summary]\nblocks = ["masthead", "stopping", "methods", "masthead"]\n')
    problems = [p.message for p in block_problems(load_spec(folder))]
    assert problems == [
        "report.summary.blocks[1]: 'stopping' shows what the summary report's ledger does not hold; "
        "the valid ones: " + ", ".join(SUMMARY.valid()),
        "report.summary.blocks[3]: 'masthead' is named twice",
    ]
    assert {"title", "status", "changes", "stopping", "safety"}.isdisjoint(SUMMARY.valid())


def test_every_block_a_page_takes_renders_there(tmp_path):
    toml = (f"[report.summary]\nblocks = {SUMMARY.valid()!r}\n"
            f"[report.dsmb_closed]\nblocks = {DSMB_CLOSED.valid()!r}\n").replace("'", '"')
    folder = trial_with(tmp_path, toml)
    assert DSMB_CLOSED.valid() == [i for i, b in BLOCKS.items() if b.pages is None or "dsmb-closed" in b.pages]
    summary = built(run_cli("build", str(folder), "--out", str(tmp_path / "out"), env=ENV))
    assert 'id="baseline"' in summary["summary.html"].read_text(encoding="utf-8")
    dsmb = built(run_cli("build", str(folder), "--kind", "dsmb", "--no-encrypt", "--cutoff", "2017-07-31",
                         "--out", str(tmp_path / "out"), env=ENV))
    closed = dsmb["dsmb-closed.html"].read_text(encoding="utf-8")
    assert all(f'id="{i}"' in closed for i in ("study", "next-steps", "stopping", "results", "status", "efficacy-changes"))


def test_the_open_dsmb_report_refuses_every_unsafe_block(tmp_path):
    folder = trial_with(tmp_path, f"[report.dsmb_open]\nblocks = {list(BLOCKS)!r}\n".replace("'", '"'))
    result = run_cli("build", str(folder), "--kind", "dsmb", "--no-encrypt", "--out", str(tmp_path / "out"), env=ENV)
    assert result.returncode == 2
    refused = re.findall(r"report\.dsmb_open\.blocks\[\d+\]: '(\w+)' is not open-safe", result.stderr)
    assert refused == UNSAFE
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def every_safe_block(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("open")
    folder = trial_with(tmp_path, f"[report.dsmb_open]\nblocks = {SAFE!r}\n".replace("'", '"'))
    return built(run_cli("build", str(folder), "--kind", "dsmb", "--no-encrypt", "--cutoff", "2017-07-31",
                         "--out", str(tmp_path / "out"), env=ENV))


def test_the_open_report_with_every_safe_block_holds_no_efficacy(every_safe_block):
    text = pdf_text(every_safe_block["dsmb-open.pdf"])
    html = every_safe_block["dsmb-open.html"].read_text(encoding="utf-8")
    html = re.sub(r'url\("data:[^"]*"\)', "url()", html)  # the embedded fonts' base64 is no text ("MRD" is in it)
    for word in ("Overall survival", "Disease-free", "Kaplan", "MRD", "CR or CRi", "responders", "Response",
                 "Simon", "stopping"):  # the checks of test_dsmb's open report
        assert word not in text, word
        assert word not in html, word
    assert "Accrual by quarter" in text and "Serious adverse events" in text and "Deaths" in text
    # the masthead and the DSMB title page (whose running title is its kind's name): both open-safe
    assert len(re.findall(r'class="[^"]*\bstring-title\b', html)) == 2
    ledger = json.loads(every_safe_block["results.json"].read_text(encoding="utf-8"))
    assert not {"response", "mrd", "survival", "comparisons", "by_arm", "stopping", "endpoints", "arms"} & set(ledger)
    # The open ledger's keys are the open-safe blocks' (and every ledger's frame), not a list kept by hand.
    assert set(ledger) == set(FRAME) | {k for i in SAFE for k in BLOCKS[i].keys}


def test_the_open_ledger_is_built_from_open_safe_blocks_whatever_the_spec_asks():
    from report.analysis.dsmb_ledger import NEVER_OPEN, open_keys
    from report.kinds.dsmb import OPEN_BLOCK_KEYS

    assert set(OPEN_BLOCK_KEYS) == {k for i in SAFE for k in BLOCKS[i].keys}  # every safe block, chosen or not
    assert open_keys(OPEN_BLOCK_KEYS) == (("schema_version", "trial", "data_cutoff", "methods", "population",
                                           "accrual", "baseline", "safety"), ("report", "dsmb"))
    # Were an unsafe block declared open-safe, the open ledger would still refuse what it shows.
    refused = [i for i in UNSAFE if set(BLOCKS[i].keys) & set(NEVER_OPEN)]
    for block_id in refused:
        with pytest.raises(ValueError, match="the open DSMB ledger cannot hold"):
            open_keys((*OPEN_BLOCK_KEYS, *BLOCKS[block_id].keys))
    # Their ledger parts are every ledger's frame (or none: the abstract's authored text); their text is not open.
    assert set(UNSAFE) - set(refused) == {"methods", "abstract_background", "abstract_methods", "abstract_conclusions"}


def test_the_three_arm_open_report_with_every_safe_block_names_no_arm(tmp_path):
    import needs
    from test_adam import RANDOM

    needs.require("public-data")
    data = (RANDOM / tomllib.loads((RANDOM / "trial.toml").read_text(encoding="utf-8"))["source"]["path"]).resolve()
    folder = tmp_path / "trial"
    shutil.copytree(RANDOM, folder)
    spec = folder / "trial.toml"
    spec.write_text(spec.read_text(encoding="utf-8") + f"\n[report.dsmb_open]\nblocks = {SAFE!r}\n".replace("'", '"'),
                    encoding="utf-8")
    files = built(run_cli("build", str(folder), "--data", str(data), "--kind", "dsmb", "--no-encrypt", "--format", "html",
                          "--out", str(tmp_path / "out"), env=ENV))
    html = files["dsmb-open.html"].read_text(encoding="utf-8")
    assert 'id="baseline"' in html and "Baseline characteristics by arm" not in html
    for arm in ("Drug X", "Placebo", "Combination"):
        assert arm not in html
    assert all(arm in files["dsmb-closed.html"].read_text(encoding="utf-8") for arm in ("Drug X", "Placebo"))
