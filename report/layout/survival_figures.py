"""Kaplan-Meier figures, one curve or one per arm, as inline SVG (the helpers, style and
fonts: report.layout.figures; what arms share with cumulative incidence: figure_arms).
Only drawing: every number shown comes from the ledger.

Ids (matplotlib ``gid``): ``km-curve`` / ``km-curve-{i}``, ``km-ci-band``, ``censor-marks`` /
``censor-marks-{i}``, ``km-median`` / ``km-median-{i}`` (the drop line at the median) and
``km-median-h`` (the line at 50%), ``landmark-{i}``, ``risk-table-{time}`` /
``risk-table-{i}-{time}`` ('23 (4)': at risk, cumulative events), ``hr-table``, ``arm-key``."""
from __future__ import annotations

import math
from typing import Iterable

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator

from .figure_arms import (ARM_STYLES, CENSOR_TICK, arm_labels, arm_style, censor_gap, draw_censor_ticks, draw_key,
                          draw_risk_rows, free_corner, key_height_in, risk_cells, risk_font_size, risk_margin,
                          table_box, thinned_censor_points)
from .figures import (BAND_GREY, EMPTY_SIZE_IN, GRID_GREY, INK, KM_SIZE_IN, _as_float, _ci_legend_text,
                      _message_figure, _number_text, _render, percent_label)
from .formatting import DASH, MISSING, confidence_label, number
from .wording import p_value

__all__ = ["km_figure", "km_arms_figure", "ARM_STYLES", "hazard_rows"]

RISK_HEADING = "No. at risk (cumulative events)"
ONE_GROUP = "All patients"  # the risk-table row of a figure of one group, unless named
GUIDE = {"linestyle": (0, (1, 1.5)), "linewidth": 0.7}
PLOT_IN, AXIS_TEXT_IN, ROW_IN = 2.75, 0.5, 0.16


# --------------------------------------------------------------------------- #
# Pieces
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


def _points(curve: list[dict]) -> tuple[list[float], list[float]]:
    return [float(r["time"]) for r in curve], [_as_float(r.get("survival")) for r in curve]


def _draw_band(ax, curve: list[dict]) -> None:
    xs, lo, hi = _step_band([float(r["time"]) for r in curve], [_as_float(r.get("ci_low")) for r in curve],
                            [_as_float(r.get("ci_high")) for r in curve])
    ax.fill_between(xs, lo, hi, facecolor=BAND_GREY, edgecolor="none", linewidth=0, gid="km-ci-band", zorder=1)


def _median(block: dict) -> float | None:
    estimate = (block.get("median") or {}).get("estimate")
    return None if estimate is None else float(estimate)


def _draw_medians(ax, medians: list[tuple[int, float | None, str]]) -> None:
    """Dotted lines at 50% from 0 to the latest median, and down from 50% at each median
    reached. medians: (index or -1 for the one curve, median, colour)."""
    reached = [(i, m, c) for i, m, c in medians if m is not None]
    if not reached:
        return
    ax.plot([0, max(m for _, m, _ in reached)], [0.5, 0.5], color="#606060", zorder=2, gid="km-median-h", **GUIDE)
    for i, m, colour in reached:
        ax.plot([m, m], [0, 0.5], color=colour, zorder=2, gid="km-median" if i < 0 else f"km-median-{i}", **GUIDE)


def _median_guides(ax) -> list[tuple[list[float], list[float]]]:
    """The median lines drawn, as obstacles for boxes placed on the plot."""
    return [tuple(map(list, line.get_data())) for line in ax.lines if (line.get_gid() or "").startswith("km-median")]


def _draw_landmarks(ax, landmarks: Iterable[dict]) -> None:
    for i, lm in enumerate(landmarks):
        t, s = float(lm["time"]), float(lm["survival"])
        ax.plot([t, t], [0, s], color="#606060", zorder=2, gid=f"landmark-guide-{i}", **GUIDE)
        ax.plot([t], [s], linestyle="none", marker="o", markersize=4.2, markerfacecolor="white",
                markeredgecolor=INK, markeredgewidth=0.9, zorder=5, gid=f"landmark-{i}")
        low = s < 0.12  # below-left is free of the curve, except near the x axis
        ax.annotate(percent_label(s), (t, s), xytext=(3, 3) if low else (-3, -3), textcoords="offset points",
                    ha="left" if low else "right", va="bottom" if low else "top", fontsize=7.5, color=INK,
                    zorder=6, gid=f"landmark-label-{i}")


