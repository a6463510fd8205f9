"""Efficacy figures journals print, drawn from frozen inputs as inline SVG: the subgroup forest
plot, the swimmer plot of time on study, and the waterfall plot of best percent change.

Only drawing: every number shown is in the input. Style, fonts and determinism:
report.layout.figures. Ids: ``forest-point-{i}``, ``forest-ci-{i}``, ``forest-label-{i}``,
``forest-n-{i}``, ``forest-events-{i}``, ``forest-estimate-{i}``, ``forest-interaction-{i}``,
``forest-null``, ``forest-overall``; ``swimmer-lane-{i}`` (top first), ``swimmer-{kind}``,
``swimmer-ongoing``; ``waterfall-bar-{i}`` (left first), ``waterfall-ref-pr``, ``waterfall-ref-pd``."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, MaxNLocator

from .figure_arms import arm_style
from .figures import EMPTY_SIZE_IN, GRID_GREY, INK, _message_figure, _render
from .formatting import DASH, MISSING, number
from .wording import p_value

__all__ = ["ForestRow", "forest_figure", "SwimmerMark", "SwimmerLane", "swimmer_figure", "MARK_KINDS",
           "WaterfallBar", "waterfall_figure", "PARTIAL_RESPONSE", "PROGRESSION"]

WIDTH_IN = 6.3


# --------------------------------------------------------------------------- #
# Forest plot
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class ForestRow:
    label: str
    n: int | None
    events: int | None
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    group_heading: bool = False


FOREST_ROW_IN = 0.19
FOREST_LABEL_CHARS = 34  # longer labels end in an ellipsis before the n column
_COLUMNS = {"label": 0.012, "n": 0.325, "events": 0.395, "plot": (0.43, 0.76), "estimate": 0.775, "p": 0.985}


def _signed(value: float | None) -> str:
    """'0.12', '\u22120.05' (a minus sign, not a hyphen), or a dash for None."""
    return number(value, 2).replace("-", "\u2212") if value is not None else MISSING


def _estimate_text(row: ForestRow) -> str:
    """'0.71 (0.55\u20130.92)'; with a negative limit '0.12 (\u22120.05 to 0.29)', as a dash would read as minus."""
    if row.estimate is None:
        return MISSING
    negative = any(v is not None and v < 0 for v in (row.ci_low, row.ci_high))
    return f"{_signed(row.estimate)} ({_signed(row.ci_low)}{' to ' if negative else DASH}{_signed(row.ci_high)})"


def _forest_limits(rows: list[ForestRow], log_scale: bool, null: float) -> tuple[float, float]:
    values = [v for r in rows for v in (r.estimate, r.ci_low, r.ci_high)
              if v is not None and (not log_scale or v > 0) and math.isfinite(v)] + [null]
    if log_scale:
        lo, hi = math.log(min(values)), math.log(max(values))
        pad = 0.08 * (hi - lo or 1)
        return math.exp(lo - pad), math.exp(hi + pad)
    lo, hi = min(values), max(values)
    pad = 0.08 * (hi - lo or 1)
    return lo - pad, hi + pad


def _log_ticks(lo: float, hi: float) -> list[float]:
    """Round ratios within the axis; the sparser set where more than six fit."""
    dense = [t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 4, 5, 10, 20, 50, 100) if lo <= t <= hi]
    sparse = [t for t in (0.01, 0.1, 0.25, 0.5, 1, 2, 4, 10, 100) if lo <= t <= hi]
    return (dense if len(dense) <= 6 else sparse) or [1]


def _forest_text(fig, x: float, y_fig: float, text: str, gid: str, ha: str = "left", bold: bool = False,
                 va: str = "center") -> None:
    fig.text(x, y_fig, text, ha=ha, va=va, fontsize=7.5, color=INK, linespacing=1.1,
             fontweight="bold" if bold else "normal", gid=gid)


def _forest_figure(rows: list[ForestRow], overall: ForestRow, measure_label: str, log_scale: bool,
                   interaction_p: dict[str, float | None]) -> Figure:
    if not rows:
        return _message_figure("No subgroups", EMPTY_SIZE_IN, title=measure_label)
    every = list(rows) + [overall]
    slots = len(every) + 1  # a gap above the overall row
    height = 0.55 + 0.55 + FOREST_ROW_IN * slots
    fig = Figure(figsize=(WIDTH_IN, height))
    left, right = _COLUMNS["plot"]
    bottom, top = 0.55 / height, (0.55 + FOREST_ROW_IN * slots) / height
    ax = fig.add_axes((left, bottom, right - left, top - bottom))
    ax.set_ylim(slots - 0.5, -0.5)  # row 0 on top
    null = 1.0 if log_scale else 0.0
    if log_scale:
        ax.set_xscale("log")
    ax.set_xlim(*_forest_limits(every, log_scale, null))
    ys = list(range(len(rows))) + [slots - 1]
    to_fig = lambda y: ax.transData.transform((1 if log_scale else 0, y))[1] / fig.bbox.height  # noqa: E731
    head_y = top + 0.06 / height
    for x, text, ha in ((_COLUMNS["label"], "Subgroup", "left"), (_COLUMNS["n"], "n", "right"),
                        (_COLUMNS["events"], "Events", "right"), (_COLUMNS["estimate"], f"{measure_label}\n(95% CI)", "left"),
                        (_COLUMNS["p"], "Interaction\np", "right")):
        _forest_text(fig, x, head_y, text, f"forest-head-{text.split()[0].lower()}", ha, bold=True, va="bottom")
    for i, (y, row) in enumerate(zip(ys, every)):
        _forest_row(fig, ax, i, to_fig(y), y, row, row is overall, interaction_p)
    ax.axvline(null, color=INK, linewidth=0.8, zorder=1, gid="forest-null")
    if overall.estimate is not None:
        ax.axvline(overall.estimate, color="#606060", linewidth=0.7, linestyle=(0, (4, 2)), zorder=1, gid="forest-overall")
    if log_scale:
        ticks = _log_ticks(*ax.get_xlim())
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_minor_locator(FixedLocator([]))
        ax.set_xticklabels([f"{t:g}" for t in ticks])
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(f"{measure_label} (95% CI)" + (", log scale" if log_scale else ""), labelpad=3)
    return fig


def _forest_row(fig, ax, i: int, y_fig: float, y: float, row: ForestRow, is_overall: bool,
                interaction_p: dict[str, float | None]) -> None:
    heading = row.group_heading and not is_overall
    label = row.label if len(row.label) <= FOREST_LABEL_CHARS else row.label[:FOREST_LABEL_CHARS - 1] + "\u2026"
    _forest_text(fig, _COLUMNS["label"] + (0 if heading or is_overall else 0.015), y_fig, label,
                 f"forest-label-{i}", bold=heading or is_overall)
    if heading:
        if row.label in interaction_p:
            _forest_text(fig, _COLUMNS["p"], y_fig, p_value(interaction_p[row.label]), f"forest-interaction-{i}", "right")
        return
    _forest_text(fig, _COLUMNS["n"], y_fig, MISSING if row.n is None else str(row.n), f"forest-n-{i}", "right")
    _forest_text(fig, _COLUMNS["events"], y_fig, MISSING if row.events is None else str(row.events),
                 f"forest-events-{i}", "right")
    _forest_text(fig, _COLUMNS["estimate"], y_fig, _estimate_text(row), f"forest-estimate-{i}")
    if row.estimate is None:
        return
    if row.ci_low is not None and row.ci_high is not None:
        ax.plot([row.ci_low, row.ci_high], [y, y], color=INK, linewidth=0.9, solid_capstyle="butt",
                zorder=3, gid=f"forest-ci-{i}", clip_on=True)
    ax.plot([row.estimate], [y], linestyle="none", marker="D" if is_overall else "s",
            markersize=6 if is_overall else 4.5, markerfacecolor=INK if not is_overall else "white",
            markeredgecolor=INK, markeredgewidth=0.9, zorder=4, gid=f"forest-point-{i}")


def forest_figure(rows, overall: ForestRow, measure_label: str, log_scale: bool,
                  interaction_p: dict[str, float | None]) -> str:
    """Subgroup forest plot: a row per subgroup level (headings bold, with their interaction p),
    n and events columns, the estimate with its CI, the null line (1 on a log scale, else 0)
    and the overall effect as a dashed reference line (SVG)."""
    return _render(_forest_figure, list(rows), overall, measure_label, log_scale, dict(interaction_p))


# --------------------------------------------------------------------------- #
# Swimmer plot
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class SwimmerMark:
    time: float
    kind: str  # one of MARK_KINDS


@dataclass(frozen=True)
class SwimmerLane:
    subject: str
    arm: str
    end: float
    ongoing: bool
    marks: tuple[SwimmerMark, ...] = ()


# Shapes that differ without colour; filled or open so that overlaps stay legible.
MARK_KINDS = {
    "response": {"marker": "^", "markerfacecolor": "white", "label": "Response"},
    "relapse": {"marker": "s", "markerfacecolor": "#808080", "label": "Relapse"},
    "progression": {"marker": "D", "markerfacecolor": "#808080", "label": "Progression"},
    "death": {"marker": "X", "markerfacecolor": INK, "label": "Death"},
}
SWIMMER_MAX_IN = 9.0
# Above this many patients a bar is under 1.5 pt wide: the bars are drawn as one image, a pixel
# column each (10,000 bars as objects took 10 s to draw and as long to render; one path per arm
# hid the arms drawn first under the last).
WATERFALL_BARS_APART = 300


def _lane_geometry(n: int) -> tuple[float, float]:
    """(figure height, lane pitch) in inches: 0.16 in a lane, less past 50 patients, page-high at most."""
    pitch = min(0.16, (SWIMMER_MAX_IN - 1.0) / max(n, 1))
    return 1.0 + pitch * max(n, 3), pitch


def _swimmer_figure(lanes: list[SwimmerLane], time_unit: str) -> Figure:
    if not lanes:
        return _message_figure("No patients", EMPTY_SIZE_IN)
    order = sorted(lanes, key=lambda lane: (-lane.end, lane.subject))
    height, pitch = _lane_geometry(len(order))
    pitch_pt = pitch * 72
    fig = Figure(figsize=(WIDTH_IN, height))
    labelled = pitch_pt >= 6
    ax = fig.add_axes((0.14 if labelled else 0.07, 0.75 / height, 0.83 if labelled else 0.9, (height - 1.0) / height))
    arms = list(dict.fromkeys(lane.arm for lane in lanes))
    colour = {arm: arm_style(i)["color"] if len(arms) > 1 else "#9e9e9e" for i, arm in enumerate(arms)}
    ys = list(range(len(order)))
    for i, (y, lane) in enumerate(zip(ys, order)):
        ax.barh(y, lane.end, height=0.7, color=colour[lane.arm], alpha=0.55 if len(arms) > 1 else 1,
                edgecolor="none", gid=f"swimmer-lane-{i}")
    longest = max(lane.end for lane in order) or 1.0
    size = max(2.5, min(5.5, pitch_pt * 0.7))
    for kind, style in MARK_KINDS.items():
        points = [(m.time, y) for y, lane in zip(ys, order) for m in lane.marks if m.kind == kind]
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], linestyle="none", markersize=size,
                    markeredgecolor=INK, markeredgewidth=0.6, marker=style["marker"],
                    markerfacecolor=style["markerfacecolor"], zorder=4, gid=f"swimmer-{kind}")
    ongoing = [(lane.end, y) for y, lane in zip(ys, order) if lane.ongoing]
    if ongoing:
        ax.plot([e + longest * 0.012 for e, _ in ongoing], [y for _, y in ongoing], linestyle="none",
                marker=">", markersize=size * 0.9, color=INK, zorder=4, gid="swimmer-ongoing")
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(0, longest * 1.05)
    if labelled:
        ax.set_yticks(ys, [lane.subject for lane in order], fontsize=max(4.5, min(7.5, pitch_pt * 0.75)))
        ax.tick_params(axis="y", length=0, pad=2)
    else:
        ax.set_yticks([])
        ax.set_ylabel(f"Patients (n = {len(order)}), longest on study at the top", labelpad=4)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel(f"Time on study ({time_unit})", labelpad=3)
    ax.grid(axis="x", color=GRID_GREY, linewidth=0.5)
    ax.set_axisbelow(True)
    _swimmer_legend(fig, ax, arms, colour, order, bool(ongoing))
    return fig


def _swimmer_legend(fig, ax, arms: list[str], colour: dict, lanes: list[SwimmerLane], ongoing: bool) -> None:
    kinds = {m.kind for lane in lanes for m in lane.marks}
    handles = [Line2D([], [], linestyle="none", markersize=5, markeredgecolor=INK, markeredgewidth=0.6,
                      marker=s["marker"], markerfacecolor=s["markerfacecolor"], label=s["label"])
               for k, s in MARK_KINDS.items() if k in kinds]
    if ongoing:
        handles.append(Line2D([], [], linestyle="none", marker=">", markersize=4.5, color=INK, label="Ongoing"))
    if len(arms) > 1:
        handles += [Patch(facecolor=colour[a], alpha=0.55, edgecolor="none", label=a) for a in arms]
    if handles:
        fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=min(len(handles), 7),
                   handlelength=1.4, columnspacing=1.2, borderaxespad=0.2)


def swimmer_figure(lanes, time_unit: str) -> str:
    """A bar per patient of time on study (longest on top), coloured by arm where there are arms,
    markers for response, relapse, progression and death, an arrow where follow-up continues (SVG)."""
    return _render(_swimmer_figure, list(lanes), time_unit)


# --------------------------------------------------------------------------- #
# Waterfall plot
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class WaterfallBar:
    subject: str
    arm: str
    change: float  # best percent change from baseline in the sum of target lesions


PARTIAL_RESPONSE, PROGRESSION = -30.0, 20.0  # RECIST 1.1 thresholds on the sum of diameters


def _waterfall_figure(bars: list[WaterfallBar]) -> Figure:
    if not bars:
        return _message_figure("No patients with a measured change", EMPTY_SIZE_IN)
    order = sorted(bars, key=lambda b: (-b.change, b.subject))
    arms = list(dict.fromkeys(b.arm for b in bars))
    colour = {arm: arm_style(i)["color"] if len(arms) > 1 else "#7a7a7a" for i, arm in enumerate(arms)}
    fig = Figure(figsize=(WIDTH_IN, 3.3), layout="constrained")
    ax = fig.add_subplot()
    bottom, top = _waterfall_limits(order)
    if len(order) <= WATERFALL_BARS_APART:
        width = 0.8 if len(order) <= 150 else 1.0
        for i, bar in enumerate(order):
            ax.bar(i, bar.change, width=width, color=colour[bar.arm], edgecolor="none", gid=f"waterfall-bar-{i}")
    else:
        ax.imshow(_bars_image(order, colour, bottom, top), extent=(-0.5, len(order) - 0.5, bottom, top),
                  aspect="auto", interpolation="antialiased", origin="lower", gid="waterfall-bars", zorder=2)
    ax.axhline(0, color=INK, linewidth=0.8)
    ax.set_ylim(bottom, top)
    ax.set_xlim(-1, len(order) + len(order) * 0.22 + 2)
    for y, text, gid in ((PARTIAL_RESPONSE, "\u221230%: partial response", "waterfall-ref-pr"),
                         (PROGRESSION, "+20%: progression", "waterfall-ref-pd")):
        ax.axhline(y, color="#404040", linewidth=0.7, linestyle=(0, (4, 2)), zorder=3, gid=gid)
        ax.annotate(text, (1.0, y), xycoords=("axes fraction", "data"), xytext=(-2, 2), textcoords="offset points",
                    ha="right", va="bottom", fontsize=7, color=INK, gid=f"{gid}-label",
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 2.5, 5, 10]))
    ax.set_ylabel("Best change in target lesions (%)")
    ax.set_xlabel(f"Patients (n = {len(order)}), ordered by best change", labelpad=4)
    ax.grid(axis="y", color=GRID_GREY, linewidth=0.5)
    ax.set_axisbelow(True)
    if len(arms) > 1:
        ax.legend(handles=[Patch(facecolor=colour[a], edgecolor="none", label=a) for a in arms],
                  loc="lower left", handlelength=1.2)
    return fig


def _waterfall_limits(order: list[WaterfallBar]) -> tuple[float, float]:
    return (min(-100.0, min(b.change for b in order) * 1.08), max(PROGRESSION + 15, max(b.change for b in order) * 1.08))


BARS_IMAGE_ROWS = 600  # the image's rows from the axis's bottom to its top: under half a point each


def _bars_image(order: list[WaterfallBar], colour: dict[str, str], bottom: float, top: float) -> np.ndarray:
    """The bars as an RGBA image, a pixel column per patient in order (transparent where no bar): the
    viewer averages the columns of a dense waterfall, so each arm shows as its share of the bars."""
    rows = (np.arange(BARS_IMAGE_ROWS) + 0.5) / BARS_IMAGE_ROWS * (top - bottom) + bottom  # row centres
    change = np.array([b.change for b in order])
    inside = ((rows[:, None] <= change) & (rows[:, None] >= 0)) | ((rows[:, None] >= change) & (rows[:, None] <= 0))
    rgba = np.array([[round(255 * c) for c in to_rgba(colour[b.arm])] for b in order], dtype=np.uint8)
    return np.where(inside[:, :, None], rgba[None, :, :], np.uint8(0))


def waterfall_figure(bars) -> str:
    """Best percent change per patient, bars sorted from largest increase to largest decrease,
    with the RECIST -30% (partial response) and +20% (progression) lines, coloured by arm (SVG)."""
    return _render(_waterfall_figure, list(bars))
