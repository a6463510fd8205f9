"""Journal-style figures for the trial report, returned as inline SVG strings.

The functions here only *draw*: every number shown comes from the ledger dict
passed in; nothing is estimated or recomputed.  Output is deterministic (fixed
SVG hash salt, no date metadata) and readable in grayscale. Text stays text, set in the
report's own Source Sans Pro (shipped with the templates): it is searchable in the PDF,
matches the body type, and is several times cheaper to render than glyphs drawn as paths.

Drawn artists carry SVG ids (matplotlib ``gid``) so tests and reviewers can
locate them: ``km-curve``, ``km-ci-band``, ``censor-marks``, ``landmark-{i}``,
``risk-table`` for Kaplan-Meier figures and ``ae-bar-{i}`` (whole bar) /
``ae-seg-{i}-grade-{g}`` (worst-grade segment) for the adverse-event figure.
"""

from __future__ import annotations

# Kaplan-Meier figures: report.layout.survival_figures; cumulative incidence: incidence_figures;
# forest, swimmer and waterfall: efficacy_figures (all drawn with this module's helpers).

import hashlib
import io
import math
import re
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from .figure_memo import kept_or_drawn
from .formatting import confidence_label, percent
from .mock import mocking
from ..resources import templates_dir

__all__ = ["ae_grade_figure", "accrual_figure", "consort_figure", "percent_label", "namespaced"]

KM_SIZE_IN = (6.3, 3.6)
AE_WIDTH_IN = 6.3
EMPTY_SIZE_IN = (6.3, 1.6)
INK = "black"
GRID_GREY = "#d9d9d9"
BAND_GREY = "#d0d0d0"

# Worst-grade fills: light to dark; hatching makes grade >= 3 stand out.
GRADE_STYLES: dict[int, dict[str, Any]] = {
    1: {"facecolor": "#f2f2f2", "hatch": None, "hatchcolor": INK},
    2: {"facecolor": "#bdbdbd", "hatch": None, "hatchcolor": INK},
    3: {"facecolor": "#8a8a8a", "hatch": "////", "hatchcolor": INK},
    4: {"facecolor": "#4a4a4a", "hatch": "xxxx", "hatchcolor": "white"},
    5: {"facecolor": "#000000", "hatch": None, "hatchcolor": "white"},
}

_RC = {
    "svg.hashsalt": "trialreport",
    "svg.fonttype": "none",
    "text.parse_math": False,  # text from data is shown as typed: "$" is not TeX
    "font.family": "sans-serif",
    "font.sans-serif": ["Source Sans Pro"],
    "font.size": 8,
    "axes.labelsize": 8.5,
    "axes.linewidth": 0.8,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "xtick.major.width": 0.8,
    "ytick.major.width": 0.8,
    "xtick.major.size": 3,
    "ytick.major.size": 3,
    "xtick.color": INK,
    "ytick.color": INK,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "hatch.linewidth": 0.6,
    "path.simplify": False,
}


# --------------------------------------------------------------------------- #
# Formatting helpers (pure)
# --------------------------------------------------------------------------- #
_ID = re.compile(r'(\bid="|href="#|url\(#)')


def namespaced(svg: str, prefix: str) -> str:
    """The same SVG with every id (and every reference to one) prefixed.

    Matplotlib numbers ids per figure, so two figures inlined in one page would share
    ids such as glyph definitions; a prefix per figure keeps them apart.
    """
    return _ID.sub(lambda m: f"{m.group(1)}{prefix}-", svg)


def percent_label(proportion: float) -> str:
    """'79%' from 0.7931: percentage rounded half up to a whole number."""
    return percent(proportion)


def _number_text(value: float) -> str:
    """'6' for 6.0, '1.5' for 1.5 (tick and risk-table times)."""
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def _ci_legend_text(confidence: Any, conf_type: Any) -> str:
    """'95% CI (log-log)' from confidence=0.95, conf_type='log-log'."""
    level = "" if confidence is None else f"{confidence_label(float(confidence))} "
    suffix = f" ({conf_type})" if conf_type else ""
    return f"{level}CI{suffix}"


def _as_float(value: Any) -> float:
    """None -> NaN, everything else float()."""
    return math.nan if value is None else float(value)


