"""Cumulative incidence figures (competing risks), one group or one per arm, as inline SVG.

Per group, the input is the dict form (dataclasses.asdict) of
report.stats.competing_risks.CumulativeIncidence: n, events, competing_events, conf_type,
confidence, curve (time, n_at_risk, events, competing, censored, estimate, ci_low, ci_high,
competing_estimate) and landmarks. The event of interest is drawn solid, the competing event
dashed in the same colour, both rising from 0; arms differ by colour and are named at the
curves' ends (so the figure reads in grayscale). Only drawing: every number comes from the input.

Ids: ``cif-event-{i}``, ``cif-competing-{i}``, ``cif-ci-band`` (one group), ``cif-end-{i}`` /
``cif-end-competing-{i}`` (end labels), ``risk-table-{i}-{time}`` ('23 (4)': at risk, cumulative
events of interest), ``gray-test``, ``arm-key``."""
from __future__ import annotations

import math

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, MaxNLocator

from .figure_arms import arm_labels, arm_style, draw_key, draw_risk_rows, free_corner, risk_font_size, table_box
from .figures import BAND_GREY, EMPTY_SIZE_IN, GRID_GREY, INK, _as_float, _ci_legend_text, _message_figure, \
    _number_text, _render
from .survival_figures import ONE_GROUP, _layout, _step_band
from .wording import p_value

__all__ = ["cumulative_incidence_figure", "at_risk", "incidence_risk_cells"]

COMPETING_DASH = (0, (4, 2))
# With arms, a marker shape per arm every eighth of the time axis: filled on the event's curve,
# open on the competing event's, so arms stay apart in grayscale where the curves cross.
ARM_MARKERS = ("o", "s", "^", "D", "v", "P")
MARKS_PER_CURVE = 8
END_GAP_PT = 8.5  # end labels at least this far apart vertically


def _points(curve: list[dict], field: str) -> tuple[list[float], list[float]]:
    """The step curve of `field`, starting at (0, 0) when the input starts later."""
    xs, ys = [float(r["time"]) for r in curve], [_as_float(r.get(field)) for r in curve]
    if not xs or xs[0] > 0:
        xs, ys = [0.0] + xs, [0.0] + ys
    return xs, ys


def at_risk(curve: list[dict], t: float) -> int:
    """Patients at risk at time t, as R's summary(fit, times = t): those of the first curve
    time at or after t; after the last time, those left once its patients leave."""
    rows = sorted(curve, key=lambda r: float(r["time"]))
    for r in rows:
        if float(r["time"]) >= t:
            return int(r["n_at_risk"])
    if not rows:
        return 0
    last = rows[-1]
    left = int(last["n_at_risk"]) - sum(int(last.get(k) or 0) for k in ("events", "competing", "censored"))
    return max(left, 0)


def incidence_risk_cells(curve: list[dict], times: list[float]) -> list[tuple[float, str]]:
    """(time, '23 (4)') per time: at risk, events of interest up to and including the time."""
    cells = []
    for t in times:
        events = sum(int(r.get("events") or 0) for r in curve if float(r["time"]) <= t)
        cells.append((t, f"{at_risk(curve, t)} ({events})"))
    return cells


def _risk_times(groups: dict[str, dict], risk_times: list[float] | None) -> list[float]:
    if risk_times is not None:
        return [float(t) for t in risk_times]
    last = max((float(r["time"]) for g in groups.values() for r in g.get("curve") or []), default=1.0) or 1.0
    ticks = MaxNLocator(nbins=7, steps=[1, 2, 3, 5, 6, 10]).tick_values(0, last)
    return [float(t) for t in ticks if 0 <= t <= last]


def _y_top(groups: dict[str, dict]) -> float:
    """1 where an estimate passes 0.6; else the next tenth above the highest (at least 0.2)."""
    values = [_as_float(r.get(f)) for g in groups.values() for r in g.get("curve") or []
              for f in ("estimate", "competing_estimate", "ci_high")]
    top = max((v for v in values if not math.isnan(v)), default=0.0)
    return 1.0 if top > 0.6 else max(0.2, math.ceil((top + 0.05) * 10) / 10)


