"""The archive: every bundle under `output/` as an immutable version, indexed in SQLite,
its inputs kept in a content-addressed store, verifiable and reproducible years later.

Layout under the output root:
    <trial>/<kind>/<cutoff>-v<N>/   a version: report files, results.json, manifest.json
    store/sha256/ab/cdef...         every input file ever used, named by its SHA-256
    archive.sqlite                  the index of versions: one hash chain (report.chain)
    <version>/manifest.sig          a signed version's Ed25519 signature (report.signing)
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Problem

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


# --------------------------------------------------------------------------- index

def versions(root: Path, trial: str | None = None, kind: str | None = None) -> list:
    """Every indexed version, oldest first; ArchiveError if versions are on disk but the index is missing."""
    from .chain import indexed, missing_index_message

    rows = indexed(root)
    if rows is None:
        if on_disk(root):
            raise ArchiveError(missing_index_message(root))
        return []
    rows = [v for v in rows if (not trial or v.trial == trial) and (not kind or v.kind == kind)]
    return sorted(rows, key=lambda v: (v.trial, v.kind, v.cutoff, v.number))


def indexed_file(root: Path, trial: str, kind: str, cutoff: str, pinned: str | None, name: str) -> tuple[bytes, str] | None:
    """A file of the latest indexed version of that trial, kind and cutoff (or of the pinned
    version), and that version's id; None if there is none. Only an indexed version counts,
    and only as indexed: ArchiveError if its manifest or the file changed since."""
    rows = [v for v in versions(root, trial, kind) if (v.id == pinned if pinned else v.cutoff == cutoff)]
    if not rows:
        return None
    version = max(rows, key=lambda v: v.number)
    folder = root / version.id
    manifest = folder / MANIFEST
    if not manifest.is_file() or sha256_file(manifest) != version.manifest_sha256:
        raise ArchiveError(f"{version.id}/{MANIFEST}: missing or changed since it was indexed; run `trialreport archive verify`")
    listed = {e.get("path"): e.get("sha256") for e in json.loads(manifest.read_text(encoding="utf-8")).get("files", [])}
    data = (folder / name).read_bytes() if (folder / name).is_file() else None
    if data is None or hashlib.sha256(data).hexdigest() != listed.get(name):
        raise ArchiveError(f"{version.id}/{name}: missing or changed since the build; run `trialreport archive verify`")
    return data, version.id


def on_disk(root: Path) -> list[Path]:
    """Every published version folder (never the hidden staging folders of a build, nor symbolic links)."""
    return sorted(p for p in root.glob("*/*/*") if VERSION_NAME.match(p.name) and p.is_dir() and not _linked(p))


def _linked(path: Path) -> bool:
    """A version folder that is, or lies under, a symbolic link (<trial>/<kind>/<version>)."""
    return any(p.is_symlink() for p in (path, path.parent, path.parent.parent))


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


def chain_head(root: Path):
    """The chain's last record, after checking the chain; ArchiveError if it is broken."""
    from .chain import head
    from .chain_check import chain_problems

    rows = _indexed_or_fail(root)
    problems = chain_problems(root, rows)
    if problems:
        raise ArchiveError("the hash chain is broken, so it has no head worth recording: " + "; ".join(problems))
    last = head(rows)
    if last is None:
        raise InputError(Problem(str(root), "no chained version yet: the chain starts with the next build"))
    return last


def _indexed_or_fail(root: Path) -> list:
    from .chain import indexed, missing_index_message

    rows = indexed(root)
    if rows is None:
        if on_disk(root):
            raise ArchiveError(missing_index_message(root))
        raise InputError(Problem(str(root), "no archive here: no index and no versions"))
    return rows


# --------------------------------------------------------------------------- verify

def verify(root: Path, only: str | None = None, *, expect_head: str | None = None,
           public_key=None) -> tuple[list[str], list[str]]:
    """(problems, notes): every missing, changed or extra file, in bundles, store and index;
    every break in the hash chain; every signature that fails the given public key."""
    from .chain import indexed, missing_index_message

    if expect_head is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", expect_head):
        raise InputError(Problem("--expect-head", f"{expect_head!r} is not a head hash (64 hexadecimal digits, "
                                                  "as `archive head` prints)"))
    directory = find(root, only) if only else None
    folders = [directory] if directory else on_disk(root)
    problems, notes, rows = [], [], indexed(root)
    if rows is None:
        if not folders:
            raise InputError(Problem(str(root), "no archive here: no index and no versions"))
        problems.append(missing_index_message(root))
        rows = []
    by_id = {v.id: v for v in rows}
    for folder in folders:
        problems += _check_folder(root, folder, by_id)
    checked, chain_notes = (_one(root, by_id.get(version_id(root, directory)), rows, public_key) if directory
                            else _whole(root, rows, public_key))
    problems += checked + _head_problems(rows, expect_head)
    notes += chain_notes
    if not only:
        notes += [f"{p.relative_to(root)}: an interrupted build's staging folder (not a version)" for p in root.glob("*/*/.building-*")]
    return problems, notes


