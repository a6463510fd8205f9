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

import io
import math
import re
from typing import Any, Iterable

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, MaxNLocator
from matplotlib.transforms import blended_transform_factory

from .formatting import confidence_label, percent
from .resources import templates_dir

__all__ = ["km_figure", "km_arms_figure", "ae_grade_figure", "percent_label", "namespaced"]

KM_SIZE_IN = (6.3, 3.6)
AE_WIDTH_IN = 6.3
EMPTY_SIZE_IN = (6.3, 1.6)
INK = "black"
GRID_GREY = "#d9d9d9"
BAND_GREY = "#d0d0d0"
CENSOR_MARK_RESOLUTION = 400  # distinct mark positions across the time axis

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
    """Build a Figure with ``draw`` inside the report rc context, return SVG."""
    _register_report_fonts()
    with matplotlib.rc_context(_RC):
        fig = draw(*args, **kwargs)
        return _svg_string(fig)


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


# --------------------------------------------------------------------------- #
# Kaplan-Meier
# --------------------------------------------------------------------------- #
def _step_band(times: list[float], lows: list[float], highs: list[float]):
    """Post-step band vertices; NaN rows become gaps (one interval per row)."""
    xs, lo, hi = [], [], []
    for i in range(len(times) - 1):
        xs += [times[i], times[i + 1]]
        lo += [lows[i], lows[i]]
        hi += [highs[i], highs[i]]
        if math.isnan(lows[i]) or math.isnan(highs[i]):
            lo[-2:] = hi[-2:] = [math.nan, math.nan]
    return xs, lo, hi


def _draw_km_curve(ax, curve: list[dict]) -> None:
    times = [float(r["time"]) for r in curve]
    surv = [_as_float(r.get("survival")) for r in curve]
    xs, lo, hi = _step_band(times, [_as_float(r.get("ci_low")) for r in curve],
                            [_as_float(r.get("ci_high")) for r in curve])
    ax.fill_between(xs, lo, hi, facecolor=BAND_GREY, edgecolor="none",
                    linewidth=0, gid="km-ci-band", zorder=1)
    ax.step(times, surv, where="post", color=INK, linewidth=1.3,
            solid_joinstyle="miter", gid="km-curve", zorder=3)


def _censor_mark_points(curve: list[dict]) -> tuple[list[float], list[float]]:
    """Where censor marks go: one per censored time, except that a mark closer to the
    last one drawn than 1/400 of either axis (less than its own stroke on paper) is
    left out, so that a large trial's thousands of marks do not weigh down the figure."""
    rows = [r for r in curve if (r.get("censored") or 0) > 0]
    gap = (float(curve[-1]["time"]) if curve else 0.0) / CENSOR_MARK_RESOLUTION
    xs, ys = [], []
    for r in rows:
        x, y = float(r["time"]), _as_float(r.get("survival"))
        if not xs or x - xs[-1] >= gap or abs(y - ys[-1]) >= 1 / CENSOR_MARK_RESOLUTION:
            xs.append(x)
            ys.append(y)
    return xs, ys


def _draw_censor_marks(ax, curve: list[dict]) -> int:
    xs, ys = _censor_mark_points(curve)
    ax.plot(xs, ys, linestyle="none", marker="|", markersize=5, markeredgewidth=0.9,
            color=INK, gid="censor-marks", zorder=4, clip_on=False)
    return len(xs)


def _draw_landmarks(ax, landmarks: Iterable[dict]) -> None:
    for i, lm in enumerate(landmarks):
        t, s = lm.get("time"), lm.get("survival")
        if t is None or s is None:
            continue
        t, s = float(t), float(s)
        ax.plot([t, t], [0, s], linestyle=(0, (1, 1.5)), linewidth=0.6, color="#606060",
                zorder=2, gid=f"landmark-guide-{i}")
        ax.plot([t], [s], linestyle="none", marker="o", markersize=4.2,
                markerfacecolor="white", markeredgecolor=INK, markeredgewidth=0.9,
                zorder=5, gid=f"landmark-{i}")
        low = s < 0.12  # below-left is free of the curve, except near the x axis
        ax.annotate(percent_label(s), (t, s), xytext=(3, 3) if low else (-3, -3),
                    textcoords="offset points", ha="left" if low else "right",
                    va="bottom" if low else "top", fontsize=7.5, color=INK, zorder=6,
                    gid=f"landmark-label-{i}")


def _km_x_max(curve: list[dict], risk_table: list[dict]) -> float:
    ends = [float(curve[-1]["time"])] + [float(r["time"]) for r in risk_table]
    return max(ends) or 1.0


def _draw_risk_table(ax_risk, risk_table: list[dict]) -> None:
    """'No. at risk' heading and the n_at_risk numbers under the x ticks."""
    ax_risk.set_axis_off()
    ax_risk.set_ylim(0, 1)
    heading = blended_transform_factory(ax_risk.figure.transFigure, ax_risk.transAxes)
    ax_risk.text(0.012, 0.78, "No. at risk", transform=heading, ha="left", va="center",
                 fontsize=8, fontweight="bold", color=INK, clip_on=False,
                 gid="risk-table-label")
    for row in risk_table:
        ax_risk.text(float(row["time"]), 0.22, _number_text(row["n_at_risk"]),
                     ha="center", va="center", fontsize=8, color=INK, clip_on=False,
                     gid=f"risk-table-{_number_text(row['time'])}")


