"""Mock shells (`trialreport build --mock`): a report with the trial's real structure (arms,
blocks, row labels, categories) and every number a placeholder, for review before data lock.

Two layers. The formatting functions (report.layout.formatting, .wording) print placeholders
of the real format's shape while `mocking()` is on: a count "xx", a percentage "xx.x%", a
count (%) "xx (xx.x%)", an interval "xx.x-xx.x", a p-value "0.xxx". Then `mock_html` masks,
in the page's text, every number the views printed by other means (f-strings), keeping only
the numbers inside labels (`keep`: the spec's and the ledger's names, the templates' own
words) and the report's dates; and it marks every page "MOCK SHELL - NOT REAL DATA".
"""
from __future__ import annotations

import contextlib
import re
from contextvars import ContextVar
from html import escape
from typing import Iterable, Iterator

BANNER = "MOCK SHELL \u2013 NOT REAL DATA"
FIGURE_MESSAGE = "Mock: figure drawn at data lock"
COUNT = "xx"
DATE = "MMMYYYY"
P_VALUE = "0.xxx"

PRIVATE = ("subject_id", "subject", "input_hashes")  # data, not labels: a mock masks their digits
_MOCKING: ContextVar[bool] = ContextVar("trialreport_mocking", default=False)

# A number standing alone (not part of a word such as "S1318" or "CD19"): digits, decimals.
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.#])\d+(?:[.,]\d+)*(?!\.?[A-Za-z0-9_])")  # not "0" of "0.xxx"
_DATES = re.compile(r"(?<![\w.#-])\d{4}-\d{2}(-\d{2})?(?![\w-])")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
_HEX = re.compile(r"^[0-9a-f]{32,}$")
# Markup the masking leaves alone: tags, the head, styles, figures, note marks (a number after
# "#" is never masked, so entities such as &#8211; stay whole).
_SKIPPED = re.compile(r"<(head|style|script|svg)\b.*?</\1>|<sup\b[^>]*>[^<]*</sup>|<[^>]*>", re.S | re.I)


def mocking() -> bool:
    """Whether the report being laid out is a mock shell."""
    return _MOCKING.get()


@contextlib.contextmanager
def mock_shell() -> Iterator[None]:
    """Lay out and render as a mock shell while inside."""
    token = _MOCKING.set(True)
    try:
        yield
    finally:
        _MOCKING.reset(token)


def shaped(decimals: int) -> str:
    """A number's placeholder with the real format's decimals: 'xx' for none, 'xx.x' for one."""
    return COUNT + ("." + "x" * decimals if decimals > 0 else "")


def placeholder(text: str) -> str:
    """A number's placeholder of the same shape: '12' -> 'xx', '65.5' -> 'xx.x', '0.034' -> 'xx.xxx'."""
    _, _, decimals = text.partition(".")
    return shaped(len(decimals))


def cutoffs(ledger: object) -> set[str]:
    """The ledger's cutoffs (its own, a previous report's), ISO dates at keys that name a cutoff:
    the report's dates, not results."""
    found: set[str] = set()
    if isinstance(ledger, dict):
        for key, value in ledger.items():
            if "cutoff" in str(key) and isinstance(value, str) and _ISO_DATE.match(value):
                found.add(value)
            found |= cutoffs(value)
    elif isinstance(ledger, list):
        for item in ledger:
            found |= cutoffs(item)
    return found


def keep_strings(*sources: object) -> set[str]:
    """The labels among the sources (a spec, a ledger, texts) that hold a digit: their strings
    and their keys, but not bare numbers, dates or hashes (those are results, or nothing shown)."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in PRIVATE:
                    walk(str(key))
                    walk(item)
        elif isinstance(value, (list, tuple, set)):
            for item in value:
                walk(item)
        elif isinstance(value, str) and _label(value):
            found.add(value)

    for source in sources:
        walk(source)
    return found


def _label(text: str) -> bool:
    text = text.strip()
    return (any(c.isdigit() for c in text) and not _NUMBER.fullmatch(text) and not _ISO_DATE.match(text)
            and not _HEX.match(text))


def spec_numbers(*sources: object) -> frozenset[str]:
    """The numbers of the spec (landmarks, windows, levels) and of the report's constants, as
    printed: kept in a phrase of time ("at 6 and 12 months") or of confidence ("95% CI")."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                walk(item)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            found.update({str(value), f"{value:g}"})
            if isinstance(value, float) and 0 < value < 1:  # a level: 0.95 -> 95
                found.add(f"{round(value * 100, 9):g}")

    for source in sources:
        walk(source)
    return frozenset(found)


