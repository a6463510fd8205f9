"""The review record of issue 19: docs/report-gallery.md, a small PNG of every page of every
report kind, and before-and-after crops of the defects only the eye can judge.

    PYTHONPATH=. python scripts/gallery.py [--out docs/gallery]
    PYTHONPATH=. python scripts/gallery.py --before /tmp/before   # also the -before crops

Every report is built with `trialreport build` in a fresh process (SOURCE_DATE_EPOCH fixed)
into a temporary folder, each page rendered with pdftoppm and shrunk to a small palette
(PIL), so the same inputs give the same PNG bytes. The -before crops are fixed records,
cut once from the reports of an older checkout (BEFORE_COMMIT) given with --before.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

import report
from gallery_defects import DEFECTS, IN_PROGRESS, PAIRS, Crop, Pair
from report.resources import bundled_trial

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = Path(os.environ.get("TRIALREPORT_PUBLIC_DATA") or ROOT.parent / "shared" / "data")  # read in place
EPOCH = "1735689600"  # 2025-01-01, as the tests build
DPI, COLOURS, MAX_BYTES = 60, 32, 40_000  # each page: 60 dpi, a 32-colour palette, under 40 KB
BEFORE_COMMIT = "35d34d5"  # main before issue 19's fixes: where the -before crops come from
ABSTRACT_PRESETS = ("ash", "asco", "eha", "custom")  # report.layout.abstract.PRESETS, each built
ASCO_CHARS = "2400"  # the example's abstract with its table is 2,366 characters under ASCO's counting


@dataclass(frozen=True)
class Build:
    """One `trialreport build`: its own --out folder (shared by the DSMB cutoffs, so that the later
    report has a previous one), its trial folder (None: the bundled example) and its options."""
    name: str
    args: tuple[str, ...]
    out: str = ""
    trial: Path | None = None
    spec: tuple[str, str] = ()  # (old, new): a line of the bundled trial.toml to change in a copy
    append: str = ""  # and a section to add to it

    @property
    def folder(self) -> str:
        return self.out or self.name


@dataclass(frozen=True)
class Report:
    """One report of the gallery: docs/gallery/<key>/page-NN.png from `pdf` of `build`."""
    key: str
    title: str
    sheet: str  # its page of report.kinds.kind (summary, dsmb-open, dsmb-closed, abstract)
    build: str
    pdf: str
    what: str
    preset: str = ""


def _abstract(preset: str) -> tuple[Build, Report]:
    new = f'meeting = "{preset}"' + ("\ninclude_table = true" if preset == "asco" else "")
    extra = ("--max-chars", ASCO_CHARS) if preset == "asco" else ()
    build = Build(f"abstract-{preset}", ("--kind", "abstract", "--format", "pdf", *extra),
                  spec=('meeting = "ash"', new), append="[abstract.limit]\nmax_chars = 4000" if preset == "custom" else "")
    what = {"ash": "The bundled example's abstract under its own preset, ASH (3,800 characters, spaces counted).",
            "asco": "ASCO (2,000 characters, spaces not counted; one table, here asked for with include_table). "
                    f"The example's text with its table is over ASCO's limit, so it is built with --max-chars {ASCO_CHARS}.",
            "eha": "EHA (3,665 characters, spaces counted; the title not counted).",
            "custom": "A custom rule: [abstract.limit] max_chars = 4000."}[preset]
    return build, Report(f"abstract-{preset}", f"Abstract, `{preset}` preset", "abstract", build.name,
                         "abstract.pdf", what, preset)


def _dsmb(cutoff: str, earlier: bool) -> tuple[Build, list[Report]]:
    args = ("--kind", "dsmb", *(("--cutoff", cutoff) if earlier else ()), "--no-encrypt", "--format", "pdf")
    build = Build(f"dsmb-{cutoff}", args, out="dsmb")
    after = "the first report: no previous one" if earlier else "built after the 2017-07-31 one, its previous report"
    return build, [Report(f"dsmb-{side}-{cutoff}", f"DSMB {side} session report, cutoff {cutoff}", f"dsmb-{side}",
                          build.name, f"dsmb-{side}.pdf", f"The S1318 DSMB {side} session report at {cutoff} ({after}).")
                   for side in ("open", "closed")]


def _adam(name: str, data: str, title: str) -> tuple[Build, Report]:
    build = Build(name, ("--format", "pdf", "--data", str(PUBLIC / data)), trial=ROOT / "tests/fixtures/adam" / name)
    return build, Report(name, title, "summary", name, "summary.pdf",
                         f"A multi-arm summary from the public ADaM data in {os.path.relpath(PUBLIC / data, ROOT)} "
                         "(beside the checkout), read in place.")


def catalogue() -> tuple[list[Build], list[Report]]:
    """Every build and report of the gallery, the DSMB's earlier cutoff first."""
    summary = Build("summary", ("--format", "pdf"))
    pairs = [(summary, [Report("summary", "S1318 summary", "summary", "summary", "summary.pdf",
                               "The bundled S1318 example's trial summary.")])]
    pairs += [_dsmb("2017-07-31", True), _dsmb("2018-07-31", False)]
    pairs += [(b, [r]) for b, r in map(_abstract, ABSTRACT_PRESETS)]
    pairs += [(b, [r]) for b, r in (_adam("random-cdisc", "random-cdisc", "random-cdisc, three arms"),
                                    _adam("cdiscpilot01", "cdiscpilot01", "CDISC pilot, three arms"))]
    return [b for b, _ in pairs], [r for _, rs in pairs for r in rs]