def _x_max(curves: list[list[dict]], risk_table: list[dict]) -> float:
    ends = [float(c[-1]["time"]) for c in curves] + [float(r["time"]) for r in risk_table]
    return max(ends) or 1.0


def _style_axes(ax, risk_table: list[dict], x_max: float, time_label: str) -> None:
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


def _layout(labels: list[str], first_cells: list[str], key: tuple[str, ...], width_in: float = KM_SIZE_IN[0]):
    """A figure with the plot over the risk table (its heading, then a row per label, whose first
    numbers are `first_cells`) over the key; the plot starts right of the widest row label."""
    key_in = key_height_in(key)
    risk_in = ROW_IN * (len(labels) + 1)
    total = PLOT_IN + AXIS_TEXT_IN + risk_in + key_in + 0.12
    fig = Figure(figsize=(width_in, total))
    FigureCanvasAgg(fig)  # a renderer to measure text and boxes with
    left = risk_margin(fig, labels, first_cells)
    ax = fig.add_axes((left, (risk_in + key_in + AXIS_TEXT_IN) / total, 0.975 - left, PLOT_IN / total))
    ax_risk = fig.add_axes((left, key_in / total, 0.975 - left, risk_in / total), sharex=ax)
    return fig, ax, ax_risk, key_in


# --------------------------------------------------------------------------- #
# One curve
# --------------------------------------------------------------------------- #
def _km_legend(ax, label: str, ci_text: str, has_censor: bool, has_landmarks: bool, has_median: bool):
    handles = [Line2D([], [], color=INK, linewidth=1.3, label=label),
               Patch(facecolor=BAND_GREY, edgecolor="none", label=ci_text)]
    if has_censor:
        handles.append(Line2D([], [], color=INK, linestyle="none", label="Censored", **CENSOR_TICK))
    if has_landmarks:
        handles.append(Line2D([], [], color=INK, linestyle="none", marker="o", markersize=4.2,
                              markerfacecolor="white", markeredgewidth=0.9, label="Landmark estimate"))
    if has_median:
        handles.append(Line2D([], [], color="#606060", label="Median", **GUIDE))
    return ax.legend(handles=handles, loc="upper right", handlelength=1.8, borderaxespad=0.3, labelspacing=0.35)


def _km_figure(block: dict, label: str, time_label: str, row_label: str) -> Figure:
    curve = block.get("curve") or []
    if len(curve) < 2 or not block.get("n"):
        return _message_figure("No data", EMPTY_SIZE_IN, title=label)
    risk_table = block.get("risk_table") or []
    landmarks = [lm for lm in block.get("landmarks") or []
                 if lm.get("time") is not None and lm.get("survival") is not None]
    cells = risk_cells(curve, risk_table)
    fig, ax, ax_risk, _ = _layout([row_label], [text for _, text in cells[:1]], ())
    x_max = _x_max([curve], risk_table)
    _draw_band(ax, curve)
    ax.step(*_points(curve), where="post", color=INK, linewidth=1.3, solid_joinstyle="miter", gid="km-curve", zorder=3)
    xs, ys = thinned_censor_points(curve, "survival", censor_gap(ax, x_max * 1.02))
    draw_censor_ticks(ax, xs, ys, INK, "censor-marks")
    _draw_medians(ax, [(-1, _median(block), "#606060")])
    _draw_landmarks(ax, landmarks)
    _style_axes(ax, risk_table, x_max, time_label)
    draw_risk_rows(ax_risk, [(row_label, {"color": INK}, cells)], RISK_HEADING,
                   risk_font_size([cells], x_max * 1.02, ax.get_position().width * fig.get_figwidth()))
    for t, _ in cells:  # the single row's cells are named by time alone
        for text in ax_risk.texts:
            if text.get_gid() == f"risk-table-0-{_number_text(t)}":
                text.set_gid(f"risk-table-{_number_text(t)}")
    legend = _km_legend(ax, label, _ci_legend_text(block.get("confidence"), block.get("conf_type")),
                        bool(xs), bool(landmarks), _median(block) is not None)
    free_corner(ax, legend, [_points(curve)] + _median_guides(ax), [], ("upper right", "lower left", "lower right", "center right"))
    return fig


def km_figure(block: dict, *, label: str, time_label: str, row_label: str = ONE_GROUP) -> str:
    """Kaplan-Meier plot with CI band, censor marks, the median, landmarks and risk table, whose
    one row is named `row_label` (the population: 'Efficacy population') (SVG)."""
    return _render(_km_figure, block, label, time_label, row_label)


