"""Progress during a build (issue 19): each stage named on a terminal, as it starts, on standard
error; nothing of it where standard error is not a terminal (a pipe, a log file, CI)."""
from __future__ import annotations

import io

from rich.console import Console

from conftest import run_cli
from report.cli import commands

ENV = {"SOURCE_DATE_EPOCH": "1735689600"}


def test_a_terminal_sees_each_stage_named(tmp_path, monkeypatch):
    from rich.progress import Progress

    screen, named = io.StringIO(), []
    real = Progress.update
    monkeypatch.setattr(Progress, "update", lambda self, task, **kw: named.append(kw.get("description")) or real(self, task, **kw))
    monkeypatch.setattr(commands, "err", Console(file=screen, force_terminal=True, width=100))
    options = commands._build_options("summary", "html", tmp_path, None, False)
    commands._build_one(None, None, None, options, lambda: None)
    assert [n for n in named if n in ("Analysing", "Writing bundle")] == ["Analysing", "Writing bundle"]
    shown = screen.getvalue()  # the spinner redraws ten times a second: the first stage is always seen
    assert "Loading trial" in shown and "Built" in shown


def test_a_pipe_sees_no_progress(tmp_path):
    result = run_cli("build", "--format", "html", "--out", str(tmp_path), env=ENV)
    assert result.returncode == 0, result.stderr
    assert "Built S1318 summary report" in result.stderr
    assert not any(stage in result.stderr for stage in ("Loading trial", "Analysing", "Writing bundle"))
    assert "\x1b[" not in result.stderr  # no cursor movement or colour codes in a log
