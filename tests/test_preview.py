"""`watch`'s live preview (report.render.preview): the HTML written as soon as it is laid out,
before the PDF, reloading itself in the browser when the next build is written."""
from __future__ import annotations

import re
import time

import pytest

from report import compose
from report.inputs.trial import load_trial
from report.render.preview import STAMP, preview_files, write_preview


def stamp_of(js: bytes) -> str:
    return re.fullmatch(rb'window.trialreportStamp = "([0-9a-f]{16})";\n', js).group(1).decode()


def test_the_page_is_the_report_with_the_reloader_and_its_stamp():
    page = b"<html><head><title>R</title></head><body>19 of 29</body></html>"
    files = preview_files({"summary.html": page})
    stamp = stamp_of(files[STAMP])
    head, body = files["summary.html"].split(b"</head>")
    assert head.startswith(b"<html><head><title>R</title><script>") and f'var built = "{stamp}"'.encode() in head
    assert body == b"<body>19 of 29</body></html>"
    assert stamp_of(preview_files({"summary.html": page.replace(b"19", b"20")})[STAMP]) != stamp


def test_the_preview_is_written_before_the_pdf_and_the_bundle_is_unchanged(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    folder = tmp_path / "with" / "S1318" / "summary" / "preview"
    seen_at_pdf = {}

    def pdfs(requests):
        seen_at_pdf.update({p.name: p.read_bytes() for p in folder.iterdir()})
        from report.render.render import pdf_bytes

        return [pdf_bytes(html, **options) for html, options in requests]

    trial = load_trial(None)
    with_preview = compose.build(trial, out=tmp_path / "with", preview=True, render_pdfs=pdfs)
    plain = compose.build(trial, out=tmp_path / "plain")
    html = (with_preview.directory / "summary.html").read_bytes()
    assert set(seen_at_pdf) == {"summary.html", STAMP}
    assert seen_at_pdf["summary.html"] == preview_files({"summary.html": html})["summary.html"]
    assert b"trialreportStamp" not in html
    for name in ("summary.html", "summary.pdf", "results.json"):
        assert (with_preview.directory / name).read_bytes() == (plain.directory / name).read_bytes(), name


def test_an_encrypted_closed_report_never_reaches_the_preview(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIALREPORT_CLOSED_PASSWORD", "a password")
    compose.build(load_trial(None, cutoff="2017-07-31"), kind="dsmb", formats=("html",), out=tmp_path, preview=True)
    assert sorted(p.name for p in (tmp_path / "S1318" / "dsmb" / "preview").iterdir()) == ["dsmb-open.html", STAMP]


@pytest.mark.needs("chromium")
def test_the_open_page_reloads_itself_when_the_next_build_is_written(tmp_path):
    from test_browser import CHROMIUM_ARGS
    from needs import CHROMIUM
    from playwright.sync_api import sync_playwright

    page_html = "<html><head><title>{}</title></head><body><p id=n>{}</p></body></html>"
    write_preview(tmp_path, {"report.html": page_html.format("first", "first build").encode()})
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto((tmp_path / "report.html").as_uri())
            page.evaluate("window.untouched = true")  # a reload would clear it
            time.sleep(2.5)  # two polls with nothing new: no reload
            assert page.evaluate("window.untouched === true")
            write_preview(tmp_path, {"report.html": page_html.format("second", "second build").encode()})
            page.wait_for_function("document.getElementById('n') && document.getElementById('n').innerText == 'second build'",
                                   timeout=10_000)
        finally:
            browser.close()
