"""Figures drawn once for the same inputs in a process (report.layout.figure_memo): the DSMB
update's accrual figure is the same for its open and closed reports, `watch` rebuilds often."""
from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from report.layout import figure_memo, figures
from report.layout.figures import _render, rasters, raster_key
from report.layout.mock import mock_shell

CALLS: list[tuple] = []


def bar(heights: list[float], label: str = "") -> Figure:
    CALLS.append((tuple(heights), label))
    fig = Figure(figsize=(2, 1))
    fig.add_subplot().bar(range(len(heights)), heights, label=label)
    return fig


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.setattr(figure_memo, "_KEPT", type(figure_memo._KEPT)())
    CALLS.clear()


def test_the_same_inputs_are_drawn_once_and_give_the_same_svg():
    first = _render(bar, [1.0, 2.0], label="a")
    again = _render(bar, [1.0, 2.0], label="a")
    assert again == first and len(CALLS) == 1


@pytest.mark.parametrize("other", [((1.0, 2.5), "a"), ((1.0, 2.0), "b"), ((1.0, 2.0 + 1e-15), "a")])
def test_any_other_input_is_drawn_anew(other):
    heights, label = other
    _render(bar, [1.0, 2.0], label="a")
    _render(bar, list(heights), label=label)
    assert CALLS == [((1.0, 2.0), "a"), (heights, label)]  # even a change below what the SVG prints


def test_a_mock_shell_never_gets_a_real_figure():
    _render(bar, [1.0, 2.0])
    with mock_shell():
        _render(bar, [1.0, 2.0])
    assert len(CALLS) == 2


def test_a_word_file_gets_the_png_of_a_figure_kept_without_one():
    svg = _render(bar, [3.0])
    with rasters() as sink:
        assert _render(bar, [3.0]) == svg
    assert len(CALLS) == 2 and sink[raster_key(svg)].startswith(b"\x89PNG")
    with rasters() as again:
        _render(bar, [3.0])
    assert len(CALLS) == 2 and again == sink  # kept with its PNG now


def test_inputs_that_cannot_be_pickled_are_drawn_every_time():
    def drawn(make):
        return make()

    _render(drawn, lambda: bar([1.0]))
    _render(drawn, lambda: bar([1.0]))
    assert len(CALLS) == 2


def test_only_the_most_recent_drawings_are_kept(monkeypatch):
    monkeypatch.setattr(figure_memo, "KEPT", 3)
    for h in (1.0, 2.0, 3.0, 4.0):
        _render(bar, [h])
    _render(bar, [4.0])
    assert len(CALLS) == 4
    _render(bar, [1.0])  # the oldest, let go
    assert len(CALLS) == 5 and len(figure_memo._KEPT) == 3


def test_the_dsmb_update_draws_its_accrual_figure_once(tmp_path, monkeypatch):
    from report.compose import build
    from report.inputs.trial import load_trial

    drawn = []
    accrual = figures._accrual_figure

    def counted(*args, **kwargs):
        drawn.append(args)
        return accrual(*args, **kwargs)

    monkeypatch.setattr(figures, "_accrual_figure", counted)
    bundle = build(load_trial(None), kind="dsmb", formats=("html",), out=tmp_path, encrypt=False)
    pages = {p.name: p.read_text() for p in bundle.files if p.suffix == ".html"}
    assert len(drawn) == 1
    assert all('id="fig-accrual' in page for page in pages.values()) and len(pages) == 2


def test_the_benchmarks_portfolio_trials_share_no_figure(tmp_path):
    """bench.py's batch measures what one more trial costs: its copies of the example must not
    get each other's figures from the memo, as distinct trials would not."""
    import sys
    from pathlib import Path

    from report.compose import build
    from report.inputs.trial import load_trial

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    try:
        from bench import _distinct_copies
    finally:
        sys.path.pop(0)
    kept = []
    for trial in _distinct_copies(tmp_path / "portfolio", 3):
        build(load_trial(trial), formats=("html",), out=tmp_path / "out")
        kept.append(len(figure_memo._KEPT))
    assert kept[0] >= 4 and kept == [kept[0], 2 * kept[0], 3 * kept[0]]