def sending_problems(bundle: Path, public_key: Path | None = None) -> list[Problem]:
    """Why a bundle may not be sent as the archive holds it: not indexed, changed, its chain
    broken up to it, or (given a public key kept outside the archive) not signed with its private key."""
    from .signing import load_public_key

    root = bundle.resolve().parents[2] if len(bundle.resolve().parents) > 2 else bundle
    if not (root / INDEX).is_file():
        return [Problem(str(bundle), f"not an archived version: no archive index at {root / INDEX}; "
                                     "only versions the archive holds are sent")]
    try:
        problems, _ = verify(root, str(bundle), public_key=load_public_key(public_key, root))
    except InputError as exc:
        return exc.problems
    except ArchiveError as exc:
        return [Problem(str(bundle), str(exc))]
    return [Problem(str(bundle), f"the archive check failed: {problem}") for problem in problems]


def _whole(root: Path, rows: list, public_key) -> tuple[list[str], list[str]]:
    from .chain_check import chain_problems, legacy_notes, signature_problems

    present = {version_id(root, d) for d in on_disk(root)}
    problems = [f"{v.id}: in the index but its folder is missing" for v in rows if v.id not in present]
    problems += [f"{p.relative_to(root)}: a symbolic link where a version folder belongs" for p in _linked_versions(root)]
    problems += chain_problems(root, rows) + _store_problems(root)
    signed, notes = signature_problems(root, rows, public_key)
    return problems + signed, legacy_notes(rows) + notes


def _one(root: Path, row, rows: list, public_key) -> tuple[list[str], list[str]]:
    from .chain_check import chain_problems, signature_problems

    if row is None:
        return [], []
    problems = chain_problems(root, rows, upto=row) if row.position is not None else []
    notes = [] if row.position is not None else [f"{row.id}: an unchained legacy version, made before the hash chain"]
    signed, signature_notes = signature_problems(root, [row], public_key)
    return problems + signed, notes + signature_notes


def _head_problems(rows: list, expect_head: str | None) -> list[str]:
    if expect_head is None:
        return []
    if expect_head.lower() not in {v.record_sha256 for v in rows if v.position is not None}:
        return [f"the archive no longer leads to the head {expect_head}: a version up to it was deleted or rewritten"]
    return []


def _linked_versions(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("*/*/*") if VERSION_NAME.match(p.name) and _linked(p))


def _check_folder(root: Path, directory: Path, by_id: dict) -> list[str]:
    vid = version_id(root, directory)
    problems, row = _check_bundle(root, directory), by_id.get(vid)
    if row is None:
        problems.append(f"{vid}: not in the index (never indexed: forged, or published by a build that stopped; "
                        "`archive reindex` indexes it only if its chain links verify)")
    elif (directory / MANIFEST).is_file() and sha256_file(directory / MANIFEST) != row.manifest_sha256:
        problems.append(f"{vid}/{MANIFEST}: changed since it was indexed")
    return problems


def _check_bundle(root: Path, directory: Path) -> list[str]:
    from .signing import SIGNATURE_FILE

    vid = version_id(root, directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        files, inputs = _entries(manifest, "files", "path"), _entries(manifest, "inputs", "name")
    except (OSError, ValueError) as exc:
        return [f"{vid}/{MANIFEST}: missing, unreadable or malformed ({exc})"]
    problems, listed = [], {entry["path"] for entry in files}
    for entry in files:
        path = directory / entry["path"]
        if not path.is_file() or path.is_symlink():
            problems.append(f"{vid}/{entry['path']}: missing" + (" (a symbolic link in its place)" if path.is_symlink() else ""))
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{vid}/{entry['path']}: changed (SHA-256 differs from the manifest)")
    for path in sorted(directory.iterdir()):
        if path.name not in (MANIFEST, SIGNATURE_FILE) and path.name not in listed:
            problems.append(f"{vid}/{path.name}: extra file, not in the manifest")
    for entry in inputs:
        stored = store_path(root, entry["sha256"])
        if not stored.is_file():
            problems.append(f"{vid}: input {entry['name']} missing from the store ({stored.relative_to(root)})")
        elif sha256_file(stored) != entry["sha256"]:
            problems.append(f"{vid}: input {entry['name']} changed in the store ({stored.relative_to(root)})")
    return problems


def _entries(manifest: object, key: str, name: str) -> list[dict]:
    """A manifest's list of files or inputs; ValueError unless each names a plain file and its SHA-256."""
    entries = manifest.get(key, []) if isinstance(manifest, dict) else None
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get(name), str) and "/" not in e[name] and e[name] not in ("", ".", "..")
            and isinstance(e.get("sha256"), str) and re.fullmatch(r"[0-9a-f]{64}", e["sha256"]) for e in entries):
        raise ValueError(f"{key}: each entry needs a plain file {name} and a SHA-256")
    return entries


def _store_problems(root: Path) -> list[str]:
    """Files in the store that are no version's input, or not where their content puts them."""
    from .chain import read_manifest, store_files

    used = {entry.get("sha256") for d in on_disk(root) for entry in (read_manifest(d) or {}).get("inputs", [])
            if isinstance(entry, dict)}
    problems = []
    for path in store_files(root):
        parts = path.relative_to(root / STORE).parts
        digest = parts[1] + parts[2] if len(parts) == 3 and parts[0] == "sha256" else ""
        if path.is_symlink() or not re.fullmatch(r"[0-9a-f]{64}", digest) or store_path(root, digest) != path:
            problems.append(f"{path.relative_to(root)}: extra file in the store (not a stored input)")
        elif digest not in used:
            problems.append(f"{path.relative_to(root)}: extra file in the store (no version's input: added by hand, "
                            "or by a build that was stopped)")
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
                  max_chars=manifest.get("limit"), previous=manifest.get("previous_version"),
                  signed=manifest.get("signature"))
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