# --------------------------------------------------------------------------- #
# One curve per arm
# --------------------------------------------------------------------------- #
def hazard_rows(comparison: dict | None, short: dict[str, str]) -> tuple[str, list[tuple[str, str, str]]]:
    """The on-plot table: its HR header ('HR (95% CI)') and per compared arm
    ('B vs A', '1.12 (0.82–1.52)', '0.478'), from the ledger's comparisons.<endpoint>."""
    ratios = (comparison or {}).get("hazard_ratios") or []
    level = next((confidence_label(float(h["confidence"])) for h in ratios if h.get("confidence")), "95%")
    rows = []
    for h in ratios:
        if h["arm"] not in short or h["reference"] not in short:
            continue
        hr = h.get("hazard_ratio")
        text = MISSING if hr is None else f"{number(hr, 2)} ({number(h.get('ci_low'), 2)}{DASH}{number(h.get('ci_high'), 2)})"
        rows.append((f"{short[h['arm']]} vs {short[h['reference']]}", text, p_value(h.get("p_value"))))
    return f"HR ({level} CI)", rows


def _draw_arm(ax, curve: list[dict], i: int, span: float) -> None:
    style = arm_style(i)
    ax.step(*_points(curve), where="post", linewidth=1.3, gid=f"km-curve-{i}", zorder=3, **style)
    xs, ys = thinned_censor_points(curve, "survival", censor_gap(ax, span))
    draw_censor_ticks(ax, xs, ys, style["color"], f"censor-marks-{i}")


def _arms_legend(ax, title: str, names: list[tuple[int, str]]):
    handles = [Line2D([], [], linewidth=1.3, label=name, **arm_style(i)) for i, name in names]
    handles.append(Line2D([], [], color="#606060", linestyle="none", label="Censored", **CENSOR_TICK))
    return ax.legend(handles=handles, loc="upper right", handlelength=2.8, borderaxespad=0.3, labelspacing=0.35,
                     title=title, title_fontsize=8, alignment="left")


def _km_arms_figure(blocks: dict[str, dict], label: str, time_label: str, comparison: dict | None) -> Figure:
    drawn = {arm: b for arm, b in blocks.items() if len(b.get("curve") or []) >= 2 and b.get("n")}
    if not drawn:
        return _message_figure("No data", EMPTY_SIZE_IN, title=label)
    names = arm_labels(list(blocks))
    rows = [(names.short[arm], arm_style(i), risk_cells(b.get("curve") or [], b.get("risk_table") or []))
            for i, (arm, b) in enumerate(blocks.items())]
    fig, ax, ax_risk, key_in = _layout([r[0] for r in rows], [r[2][0][1] for r in rows if r[2]], names.key)
    risk_table = next(iter(drawn.values())).get("risk_table") or []
    x_max = max(_x_max([b["curve"]], risk_table) for b in drawn.values())
    span = x_max * 1.02
    index = {arm: i for i, arm in enumerate(blocks)}
    for arm, block in drawn.items():
        _draw_arm(ax, block["curve"], index[arm], span)
    _draw_medians(ax, [(index[a], _median(b), arm_style(index[a])["color"]) for a, b in drawn.items()])
    _style_axes(ax, risk_table, x_max, time_label)
    font = risk_font_size([r[2] for r in rows], span, ax.get_position().width * fig.get_figwidth())
    draw_risk_rows(ax_risk, rows, RISK_HEADING, font)
    draw_key(fig, names.key, 0.04)
    curves = [_points(b["curve"]) for b in drawn.values()] + _median_guides(ax)
    taken: list = []
    free_corner(ax, _arms_legend(ax, label, [(index[a], names.short[a]) for a in blocks]), curves, taken,
                ("upper right", "lower left", "lower right", "center right"))
    header, hr_rows = hazard_rows(comparison, names.code)
    if len(blocks) >= 2 and hr_rows:
        box = table_box(("", header, "p (Wald)"), hr_rows, "hr-table")
        ax.add_artist(box)
        free_corner(ax, box, curves, taken, ("lower left", "lower right", "upper right", "center left", "center right"))
    return fig


def km_arms_figure(blocks: dict[str, dict], *, label: str, time_label: str, comparison: dict | None = None) -> str:
    """Kaplan-Meier curves, one per arm (colour and line style), censor ticks, medians, a risk-table
    row per arm and, from `comparison` (the ledger's comparisons.<endpoint>), a table of each arm's
    hazard ratio against the reference (SVG).

    `blocks` maps arm name to its survival block, in report order (the reference first);
    the arms share the risk table's times.
    """
    return _render(_km_arms_figure, blocks, label, time_label, comparison)
