"""The DSMB reports' title page (issue 19): a contents list of every section shown, each with
the page it starts on, a bookmark in the PDF for each, and the session label in every page's header
on one line."""
import re

from pypdf import PdfReader

from conftest import run_cli

ENV = {"SOURCE_DATE_EPOCH": "1735689600"}


def test_contents_list_every_section_with_its_page_and_the_header_fits_one_line(tmp_path):
    result = run_cli("build", "--kind", "dsmb", "--no-encrypt", "--out", str(tmp_path), env=ENV)
    assert result.returncode == 0, result.stderr
    folder = next((tmp_path / "S1318" / "dsmb").iterdir())
    for name, label in (("dsmb-open", "OPEN SESSION REPORT"), ("dsmb-closed", "CLOSED SESSION REPORT - CONFIDENTIAL")):
        html = (folder / f"{name}.html").read_text()
        headings = re.findall(r"<h2>([^<]+)</h2>", html)
        listed = re.findall(r'<li><a href="#(block-[a-z_]+)">([^<]+)</a></li>', html)
        assert [title for _, title in listed if title != "Methods" and title != "Notes"] == headings, name
        for anchor, _ in listed:
            assert f'id="{anchor}"' in html
        pages = [page.extract_text() for page in PdfReader(folder / f"{name}.pdf").pages]
        first = " ".join(pages[0].split())
        for anchor, title in listed:  # the page number the contents give is the page the section starts on
            number = int(re.search(re.escape(title) + r"[ .]*?(\d+)\b", first).group(1))
            heading = re.compile(r"^\d+\. " + re.escape(title) + r"\s*$", re.M)
            if title in headings:
                assert heading.search(pages[number - 1]), (name, title, number)
        for text in pages[1:]:
            assert label in text  # one line: a label wrapped over two lines is not found whole
        assert headings and set(headings) <= set(_bookmarks(folder / f"{name}.pdf")), name  # the PDF's outline


def _bookmarks(pdf) -> list[str]:
    """Every title in a PDF's outline (bookmarks), at any depth."""
    reader = PdfReader(pdf)

    def titles(items) -> list[str]:
        return [t for item in items for t in (titles(item) if isinstance(item, list) else [item.title])]
    return titles(reader.outline)
