"""Rendering: escaped text, nothing fetched from outside, a standalone HTML file."""
import re

import pytest

from report.kinds.common import summary_figures
from report.kinds.kind import SUMMARY, laid_out
from report.render.render import Page, pdf_bytes, render_html, _template_fetcher
from report.resources import templates_dir


@pytest.fixture(scope="module")
def page(example_trial, ledger):
    spec = example_trial.spec.model_dump(mode="json")
    spec["trial"]["title"] = 'Blinatumomab <script>alert("x")</script> & friends'
    import datetime as dt
    return Page(r=ledger, spec=spec, figures=summary_figures(ledger), generated_on=dt.date(2025, 1, 1), version="test",
                extra={"blocks": laid_out(SUMMARY, example_trial.spec, ledger)})


def test_text_from_the_spec_is_escaped(page):
    html = render_html("summary.html.j2", page)
    assert "<script>" not in html
    assert "Blinatumomab &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; friends" in html


def test_html_is_standalone(page):
    html = render_html("summary.html.j2", page)
    assert "<style>" in html and "<svg" in html
    assert not re.search(r"<(link|script|img|iframe)\b", html)
    assert not re.search(r"url\((?!#)", html.split("</style>")[1])  # no fetched resources after the CSS
    # The shipped fonts are embedded (issue 19: the HTML fell back to Arial), as data: URIs only.
    faces = re.findall(r"@font-face \{[^}]*\}", html)
    assert len(faces) == 4 and all('src: url("data:font/otf;base64,' in face for face in faces)


def test_missing_ledger_value_fails_loudly(page, example_trial):
    import jinja2
    # The blocks' views read the ledger (report.layout): a missing block stops the layout.
    with pytest.raises(KeyError):
        laid_out(SUMMARY, example_trial.spec, {**page.r, "safety": {}})
    # The templates read only what the layout prepared, and fail on anything it did not.
    broken = Page(r={k: v for k, v in page.r.items() if k != "data_cutoff"}, spec=page.spec, figures=page.figures,
                  generated_on=page.generated_on, version="test", extra=page.extra)
    with pytest.raises(jinja2.UndefinedError):
        render_html("summary.html.j2", broken)


@pytest.mark.parametrize("url", ["http://example.com/a.png", "https://example.com/a.css", "file:///etc/passwd",
                                 "ftp://example.com/x"])
def test_fetcher_refuses_everything_outside_the_templates(url):
    with pytest.raises(ValueError, match="refused"):
        _template_fetcher().fetch(url)


def test_fetcher_allows_the_templates_own_files_and_data_uris():
    fetcher = _template_fetcher()
    font = (templates_dir() / "fonts" / "SourceSansPro-Regular.otf").as_uri()
    assert fetcher.fetch(font).read(4) == b"OTTO"
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    escape = templates_dir().as_uri() + "/../pyproject.toml"
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch(escape)


def test_hostile_html_in_a_pdf_fetches_nothing(capsys):
    pdf = pdf_bytes('<p>x</p><img src="file:///etc/hostname"><link rel="stylesheet" href="http://example.com/x.css">')
    assert pdf.startswith(b"%PDF")


@pytest.fixture(scope="module")
def pdf_pages(page):
    import io

    from pypdf import PdfReader

    from report.render.render import figures_as_images

    # As the builder renders it: the figures as images of their SVG.
    html = figures_as_images(render_html("summary.html.j2", page), page.figures)
    assert html.count("data:image/svg+xml;base64,") == len(page.figures) and "<svg" not in html
    return PdfReader(io.BytesIO(pdf_bytes(html))).pages


def test_pdf_embeds_the_shipped_font(pdf_pages):
    fonts = {str(f["/BaseFont"]).split("+")[-1]
             for p in pdf_pages for f in p["/Resources"].get("/Font", {}).values()}
    assert fonts and all(name.startswith("Source-Sans-Pro") for name in fonts)


def test_figure_text_is_searchable_text_in_the_pdf(pdf_pages):
    text = " ".join(p.extract_text() for p in pdf_pages)
    for label in ("No. at risk", "Months since enrollment", "Landmark estimate", "Worst grade"):
        assert label in text


def test_figure_ids_are_unique_in_the_page(page):
    html = render_html("summary.html.j2", page)
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert ids and len(ids) == len(set(ids))
    for ref in re.findall(r'href="#([^"]+)"', html):
        assert ref in ids


def test_pdf_bytes_do_not_depend_on_what_was_rendered_before(page):
    # The print fonts are loaded once per process and shared by every report after.
    import datetime as dt

    html = render_html("summary.html.j2", page)
    first = pdf_bytes(html, archival=True, on=dt.date(2025, 1, 1))
    pdf_bytes("<p>Another report, with other glyphs: ÆØÅ ≥ ±</p>")
    assert pdf_bytes(html, archival=True, on=dt.date(2025, 1, 1)) == first


def test_a_changed_template_is_used_by_the_next_render_in_the_same_process():
    # `watch` keeps one process: the cached Jinja environment must see template edits.
    import os
    import time

    from report.render.render import environment

    path = templates_dir() / "zz-test-reload.html.j2"
    try:
        path.write_text("first {{ 1 + 1 }}", encoding="utf-8")
        assert environment().get_template(path.name).render() == "first 2"
        path.write_text("second", encoding="utf-8")
        later = time.time_ns() + 10**9
        os.utime(path, ns=(later, later))
        assert environment().get_template(path.name).render() == "second"
    finally:
        path.unlink(missing_ok=True)


TITLE = "Blinatumomab for older adults with Ph-negative B-cell acute lymphoblastic leukemia (ALL)"


def _title_lines(title_html, width_mm: int) -> list[str]:
    """The lines of an h1 holding `title_html`, set by the report's stylesheet in a column `width_mm` wide."""
    import io

    from pypdf import PdfReader

    from report.render.render import stylesheet

    bare = "@page { @top-left { content: none } @bottom-left { content: none } @bottom-right { content: none } }"
    html = (f"<html><head><style>{stylesheet()}{bare}</style></head>"
            f'<body style="max-width: {width_mm}mm; padding: 0"><h1>{title_html}</h1></body></html>')
    text = PdfReader(io.BytesIO(pdf_bytes(html))).pages[0].extract_text()
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_a_title_never_breaks_inside_a_short_hyphenated_term():
    """Issue 19: the abstract's title broke "B-/Cell". Set in narrow columns, the plain title
    ends a line at some hyphen ("B-", "Ph-"); the title as layout prepares it never does, and
    its text still reads (and searches) with the plain hyphen."""
    from markupsafe import escape

    from report.layout.formatting import heading

    widths = range(40, 112, 6)
    plain = [line for w in widths for line in _title_lines(escape(TITLE), w)]
    assert any(line.endswith(("B-", "Ph-")) for line in plain)  # the test can fail
    for w in widths:
        lines = _title_lines(heading(TITLE), w)
        assert not any(line.endswith(("B-", "Ph-")) for line in lines), (w, lines)
        assert " ".join(lines).replace("- ", "-") == TITLE
