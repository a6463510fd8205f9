"""Reproducible anywhere: the PDF's bytes do not depend on the machine's font subsetter,
the manifest records the system libraries that shape the bytes, and `archive reproduce`
says what differs when bytes do (issue 13, items 11 and 12)."""
import datetime as dt
import hashlib
import io
import json

import pytest

from conftest import run_cli
from report.render.render import pdf_bytes
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


# ----------------------------------------------------------------- SOURCE_DATE_EPOCH (item 11)

@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_source_date_epoch_is_treated_as_unset(empty, tmp_path):
    analyzed = run_cli("analyze", env={"SOURCE_DATE_EPOCH": empty})
    assert analyzed.returncode == 0, analyzed.stderr
    assert json.loads(analyzed.stdout)
    built = run_cli("build", "--format", "html", "--out", str(tmp_path), env={"SOURCE_DATE_EPOCH": empty})
    assert built.returncode == 0, built.stderr
    manifest = json.loads(next(tmp_path.glob("*/*/*/manifest.json")).read_text())
    assert manifest["generated_on"] == dt.datetime.now(dt.timezone.utc).date().isoformat()


@pytest.mark.parametrize("value", ["abc", "12 days", "1.5e9", "99999999999999", "-9999999999"])
def test_a_malformed_source_date_epoch_is_bad_input_naming_it(value, tmp_path):
    for args in (("analyze",), ("build", "--format", "html", "--out", str(tmp_path))):
        result = run_cli(*args, env={"SOURCE_DATE_EPOCH": value})
        assert result.returncode == 2, result.stderr
        assert "SOURCE_DATE_EPOCH" in result.stderr and "Internal error" not in result.stderr
    assert not list(tmp_path.glob("*/*/*"))


# ----------------------------------------------------------------- the manifest records the system (item 12)

def test_the_manifest_records_the_libraries_that_shape_the_bytes(tmp_path):
    built = run_cli("build", "--format", "html", "--out", str(tmp_path), env={"SOURCE_DATE_EPOCH": "1735689600"})
    assert built.returncode == 0, built.stderr
    system = json.loads(next(tmp_path.glob("*/*/*/manifest.json")).read_text())["system"]
    for library in ("pango", "harfbuzz", "freetype", "fontconfig", "zlib", "fonttools", "pydyf"):
        assert system[library] and system[library][0].isdigit(), (library, system)
    assert system["font_subsetter"] == "none (fonts embedded whole)"
    assert system["harfbuzz_subset"] in ("installed, not used", "not installed")


def test_system_versions_are_read_from_the_libraries_weasyprint_uses():
    from weasyprint.text.ffi import harfbuzz, pango

    from report.archive.system import system_libraries

    assert system_libraries()["pango"] == ".".join(str(pango.pango_version() // 10 ** k % 100) for k in (4, 2, 0))
    assert harfbuzz.hb_version_atleast(*map(int, system_libraries()["harfbuzz"].split(".")))


# ----------------------------------------------------------------- reproduce says what differs (item 12)

def _page_html(*pages: str) -> str:
    return "".join(f'<p style="break-before: page; font-family: \'Source Sans Pro\'">{p}</p>' for p in pages)


def _svg(colour: str) -> str:
    import base64

    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="80" height="40"><rect width="80" height="40" fill="{colour}"/></svg>'
    return f'<img src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}">'


def test_compare_pdfs_names_the_pages_whose_text_or_look_differ():
    from report.archive.difference import compare_pdfs

    old = pdf_bytes(_page_html("Page one", "Page two " + _svg("red"), "Page three " + _svg("blue")))
    new = pdf_bytes(_page_html("Page one", "Page 2 " + _svg("red"), "Page three " + _svg("green")))
    text, images = compare_pdfs(old, new)
    assert text == "text: different on page 2 of 3"
    assert images.startswith("page images") and images.endswith("different on pages 2, 3 of 3")
    text, images = compare_pdfs(old, old)
    assert text == "text: the same on all 3 pages" and images.endswith("the same on all 3 pages")


def test_without_pdftoppm_the_decoded_images_of_each_page_are_compared(monkeypatch):
    import base64
    import struct
    import zlib

    from report.archive import difference

    def png(rgb: bytes) -> str:
        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        raw += chunk(b"IDAT", zlib.compress(b"\x00" + rgb)) + chunk(b"IEND", b"")
        return f'<img src="data:image/png;base64,{base64.b64encode(raw).decode()}" width="20">'

    monkeypatch.setattr(difference.shutil, "which", lambda _: None)
    old = pdf_bytes(_page_html("One " + png(b"\xff\x00\x00"), "Two " + png(b"\x00\x00\xff")))
    new = pdf_bytes(_page_html("One " + png(b"\xff\x00\x00"), "Two " + png(b"\x00\xff\x00")))
    assert "page images (their embedded images, decoded): different on page 2 of 2" in difference.compare_pdfs(old, new)


def test_reproduce_names_changed_libraries_and_finds_text_and_pages_the_same(tmp_path, monkeypatch):
    """A version whose PDF was built with its fonts subset (as before this change, or by
    another subsetter) and whose manifest records other library versions."""
    import report
    from report.render import render
    from weasyprint.pdf import fonts

    def subset_with_fonttools(font, to_unicode, hinting):
        if to_unicode:
            font._fonttools_subset(to_unicode, hinting)  # noqa: SLF001 - WeasyPrint's own other path

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    monkeypatch.setattr(render, "_embed_fonts_whole", lambda: None)
    monkeypatch.setattr(fonts.Font, "subset", subset_with_fonttools)
    bundle = report.build(report.load_trial(), formats=("pdf", "html"), out=tmp_path / "output")
    manifest_path = bundle.directory / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["system"].update({"harfbuzz": "2.6.4", "pango": "1.44.7", "font_subsetter": "fonttools"})
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")

    version = bundle.directory.relative_to(tmp_path / "output").as_posix()
    result = run_cli("archive", "reproduce", version, "--out", str(tmp_path / "output"))
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "identical  summary.html" in out and "different  summary.pdf" in out
    assert "system library harfbuzz: 2.6.4 recorded" in out and "system library pango: 1.44.7 recorded" in out
    assert "system library font_subsetter: fonttools recorded, none (fonts embedded whole) running" in out
    pages = len(__import__("pypdf").PdfReader(bundle.directory / "summary.pdf").pages)
    assert f"text: the same on all {pages} pages" in out
    assert f"page images (rendered by pdftoppm at 72 dpi): the same on all {pages} pages" in out or \
        f"page images (their embedded images, decoded): the same on all {pages} pages" in out
