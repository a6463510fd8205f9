"""The points a box placed on a figure must avoid (report.layout.figure_arms._dense), computed
with numpy: the same points, as a set, as the plain loop along the curve that it replaced."""
from __future__ import annotations

import math
import random

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from report.layout.figure_arms import _dense  # noqa: E402


def looped(xs, ys, ax):
    """The loop: each point, its run towards the next every 1/200 of the axis, 7 points up its step."""
    x0, x1 = ax.get_xlim()
    step = (x1 - x0) / 200
    out = []
    for i, (x, y) in enumerate(zip(xs, ys)):
        if math.isnan(y):
            continue
        out.append((x, y))
        nxt = xs[i + 1] if i + 1 < len(xs) else x
        k = 1
        while x + k * step < nxt:
            out.append((x + k * step, y))
            k += 1
        if i + 1 < len(ys) and not math.isnan(ys[i + 1]):
            lo, hi = sorted((y, ys[i + 1]))
            out += [(nxt, lo + (hi - lo) * j / 8) for j in range(1, 8)]
    return out


def curve(rng: random.Random, n: int) -> tuple[list[float], list[float]]:
    xs = sorted(rng.choice([rng.uniform(0, 60), float(rng.randint(0, 60))]) for _ in range(n))
    ys, y = [], 1.0
    for _ in range(n):
        y = max(0.0, y - rng.choice([0.0, rng.uniform(0, 0.1)]))
        ys.append(math.nan if rng.random() < 0.1 else y)
    return xs, ys


@pytest.mark.parametrize("seed", range(25))
def test_dense_points_are_the_loops(seed):
    rng = random.Random(seed)
    fig, ax = plt.subplots()
    ax.set_xlim(0, rng.choice([12, 37.5, 60]))
    xs, ys = curve(rng, rng.randint(0, 60))
    got = sorted(map(tuple, _dense(xs, ys, ax).tolist()))
    assert got == sorted(looped(xs, ys, ax))  # exactly: the same floating-point operations
    plt.close(fig)


def test_a_long_flat_run_is_filled_and_a_step_has_seven_points():
    fig, ax = plt.subplots()
    ax.set_xlim(0, 20)  # a point every 0.1
    points = _dense([0.0, 1.0], [1.0, 0.5], ax).tolist()
    plt.close(fig)
    assert sorted(p for p in points if p[1] == 1.0 and 0 < p[0] < 1) == [[k * 0.1, 1.0] for k in range(1, 10)]
    assert sorted(p[1] for p in points if p[0] == 1.0 and 0.5 < p[1] < 1.0) == [0.5 + 0.5 * j / 8 for j in range(1, 8)]
