"""How numbers read in reports (DESIGN section 6). Used as Jinja filters and by figures.

These only format values taken from the ledger; they never derive one.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

from .mock import COUNT, DATE, mocking, shaped

DASH = "\u2013"
MISSING = "\u2014"  # an em dash where a value cannot be estimated


def _half_up(value: float, digits: int) -> Decimal:
    # Round away the float noise first (0.655 * 100 = 65.50000000000001), then half up.
    exact = Decimal(repr(round(float(value), 9)))
    return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def percent(proportion: float | None, digits: int = 0) -> str:
    """0.6552 -> '66%' (text: whole numbers, half up); digits=1 -> '65.5%' (tables)."""
    if mocking():  # a mock shell: a placeholder, estimable or not (an em dash would tell)
        return f"{shaped(digits)}%"
    if proportion is None:
        return MISSING
    return f"{_half_up(proportion * 100, digits)}%"


def percent_number(proportion: float | None, digits: int = 1) -> str:
    """0.6552 -> '65.5': a percentage without its sign, for table cells under a '%' header."""
    if mocking():
        return shaped(digits)
    return MISSING if proportion is None else str(_half_up(proportion * 100, digits))


def interval(low: float | None, high: float | None, digits: int = 1, as_percent: bool = True) -> str:
    """'45.7%\u201382.1%' for a proportion's limits; 'NE' parts where a limit is missing."""
    if low is None and high is None and not mocking():
        return MISSING
    part = (lambda v: percent(v, digits)) if as_percent else (lambda v: number(v, digits))
    if mocking():
        return f"{part(low)}{DASH}{part(high)}"
    return f"{part(low) if low is not None else 'NE'}{DASH}{part(high) if high is not None else 'NE'}"


def number(value: float | None, digits: int = 1) -> str:
    """12.03 -> '12.0'; None -> an em dash."""
    if mocking():
        return shaped(digits)
    return MISSING if value is None else str(_half_up(value, digits))


def setting(value: float, digits: int = 0) -> str:
    """A number the spec sets (a landmark time, days per month), printed as `number` prints it,
    and as it is in a mock shell too: it is the report's structure, not a result."""
    return str(_half_up(value, digits))


def count_percent(count: int, proportion: float | None, digits: int = 1) -> str:
    """'19 (65.5%)'; a zero count '0' (DESIGN section 6: a table of zeros reads at a glance)."""
    if mocking():
        return COUNT if proportion is None else f"{COUNT} ({percent(proportion, digits)})"
    return f"{count}" if proportion is None or count == 0 else f"{count} ({percent(proportion, digits)})"


def long_date(value: str | dt.date) -> str:
    """'2018-07-31' -> '31 July 2018'."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


def month_year(value: str | dt.date) -> str:
    if mocking():  # a result (the first and last enrolment): a mock shell's placeholder
        return DATE
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day:%B %Y}"


def confidence_label(confidence: float) -> str:
    """0.95 -> '95%'."""
    return f"{Decimal(repr(round(confidence * 100, 9))).normalize():f}%"


FILTERS = {
    "pct": percent,
    "pctn": percent_number,
    "ci": interval,
    "num": number,
    "npct": count_percent,
    "long_date": long_date,
    "month_year": month_year,
    "conf": confidence_label,
}


def table_layout(layout: str) -> str:
    """The table's class for its column layout: " fixed" (widths set in CSS, for long tables) or ""."""
    return " fixed" if layout == "fixed" else ""


def iso_date(value: dt.date) -> str:
    """A date as ISO 8601, for the document's metadata."""
    return value.isoformat()


_HYPHENATED = re.compile(r"\w+(?:-\w+)+")
SHORT_PART = 3  # a hyphenated term with a part this short is kept on one line: B-cell, Ph-negative, B-ALL
LONGEST_KEPT = 24  # longer terms may still break at a hyphen (a narrow column must take them)


def heading(text: str) -> Markup:
    """A title or heading as HTML in which a hyphenated term with a short part ('B-cell',
    'Ph-negative', 'CD19-positive') never breaks at its hyphen: the term in a `nowrap` span. The
    hyphen stays U+002D, so the PDF's text and the Word file read and search as typed (the
    report's font has no U+2011, the non-breaking hyphen); the CSS keeps headings from hyphenating."""
    out, last = [], 0
    for m in _HYPHENATED.finditer(text):
        term = m.group()
        if len(term) <= LONGEST_KEPT and min(len(part) for part in term.split("-")) <= SHORT_PART:
            out += [escape(text[last:m.start()]), Markup('<span class="nowrap">'), escape(term), Markup("</span>")]
            last = m.end()
    return Markup("").join([*out, escape(text[last:])])


FILTERS.update({"table_layout": table_layout, "iso_date": iso_date, "heading": heading})


def estimate_with_limits(estimate: float | None, low: float | None, high: float | None, as_percent: bool = False,
                         missing: str = "NE") -> str:
    """'31.6 (12.9–52.5)': an estimate and its confidence limits, one decimal (a proportion as
    a percentage without its sign where `as_percent`); `missing` for a value not estimable."""
    def shown(value: float | None) -> str:
        if value is None and not mocking():
            return missing
        return percent_number(value, 1) if as_percent else number(value, 1)
    return missing if estimate is None and not mocking() else f"{shown(estimate)} ({shown(low)}{DASH}{shown(high)})"
