"""Conference abstracts: counting rules, the limit, and the example's figures."""
import io
import zipfile
from pathlib import Path

import pytest

from report.layout.abstract import PRESETS, Abstract, Section, as_text, character_count, compose, counted, rule_for
from report.inputs.spec import AbstractLimit

from conftest import run_cli

TINY = Abstract(title="A b", authors=(("X", 1),), affiliations=("Y",),
                parts=(Section("Background", "c d."), Section("Results", "e  f"), Section("Table", "", rows=(("g", "h i"),))))


def test_counting_rules():
    asco = PRESETS["asco"]  # title and headings count; spaces do not
    assert counted(TINY, asco) == "AbBackgroundcd.Resultsefghi"
    assert character_count(TINY, asco) == 27
    eha = PRESETS["eha"]  # spaces and headings count; the title does not
    assert counted(TINY, eha) == "Background c d. Results e  f g h i"
    no_headings = rule_for("custom", AbstractLimit(max_chars=100, count_headings=False, count_spaces=True))
    assert counted(TINY, no_headings) == "c d. e  f g h i"
    assert "X1" not in counted(TINY, asco) and "Y" not in counted(TINY, eha)  # authors never count


def test_overrides_and_presets():
    rule = rule_for("asco", AbstractLimit(max_chars=2600), max_chars=None)
    assert (rule.max_chars, rule.count_spaces, rule.tables) == (2600, False, 1)
    assert rule_for("asco", AbstractLimit(max_chars=2600), max_chars=300).max_chars == 300
    assert PRESETS["eha"].max_chars == 3665 and PRESETS["asco"].max_chars == 2000


@pytest.fixture(scope="module")
def abstract(ledger, example_trial):
    return compose(ledger, example_trial.spec)


def test_example_states_the_ledger_figures(abstract, ledger):
    results = next(s.text for s in abstract.sections if s.heading == "Results")
    assert "CR or CRi was achieved by 19 of 29 patients (66%; 95% CI, 46%\u201382%)." in results
    assert "Of the 19 responders, 18 responded after the first cycle." in results
    assert "Among 13 responders with MRD data, 12 (92%; 95% CI, 64.0%\u201399.8%) were MRD-negative." in results
    assert "overall survival was 79% at 6 months and 65% at 12 months" in results
    assert "disease-free survival among responders was 68% at 6 months and 56% at 12 months" in results
    assert "hyperglycemia (4 patients, 14%)" in results and "No patient died within 28 days" in results
    assert "median age 75 years; range, 66\u201388" in results
    assert "S1318-0" not in as_text(abstract)  # no patient identifiers
    assert [s.heading for s in abstract.sections] == ["Background", "Methods", "Results", "Conclusions"]


def test_build_writes_four_files_within_the_limit(tmp_path):
    result = run_cli("build", "--kind", "abstract", "--out", str(tmp_path), env={"SOURCE_DATE_EPOCH": "1735689600"})
    assert result.returncode == 0, result.stderr
    files = {Path(p).name: Path(p) for p in result.stdout.split()}
    assert {"abstract.txt", "abstract.html", "abstract.pdf", "abstract.docx"} <= set(files)
    text = files["abstract.txt"].read_text()
    rule = PRESETS["ash"]
    count = int(result.stderr.split("abstract.txt: ")[1].split(" of ")[0].replace(",", ""))
    assert count <= rule.max_chars
    body = "\n".join(text.split("\n")[3:])  # what ASH counts: not the title or the author lines
    assert "(66%; 95% CI, 46%\u201382%)" in body
    with zipfile.ZipFile(io.BytesIO(files["abstract.docx"].read_bytes())) as docx:
        document = docx.read("word/document.xml").decode()
    assert "CR or CRi was achieved by 19 of 29 patients" in document
    # The title does not break inside "B-Cell" (issue 19: it read "B-" / "Cell"), and reads as typed.
    from pypdf import PdfReader

    lines = PdfReader(files["abstract.pdf"]).pages[0].extract_text().splitlines()[1:5]
    assert not any(line.rstrip().endswith("B-") for line in lines) and any("B-Cell" in line for line in lines)
    assert "Negative B-Cell Acute" in document
    # No word is broken where it has no hyphen of its own ("neut-ropenia", "re-fractory"): every line
    # that ends in a hyphen ends at one the text has.
    page = PdfReader(files["abstract.pdf"]).pages[0].extract_text().splitlines()
    source = " ".join(text.split())
    assert not [line for line in page if line.rstrip().endswith("\u2010")]  # WeasyPrint's hyphen for a word it broke
    breaks = [(a.split()[-1], b.split()[0]) for a, b in zip(page, page[1:]) if a.rstrip().endswith("-") and b.split()]
    assert all(f"{x}{y}" in source for x, y in breaks), breaks