def _step_value(xs: list[float], ys: list[float], x: float) -> float:
    """The post-step curve's value at x."""
    value = ys[0]
    for t, y in zip(xs, ys):
        if t > x:
            break
        value = y
    return value


def _draw_arm_marks(ax, xs: list[float], ys: list[float], i: int, colour: str, filled: bool, gid: str) -> None:
    """Markers at evenly spaced times (shifted per arm so arms' marks do not coincide), within the curve."""
    span = ax.get_xlim()[1]
    times = [span * (k + 0.3 + 0.13 * (i % 5)) / MARKS_PER_CURVE for k in range(MARKS_PER_CURVE)]
    times = [t for t in times if t <= xs[-1]]
    ax.plot(times, [_step_value(xs, ys, t) for t in times], linestyle="none", marker=ARM_MARKERS[i % len(ARM_MARKERS)],
            markersize=3.6, markeredgewidth=0.8, markeredgecolor=colour, markerfacecolor=colour if filled else "white",
            zorder=5, gid=gid)


def _end_labels(ax, ends: list[tuple[float, str, str, str]]) -> list:
    """Arm codes just right of the axes at each curve's last height, pushed apart so none touch.
    ends: (y, text, colour, gid). Returns the labels drawn."""
    to_pt = 72 / ax.figure.dpi
    placed: list[float] = []
    drawn = []
    for y, text, colour, gid in sorted(ends):
        y_pt = ax.transData.transform((0, y))[1] * to_pt
        if placed and y_pt - placed[-1] < END_GAP_PT:
            y_pt = placed[-1] + END_GAP_PT
        placed.append(y_pt)
        y_data = ax.transData.inverted().transform((0, y_pt / to_pt))[1]
        drawn.append(ax.annotate(text, (1.0, y_data), xycoords=("axes fraction", "data"), xytext=(3, 0),
                                 textcoords="offset points", ha="left", va="center", fontsize=7.5, color=colour,
                                 fontweight="bold", annotation_clip=False, gid=gid))
    return drawn


def _fit_right(fig, axes: list, labels: list) -> None:
    """Narrow `axes` (the plot and its risk table, which share the x axis) where `labels` right
    of the plot would run past the figure's edge (an arm's name, where arms are not lettered)."""
    renderer = fig.canvas.get_renderer()
    overflow = max(label.get_window_extent(renderer).x1 for label in labels) - fig.bbox.x1 + 2
    if overflow <= 0:
        return
    for axis in axes:
        x0, y0, width, height = axis.get_position().bounds
        axis.set_position((x0, y0, width - overflow / fig.bbox.width, height))


def _legend(ax, event_label: str, competing_label: str, band: str | None, arms: list[tuple[int, str, str]]):
    handles = [Line2D([], [], color=colour, linestyle="none", marker=ARM_MARKERS[i % len(ARM_MARKERS)],
                      markersize=3.6, label=name) for i, name, colour in arms]
    handles += [Line2D([], [], color=INK, linewidth=1.3, label=event_label),
               Line2D([], [], color=INK, linewidth=1.1, linestyle=COMPETING_DASH, label=competing_label)]
    if band:
        handles.append(Patch(facecolor=BAND_GREY, edgecolor="none", label=band))
    return ax.legend(handles=handles, loc="upper left", handlelength=2.6, borderaxespad=0.3, labelspacing=0.35,
                     ncol=2 if arms else 1, columnspacing=1.4)


def _style_axes(ax, times: list[float], top: float, time_label: str) -> None:
    ax.set_xlim(0, max(times + [1e-9]) * 1.02 or 1)
    ax.set_ylim(0, top * 1.02)
    ax.yaxis.set_major_locator(FixedLocator([k / 10 for k in range(0, int(round(top * 10)) + 1,
                                                                   2 if top > 0.5 else 1)]))
    ax.xaxis.set_major_locator(FixedLocator(times))
    ax.set_xticklabels([_number_text(t) for t in times])
    ax.set_xlabel(time_label, labelpad=3)
    ax.set_ylabel("Cumulative incidence", labelpad=4)
    ax.grid(axis="y", color=GRID_GREY, linewidth=0.5, zorder=0)
    ax.set_axisbelow(True)


