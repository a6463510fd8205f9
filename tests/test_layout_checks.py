"""Automated layout checks (issue 19) on every report kind, built once for the module: the
S1318 summary, the open and closed DSMB reports (`--kind dsmb --no-encrypt`), the abstract and
the random-cdisc three-arm summary, each as PDF and HTML.

a. No heading (h1, h2, h3 or a table's caption) starts in the last 12% of a page's text area
   with fewer than three rows of its content after it on that page, where the content goes on
   over the page; no page begins with a table's note (split from its table) or with a table's
   last row alone (after its repeated header); no page but the last (and a DSMB title page)
   more than 40% blank at its foot. From the PDF's text positions (`pdftotext -bbox-layout`,
   poppler-utils), the headings found by their HTML text.
b. No table cell's text overflows its cell, and no text of a boxed figure (the CONSORT diagram's
   `<id>-text` in its box `<id>`) leaves its box, in headless Chromium.
c. The running header on one line: its words share one baseline on every page.
d. Every <figure> has a non-empty <figcaption>.
e. The formats of DESIGN section 6 ("One way to print each thing, in every report kind and
   format: a confidence interval as `45.7%-82.1%` (percent) or `0.41-0.89` (ratios) ...; a
   median not reached as "NR" in tables (footnote "NR, not reached") and "not reached" in
   prose; a landmark after the last follow-up as "NE" ...; a zero count as "0"; a p-value
   below 0.001 as "<0.001", otherwise three decimals"), with the package's one dash (an en
   dash, report.layout.formatting.DASH): no "nan"/"None", no "0 (0.0%)", an interval's limits
   at one precision and both with or without "%", no hyphen or em dash between an interval's
   limits, "not reached" never in a table cell and "NR" never in prose, no dash in a
   landmark row. (The figures' SVG text is not read.)

Each check is a function of tests/layout_checks.py, run below also on a deliberately broken
input, so that each can be seen to fail.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

import layout_checks as lc
from conftest import run_cli
from needs import CHROMIUM, require

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
RANDOM = ROOT / "tests" / "fixtures" / "adam" / "random-cdisc"
ENV = {"SOURCE_DATE_EPOCH": "1735689600"}

pytestmark = pytest.mark.needs("poppler")


@dataclass(frozen=True)
class Doc:
    name: str
    build: str       # the build that writes it
    stem: str        # its file name without the suffix
    title_page: bool = False  # page 1 stands alone (the DSMB title page)


BUILDS = {
    "summary": ("build",),
    "dsmb": ("build", "--kind", "dsmb", "--no-encrypt"),
    "abstract": ("build", "--kind", "abstract"),
    "random-cdisc": ("build", "{random}"),
}
DOCS = [Doc("summary", "summary", "summary"), Doc("dsmb-open", "dsmb", "dsmb-open", True),
        Doc("dsmb-closed", "dsmb", "dsmb-closed", True), Doc("abstract", "abstract", "abstract"),
        Doc("random-cdisc", "random-cdisc", "summary")]
PARAMS = [pytest.param(d, id=d.name, marks=[pytest.mark.needs("public-data")] if d.build == "random-cdisc" else [])
          for d in DOCS]


def _random_trial(folder: Path) -> Path:
    spec = (RANDOM / "trial.toml").read_text(encoding="utf-8")
    spec = spec.replace('path = "../../../../../shared/data/random-cdisc"', f'path = "{(SHARED / "random-cdisc").as_posix()}"')
    folder.mkdir()
    (folder / "trial.toml").write_text(spec, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Each build once (two at a time): build name -> the folder of its bundle."""
    root = tmp_path_factory.mktemp("layout")
    wanted = [b for b in BUILDS if b != "random-cdisc" or (SHARED / "random-cdisc" / "adsl.xpt").is_file()]
    random = _random_trial(root / "random-trial")

    def build(name: str) -> tuple[str, Path]:
        args = [a.format(random=random) for a in BUILDS[name]]
        result = run_cli(*args, "--format", "pdf,html", "--out", str(root / name), env=ENV)
        assert result.returncode == 0, f"{name}: {result.stderr}"
        [bundle] = {Path(line.strip()).parent for line in result.stdout.splitlines() if line.strip().endswith(".pdf")}
        return name, bundle

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(build, wanted))