def test_over_the_limit_exits_2_with_count_limit_and_excess(tmp_path):
    result = run_cli("build", "--kind", "abstract", "--max-chars", "300", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "the limit is 300:" in result.stderr and "over" in result.stderr
    count = int(result.stderr.split("abstract.txt: ")[1].split(" characters")[0].replace(",", ""))
    assert f"{count - 300:,} over" in result.stderr
    assert not any(tmp_path.iterdir())


def test_docx_is_deterministic(abstract):
    import datetime as dt

    from report.render.docx_writer import abstract_docx

    assert abstract_docx(abstract, dt.date(2025, 1, 1)) == abstract_docx(abstract, dt.date(2025, 1, 1))


def test_the_word_abstract_has_its_title_styled_and_each_part_headed(abstract):
    """Not every paragraph in Normal: the title in Word's Title style, each part with its heading
    run in bold, as the PDF shows them."""
    import datetime as dt

    from docx import Document

    from report.render.docx_writer import abstract_docx

    paragraphs = Document(io.BytesIO(abstract_docx(abstract, dt.date(2025, 1, 1)))).paragraphs
    assert [p.text for p in paragraphs if p.style.name == "Title"] == [abstract.title]
    for part in (p for p in abstract.parts if not p.rows):
        paragraph = next(p for p in paragraphs if p.text.startswith(f"{part.heading}:"))
        assert paragraph.runs[0].bold and paragraph.runs[0].text.strip() == f"{part.heading}:"


def test_a_ci_prints_both_limits_to_the_same_precision():
    from report.layout.abstract import _limits

    assert _limits(0.4566942723320567, 0.8206163507648881) == "46%\u201382%"
    assert _limits(0.6397025647321225, 0.9980543715026533) == "64.0%\u201399.8%"  # 99.8% would round to 100%
    assert _limits(0.0021, 0.25) == "0.2%\u201325.0%"
    assert _limits(0.0, 1.0) == "0%\u2013100%"  # exact ends stay whole


def test_the_table_has_a_header_row_counted_with_it(ledger):
    from report.inputs.spec import load_spec
    from report.layout.abstract import PRESETS, TABLE_HEAD, as_text, compose, counted
    from conftest import EXAMPLE

    spec = load_spec(EXAMPLE)
    spec = spec.model_copy(update={"abstract": spec.abstract.model_copy(update={"include_table": True})})
    abstract = compose(ledger, spec)
    table = next(p for p in abstract.parts if p.rows)
    assert table.head == TABLE_HEAD
    assert " | ".join(TABLE_HEAD) in as_text(abstract)
    assert "".join(c for row in (table.head, *table.rows) for c in row).replace(" ", "") in counted(abstract, PRESETS["asco"])


def test_with_a_table_the_text_does_not_repeat_its_numbers(ledger):
    """The table holds the secondary outcomes (MRD, survival); the text the primary (response),
    pointing to the table: no figure is given twice, and the abstract is the shorter for it."""
    from report.inputs.spec import load_spec
    from report.layout.abstract import PRESETS, TABLE_POINTER, compose, counted
    from conftest import EXAMPLE

    spec = load_spec(EXAMPLE)
    tabled = compose(ledger, spec.model_copy(update={"abstract": spec.abstract.model_copy(update={"include_table": True})}))
    plain = compose(ledger, spec.model_copy(update={"abstract": spec.abstract.model_copy(update={"include_table": False})}))
    text = {p.id: p.text for p in tabled.parts}["abstract_results"]
    rows = dict(next(p for p in tabled.parts if p.rows).rows)
    assert rows["MRD-negative, responders tested"] == "12/13 (92%)" and rows["OS at 6/12 months"] == "79%/65%"
    assert TABLE_POINTER in text and "19 of 29 patients (66%" in text  # the primary endpoint stays in the text
    assert "MRD" not in text and "79%" not in text and "65%" not in text
    plain_text = {p.id: p.text for p in plain.parts}["abstract_results"]
    assert "were MRD-negative" in plain_text and "79% at 6 months" in plain_text and TABLE_POINTER not in plain_text
    assert len(counted(tabled, PRESETS["asco"])) < len(counted(plain, PRESETS["asco"])) + 60
    users = compose(ledger, spec.model_copy(update={"abstract": spec.abstract.model_copy(update={"include_table": True})}),
                    written={"abstract_results": "In our words."})
    assert dict(next(p for p in users.parts if p.rows).rows)["CR or CRi"] == "19/29 (66%)"  # the user's text may not give it
