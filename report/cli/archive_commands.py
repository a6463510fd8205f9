"""`trialreport archive`: list, show, verify, head, diff, reproduce and reindex the versions."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from .guard import err, guarded, out

archive_app = typer.Typer(help="The archive of every report built: list, show, verify, head, diff, reproduce, reindex.",
                          no_args_is_help=True, rich_markup_mode=None)
Root = typer.Option(Path("output"), "--out", help="The output root holding the archive.")
PublicKey = typer.Option(None, "--public-key", help="An Ed25519 public key (PEM) kept outside the archive: "
                         "every version must carry a signature it verifies.")


@archive_app.command("list")
@guarded
def archive_list(trial: Optional[str] = typer.Option(None, "--trial"), kind: Optional[str] = typer.Option(None, "--kind"),
                 out_dir: Path = Root) -> None:
    """Every archived version, oldest first: its data cutoff, when it was made, its status and its files."""
    from ..archive.index import versions

    rows = versions(out_dir, trial, kind)
    width = max((len(v.id) for v in rows), default=7)
    statuses = [_status(v, rows, out_dir) for v in rows]
    state = max((len(s) for s in statuses), default=6)
    out.print(f"{'version':<{width}}  {'cutoff':<10}  {'created (UTC)':<20}  {'status':<{state}}  files", markup=False)
    for v, status in zip(rows, statuses):
        out.print(f"{v.id:<{width}}  {v.cutoff:<10}  {v.created_at[:19]:<20}  {status:<{state}}  {_files(out_dir / v.id)}",
                  markup=False, highlight=False)


def _status(version, rows: list, root: Path) -> str:
    """"current" or "superseded by vN" (a later version of the same trial, kind and cutoff); then
    signed or unsigned (legacy: made before the hash chain); "CHANGED" where its manifest is not
    the one indexed (`archive verify` says more)."""
    import hashlib

    later = [v.number for v in rows if (v.trial, v.kind, v.cutoff) == (version.trial, version.kind, version.cutoff)
             and v.number > version.number]
    words = [f"superseded by v{max(later)}" if later else "current",
             "legacy" if version.position is None else "signed" if version.signer else "unsigned"]
    manifest = root / version.id / "manifest.json"
    if not manifest.is_file() or hashlib.sha256(manifest.read_bytes()).hexdigest() != version.manifest_sha256:
        words.append("CHANGED")
    return ", ".join(words)


def _files(folder: Path) -> str:
    """The version's files as its manifest lists them."""
    import json

    try:
        listed = json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError):
        return "(manifest unreadable)"
    return ", ".join(f.get("path", "?") for f in listed if isinstance(f, dict))


@archive_app.command("show")
@guarded
def archive_show(version: str, out_dir: Path = Root) -> None:
    """A version's manifest: files, inputs, software, command."""
    import json

    from ..archive.store import MANIFEST, find

    manifest = json.loads((find(out_dir, version) / MANIFEST).read_text(encoding="utf-8"))
    out.print(f"{version}: {manifest['trial']} {manifest['kind']}, data cutoff {manifest['data_cutoff']}, "
              f"created {manifest['created_at']} by {' '.join(manifest['command'])}", markup=False, highlight=False)
    signed = manifest.get("signature")
    out.print(f"Chain position {manifest.get('chain', {}).get('position', '- (legacy, unchained)')}; "
              + (f"signed by {signed['signer']} at {signed['signed_at']}" if signed else "unsigned"), markup=False, highlight=False)
    for title, key in (("Files", "files"), ("Inputs", "inputs")):
        out.print(title + ":")
        for entry in manifest[key]:
            out.print(f"  {entry['sha256'][:16]}  {entry['bytes']:>10,}  {entry.get('name', entry.get('path'))}",
                      markup=False, highlight=False)
    software = ", ".join(f"{k} {v}" for k, v in manifest["software"].items())
    out.print(f"Software: {software}", markup=False, highlight=False)


@archive_app.command("verify")
@guarded
def archive_verify(
    version: Optional[str] = typer.Argument(None),
    out_dir: Path = Root,
    expect_head: Optional[str] = typer.Option(None, "--expect-head", help="A head hash recorded earlier "
                                              "(`archive head`): the archive must still lead to it."),
    public_key: Optional[Path] = PublicKey,
) -> None:
    """Recompute every hash and the hash chain; exit 1 naming each missing, changed or extra file, break or bad signature."""
    from ..archive.verify import verify
    from ..archive.signing import load_public_key

    problems, notes = verify(out_dir, version, expect_head=expect_head, public_key=load_public_key(public_key, out_dir))
    for note in notes:
        err.print(f"note: {note}", markup=False, highlight=False)
    if problems:
        for problem in problems:
            err.print(f"FAILED {problem}", markup=False, highlight=False)
        raise typer.Exit(1)
    reached = f"; leads to head {expect_head}" if expect_head else ""
    out.print(f"[green]OK[/green] {escape(version or 'every version')} verified{escape(reached)}", highlight=False)


@archive_app.command("head")
@guarded
def archive_head(out_dir: Path = Root) -> None:
    """Print the hash chain's head, to record outside the archive and check with `verify --expect-head`."""
    from ..archive.index import chain_head

    last = chain_head(out_dir)
    print(last.record_sha256, flush=True)
    err.print(f"chain position {last.position}: {last.id}", markup=False, highlight=False)


@archive_app.command("diff")
@guarded
def archive_diff(old: str, new: str, out_dir: Path = Root) -> None:
    """Which ledger figures changed between two versions, in words."""
    import json

    from ..archive.store import find
    from ..archive.ledger_diff import diff_ledgers
    from ..archive.ledger_words import describe

    ledgers = [json.loads((find(out_dir, v) / "results.json").read_text(encoding="utf-8")) for v in (old, new)]
    for line in describe(diff_ledgers(*ledgers)):
        out.print(line, markup=False, highlight=False)


@archive_app.command("reproduce")
@guarded
def archive_reproduce(version: str, out_dir: Path = Root) -> None:
    """Re-render a version from its stored inputs and say whether every file is byte-identical."""
    from ..compose import reproduce

    results = reproduce(out_dir, version)
    for item in results:
        out.print(f"{item.status:>26}  {item.name}", markup=False, highlight=False)
        for line in item.details:
            out.print(f"{'':>28}{line}", markup=False, highlight=False)
    if any(item.status in ("different", "not re-rendered") for item in results):
        raise typer.Exit(1)


@archive_app.command("reindex")
@guarded
def archive_reindex(out_dir: Path = Root, public_key: Optional[Path] = PublicKey) -> None:
    """Index the versions on disk whose hash chain verifies; name every break (exit 1 if any)."""
    from ..archive.chain_check import reindex
    from ..archive.signing import load_public_key

    added, breaks = reindex(out_dir, load_public_key(public_key, out_dir))
    out.print(f"{len(added)} version(s) added to the index", markup=False, highlight=False)
    for name in added:
        out.print(f"  {name}", markup=False, highlight=False)
    for problem in breaks:
        err.print(f"BREAK {problem}", markup=False, highlight=False)
    if breaks:
        raise typer.Exit(1)
