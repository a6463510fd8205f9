"""The archive's index: append-only, one hash chain per output root.

Each version's index record holds the hash of the record before it, and each manifest
records its chain position and the SHA-256 of the previous version's manifest; so deleting
or rewriting any version breaks the chain, whatever is rewritten after it. Only two things
catch a rewrite of a version, every later one and the index together: the head hash kept
outside the archive (`archive head`, `verify --expect-head`) and signatures checked against
a public key kept outside it (`verify --public-key`).

Appends are serialised by the index's transaction (BEGIN IMMEDIATE held while the head is
read, the bundle written and published, and its row inserted), so concurrent builds get
distinct versions and a valid chain. Versions indexed before the chain existed are
"legacy": unchained, listed once in the first chained manifest.
"""
from __future__ import annotations

import errno
import hashlib
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Iterator

from .store import INDEX, MANIFEST, STORE, VERSION_NAME, ArchiveError, on_disk, sha256_file, snapshot, version_id
from .signing import SIGNATURE_FILE

TABLE = """
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
CHAIN_COLUMNS = {  # added to an index made before the chain
    "position": "INTEGER", "previous_record": "TEXT", "record_sha256": "TEXT",
    "signer": "TEXT", "signed_at": "TEXT", "signature": "TEXT",
}
GUARDS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS versions_position ON versions (position)",
    "CREATE TRIGGER IF NOT EXISTS versions_append_only_update BEFORE UPDATE ON versions "
    "BEGIN SELECT RAISE(ABORT, 'the archive index is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS versions_append_only_delete BEFORE DELETE ON versions "
    "BEGIN SELECT RAISE(ABORT, 'the archive index is append-only'); END",
)
SQLITE_FULL, SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_IOERR = 13, 11, 26, 10


@dataclass(frozen=True)
class Version:
    id: str
    trial: str
    kind: str
    cutoff: str
    number: int
    created_at: str
    manifest_sha256: str
    position: int | None = None  # None: a legacy version, indexed before the chain
    previous_record: str | None = None
    record_sha256: str | None = None
    signer: str | None = None
    signed_at: str | None = None
    signature: str | None = None  # manifest.sig's text (base64)


COLUMNS = tuple(f.name for f in fields(Version))


def record_sha256(position: int, vid: str, manifest_sha256: str, signature: str | None,
                  previous_record: str | None) -> str:
    """The hash of one chain record: its position, version, manifest, signature and the record before."""
    record = {"position": position, "version": vid, "manifest_sha256": manifest_sha256,
              "signature": signature, "previous_record_sha256": previous_record}
    return hashlib.sha256(json.dumps(record, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def legacy_list(legacy: list[Version]) -> list[dict]:
    """The legacy versions as the first chained manifest lists them."""
    return [{"version": v.id, "manifest_sha256": v.manifest_sha256} for v in sorted(legacy, key=lambda v: v.id)]


# --------------------------------------------------------------------------- the index file

def index_error(exc: sqlite3.Error, path: Path) -> Exception:
    """What an SQLite error means: out of space, a damaged index, or another failure."""
    code = getattr(exc, "sqlite_errorcode", None)
    base = code & 0xFF if isinstance(code, int) else None
    if base == SQLITE_FULL or "disk is full" in str(exc):
        return OSError(errno.ENOSPC, "out of space: the archive index could not be written", str(path))
    if base == SQLITE_IOERR:
        return OSError(errno.EIO, f"the archive index could not be written ({exc})", str(path))
    if base in (SQLITE_CORRUPT, SQLITE_NOTADB) or "integrity check" in str(exc):
        return ArchiveError(f"{path}: the archive index is damaged ({exc}); it was left as it is. Move it aside "
                            "and run `trialreport archive reindex` to rebuild it from the versions whose chain verifies.")
    return ArchiveError(f"{path}: the archive index could not be used ({exc})")


def open_index(root: Path, create: bool = False) -> sqlite3.Connection:
    """The index; ArchiveError if it is missing (unless `create`) or damaged. Never silently made."""
    path = root / INDEX
    if not create and not path.is_file():
        raise ArchiveError(missing_index_message(root))
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode={'rwc' if create else 'rw'}", uri=True,
                             timeout=120, isolation_level=None)
        db.execute("PRAGMA busy_timeout = 120000")
        if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("integrity check failed")
        return db
    except sqlite3.Error as exc:
        raise index_error(exc, path) from None


def missing_index_message(root: Path) -> str:
    count = len(on_disk(root))
    return (f"{root / INDEX}: the archive index is missing, but {root} holds {count} version(s). It is never "
            "re-created silently: restore it from a backup, or run `trialreport archive reindex` to rebuild it "
            "from the versions whose chain links verify.")


def indexed(root: Path) -> list[Version] | None:
    """Every indexed version (legacy ones included), or None when there is no index file."""
    if not (root / INDEX).is_file():
        return None
    db = open_index(root)
    try:
        return _rows(db)
    except sqlite3.Error as exc:
        raise index_error(exc, root / INDEX) from None
    finally:
        db.close()


def _rows(db: sqlite3.Connection) -> list[Version]:
    present = {row[1] for row in db.execute("PRAGMA table_info(versions)")}
    if not present:
        return []
    columns = ", ".join(c if c in present else f"NULL AS {c}" for c in COLUMNS)
    return [Version(*row) for row in db.execute(f"SELECT {columns} FROM versions")]


def _prepare(db: sqlite3.Connection) -> None:
    """The table, the chain's columns (added to a legacy index) and the append-only guards."""
    db.execute(TABLE)
    present = {row[1] for row in db.execute("PRAGMA table_info(versions)")}
    for name, kind in CHAIN_COLUMNS.items():
        if name not in present:
            db.execute(f"ALTER TABLE versions ADD COLUMN {name} {kind}")
    for statement in GUARDS:
        db.execute(statement)