# --------------------------------------------------------------------------- #
# Figure plumbing
# --------------------------------------------------------------------------- #
def _svg_string(fig: Figure) -> str:
    """Serialise a Figure to an inline-able '<svg ...' string (no XML prolog)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _register_report_fonts() -> None:
    """Let matplotlib measure text in the fonts the PDF renders it in (once per process)."""
    known = {font.fname for font in font_manager.fontManager.ttflist}
    for path in sorted((templates_dir() / "fonts").glob("*.otf")):
        if str(path) not in known:
            font_manager.fontManager.addfont(str(path))


def _render(draw, *args, **kwargs) -> str:
    """Build a Figure with ``draw`` inside the report rc context, return SVG (and, inside
    ``rasters()``, keep it as PNG too); drawn once for the same inputs (report.layout.figure_memo)."""
    sink = _RASTERS.get()
    svg, png = kept_or_drawn((draw, args, kwargs, mocking()), lambda: _drawn(draw, args, kwargs, sink is not None),
                             png=sink is not None)
    if sink is not None:
        sink[raster_key(svg)] = png
    return svg


def _drawn(draw, args: tuple, kwargs: dict, png: bool) -> tuple[str, bytes | None]:
    _register_report_fonts()
    with matplotlib.rc_context(_RC):
        fig = draw(*args, **kwargs)
        return _svg_string(fig), _png_bytes(fig) if png else None


PNG_DPI = 150  # figures in Word files (python-docx takes no SVG)
_RASTERS: ContextVar[dict[str, bytes] | None] = ContextVar("rasters", default=None)
_ID_VALUE = re.compile(r'(\bid="|href="#|url\(#)[^")]*')


@contextmanager
def rasters() -> Iterator[dict[str, bytes]]:
    """Within it, every figure drawn is also drawn as a PNG (PNG_DPI), kept in the dict it
    yields under ``raster_key`` of its SVG. Outside it nothing more is drawn."""
    sink: dict[str, bytes] = {}
    token = _RASTERS.set(sink)
    try:
        yield sink
    finally:
        _RASTERS.reset(token)


def raster_key(svg: str) -> str:
    """A figure's key in ``rasters()``: its SVG without id values, so the same after ``namespaced``."""
    return hashlib.sha256(_ID_VALUE.sub(r"\1", svg).encode("utf-8")).hexdigest()


