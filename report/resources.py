"""Where the package's own templates and bundled trials are."""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    # Installed from a wheel they sit inside the package; in a checkout (or an editable
    # install) they are the top-level folders of DESIGN section 2.
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


def templates_dir() -> Path:
    return _shipped("templates")


def bundled_trial(name: str) -> Path:
    return _shipped("data") / name