# ------------------------------------------------------------------ building


def _trial_folder(build: Build, root: Path, checkout: Path) -> list[str]:
    """The trial argument: the fixture, a changed copy of the bundled spec, or none (the example)."""
    if build.trial is not None:
        return [str(build.trial)]
    if not build.spec:
        return []
    old, new = build.spec
    spec = (bundled(checkout) / "trial.toml").read_text()
    assert old in spec, f"{old!r} not in the bundled trial.toml"
    folder = root / "trials" / build.name
    folder.mkdir(parents=True)
    (folder / "trial.toml").write_text(spec.replace(old, new, 1) + (f"\n{build.append}\n" if build.append else ""))
    return [str(folder), "--data", str(bundled(checkout))]


def bundled(checkout: Path | None) -> Path:
    return checkout / "data" / "s1318" if checkout else bundled_trial("s1318")


def run_build(build: Build, root: Path, checkout: Path | None = None) -> list[Path]:
    """The files the build wrote (its stdout); `checkout`: the package of an older checkout."""
    package = checkout or Path(report.__file__).resolve().parents[1]
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH,
           "PYTHONPATH": os.pathsep.join(filter(None, (str(package), os.environ.get("PYTHONPATH"))))}
    command = [sys.executable, "-m", "report", "build", *_trial_folder(build, root, checkout),
               "--out", str(root / "out" / build.folder), *build.args]
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{build.name}: trialreport build failed:\n{done.stderr}")
    print(f"built {build.name}", file=sys.stderr)
    return [Path(line) for line in done.stdout.split()]


def build_all(builds: list[Build], reports: list[Report], root: Path, checkout: Path | None = None) -> dict[str, Path]:
    """Each report's PDF, by key."""
    written = {b.name: run_build(b, root, checkout) for b in builds}
    return {r.key: next(p for p in written[r.build] if p.name == r.pdf) for r in reports}


def command(build: Build) -> str:
    """The command as the document shows it."""
    changed = ", ".join(line for line in (*build.spec[1:], build.append) if line).replace("\n", ", ")
    trial = ([os.path.relpath(build.trial, ROOT)] if build.trial else
             [f"<data/s1318/trial.toml with {changed}>", "--data", "data/s1318"] if build.spec else [])
    args = [os.path.relpath(a, ROOT) if a.startswith("/") else a for a in build.args]
    return " ".join(["SOURCE_DATE_EPOCH=" + EPOCH, "trialreport", "build", *trial, *args])


# ------------------------------------------------------------------ pictures


