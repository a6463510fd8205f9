"""RTF tables for submissions (`--format rtf`): each table of a report as an RTF file with its
title, its notes and the footnotes its marks refer to, "Page x of y", and its column headers
repeated on every page; the same cells as the PDF/HTML's table. The closed DSMB report's tables
only with --no-encrypt. (LibreOffice converts them: tests/test_docx_reports.py.)"""
from __future__ import annotations

import re

import lxml.html
import pytest

from conftest import EXAMPLE, run_cli
from report import compose
from report.inputs.trial import load_trial
from report.render.document import Cell, Run, Table, TableRow, elements, tables
from report.render.rtf_tables import table_files, table_rtf


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    out = tmp_path_factory.mktemp("rtf")
    return compose.build(load_trial(EXAMPLE), formats=("html", "rtf"), out=out).directory


def rtf_text(rtf: str) -> str:
    """The RTF's visible text, roughly: \\uN* escapes as characters, control words dropped."""
    text = re.sub(r"\\u(-?\d+)\*", lambda m: f"\0{int(m.group(1)) % 65536}\0", rtf)  # kept apart first
    text = re.sub(r"\\[a-z]+-?\d* ?", "", text).replace("{", "").replace("}", "")
    return re.sub(r"\0(\d+)\0", lambda m: chr(int(m.group(1))), text)


def test_one_file_per_table_named_by_order_and_section(summary):
    html = (summary / "summary.html").read_text(encoding="utf-8")
    count = len(list(lxml.html.document_fromstring(html).iter("table")))
    names = sorted(p.name for p in summary.glob("summary-table-*.rtf"))
    assert len(names) == count
    assert names[0] == "summary-table-01-disposition.rtf"
    assert "summary-table-04-results-2.rtf" in names  # the second table of the results section


def test_each_table_has_its_title_notes_page_numbers_and_cells(summary):
    html = (summary / "summary.html").read_text(encoding="utf-8")
    found = tables(html)
    root = lxml.html.document_fromstring(html)
    for n, (table, source) in enumerate(zip(found, root.iter("table")), start=1):
        [path] = summary.glob(f"summary-table-{n:02d}-*.rtf")
        rtf = path.read_text(encoding="ascii")
        assert rtf.startswith("{\\rtf1") and rtf.rstrip().endswith("}")
        assert "\\chpgn" in rtf and "NUMPAGES" in rtf  # Page x of y
        text = rtf_text(rtf)
        assert table.title in text
        for note in source.itersiblings():
            if note.tag != "p" or "table-note" not in (note.get("class") or ""):
                break
            assert " ".join(note.text_content().split())[:60] in " ".join(text.split())
        for cell in source.xpath(".//tbody//td"):
            assert " ".join(cell.text_content().split()) in text


def test_a_long_table_repeats_its_column_headers_on_every_page(summary):
    rtf = next(summary.glob("summary-table-*-toxicity.rtf")).read_text(encoding="ascii")
    pages = rtf.count("\\page") + 1
    assert pages >= 2
    assert rtf_text(rtf).count("Adverse event (CTCAE term)") == pages
    assert "29 (100.0%)" in rtf  # "Any adverse event", the HTML's cell


def test_the_footnotes_its_marks_refer_to_follow_the_table(summary):
    rtf = next(p for p in summary.glob("summary-table-*-results.rtf")).read_text(encoding="ascii")
    assert "\\super 1" in rtf  # the mark of the CI column header
    assert "1. Proportions with exact Clopper-Pearson 95% confidence intervals." in rtf_text(rtf)


def table_of(label: str, cell: str, caption: str = "A table") -> Table:
    return Table((Run(caption),) if caption else (), (TableRow((Cell((Run(""),)), Cell((Run("Total"),)))),),
                 (TableRow((Cell((Run(label),)), Cell((Run(cell),))), "group"),), ((Run("A note."),),), "study")


def test_text_is_escaped_and_the_bytes_are_the_same_again():
    table = table_of("Dose {mg}\\kg ^ x_1 \u2265 3 \U0001d6fc", "5 (50.0%)")
    rtf = table_rtf(table).decode("ascii")  # plain ASCII: every other character escaped
    assert "\\u123*" in rtf and "\\u125*" in rtf and "\\u92*" in rtf and "\\u8805*" in rtf
    assert "\\u-10187*\\u-8452*" in rtf  # a character beyond the BMP: its UTF-16 pair
    assert "Dose {mg}" not in rtf and "\\super" not in rtf
    assert "{\\b Dose" in rtf  # the group row's label in bold
    assert rtf_text(rtf).count("Dose {mg}\\kg ^ x_1 \u2265 3") == 1
    assert table_rtf(table) == table_rtf(table)


def test_numbered_captions_the_paper_and_a_heading_for_a_title():
    from report.render.document import Heading

    found = [table_of("Row", "1", "First"), table_of("Row", "2", "Second"), Heading(2, "Key results"),
             table_of("Row", "3", "")]
    files = table_files(found, paper="Letter", footer="Confidential", numbering=True)
    assert list(files) == ["01-study.rtf", "02-study-2.rtf", "03-study-3.rtf"]
    assert "Table 3. Key results" in files["03-study-3.rtf"].decode("ascii")
    second = files["02-study-2.rtf"].decode("ascii")
    assert "Table 2. Second" in second and "Confidential" in second
    assert "\\paperw12240\\paperh15840" in second  # 8.5 x 11 inches, in twips


def test_the_closed_dsmb_tables_need_no_encrypt(tmp_path):
    result = run_cli("build", "--kind", "dsmb", "--format", "pdf,rtf", "--out", str(tmp_path / "out"),
                     env={"TRIALREPORT_CLOSED_PASSWORD": "secret"})
    assert result.returncode == 2
    assert "RTF files cannot be encrypted" in result.stderr and "--no-encrypt" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_reader_keeps_spans_indents_line_breaks_marks_and_notes():
    html = """<html><body><section id="safety"><h2>Safety</h2>
    <table><caption>Events <b>by arm</b></caption>
      <thead><tr><th></th><th colspan="2">A<br><span>N = 3</span></th></tr></thead>
      <tbody><tr class="group"><td>Any</td><td>1</td><td>2</td></tr>
             <tr class="deeper"><td class="indent">Grade 3<sup class="fn">2</sup></td><td>0</td></tr></tbody>
    </table><p class="table-note">n: patients.</p><p>After.</p></section></body></html>"""
    [heading, table, after] = elements(html)
    assert heading.text == "Safety" and after.runs[0].text == "After."
    assert table.title == "Events by arm" and table.section == "safety" and table.columns == 3
    assert table.header[0].cells[1].span == 2 and table.header[0].cells[1].text == "A\nN = 3"
    assert [r.kind for r in table.body] == ["group", "deeper"] and [r.indent for r in table.body] == [0, 2]
    assert table.body[1].cells[0].runs[-1] == Run("2", superscript=True)
    assert [n[0].text for n in table.notes] == ["n: patients."]
