"""Forest, swimmer and waterfall figures: counts, positions and texts read back from the SVG."""
from __future__ import annotations

import math
import random
import re
from pathlib import Path

import pytest

from report.layout import efficacy_figures
from report.layout.efficacy_figures import (PARTIAL_RESPONSE, PROGRESSION, ForestRow, SwimmerLane, SwimmerMark,
                                            WaterfallBar, forest_figure, swimmer_figure, waterfall_figure)
from svg_parse import group, ids, marker_positions, path_points, path_style, scale, text_of


# --------------------------------------------------------------------------- #
# Forest
# --------------------------------------------------------------------------- #
ROWS = [
    ForestRow("Age", None, None, None, None, None, True),
    ForestRow("< 65 years", 124, 87, 0.61, 0.35, 1.07),
    ForestRow("\u2265 65 years", 185, 11, 0.83, 0.46, 1.47),
    ForestRow("Sex", None, None, None, None, None, True),
    ForestRow("Female", 171, 39, 1.22, 0.73, 2.03),
    ForestRow("Male", 168, 80, 0.57, 0.30, 1.10),
]
OVERALL = ForestRow("All patients", 400, 258, 0.78, 0.62, 0.97)


@pytest.fixture(scope="module")
def forest() -> str:
    return forest_figure(ROWS, OVERALL, "Hazard ratio", True, {"Age": 0.42, "Sex": 0.00041})


def test_forest_a_row_per_level_and_the_overall(forest):
    assert len(ids(forest, r"forest-label-\d+")) == len(ROWS) + 1
    assert ids(forest, r"forest-point-\d+") == ["forest-point-1", "forest-point-2", "forest-point-4",
                                                "forest-point-5", "forest-point-6"]
    assert [text_of(forest, f"forest-n-{i}") for i in (1, 2, 4, 5, 6)] == ["124", "185", "171", "168", "400"]
    assert [text_of(forest, f"forest-events-{i}") for i in (1, 2, 4, 5, 6)] == ["87", "11", "39", "80", "258"]
    assert text_of(forest, "forest-estimate-2") == "0.83 (0.46\u20131.47)"
    assert text_of(forest, "forest-interaction-0") == "0.420"
    assert text_of(forest, "forest-interaction-3") == "<0.001"


def test_forest_rows_top_down_and_whiskers_at_the_limits(forest):
    x = scale(forest, "x", log=True)
    ys = [marker_positions(forest, f"forest-point-{i}")[0][1] for i in (1, 2, 4, 5, 6)]
    assert ys == sorted(ys)
    for i in (1, 2, 4, 5):
        (x0, _), (x1, _) = path_points(forest, f"forest-ci-{i}")
        row = ROWS[i]
        assert (x0, x1) == (pytest.approx(x(row.ci_low), abs=0.02), pytest.approx(x(row.ci_high), abs=0.02))
        assert marker_positions(forest, f"forest-point-{i}")[0][0] == pytest.approx(x(row.estimate), abs=0.02)


def test_forest_null_line_at_one_and_overall_dashed_at_its_estimate(forest):
    x = scale(forest, "x", log=True)
    assert [p[0] for p in path_points(forest, "forest-null")] == [pytest.approx(x(1.0), abs=0.02)] * 2
    overall = path_points(forest, "forest-overall")
    assert [p[0] for p in overall] == [pytest.approx(x(0.78), abs=0.02)] * 2
    assert "stroke-dasharray" in path_style(forest, "forest-overall")


def test_forest_linear_scale_null_at_zero():
    rows = [ForestRow("Female", 50, 20, 0.12, -0.05, 0.29), ForestRow("Male", 60, 25, -0.03, -0.2, 0.14)]
    svg = forest_figure(rows, ForestRow("All", 110, 45, 0.04, -0.08, 0.16), "Rate difference", False, {})
    x = scale(svg, "x")
    assert [p[0] for p in path_points(svg, "forest-null")] == [pytest.approx(x(0.0), abs=0.02)] * 2
    assert text_of(svg, "forest-estimate-0") == "0.12 (\u22120.05 to 0.29)"
    assert text_of(svg, "forest-estimate-1") == "\u22120.03 (\u22120.20 to 0.14)"
    assert svg == forest_figure(rows, ForestRow("All", 110, 45, 0.04, -0.08, 0.16), "Rate difference", False, {})


