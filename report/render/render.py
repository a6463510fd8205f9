"""Lay out a report: Jinja templates to HTML, WeasyPrint to PDF.

Rendering reads only the ledger (as parsed JSON), the spec's authored text, the figures
drawn from the ledger and the files the spec's house style names (given as bytes, put in as
data: URIs: report.render.house_style). It fetches nothing but data: URIs and files inside
the package's own templates folder and the trial's own templates folder ([report] templates).
Every template, shipped or the user's, runs in Jinja's sandbox with autoescape and
strict undefined.
"""
from __future__ import annotations

import atexit
import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from ..errors import InputError
from ..layout.collected import notes
from ..layout.formatting import FILTERS, long_date
from ..layout.mock import cutoffs, keep_strings, mock_html, mocking, spec_numbers
from ..resources import templates_dir
from .house_style import screen_fonts, style_css
from .template_check import render_problem

PRINT_FONTS = "fonts.css"
# Where a user's template or stylesheet names its own files from (url("logo.png")): the same
# on every machine, so a PDF's bytes do not depend on where the trial folder is (WeasyPrint
# names an image by its URL); the fetcher reads it from the trial's templates folder.
USER_BASE = "file:///trialreport-user-templates/"
# The submission PDF's bookmarks: WeasyPrint's own give the headings (h1-h6); these add every
# table and figure, by its caption, below its section. Not in report.css (nor the templates
# folder, whose hashes the archival PDF embeds): the archival PDF's bytes stay as they were.
SUBMISSION_CSS = """
table > caption, figure > figcaption { bookmark-level: 4; bookmark-label: content(text); }
figcaption:has(> b:first-child) { bookmark-level: none; }
figcaption > b:first-child { bookmark-level: 4; bookmark-label: content(text); }
section#methods { bookmark-level: 2; bookmark-label: "Methods"; }
article.abstract > p > b:first-child { bookmark-level: 2; bookmark-label: content(text); }
"""  # a figure caption's bold lead ("Overall survival.") names it, where it has one; an abstract's parts
# ("Background:") are its sections


@dataclass(frozen=True)
class Page:
    """Everything a template may show."""
    r: dict  # the ledger, exactly as results.json holds it
    spec: dict  # the trial spec (authored text and options)
    figures: dict[str, str]  # inline SVG, drawn from the ledger
    generated_on: dt.date
    version: str
    tables: dict = dataclasses.field(default_factory=dict)  # per-arm tables (report.layout.tables)
    caption_suffix: str = ""  # e.g. " (data cutoff 31 July 2018)" on every table of a DSMB report
    extra: dict = dataclasses.field(default_factory=dict)  # a kind's own values, e.g. the abstract
    signed: dict | None = None  # who signed the version and when (signer, at), or None
    templates: Path | None = None  # the trial's own templates folder ([report] templates), or None
    style_files: dict = dataclasses.field(default_factory=dict)  # [report.style]'s files: key -> (name, bytes)
    numbering: bool | None = None  # [report.style] numbering where the spec sets it, else None (the stylesheet's)


@functools.cache
def environment(user: Path | None = None) -> jinja2.Environment:
    """One per process and templates folder: templates compile once, and are compiled again
    when they change. The trial's own folder (`user`), where it has one, goes in front of
    the shipped templates. Jinja's sandbox, autoescape and strict undefined for all."""
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(p) for p in _roots(user)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def _roots(user: Path | None) -> list[Path]:
    """Where templates, the stylesheet and what they name are read from, first match wins."""
    return ([user] if user is not None else []) + [templates_dir()]


def stylesheet(user: Path | None = None) -> str:
    """report.css: the trial's own where its folder has one, else the shipped one."""
    path = next(p / "report.css" for p in _roots(user) if (p / "report.css").is_file())
    return path.read_text(encoding="utf-8")


def paper_css(paper: str | None) -> str:
    """The spec's paper size, after the stylesheet so that it wins; nothing where the spec names none."""
    return "" if paper is None else f"\n@page {{ size: {paper}; }}\n"


