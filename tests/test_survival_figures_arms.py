"""Kaplan-Meier by arm and cumulative incidence figures: what is drawn is what the input holds
(risk table, medians, censor ticks, HR table), arms differ in colour and line style, same bytes twice."""
from __future__ import annotations

import copy

import pytest

from figure_inputs import incidence, incidence_data, incidence_from, km_block
from report.layout.figure_arms import ARM_STYLES, MIN_CENSOR_GAP_PT, arm_labels
from report.layout.incidence_figures import cumulative_incidence_figure
from report.layout.survival_figures import km_arms_figure, km_figure
from svg_parse import group, ids, marker_positions, path_points, path_style, scale, text_of, texts

LONG = ["Blinatumomab then POMP", "Standard chemotherapy (hyper-CVAD)", "Observation"]
HR = {"log_rank": {"chi_square": 9.1, "df": 2, "p_value": 0.0106},
      "hazard_ratios": [
          {"arm": LONG[1], "reference": LONG[0], "hazard_ratio": 0.7123, "ci_low": 0.5512, "ci_high": 0.9204,
           "p_value": 0.00043, "confidence": 0.95},
          {"arm": LONG[2], "reference": LONG[0], "hazard_ratio": 1.0449, "ci_low": 0.8, "ci_high": 1.365,
           "p_value": 0.7461, "confidence": 0.95}]}


@pytest.fixture(scope="module")
def arms() -> dict[str, dict]:
    return {LONG[0]: km_block(1, 120, 2, 14, median=9.6), LONG[1]: km_block(2, 110, 3, 20, median=15.25),
            LONG[2]: km_block(3, 90, 4, 30, median=None)}


@pytest.fixture(scope="module")
def svg(arms) -> str:
    return km_arms_figure(arms, label="Overall survival", time_label="Months", comparison=HR)


def test_same_bytes_twice(arms, svg):
    again = km_arms_figure(copy.deepcopy(arms), label="Overall survival", time_label="Months",
                           comparison=copy.deepcopy(HR))
    assert again == svg and svg.startswith("<svg") and "dc:date" not in svg


def test_arms_differ_in_colour_and_in_line_style(svg):
    styles = [path_style(svg, f"km-curve-{i}") for i in range(3)]
    assert len({s["stroke"] for s in styles}) == 3
    assert len({s.get("stroke-dasharray", "solid") for s in styles}) == 3
    assert len({s["color"] for s in ARM_STYLES}) == len(ARM_STYLES)
    assert len({str(s["linestyle"]) for s in ARM_STYLES}) == len(ARM_STYLES)


def test_risk_table_is_at_risk_and_cumulative_events_of_each_arm(arms, svg):
    for i, block in enumerate(arms.values()):
        for row in block["risk_table"]:
            t = row["time"]
            events = sum(r["events"] for r in block["curve"] if r["time"] <= t)
            assert text_of(svg, f"risk-table-{i}-{t:g}") == f"{row['n_at_risk']} ({events})"
    assert text_of(svg, "risk-table-label") == "No. at risk (cumulative events)"


def test_long_arm_labels_are_letters_with_a_key(svg):
    assert [text_of(svg, f"risk-table-arm-{i}") for i in range(3)] == ["A", "B", "C"]
    key = "".join(group(svg, "arm-key").itertext())
    for line in ("A: Blinatumomab then POMP", "B: Standard chemotherapy (hyper-CVAD)", "C: Observation"):
        assert line in key


def test_arm_labels_keep_short_names_and_the_prefixes_arms_carry():
    assert arm_labels(["Drug X", "Placebo"]).short == {"Drug X": "Drug X", "Placebo": "Placebo"}
    assert arm_labels(["Drug X", "Placebo"]).key == ()
    prefixed = arm_labels(["A: Drug X at the higher dose", "B: Placebo"])
    assert prefixed.short == {"A: Drug X at the higher dose": "A", "B: Placebo": "B"}
    assert prefixed.key == ("A: Drug X at the higher dose", "B: Placebo")
    assert arm_labels(["A: Drug X", "B: Placebo"]).code == {"A: Drug X": "A", "B: Placebo": "B"}


