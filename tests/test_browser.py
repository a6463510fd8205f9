"""The HTML reports in a real browser: headless Chromium, driven by Playwright, opens each report
from a file:// URL and checks that it is quiet, self-contained, laid out and readable.

Needs the system Chromium (Debian: apt-get install chromium) and the `playwright` Python package;
Playwright's own browser download is not used. Without them the tests fail naming the command,
unless TRIALREPORT_SKIP names chromium (tests/needs.py). A full-page screenshot of each report is written to
$TRIALREPORT_TEST_ARTIFACTS, else to test-output/screenshots/ at the top of the checkout.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import run_cli
from needs import CHROMIUM

ROOT = Path(__file__).resolve().parents[1]
ADAM_EXAMPLE = ROOT / "data" / "adam-example"
ENV = {"SOURCE_DATE_EPOCH": "1735689600"}

# Without these flags Chromium calls Google hosts (sync, component updates, field trials, QUIC probes).
# The host resolver rule makes any host name unresolvable, so nothing can leave the machine even if
# a report did ask for it; the request is still seen, and failed, by the checks below.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
VIEWPORT = {"width": 1200, "height": 900}

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

pytestmark = pytest.mark.needs("chromium")


@dataclass(frozen=True)
class Report:
    name: str                      # also the screenshot's file name
    args: tuple[str, ...]          # `trialreport build` arguments, before --format and --out
    html: str                      # the HTML file the build writes
    figures: tuple[str, ...]       # the figures, by their SVG id prefix (any order)
    text: str                      # a phrase the page's text must hold
    env: dict = field(default_factory=dict)


REPORTS = [
    Report("summary", (), "summary.html", ("km-os", "km-dfs", "cif-relapse", "swimmer", "ae"), "19 of 29"),
    Report(
        "dsmb-open", ("--kind", "dsmb", "--cutoff", "2017-07-31"), "dsmb-open.html",
        ("accrual", "consort"), "29 of the 31 planned patients had been enrolled by the cutoff",
        env={"TRIALREPORT_CLOSED_PASSWORD": "anything"},
    ),
    Report(
        "dsmb-closed", ("--kind", "dsmb", "--cutoff", "2017-07-31", "--no-encrypt"), "dsmb-closed.html",
        ("accrual", "consort", "km-os", "km-dfs", "cif-relapse", "swimmer"), "for the members of the Data and Safety Monitoring Board only",
    ),
    Report("abstract", ("--kind", "abstract"), "abstract.html", (), "Results of SWOG S1318"),
    Report("adam-example", (str(ADAM_EXAMPLE),), "summary.html", ("km-pfs", "km-os", "swimmer"), "Chemotherapy: 12 of 45"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """Build every report once, in parallel: name -> (CompletedProcess, path of the HTML or None)."""
    root = tmp_path_factory.mktemp("reports")
    wanted = REPORTS

    def build(report: Report):
        result = run_cli("build", *report.args, "--format", "html", "--out", str(root / report.name),
                         env={**ENV, **report.env})
        written = [Path(line.strip()) for line in result.stdout.splitlines() if line.strip().endswith(report.html)]
        return report.name, (result, written[0] if len(written) == 1 else None)

    with ThreadPoolExecutor(max_workers=min(len(wanted), os.cpu_count() or 2)) as pool:
        return dict(pool.map(build, wanted))


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless system Chromium with a fresh profile, as a Playwright browser context."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, viewport=VIEWPORT,
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    folder = Path(os.environ.get("TRIALREPORT_TEST_ARTIFACTS") or ROOT / "test-output" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_encrypted_dsmb_closed_report_has_no_html(built):
    result, _ = built["dsmb-open"]
    assert result.returncode == 0, result.stderr
    assert not any(line.strip().endswith("dsmb-closed.html") for line in result.stdout.splitlines()), result.stdout


# Every outermost SVG inside a <figure>: its id prefix (matplotlib's "fig-<name>-figure_1"),
# its box in page coordinates and whether CSS shows it.
FIGURES_JS = """() => [...document.querySelectorAll('figure svg:not(svg svg)')].map(svg => {
    const box = svg.getBoundingClientRect();
    const first = svg.querySelector('g[id]');
    return {
        id: first ? first.id.replace(/^fig-/, '').replace(/-figure(_\\d+)?$/, '') : null,
        left: box.left + window.scrollX, top: box.top + window.scrollY,
        width: box.width, height: box.height,
        visible: svg.checkVisibility({opacityProperty: true, visibilityProperty: true}),
    };
})"""

# Column headings are the templates' own words: none may be split across lines mid-word (a table
# column squeezed below its longest word, e.g. by `overflow-wrap: anywhere`). Breaks after - / are fine.
BROKEN_WORDS_JS = """() => {
    const broken = [];
    for (const cell of document.querySelectorAll('th')) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const match of node.data.matchAll(/[^\\s\\-\\u2010-\\u2014\\/]+/g)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                if (tops.size > 1) broken.push(`${match[0]} (in "${cell.textContent.trim()}")`);
            }
        }
    }
    return broken;
}"""

PAGE_JS = """() => ({
    scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight,
    innerWidth: window.innerWidth,
})"""


@pytest.mark.parametrize("report", REPORTS, ids=[r.name for r in REPORTS])
def test_report_in_the_browser(report: Report, built, browser, artifacts):
    result, html = built[report.name]
    assert result.returncode == 0, result.stderr
    assert html is not None and html.is_file(), f"no {report.html} among the paths written:\n{result.stdout}"
    url = html.resolve().as_uri()

    page = browser.new_page()
    page.set_default_timeout(20_000)
    messages, requests = [], []
    page.on("console", lambda m: m.type in ("error", "warning") and messages.append(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda error: messages.append(f"page error: {error}"))

    # Every request goes through the route; only the page itself may load, the rest is recorded and
    # aborted. Playwright neither routes nor reports data: URLs, so Chromium's own network log
    # (DevTools protocol) is read too: it also lists data: fetches.
    def route(r):
        request = r.request
        if request.url == url and request.is_navigation_request() and request.frame == page.main_frame:
            r.continue_()
        else:
            requests.append(f"{request.resource_type} {request.url[:200]}")
            r.abort()

    page.route("**/*", route)
    devtools = browser.new_cdp_session(page)
    devtools.on("Network.requestWillBeSent", lambda e: e["request"]["url"] != url
                and not e["request"]["url"].startswith("data:")  # the embedded fonts: in the page, not fetched
                and requests.append(f"{e.get('type', '?')} {e['request']['url'][:200]} (devtools)"))
    devtools.send("Network.enable")
    try:
        page.goto(url, wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        figures = page.evaluate(FIGURES_JS)
        layout = page.evaluate(PAGE_JS)
        broken_words = page.evaluate(BROKEN_WORDS_JS)
        text = page.inner_text("body")
        page.screenshot(path=str(artifacts / f"{report.name}.png"), full_page=True)
    finally:
        devtools.detach()
        page.close()

    assert not (messages or requests), "\n".join(
        ["console messages and page errors:", *messages, "requests other than the page's own file URL:", *requests])

    assert sorted(f["id"] for f in figures) == sorted(report.figures), figures
    for figure in figures:
        assert figure["visible"], figure
        assert figure["width"] > 200 and figure["height"] > 100, figure
        assert figure["left"] >= 0 and figure["top"] >= 0, figure
        assert figure["left"] + figure["width"] <= layout["scrollWidth"] + 1, (figure, layout)
        assert figure["top"] + figure["height"] <= layout["scrollHeight"] + 1, (figure, layout)

    assert layout["scrollWidth"] <= layout["innerWidth"] + 1, f"horizontal overflow at {VIEWPORT['width']} px: {layout}"
    assert report.text in text
    assert broken_words == [], "table headings split mid-word:\n" + "\n".join(broken_words)