# Numbers in a phrase of time or of confidence: "at 6 and 12 months", "within 30 days", "95% CI".
_PHRASE = re.compile(r"(?<![\w.#])\d+(?:\.\d+)?(?:(?:, and |, or |, | and | or |\u2013|-| to )\d+(?:\.\d+)?)*"
                     r"(?:[ -](?:day|week|month|year)s?\b|% (?:CIs?|confidence)\b)")


def _phrase_spans(text: str, numbers: frozenset[str]) -> list[tuple[int, int]]:
    return [m.span() for m in _PHRASE.finditer(text)
            if numbers and all(n in numbers for n in re.findall(r"\d+(?:\.\d+)?", m.group(0)))]


def mask_text(text: str, keep: Iterable[str], numbers: frozenset[str] = frozenset()) -> str:
    """`text` with every standalone number outside the `keep` strings, and outside a phrase of
    time or confidence made of the spec's `numbers`, replaced by its placeholder."""
    kept = _kept_spans(text, keep) + _phrase_spans(text, numbers)
    text = _DATES.sub(lambda m: m.group(0) if _inside(m.span(), kept) else "YYYY-MM" + ("-DD" if m.group(1) else ""),
                      text)
    kept = _kept_spans(text, keep) + _phrase_spans(text, numbers)
    return _NUMBER.sub(lambda m: m.group(0) if _inside(m.span(), kept) else placeholder(m.group(0)), text)


def _kept_spans(text: str, keep: Iterable[str]) -> list[tuple[int, int]]:
    spans = []
    for label in keep:
        start = text.find(label)
        while start >= 0:
            spans.append((start, start + len(label)))
            start = text.find(label, start + 1)
    return spans


def _inside(span: tuple[int, int], kept: list[tuple[int, int]]) -> bool:
    return any(low <= span[0] and span[1] <= high for low, high in kept)


def mock_html(html: str, keep: Iterable[str], numbers: frozenset[str] = frozenset()) -> str:
    """The page masked (numbers in its text, outside `keep`), titled and watermarked as a mock shell."""
    labels = set(keep)
    keep = sorted(labels | {escape(k, quote=False) for k in labels}, key=len, reverse=True)
    out, last = [], 0
    for m in _SKIPPED.finditer(html):
        out.append(mask_text(html[last:m.start()], keep, numbers))
        out.append(m.group(0))
        last = m.end()
    out.append(mask_text(html[last:], keep, numbers))
    return _marked("".join(out))


_STYLE = (
    "<style>\n.mock-watermark { position: fixed; top: 45%; left: 0; right: 0; text-align: center; "
    "transform: rotate(-30deg); font-size: 34pt; white-space: nowrap; font-weight: bold; color: rgba(200, 0, 0, 0.18); "
    "z-index: 1000; pointer-events: none; }\n"
    ".mock-banner { border: 1.5pt solid #c00000; color: #c00000; font-weight: bold; text-align: center; "
    "padding: 3pt; margin: 0 0 8pt 0; }\n</style>\n"
)


def _marked(html: str) -> str:
    """The mock's title, a banner at the top and a watermark on every page (a fixed element
    repeats on each page of the PDF)."""
    html = re.sub(r"<title>", f"<title>{BANNER}: ", html, count=1)
    html = re.sub(r"</head>", _STYLE + "</head>", html, count=1)
    marks = (f'<div class="mock-watermark" aria-hidden="true">{BANNER}</div>\n'
             f'<div class="mock-banner">{BANNER}: every number is a placeholder; the figures are drawn at data lock.</div>\n')
    return re.sub(r"(<body\b[^>]*>)", lambda m: m.group(1) + "\n" + marks, html, count=1)