def test_median_drop_lines_at_each_median_reached(svg):
    x = scale(svg, "x")
    y = scale(svg, "y")
    for i, median in ((0, 9.6), (1, 15.25)):
        (x0, y0), (x1, y1) = path_points(svg, f"km-median-{i}")
        assert x0 == pytest.approx(x(median), abs=0.01) and x1 == pytest.approx(x(median), abs=0.01)
        assert sorted([y0, y1]) == [pytest.approx(y(0.5), abs=0.01), pytest.approx(y(0), abs=0.01)]
    assert group(svg, "km-median-2") is None  # not reached
    (hx0, hy0), (hx1, hy1) = path_points(svg, "km-median-h")
    assert hy0 == hy1 == pytest.approx(y(0.5), abs=0.01) and hx1 == pytest.approx(x(15.25), abs=0.01)


def test_hazard_ratio_table_against_the_reference(svg):
    assert text_of(svg, "hr-table-0-0") == "B vs A"
    assert text_of(svg, "hr-table-0-1") == "0.71 (0.55\u20130.92)"
    assert text_of(svg, "hr-table-0-2") == "<0.001"
    assert text_of(svg, "hr-table-1-0") == "C vs A"
    assert text_of(svg, "hr-table-1-1") == "1.04 (0.80\u20131.37)"  # 1.365 half up
    assert text_of(svg, "hr-table-1-2") == "0.746"
    assert text_of(svg, "hr-table-head-1") == "HR (95% CI)"


def test_no_hazard_ratio_table_without_a_comparison(arms):
    svg = km_arms_figure(arms, label="OS", time_label="Months")
    assert not ids(svg, r"hr-table.*")


def test_dense_censoring_leaves_ticks_apart_never_a_bar():
    block = km_block(7, 600, censor_every=1, scale=200, follow=10.0)  # nearly all censored, times 0.01 apart
    censored_rows = sum(1 for r in block["curve"] if r["censored"])
    svg = km_arms_figure({"Drug": block, "Placebo": km_block(8, 400, 1, 100, 10.0)}, label="PFS", time_label="Months")
    xs = [p[0] for p in marker_positions(svg, "censor-marks-0")]  # SVG units: points
    assert 20 < len(xs) < censored_rows
    assert min(b - a for a, b in zip(xs, xs[1:])) >= MIN_CENSOR_GAP_PT - 1e-6


def test_single_curve_median_drop_line():
    block = km_block(4, 60, 3, 12, median=8.75)
    svg = km_figure(block, label="OS", time_label="Months")
    x = scale(svg, "x")
    assert [p[0] for p in path_points(svg, "km-median")] == [pytest.approx(x(8.75), abs=0.01)] * 2


# --------------------------------------------------------------------------- #
# Cumulative incidence
# --------------------------------------------------------------------------- #
DATA = [incidence_data(11, 80), incidence_data(12, 70, 0.09, 0.02)]


@pytest.fixture(scope="module")
def cif() -> str:
    return cumulative_incidence_figure({"Drug X": incidence_from(DATA[0]), "Placebo": incidence_from(DATA[1])},
                                       event_label="Relapse", competing_label="Death in remission",
                                       time_label="Months since remission", risk_times=[0, 6, 12, 18, 24, 30],
                                       gray_p=0.0213)


def test_cif_risk_table_from_the_patients(cif):
    for i, data in enumerate(DATA):
        for t in (0, 6, 12, 18, 24, 30):
            at_risk = sum(1 for u, _ in data if u >= t)
            events = sum(1 for u, k in data if u <= t and k == 1)
            assert text_of(cif, f"risk-table-{i}-{t}") == f"{at_risk} ({events})"
    assert text_of(cif, "risk-table-label") == "No. at risk (cumulative relapse)"


