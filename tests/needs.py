"""What the tests need from outside Python, decided in one place.

A test that needs R, Chromium, LibreOffice or the public CDISC data is marked `@pytest.mark.needs("r")`
(a module: `pytestmark = pytest.mark.needs("chromium")`), or calls `require("r")`. Where the
need is not met the test FAILS, with the command that meets it, so a run never passes by
silently skipping. A user who cannot meet a need opts out by name, e.g.

    TRIALREPORT_SKIP=r,chromium .venv/bin/python -m pytest

and those tests are then skipped, with the reason. Every apt package named here is also
installed by `scripts/install-system-packages --test` (a test checks it).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable

import pytest

SKIP_VARIABLE = "TRIALREPORT_SKIP"
ROOT = Path(__file__).resolve().parents[1]
PUBLIC_DATA = ROOT.parent / "shared" / "data"  # read in place, beside the checkout
CHROMIUM = os.environ.get("TRIALREPORT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
R_PACKAGES = ("survival", "cmprsk", "haven")


@dataclass(frozen=True)
class Need:
    name: str
    what: str
    remedy: str
    missing: Callable[[], str | None]  # what is missing, or None


def _missing_r() -> str | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "Rscript is not installed"
    check = "; ".join(f'if (!requireNamespace("{p}", quietly = TRUE)) cat("{p} ")' for p in R_PACKAGES)
    out = subprocess.run([rscript, "--vanilla", "-e", check], capture_output=True, text=True, timeout=120)
    absent = out.stdout.split()
    return f"R lacks the package(s) {', '.join(absent)}" if absent else None


def _missing_chromium() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install \".[test]\")"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (or set TRIALREPORT_CHROMIUM to its path)"
    return None


def soffice() -> str | None:
    """LibreOffice's command, where installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _missing_libreoffice() -> str | None:
    return None if soffice() else "LibreOffice (soffice) is not installed"


def _missing_poppler() -> str | None:
    absent = [tool for tool in ("pdffonts", "pdftotext") if shutil.which(tool) is None]
    return f"{' and '.join(absent)} (poppler-utils) not installed" if absent else None


def _missing_public_data() -> str | None:
    expected = [PUBLIC_DATA / "cdiscpilot01" / "adsl.xpt", PUBLIC_DATA / "random-cdisc" / "adsl.xpt"]
    absent = [str(p) for p in expected if not p.is_file()]
    return f"the public CDISC ADaM data are not beside the checkout (no {', '.join(absent)})" if absent else None


NEEDS = {
    need.name: need for need in (
        Need("r", "R with the survival, cmprsk and haven packages",
             "apt-get install -y r-base-core r-cran-survival r-cran-cmprsk r-cran-haven", _missing_r),
        Need("chromium", "the system Chromium, driven by playwright",
             "apt-get install -y chromium fonts-liberation", _missing_chromium),
        Need("poppler", "pdffonts and pdftotext, to list a PDF's fonts and read its text's positions",
             "apt-get install -y poppler-utils", _missing_poppler),
        Need("public-data", "the public CDISC pilot and random.cdisc.data ADaM datasets",
             f"put cdiscpilot01/ (adsl, adae, adtte .xpt from github.com/phuse-org/phuse-scripts, "
             f"data/adam/cdiscpilot01) and random-cdisc/ (the R package random.cdisc.data's adsl, adae, adrs, "
             f"adtte as .xpt) in {PUBLIC_DATA}", _missing_public_data),
        Need("libreoffice", "LibreOffice Writer, to open the Word and RTF files and convert them to PDF",
             "apt-get install -y libreoffice-writer", _missing_libreoffice),
    )
}


def test_extra() -> list[str]:
    """The requirements of the `test` extra, as pyproject.toml lists them."""
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]["test"]


def missing_distributions(requirements: list[str]) -> list[str]:
    """The distributions named by `requirements` that are not installed."""
    from importlib import metadata

    names = [re.match(r"[A-Za-z0-9_.-]+", r).group(0) for r in requirements]
    absent = []
    for name in names:
        try:
            metadata.distribution(name)
        except metadata.PackageNotFoundError:
            absent.append(name)
    return absent


def opted_out() -> set[str]:
    """The needs named in TRIALREPORT_SKIP; an unknown name is a usage error."""
    names = {n.strip() for n in os.environ.get(SKIP_VARIABLE, "").split(",") if n.strip()}
    unknown = names - set(NEEDS)
    if unknown:
        raise pytest.UsageError(
            f"{SKIP_VARIABLE} names {', '.join(sorted(unknown))}: known are {', '.join(NEEDS)}")
    return names


@cache
def shortfall(name: str) -> str | None:
    return NEEDS[name].missing()


def require(name: str) -> None:
    """Return if the need is met; otherwise skip if opted out, else fail naming the remedy."""
    need = NEEDS[name]
    if name in opted_out():
        pytest.skip(f"{SKIP_VARIABLE} includes {name}: needs {need.what}")
    problem = shortfall(name)
    if problem is not None:
        pytest.fail(f"{problem}. This test needs {need.what}: {need.remedy} "
                    f"(or set {SKIP_VARIABLE}={name} to skip such tests)", pytrace=False)