def _km_legend(ax, label: str, ci_text: str, has_censor: bool, has_landmarks: bool) -> None:
    handles = [Line2D([], [], color=INK, linewidth=1.3, label=label),
               Patch(facecolor=BAND_GREY, edgecolor="none", label=ci_text)]
    if has_censor:
        handles.append(Line2D([], [], color=INK, linestyle="none", marker="|",
                              markersize=5, markeredgewidth=0.9, label="Censored"))
    if has_landmarks:
        handles.append(Line2D([], [], color=INK, linestyle="none", marker="o",
                              markersize=4.2, markerfacecolor="white",
                              markeredgewidth=0.9, label="Landmark estimate"))
    ax.legend(handles=handles, loc="best",
              handlelength=1.8, borderaxespad=0.3, labelspacing=0.35)


def _km_axes(fig: Figure):
    """Main plot axes and the number-at-risk strip below it (shared x)."""
    left, width = 0.115, 0.86
    ax = fig.add_axes((left, 0.255, width, 0.725))
    ax_risk = fig.add_axes((left, 0.0, width, 0.12), sharex=ax)
    return ax, ax_risk


def _style_km_axes(ax, risk_table: list[dict], x_max: float, time_label: str) -> None:
    ax.set_xlim(0, x_max * 1.02)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
    ax.set_yticklabels(["0", "0.25", "0.50", "0.75", "1.00"])
    ticks = [float(r["time"]) for r in risk_table]
    if ticks:
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.set_xticklabels([_number_text(t) for t in ticks])
    ax.set_xlabel(time_label, labelpad=3)
    ax.set_ylabel("Probability", labelpad=4)
    ax.grid(axis="y", color=GRID_GREY, linewidth=0.5, zorder=0)
    ax.set_axisbelow(True)
    ax.spines["left"].set_bounds(0, 1)


def _km_figure(block: dict, label: str, time_label: str) -> Figure:
    curve = block.get("curve") or []
    if len(curve) < 2 or not block.get("n"):
        return _message_figure("No data", EMPTY_SIZE_IN, title=label)
    risk_table = block.get("risk_table") or []
    landmarks = [lm for lm in block.get("landmarks") or []
                 if lm.get("time") is not None and lm.get("survival") is not None]
    fig = Figure(figsize=KM_SIZE_IN)
    ax, ax_risk = _km_axes(fig)
    _draw_km_curve(ax, curve)
    n_censor_rows = _draw_censor_marks(ax, curve)
    _draw_landmarks(ax, landmarks)
    _style_km_axes(ax, risk_table, _km_x_max(curve, risk_table), time_label)
    _draw_risk_table(ax_risk, risk_table)
    _km_legend(ax, label, _ci_legend_text(block.get("confidence"), block.get("conf_type")),
               n_censor_rows > 0, bool(landmarks))
    return fig


def km_figure(block: dict, *, label: str, time_label: str) -> str:
    """Kaplan-Meier plot with CI band, censor marks, landmarks and risk table (SVG)."""
    return _render(_km_figure, block, label, time_label)


# One line style per arm, distinct in grayscale; the reference arm is solid black.
ARM_STYLES = (
    {"color": INK, "linestyle": "-"},
    {"color": "#555555", "linestyle": (0, (5, 2))},
    {"color": INK, "linestyle": (0, (1, 1.2))},
    {"color": "#555555", "linestyle": (0, (6, 1.5, 1, 1.5))},
    {"color": "#888888", "linestyle": "-"},
)


def _draw_arm(ax, curve: list[dict], i: int, arm: str) -> None:
    style = ARM_STYLES[i % len(ARM_STYLES)]
    times = [float(r["time"]) for r in curve]
    ax.step(times, [_as_float(r.get("survival")) for r in curve], where="post", linewidth=1.3,
            label=arm, gid=f"km-curve-{i}", zorder=3, **style)
    xs, ys = _censor_mark_points(curve)
    ax.plot(xs, ys, linestyle="none", marker="|", markersize=5, markeredgewidth=0.9,
            color=style["color"], gid=f"censor-marks-{i}", zorder=4, clip_on=False)


def _draw_arm_risk_rows(ax_risk, blocks: dict[str, dict]) -> None:
    """'No. at risk' heading, then one row per arm, its name at the left margin."""
    ax_risk.set_axis_off()
    rows = len(blocks)
    ax_risk.set_ylim(0, rows + 1)
    margin = blended_transform_factory(ax_risk.figure.transFigure, ax_risk.transData)
    ax_risk.text(0.012, rows + 0.5, "No. at risk", transform=margin, ha="left", va="center",
                 fontsize=8, fontweight="bold", color=INK, clip_on=False, gid="risk-table-label")
    for i, (arm, block) in enumerate(blocks.items()):
        y = rows - i - 0.5
        ax_risk.text(0.012, y, _short(arm), transform=margin, ha="left", va="center",
                     fontsize=7.5, color=INK, clip_on=False, gid=f"risk-table-arm-{i}")
        for row in block.get("risk_table") or []:
            ax_risk.text(float(row["time"]), y, _number_text(row["n_at_risk"]), ha="center",
                         va="center", fontsize=8, color=INK, clip_on=False,
                         gid=f"risk-table-{i}-{_number_text(row['time'])}")


