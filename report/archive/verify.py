"""`archive verify`: every missing, changed or extra file in bundles, store and index; the chain; the signatures."""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import InputError, Problem
from .chain import indexed, missing_index_message, read_manifest, store_files
from .chain_check import chain_problems, legacy_notes, signature_problems
from .signing import SIGNATURE_FILE, load_public_key
from .store import (INDEX, MANIFEST, STORE, ArchiveError, _linked_versions, find, on_disk, sha256_file,
                    store_path, version_id)


def verify(root: Path, only: str | None = None, *, expect_head: str | None = None,
           public_key=None) -> tuple[list[str], list[str]]:
    """(problems, notes): every missing, changed or extra file, in bundles, store and index;
    every break in the hash chain; every signature that fails the given public key."""
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
    present = {version_id(root, d) for d in on_disk(root)}
    problems = [f"{v.id}: in the index but its folder is missing" for v in rows if v.id not in present]
    problems += [f"{p.relative_to(root)}: a symbolic link where a version folder belongs" for p in _linked_versions(root)]
    problems += chain_problems(root, rows) + _store_problems(root)
    signed, notes = signature_problems(root, rows, public_key)
    return problems + signed, legacy_notes(rows) + notes


def _one(root: Path, row, rows: list, public_key) -> tuple[list[str], list[str]]:
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
    vid = version_id(root, directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        files, inputs = _entries(manifest, "files", "path"), _entries(manifest, "inputs", "name")
        templates = _user_templates(manifest) + _style_files(manifest)
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
    stored_files = [(f"input {e['name']}", e) for e in inputs] + [(f"template {e['path']}", e) for e in templates]
    for what, entry in stored_files:
        stored = store_path(root, entry["sha256"])
        if not stored.is_file():
            problems.append(f"{vid}: {what} missing from the store ({stored.relative_to(root)})")
        elif sha256_file(stored) != entry["sha256"]:
            problems.append(f"{vid}: {what} changed in the store ({stored.relative_to(root)})")
    return problems


def _user_templates(manifest: dict) -> list[dict]:
    """The trial's own templates a manifest records (stored like its inputs); ValueError if malformed."""
    recorded = manifest.get("user_templates", {"files": []})
    files = recorded.get("files") if isinstance(recorded, dict) else None
    if not isinstance(files, list) or not all(
            isinstance(e, dict) and isinstance(e.get("path"), str)
            and isinstance(e.get("sha256"), str) and re.fullmatch(r"[0-9a-f]{64}", e["sha256"]) for e in files):
        raise ValueError("user_templates: each file needs a path and a SHA-256")
    return files


def _style_files(manifest: dict) -> list[dict]:
    """The house-style files a manifest records (`style_files`, stored like its inputs); ValueError if malformed."""
    files = manifest.get("style_files", [])
    if not isinstance(files, list) or not all(
            isinstance(e, dict) and isinstance(e.get("path"), str)
            and isinstance(e.get("sha256"), str) and re.fullmatch(r"[0-9a-f]{64}", e["sha256"]) for e in files):
        raise ValueError("style_files: each file needs a path and a SHA-256")
    return files


def _entries(manifest: object, key: str, name: str) -> list[dict]:
    """A manifest's list of files or inputs; ValueError unless each names a plain file and its SHA-256."""
    entries = manifest.get(key, []) if isinstance(manifest, dict) else None
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get(name), str) and "/" not in e[name] and e[name] not in ("", ".", "..")
            and isinstance(e.get("sha256"), str) and re.fullmatch(r"[0-9a-f]{64}", e["sha256"]) for e in entries):
        raise ValueError(f"{key}: each entry needs a plain file {name} and a SHA-256")
    return entries


def _stored_entries(manifest: dict) -> list:
    """A version's files in the store: its inputs, its own templates and its house-style files."""
    templates = manifest.get("user_templates")
    files = templates.get("files") if isinstance(templates, dict) else None
    style = manifest.get("style_files")
    return (list(manifest.get("inputs", [])) + (files if isinstance(files, list) else [])
            + (style if isinstance(style, list) else []))


def _store_problems(root: Path) -> list[str]:
    """Files in the store that are no version's input, or not where their content puts them."""
    used = {entry.get("sha256") for d in on_disk(root) for entry in _stored_entries(read_manifest(d) or {})
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
