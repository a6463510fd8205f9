"""Write a build's files as one bundle (DESIGN section 8): all of it, or nothing.

Files go to a hidden temporary folder beside the versions, then one rename makes the
version appear whole. A version is never overwritten: the next free number is taken.
"""
from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import platform
import re
import shutil
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Callable

SOFTWARE = ("trialreport", "weasyprint", "lifelines", "pandas", "matplotlib", "jinja2", "numpy", "scipy")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_bundle(root: Path, stem: str, files: dict[str, bytes], manifest: dict,
                 sign: Callable[[bytes], bytes] | None = None) -> Path:
    """Write `files` and a manifest to root/<stem>-v<N>; returns that folder. With `sign`,
    the manifest's detached signature goes beside it as manifest.sig."""
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        listed = {**manifest, "files": [_entry(name, data) for name, data in sorted(files.items())]}
        text = (json.dumps(listed, indent=2) + "\n").encode("utf-8")
        (staging / "manifest.json").write_bytes(text)
        if sign is not None:
            (staging / "manifest.sig").write_bytes(sign(text))
        return _publish(staging, root, stem)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _publish(staging: Path, root: Path, stem: str) -> Path:
    while True:
        target = root / f"{stem}-v{next_version(root, stem)}"
        try:
            os.rename(staging, target)
            return target
        except OSError as exc:  # another build took that number first
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise


def next_version(root: Path, stem: str) -> int:
    pattern = re.compile(rf"^{re.escape(stem)}-v(\d+)$")
    taken = [int(m.group(1)) for p in root.iterdir() if (m := pattern.match(p.name))]
    return max(taken, default=0) + 1


def manifest(*, command: list[str]) -> dict:
    """When and how a version was made (the rest comes from its provenance)."""
    return {
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "platform": sys.platform,
        "system": system(),
    }


def system() -> dict[str, str | None]:
    """The system libraries that shape a PDF's bytes, and how its fonts are embedded (report.archive.system)."""
    from .system import system_libraries

    return system_libraries()


def software() -> dict[str, str | None]:
    return {**{name: _version(name) for name in SOFTWARE}, "python": platform.python_version()}


def template_hashes(folder: Path | None = None) -> list[dict]:
    """Each file of the shipped templates, or of `folder` (a trial's own), by path, size and SHA-256."""
    from ..resources import templates_dir

    root = folder or templates_dir()
    return [_entry(p.relative_to(root).as_posix(), p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()]


def _entry(name: str, data: bytes) -> dict:
    return {"path": name, "bytes": len(data), "sha256": sha256(data)}


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None
