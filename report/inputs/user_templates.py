"""A trial's own templates: `[report] templates = "folder"` in trial.toml, a folder inside the
trial folder whose partials and stylesheet go in front of the shipped ones.

Here: where the folder is, whether it may be used, and its files (inputs of the version,
hashed and stored like the data). Whether its templates parse is report.render's check.
"""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from ..errors import Problem

KEY = "report.templates"


def folder_problems(trial_dir: Path, value: object, spec_file: str) -> list[Problem]:
    """What makes `value` unusable as the trial's templates folder (none for a usable one)."""
    if not isinstance(value, str):
        return []  # not text: the spec's own validation says so
    inside, folder = trial_dir.resolve(), trial_dir / value
    real = folder.resolve()
    if not real.is_relative_to(inside) or real == inside:
        where = "is the trial folder itself" if real == inside else f"leads to {real}, outside the trial folder {inside}"
        return [Problem(spec_file, f"{KEY}: {value!r} {where}; name a folder inside it")]
    if not real.exists():
        return [Problem(spec_file, f"{KEY}: {value!r}: no such folder ({folder})")]
    if not real.is_dir():
        return [Problem(spec_file, f"{KEY}: {value!r} is not a folder ({folder})")]
    return [Problem(spec_file, f"{KEY}: {value!r} holds a symbolic link, {link.relative_to(real).as_posix()}: "
                               "put the file itself there") for link in _links(real)]


def folder_of(trial_dir: Path, value: str | None) -> Path | None:
    """The templates folder the spec names, resolved; None where it names none."""
    return (trial_dir / value).resolve() if value is not None else None


def recorded_name(value: str) -> str:
    """The folder as a manifest records it: its path in the trial folder, '/'-separated and normalised."""
    return PurePosixPath(os.path.normpath(value).replace(os.sep, "/")).as_posix()


def template_files(folder: Path) -> list[Path]:
    """Every file of the folder, its subfolders' too, in a fixed order."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _links(folder: Path) -> list[Path]:
    found = []
    for top, dirs, files in os.walk(folder):
        found += [Path(top) / name for name in dirs + files if (Path(top) / name).is_symlink()]
    return sorted(found)