def test_cif_event_solid_competing_dashed_same_colour_rising_from_zero(cif):
    y = scale(cif, "y")
    colours = set()
    for i in range(2):
        event, competing = path_style(cif, f"cif-event-{i}"), path_style(cif, f"cif-competing-{i}")
        assert "stroke-dasharray" not in event and "stroke-dasharray" in competing
        assert event["stroke"] == competing["stroke"]
        colours.add(event["stroke"])
        for gid in (f"cif-event-{i}", f"cif-competing-{i}"):
            points = path_points(cif, gid)
            assert points[0][1] == pytest.approx(y(0), abs=0.01)
            assert [p[1] for p in points] == sorted((p[1] for p in points), reverse=True)  # svg y falls = rises
    assert len(colours) == 2
    assert text_of(cif, "gray-test-0-1") == "0.021"


def test_cif_one_group_has_its_band_and_no_end_labels():
    svg = cumulative_incidence_figure({"All": incidence(5, 50)}, event_label="Relapse",
                                      competing_label="Death in remission", time_label="Months")
    assert group(svg, "cif-ci-band") is not None
    assert not ids(svg, r"cif-end-.*")
    assert "95% CI (log)" in texts(svg)
    assert svg == cumulative_incidence_figure({"All": incidence(5, 50)}, event_label="Relapse",
                                              competing_label="Death in remission", time_label="Months")


def test_cif_end_labels_do_not_touch(cif):
    ys = sorted(float(group(cif, gid).find(".//{http://www.w3.org/2000/svg}text").get("y"))
                for gid in ids(cif, r"cif-end-.*"))
    assert len(ys) == 4
    assert min(b - a for a, b in zip(ys, ys[1:])) >= 8.0


def test_cif_end_labels_stay_inside_the_figure_with_long_arm_names():
    """Arm names as end labels ("Standard therapy"), not letters: the plot is narrowed so that they
    are not cut at the figure's edge (they were, in the large three-arm trial)."""
    from report.layout.incidence_figures import _cif_figure

    names = ("High dose", "Low dose", "Standard therapy")
    fig = _cif_figure({n: incidence_from(DATA[i % 2]) for i, n in enumerate(names)}, "Relapse", "Death in remission",
                      "Months", [0, 6, 12, 18, 24, 30], 0.2, "")
    renderer = fig.canvas.get_renderer()
    ends = [t for t in fig.axes[0].texts if (t.get_gid() or "").startswith("cif-end-")]
    assert len(ends) == 6 and {t.get_text() for t in ends} == set(names)
    assert max(t.get_window_extent(renderer).x1 for t in ends) <= fig.bbox.x1
    assert fig.axes[0].get_position().x1 == pytest.approx(fig.axes[1].get_position().x1)  # the risk table stays aligned


def test_cif_arms_carry_their_own_marker_shape(cif):
    from svg_parse import XLINK

    shapes = []
    for i in range(2):
        uses = list(group(cif, f"cif-event-marks-{i}").iter("{http://www.w3.org/2000/svg}use"))
        assert uses and len(uses) <= 8
        shapes.append({u.get(f"{XLINK}href") for u in uses})
    assert len(shapes[0]) == len(shapes[1]) == 1 and shapes[0] != shapes[1]


def test_cif_at_risk_past_the_last_time_counts_those_left():
    from report.layout.incidence_figures import at_risk, incidence_risk_cells

    curve = [{"time": 2.0, "n_at_risk": 5, "events": 1, "competing": 0, "censored": 0},
             {"time": 4.0, "n_at_risk": 4, "events": 0, "competing": 1, "censored": 1}]
    assert [at_risk(curve, t) for t in (0, 2, 3, 4, 5)] == [5, 5, 4, 4, 2]
    assert incidence_risk_cells(curve, [0, 2, 5]) == [(0, "5 (0)"), (2, "5 (1)"), (5, "2 (1)")]


def test_empty_groups_say_no_data():
    svg = km_arms_figure({"A": {"n": 0, "curve": []}}, label="OS", time_label="Months")
    assert "No data" in texts(svg)
    svg = cumulative_incidence_figure({"A": {"n": 0, "curve": []}}, event_label="Relapse",
                                      competing_label="Death", time_label="Months")
    assert "No data" in texts(svg)