def _files(built: dict, doc: Doc) -> tuple[Path, Path]:
    bundle = built[doc.build]
    return bundle / f"{doc.stem}.pdf", bundle / f"{doc.stem}.html"


@pytest.fixture(scope="module")
def read(built):
    """doc -> (pages of its PDF, its HTML tree), read once."""
    cache = {}

    def get(doc: Doc):
        if doc.name not in cache:
            pdf, html = _files(built, doc)
            cache[doc.name] = (lc.pdf_pages(pdf), lc.html_tree(html.read_text(encoding="utf-8")))
        return cache[doc.name]

    return get


@pytest.mark.parametrize("doc", PARAMS)
def test_no_heading_stranded_at_the_foot_of_a_page(doc, read):
    pages, tree = read(doc)
    titles = lc.headings(tree)
    assert titles and lc.located(pages, titles) == set(titles), "headings of the HTML not found in the PDF's text"
    problems = lc.stranded_headings(pages, titles) + lc.notes_cut_from_tables(pages, tree) + lc.lone_rows(pages, tree)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("doc", PARAMS)
def test_running_header_on_one_line(doc, read):
    pages, _ = read(doc)
    assert all(p.header for p in pages[1:]), "a page after the first without a running header"
    assert lc.header_lines(pages) == [], "\n".join(lc.header_lines(pages))


@pytest.mark.parametrize("doc", PARAMS)
def test_every_figure_has_a_caption(doc, read):
    _, tree = read(doc)
    assert any(True for _ in tree.iter("figure")) or doc.name == "abstract", "no figure found: the check would pass on nothing"
    assert lc.uncaptioned_figures(tree) == []


@pytest.mark.parametrize("doc", PARAMS)
def test_number_formats_of_design_section_6(doc, read):
    _, tree = read(doc)
    problems = lc.format_problems(tree)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("doc", PARAMS)
def test_no_page_left_mostly_empty(doc, read):
    """No page but the last (and a title page) ends with more than 40% of its text area blank:
    a table or figure that does not fit is not pushed whole to the next page past that."""
    pages, _ = read(doc)
    problems = lc.empty_pages(pages[1:] if doc.title_page else pages)
    assert problems == [], "\n".join(problems)


# b. In Chromium -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    require("chromium")
    from playwright.sync_api import sync_playwright

    from test_browser import CHROMIUM_ARGS

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1200, "height": 900})
        try:
            yield context
        finally:
            context.close()


