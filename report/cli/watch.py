"""Rebuild whenever the spec, the data or a template changes (`trialreport watch`).

Files are polled: a few dozen `stat` calls a second cost nothing, need no extra
dependency and work on network drives, where file-system events often do not arrive.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from ..resources import templates_dir

Stamp = tuple[int, int]  # modification time (ns) and size
SETTLE_SECONDS = 0.15  # a change must hold this long: editors and exports write in several steps


def watched_files(trial_dir: Path, data_dir: Path | None, own_templates: Path | None = None) -> list[Path]:
    """The spec and everything beside it, the data folder's files and the templates: the
    shipped ones and the trial's own folder ([report] templates)."""
    folders = [trial_dir] + ([data_dir] if data_dir is not None else [])
    files = {p for folder in folders if folder.is_dir() for p in folder.iterdir() if p.is_file()}
    for templates in [templates_dir()] + ([own_templates] if own_templates is not None else []):
        files |= {p for p in templates.rglob("*") if p.is_file()}
    return sorted(files)


def stamps(paths: list[Path]) -> dict[Path, Stamp]:
    """Each file's stamp; files that vanished are left out, so deleting one counts as a change."""
    out = {}
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            continue
        out[path] = (info.st_mtime_ns, info.st_size)
    return out


def changed(before: dict[Path, Stamp], after: dict[Path, Stamp]) -> list[Path]:
    """Files added, removed or modified between two snapshots."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def watch(
    files: Callable[[], list[Path]],
    rebuild: Callable[[list[Path]], None],
    *,
    interval: float = 0.5,
    stop: threading.Event | None = None,
) -> None:
    """Call `rebuild([])` now, then `rebuild(changed_files)` after each settled change of
    `files()`, until `stop` is set.

    The files are stamped before the first build, so that a change made during it counts;
    `files` is asked again after every rebuild: a new spec may point at other data.
    """
    stop = stop or threading.Event()
    now = stamps(files())
    rebuild([])
    seen = _after_rebuild(now, files)
    while not stop.wait(interval):
        now = stamps(files())
        if not changed(seen, now):
            continue
        while not stop.wait(SETTLE_SECONDS):  # until the writer has finished
            settled = stamps(files())
            if settled == now:
                break
            now = settled
        if stop.is_set():
            return
        rebuild(changed(seen, now))
        seen = _after_rebuild(now, files)


def _after_rebuild(before: dict[Path, Stamp], files: Callable[[], list[Path]]) -> dict[Path, Stamp]:
    """What a rebuild has seen: what changed during it is still news; files newly watched are not."""
    return {p: before.get(p, stamp) for p, stamp in stamps(files()).items()}
