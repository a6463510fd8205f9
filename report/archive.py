"""The archive: every bundle under `output/` as an immutable version, indexed in SQLite,
its inputs kept in a content-addressed store, verifiable and reproducible years later.

Layout under the output root:
    <trial>/<kind>/<cutoff>-v<N>/   a version: report files, results.json, manifest.json
    store/sha256/ab/cdef...         every input file ever used, named by its SHA-256
    archive.sqlite                  the index of versions
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Problem

INDEX = "archive.sqlite"
STORE = "store"
MANIFEST = "manifest.json"
VERSION_NAME = re.compile(r"^(?P<cutoff>\d{4}-\d{2}-\d{2})-v(?P<number>\d+)$")
SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    id TEXT PRIMARY KEY,            -- <trial>/<kind>/<cutoff>-v<N>
    trial TEXT NOT NULL,
    kind TEXT NOT NULL,
    cutoff TEXT NOT NULL,
    number INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL
)
"""


class ArchiveError(Exception):
    """The archive itself is damaged (exit code 1): named, never silently repaired."""


@dataclass(frozen=True)
class Version:
    id: str
    trial: str
    kind: str
    cutoff: str
    number: int
    created_at: str
    manifest_sha256: str


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


def snapshot(root: Path, files: list[Path]) -> None:
    """Copy each input into the store (once per content)."""
    for path in files:
        data = path.read_bytes()
        target = store_path(root, hashlib.sha256(data).hexdigest())
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkstemp(dir=target.parent, prefix=".incoming-")[1])
            staging.write_bytes(data)
            os.replace(staging, target)  # whole or not at all; equal content if two builds race


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


# --------------------------------------------------------------------------- index

def connect(root: Path) -> sqlite3.Connection:
    """The index, created if absent; a damaged one raises ArchiveError."""
    path = root / INDEX
    try:
        connection = sqlite3.connect(path, timeout=30, isolation_level=None)
        connection.execute("PRAGMA busy_timeout = 30000")
        if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("integrity check failed")
        connection.execute(SCHEMA)
        return connection
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{path}: the archive index is damaged ({exc}); it was left as it is. "
                           "Move it aside and run `trialreport archive reindex` to rebuild it from the versions on disk.") from None


def add(root: Path, directory: Path) -> Version:
    """Index one published version (idempotent)."""
    version = _version_of(root, directory)
    with connect(root) as db:
        db.execute("INSERT OR IGNORE INTO versions VALUES (?, ?, ?, ?, ?, ?, ?)", _row(version))
    return version


def versions(root: Path, trial: str | None = None, kind: str | None = None) -> list[Version]:
    if not (root / INDEX).exists():
        return []
    query, args = "SELECT * FROM versions WHERE 1 = 1", []
    for column, value in (("trial", trial), ("kind", kind)):
        if value:
            query += f" AND {column} = ?"
            args.append(value)
    with connect(root) as db:
        rows = db.execute(query + " ORDER BY trial, kind, cutoff, number", args).fetchall()
    return [Version(*row) for row in rows]


def on_disk(root: Path) -> list[Path]:
    """Every published version folder (never the hidden staging folders of a build)."""
    return sorted(p for p in root.glob("*/*/*") if p.is_dir() and VERSION_NAME.match(p.name))


def reindex(root: Path) -> int:
    """Index the versions on disk that the index lacks (after an interrupted build); their count."""
    known = {v.id for v in versions(root)}
    missing = [d for d in on_disk(root) if version_id(root, d) not in known and (d / MANIFEST).is_file()]
    for directory in missing:
        add(root, directory)
    return len(missing)


def version_id(root: Path, directory: Path) -> str:
    return directory.resolve().relative_to(root.resolve()).as_posix()


def find(root: Path, version: str) -> Path:
    """A version's folder from its id (<trial>/<kind>/<cutoff>-v<N>) or a path to it."""
    directory = Path(version) if Path(version).is_dir() else root / version
    if not (directory / MANIFEST).is_file():
        raise InputError(Problem(version, f"no archived version here (looked for {directory / MANIFEST})"))
    return directory


def _version_of(root: Path, directory: Path) -> Version:
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    match = VERSION_NAME.match(directory.name)
    return Version(
        id=version_id(root, directory), trial=manifest["trial"], kind=manifest["kind"],
        cutoff=manifest["data_cutoff"], number=int(match["number"]), created_at=manifest["created_at"],
        manifest_sha256=sha256_file(directory / MANIFEST),
    )


