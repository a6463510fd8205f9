"""The files `[report.style]` names (a logo, font files): where they are, whether they may be
used, and their bytes. They sit inside the trial folder; they are inputs of the version
(hashed into the manifest and stored like the data), and the only files of the trial folder,
with the templates folder, that rendering reads.
"""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from ..errors import Problem

KEY = "report.style"
FONTS = (".otf", ".ttf", ".woff", ".woff2")
MAX_BYTES = 5 * 2**20  # a logo or a font file: larger, it is not one (and every HTML would carry it)
EXTENSIONS = {"logo": (".png", ".jpg", ".jpeg", ".svg"), "font": FONTS, "font_bold": FONTS}


def style_problems(trial_dir: Path, raw: object, spec_file: str) -> list[Problem]:
    """What makes a file `[report.style]` names unusable, every one (none where all are usable)."""
    if not isinstance(raw, dict):
        return []  # not a table: the spec's own validation says so
    problems = [Problem(spec_file, f"{KEY}.{key}: {message}")
                for key in EXTENSIONS if isinstance(raw.get(key), str)
                for message in _file_problems(trial_dir, raw[key], EXTENSIONS[key])]
    if raw.get("font_bold") is not None and raw.get("font") is None:
        problems.append(Problem(spec_file, f"{KEY}.font_bold: a bold face needs the regular one: name it in {KEY}.font"))
    return problems


def _file_problems(trial_dir: Path, value: str, extensions: tuple[str, ...]) -> list[str]:
    if "\0" in value:
        return [f"{value!r} holds a NUL character: name a file"]
    inside, path = trial_dir.resolve(), trial_dir / value
    problems = []
    if not value.lower().endswith(extensions):
        what = "a font file" if extensions == FONTS else "an image"
        problems.append(f"{value!r} is not {what}: its name must end with {', '.join(extensions)}")
    if os.path.isabs(value) or not path.resolve().is_relative_to(inside):
        return problems + [f"{value!r} leads to {path.resolve()}, outside the trial folder {inside}; "
                           "put the file in the trial folder and name it from there"]
    if _linked(path, inside):
        return problems + [f"{value!r} is or passes through a symbolic link: put the file itself in the trial folder"]
    if not path.exists():
        return problems + [f"{value!r}: no such file ({path})"]
    if not path.is_file():
        return problems + [f"{value!r} is not a file ({path})"]
    if path.stat().st_size > MAX_BYTES:
        problems.append(f"{value!r} is {path.stat().st_size / 2**20:.1f} MB; a style file is at most "
                        f"{MAX_BYTES // 2**20} MB (it is embedded in every report)")
    return problems


def _linked(path: Path, inside: Path) -> bool:
    """Whether `path`, or a folder between the trial folder and it, is a symbolic link."""
    current = path.absolute()
    while current.resolve() != inside and current != current.parent:
        if current.is_symlink():
            return True
        current = current.parent
    return False


def style_paths(trial_dir: Path, style) -> dict[str, Path]:
    """The files the spec's style names (a validated spec: they exist inside the trial folder), by key."""
    return {key: trial_dir / getattr(style, key) for key in EXTENSIONS if getattr(style, key) is not None}


def recorded_path(value: str) -> str:
    """A style file as a manifest records it: its path in the trial folder, '/'-separated and normalised."""
    return PurePosixPath(os.path.normpath(value).replace(os.sep, "/")).as_posix()