def _cif_figure(curves: dict[str, dict], event_label: str, competing_label: str, time_label: str,
                risk_times: list[float] | None, gray_p: float | None, row_label: str) -> Figure:
    drawn = {g: c for g, c in curves.items() if len(c.get("curve") or []) >= 1 and c.get("n")}
    if not drawn:
        return _message_figure("No data", EMPTY_SIZE_IN, title=event_label)
    names = arm_labels(list(curves))
    several = len(curves) > 1
    times = _risk_times(drawn, risk_times)
    cells = [incidence_risk_cells(c.get("curve") or [], times) for c in curves.values()]
    labels = [names.short[g] for g in curves] if several else [row_label]
    fig, ax, ax_risk, _ = _layout(labels, [row[0][1] for row in cells if row], names.key)
    last = max([float(r["time"]) for c in drawn.values() for r in c["curve"]] + times)
    _style_axes(ax, times + [last], _y_top(drawn), time_label)
    ax.set_xticks(times, [_number_text(t) for t in times])
    index = {g: i for i, g in enumerate(curves)}
    lines, ends = [], []
    for group, c in drawn.items():
        i, colour = index[group], (arm_style(index[group])["color"] if several else INK)
        if not several:
            xs, lo, hi = _step_band([float(r["time"]) for r in c["curve"]], [_as_float(r.get("ci_low")) for r in c["curve"]],
                                    [_as_float(r.get("ci_high")) for r in c["curve"]])
            ax.fill_between(xs, lo, hi, facecolor=BAND_GREY, edgecolor="none", linewidth=0, gid="cif-ci-band", zorder=1)
        for field, style, width, gid in (("estimate", "-", 1.3, "cif-event"),
                                         ("competing_estimate", COMPETING_DASH, 1.1, "cif-competing")):
            xs, ys = _points(c["curve"], field)
            ax.step(xs, ys, where="post", color=colour, linestyle=style, linewidth=width, gid=f"{gid}-{i}", zorder=3)
            lines.append((xs, ys))
            if several:
                _draw_arm_marks(ax, xs, ys, i, colour, field == "estimate", f"{gid}-marks-{i}")
                ends.append((ys[-1], names.code[group], colour, f"{gid.replace('cif-', 'cif-end-')}-{i}"))
    if several:
        _fit_right(fig, [ax, ax_risk], _end_labels(ax, ends))
    rows = [(labels[i], arm_style(i) if several else {"color": INK}, cells[i]) for i in range(len(curves))]
    width_in = ax.get_position().width * fig.get_figwidth()
    draw_risk_rows(ax_risk, rows, f"No. at risk (cumulative {event_label.lower()})",
                   risk_font_size(cells, ax.get_xlim()[1], width_in))
    draw_key(fig, names.key, 0.04)
    first = next(iter(drawn.values()))
    band = None if several else _ci_legend_text(first.get("confidence"), first.get("conf_type"))
    taken: list = []
    arms = [(i, names.short[g], arm_style(i)["color"]) for i, g in enumerate(curves)] if several else []
    free_corner(ax, _legend(ax, event_label, competing_label, band, arms), lines, taken,
                ("upper left", "center left", "upper right", "lower right"))
    if several and gray_p is not None:
        box = table_box(("Gray's test", "p"), [(f"{event_label}", p_value(gray_p))], "gray-test")
        ax.add_artist(box)
        free_corner(ax, box, lines, taken, ("upper left", "center left", "upper right", "lower right"))
    return fig


def cumulative_incidence_figure(curves: dict[str, dict], *, event_label: str, competing_label: str,
                                time_label: str, risk_times: list[float] | None = None,
                                gray_p: float | None = None, row_label: str = ONE_GROUP) -> str:
    """Cumulative incidence of the event (solid) and of the competing event (dashed, same colour),
    per group in `curves` (arm name -> asdict(CumulativeIncidence), the reference first; one entry
    for a single group, drawn with its confidence band), with a risk table of patients at risk and
    cumulative events at `risk_times` (default: the x ticks), a row per arm or, for one group, one
    row named `row_label` (its population: 'Responders'), and Gray's test p where given (SVG)."""
    return _render(_cif_figure, curves, event_label, competing_label, time_label, risk_times, gray_p, row_label)