def _row(v: Version) -> tuple:
    return (v.id, v.trial, v.kind, v.cutoff, v.number, v.created_at, v.manifest_sha256)


# --------------------------------------------------------------------------- verify

def verify(root: Path, only: str | None = None) -> tuple[list[str], list[str]]:
    """(problems, notes): every missing, changed or extra file, in bundles, store and index."""
    problems, notes = [], []
    indexed = {v.id: v for v in versions(root)}
    folders = [find(root, only)] if only else on_disk(root)
    for directory in folders:
        vid = version_id(root, directory)
        problems += _check_bundle(root, directory)
        if vid not in indexed:
            notes.append(f"{vid}: not in the index yet (a build stopped before indexing it; `archive reindex` adds it)")
        elif (directory / MANIFEST).is_file() and sha256_file(directory / MANIFEST) != indexed[vid].manifest_sha256:
            problems.append(f"{vid}/{MANIFEST}: changed since it was indexed")
    if not only:
        present = {version_id(root, d) for d in folders}
        problems += [f"{vid}: in the index but its folder is missing" for vid in indexed if vid not in present]
        notes += [f"{p.relative_to(root)}: an interrupted build's staging folder (not a version)" for p in root.glob("*/*/.building-*")]
    return problems, notes


def _check_bundle(root: Path, directory: Path) -> list[str]:
    vid = version_id(root, directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{vid}/{MANIFEST}: missing or unreadable ({exc})"]
    problems, listed = [], {entry["path"] for entry in manifest.get("files", [])}
    for entry in manifest.get("files", []):
        path = directory / entry["path"]
        if not path.is_file():
            problems.append(f"{vid}/{entry['path']}: missing")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{vid}/{entry['path']}: changed (SHA-256 differs from the manifest)")
    for path in sorted(directory.iterdir()):
        if path.name != MANIFEST and path.name not in listed:
            problems.append(f"{vid}/{path.name}: extra file, not in the manifest")
    for entry in manifest.get("inputs", []):
        stored = store_path(root, entry["sha256"])
        if not stored.is_file():
            problems.append(f"{vid}: input {entry['name']} missing from the store ({stored.relative_to(root)})")
        elif sha256_file(stored) != entry["sha256"]:
            problems.append(f"{vid}: input {entry['name']} changed in the store ({stored.relative_to(root)})")
    return problems


# --------------------------------------------------------------------------- reproduce

@dataclass(frozen=True)
class Reproduced:
    name: str
    status: str  # identical | different | not re-rendered | encrypted (not compared)
    details: tuple[str, ...] = ()  # for a different file: what differs (report.difference)


def reproduce(root: Path, version: str) -> list[Reproduced]:
    """Re-render a version from its stored inputs, dated as it was; compare every file."""
    import datetime as dt

    from .analysis import analyze
    from .builder import Job, provenance, render_files
    from .trial import load_trial

    directory = find(root, version)
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="trialreport-reproduce-") as tmp:
        folder = Path(tmp)
        problems = restore(root, manifest["inputs"], folder)
        if problems:
            raise InputError(problems)
        trial = load_trial(folder, cutoff=manifest["data_cutoff"], data=folder)
        on = dt.date.fromisoformat(manifest["generated_on"])
        job = Job(trial, manifest["kind"], tuple(manifest["formats"]), on, root,
                  provenance(trial, manifest["kind"], on, manifest["inputs"]),
                  max_chars=manifest.get("limit"), previous=manifest.get("previous_version"))
        rendered = render_files(job, analyze(trial)).files
    return [_compare(entry, rendered, directory, manifest) for entry in manifest["files"]]


def _compare(entry: dict, rendered: dict[str, bytes], directory: Path, manifest: dict) -> Reproduced:
    name = entry["path"]
    if name in manifest.get("encrypted", []):
        return Reproduced(name, "encrypted (not compared)")
    if name not in rendered:
        return Reproduced(name, "not re-rendered")
    if hashlib.sha256(rendered[name]).hexdigest() == entry["sha256"]:
        return Reproduced(name, "identical")
    from .difference import why_different

    archived = (directory / name).read_bytes() if (directory / name).is_file() else b""
    return Reproduced(name, "different", why_different(entry, archived, rendered[name], manifest))