def _png_bytes(fig: Figure) -> bytes:
    """The figure as PNG, with no software or date stamp: the same bytes for the same figure."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return buf.getvalue()


def _message_figure(message: str, size: tuple[float, float], title: str = "") -> Figure:
    """Blank figure with a centred message (used for empty inputs)."""
    fig = Figure(figsize=size)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    if title:
        ax.text(0.5, 0.6, title, ha="center", va="center", fontsize=9, color=INK)
    ax.text(0.5, 0.45, message, ha="center", va="center", fontsize=9,
            color="#404040", gid="no-data")
    return fig


def placeholder_figure(title: str) -> str:
    """A mock shell's figure: an empty frame with the figure's title and no data (SVG)."""
    from .mock import FIGURE_MESSAGE

    return _render(_placeholder, title, FIGURE_MESSAGE)


def _placeholder(title: str, message: str) -> Figure:
    fig = _message_figure(message, KM_SIZE_IN, title)
    fig.patches.append(Rectangle((0.01, 0.02), 0.98, 0.96, transform=fig.transFigure, fill=False,
                                                    edgecolor=GRID_GREY, linewidth=1, gid="mock-frame"))
    return fig


# --------------------------------------------------------------------------- #
# Adverse events by worst grade
# --------------------------------------------------------------------------- #
def _grade_counts(term: dict) -> dict[int, int]:
    """{grade: patients} for grades 1..5 from ``max_grade`` (str or int keys)."""
    raw = term.get("max_grade") or {}
    return {g: int(raw.get(str(g), raw.get(g, 0)) or 0) for g in range(1, 6)}


def _bar_end_label(term: dict) -> str:
    """'4 (14%)' from subjects=4, proportion=0.1379."""
    k = int(term.get("subjects") or 0)
    p = term.get("proportion")
    return f"{k}" if p is None else f"{k} ({percent_label(p)})"


def _draw_ae_bar(ax, y: float, i: int, term: dict) -> None:
    left = 0.0
    for grade, count in _grade_counts(term).items():
        if count <= 0:
            continue
        ax.barh(y, count, left=left, height=0.62, edgecolor=INK, linewidth=0.5,
                gid=f"ae-seg-{i}-grade-{grade}", **GRADE_STYLES[grade])
        left += count
    total = float(term.get("subjects") or 0)
    ax.barh(y, total, height=0.62, facecolor="none", edgecolor=INK, linewidth=0.8,
            gid=f"ae-bar-{i}")
    ax.annotate(_bar_end_label(term), (max(total, left), y), xytext=(3, 0),
                textcoords="offset points", ha="left", va="center", fontsize=7.5,
                color=INK, gid=f"ae-label-{i}")


def _ae_legend(ax) -> None:
    handles = [Patch(edgecolor=INK, linewidth=0.5, label=str(g),
                     **GRADE_STYLES[g]) for g in range(1, 6)]
    ax.legend(handles=handles, title="Worst grade", loc="lower right",
              bbox_to_anchor=(1.0, 1.0), ncol=5, handlelength=1.6, handleheight=1.0,
              columnspacing=1.0, borderaxespad=0.2, title_fontsize=7.5,
              alignment="right")


def _ae_figure(terms: list[dict], n: int, max_terms: int) -> Figure:
    shown = list(terms)[:max(max_terms, 0)]
    height = 1.15 + 0.24 * len(shown)
    if not shown:
        return _message_figure("No adverse events reported", EMPTY_SIZE_IN)
    fig = Figure(figsize=(AE_WIDTH_IN, height), layout="constrained")
    ax = fig.add_subplot()
    ys = list(range(len(shown) - 1, -1, -1))
    for i, (y, term) in enumerate(zip(ys, shown)):
        _draw_ae_bar(ax, y, i, term)
    ax.set_yticks(ys, [str(t.get("term", "")) for t in shown])
    ax.tick_params(axis="y", length=0, pad=4)
    ax.spines["left"].set_visible(False)
    ax.set_ylim(-0.6, len(shown) - 0.4)
    widest = max(float(t.get("subjects") or 0) for t in shown)
    ax.set_xlim(0, max(widest * 1.22, 1))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    ax.set_xlabel(f"Patients with event, n (% of N = {n})")
    ax.grid(axis="x", color=GRID_GREY, linewidth=0.5)
    ax.set_axisbelow(True)
    _ae_legend(ax)
    return fig


def ae_grade_figure(terms: list[dict], *, n: int, max_terms: int = 12) -> str:
    """Horizontal stacked bars of patients by worst grade, one per term (SVG)."""
    return _render(_ae_figure, terms, n, max_terms)


# --------------------------------------------------------------------------- #
# DSMB: accrual against plan, and disposition (CONSORT-style)
# --------------------------------------------------------------------------- #
def _accrual_figure(months: list[dict], planned: int | None) -> Figure:
    if not months:
        return _message_figure("No patients enrolled", EMPTY_SIZE_IN)
    fig = Figure(figsize=(6.3, 2.8), layout="constrained")
    ax = fig.add_subplot()
    x = list(range(len(months)))
    ax.step(x, [m["cumulative"] for m in months], where="post", color=INK, linewidth=1.4,
            label="Enrolled", gid="accrual-actual")
    expected = [(i, m["expected"]) for i, m in enumerate(months) if m.get("expected") is not None]
    if expected:
        ax.plot([i for i, _ in expected], [e for _, e in expected], color="#555555", linewidth=1.1,
                linestyle=(0, (5, 2)), label="Expected (plan)", gid="accrual-expected")
    if planned:
        ax.axhline(planned, color="#888888", linewidth=0.7, linestyle=(0, (1, 1.5)), gid="accrual-target")
        ax.annotate(f"Target {planned}", (0, planned), xytext=(2, 2), textcoords="offset points",
                    fontsize=7.5, color="#404040")
    step = max(1, len(months) // 8)
    ticks = list(range(0, len(months), step))
    ax.set_xticks(ticks, [months[i]["month"] for i in ticks], rotation=0)
    ax.set_xlim(-0.5, len(months) - 0.5)
    ax.set_ylim(0, max([m["cumulative"] for m in months] + [planned or 0]) * 1.1 + 1)
    ax.set_ylabel("Patients (cumulative)")
    ax.grid(axis="y", color=GRID_GREY, linewidth=0.5)
    ax.set_axisbelow(True)
    ax.legend(loc="lower right", handlelength=2.4)
    return fig


def accrual_figure(months: list[dict], *, planned: int | None = None) -> str:
    """Cumulative enrollment by month against the plan (SVG)."""
    return _render(_accrual_figure, months, planned)


LINE, PAD, GAP = 0.135, 0.09, 0.16  # inches: a line of 7.5 pt text, a box's padding, the space between boxes


def _half(text: str) -> float:
    """Half the height (inches) of a box holding `text`."""
    return PAD + LINE * (text.count("\n") + 1) / 2


def _box(ax, x: float, y: float, text: str, gid: str, width: float, align: str = "center") -> None:
    """A box centred on (x, y) (inches), tall enough for its lines of text."""
    from matplotlib.patches import Rectangle

    half = _half(text)
    ax.add_patch(Rectangle((x - width / 2, y - half), width, 2 * half, facecolor="white", edgecolor=INK,
                           linewidth=0.8, gid=gid))
    left = align == "left"
    ax.text(x - width / 2 + 0.08 if left else x, y, text, ha="left" if left else "center", va="center", fontsize=7.5,
            color=INK, linespacing=1.3, gid=f"{gid}-text")


def _arrow(ax, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "color": INK, "linewidth": 0.8,
                                                       "shrinkA": 0, "shrinkB": 0})


def _reasons(title: str, count: int | None, reasons: dict[str, int] | None) -> str:
    """A side box's text: its title and count, then each reason with its count, wrapped."""
    import textwrap

    if count is None:
        return f"{title}: not collected"
    lines = [f"{title}, n = {count}"]
    for reason, n in (reasons or {}).items():
        lines += textwrap.wrap(f"{reason}: {n}", 44, initial_indent="\u2022 ", subsequent_indent="   ")
    return "\n".join(lines)


