"""The archive's index read: the versions it holds, a file of one as indexed, the chain's head."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..errors import InputError, Problem
from .chain import head, indexed, missing_index_message
from .chain_check import chain_problems
from .store import MANIFEST, ArchiveError, on_disk, sha256_file


def versions(root: Path, trial: str | None = None, kind: str | None = None) -> list:
    """Every indexed version, oldest first; ArchiveError if versions are on disk but the index is missing."""
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


def chain_head(root: Path):
    """The chain's last record, after checking the chain; ArchiveError if it is broken."""
    rows = _indexed_or_fail(root)
    problems = chain_problems(root, rows)
    if problems:
        raise ArchiveError("the hash chain is broken, so it has no head worth recording: " + "; ".join(problems))
    last = head(rows)
    if last is None:
        raise InputError(Problem(str(root), "no chained version yet: the chain starts with the next build"))
    return last


def _indexed_or_fail(root: Path) -> list:
    rows = indexed(root)
    if rows is None:
        if on_disk(root):
            raise ArchiveError(missing_index_message(root))
        raise InputError(Problem(str(root), "no archive here: no index and no versions"))
    return rows
