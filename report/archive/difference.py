"""What differs when a reproduced file's bytes do (`trialreport archive reproduce`).

Two causes are told apart: the software and system libraries that shape the bytes
(recorded in the manifest, compared with those running now), and the content itself:
the text and the look of every page of a PDF, so that a difference in, say, how the
fonts were embedded is not mistaken for a changed report.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

RENDER_DPI = 72


def why_different(entry: dict, archived: bytes, rendered: bytes, manifest: dict) -> tuple[str, ...]:
    """Lines for the user: which recorded versions differ from the running ones, and for a
    PDF whether the text and the images of each page are the same as the archived file's."""
    import hashlib

    if hashlib.sha256(archived).hexdigest() != entry["sha256"]:
        return ("the archived file is missing or no longer matches its manifest: run `trialreport archive verify`",)
    lines = environment_differences(manifest)
    if entry["path"].endswith(".pdf"):
        lines += compare_pdfs(archived, rendered)
    return tuple(lines)


def environment_differences(manifest: dict) -> list[str]:
    from .bundle import software
    from .system import differences, system_libraries

    running = system_libraries()
    lines = [f"software {line}" for line in differences(manifest.get("software", {}), software())]
    if "system" not in manifest:
        shown = "; ".join(f"{k}: {v}" for k, v in running.items())
        lines.append(f"system libraries: not recorded (built before they were); running: {shown}")
    else:
        lines += [f"system library {line}" for line in differences(manifest["system"], running)]
    return lines or ["the recorded software and system library versions are those running now"]


def compare_pdfs(archived: bytes, rendered: bytes) -> list[str]:
    """'text: ...' and 'page images: ...', each naming the pages that differ."""
    try:
        texts = [page_texts(archived), page_texts(rendered)]
    except Exception as exc:  # noqa: BLE001 - a PDF pypdf cannot read: say so, compare nothing more
        return [f"pages not compared: {type(exc).__name__}: {exc}"]
    lines = []
    if len(texts[0]) != len(texts[1]):
        lines.append(f"pages: {len(texts[0])} archived, {len(texts[1])} re-rendered")
    lines.append("text: " + _pages_verdict(texts[0], texts[1]))
    try:
        method, images = page_images(archived, rendered)
    except Exception as exc:  # noqa: BLE001 - say what could not be compared rather than stop
        return lines + [f"page images not compared: {type(exc).__name__}: {exc}"]
    lines.append(f"page images ({method}): " + _pages_verdict(*images))
    return lines


def page_texts(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def page_images(*pdfs: bytes) -> tuple[str, list[list[bytes]]]:
    """Each page of each PDF as pixels (pdftoppm, where installed), else as the decoded
    data of the images it draws."""
    if shutil.which("pdftoppm"):
        try:
            return f"rendered by pdftoppm at {RENDER_DPI} dpi", [_rendered_pages(pdf) for pdf in pdfs]
        except (OSError, subprocess.SubprocessError):
            pass  # a pdftoppm that fails: compare the images instead
    return "their embedded images, decoded", [_embedded_images(pdf) for pdf in pdfs]


def _rendered_pages(pdf: bytes) -> list[bytes]:
    with tempfile.TemporaryDirectory(prefix="trialreport-pages-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(RENDER_DPI), str(source), str(Path(tmp) / "page")],
                       check=True, capture_output=True, timeout=300)
        pages = sorted(Path(tmp).glob("page-*.ppm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        return [page.read_bytes() for page in pages]


def _embedded_images(pdf: bytes) -> list[bytes]:
    import hashlib

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return [hashlib.sha256(b"".join(_images_drawn(page.obj, set()))).digest() for page in document.pages]


def _images_drawn(content, seen: set) -> list[bytes]:
    """The decoded data of every image a page (or form) draws, in order, forms followed."""
    import pikepdf

    out, xobjects = [], content.get("/Resources", {}).get("/XObject", {})
    for operands, operator in pikepdf.parse_content_stream(content):
        if str(operator) != "Do" or str(operands[0]) not in xobjects:
            continue
        xobject = xobjects[str(operands[0])]
        if xobject.get("/Subtype") == "/Image":
            out.append(xobject.read_bytes())
        elif xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
            out += _images_drawn(xobject, seen | {xobject.objgen})
    return out


def _pages_verdict(archived: list, rendered: list) -> str:
    pages = max(len(archived), len(rendered))
    differing = [str(i + 1) for i in range(pages)
                 if i >= len(archived) or i >= len(rendered) or archived[i] != rendered[i]]
    if not differing:
        return f"the same on all {pages} page{'s' if pages != 1 else ''}"
    return f"different on page{'s' if len(differing) != 1 else ''} {', '.join(differing)} of {pages}"
