"""What the Kaplan-Meier and cumulative incidence figures share when they show arms: the
colour-blind-safe palette with a line style per arm, arm labels abbreviated with a key,
the risk table (patients at risk and cumulative events), thinned censor marks, and
placing a box (legend, hazard-ratio table) where no curve runs. Only drawing."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.offsetbox import AnchoredOffsetbox, HPacker, TextArea, VPacker
from matplotlib.transforms import blended_transform_factory

from .figures import INK, _number_text

# Okabe-Ito, the colour-blind-safe palette (Okabe & Ito 2008), in an order whose greys
# differ; each arm also has its own dash pattern, so the figure reads in grayscale.
# The reference arm is solid black. Yellow is left out: it vanishes on white paper.
ARM_STYLES = (
    {"color": "#000000", "linestyle": "-"},
    {"color": "#0072B2", "linestyle": (0, (5, 2))},
    {"color": "#D55E00", "linestyle": (0, (1, 1.2))},
    {"color": "#009E73", "linestyle": (0, (6, 1.5, 1, 1.5))},
    {"color": "#CC79A7", "linestyle": (0, (2.5, 1.5))},
    {"color": "#E69F00", "linestyle": (0, (8, 1.5, 1, 1.5, 1, 1.5))},
)
MAX_LABEL_CHARS = 16  # longer arm labels are abbreviated in the figure and spelled out in a key
MIN_CENSOR_GAP_PT = 5.0  # censor ticks of one curve: at least this far apart on the page (points)
CENSOR_TICK = {"marker": "|", "markersize": 3.5, "markeredgewidth": 0.6}  # thin, so ticks 5 pt apart stay apart
RISK_FONT = 7.5
RISK_LABEL_X = 0.012  # the risk table's heading and row labels start here (fraction of the figure's width)
RISK_LABEL_GAP_PT = 6.0  # at least this much space between a row's label and its first number
_PREFIX = re.compile(r"^([A-Za-z0-9]{1,3})\s*[:.)]\s+\S")


def arm_style(i: int) -> dict:
    return ARM_STYLES[i % len(ARM_STYLES)]


@dataclass(frozen=True)
class ArmLabels:
    """How arms are named in a figure: `short` by arm (legend, risk table), `code` by arm (the
    hazard-ratio table's 'B vs A'), and the key lines ('' when not abbreviated)."""
    short: dict[str, str]
    code: dict[str, str]
    key: tuple[str, ...]


def arm_labels(arms: list[str]) -> ArmLabels:
    """The arms' own names when all are short; else 'A', 'B', ... (or the prefix the arm names
    already carry, as 'A' of 'A: Drug X') and a key line per arm, 'A: Blinatumomab then POMP'."""
    prefixes = [_PREFIX.match(a) for a in arms]
    prefixed = all(prefixes) and len({m.group(1) for m in prefixes}) == len(arms)
    codes = [m.group(1) for m in prefixes] if prefixed else [_letters(i) for i in range(len(arms))]
    if all(len(a) <= MAX_LABEL_CHARS for a in arms):
        return ArmLabels({a: a for a in arms}, dict(zip(arms, codes if prefixed else arms)), ())
    key = tuple(arms) if prefixed else tuple(f"{c}: {a}" for c, a in zip(codes, arms))
    return ArmLabels(dict(zip(arms, codes)), dict(zip(arms, codes)), key)


def _letters(i: int) -> str:
    """'A'..'Z', then 'AA', 'AB', ..."""
    return chr(65 + i) if i < 26 else _letters(i // 26 - 1) + chr(65 + i % 26)


# --------------------------------------------------------------------------- #
# Risk table: at risk (cumulative events)
# --------------------------------------------------------------------------- #
def cumulative_events(curve: list[dict], times: list[float], field: str = "events") -> list[int]:
    """Events up to and including each time (R's summary(fit, times) summed), from the curve."""
    rows = sorted((float(r["time"]), int(r.get(field) or 0)) for r in curve)
    out = []
    for t in times:
        out.append(sum(d for time, d in rows if time <= t))
    return out


def risk_cells(curve: list[dict], risk_table: list[dict]) -> list[tuple[float, str]]:
    """(time, '23 (4)') per risk-table time: patients at risk, events so far."""
    times = [float(r["time"]) for r in risk_table]
    events = cumulative_events(curve, times)
    return [(t, f"{_number_text(r['n_at_risk'])} ({e})") for t, r, e in zip(times, risk_table, events)]


def risk_font_size(cells: list[list[tuple[float, str]]], span: float, width_in: float) -> float:
    """7.5 pt, smaller (to 6) where the widest cell would reach its neighbour."""
    times = sorted({t for row in cells for t, _ in row})
    gaps = [b - a for a, b in zip(times, times[1:])]
    if not gaps or span <= 0:
        return RISK_FONT
    room_pt = min(gaps) / span * width_in * 72 * 0.92
    widest = max(len(text) for row in cells for _, text in row)
    return max(6.0, min(RISK_FONT, room_pt / (0.52 * widest)))


def risk_margin(fig, labels: list[str], first_cells: list[str], least: float = 0.115) -> float:
    """The plot's left edge (fraction of the figure's width) that leaves room, left of the first
    time's numbers (centred under the axis' origin), for the widest row label and a gap: at least
    `least` (the y axis' own labels). Measured in the report's font at the risk table's largest size."""
    renderer = fig.canvas.get_renderer()
    to_pt = 72 / fig.dpi

    def width(text: str, bold: bool) -> float:
        if not text:
            return 0.0
        prop = FontProperties(size=RISK_FONT, weight="bold" if bold else "normal")
        return renderer.get_text_width_height_descent(text, prop, ismath=False)[0] * to_pt

    figure_pt = fig.get_figwidth() * 72
    label = max((width(s, True) for s in labels), default=0.0)
    half_cell = max((width(s, False) for s in first_cells), default=0.0) / 2
    needed = RISK_LABEL_X * figure_pt + label + RISK_LABEL_GAP_PT + half_cell if label else 0.0
    return max(least, needed / figure_pt)


def draw_risk_rows(ax_risk, rows: list[tuple[str, dict, list[tuple[float, str]]]], heading: str,
                   font: float) -> None:
    """The heading, then per row its label at the figure's left margin (in the row's colour)
    and the cells under the x ticks: a table whose rows are named (an arm, or the one group).
    rows: (label, style, cells)."""
    ax_risk.set_axis_off()
    ax_risk.set_ylim(0, len(rows) + 1)
    margin = blended_transform_factory(ax_risk.figure.transFigure, ax_risk.transData)
    ax_risk.text(RISK_LABEL_X, len(rows) + 0.5, heading, transform=margin, ha="left", va="center",
                 fontsize=8, fontweight="bold", color=INK, clip_on=False, gid="risk-table-label")
    for i, (label, style, cells) in enumerate(rows):
        y = len(rows) - i - 0.5
        ax_risk.text(RISK_LABEL_X, y, label, transform=margin, ha="left", va="center", fontsize=font,
                     color=style["color"], fontweight="bold", clip_on=False, gid=f"risk-table-arm-{i}")
        for t, text in cells:
            ax_risk.text(t, y, text, ha="center", va="center", fontsize=font, color=INK,
                         clip_on=False, gid=f"risk-table-{i}-{_number_text(t)}")


def draw_key(fig, key: tuple[str, ...], bottom_in: float) -> None:
    """The abbreviations' key under the risk table, one line per arm."""
    if not key:
        return
    height = fig.get_figheight()
    fig.text(0.012, bottom_in / height, "\n".join(key), ha="left", va="bottom", fontsize=7.5,
             color=INK, linespacing=1.3, gid="arm-key")


def key_height_in(key: tuple[str, ...]) -> float:
    return 0.0 if not key else 0.08 + 0.145 * len(key)


# --------------------------------------------------------------------------- #
# Censor marks
# --------------------------------------------------------------------------- #
def censor_gap(ax, span: float) -> float:
    """MIN_CENSOR_GAP_PT in the units of the x axis of `ax`, which spans `span` (the axes placed)."""
    width_pt = ax.get_position().width * ax.figure.get_figwidth() * 72
    return span * MIN_CENSOR_GAP_PT / width_pt


def thinned_censor_points(curve: list[dict], value: str, gap: float) -> tuple[list[float], list[float]]:
    """One tick per censored time, except that a tick nearer than `gap` (x units: censor_gap)
    to the last one kept is left out: dense censoring stays a row of ticks, never a bar."""
    xs, ys = [], []
    for r in curve:
        if (r.get("censored") or 0) <= 0 or r.get(value) is None:
            continue
        x = float(r["time"])
        if not xs or x - xs[-1] >= gap:
            xs.append(x)
            ys.append(float(r[value]))
    return xs, ys


def draw_censor_ticks(ax, xs: list[float], ys: list[float], color: str, gid: str) -> None:
    ax.plot(xs, ys, linestyle="none", color=color, gid=gid, zorder=4, clip_on=False, **CENSOR_TICK)


# --------------------------------------------------------------------------- #
# Boxes on the plot where no curve runs
# --------------------------------------------------------------------------- #
CORNERS = ("lower left", "upper right", "lower right", "upper left", "center right", "center left")


def free_corner(ax, box, curves: list[tuple[list[float], list[float]]], taken: list,
                corners: tuple[str, ...] = CORNERS) -> str:
    """The first of `corners` where `box` (an artist with set_loc / loc) covers the fewest
    curve points and no box already placed (`taken`: display bboxes)."""
    renderer = ax.figure.canvas.get_renderer()
    dense = np.concatenate([_dense(xs, ys, ax) for xs, ys in curves]) if curves else np.empty((0, 2))
    points = ax.transData.transform(dense) if len(dense) else np.empty((0, 2))
    best, best_score = corners[0], math.inf
    for corner in corners:
        _set_loc(box, corner)
        bbox = box.get_window_extent(renderer).padded(5)
        inside = ((points[:, 0] >= bbox.x0) & (points[:, 0] <= bbox.x1)
                  & (points[:, 1] >= bbox.y0) & (points[:, 1] <= bbox.y1))
        score = int(inside.sum()) + 1000 * sum(bbox.overlaps(t) for t in taken)
        if score < best_score:
            best, best_score = corner, score
        if score == 0:
            break
    _set_loc(box, best)
    taken.append(box.get_window_extent(renderer))
    return best


def _set_loc(box, corner: str) -> None:
    if hasattr(box, "set_loc"):
        box.set_loc(corner)
    else:
        box.loc = AnchoredOffsetbox.codes[corner]


def _dense(xs: list[float], ys: list[float], ax) -> np.ndarray:
    """Points along a post-step curve, close enough that no box slips between them: each
    shown point, its run towards the next every 1/200 of the x-axis, and its step to it."""
    x0, x1 = ax.get_xlim()
    step = (x1 - x0) / 200
    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    nxt = np.append(x[1:], x[-1:])
    after = np.append(y[1:], np.nan)  # the next point's y, NaN past the last
    shown = ~np.isnan(y)
    x, y, nxt, after = x[shown], y[shown], nxt[shown], after[shown]
    return np.concatenate([np.column_stack([x, y]), _runs(x, y, nxt, step), _steps(y, nxt, after)])


def _runs(x: np.ndarray, y: np.ndarray, nxt: np.ndarray, step: float) -> np.ndarray:
    """(x + k * step, y) for k = 1, 2, ... while short of the next point's x."""
    most = np.maximum(np.ceil((nxt - x) / step), 0).astype(int) + 1
    at = np.repeat(np.arange(x.size), most)
    k = np.arange(at.size) - np.repeat(np.cumsum(most) - most, most) + 1
    run_x = x[at] + k * step
    short = run_x < nxt[at]
    return np.column_stack([run_x[short], y[at][short]])


def _steps(y: np.ndarray, nxt: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Seven points up or down each step to a shown next point, at its x."""
    joined = ~np.isnan(after)
    lo, hi = np.minimum(y, after)[joined], np.maximum(y, after)[joined]
    eighths = (lo[:, None] + (hi - lo)[:, None] * np.arange(1, 8) / 8).ravel()
    return np.column_stack([np.repeat(nxt[joined], 7), eighths])


def table_box(header: tuple[str, ...], rows: list[tuple[str, ...]], gid: str, font: float = 7.5):
    """A small table drawn on the plot: right-aligned numeric columns, a bold header."""
    columns = []
    for j, title in enumerate(header):
        cells = [TextArea(title, textprops={"fontsize": font, "fontweight": "bold", "color": INK,
                                            "gid": f"{gid}-head-{j}"})]
        cells += [TextArea(row[j], textprops={"fontsize": font, "color": INK, "gid": f"{gid}-{i}-{j}"})
                  for i, row in enumerate(rows)]
        columns.append(VPacker(children=cells, align="left" if j == 0 else "right", pad=0, sep=2))
    packed = HPacker(children=columns, align="top", pad=0, sep=8)
    box = AnchoredOffsetbox(loc="lower left", child=packed, pad=0.35, borderpad=0.5, frameon=True)
    box.patch.set(facecolor="white", edgecolor="#bdbdbd", linewidth=0.5, gid=gid)
    box.set_zorder(7)
    return box