# --------------------------------------------------------------------------- #
# Swimmer
# --------------------------------------------------------------------------- #
def _lanes(n: int, seed: int = 1) -> list[SwimmerLane]:
    rng = random.Random(seed)
    lanes = []
    for k in range(n):
        end = round(rng.uniform(1, 36), 1)
        marks = (SwimmerMark(round(min(2.0, end), 1), "response"),) if k % 2 else ()
        if k % 5 == 0:
            marks += (SwimmerMark(end, "death"),)
        lanes.append(SwimmerLane(f"P{k:03d}", "Drug X" if k % 3 else "Placebo", end, k % 5 != 0 and k % 4 == 0, marks))
    return lanes


def _bar_width(svg: str, gid: str) -> tuple[float, float]:
    points = path_points(svg, gid)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return max(xs) - min(xs), min(ys)


@pytest.mark.parametrize("n", [12, 300])
def test_swimmer_a_lane_per_patient_longest_on_top(n):
    lanes = _lanes(n)
    svg = swimmer_figure(lanes, "months")
    assert len(ids(svg, r"swimmer-lane-\d+")) == n
    bars = [_bar_width(svg, f"swimmer-lane-{i}") for i in range(n)]
    widths, tops = [b[0] for b in bars], [b[1] for b in bars]
    assert widths == sorted(widths, reverse=True) and tops == sorted(tops)
    x = scale(svg, "x")
    assert widths[0] == pytest.approx(x(max(lane.end for lane in lanes)) - x(0), abs=0.05)
    assert len(marker_positions(svg, "swimmer-response")) == sum(1 for lane in lanes for m in lane.marks if m.kind == "response")
    assert len(marker_positions(svg, "swimmer-death")) == sum(1 for lane in lanes if lane.end and lane.marks and lane.marks[-1].kind == "death")
    assert len(marker_positions(svg, "swimmer-ongoing")) == sum(lane.ongoing for lane in lanes)


def test_swimmer_same_bytes_twice_and_legend():
    svg = swimmer_figure(_lanes(20), "months")
    assert svg == swimmer_figure(_lanes(20), "months")
    text = "".join(group(svg, "legend_1").itertext()) if group(svg, "legend_1") is not None else svg
    for label in ("Response", "Death", "Ongoing", "Drug X", "Placebo"):
        assert label in text


def test_swimmer_subject_labels_only_while_they_fit():
    assert "P007" in swimmer_figure(_lanes(30), "months")
    assert "P007" not in swimmer_figure(_lanes(300), "months")
    assert "Patients (n = 300)" in swimmer_figure(_lanes(300), "months")


# --------------------------------------------------------------------------- #
# Waterfall
# --------------------------------------------------------------------------- #
CHANGES = [-100.0, -45.5, -30.0, -12.0, 0.0, 8.0, 20.0, 35.0, 62.5, -71.0, 5.5]


@pytest.fixture(scope="module")
def bars() -> list[WaterfallBar]:
    return [WaterfallBar(f"P{i}", "Drug X" if i % 2 else "Placebo", c) for i, c in enumerate(CHANGES)]


def test_waterfall_bars_sorted_descending_at_their_values(bars):
    svg = waterfall_figure(bars)
    assert len(ids(svg, r"waterfall-bar-\d+")) == len(CHANGES)
    y = scale(svg, "y")
    values = []
    for i in range(len(CHANGES)):
        points = path_points(svg, f"waterfall-bar-{i}")
        lo, hi = min(p[1] for p in points), max(p[1] for p in points)
        values.append(0.0 if math.isclose(lo, hi) else (y(0) - lo) / (y(0) - y(100)) * 100 if lo < y(0) - 0.01
                      else -(hi - y(0)) / (y(-100) - y(0)) * 100)
    assert values == pytest.approx(sorted(CHANGES, reverse=True), abs=0.05)
    lefts = [min(p[0] for p in path_points(svg, f"waterfall-bar-{i}")) for i in range(len(CHANGES))]
    assert lefts == sorted(lefts)


