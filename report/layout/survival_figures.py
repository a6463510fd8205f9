"""Kaplan-Meier figures, one curve or one per arm, as inline SVG (the helpers, style and
fonts: report.layout.figures). Only drawing: every number shown comes from the ledger."""
from __future__ import annotations

import math
from typing import Iterable

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator
from matplotlib.transforms import blended_transform_factory

from .figures import (BAND_GREY, CENSOR_MARK_RESOLUTION, EMPTY_SIZE_IN, GRID_GREY, INK, KM_SIZE_IN, _as_float,
                      _ci_legend_text, _message_figure, _number_text, _render, percent_label)

__all__ = ["km_figure", "km_arms_figure", "ARM_STYLES"]


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