def _short(arm: str, width: int = 22) -> str:
    return arm if len(arm) <= width else arm[: width - 1] + "\u2026"


def _km_arms_figure(blocks: dict[str, dict], label: str, time_label: str) -> Figure:
    drawn = {arm: b for arm, b in blocks.items() if len(b.get("curve") or []) >= 2 and b.get("n")}
    if not drawn:
        return _message_figure("No data", EMPTY_SIZE_IN, title=label)
    risk_height = 0.16 * (len(blocks) + 1)
    fig = Figure(figsize=(KM_SIZE_IN[0], 2.9 + risk_height + 0.45))
    total = 2.9 + risk_height + 0.45
    left, width = 0.22, 0.755
    ax = fig.add_axes((left, (risk_height + 0.45) / total, width, 2.75 / total))
    ax_risk = fig.add_axes((left, 0.0, width, risk_height / total), sharex=ax)
    for i, (arm, block) in enumerate(blocks.items()):
        if arm in drawn:
            _draw_arm(ax, block["curve"], i, arm)
    risk_table = next(iter(drawn.values())).get("risk_table") or []
    x_max = max(_km_x_max(b["curve"], risk_table) for b in drawn.values())
    _style_km_axes(ax, risk_table, x_max, time_label)
    _draw_arm_risk_rows(ax_risk, blocks)
    ax.legend(loc="best", handlelength=2.6, borderaxespad=0.3, labelspacing=0.35, title=label,
              title_fontsize=8, alignment="left")
    return fig


def km_arms_figure(blocks: dict[str, dict], *, label: str, time_label: str) -> str:
    """Kaplan-Meier curves, one per arm, censor marks and a risk-table row per arm (SVG).

    `blocks` maps arm name to its survival block, in report order (the reference first);
    the arms share the risk table's times.
    """
    return _render(_km_arms_figure, blocks, label, time_label)


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


def _box(ax, x: float, y: float, text: str, gid: str, width: float = 0.36) -> None:
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - width / 2, y - 0.045), width, 0.09, boxstyle="square,pad=0",
                                facecolor="white", edgecolor=INK, linewidth=0.8, gid=gid))
    ax.text(x, y, text, ha="center", va="center", fontsize=8, color=INK, gid=f"{gid}-text")


def _arrow(ax, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "color": INK, "linewidth": 0.8,
                                                       "shrinkA": 0, "shrinkB": 0})


def _consort_figure(d: dict) -> Figure:
    fig = Figure(figsize=(6.3, 3.9))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    main, side = 0.3, 0.76
    rows = [(0.92, f"Enrolled\nn = {d['enrolled']}", "consort-enrolled"),
            (0.72, f"Eligible\nn = {d['eligible']}", "consort-eligible"),
            (0.52, f"Treated\nn = {d['treated']}", "consort-treated"),
            (0.32, f"Evaluable for efficacy\nn = {d['evaluable']}", "consort-evaluable")]
    for y, text, gid in rows:
        _box(ax, main, y, text, gid)
    for (y0, *_), (y1, *_) in zip(rows, rows[1:]):
        _arrow(ax, (main, y0 - 0.045), (main, y1 + 0.045))
    _box(ax, side, 0.82, f"Ineligible\nn = {d['ineligible']}", "consort-ineligible")
    _arrow(ax, (main, 0.82), (side - 0.18, 0.82))
    _box(ax, side, 0.62, f"Not treated\nn = {d['not_treated']}", "consort-not-treated")
    _arrow(ax, (main, 0.62), (side - 0.18, 0.62))
    off = d.get("off_study") or {}
    lines = [f"Off study n = {sum(off.values())}"] + [f"  {reason}: {count}" for reason, count in off.items()]
    ax.text(side - 0.18, 0.42, "\n".join(lines), ha="left", va="top", fontsize=7.5, color=INK,
            linespacing=1.35, gid="consort-off-study",
            bbox={"boxstyle": "square,pad=0.5", "facecolor": "white", "edgecolor": INK, "linewidth": 0.8})
    _arrow(ax, (main + 0.18, 0.52), (side - 0.19, 0.40))
    _box(ax, main, 0.12, f"On study\nn = {d['on_study']}", "consort-on-study")
    _arrow(ax, (main, 0.32 - 0.045), (main, 0.12 + 0.045))
    return fig


def consort_figure(disposition: dict) -> str:
    """CONSORT-style disposition: enrolled, eligible, treated, evaluable, off study by reason (SVG)."""
    return _render(_consort_figure, disposition)
