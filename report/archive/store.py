"""The archive: every bundle under `output/` as an immutable version, indexed in SQLite,
its inputs kept in a content-addressed store, verifiable and reproducible years later.

Layout under the output root:
    <trial>/<kind>/<cutoff>-v<N>/   a version: report files, results.json, manifest.json
    store/sha256/ab/cdef...         every input file ever used, named by its SHA-256
    archive.sqlite                  the index of versions: one hash chain (report.archive.chain)
    <version>/manifest.sig          a signed version's Ed25519 signature (report.archive.signing)

This module: the names, the store, and the version folders on disk. The index is read in
report.archive.index, checked in report.archive.verify; report.compose reproduces a version.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from ..errors import InputError, Problem

INDEX = "archive.sqlite"
STORE = "store"
MANIFEST = "manifest.json"
VERSION_NAME = re.compile(r"^(?P<cutoff>\d{4}-\d{2}-\d{2})-v(?P<number>\d+)$")


class ArchiveError(Exception):
    """The archive itself is damaged (exit code 1): named, never silently repaired."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------- store

def store_path(root: Path, digest: str) -> Path:
    return root / STORE / "sha256" / digest[:2] / digest[2:]


def input_entries(files: list[Path]) -> list[dict]:
    """The manifest's entry for each input: name, size and SHA-256."""
    return [{"name": p.name, "path": str(p), "bytes": p.stat().st_size, "sha256": sha256_file(p)} for p in files]


def snapshot(root: Path, files: list[Path], created: list[Path] | None = None) -> None:
    """Copy each input into the store (once per content); the paths it adds go to `created`."""
    for path in files:
        data = path.read_bytes()
        target = store_path(root, hashlib.sha256(data).hexdigest())
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        os.close(handle)
        staging = Path(name)
        try:
            staging.write_bytes(data)
            os.replace(staging, target)  # whole or not at all
        except BaseException:
            staging.unlink(missing_ok=True)  # a failed copy leaves nothing behind
            raise
        if created is not None:
            created.append(target)


def restore(root: Path, inputs: list[dict], folder: Path) -> list[Problem]:
    """Write a version's inputs from the store into `folder`; problems for any missing."""
    problems = []
    for entry in inputs:
        source = store_path(root, entry["sha256"])
        if not source.is_file() or sha256_file(source) != entry["sha256"]:
            problems.append(Problem(str(source), f"the stored input {entry['name']} is missing or changed"))
            continue
        (folder / entry["name"]).write_bytes(source.read_bytes())
    return problems


def restore_folder(root: Path, recorded: dict, folder: Path) -> list[Problem]:
    """Write a version's own templates (the manifest's `user_templates`: the folder in the trial
    folder and its files by path) from the store into `folder`, subfolders and all."""
    return restore_files(root, recorded.get("files", []), folder / _relative(recorded.get("folder")), "template")


def restore_files(root: Path, files: list[dict], target: Path, what: str = "file") -> list[Problem]:
    """Write each stored file (`path` inside `target`, `sha256`) from the store into `target`:
    a version's templates, house-style files (`style_files`) or narrative files (`what` it is)."""
    problems = []
    for entry in files:
        source, path = store_path(root, entry["sha256"]), target / _relative(entry["path"])
        if not source.is_file() or sha256_file(source) != entry["sha256"]:
            problems.append(Problem(str(source), f"the stored {what} {entry['path']} is missing or changed"))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(source.read_bytes())
    return problems


def _relative(name: object) -> Path:
    """A path a manifest records inside a folder; InputError for one that would leave it."""
    path = Path(name) if isinstance(name, str) else None
    if path is None or path.is_absolute() or not path.parts or ".." in path.parts:
        raise InputError(Problem(MANIFEST, f"user_templates: {name!r} is not a path inside the trial folder"))
    return path


# --------------------------------------------------------------------------- versions on disk

def on_disk(root: Path) -> list[Path]:
    """Every published version folder (never the hidden staging folders of a build, nor symbolic links)."""
    return sorted(p for p in root.glob("*/*/*") if VERSION_NAME.match(p.name) and p.is_dir() and not _linked(p))


def _linked(path: Path) -> bool:
    """A version folder that is, or lies under, a symbolic link (<trial>/<kind>/<version>)."""
    return any(p.is_symlink() for p in (path, path.parent, path.parent.parent))


def _linked_versions(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("*/*/*") if VERSION_NAME.match(p.name) and _linked(p))


def version_id(root: Path, directory: Path) -> str:
    return directory.resolve().relative_to(root.resolve()).as_posix()


def find(root: Path, version: str) -> Path:
    """A version's folder from its id (<trial>/<kind>/<cutoff>-v<N>) or a path to it; InputError
    for anything else, such as a folder outside the archive or a symbolic link."""
    directory = Path(version) if Path(version).is_dir() else root / version
    if not (directory / MANIFEST).is_file():
        raise InputError(Problem(version, f"no archived version here (looked for {directory / MANIFEST})"))
    real = directory.resolve()
    if not real.is_relative_to(root.resolve()):
        raise InputError(Problem(version, f"not in the archive {root}: it leads to {real}, outside it"))
    if _linked(directory) or len(real.relative_to(root.resolve()).parts) != 3 or not VERSION_NAME.match(real.name):
        raise InputError(Problem(version, f"not a version folder of the archive {root} (<trial>/<kind>/<cutoff>-v<N>, "
                                          "a real folder, not a symbolic link)"))
    return directory