def test_waterfall_of_many_patients_draws_its_bars_as_one_image_a_column_each_in_order():
    rng = random.Random(7)
    n = efficacy_figures.WATERFALL_BARS_APART + 100
    many = [WaterfallBar(f"P{i:03d}", "Drug X" if rng.random() < 0.5 else "Placebo", round(rng.uniform(-100, 60), 1))
            for i in range(n)]
    svg = waterfall_figure(many)
    assert ids(svg, r"waterfall-bar-\d+") == [] and group(svg, "waterfall-bars").tag.endswith("}image")
    assert svg == waterfall_figure(list(many))  # the image's bytes too
    order = sorted(many, key=lambda b: (-b.change, b.subject))
    colour = {"Drug X": "#1f77b4", "Placebo": "#ff7f0e"}
    bottom, top = efficacy_figures._waterfall_limits(order)
    image = efficacy_figures._bars_image(order, colour, bottom, top)
    rows = efficacy_figures.BARS_IMAGE_ROWS
    assert image.shape == (rows, n, 4)
    step = (top - bottom) / rows
    for i, bar in enumerate(order):
        filled = [r for r in range(rows) if image[r, i, 3]]
        lo, hi = (bottom + (min(filled) + 0.5) * step, bottom + (max(filled) + 0.5) * step)
        assert (lo, hi) == (pytest.approx(min(0, bar.change), abs=step), pytest.approx(max(0, bar.change), abs=step))
        expected = [int(colour[bar.arm][k:k + 2], 16) for k in (1, 3, 5)] + [255]
        assert all(list(image[r, i]) == expected for r in filled)


def test_waterfall_reference_lines_at_recist_thresholds(bars):
    svg = waterfall_figure(bars)
    y = scale(svg, "y")
    assert [p[1] for p in path_points(svg, "waterfall-ref-pr")] == [pytest.approx(y(PARTIAL_RESPONSE), abs=0.02)] * 2
    assert [p[1] for p in path_points(svg, "waterfall-ref-pd")] == [pytest.approx(y(PROGRESSION), abs=0.02)] * 2
    assert text_of(svg, "waterfall-ref-pr-label") == "\u221230%: partial response"
    assert text_of(svg, "waterfall-ref-pd-label") == "+20%: progression"


def test_waterfall_coloured_by_arm_with_a_legend_and_plain_without(bars):
    svg = waterfall_figure(bars)
    fills = {path_style(svg, f"waterfall-bar-{i}").get("fill", "#000000") for i in range(len(CHANGES))}
    assert len(fills) == 2 and "Placebo" in svg and "Drug X" in svg
    one = waterfall_figure([WaterfallBar(b.subject, "All", b.change) for b in bars])
    assert len({path_style(one, f"waterfall-bar-{i}").get("fill", "#000000") for i in range(len(CHANGES))}) == 1
    assert ">All<" not in one
    assert svg == waterfall_figure(list(bars))


def test_module_does_not_use_pyplot():
    assert "pyplot" not in Path(efficacy_figures.__file__).read_text()
    assert re.search(r"svg\.hashsalt", Path(efficacy_figures.__file__).read_text()) is None  # set once, in figures.py


@pytest.mark.parametrize("draw, message", [
    (lambda: forest_figure([], OVERALL, "Hazard ratio", True, {}), "No subgroups"),
    (lambda: swimmer_figure([], "months"), "No patients"),
    (lambda: waterfall_figure([]), "No patients with a measured change"),
])
def test_empty_inputs_say_so(draw, message):
    svg = draw()
    assert svg.startswith("<svg") and message in svg
