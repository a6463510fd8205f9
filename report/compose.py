"""The pipeline, composed: a loaded trial in, a bundle of finished reports out (`build`),
and an archived version rendered again from its stored inputs (`reproduce`).

    inputs -> analysis -> kinds (layout, render) -> archive

The only module that calls every stage; no stage imports it.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .analysis.ledger import Results
from .analysis.part_cache import PartCache
from .archive import store
from .archive.bundle import manifest, software, template_hashes, write_bundle
from .archive.chain import appending
from .archive.reproduce_text import NAME as REPRODUCE_TEXT
from .archive.reproduce_text import reproduce_text
from .archive.index import indexed_file
from .archive.signing import signed_at, signer_from_env
from .blocks.ledger import results as analyze
from .errors import InputError, Problem
from .inputs.style_files import recorded_path, style_paths
from .inputs.trial import Trial, load_trial
from .kinds.abstract import abstract_files
from .inputs.user_templates import recorded_name, template_files
from .kinds.common import FORMATS, KINDS, WRITES, Job, Rendered, report_date, user_templates
from .kinds.dsmb import closed_password as password_from_env
from .kinds.dsmb import CLOSED, CLOSED_LEDGER, check_rtf, dsmb_files, previous_cutoff
from .kinds.kind import check_report
from .kinds.narrative import narrative_paths
from .kinds.summary import summary_files


# The ledger parts of the last build in this process, reused where their inputs are unchanged:
# after an edit, `watch` recomputes only what the edit touched.
LAST_PARTS = PartCache()


@dataclass(frozen=True)
class Bundle:
    directory: Path
    files: tuple[Path, ...]
    results: Results
    notes: tuple[str, ...] = ()  # what the CLI tells the user, e.g. an abstract's character count


def build(
    trial: Trial,
    kind: str = "summary",
    formats: tuple[str, ...] | None = None,
    out: str | Path = "output",
    on_step: Callable[[str], None] | None = None,
    command: list[str] | None = None,
    encrypt: bool = True,
    closed_password: str | None = None,
    max_chars: int | None = None,
    render_pdfs: Callable[[list[tuple[str, dict]]], list[bytes]] | None = None,
    on: dt.date | None = None,
    preview: bool = False,
    mock: bool = False,
) -> Bundle:
    """Analyse, draw, lay out and render one report kind; archive it as a new version.

    For kind "dsmb" the closed report is encrypted with `closed_password`, by default
    the environment's TRIALREPORT_CLOSED_PASSWORD; `encrypt=False` writes it in clear.
    For kind "abstract", `max_chars` overrides the meeting's character limit.
    `render_pdfs` renders the PDFs, e.g. a `PdfWorker` (which also starts them, to be waited for
    later); by default they are rendered here.
    `on` is the report date: by default today, or SOURCE_DATE_EPOCH's (a batch run on a
    cluster passes the date of the machine that started it). `preview` (`watch`): the HTML
    pages are also written, as soon as they are laid out, to `<out>/<trial>/<kind>/preview/`,
    where they reload themselves in the browser at the next build (report.render.preview).
    `mock`: a mock shell (report.kinds.mock), written to `<out>/<trial>/<kind>/mock/`, never archived.
    """
    formats = tuple(formats) if formats else FORMATS.get(kind, ())
    _check_request(kind, formats)
    check_rtf(kind, formats, encrypt)
    check_report(trial.spec, trial.directory)  # an unknown or unsafe block id, a broken template stops here
    if mock:
        return _mock(trial, kind, formats, Path(out), on or report_date(), on_step, max_chars, render_pdfs)
    password = None
    if kind == "dsmb" and encrypt:
        password = closed_password or password_from_env(os.environ, encrypt)
    signer = signer_from_env(os.environ)  # a bad key stops here, before anything is written
    signature = signer.block(signed_at(os.environ)) if signer else None
    root, on = Path(out), on or report_date()
    inputs = store.input_entries(list(trial.inputs))
    job = Job(trial, kind, formats, on, root, provenance(trial, kind, on, inputs), password, max_chars,
              step=on_step or (lambda _: None), render_pdfs=render_pdfs, signed=signature,
              preview=_previewer(root / trial.spec.trial.id / kind / "preview") if preview else None)
    results = analyze(trial, LAST_PARTS)
    rendered = with_reproduce_text(render_files(job, results), {  # in memory: bad input stops here, with nothing written
        **job.provenance, "formats": list(formats), **({"signature": signature} if signature else {})})
    job.step("Writing bundle")
    root.mkdir(parents=True, exist_ok=True)
    with appending(root) as chain:  # the index's write transaction: one version at a time joins the chain
        chain.snapshot(list(trial.inputs) + _user_template_files(trial) + narrative_paths(trial)
                       + list(_style_paths(trial).values()))
        info = {**job.provenance, **manifest(command=command or sys.argv), "formats": list(formats),
                "inputs": inputs, **rendered.manifest, "chain": chain.link(),
                **({"signature": signature} if signature else {})}
        directory = write_bundle(root / trial.spec.trial.id / kind, trial.cutoff.isoformat(), rendered.files, info,
                                 sign=signer.sign if signer else None)
        chain.record(directory)
    written = tuple(directory / name for name in sorted(rendered.files)) + (directory / "manifest.json",)
    started = (f"The archive's hash chain starts with this version; the {len(chain.legacy)} version(s) made before "
               "it are kept as unchained legacy versions, listed in its manifest.",) if chain.legacy else ()
    return Bundle(directory=directory, files=written, results=results, notes=rendered.notes + started)


def _mock(trial: Trial, kind: str, formats: tuple[str, ...], root: Path, on: dt.date,
          on_step: Callable[[str], None] | None, max_chars: int | None,
          render_pdfs: Callable[[list[tuple[str, dict]]], list[bytes]] | None) -> Bundle:
    """A mock shell of the kind, in `<root>/<trial>/<kind>/mock/` (its files replaced at each
    mock build): outside the archive, its index and its hash chain, and in clear (it holds no
    number to protect)."""
    from .kinds.mock import FORMATS as MOCK_FORMATS
    from .kinds.mock import mock_files

    shown = tuple(f for f in formats if f in MOCK_FORMATS)
    if not shown:
        raise InputError(Problem("--format", f"a mock shell is written as {', '.join(MOCK_FORMATS)} only"))
    job = Job(trial, kind, shown, on, root, {}, None, max_chars, step=on_step or (lambda _: None),
              render_pdfs=render_pdfs)
    results = analyze(trial)
    rendered = mock_files(job, results, render_files)
    job.step("Writing mock shell")
    folder = root / trial.spec.trial.id / kind / "mock"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file() and old.suffix in (".html", ".pdf", ".txt"):
            old.unlink()
    for name, data in sorted(rendered.files.items()):
        (folder / name).write_bytes(data)
    left_out = tuple(f"{f}: not written for a mock shell" for f in formats if f not in MOCK_FORMATS)
    return Bundle(folder, tuple(folder / name for name in sorted(rendered.files)), results, rendered.notes + left_out)


def _previewer(folder: Path) -> Callable[[dict[str, bytes]], None]:
    from .render.preview import write_preview

    return lambda pages: write_preview(folder, pages)


def with_reproduce_text(rendered: Rendered, record: dict) -> Rendered:
    """`rendered` with reproduce.txt, written from the manifest to be (`record` and what the kind adds)."""
    text = reproduce_text({**record, **rendered.manifest})
    return dataclasses.replace(rendered, files={**rendered.files, REPRODUCE_TEXT: text})


def render_files(job: Job, results: Results) -> Rendered:
    """Every file of the bundle but the manifest, in memory."""
    job.step("Analysing")
    if job.kind == "dsmb":
        return dsmb_files(job, results, _previous_ledger(job), _previous_closed_ledger(job))
    if job.kind == "abstract":
        return abstract_files(job, results)
    return summary_files(job, results)


def _previous_ledger(job: Job) -> tuple[bytes, str] | None:
    """The open ledger of the DSMB version a month (or the spec's previous cutoff) earlier, as
    the archive's index holds it (or of the pinned version), and that version's id."""
    trial = job.trial
    return indexed_file(job.out_root, trial.spec.trial.id, "dsmb", previous_cutoff(trial).isoformat(), job.previous,
                        "results.json")


def _previous_closed_ledger(job: Job) -> tuple[bytes | None, str] | None:
    """The closed ledger inside the same version's closed report, opened in memory with this
    build's password (or none, for a version built with --no-encrypt), and the version's id;
    (None, id) where it does not open; None without a previous version."""
    from .render.encrypt import attached

    trial = job.trial
    found = indexed_file(job.out_root, trial.spec.trial.id, "dsmb", previous_cutoff(trial).isoformat(), job.previous,
                         f"{CLOSED}.pdf")
    if found is None:
        return None
    return attached(found[0], CLOSED_LEDGER, job.password), found[1]


def provenance(trial: Trial, kind: str, on: dt.date, inputs: list[dict]) -> dict:
    """What a version was made from, by hash: the same for the same inputs and software."""
    return {
        "trial": trial.spec.trial.id,
        "kind": kind,
        "data_cutoff": trial.cutoff.isoformat(),
        "generated_on": on.isoformat(),
        "input_hashes": [{"name": e["name"], "bytes": e["bytes"], "sha256": e["sha256"]} for e in inputs],
        "templates": template_hashes(),
        **_user_templates(trial),
        **_style_files(trial),
        "software": software(),
    }


def _user_templates(trial: Trial) -> dict:
    """The trial's own templates by hash, and the folder they sit in (stored like the inputs)."""
    folder = user_templates(trial)
    if folder is None:
        return {}
    return {"user_templates": {"folder": recorded_name(trial.spec.report.templates), "files": template_hashes(folder)}}


def _style_files(trial: Trial) -> dict:
    """The files of the spec's house style by key, path in the trial folder and hash (stored like the inputs)."""
    paths = _style_paths(trial)
    if not paths:
        return {}
    style = trial.spec.report.style
    return {"style_files": [{"key": key, "path": recorded_path(getattr(style, key)), "bytes": path.stat().st_size,
                             "sha256": store.sha256_file(path)} for key, path in paths.items()]}


def _style_paths(trial: Trial) -> dict[str, Path]:
    return style_paths(trial.directory, trial.spec.report.style)


def _user_template_files(trial: Trial) -> list[Path]:
    folder = user_templates(trial)
    return template_files(folder) if folder is not None else []


def _check_request(kind: str, formats: tuple[str, ...]) -> None:
    if kind not in KINDS:  # alone: the formats depend on the kind
        raise InputError(Problem("--kind", f"{kind!r} is not a report kind this version builds ({', '.join(KINDS)})"))
    problems = []
    for f in formats:
        if kind in WRITES and f not in WRITES[kind]:
            problems.append(Problem("--format", f"{f!r} is not an output format of {kind} ({', '.join(WRITES[kind])})"))
    if not formats:
        problems.append(Problem("--format", "name at least one output format"))
    if problems:
        raise InputError(problems)


# --------------------------------------------------------------------------- reproduce

@dataclass(frozen=True)
class Reproduced:
    name: str
    status: str  # identical | different | not re-rendered | encrypted (not compared)
    details: tuple[str, ...] = ()  # for a different file: what differs (report.archive.difference)


def reproduce(root: Path, version: str) -> list[Reproduced]:
    """Re-render a version from its stored inputs, dated as it was; compare every file."""
    directory = store.find(root, version)
    manifest = json.loads((directory / store.MANIFEST).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="trialreport-reproduce-") as tmp:
        folder = Path(tmp)
        problems = store.restore(root, manifest["inputs"], folder)
        if "user_templates" in manifest:
            problems += store.restore_folder(root, manifest["user_templates"], folder)
        if "narrative" in manifest:
            problems += store.restore_files(root, manifest["narrative"]["files"], folder, "narrative file")
        problems += store.restore_files(root, manifest.get("style_files", []), folder, "style file")
        if problems:
            raise InputError(problems)
        trial = load_trial(folder, cutoff=manifest["data_cutoff"], data=folder)
        on = dt.date.fromisoformat(manifest["generated_on"])
        job = Job(trial, manifest["kind"], tuple(manifest["formats"]), on, root,
                  provenance(trial, manifest["kind"], on, manifest["inputs"]),
                  max_chars=manifest.get("limit"), previous=manifest.get("previous_version"),
                  signed=manifest.get("signature"))
        rendered = render_files(job, analyze(trial)).files
    if any(entry["path"] == REPRODUCE_TEXT for entry in manifest["files"]):  # versions made before it have none
        rendered[REPRODUCE_TEXT] = reproduce_text(manifest)
    return [_compare(entry, rendered, directory, manifest) for entry in manifest["files"]]


def _compare(entry: dict, rendered: dict[str, bytes], directory: Path, manifest: dict) -> Reproduced:
    from .archive.difference import why_different

    name = entry["path"]
    if name in manifest.get("encrypted", []):
        return Reproduced(name, "encrypted (not compared)")
    if name not in rendered:
        return Reproduced(name, "not re-rendered")
    if hashlib.sha256(rendered[name]).hexdigest() == entry["sha256"]:
        return Reproduced(name, "identical")
    archived = (directory / name).read_bytes() if (directory / name).is_file() else b""
    return Reproduced(name, "different", why_different(entry, archived, rendered[name], manifest))
