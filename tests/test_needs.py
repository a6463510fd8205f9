"""Tests that need R, Chromium or the public data fail without them, naming the command that
installs them, unless the user opts out by name (TRIALREPORT_SKIP); and the README's two
set-up commands, the install script and CI name the same things."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import needs

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def fresh(monkeypatch):
    """needs.py with its cache emptied before and after, and no opt-out set."""
    monkeypatch.delenv(needs.SKIP_VARIABLE, raising=False)
    needs.shortfall.cache_clear()
    yield monkeypatch
    needs.shortfall.cache_clear()


def test_a_missing_r_fails_naming_the_apt_get_command(fresh):
    fresh.setattr(needs.shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception) as failed:
        needs.require("r")
    message = str(failed.value)
    assert "Rscript is not installed" in message
    assert "apt-get install -y r-base-core r-cran-survival r-cran-cmprsk" in message
    assert "TRIALREPORT_SKIP=r" in message


def test_a_missing_chromium_fails_naming_the_apt_get_command(fresh, tmp_path):
    fresh.setattr(needs, "CHROMIUM", str(tmp_path / "chromium"))
    with pytest.raises(pytest.fail.Exception) as failed:
        needs.require("chromium")
    assert "apt-get install -y chromium fonts-liberation" in str(failed.value)


def test_missing_public_data_are_named_with_where_they_belong(fresh, tmp_path):
    fresh.setattr(needs, "PUBLIC_DATA", tmp_path / "shared" / "data")
    with pytest.raises(pytest.fail.Exception) as failed:
        needs.require("public-data")
    message = str(failed.value)
    assert str(tmp_path / "shared" / "data" / "cdiscpilot01" / "adsl.xpt") in message
    assert "TRIALREPORT_SKIP=public-data" in message


def test_opting_out_skips_with_the_reason(fresh):
    fresh.setattr(needs.shutil, "which", lambda name: None)
    fresh.setenv(needs.SKIP_VARIABLE, "chromium, r")
    with pytest.raises(pytest.skip.Exception) as skipped:
        needs.require("r")
    assert "TRIALREPORT_SKIP includes r" in str(skipped.value)


def test_an_unknown_name_to_skip_is_a_usage_error(fresh):
    fresh.setenv(needs.SKIP_VARIABLE, "r,chromeium")
    with pytest.raises(pytest.UsageError, match="chromeium: known are r, chromium, poppler, public-data"):
        needs.opted_out()


def test_a_missing_test_extra_package_is_named():
    assert needs.missing_distributions(needs.test_extra()) == []  # the extra is installed here
    assert needs.missing_distributions(["pytest>=8", "no-such-distribution>=1"]) == ["no-such-distribution"]
    assert "aiosmtpd>=1.4" in needs.test_extra()


def run_pytest(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


def test_a_marked_test_fails_then_skips_when_opted_out(tmp_path):
    """End to end: without Rscript on PATH the R comparisons fail; TRIALREPORT_SKIP=r skips them."""
    import os

    env = {**os.environ, "PATH": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop(needs.SKIP_VARIABLE, None)
    target = ("tests/test_against_r.py::test_example_proportions_equal_binom_test", "-q")
    failed = run_pytest(*target, env=env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "apt-get install -y r-base-core r-cran-survival r-cran-cmprsk" in failed.stdout
    skipped = run_pytest(*target, "-rs", env={**env, needs.SKIP_VARIABLE: "r"})
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "1 skipped" in skipped.stdout and "TRIALREPORT_SKIP includes r" in skipped.stdout


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Set up and run", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_the_readme_has_two_set_up_commands_and_ci_runs_the_test_command():
    commands = readme_commands()
    assert len(commands) == 2
    assert commands[0].startswith("scripts/install-system-packages && ") and commands[0].endswith("trialreport build")
    assert commands[1].startswith("scripts/install-system-packages --test && ")
    assert commands[1].endswith(".venv/bin/python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[1] in ci  # CI runs the README's test command, as a line of its own


def test_the_install_script_installs_every_package_a_message_names():
    script = (ROOT / "scripts" / "install-system-packages").read_text(encoding="utf-8")
    listed = set(" ".join(re.findall(r'^(?:RUN|TEST)="([^"]*)"', script, re.M)).split())
    named = {word for need in needs.NEEDS.values() if need.remedy.startswith("apt-get install -y ")
             for word in need.remedy.removeprefix("apt-get install -y ").split()}
    assert named and named <= listed, named - listed
    from conftest import PANGO

    assert set(PANGO.values()) <= listed
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in needs.NEEDS:
        assert f"`{name}`" in readme or f"={name}" in readme, f"the README does not name the need {name}"


def fake_tools(folder: Path, installed: bool) -> dict:
    """PATH with a dpkg-query that reports every package (not) installed and an apt-get that logs."""
    folder.mkdir()
    status = "install ok installed" if installed else "unknown ok not-installed"
    (folder / "dpkg-query").write_text(f"#!/bin/sh\nprintf '{status}'\n")
    (folder / "apt-get").write_text(f"#!/bin/sh\necho \"$*\" >> {folder / 'apt.log'}\n")
    (folder / "id").write_text("#!/bin/sh\necho 0\n")  # as root
    for tool in folder.iterdir():
        tool.chmod(0o755)
    return {"PATH": f"{folder}:/usr/bin:/bin"}


@pytest.mark.parametrize("flag", ["", "--test"])
def test_the_install_script_installs_what_is_missing(tmp_path, flag):
    env = fake_tools(tmp_path / "bin", installed=False)
    result = subprocess.run(["sh", str(ROOT / "scripts" / "install-system-packages"), *filter(None, [flag])],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    update, install = (tmp_path / "bin" / "apt.log").read_text().splitlines()
    assert update == "update -qq"
    packages = install.removeprefix("install -y -qq --no-install-recommends ").split()
    assert "libpango-1.0-0" in packages and "python3-venv" in packages
    assert ("r-cran-cmprsk" in packages and "chromium" in packages) == (flag == "--test")


def test_the_install_script_fetches_nothing_when_all_is_installed(tmp_path):
    env = fake_tools(tmp_path / "bin", installed=True)
    result = subprocess.run(["sh", str(ROOT / "scripts" / "install-system-packages"), "--test"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0 and "all installed" in result.stdout
    assert not (tmp_path / "bin" / "apt.log").exists()