def shrink(image: Image.Image, dest: Path) -> int:
    """Save `image` as a palette PNG, no metadata, fewer colours until under MAX_BYTES."""
    for colours in (COLOURS, 16, 8):
        small = image.convert("RGB").quantize(colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        small.save(dest, "PNG", optimize=True)
        if dest.stat().st_size < MAX_BYTES:
            break
    return dest.stat().st_size


def rendered(pdf: Path, first: int = 1, last: int | None = None, dpi: int = DPI) -> list[Image.Image]:
    """The pages first..last of `pdf` at `dpi`."""
    with tempfile.TemporaryDirectory() as tmp:
        span = ["-f", str(first)] + (["-l", str(last)] if last else [])
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), *span, str(pdf), f"{tmp}/p"], check=True)
        return [Image.open(p).copy() for p in sorted(Path(tmp).glob("p-*.png"))]


def pages(pdf: Path, folder: Path) -> int:
    """Every page of `pdf` as folder/page-NN.png; the number of pages."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    images = rendered(pdf)
    for n, image in enumerate(images, 1):
        size = shrink(image, folder / f"page-{n:02d}.png")
        if size >= MAX_BYTES:
            print(f"warning: {folder.name}/page-{n:02d}.png is {size:,} bytes", file=sys.stderr)
    return len(images)


def words(pdf: Path) -> list[tuple[float, list[tuple[str, float, float]]]]:
    """Each page's height and its words with their top and bottom (points), from pdftotext -bbox."""
    text = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    found = []
    for page in text.split("<page ")[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        found.append((height, [(w, float(t), float(b)) for t, b, w in
                               re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', page)]))
    return found


def locate(layout, phrase: str) -> tuple[int, float, float]:
    """The first page holding `phrase` (1-based) and its top and bottom as fractions of the page."""
    wanted = phrase.split()
    for n, (height, ws) in enumerate(layout, 1):
        for i in range(len(ws) - len(wanted) + 1):
            if [w for w, _, _ in ws[i:i + len(wanted)]] == wanted:
                return n, ws[i][1] / height, ws[i + len(wanted) - 1][2] / height
    raise LookupError(f"{phrase!r} is on no page")


def cut(pdf: Path, crop: Crop) -> Image.Image:
    """The crop's region of its pages, side by side."""
    layout = words(pdf)
    page = crop.page if isinstance(crop.page, int) else locate(layout, crop.page)[0]
    top = crop.top if isinstance(crop.top, float) else locate(layout, crop.top)[1] - 0.01
    bottom = crop.bottom if isinstance(crop.bottom, float) else locate(layout, crop.bottom)[2] + 0.01
    images = rendered(pdf, page, page + crop.pages - 1, crop.dpi)
    parts = [im.crop((0, round(top * im.height), im.width, round(bottom * im.height))) for im in images]
    sheet = Image.new("RGB", (sum(p.width for p in parts) + 4 * (len(parts) - 1), parts[0].height), "#888888")
    for i, part in enumerate(parts):
        sheet.paste(part, (i * (part.width + 4), 0))
    return sheet


def crops(pdfs: dict[str, Path], gallery: Path, side: str) -> None:
    """Each pair's `side` (before or after) crop as gallery/before-after/<name>-<side>.png."""
    folder = gallery / "before-after"
    folder.mkdir(parents=True, exist_ok=True)
    for pair in PAIRS:
        crop = getattr(pair, side)
        if crop is not None and crop.report in pdfs:
            shrink(cut(pdfs[crop.report], crop), folder / f"{pair.name}-{side}.png")


# ------------------------------------------------------------------ the document


def _image(path: str, width: int = 160) -> str:
    return f'<a href="{path}"><img src="{path}" width="{width}" alt="{path}"></a>'


def _section(report_: Report, build: Build, count: int, base: str) -> list[str]:
    images = [_image(f"{base}/{report_.key}/page-{n:02d}.png") for n in range(1, count + 1)]
    return [f"## {report_.title}", "", f"{report_.what} {_pages(count)}, built with:", "",
            f"    {command(build)}", "", "\n".join(images), ""]


def _evidence(evidence: str) -> str:
    if evidence.startswith("pair:"):
        return f"before/after images: [{evidence[5:]}](#before-and-after)"
    return f"*{evidence}*" if evidence == IN_PROGRESS or evidence.startswith(("no test", "known:")) else f"`{evidence}`"


def _defects() -> list[str]:
    rows = [f"| {area} | {defect} | {'; '.join(_evidence(e) for e in evidence)} |"
            for area, defect, evidence in DEFECTS]
    return ["## Defects and their evidence", "",
            "Each defect issue 19 lists, with the test that asserts it is gone, or the before-and-after "
            f"images where only the eye can judge it. *{IN_PROGRESS}*: being fixed on another branch; its "
            "evidence is added to `DEFECTS` (and, for images, `PAIRS`) in `scripts/gallery_defects.py`.", "",
            "| area | defect | evidence |", "| --- | --- | --- |", *rows, ""]


def _pairs(base: str) -> list[str]:
    lines = ["## Before and after", "",
             f"Each -before image is a fixed record, cut from the reports built by commit {BEFORE_COMMIT} "
             "(main before issue 19's fixes: `git worktree add --detach /tmp/before "
             f"{BEFORE_COMMIT}`, then `scripts/gallery.py --before /tmp/before`); each -after image is cut from "
             "this gallery's reports whenever the script runs.", "", "| defect | before | after |", "| --- | --- | --- |"]
    for pair in PAIRS:
        shown = [_image(f"{base}/before-after/{pair.name}-{side}.png", 320) if getattr(pair, side) else "none"
                 for side in ("before", "after")]
        lines.append(f"| **{pair.name}**: {pair.defect} | {shown[0]} | {shown[1]} |")
    return [*lines, ""]


def document(builds: list[Build], reports: list[Report], counts: dict[str, int], base: str) -> str:
    by_name = {b.name: b for b in builds}
    head = ["# Report gallery", "",
            "Every page of every report kind, as a reviewer sees it: the review record of issue 19. Written by "
            "`scripts/gallery.py` (`PYTHONPATH=. python scripts/gallery.py`), which builds each report with "
            f"SOURCE_DATE_EPOCH={EPOCH} in a temporary folder and renders each page at {DPI} dpi in "
            f"{COLOURS} colours: the same code and data give the same bytes. Click a page for its full size.", "",
            *[f"- [{r.title}](#{_anchor(r.title)}): {_pages(counts[r.key])}" for r in reports], ""]
    body = [line for r in reports for line in _section(r, by_name[r.build], counts[r.key], base)]
    return "\n".join([*head, *_defects(), *_pairs(base), *body])


def _pages(count: int) -> str:
    return f"{count} page{'s' * (count != 1)}"


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-")


# ------------------------------------------------------------------ main


def before(builds: list[Build], reports: list[Report], root: Path, checkout: Path) -> dict[str, Path]:
    """The PDFs the -before crops are cut from, built by `checkout` (with the builds sharing their
    --out folder, so that a DSMB report has its previous one)."""
    needed = [r for r in reports if r.key in {pair.before.report for pair in PAIRS if pair.before}]
    folders = {b.folder for b in builds if b.name in {r.build for r in needed}}
    root.mkdir()
    return build_all([b for b in builds if b.folder in folders], needed, root, checkout)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "gallery", help="folder of the PNG files")
    parser.add_argument("--before", type=Path, help=f"a checkout of {BEFORE_COMMIT}: write the -before crops too")
    options = parser.parse_args(argv)
    builds, reports = catalogue()
    with tempfile.TemporaryDirectory(prefix="gallery-") as tmp:
        pdfs = build_all(builds, reports, Path(tmp))
        counts = {r.key: pages(pdfs[r.key], options.out / r.key) for r in reports}
        crops(pdfs, options.out, "after")
        if options.before:
            crops(before(builds, reports, Path(tmp) / "before", options.before.resolve()), options.out, "before")
    markdown = options.out.parent / "report-gallery.md"
    base = os.path.relpath(options.out, markdown.parent)
    markdown.write_text(document(builds, reports, counts, base) + "\n")
    print(markdown)


if __name__ == "__main__":
    main()