def _overflows(context, html: Path) -> list[str]:
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url == html.resolve().as_uri() else r.abort())
    try:
        page.goto(html.resolve().as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        return page.evaluate(lc.OVERFLOW_JS)
    finally:
        page.close()


@pytest.mark.needs("chromium")
@pytest.mark.parametrize("doc", PARAMS)
def test_no_text_overflows_its_cell_or_box(doc, built, chromium):
    problems = _overflows(chromium, _files(built, doc)[1])
    assert problems == [], "\n".join(problems)


# Each check fails on a broken input -----------------------------------------------------------------

def _pdf(html: str, path: Path) -> Path:
    from weasyprint import HTML

    HTML(string=html).write_pdf(path)
    return path


# A4, 20 mm margins (those of templates/report.css), 5 mm lines: 51 lines to a page.
PAGE = ("<style>@page { size: A4; margin: 20mm; @top-left { content: '%s'; font-size: 8pt } } body { font-size: 10pt } "
        "p, h2 { margin: 0; line-height: 5mm; font-size: 10pt; orphans: 1; widows: 1 } "
        "td { padding: 0; line-height: 5mm }</style>")
LINES = "<p>Filler line.</p>" * 48


def test_the_pdf_checks_fail_on_broken_layouts(tmp_path):
    stranded = _pdf(PAGE % "A header" + LINES + "<h2>Toxicity</h2><p>Only sentence.</p>" + "<p>More text.</p>" * 20,
                    tmp_path / "stranded.pdf")
    pages = lc.pdf_pages(stranded)
    assert len(pages) == 2
    assert lc.stranded_headings(pages, ["Toxicity"]) == [
        "page 1: 'Toxicity' starts at 94% of the text area and only 1 row(s) follow it there; "
        "page 2 goes on with 'More text.'"]
    kept = _pdf(PAGE % "A header" + LINES + "<h2 style='break-before: page'>Toxicity</h2>" + "<p>More text.</p>" * 20,
                tmp_path / "kept.pdf")
    assert lc.stranded_headings(lc.pdf_pages(kept), ["Toxicity"]) == []

    wrapped = _pdf(PAGE % ("A running header long enough to wrap " * 4) + "<p>Text.</p>", tmp_path / "wrapped.pdf")
    assert lc.header_lines(lc.pdf_pages(wrapped)) != []
    assert lc.header_lines(lc.pdf_pages(kept)) == []

    html = LINES + "<p>a</p><table><tr><td>a table</td></tr></table><p class='table-note'>The note of the table, long.</p>"
    split = lc.pdf_pages(_pdf(PAGE % "H" + html, tmp_path / "note.pdf"))
    assert [p.number for p in split] == [1, 2] and split[0].body[-1].text == "a table"
    assert lc.notes_cut_from_tables(split, lc.html_tree(html)) == [
        "page 2 begins with a table's note: 'The note of the table, long.'"]
    assert lc.notes_cut_from_tables(pages, lc.html_tree(html)) == []

    rows = "".join(f"<tr><td>Row {i}</td><td>{i}</td></tr>" for i in range(6))
    html = LINES[:-4 * len("<p>Filler line.</p>")] + f"<table><thead><tr><th>Term</th><th>n</th></tr></thead><tbody>{rows}</tbody></table>"
    lone = lc.pdf_pages(_pdf(PAGE % "H" + html, tmp_path / "lone.pdf"))
    assert [r.text for r in lone[1].body] == ["Term n", "Row 5 5"]
    assert lc.lone_rows(lone, lc.html_tree(html)) == ["page 2 begins with the last row of a table alone: 'Row 5 5'"]
    assert lc.lone_rows(split, lc.html_tree(html)) == []

    assert lc.empty_pages(lc.pdf_pages(_pdf(PAGE % "H" + "<p>a</p><p style='break-before: page'>b</p>", tmp_path / "e.pdf")))
    assert lc.empty_pages(pages) == []


def test_the_html_checks_fail_on_broken_reports():
    tree = lc.html_tree("<figure><svg><g id='fig-a'></g></svg><figcaption> </figcaption></figure>"
                        "<figure><svg></svg><figcaption>Caption</figcaption></figure>")
    assert lc.uncaptioned_figures(tree) == ["figure 1 (fig-a) has no caption"]
    broken = lc.html_tree(
        "<table><tr><td>Median, months</td><td>not reached</td></tr><tr><td>24-month rate</td><td>-</td></tr>"
        "<tr><td>Grade 5</td><td>0 (0.0%)</td><td>nan</td><td>NR</td></tr></table>"
        "<p>Response 66% (95% CI 64%\u201399.8%), ratio 0.41-0.89, 45.7%-82.1%; 59.6\u201390.1%; p = 0.02; median NR.</p>")
    found = "\n".join(lc.format_problems(broken))
    for expected in ("'not reached' in a table cell", "a landmark row prints a dash", "'0 (0.0%)'", "'nan'",
                     "'64%\u201399.8%' prints its limits differently", "'59.6\u201390.1%' prints its limits differently",
                     "'0.41-0.89'", "'45.7%-8'", "'p = 0.02'", "'NR' in prose", "no note 'NR, not reached'"):
        assert expected in found, (expected, found)
    fine = lc.html_tree("<table><tr><td>Median</td><td>NR (9.3\u2013NE)</td><td>0</td></tr>"
                        "<tr><td>6-month rate</td><td>72.4% (64.0%\u201379.2%)</td></tr></table>"
                        "<p class='table-note'>NR, not reached. p = 0.212, p &lt; 0.001; No response (NR); "
                        "None of the patients.</p>")
    assert lc.format_problems(fine) == []


@pytest.mark.needs("chromium")
def test_the_overflow_check_fails_on_a_broken_page(chromium, tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<table style='table-layout:fixed;width:100px'><tr><td style='white-space:nowrap'>"
                    "Refractory disease: 8 and more</td><td>1</td></tr></table>"
                    "<svg width='200' height='100'><g id='fig-box'><rect x='0' y='0' width='40' height='20'/></g>"
                    "<g id='fig-box-text'><text x='2' y='15'>Refractory disease: 8</text></g></svg>", encoding="utf-8")
    problems = _overflows(chromium, page)
    assert len(problems) == 2 and "Refractory disease: 8 and more" in problems[0] and "fig-box" in problems[1], problems