def _consort_figure(d: dict) -> Figure:
    """The flow down the main column (enrolled, eligible, treated, on study); each exclusion in a
    box to its right, reached by a horizontal arrow from the flow line, its reasons listed."""
    off = d.get("off_study")
    steps = [(("consort-enrolled", f"Enrolled\nn = {d['enrolled']}"),
              ("consort-ineligible", _reasons("Ineligible", d["ineligible"], d.get("ineligible_reasons")))),
             (("consort-eligible", f"Eligible\nn = {d['eligible']}"),
              ("consort-not-treated", _reasons("Eligible, not treated", d["not_treated"], None))),
             (("consort-treated", f"Treated (safety population)\nn = {d['treated']}; "
                                  f"evaluable for efficacy {d['evaluable']}"),
              ("consort-off-study", _reasons("Off study", None if off is None else sum(off.values()), off))),
             (("consort-on-study", f"On study at the cutoff\n{_n(d['on_study'])}"), None)]
    height = GAP + sum(2 * _half(m[1]) + GAP + (2 * _half(s[1]) + GAP if s else 0) for m, s in steps)
    fig = Figure(figsize=(6.3, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, 6.3)
    ax.set_ylim(0, height)
    main, side, y, above = 1.5, 4.45, height - GAP, None
    for (gid, text), exclusion in steps:
        centre = y - _half(text)
        _box(ax, main, centre, text, gid, width=2.6)
        if above is not None:
            _arrow(ax, (main, above), (main, centre + _half(text)))
        above, y = centre - _half(text), centre - _half(text) - GAP
        if exclusion is not None:
            side_gid, side_text = exclusion
            middle = y - _half(side_text)
            _box(ax, side, middle, side_text, side_gid, width=3.2, align="left")
            _arrow(ax, (main, middle), (side - 1.6, middle))
            y = middle - _half(side_text) - GAP
    return fig


def _n(count: int | None) -> str:
    """'n = 3', or 'not collected' for a count whose column the data do not hold."""
    return "not collected" if count is None else f"n = {count}"


def consort_figure(disposition: dict) -> str:
    """CONSORT-style disposition: enrolled, eligible, treated, evaluable, off study by reason (SVG)."""
    return _render(_consort_figure, disposition)
