"""Mock shells (`trialreport build --mock`, issue 17 item 7): the real report's structure, every
number a placeholder, every figure a placeholder, marked on every page, never archived."""
from __future__ import annotations

import datetime as dt
import html as html_lib
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from report.compose import build
from report.inputs.trial import load_trial
from report.layout.formatting import count_percent, number, percent
from report.layout.mock import BANNER, FIGURE_MESSAGE, P_VALUE, cutoffs, mask_text, mock_shell, mocking, spec_numbers
from report.archive.index import versions
from report.layout.dsmb_views import MOCK_ROWS

ROOT = Path(__file__).resolve().parents[1]
ON = dt.date(2026, 1, 15)
TRIALS = {"s1318": ROOT / "data" / "s1318", "adam": ROOT / "data" / "adam-example"}
CELL = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)
TD = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)
DATA = re.compile(r"<td[^>]*>(.*?)</td>", re.S)  # a body cell (headers are labels)


def _text(fragment: str) -> str:
    fragment = re.sub(r"<sup\b[^>]*>.*?</sup>", "", fragment, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _rows(page: str, cells: re.Pattern = TD) -> list[list[str]]:
    """Every table row's cells, as text (note marks left out)."""
    return [[_text(c) for c in cells.findall(row)] for row in CELL.findall(page)]


def _pages(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Real and mock bundles of S1318 (summary, dsmb, abstract) and the multi-arm ADaM example
    (summary, dsmb), in one archive; the archive's index and versions before and after the mocks."""
    root = tmp_path_factory.mktemp("out")
    trials = {name: load_trial(folder) for name, folder in TRIALS.items()}
    jobs = [("s1318", "summary"), ("s1318", "dsmb"), ("s1318", "abstract"), ("adam", "summary"), ("adam", "dsmb")]
    real = {job: build(trials[job[0]], job[1], out=root, on=ON, encrypt=False, formats=("html",)).directory
            for job in jobs}
    index = (root / "archive.sqlite").read_bytes()
    listed = versions(root)
    mock = {job: build(trials[job[0]], job[1], out=root, on=ON, mock=True) for job in jobs}
    return {"root": root, "real": real, "mock": mock, "index": index, "versions": listed, "trials": trials}


JOBS = [("s1318", "summary"), ("s1318", "dsmb"), ("s1318", "abstract"), ("adam", "summary"), ("adam", "dsmb")]


@pytest.mark.parametrize("job", JOBS)
def test_a_mock_is_written_outside_the_archive_with_pages_only(built, job):
    bundle = built["mock"][job]
    trial = built["trials"][job[0]].spec.trial.id
    assert bundle.directory == built["root"] / trial / job[1] / "mock"
    names = {p.name for p in bundle.files}
    assert names and all(n.endswith((".html", ".pdf", ".txt")) for n in names), names
    assert not (bundle.directory / "results.json").exists() and not (bundle.directory / "ard.csv").exists()
    assert not any(bundle.directory.glob("*.docx")) and not any(bundle.directory.glob("*.csv"))
    for pdf in bundle.directory.glob("*.pdf"):
        assert PdfReader(pdf).attachments == {}  # no ledger, no data embedded


def test_a_mock_build_leaves_the_archive_index_and_its_versions_as_they_were(built):
    assert (built["root"] / "archive.sqlite").read_bytes() == built["index"]
    assert versions(built["root"]) == built["versions"]
    assert not mocking()  # the switch is off again after the build


@pytest.mark.parametrize("job", JOBS)
def test_no_numeric_cell_of_the_real_report_appears_in_the_mock(built, job):
    real, mock = _pages(built["real"][job]), _pages(built["mock"][job].directory)
    assert set(mock) == set(real)
    for name, page in mock.items():
        dates = cutoffs(json.loads((built["real"][job] / "results.json").read_text(encoding="utf-8")))
        real_cells = {c for row in _rows(real[name], DATA) for c in row[1:] if re.search(r"\d", c)} - dates
        mock_cells = {c for row in _rows(page, DATA) for c in row[1:]}
        assert real_cells or name == "abstract.html", name  # the real report has numbers to hide
        assert not real_cells & mock_cells, (name, sorted(real_cells & mock_cells)[:10])
        # every cell after the row label holds no digit at all, but a placeholder or a dash
        digits = [c for c in mock_cells - dates if re.search(r"\d", c.replace(P_VALUE, ""))]
        assert digits == [], (name, digits[:10])
        assert "xx" in _text(page), name


@pytest.mark.parametrize("job", JOBS)
def test_the_mock_keeps_every_row_label_and_arm_name(built, job):
    real, mock = _pages(built["real"][job]), _pages(built["mock"][job].directory)
    trial = built["trials"][job[0]].spec.trial.id
    for name, page in mock.items():
        labels = [_shape(row[0]) for row in _rows(real[name]) if row and not row[0].startswith(trial)]
        mock_labels = [_shape(row[0]) for row in _rows(page) if row and not row[0].startswith(trial)]
        assert mock_labels == labels, name
        # a listing's rows are patients, its length a count: a mock shows MOCK_ROWS of each
        listed = [row[0] for row in _rows(page) if row and row[0].startswith(trial)]
        assert len(listed) <= 3 * MOCK_ROWS and all(re.fullmatch(rf"{trial}-xx", s) for s in listed), listed
        for arm in built["trials"][job[0]].spec.analysis.arms:
            if arm in _text(real[name]):
                assert arm in _text(page), (name, arm)


@pytest.mark.parametrize("job", JOBS)
def test_the_ledger_counts_as_the_report_prints_them_do_not_appear(built, job):
    """The ledger's count (%) of each adverse event term and its population sizes, formatted as
    the real report prints them, are nowhere in the mock's text (HTML and PDF)."""
    ledger = built["mock"][job].results.to_dict()
    printed = {count_percent(t["subjects"], t["proportion"]) for t in (ledger.get("safety") or {}).get("terms") or []}
    printed |= {f"N = {n}" for n in _sizes(ledger)}
    printed = {p for p in printed if len(p) >= 4}
    assert printed
    folder = built["mock"][job].directory
    text = " ".join(_text(p) for p in _pages(folder).values())
    text += " ".join(page.extract_text() for pdf in folder.glob("*.pdf") for page in PdfReader(pdf).pages)
    assert [p for p in printed if p in text] == []


def _shape(label: str) -> str:
    """A row label with its numbers (real or placeholders) as '#': the same in the real report and its mock."""
    return re.sub(r"YYYY-MM(-DD)?|xx(\.x+)?|(?<![\w-])\d{4}-\d{2}(-\d{2})?(?![\w-])|\d+(\.\d+)?", "#", label)


def _sizes(ledger: dict) -> set[int]:
    population = ledger.get("population") or {}
    return {v for v in population.values() if isinstance(v, int) and v > 9}


@pytest.mark.parametrize("job", JOBS)
def test_every_page_of_a_mock_pdf_is_marked_and_shows_placeholders(built, job):
    folder = built["mock"][job].directory
    pdfs = sorted(folder.glob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        reader = PdfReader(pdf)
        assert reader.metadata.title.startswith(BANNER)
        texts = [page.extract_text() for page in reader.pages]
        assert all("NOT REAL" in t.replace("\n", " ") for t in texts), pdf.name
        assert "xx" in " ".join(texts)
    for name, page in _pages(folder).items():
        assert f"<title>{BANNER}" in page and 'class="mock-watermark"' in page, name


@pytest.mark.parametrize("job", [("s1318", "summary"), ("s1318", "dsmb"), ("adam", "summary"), ("adam", "dsmb")])
def test_a_mock_figure_is_a_placeholder_without_data(built, job):
    real, mock = _pages(built["real"][job]), _pages(built["mock"][job].directory)
    for name, page in mock.items():
        svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
        assert len(svgs) == len(re.findall(r"<svg\b.*?</svg>", real[name], re.S)), name
        for svg in svgs:
            assert FIGURE_MESSAGE in svg
            assert not re.search(r'id="(km-curve|ae-bar|accrual-actual|consort)', svg)


def test_the_abstract_mock_is_not_stopped_by_the_character_limit(built, tmp_path):
    trial = built["trials"]["s1318"]
    with pytest.raises(Exception):
        build(trial, "abstract", out=tmp_path, on=ON, max_chars=200, formats=("txt",))
    bundle = build(trial, "abstract", out=tmp_path, on=ON, max_chars=200, formats=("txt", "docx"), mock=True)
    text = (bundle.directory / "abstract.txt").read_text(encoding="utf-8")
    assert "xx" in text and "Mock shell" in " ".join(bundle.notes)
    assert "docx: not written for a mock shell" in bundle.notes
    assert not (tmp_path / "archive.sqlite").exists()


def test_the_closed_dsmb_mock_needs_no_password(built, monkeypatch, tmp_path):
    monkeypatch.delenv("TRIALREPORT_CLOSED_PASSWORD", raising=False)
    bundle = build(built["trials"]["s1318"], "dsmb", out=tmp_path, on=ON, mock=True, formats=("html",))
    assert {"dsmb-open.html", "dsmb-closed.html"} <= {p.name for p in bundle.files}
    assert not PdfReader(bundle.directory / "dsmb-closed.pdf").is_encrypted


def test_placeholders_keep_the_real_format_shape():
    with mock_shell():
        assert count_percent(19, 0.6552) == "xx (xx.x%)"
        assert percent(0.6552) == "xx%" and percent(0.6552, 1) == "xx.x%"
        assert number(12.03) == "xx.x" and number(None) == "xx.x"  # not estimable is a result too
    assert count_percent(19, 0.6552) == "19 (65.5%)"  # off again


def test_masking_keeps_labels_entities_and_the_spec_s_phrases():
    numbers = spec_numbers({"landmarks": [6.0, 12.0], "confidence": 0.95})
    text = ("S1318: 7 of 29 (24.1%; 95% CI 10.3%\u201343.5%) at 6 and 12 months; Grade 3-4 in 5;"
            " 12 patients &#8211; 3.25; p = 0.xxx; onset 2024-03-05, cutoff 2024-06-30; exact 95% CIs")
    masked = mask_text(text, {"S1318", "Grade 3-4", "2024-06-30"}, numbers)
    assert masked == ("S1318: xx of xx (xx.x%; 95% CI xx.x%\u2013xx.x%) at 6 and 12 months; Grade 3-4 in xx;"
                      " xx patients &#8211; xx.xx; p = 0.xxx; onset YYYY-MM-DD, cutoff 2024-06-30; exact 95% CIs")


def test_build_mock_on_the_command_line(tmp_path):
    from conftest import run_cli

    result = run_cli("build", str(TRIALS["s1318"]), "--mock", "--format", "html", "--out", str(tmp_path),
                     env={"PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(tmp_path / "S1318" / "summary" / "mock" / "summary.html")]
    assert "nothing was archived" in result.stderr
    assert not (tmp_path / "archive.sqlite").exists()
    help_text = run_cli("build", "--help", env={"PYTHONPATH": str(ROOT)}).stdout
    assert "--mock" in help_text and "placeholder" in help_text
