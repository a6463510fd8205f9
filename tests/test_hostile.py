"""Hostile text from data and spec is shown as text: nothing fetched, nothing executed."""
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import AE_HEADER, MINIMAL_SPEC, SUBJECT_HEADER, run_cli

SCRIPT = '<script>alert("x")</script>'
IMG = '<img src="file:///etc/passwd">'
LINK = '<link rel="stylesheet" href="http://example.com/x.css">'
CSS = 'x{background:url(http://example.com/a.png)}'
RTL = "\u202eevil\u202c \u05e9\u05dc\u05d5\u05dd"  # a right-to-left override and Hebrew
ZERO_WIDTH = "zero\u200bwidth\u200d"
LONG = "A" * 1200
DOLLARS = r"cost $\badcommand{ and $x"
HOSTILE = [SCRIPT, IMG, LINK, CSS, RTL, ZERO_WIDTH, DOLLARS]

SPEC = MINIMAL_SPEC.replace('title = "A small test trial"', f"title = '''Trial {SCRIPT} {IMG}'''").replace(
    'background = "Background text."', f"background = '''{LINK} {CSS} {RTL} {LONG}'''") + f"""
[next_steps]
text = ['''{SCRIPT}''', '''{ZERO_WIDTH}''']

[abstract]
meeting = "custom"
conclusion = '''{IMG} {DOLLARS}'''
[abstract.limit]
max_chars = 20000
"""


def hostile_trial(root: Path, arms: bool) -> Path:
    header = SUBJECT_HEADER + ["death_cause", "arm"]
    rows = []
    for i, text in enumerate(HOSTILE + [LONG]):
        arm = (SCRIPT if i % 2 else "Control") if arms else "Single"
        rows.append([f"P{i}{text}", "2016-01-01", "70", "F", "CR", "2016-02-01", "1", "negative", "",
                     "2016-06-01" if i % 3 == 0 else "", "2016-06-01" if i % 3 == 0 else "2017-01-01", text, arm])
    events = [[row[0], text, f"SOC {text}", "3", "2016-01-10", "possible", "true"] for row, text in zip(rows, HOSTILE + [LONG])]
    return _write(root / "trial", rows, events, header)


def _write(folder: Path, rows, events, header) -> Path:
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "trial.toml").write_text(SPEC, encoding="utf-8")
    for name, head, body in (("subjects.csv", header, rows), ("adverse_events.csv", AE_HEADER, events)):
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(head)
            writer.writerows(body)
    return folder


MATPLOTLIB_STYLE = '<style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>'


def assert_inert(html: str) -> None:
    head, body = html.split("</head>", 1)
    body = body.replace(MATPLOTLIB_STYLE, "")  # our figures' own fixed rule
    assert not re.search(r"<(script|img|link|iframe|object|embed|style)\b", body, re.I)
    assert not re.search(r"style=\"[^\"]*url\((?!#)", body) and "url(http" not in head
    assert "&lt;script&gt;" in body


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every report kind of a two-arm trial whose text is hostile."""
    root = tmp_path_factory.mktemp("hostile")
    folder = hostile_trial(root, arms=True)
    env = {"SOURCE_DATE_EPOCH": "1735689600"}
    files = {}
    for kind, extra in (("summary", ()), ("dsmb", ("--no-encrypt",)), ("abstract", ())):
        result = run_cli("build", str(folder), "--kind", kind, "--out", str(root / "out"), *extra, env=env)
        assert result.returncode == 0, (kind, result.stderr)
        assert "Traceback" not in result.stderr and "refused to fetch" not in result.stderr
        files.update({Path(p).name: Path(p) for p in result.stdout.split()})
    return files


def test_html_reports_show_hostile_text_as_text(built):
    htmls = [p for n, p in built.items() if n.endswith(".html")]
    assert len(htmls) == 4  # summary, dsmb open and closed, abstract
    for path in htmls:
        assert_inert(path.read_text())


@pytest.mark.parametrize("name", ["summary.pdf", "dsmb-open.pdf", "abstract.pdf"])
def test_pdfs_show_it_as_text_on_a4_pages(built, name):
    reader = PdfReader(built[name])
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "<script>" in text or "alert(" in text or name == "dsmb-open.pdf"
    assert {round(float(page.mediabox.width), 1) for page in reader.pages} == {595.3}  # no page grew


def test_single_arm_summary_too(tmp_path):
    folder = hostile_trial(tmp_path, arms=False)
    result = run_cli("build", str(folder), "--format", "html", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert_inert(Path(result.stdout.split()[0]).read_text() if result.stdout.split()[0].endswith(".html")
                 else next(Path(p) for p in result.stdout.split() if p.endswith(".html")).read_text())
