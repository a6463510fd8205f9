"""Checking the archive's hash chain and signatures, and rebuilding the index from it."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .store import MANIFEST, ArchiveError, on_disk, sha256_file, version_id
from .chain import (Version, _insert, _prepare, index_error, indexed, legacy_list, open_index, read_manifest,
                    record_sha256, signature_text, version_of)
from .signing import SIGNATURE_FILE, signature_verifies

FIELDS = ("trial", "kind", "data_cutoff", "created_at")  # what an index record takes from a manifest


def chain_problems(root: Path, rows: list[Version], upto: Version | None = None) -> list[str]:
    """Every break in the chain of index records and manifests (up to `upto`, if given)."""
    chained = sorted((v for v in rows if v.position is not None), key=lambda v: v.position)
    if upto is not None:
        chained = [v for v in chained if v.position <= upto.position]
    legacy = [v for v in rows if v.position is None]
    problems, expected, previous, previous_sha = [], 1, None, None
    for row in chained:
        if row.position != expected:
            problems.append(f"chain position {expected}: no index record (deleted); the chain resumes at "
                            f"position {row.position} with {row.id}")
        if row.previous_record != (previous.record_sha256 if previous else None):
            problems.append(f"{row.id}: its index record does not link to the record before it "
                            "(an index record was deleted or rewritten)")
        if row.record_sha256 != record_sha256(row.position, row.id, row.manifest_sha256, row.signature,
                                              row.previous_record):
            problems.append(f"{row.id}: its index record was altered (its hash differs)")
        problems += _manifest_link(root, row, previous, previous_sha, legacy)
        manifest = root / row.id / MANIFEST
        previous, previous_sha, expected = row, sha256_file(manifest) if manifest.is_file() else None, row.position + 1
    return problems


def _manifest_link(root: Path, row: Version, previous: Version | None, previous_sha: str | None,
                   legacy: list[Version]) -> list[str]:
    manifest = read_manifest(root / row.id)
    if manifest is None:
        return []  # reported as a missing or unreadable manifest
    link = manifest.get("chain")
    if not isinstance(link, dict) or link.get("position") != row.position:
        return [f"{row.id}/{MANIFEST}: not at chain position {row.position}, where the index has it"]
    problems = []
    if link.get("previous_manifest_sha256") != previous_sha or link.get("previous") != (previous.id if previous else None):
        before = f"the manifest of {previous.id}" if previous else "nothing (it claims to start the chain)"
        problems.append(f"{row.id}/{MANIFEST}: does not link to {before} (a version before it was deleted or rewritten)")
    if row.position == 1 and (link.get("legacy") or []) != legacy_list(legacy):
        problems.append(f"{row.id}/{MANIFEST}: the legacy versions it lists differ from the index's "
                        "(a legacy version's record was added, deleted or changed)")
    return problems


def legacy_notes(rows: list[Version]) -> list[str]:
    legacy = sorted(v.id for v in rows if v.position is None)
    if not legacy:
        return []
    chained = any(v.position is not None for v in rows)
    where = "listed in the first chained version" if chained else "the chain starts with the next build"
    return [f"{len(legacy)} unchained legacy version(s), made before the hash chain ({where}): {', '.join(legacy)}"]


def signature_problems(root: Path, rows: list[Version], public_key=None) -> tuple[list[str], list[str]]:
    """(problems, notes): signature files against the index, and against `public_key` if given."""
    problems, signers, unsigned = [], set(), []
    for row in sorted(rows, key=lambda v: v.id):
        directory = root / row.id
        if not directory.is_dir():
            continue
        signature, manifest = signature_text(directory), read_manifest(directory) or {}
        if signature != row.signature:
            problems.append(f"{row.id}/{SIGNATURE_FILE}: differs from the index (added, deleted or changed)")
        if manifest.get("signature") and signature is None:
            problems.append(f"{row.id}/{SIGNATURE_FILE}: missing, though the manifest names a signature")
        if signature is None:
            unsigned.append(row.id)
        else:
            block = manifest.get("signature")
            signers.add(str(block.get("signer")) if isinstance(block, dict) else "(no signer named)")
        if public_key is not None:
            problems += _against_key(directory, row.id, signature, public_key)
    return problems, _signature_notes(len(rows), signers, unsigned, public_key is not None)


def _against_key(directory: Path, vid: str, signature: str | None, public_key) -> list[str]:
    if signature is None:
        return [f"{vid}: unsigned (with --public-key every version must be signed)"]
    if not signature_verifies(public_key, (directory / MANIFEST).read_bytes(), signature):
        return [f"{vid}: its signature does not verify with the given public key (forged, or signed with another key)"]
    return []


def _signature_notes(total: int, signers: set[str], unsigned: list[str], checked: bool) -> list[str]:
    if not total:
        return []
    if len(unsigned) == total:
        return ["unsigned archive: no version is signed"]
    notes = [f"{total - len(unsigned)} of {total} version(s) signed, by {', '.join(sorted(signers))}"
             + ("; signatures checked against the given public key" if checked
                else "; signatures not checked: give --public-key FILE")]
    if unsigned and not checked:
        notes.append(f"{len(unsigned)} version(s) unsigned: {', '.join(unsigned)}")
    return notes


# --------------------------------------------------------------------------- reindex

@dataclass(frozen=True)
class _Found:
    directory: Path
    vid: str
    manifest: dict
    sha: str

    @property
    def link(self) -> dict | None:
        link = self.manifest.get("chain")
        return link if isinstance(link, dict) and isinstance(link.get("position"), int) else None


def reindex(root: Path, public_key=None) -> tuple[list[str], list[str]]:
    """(versions added, breaks): index the versions whose chain links verify; name every other one."""
    found, breaks = _manifests(root)
    chained, breaks2 = _walk(root, [f for f in found if f.link], public_key, {v.id for v in indexed(root) or []})
    legacy, breaks3 = _legacy(root, [f for f in found if not f.link], chained)
    computed = {v.id: v for v in chained + legacy}
    added = _store_rows(root, computed)
    return added, breaks + breaks2 + breaks3


def _manifests(root: Path) -> tuple[list[_Found], list[str]]:
    found, breaks = [], []
    for directory in on_disk(root):
        vid, manifest = version_id(root, directory), read_manifest(directory)
        if manifest is None or not all(isinstance(manifest.get(k), str) for k in FIELDS):
            breaks.append(f"{vid}: no readable {MANIFEST} naming {', '.join(FIELDS)}; not indexed")
        else:
            found.append(_Found(directory, vid, manifest, sha256_file(directory / MANIFEST)))
    return found, breaks


def _walk(root: Path, chained: list[_Found], public_key, known: set[str]) -> tuple[list[Version], list[str]]:
    """The chain from position 1 for as long as each manifest links to the one before."""
    by_position = defaultdict(list)
    for f in chained:
        by_position[f.link["position"]].append(f)
    accepted, previous, position, reason = [], None, 1, ""
    while by_position.get(position):
        linking = [f for f in by_position[position] if _links(f, previous) and _signed(f, public_key)]
        choice, reason = _choose(linking, by_position.get(position + 1, []), known, position, previous)
        if choice is None:
            break
        previous = version_of(root, choice.directory, position, previous.record_sha256 if previous else None)
        accepted.append(previous)
        position += 1
    taken = {v.id for v in accepted}
    breaks = [f"{f.vid}: chain position {f.link['position']}: {_why(f.link['position'], position, reason)}; not indexed"
              for f in sorted(chained, key=lambda f: (f.link["position"], f.vid)) if f.vid not in taken]
    return accepted, breaks


def _why(claimed: int, stop: int, reason: str) -> str:
    if claimed < stop:
        return "another version holds this position in the chain"
    if claimed == stop:
        return reason
    return f"after the break at position {stop}" + ("" if reason else f" (no version holds position {stop})")


def _links(found: _Found, previous: Version | None) -> bool:
    return (found.link.get("previous_manifest_sha256") == (previous.manifest_sha256 if previous else None)
            and found.link.get("previous") == (previous.id if previous else None))


def _signed(found: _Found, public_key) -> bool:
    if public_key is None:
        return True
    signature = signature_text(found.directory)
    return signature is not None and signature_verifies(public_key, (found.directory / MANIFEST).read_bytes(), signature)


def _choose(linking: list[_Found], following: list[_Found], known: set[str], position: int,
            previous: Version | None) -> tuple[_Found | None, str]:
    if len(linking) == 1:
        return linking[0], ""
    if not linking:
        before = previous.id if previous else "the start of the chain"
        return None, f"does not link to {before} (a version was deleted or rewritten, or the signature fails)"
    preferred = [f for f in linking if f.vid in known] or [
        f for f in linking if any(n.link.get("previous_manifest_sha256") == f.sha for n in following)]
    if len(preferred) == 1:
        return preferred[0], ""
    return None, f"{len(linking)} versions claim this position"


def _legacy(root: Path, legacy: list[_Found], chained: list[Version]) -> tuple[list[Version], list[str]]:
    """Legacy versions: all of them before any chain; then only those the first chained manifest lists."""
    if not chained:
        return [version_of(root, f.directory, None, None) for f in legacy], []
    first = read_manifest(root / chained[0].id) or {}
    listed = {(e.get("version"), e.get("manifest_sha256")) for e in first.get("chain", {}).get("legacy") or []}
    kept = [f for f in legacy if (f.vid, f.sha) in listed]
    breaks = [f"{f.vid}: an unchained version the chain does not list as legacy; not indexed"
              for f in legacy if f not in kept]
    return [version_of(root, f.directory, None, None) for f in kept], breaks


def _store_rows(root: Path, computed: dict[str, Version]) -> list[str]:
    """Insert the computed rows the index lacks; an index that disagrees with them is left alone."""
    import sqlite3

    existing = indexed(root) or []
    disagree = [v.id for v in existing if computed.get(v.id) != v]
    if disagree:
        raise ArchiveError(f"the index disagrees with the versions on disk at {', '.join(sorted(disagree))}; it was "
                           "left as it is. Run `trialreport archive verify`; to rebuild the index, move "
                           "archive.sqlite aside and run `trialreport archive reindex` again.")
    have = {v.id for v in existing}
    new = [v for v in computed.values() if v.id not in have]
    db = open_index(root, create=True)
    try:
        db.execute("BEGIN IMMEDIATE")
        _prepare(db)
        for version in sorted(new, key=lambda v: (v.position is not None, v.position or 0, v.id)):
            _insert(db, version)
        db.execute("COMMIT")
    except sqlite3.Error as exc:
        raise index_error(exc, root / "archive.sqlite") from None
    finally:
        db.close()
    return sorted(v.id for v in new)