def page_css(page: Page) -> str:
    """The stylesheet, then the spec's paper and house style, then the shipped fonts as data:
    URIs (for the HTML; the PDF leaves them out and loads the same files: pdf_bytes)."""
    style = style_css(page.spec["report"]["style"], page.style_files, page.numbering)
    return stylesheet(page.templates) + paper_css(page.spec["report"]["paper"]) + style + screen_fonts()


def render_html(template: str, page: Page) -> str:
    """The page's HTML; a user template's error (an undefined name, the sandbox's refusal)
    is InputError naming its file and line (report.render.template_check)."""
    env = environment(page.templates)
    values = dict(
        r=page.r,
        spec=page.spec,
        figures={k: Markup(v) for k, v in page.figures.items()},
        generated_on=page.generated_on,
        version=page.version,
        tables=page.tables,
        caption_suffix=page.caption_suffix,
        not_collected=notes(page.r),  # words for what the data do not hold
        signed=page.signed,
        **page.extra,
        ae_min_percent=page.spec["report"]["ae_min_percent"],
        css=Markup(page_css(page)),
    )
    if page.templates is None:
        return _shell(env.get_template(template).render(**values), page)
    try:
        return _shell(env.get_template(template).render(**values), page)
    except Exception as exc:
        problem = render_problem(exc, page.templates)
        if problem is None:
            raise
        raise InputError(problem) from None


def _shell(html: str, page: Page) -> str:
    """The page as rendered; a mock shell's with every number in its text a placeholder but
    those inside the spec's, the ledger's and the templates' labels, and the report's own
    dates (report.layout.mock)."""
    if not mocking():
        return html
    from ..inputs.derive import DAYS_PER_UNIT
    from ..layout.wording import grading

    dates = cutoffs(page.r)
    words = {*dates, *(long_date(d) for d in dates if len(d) == 10), long_date(page.generated_on), page.caption_suffix,
             page.version,
             *(f"Grade {g}" for g in range(6)), *(grading(m).high for m in ("ctcae", "severity"))}
    keep = keep_strings(page.spec, page.r, template_words(page.templates), words) | dates
    return mock_html(html, keep, spec_numbers(page.spec, DAYS_PER_UNIT))


@functools.cache
def template_words(user: Path | None = None) -> tuple[str, ...]:
    """The templates' own words that hold a digit ("Grade &ge;3"): text between their tags."""
    words = set()
    for root in _roots(user):
        for path in sorted(root.rglob("*.j2")):
            text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<[^>]*>", "\n", path.read_text(encoding="utf-8"), flags=re.S)
            words.update(w.strip() for w in text.split("\n") if w.strip())
    return tuple(sorted(words))


def figures_as_images(html: str, figures: dict[str, str]) -> str:
    """`html` with each inline SVG figure as an <img> of the same SVG. For the PDF: WeasyPrint
    then styles a figure as one image rather than element by element (0.1 s a report),
    and draws it the same, its text still text."""
    import base64

    for svg in figures.values():
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        html = html.replace(svg, f'<img alt="" src="data:image/svg+xml;base64,{data}">')
    return html


