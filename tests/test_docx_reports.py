"""Word output of the summary and DSMB reports (`--format docx`): the HTML's headings as Word
headings, its tables as Word tables (header rows repeated on every page) with the same cells,
its figures as images, the spec's paper and house style; the closed DSMB report only encrypted
with its password, or with --no-encrypt; LibreOffice opens every file and converts it to PDF."""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess

import lxml.html
import pytest
from docx import Document
from docx.oxml.ns import qn

import needs
from conftest import EXAMPLE, run_cli
from report import compose
from report.inputs.trial import load_trial
from report.kinds.common import FORMATS
from report.layout.formatting import count_percent

PASSWORD = "board-only-2018"


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    out = tmp_path_factory.mktemp("summary")
    return compose.build(load_trial(EXAMPLE), formats=("html", "docx", "rtf"), out=out).directory


@pytest.fixture(scope="module")
def dsmb(tmp_path_factory):
    out = tmp_path_factory.mktemp("dsmb")
    return compose.build(load_trial(EXAMPLE), kind="dsmb", formats=("html", "docx"), out=out,
                         closed_password=PASSWORD).directory


def squeezed(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def html_tables(html: str) -> list[list[list[str]]]:
    """Each table of the HTML as rows of cell texts, read with lxml alone (not the code under test)."""
    root = lxml.html.document_fromstring(html)
    for line_break in root.iter("br"):  # a line break: a space once squeezed, as Word's break
        line_break.tail = "\n" + (line_break.tail or "")
    return [[[squeezed(cell.text_content()) for cell in row.xpath("./th|./td")] for row in table.xpath(".//tr")]
            for table in root.iter("table")]


def word_rows(table) -> list[list[str]]:
    """A Word table's rows as cell texts, a merged cell once."""
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(squeezed(cell.text))
        rows.append(cells)
    return rows


def padded(rows: list[list[str]], width: int) -> list[list[str]]:
    return [row + [""] * (width - len(row)) if len(row) < width else row for row in rows]


def test_word_and_rtf_are_written_only_when_asked():
    assert FORMATS["summary"] == ("pdf", "html") and FORMATS["dsmb"] == ("pdf", "html")
    assert FORMATS["abstract"] == ("txt", "html", "pdf", "docx")


def test_the_sections_are_word_headings_and_the_title_is_the_title(summary):
    html = (summary / "summary.html").read_text(encoding="utf-8")
    root = lxml.html.document_fromstring(html)
    document = Document(str(summary / "summary.docx"))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert [t for s, t in styled if s == "Heading 1"] == [squeezed(h.text_content()) for h in root.iter("h2")]
    assert [t for s, t in styled if s == "Heading 2"] == [squeezed(h.text_content()) for h in root.iter("h3")]
    assert [t for s, t in styled if s == "Title"] == [squeezed(h.text_content()) for h in root.iter("h1")]
    assert "Disposition" in [t for s, t in styled if s == "Heading 1"]


def test_every_table_has_the_html_cells_and_repeats_its_header_rows(summary):
    html = (summary / "summary.html").read_text(encoding="utf-8")
    expected = html_tables(html)
    document = Document(str(summary / "summary.docx"))
    assert len(document.tables) == len(expected) >= 8
    root = lxml.html.document_fromstring(html)
    for table, cells, source in zip(document.tables, expected, root.iter("table")):
        width = len(table.columns)
        assert padded(word_rows(table), width) == padded(cells, width)
        headed = len(source.xpath("./thead/tr"))
        marks = [row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None for row in table.rows]
        assert marks == [True] * headed + [False] * (len(table.rows) - headed)


def test_a_trial_by_arm_has_its_spanning_headers_merged_and_the_html_cells(tmp_path):
    """The ADaM example (two arms and a total): columns per arm, "n (%)" and "Events" under each."""
    trial = load_trial(EXAMPLE.parent / "adam-example")
    directory = compose.build(trial, formats=("html", "docx"), out=tmp_path / "out").directory
    expected = html_tables((directory / "summary.html").read_text(encoding="utf-8"))
    document = Document(str(directory / "summary.docx"))
    assert len(document.tables) == len(expected)
    spanned = 0
    for table, cells in zip(document.tables, expected):
        width = len(table.columns)
        assert padded(word_rows(table), width) == padded(cells, width)
        spanned += any(len(row) < width for row in word_rows(table)[:1])
    assert spanned >= 1  # a header cell over two columns, merged in Word
    assert any(row[:1] == ["Chemotherapy N = 45"] or "Chemotherapy N = 45" in row for t in document.tables
               for row in word_rows(t)[:1])


def test_a_number_of_the_ledger_is_in_its_cell(summary):
    ledger = json.loads((summary / "results.json").read_text(encoding="utf-8"))
    any_event = ledger["safety"]["any_event"]
    document = Document(str(summary / "summary.docx"))
    rows = [word_rows(t) for t in document.tables]
    aesi_deaths = [r for table in rows for r in table if r[0] == "All deaths"]
    assert aesi_deaths and aesi_deaths[0][1] == count_percent(ledger["safety"]["deaths"]["total"],
                                                              ledger["safety"]["deaths"]["total"] / ledger["safety"]["n"])
    toxicity = next(t for t in rows if t[0][0] == "Adverse event (CTCAE term)")
    assert toxicity[1][:2] == ["Any adverse event", count_percent(any_event["subjects"], any_event["proportion"])]


def test_figures_are_images_with_their_captions(summary):
    html = (summary / "summary.html").read_text(encoding="utf-8")
    figures = html.count("<figure>")
    document = Document(str(summary / "summary.docx"))
    assert len(document.inline_shapes) == figures >= 4
    images = [p for p in document.part.package.parts if p.content_type == "image/png"]
    assert len(images) == figures and all(p.blob.startswith(b"\x89PNG") for p in images)
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert any(c.startswith("Overall survival.") for c in captions)


def test_a4_by_default_and_the_same_bytes_again(summary, tmp_path):
    document = Document(str(summary / "summary.docx"))
    assert document.sections[0].page_width.mm == pytest.approx(210, abs=0.05)
    assert document.sections[0].page_height.mm == pytest.approx(297, abs=0.05)
    again = compose.build(load_trial(EXAMPLE), formats=("docx",), out=tmp_path / "out").directory
    assert (again / "summary.docx").read_bytes() == (summary / "summary.docx").read_bytes()


def test_letter_paper_numbered_captions_the_running_header_and_the_logo(tmp_path):
    from PIL import Image

    folder = tmp_path / "trial"
    shutil.copytree(EXAMPLE, folder)
    Image.new("RGB", (300, 100), "navy").save(folder / "logo.png")
    spec = folder / "trial.toml"
    spec.write_text(spec.read_text() + '\n[report]\npaper = "Letter"\n\n[report.style]\nnumbering = true\n'
                    'header = "S1318 summary"\nconfidentiality = "Confidential: SWOG"\nlogo = "logo.png"\n')
    directory = compose.build(load_trial(folder), formats=("docx",), out=tmp_path / "out").directory
    document = Document(str(directory / "summary.docx"))
    section = document.sections[0]
    assert section.page_width.mm == pytest.approx(215.9, abs=0.05)
    assert section.header.paragraphs[0].text == "S1318 summary"
    assert "Confidential: SWOG" in section.footer.paragraphs[0].text
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions[0] == "Table 1. Disposition of patients enrolled"
    assert [c.split(".")[0] for c in captions if c.startswith("Figure")][:2] == ["Figure 1", "Figure 2"]
    logo = document.inline_shapes[0]  # at the head of the first page, before the title
    assert logo.width.mm == pytest.approx(40, abs=0.1) and logo.height.mm == pytest.approx(40 / 3, abs=0.1)
    assert document.element.body.index(logo._inline.getparent().getparent().getparent()) == 0


def decrypted(data: bytes, password: str) -> bytes:
    import msoffcrypto

    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    office.load_key(password=password)
    plain = io.BytesIO()
    office.decrypt(plain)
    return plain.getvalue()


def test_the_closed_dsmb_report_is_encrypted_with_its_password(dsmb):
    import msoffcrypto

    manifest = json.loads((dsmb / "manifest.json").read_text(encoding="utf-8"))
    assert "dsmb-closed.docx" in manifest["encrypted"]
    assert not (dsmb / "dsmb-closed.html").exists()
    data = (dsmb / "dsmb-closed.docx").read_bytes()
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    assert office.is_encrypted()
    with pytest.raises(Exception):
        Document(io.BytesIO(data))
    document = Document(io.BytesIO(decrypted(data, PASSWORD)))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert "Stopping rules" in headings or any("topping" in h for h in headings), headings
    wrong = msoffcrypto.OfficeFile(io.BytesIO(data))
    wrong.load_key(password="not-it")
    with pytest.raises(Exception):
        wrong.decrypt(io.BytesIO())
    open_document = Document(str(dsmb / "dsmb-open.docx"))  # the open report: in clear
    assert len(open_document.tables) >= 3


def test_the_closed_report_in_word_needs_a_password_or_no_encrypt(tmp_path):
    env = {"TRIALREPORT_CLOSED_PASSWORD": ""}
    result = run_cli("build", "--kind", "dsmb", "--format", "docx", "--out", str(tmp_path / "out"), env=env)
    assert result.returncode == 2, result.stderr
    assert "TRIALREPORT_CLOSED_PASSWORD" in result.stderr and "--no-encrypt" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.needs("libreoffice")
def test_libreoffice_converts_the_word_reports_and_rtf_tables(summary, dsmb, tmp_path):
    """The Word summary, both DSMB reports (the closed one decrypted) and two RTF tables, in one
    LibreOffice run: each becomes a PDF holding its numbers."""
    from pypdf import PdfReader

    closed = tmp_path / "dsmb-closed.docx"
    closed.write_bytes(decrypted((dsmb / "dsmb-closed.docx").read_bytes(), PASSWORD))
    tables = sorted(summary.glob("summary-table-*.rtf"))
    files = [summary / "summary.docx", dsmb / "dsmb-open.docx", closed, tables[0], tables[-1]]
    converted = convert(files, tmp_path / "pdf")
    for source in files:
        pdf = converted / f"{source.stem}.pdf"
        assert pdf.is_file(), source.name
        text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert "31 July 2018" in text or "29" in text, source.name
    summary_text = " ".join(p.extract_text() for p in PdfReader(converted / "summary.pdf").pages)
    assert "29 (100.0%)" in summary_text and "Page 1 of" in summary_text


def convert(files, folder):
    profile = folder.parent / "lo-profile"
    command = [needs.soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
               "--outdir", str(folder), *map(str, files)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return folder


def test_archive_reproduce_gives_the_same_word_and_rtf_bytes(summary):
    root = summary.parents[2]
    results = compose.reproduce(root, f"S1318/summary/{summary.name}")
    shown = {r.name: r.status for r in results}
    assert shown["summary.docx"] == "identical" and shown["summary-table-01-disposition.rtf"] == "identical"
    assert set(shown.values()) == {"identical"}, shown


def test_a_second_build_of_the_same_ledger_draws_no_figure_again(monkeypatch):
    """As for the PDF (`watch`): the figures and their PNGs of an unchanged ledger are kept."""
    from report.kinds import kind
    from report.layout import figures

    ledger_bytes = (EXAMPLE / "trial.toml").read_bytes()  # any bytes: the fingerprint of a ledger
    from report.blocks.ledger import results

    ledger = results(load_trial(EXAMPLE)).to_dict()
    spec = load_trial(EXAMPLE).spec
    first = kind.drawings(kind.SUMMARY, spec, ledger, ledger_bytes, True)
    assert first[1] and set(first[1]) == set(first[0])
    monkeypatch.setattr(figures, "_svg_string", lambda fig: pytest.fail("drawn again"))
    assert kind.drawings(kind.SUMMARY, spec, ledger, ledger_bytes, True) == first
