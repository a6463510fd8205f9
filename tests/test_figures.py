"""Tests for report.layout.figures and survival_figures: deterministic, inline-able SVG drawn from ledger dicts."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import pytest

from report.layout import figures, survival_figures
from report.layout.figures import ae_grade_figure, percent_label
from report.layout.survival_figures import km_figure

SVG_NS = "{http://www.w3.org/2000/svg}"


# --------------------------------------------------------------------------- #
# Hand-built fixtures
# --------------------------------------------------------------------------- #
def _row(time, n_at_risk, events, censored, survival, ci_low, ci_high):
    return {"time": time, "n_at_risk": n_at_risk, "events": events, "censored": censored,
            "survival": survival, "ci_low": ci_low, "ci_high": ci_high}


@pytest.fixture
def km_block() -> dict:
    curve = [
        _row(0.0, 12, 0, 0, 1.0, None, None),
        _row(1.48, 12, 1, 0, 0.9167, 0.539, 0.988),
        _row(2.9, 11, 0, 1, 0.9167, 0.539, 0.988),      # censored
        _row(4.2, 10, 2, 0, 0.7333, 0.376, 0.906),
        _row(6.5, 8, 1, 2, 0.6417, 0.292, 0.849),       # event + 2 censored: one mark
        _row(8.1, 5, 0, 1, 0.6417, 0.292, 0.849),       # censored
        _row(10.3, 4, 1, 0, 0.4813, 0.160, 0.751),
        _row(13.0, 3, 0, 1, 0.4813, 0.160, 0.751),      # censored
    ]
    return {
        "n": 12, "events": 5, "time_unit": "months", "conf_type": "log-log",
        "confidence": 0.95,
        "median": {"estimate": 10.3, "ci_low": 4.2, "ci_high": None},
        "landmarks": [
            {"time": 6, "survival": 0.655, "ci_low": 0.30, "ci_high": 0.86, "n_at_risk": 8},
            {"time": 12, "survival": 0.4813, "ci_low": 0.16, "ci_high": 0.75, "n_at_risk": 3},
        ],
        "median_followup": 8.1,
        "curve": curve,
        "risk_table": [{"time": 0, "n_at_risk": 12}, {"time": 3, "n_at_risk": 10},
                       {"time": 6, "n_at_risk": 8}, {"time": 9, "n_at_risk": 4},
                       {"time": 12, "n_at_risk": 3}],
    }


def _term(term, subjects, proportion, grades):
    return {"term": term, "soc": "Some SOC", "subjects": subjects, "proportion": proportion,
            "events": subjects + 1, "grade_3_plus": sum(grades[2:]),
            "max_grade": {str(g): c for g, c in zip(range(1, 6), grades)}}


@pytest.fixture
def ae_terms() -> list[dict]:
    return [
        _term("Fatigue", 19, 0.655, [10, 6, 3, 0, 0]),
        _term("Nausea", 9, 0.3103, [6, 3, 0, 0, 0]),
        _term("Neutrophil count decreased", 6, 0.2069, [0, 1, 3, 2, 0]),
        _term("Hyperglycemia", 4, 0.1379, [0, 1, 3, 0, 0]),
        _term("Sepsis", 2, 0.0690, [0, 0, 0, 1, 1]),
    ]


# --------------------------------------------------------------------------- #
# SVG inspection helpers
# --------------------------------------------------------------------------- #
def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _group(svg: str, gid: str) -> ET.Element | None:
    return _tree(svg).find(f".//*[@id='{gid}']")


def _ids(svg: str, pattern: str) -> list[str]:
    return [el.get("id") for el in _tree(svg).iter()
            if el.get("id") and re.fullmatch(pattern, el.get("id"))]


SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    """Every text the figure shows, in drawing order."""
    return ["".join(el.itertext()) for el in _tree(svg).iter(f"{SVG}text")]


def _group_text(svg: str, gid: str) -> str | None:
    """The first text inside group ``gid``."""
    group = _group(svg, gid)
    text = None if group is None else group.find(f".//{SVG}text")
    return None if text is None else "".join(text.itertext())


def _label_y(svg: str, gid: str) -> float:
    text = _group(svg, gid).find(f".//{SVG}text")
    assert text is not None, gid
    return float(text.get("y"))


# --------------------------------------------------------------------------- #
# Formatting
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("proportion, expected", [
    (0.655, "66%"), (0.645, "65%"), (0.125, "13%"), (0.7931, "79%"),
    (0.1379, "14%"), (0.0, "0%"), (1.0, "100%"), (0.0049, "0%"), (0.005, "1%"),
])
def test_percent_label_rounds_half_up(proportion, expected):
    assert percent_label(proportion) == expected


# --------------------------------------------------------------------------- #
# Kaplan-Meier figure
# --------------------------------------------------------------------------- #
def test_km_is_deterministic_inline_svg_without_date(km_block):
    first = km_figure(km_block, label="Overall survival", time_label="Months since registration")
    second = km_figure(copy.deepcopy(km_block), label="Overall survival",
                       time_label="Months since registration")
    assert first == second
    assert isinstance(first, str) and first.startswith("<svg")
    assert "<?xml" not in first and "<!DOCTYPE" not in first
    assert "dc:date" not in first
    _tree(first)  # well-formed XML


def test_km_does_not_leak_rc_settings(km_block):
    before = dict(matplotlib.rcParams)
    km_figure(km_block, label="Overall survival", time_label="Months")
    assert dict(matplotlib.rcParams) == before


def test_km_draws_one_censor_mark_per_censored_row(km_block):
    svg = km_figure(km_block, label="Overall survival", time_label="Months")
    group = _group(svg, "censor-marks")
    assert group is not None
    censored_rows = sum(1 for r in km_block["curve"] if r["censored"] > 0)
    assert censored_rows == 4
    assert len(group.findall(f".//{SVG_NS}use")) == censored_rows


def test_km_without_censoring_draws_no_censor_marks(km_block):
    for row in km_block["curve"]:
        row["censored"] = 0
    svg = km_figure(km_block, label="Overall survival", time_label="Months")
    group = _group(svg, "censor-marks")
    assert group is None or not group.findall(f".//{SVG_NS}use")


def test_km_risk_table_numbers_sit_under_each_tick(km_block):
    svg = km_figure(km_block, label="Overall survival", time_label="Months")
    # at risk, and events in the curve up to and including the time: 0, 1, 3 (4.2), 4 (6.5), 4
    expected = {0: "12 (0)", 3: "10 (1)", 6: "8 (3)", 9: "4 (4)", 12: "3 (5)"}
    for row in km_block["risk_table"]:
        assert _group_text(svg, f"risk-table-{row['time']}") == expected[row["time"]]
    assert _group_text(svg, "risk-table-label") == "No. at risk (cumulative events)"


def test_km_legend_and_axis_text(km_block):
    svg = km_figure(km_block, label="Overall survival", time_label="Months since registration")
    for text in ("Overall survival", "95% CI (log-log)", "Probability",
                 "Months since registration", "Censored"):
        assert text in _texts(svg)


def test_km_confidence_level_text_from_block(km_block):
    km_block["confidence"], km_block["conf_type"] = 0.9, "plain"
    svg = km_figure(km_block, label="PFS", time_label="Months")
    assert "90% CI (plain)" in _texts(svg)


def test_km_landmark_labels_round_half_up(km_block):
    svg = km_figure(km_block, label="Overall survival", time_label="Months")
    assert _group_text(svg, "landmark-label-0") == "66%"     # 0.655
    assert _group_text(svg, "landmark-label-1") == "48%"     # 0.4813
    assert len(_ids(svg, r"landmark-\d+")) == 2


def test_km_null_ci_in_the_middle_is_a_gap_not_an_error(km_block):
    km_block["curve"][3]["ci_low"] = None
    km_block["curve"][4]["ci_high"] = None
    svg = km_figure(km_block, label="Overall survival", time_label="Months")
    assert svg.startswith("<svg")
    assert _group(svg, "km-ci-band") is not None
    assert _group(svg, "km-curve") is not None


def test_km_all_null_ci_still_draws_curve(km_block):
    for row in km_block["curve"]:
        row["ci_low"] = row["ci_high"] = None
    svg = km_figure(km_block, label="Overall survival", time_label="Months")
    assert _group(svg, "km-curve") is not None


def test_km_curve_reaching_zero(km_block):
    km_block["curve"].append(_row(15.0, 2, 2, 0, 0.0, None, None))
    km_block["landmarks"].append({"time": 15, "survival": 0.0})
    svg = km_figure(km_block, label="Overall survival", time_label="Months")
    assert _group_text(svg, "landmark-label-2") == "0%"


@pytest.mark.parametrize("mutate", [
    lambda b: b.update(curve=b["curve"][:1]),
    lambda b: b.update(n=0),
    lambda b: b.update(curve=[]),
])
def test_km_without_data_says_so(km_block, mutate):
    mutate(km_block)
    svg = km_figure(km_block, label="Overall survival", time_label="Months")
    assert svg.startswith("<svg") and "<?xml" not in svg
    assert "No data" in _texts(svg)
    assert _group(svg, "km-curve") is None


# --------------------------------------------------------------------------- #
# Adverse-event figure
# --------------------------------------------------------------------------- #
def test_ae_is_deterministic_inline_svg(ae_terms):
    first = ae_grade_figure(ae_terms, n=29)
    assert first == ae_grade_figure(copy.deepcopy(ae_terms), n=29)
    assert first.startswith("<svg") and "<?xml" not in first and "dc:date" not in first
    _tree(first)


def test_ae_one_bar_per_term_with_bar_end_labels(ae_terms):
    svg = ae_grade_figure(ae_terms, n=29)
    assert _ids(svg, r"ae-bar-\d+") == [f"ae-bar-{i}" for i in range(len(ae_terms))]
    assert _group_text(svg, "ae-label-0") == "19 (66%)"
    assert _group_text(svg, "ae-label-3") == "4 (14%)"
    assert "4 (14%)" in _texts(svg)
    assert "Hyperglycemia" in _texts(svg)
    assert "N = 29" in svg


def test_ae_first_term_is_drawn_on_top(ae_terms):
    svg = ae_grade_figure(ae_terms, n=29)
    ys = [_label_y(svg, f"ae-label-{i}") for i in range(len(ae_terms))]
    assert ys == sorted(ys)  # SVG y grows downwards


def test_ae_segments_only_for_grades_present(ae_terms):
    svg = ae_grade_figure(ae_terms, n=29)
    assert _ids(svg, r"ae-seg-2-grade-\d") == ["ae-seg-2-grade-2", "ae-seg-2-grade-3",
                                               "ae-seg-2-grade-4"]
    assert _ids(svg, r"ae-seg-4-grade-\d") == ["ae-seg-4-grade-4", "ae-seg-4-grade-5"]


def test_ae_shows_at_most_max_terms(ae_terms):
    svg = ae_grade_figure(ae_terms, n=29, max_terms=3)
    assert len(_ids(svg, r"ae-bar-\d+")) == 3
    assert "Hyperglycemia" not in _texts(svg)
    assert "Fatigue" in _texts(svg)


def test_ae_empty_list_says_no_adverse_events():
    svg = ae_grade_figure([], n=29)
    assert svg.startswith("<svg") and "<?xml" not in svg
    assert "No adverse events reported" in _texts(svg)
    assert not _ids(svg, r"ae-bar-\d+")


def test_module_does_not_use_pyplot():
    for module in (figures, survival_figures):
        assert "pyplot" not in Path(module.__file__).read_text()
