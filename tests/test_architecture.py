"""The package's shape (issue 14): one subpackage per stage, imports flowing downward only
(the import-linter contract in pyproject.toml), and no module over 400 lines."""
from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "report"
MAX_LINES = 400
STAGES = ["cli", "compose", "kinds", "blocks | render | archive", "layout", "analysis", "stats", "inputs"]


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """`lint-imports` (import-linter, the test extra) on the package under `root`, with its pyproject.toml."""
    program = Path(sys.executable).with_name("lint-imports")
    assert program.is_file(), f"{program}: install the test extra (import-linter)"
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(program), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_the_stages_import_downward_only():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_the_contract_names_every_stage_in_order():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (contract,) = config["contracts"]
    assert contract["type"] == "layers" and contract["containers"] == ["report"]
    assert contract["layers"] == STAGES
    stages = {name.strip() for layer in STAGES for name in layer.split("|")} - {"compose"}
    assert stages == {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}


def test_a_back_edge_breaks_the_contract(tmp_path):
    copy = tmp_path / "checkout"
    shutil.copytree(PACKAGE, copy / "report", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    cox = copy / "report" / "stats" / "cox.py"
    cox.write_text(cox.read_text(encoding="utf-8") + "\n\ndef _late():\n    from ..compose import build\n\n    return build\n",
                   encoding="utf-8")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "report.stats is not allowed to import report.compose" in result.stdout


def test_no_module_exceeds_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in sorted(PACKAGE.rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_console_script_and_python_m_report_reach_the_cli():
    script = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]["trialreport"]
    module, _, name = script.partition(":")
    assert callable(getattr(importlib.import_module(module), name))
    result = subprocess.run([sys.executable, "-m", "report", "--help"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert result.returncode == 0 and "Build a report bundle" in result.stdout, result.stderr