def pdf_bytes(
    html: str,
    *,
    archival: bool = False,
    attachments: dict[str, bytes] | None = None,
    on: dt.date | None = None,
    templates: str | None = None,
    submission: bool = False,
) -> bytes:
    """The PDF of `html`; `archival` makes it PDF/A-3b, with `attachments` embedded and
    dated `on` (the report date), so the same inputs give the same bytes. `templates`: the
    trial's own templates folder, from which (as from the shipped one) files may be read.
    `submission`: PDF/A-2b for a regulatory submission, with a bookmark for every heading,
    table and figure, and nothing embedded but the fonts (no attachments; never with `archival`)."""
    if submission and (archival or attachments):
        raise ValueError("a submission PDF is PDF/A-2b, without attachments; it is not the archival PDF/A-3b")
    _quiet_weasyprint()
    _embed_fonts_whole()
    html = html.replace(screen_fonts(), "", 1)  # the PDF has them from the templates folder (_print_fonts)
    from weasyprint import HTML, Attachment

    user = Path(templates) if templates is not None else None
    fetcher = _template_fetcher(user)
    base = USER_BASE if user is not None else templates_dir().as_uri() + "/"
    font_config, fonts = _print_fonts()
    stamp = dt.datetime.combine(on or dt.date(2000, 1, 1), dt.time(), tzinfo=dt.timezone.utc)
    files = [
        Attachment(string=data, name=name, description=name, created=stamp, modified=stamp,
                   relationship="Data", url_fetcher=fetcher)
        for name, data in sorted((attachments or {}).items())
    ]
    options = {"pdf_variant": "pdf/a-3b"} if archival else {"pdf_variant": "pdf/a-2b"} if submission else {}
    sheets = [fonts, *_submission_css()] if submission else [fonts]
    document = HTML(string=html, base_url=base, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=sheets, font_config=font_config, attachments=files, **options)


@functools.cache
def _submission_css():
    from weasyprint import CSS

    return (CSS(string=SUBMISSION_CSS),)


@functools.cache
def _print_fonts():
    """The shipped fonts, loaded once per process (reports in a batch or a watch share them)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    fonts = CSS(filename=str(templates_dir() / PRINT_FONTS), base_url=templates_dir().as_uri() + "/",
                url_fetcher=_template_fetcher(), font_config=font_config)
    atexit.register(_print_fonts.cache_clear)  # freed while WeasyPrint can still clean up after it
    return font_config, fonts


def _embed_fonts_whole() -> None:
    """Embed each font whole, never subset, so the PDF's bytes are the same on every machine.

    WeasyPrint subsets a font with HarfBuzz's hb-subset where the system has that library
    and with fontTools where it does not: the two give different bytes, hb-subset's vary
    with the HarfBuzz version, and fontTools stamps the current time into the font (and
    takes about 2 s a report). Kept whole, a shipped font is embedded byte for byte as
    templates/fonts holds it; the widths and the text map are still those of the glyphs
    used (ligatures included), as with subsetting. The cost: about 0.4 MB a PDF.
    """
    from weasyprint.pdf import fonts

    if not callable(getattr(fonts.Font, "subset", None)):
        raise RuntimeError(f"this WeasyPrint ({_weasyprint_version()}) has no Font.subset to turn off; "
                           "trialreport keeps fonts whole for reproducible PDFs")
    fonts.Font.subset = _keep_whole


def _keep_whole(font, to_unicode, hinting) -> None:
    """In place of WeasyPrint's `Font.subset`: leave the font's file as it is."""


def _weasyprint_version() -> str:
    import weasyprint

    return weasyprint.__version__


def _quiet_weasyprint() -> None:
    """Keep WeasyPrint's advice (e.g. on font subsetting libraries) off the user's terminal.

    Errors, such as a refused fetch, still show.
    """
    import logging
    import warnings

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="weasyprint")


def _template_fetcher(user: Path | None = None):
    from weasyprint.urls import URLFetcher

    roots = [p.resolve() for p in _roots(user)]

    class TemplateOnlyFetcher(URLFetcher):
        """Allows data: URIs and files inside the templates folders (the shipped one and
        the trial's own); refuses the rest."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                path = _local(url, user).resolve()
                if any(path.is_relative_to(root) for root in roots):
                    return super().fetch(path.as_uri() if url.startswith(USER_BASE) else url, headers)
            raise ValueError(f"refused to fetch {url!r}: only the report's own templates may be read")

    return TemplateOnlyFetcher(allowed_protocols={"data", "file"}, timeout=1)


def _local(url: str, user: Path | None) -> Path:
    """The file a file: URL names; one under USER_BASE is in the trial's templates folder."""
    if user is not None and url.startswith(USER_BASE):
        return user / _file_path(url).removeprefix(_file_path(USER_BASE))
    return Path(_file_path(url))


def _file_path(url: str) -> str:
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(url).path)
