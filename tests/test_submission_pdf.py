"""The submission PDF (issue 18, item 2): `--format pdf-submission` writes PDF/A-2b with
bookmarks for every section, table and figure, every font embedded, and nothing else
embedded: no attachments, no encryption, no JavaScript. Full PDF/A validation needs
veraPDF (not in the package registries here); these tests check what can be checked."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest

import needs
from conftest import run_cli
from report.render.render import pdf_bytes

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01
PASSWORD = "submission test password"


def built(out: Path, *args: str, env: dict | None = None) -> dict[str, Path]:
    result = run_cli("build", *args, "--out", str(out), env={**EPOCH, **(env or {})})
    assert result.returncode == 0, result.stderr
    return {Path(p).name: Path(p) for p in result.stdout.split()}


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    """The S1318 summary with its archival and submission PDFs and its HTML, in one bundle."""
    return built(tmp_path_factory.mktemp("summary"), "--format", "pdf,html,pdf-submission")


@pytest.fixture(scope="module")
def dsmb(tmp_path_factory):
    """The S1318 DSMB update asked for its submission PDF alone (the closed report encrypted)."""
    return built(tmp_path_factory.mktemp("dsmb"), "--kind", "dsmb", "--format", "pdf-submission",
                 env={"TRIALREPORT_CLOSED_PASSWORD": PASSWORD})


class Captions(HTMLParser):
    """The text of each h2, table caption and figure caption of a page; a figure caption that
    opens with a bold lead is named by that lead."""

    def __init__(self) -> None:
        super().__init__()
        self.sections, self.tables, self.figures = [], [], []
        self._open: list[dict] = []  # the h2, caption, figcaption and b being read

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "caption", "figcaption", "b"):
            parent = self._open[-1] if self._open else None
            opens = parent is not None and parent["tag"] == "figcaption" and not "".join(parent["parts"]).strip()
            self._open.append({"tag": tag, "parts": [], "lead": None, "opens": tag == "b" and opens})

    def handle_endtag(self, tag):
        if not self._open or self._open[-1]["tag"] != tag:
            return
        item = self._open.pop()
        text = " ".join("".join(item["parts"]).split())
        if tag == "b":
            if self._open:
                self._open[-1]["parts"].append(text)
                if item["opens"]:
                    self._open[-1]["lead"] = text
        else:
            found = {"h2": self.sections, "caption": self.tables, "figcaption": self.figures}[tag]
            found.append(item["lead"] or text)

    def handle_data(self, data):
        if self._open:
            self._open[-1]["parts"].append(data)


def captions(html: str) -> Captions:
    parser = Captions()
    parser.feed(html)
    return parser


def outline(pdf: Path) -> list[tuple[int, str]]:
    """(depth, title) of every bookmark, in order."""
    with pikepdf.open(pdf) as document, document.open_outline() as tree:
        found = []

        def walk(items, depth):
            for item in items:
                found.append((depth, " ".join(item.title.split())))
                walk(item.children, depth + 1)

        walk(tree.root, 0)
        return found


def test_the_submission_pdf_has_a_bookmark_for_every_section_table_and_figure(summary):
    page = captions(summary["summary.html"].read_text(encoding="utf-8"))
    assert len(page.sections) >= 10 and len(page.tables) >= 8 and len(page.figures) >= 5  # the example's
    marks = outline(summary["summary-submission.pdf"])
    sections = [title for depth, title in marks if depth == 1]
    assert sections == page.sections + ["Methods"]
    below = [title for depth, title in marks if depth >= 2]
    for caption in page.tables:
        assert caption in below, caption
    for caption in page.figures:
        assert caption in below, caption
    assert "Overall survival." in below  # a figure named by its caption's bold lead, not the whole sentence
    assert [depth for depth, _ in marks].count(0) == 1  # the title, h1


def test_the_submission_pdf_embeds_no_file_and_is_neither_encrypted_nor_scripted(summary):
    raw = summary["summary-submission.pdf"].read_bytes()
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        assert not pdf.is_encrypted and "/Encrypt" not in pdf.trailer
        names = pdf.Root.get("/Names", pikepdf.Dictionary())
        assert "/EmbeddedFiles" not in names and "/JavaScript" not in names
        assert "/AF" not in pdf.Root and "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
        assert "/AcroForm" not in pdf.Root  # no dynamic content
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary):
                assert obj.get("/Type") != "/Filespec" and obj.get("/Type") != "/EmbeddedFile"
                assert obj.get("/S") not in ("/JavaScript", "/Launch") and "/JS" not in obj
        for page in pdf.pages:
            assert "/AA" not in page.obj
    assert b"/JavaScript" not in raw and b"/EmbeddedFile" not in raw


def test_the_submission_pdf_is_identified_as_pdf_a_2b_with_its_output_intent(summary):
    with pikepdf.open(summary["summary-submission.pdf"]) as pdf:
        assert pdf.pdf_version == "1.7"  # the FDA accepts PDF 1.4 to 1.7
        xmp = str(pdf.Root.Metadata.read_bytes(), "utf-8")
        part = re.search(r"pdfaid:part(?:>|=\")(\d)", xmp)
        conformance = re.search(r"pdfaid:conformance(?:>|=\")([A-Z])", xmp)
        assert part and part.group(1) == "2" and conformance and conformance.group(1) == "B", xmp[:2000]
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1 and intents[0].S == "/GTS_PDFA1" and "/DestOutputProfile" in intents[0]


def test_the_submission_pdf_has_a_title_and_subject(summary):
    with pikepdf.open(summary["summary-submission.pdf"]) as pdf:
        info = pdf.docinfo
        assert str(info.Title).startswith("S1318: ") and "summary, data cutoff 2018-07-31" in str(info.Title)
        assert str(info.Subject).startswith("S1318 (NCT02143414): ") and "Data cutoff 2018-07-31" in str(info.Subject)
        meta = pdf.open_metadata()
        assert meta["dc:title"] == str(info.Title)
        assert meta["dc:description"] == str(info.Subject)


@pytest.mark.needs("poppler")
def test_every_font_of_the_submission_pdf_is_embedded(summary):
    listed = subprocess.run(["pdffonts", str(summary["summary-submission.pdf"])], capture_output=True, text=True,
                            check=True).stdout.splitlines()
    header, rows = listed[0], listed[2:]
    assert rows, listed
    emb = header.index("emb")
    assert all(row[emb:emb + 3] == "yes" for row in rows), listed


def test_the_archival_pdf_is_still_pdf_a_3b_with_its_attachments(summary):
    with pikepdf.open(summary["summary.pdf"]) as pdf:
        xmp = str(pdf.Root.Metadata.read_bytes(), "utf-8")
        assert re.search(r"pdfaid:part(?:>|=\")3", xmp)
        assert {"results.json", "ard.csv", "provenance.json", "trial.toml"} <= set(pdf.attachments)
        assert "/AF" in pdf.Root


def test_the_default_formats_write_no_submission_pdf(tmp_path):
    files = built(tmp_path, "--format", "pdf")
    assert "summary.pdf" in files and not any("submission" in name for name in files)
    from report.kinds.common import FORMATS

    assert all("pdf-submission" not in formats for formats in FORMATS.values())


def test_the_closed_dsmb_report_is_never_a_submission_pdf(dsmb):
    assert "dsmb-open-submission.pdf" in dsmb
    assert not any("closed" in name and "submission" in name for name in dsmb)
    assert "dsmb-open.pdf" not in dsmb  # only what was asked, and the closed report as always
    with pikepdf.open(dsmb["dsmb-closed.pdf"], password=PASSWORD) as closed:
        assert closed.is_encrypted
    with pikepdf.open(dsmb["dsmb-open-submission.pdf"]) as pdf:
        assert not pdf.is_encrypted and not pdf.attachments
        xmp = str(pdf.Root.Metadata.read_bytes(), "utf-8")
        assert re.search(r"pdfaid:part(?:>|=\")2", xmp)
    text = " ".join(t for _, t in outline(dsmb["dsmb-open-submission.pdf"]))
    assert "Safety, all treated patients" in text and "Stopping rules" not in text  # the open report
    manifest = json.loads(dsmb["manifest.json"].read_text())
    assert manifest["formats"] == ["pdf-submission"]


def test_a_format_a_kind_does_not_write_is_refused_naming_the_submission_pdf(tmp_path):
    result = run_cli("build", "--format", "pdf-archival", "--out", str(tmp_path), env=EPOCH)
    assert result.returncode == 2
    assert "pdf-submission" in result.stderr and not (tmp_path / "S1318").exists()


def test_a_submission_pdf_takes_no_attachments_and_is_the_same_bytes_each_time():
    html = "<h1>Title</h1><h2>Section</h2><table><caption>A table</caption><tr><td>1</td></tr></table>"
    with pytest.raises(ValueError, match="without attachments"):
        pdf_bytes(html, submission=True, attachments={"results.json": b"{}"})
    on = dt.date(2025, 1, 1)
    first = pdf_bytes(html, submission=True, on=on)
    assert pdf_bytes(html, submission=True, on=on) == first
    with pikepdf.open(io.BytesIO(first)) as pdf, pdf.open_outline() as tree:
        assert [i.title for i in tree.root] == ["Title"]
        assert [c.title for c in tree.root[0].children] == ["Section"]
        assert [c.title for c in tree.root[0].children[0].children] == ["A table"]
    archival = pdf_bytes(html, archival=True, on=on)
    with pikepdf.open(io.BytesIO(archival)) as pdf, pdf.open_outline() as tree:
        assert tree.root[0].children[0].children == []  # the caption bookmarks are the submission PDF's alone


def test_the_pdf_worker_passes_the_submission_option_on():
    from report.render.pdf_worker import PdfWorker

    html = "<h1>Title</h1><figure><figcaption><b>A figure.</b> Its caption.</figcaption></figure>"
    options = {"submission": True, "on": dt.date(2025, 1, 1)}
    with PdfWorker() as worker:
        (rendered,) = worker.pdfs([(html, options)])
    assert rendered == pdf_bytes(html, **options)
    with pikepdf.open(io.BytesIO(rendered)) as pdf, pdf.open_outline() as tree:
        assert [c.title for c in tree.root[0].children] == ["A figure."]


def test_an_abstracts_parts_are_its_sections():
    html = ('<article class="abstract"><h1>An abstract</h1><p class="authors">A. Author</p>'
            '<p><b>Background:</b> Why.</p><p><b>Methods:</b> How; <b>not</b> a part.</p></article>')
    with pikepdf.open(io.BytesIO(pdf_bytes(html, submission=True))) as pdf, pdf.open_outline() as tree:
        assert [c.title for c in tree.root[0].children] == ["Background:", "Methods:"]


def test_archive_reproduce_renders_the_submission_pdf_again_byte_for_byte(summary):
    folder = summary["summary-submission.pdf"].parent
    root = folder.parents[2]
    result = run_cli("archive", "reproduce", folder.relative_to(root).as_posix(), "--out", str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = {line.strip() for line in result.stdout.splitlines()}
    assert {"identical  summary-submission.pdf", "identical  summary.pdf", "identical  reproduce.txt"} <= lines
