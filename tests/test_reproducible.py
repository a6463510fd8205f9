"""Reproducible anywhere: the PDF's bytes do not depend on the machine's font subsetter,
the manifest records the system libraries that shape the bytes, and `archive reproduce`
says what differs when bytes do (issue 13, items 11 and 12)."""
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest

from conftest import run_cli
from report.render import pdf_bytes
from report.resources import templates_dir

HTML = ('<h1 style="font-family: \'Source Sans Pro\'">Efficacy after the first cycle</h1>'
        '<p style="font-family: \'Source Sans Pro\'">Data cutoff 31 July 2018 <b>fine</b> <i>office</i></p>')
OPTIONS = {"archival": True, "attachments": {"results.json": b"{}"}, "on": dt.date(2025, 1, 1)}


def _without_harfbuzz_subset(monkeypatch):
    """As on a machine without libharfbuzz-subset: WeasyPrint's own test of that library."""
    from weasyprint.pdf import fonts

    monkeypatch.setattr(fonts, "harfbuzz_subset", None)


def test_pdf_bytes_do_not_depend_on_the_harfbuzz_subsetter(monkeypatch):
    from weasyprint.pdf import fonts

    if not fonts.harfbuzz_subset:
        pytest.skip("libharfbuzz-subset is not installed here: nothing to compare (the next test still runs)")
    with_it = pdf_bytes(HTML, **OPTIONS)
    _without_harfbuzz_subset(monkeypatch)
    assert pdf_bytes(HTML, **OPTIONS) == with_it


def test_no_font_subsetter_runs_whatever_is_installed(monkeypatch):
    """Runs on any machine: a subsetter WeasyPrint could pick would fail the render."""
    from weasyprint.pdf import fonts

    def refuse(*_):
        raise AssertionError("a font subsetter ran")

    monkeypatch.setattr(fonts, "harfbuzz_subset", fonts.harfbuzz_subset or object())
    monkeypatch.setattr(fonts.Font, "_harfbuzz_subset", refuse)
    monkeypatch.setattr(fonts.Font, "_fonttools_subset", refuse)
    pdf_bytes(HTML, **OPTIONS)
    _without_harfbuzz_subset(monkeypatch)
    pdf_bytes(HTML, **OPTIONS)


def test_the_embedded_fonts_are_the_shipped_files_and_the_text_still_reads(monkeypatch):
    """Whole fonts, byte for byte, and the text map of the glyphs used (ligatures included)."""
    import pikepdf
    from pypdf import PdfReader

    pdf = pdf_bytes(HTML, **OPTIONS)
    shipped = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (templates_dir() / "fonts").glob("*.otf")}
    with pikepdf.open(io.BytesIO(pdf)) as document:
        embedded = [obj[key].read_bytes() for obj in document.objects
                    if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"
                    for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in obj]
    assert embedded and {hashlib.sha256(data).hexdigest() for data in embedded} <= shipped
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for words in ("Efficacy after the first cycle", "Data cutoff", "fine", "office"):
        assert words in text
