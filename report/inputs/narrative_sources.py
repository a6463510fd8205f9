"""The user's narrative text as written: `[narrative]` in trial.toml, inline or `@file`, each
section with the file and line its text starts at (so that an error names the line the user
sees). Rendering it against the ledger is report.layout.narrative's."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Problem
from .spec import SPEC_FILE, Spec
from .spec_narrative import SECTIONS


@dataclass(frozen=True)
class Source:
    """One section's text: `text` as written, from `file` (as the user names it) at `line`."""
    section: str
    text: str
    file: str
    line: int  # the file's line of the text's first line
    path: str | None = None  # an @file's path in the trial folder ('/'-separated); None: inline in trial.toml


def narrative_sources(directory: Path, spec: Spec) -> dict[str, Source]:
    """Each section the spec gives text for, in SECTIONS order; InputError naming every @file
    that cannot be read, at once."""
    spec_file = directory / SPEC_FILE
    given = {s: getattr(spec.narrative, s) for s in SECTIONS if getattr(spec.narrative, s) is not None}
    if not given:
        return {}
    lines = spec_file.read_text(encoding="utf-8-sig").splitlines()
    sources, problems = {}, []
    for section, value in given.items():
        if value.startswith("@"):
            source = _file_source(directory, section, value[1:].strip(), problems)
        else:
            source = Source(section, value, str(spec_file), _inline_line(lines, section))
        if source is not None:
            sources[section] = source
    if problems:
        raise InputError(problems)
    return sources


def narrative_files(sources: dict[str, Source]) -> list[str]:
    """The @files the narrative reads, as paths in the trial folder, sorted."""
    return sorted({s.path for s in sources.values() if s.path is not None})


def _file_source(directory: Path, section: str, name: str, problems: list[Problem]) -> Source | None:
    spec_file, key = str(directory / SPEC_FILE), f"narrative.{section}"
    inside, path = directory.resolve(), directory / name
    if not name or not path.resolve().is_relative_to(inside) or path.is_symlink():
        problems.append(Problem(spec_file, f"{key}: {name!r} is not a file inside the trial folder {inside}"))
        return None
    if not path.is_file():
        problems.append(Problem(spec_file, f"{key}: {name!r}: no such file ({path})"))
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.append(Problem(str(path), "is not UTF-8 text: save it again as UTF-8"))
        return None
    relative = path.resolve().relative_to(inside).as_posix()
    return Source(section, text, str(path), 1, relative)


def _inline_line(lines: list[str], section: str) -> int:
    """The line of trial.toml where the section's inline text starts (1 where it cannot be found:
    the spec parsed, so the key is there, but written in a form this does not follow)."""
    table, key = None, re.compile(rf"^\s*{re.escape(section)}\s*=\s*(.*)$")
    for number, line in enumerate(lines, start=1):
        header = re.match(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$", line)
        if header:
            table = header.group(1).strip()
            continue
        found = key.match(line)
        if table == "narrative" and found:
            value = found.group(1)
            opens_block = value[:3] in ('"""', "'''") and value[3:].strip() == ""
            return number + 1 if opens_block else number
    return 1



def declared_files(directory: Path, spec: Spec) -> list[Path]:
    """The @files the spec names (whether or not they exist yet): what `watch` watches."""
    values = (getattr(spec.narrative, s) for s in SECTIONS)
    return sorted({directory / v[1:].strip() for v in values if v is not None and v.startswith("@")})
