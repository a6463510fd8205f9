"""The abstract's parts are blocks (issue 14): `[report.abstract] blocks = [...]` chooses and
orders them; the default list gives today's abstract; the character limit counts what is chosen."""
import re
import shutil
from pathlib import Path

from conftest import EXAMPLE, run_cli
from report.blocks.catalogue import BLOCKS
from report.kinds.kind import ABSTRACT, DSMB_CLOSED, DSMB_OPEN, SUMMARY
from report.layout.abstract import PARTS

ENV = {"SOURCE_DATE_EPOCH": "1735689600"}


def trial_with(tmp_path: Path, toml: str, abstract: str = "") -> Path:
    """The bundled example with `toml` appended to its trial.toml and `abstract` added to its [abstract]."""
    folder = tmp_path / "trial"
    shutil.copytree(EXAMPLE, folder)
    spec = folder / "trial.toml"
    text = spec.read_text(encoding="utf-8").replace("[abstract]\n", "[abstract]\n" + abstract)
    spec.write_text(text + "\n" + toml, encoding="utf-8")
    return folder


def build(folder: Path, out: Path, *args: str):
    return run_cli("build", str(folder), "--kind", "abstract", "--format", "txt,html", "--out", str(out), *args, env=ENV)


def files_of(result) -> dict[str, str]:
    assert result.returncode == 0, result.stderr
    # reproduce.txt names the inputs by hash: a spec written differently is another input
    return {Path(p).name: Path(p).read_text(encoding="utf-8") for p in result.stdout.split()
            if not p.endswith((".json", "reproduce.txt"))}


def txt_headings(text: str) -> list[str]:
    return re.findall(r"^(Background|Methods|Results|Conclusions|Table)[:.]", text, flags=re.M)


def html_headings(html: str) -> list[str]:
    return [m.group(1) or "Table" for m in re.finditer(r'<p><b>(\w+):</b>|<table class="abstract-table">', html)]


def test_the_abstract_blocks_are_its_parts_and_belong_to_its_page_only():
    assert ABSTRACT.blocks == tuple(PARTS) == tuple(ABSTRACT.valid())
    assert all(not BLOCKS[i].open_safe and BLOCKS[i].pages == ("abstract",) for i in ABSTRACT.blocks)
    for sheet in (SUMMARY, DSMB_OPEN, DSMB_CLOSED):
        assert set(sheet.valid()).isdisjoint(ABSTRACT.blocks), sheet.name


def test_a_reordered_shortened_abstract_has_exactly_those_parts_in_that_order(tmp_path):
    folder = trial_with(tmp_path, '[report.abstract]\nblocks = ["abstract_results", "abstract_background"]\n')
    files = files_of(build(folder, tmp_path / "out"))
    assert txt_headings(files["abstract.txt"]) == ["Results", "Background"]
    assert html_headings(files["abstract.html"]) == ["Results", "Background"]
    assert "Methods" not in files["abstract.txt"] and "Conclusions" not in files["abstract.html"]


def test_the_table_goes_where_the_spec_puts_it(tmp_path):
    folder = trial_with(tmp_path, '[report.abstract]\nblocks = ["abstract_table", "abstract_conclusions"]\n',
                        abstract='include_table = true\n')
    text = (folder / "trial.toml").read_text(encoding="utf-8").replace('meeting = "ash"', 'meeting = "asco"')
    (folder / "trial.toml").write_text(text, encoding="utf-8")
    files = files_of(build(folder, tmp_path / "out"))
    assert txt_headings(files["abstract.txt"]) == ["Table", "Conclusions"]
    assert html_headings(files["abstract.html"]) == ["Table", "Conclusions"]
    assert "Outcome | Result\nCR or CRi | 19/29 (66%)" in files["abstract.txt"]


def test_the_character_limit_counts_the_parts_chosen(tmp_path):
    full = build(EXAMPLE, tmp_path / "full")
    count = int(re.search(r"abstract\.txt: ([\d,]+) of", full.stderr).group(1).replace(",", ""))
    limit = str(count - 500)
    over = build(EXAMPLE, tmp_path / "over", "--max-chars", limit)
    assert over.returncode == 2 and "over" in over.stderr and "Traceback" not in over.stderr
    folder = trial_with(tmp_path, '[report.abstract]\nblocks = ["abstract_methods", "abstract_results"]\n')
    shorter = build(folder, tmp_path / "out", "--max-chars", limit)
    assert shorter.returncode == 0, shorter.stderr
    assert int(re.search(r"abstract\.txt: ([\d,]+) of", shorter.stderr).group(1).replace(",", "")) < count - 500


def test_an_unknown_repeated_or_other_pages_block_is_exit_2_listing_the_valid_ones(tmp_path):
    folder = trial_with(tmp_path, '[report.abstract]\nblocks = ["abstract_results", "abstract_summary", "results", '
                                  '"abstract_results"]\n[report.summary]\nblocks = ["masthead", "abstract_methods"]\n')
    valid = ", ".join(ABSTRACT.blocks)
    for command in (["build", str(folder), "--kind", "abstract", "--out", str(tmp_path / "out")], ["validate", str(folder)]):
        result = run_cli(*command, env=ENV)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        for problem in (f"report.abstract.blocks[1]: 'abstract_summary' is not a block; the valid ones: {valid}",
                        f"report.abstract.blocks[2]: 'results' is not a block of the abstract page; the valid ones: {valid}",
                        "report.abstract.blocks[3]: 'abstract_results' is named twice",
                        "report.summary.blocks[1]: 'abstract_methods' is not a block of the summary page; "
                        "the valid ones: " + ", ".join(SUMMARY.valid())):
            assert problem in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_the_default_list_written_out_gives_the_same_abstract_as_none(tmp_path):
    listed = trial_with(tmp_path, f"[report.abstract]\nblocks = {list(ABSTRACT.blocks)!r}\n".replace("'", '"'))
    plain, chosen = files_of(build(EXAMPLE, tmp_path / "plain")), files_of(build(listed, tmp_path / "chosen"))
    assert plain == chosen
    assert txt_headings(plain["abstract.txt"]) == ["Background", "Methods", "Results", "Conclusions"]