def _insert(db: sqlite3.Connection, version: Version) -> None:
    values = [getattr(version, c) for c in COLUMNS]
    db.execute(f"INSERT INTO versions ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", values)


def head(rows: list[Version]) -> Version | None:
    chained = [v for v in rows if v.position is not None]
    return max(chained, key=lambda v: v.position) if chained else None


# --------------------------------------------------------------------------- appending

@dataclass
class Append:
    """One build's place in the chain, while the index's write transaction is held."""
    root: Path
    db: sqlite3.Connection
    previous: Version | None
    legacy: list[Version]
    stored: list[Path] = field(default_factory=list)  # store files this build added
    published: Path | None = None

    @property
    def position(self) -> int:
        return self.previous.position + 1 if self.previous else 1

    def link(self) -> dict:
        """The manifest's `chain` block."""
        block = {"position": self.position, "previous": self.previous.id if self.previous else None,
                 "previous_manifest_sha256": self.previous.manifest_sha256 if self.previous else None}
        if self.position == 1 and self.legacy:
            block["legacy"] = legacy_list(self.legacy)
        return block

    def snapshot(self, files: list[Path]) -> None:
        snapshot(self.root, files, self.stored)

    def record(self, directory: Path) -> Version:
        """Index a version just published (inside the transaction)."""
        self.published = directory
        version = version_of(self.root, directory, self.position, self.previous.record_sha256 if self.previous else None)
        try:
            _insert(self.db, version)
        except sqlite3.Error as exc:
            raise index_error(exc, self.root / INDEX) from None
        return version

    def undo(self) -> None:
        """A failed append publishes nothing: the version folder and new store files go."""
        import shutil
        import tempfile

        if self.published is not None and self.published.is_dir():
            aside = Path(tempfile.mkdtemp(prefix=".building-", dir=self.published.parent))
            self.published.rename(aside / "version")
            shutil.rmtree(aside, ignore_errors=True)
        for path in self.stored:
            path.unlink(missing_ok=True)


@contextmanager
def appending(root: Path) -> Iterator[Append]:
    """The write transaction of one build: the head read, the version published and indexed, whole or not at all."""
    had_versions = bool(on_disk(root))  # versions first, then the index: a racing first build is no false alarm
    if not (root / INDEX).is_file() and had_versions:
        raise ArchiveError(missing_index_message(root))
    db = open_index(root, create=True)
    append = None
    try:
        try:
            db.execute("BEGIN IMMEDIATE")
            _prepare(db)
            rows = _rows(db)
        except sqlite3.Error as exc:
            raise index_error(exc, root / INDEX) from None
        previous = head(rows)
        _check_head(root, previous)
        append = Append(root, db, previous, [v for v in rows if v.position is None] if previous is None else [])
        yield append
        try:
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise index_error(exc, root / INDEX) from None
    except BaseException:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        if append is not None:
            append.undo()
        raise
    finally:
        db.close()


def _check_head(root: Path, previous: Version | None) -> None:
    """A build never extends a chain whose last version changed or vanished."""
    if previous is None:
        return
    manifest = root / previous.id / MANIFEST
    if not manifest.is_file() or sha256_file(manifest) != previous.manifest_sha256:
        raise ArchiveError(f"{previous.id}: the last version of the chain is missing or changed since it was "
                           "indexed; nothing was built. Run `trialreport archive verify`.")


def version_of(root: Path, directory: Path, position: int | None, previous_record: str | None) -> Version:
    """The index record of a published version folder."""
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    vid, digest = version_id(root, directory), sha256_file(directory / MANIFEST)
    signature = signature_text(directory)
    signed = manifest.get("signature") or {}
    record = record_sha256(position, vid, digest, signature, previous_record) if position is not None else None
    return Version(vid, manifest["trial"], manifest["kind"], manifest["data_cutoff"],
                   int(VERSION_NAME.match(directory.name)["number"]), manifest["created_at"], digest,
                   position, previous_record if position is not None else None, record,
                   signed.get("signer"), signed.get("signed_at"), signature)


def signature_text(directory: Path) -> str | None:
    path = directory / SIGNATURE_FILE
    return path.read_text(encoding="ascii", errors="replace").strip() if path.is_file() else None


def read_manifest(directory: Path) -> dict | None:
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def store_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / STORE).rglob("*") if p.is_file() or p.is_symlink())
