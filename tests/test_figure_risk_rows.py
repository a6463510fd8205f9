"""The risk table under Kaplan-Meier and cumulative incidence figures reads as a table (a heading,
each row named at the row's height left of its first number, the numbers under the time ticks), and
censor ticks of a large group stay apart on the page (every curve, one group or by arm), read from
the drawn SVG (its units are points)."""
from __future__ import annotations

import pytest

from figure_inputs import incidence, km_block, large_km_block
from report.layout.figure_arms import MIN_CENSOR_GAP_PT
from report.layout.incidence_figures import cumulative_incidence_figure
from report.layout.survival_figures import km_arms_figure, km_figure
from svg_parse import ids, marker_positions, marker_stroke_width, scale, text_extent, text_of

ARMS = ("High dose", "Low dose", "Standard therapy")


def _numbers(svg: str, row: str) -> list[str]:
    """The gids of one row's numbers, in time order ('risk-table-0-6', or 'risk-table-6' for one group)."""
    found = ids(svg, rf"risk-table-{row}\d+(\.\d+)?")
    return sorted(found, key=lambda gid: float(gid.rsplit("-", 1)[1]))


def assert_row_named(svg: str, i: int, label: str, prefix: str) -> None:
    """Row i's label is `label`, on the row's baseline, ending left of the row's first number;
    every number sits centred under its time tick; the heading is above the rows."""
    assert text_of(svg, f"risk-table-arm-{i}") == label
    _, label_right, label_y = text_extent(svg, f"risk-table-arm-{i}")
    numbers = _numbers(svg, prefix)
    assert numbers
    first_left, _, first_y = text_extent(svg, numbers[0])
    assert label_y == pytest.approx(first_y, abs=0.01)
    assert label_right + 3 <= first_left
    x = scale(svg, "x")
    for gid in numbers:
        left, right, y = text_extent(svg, gid)
        assert y == pytest.approx(first_y, abs=0.01)
        assert (left + right) / 2 == pytest.approx(x(float(gid.rsplit("-", 1)[1])), abs=0.05)
    assert text_extent(svg, "risk-table-label")[2] < label_y  # the heading above the rows (SVG y grows down)


def test_one_curve_names_its_row():
    svg = km_figure(km_block(4, 60, 3, 12), label="Overall survival", time_label="Months",
                    row_label="Efficacy population")
    assert text_of(svg, "risk-table-label") == "No. at risk (cumulative events)"
    assert_row_named(svg, 0, "Efficacy population", "")


def test_one_curve_row_is_all_patients_unless_named():
    svg = km_figure(km_block(4, 60, 3, 12), label="Overall survival", time_label="Months")
    assert_row_named(svg, 0, "All patients", "")


def test_arms_rows_named_left_of_wide_numbers():
    blocks = {arm: large_km_block(20 + i, 3200) for i, arm in enumerate(ARMS)}
    svg = km_arms_figure(blocks, label="Overall survival", time_label="Months")
    for i, arm in enumerate(ARMS):
        assert_row_named(svg, i, arm, f"{i}-")


def test_one_group_incidence_names_its_row():
    svg = cumulative_incidence_figure({"Total": incidence(5, 50)}, event_label="Relapse",
                                      competing_label="Death in remission", time_label="Months",
                                      row_label="Responders")
    assert_row_named(svg, 0, "Responders", "0-")


def test_incidence_by_arm_rows_named():
    svg = cumulative_incidence_figure({"Drug X": incidence(11, 80), "Placebo": incidence(12, 70)},
                                      event_label="Relapse", competing_label="Death", time_label="Months")
    for i, arm in enumerate(("Drug X", "Placebo")):
        assert_row_named(svg, i, arm, f"{i}-")


def assert_ticks_apart(svg: str, gid: str, censored: int) -> None:
    xs = [x for x, _ in marker_positions(svg, gid)]
    assert 30 < len(xs) < censored  # thinned, yet a row of ticks along the curve
    assert min(b - a for a, b in zip(xs, xs[1:])) >= MIN_CENSOR_GAP_PT - 1e-6
    assert marker_stroke_width(svg, gid) <= MIN_CENSOR_GAP_PT / 6  # thin enough to leave white between


@pytest.fixture(scope="module")
def large() -> dict[str, dict]:
    return {arm: large_km_block(30 + i, 3300, scale=24 + 8 * i) for i, arm in enumerate(ARMS)}


def test_large_arms_every_curve_keeps_its_censor_ticks_apart(large):
    svg = km_arms_figure(large, label="Overall survival", time_label="Months")
    for i, block in enumerate(large.values()):
        assert_ticks_apart(svg, f"censor-marks-{i}", sum(1 for r in block["curve"] if r["censored"]))


def test_large_group_alone_keeps_its_censor_ticks_apart(large):
    block = next(iter(large.values()))
    svg = km_figure(block, label="Overall survival", time_label="Months")
    assert_ticks_apart(svg, "censor-marks", sum(1 for r in block["curve"] if r["censored"]))
