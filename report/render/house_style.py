"""The house style of `[report.style]` as CSS, put after the stylesheet so that it wins: the
user's font (embedded), the accent and text colours, the running header and footer, the
sponsor's confidentiality line, the logo at the head of the first page, and the numbering of
tables and figures. Nothing where the spec sets none of them: the default reports are unchanged.

Files go in as data: URIs (the HTML stands alone; the PDF fetches nothing more); the spec's
text goes in as CSS strings, escaped, so that no text can end a string, a rule or the HTML's
<style> element.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import re

from ..resources import templates_dir

MEDIA = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml",
         ".otf": "font/otf", ".ttf": "font/ttf", ".woff": "font/woff", ".woff2": "font/woff2"}
FONT_FORMAT = {".otf": "opentype", ".ttf": "truetype", ".woff": "woff", ".woff2": "woff2"}
FALLBACK = '"Source Sans Pro", "Source Sans 3", "Helvetica Neue", Arial, sans-serif'
# The stylesheet's running footer (templates/report.css), to which the spec's lines are added.
DATES = '"Data cutoff " string(cutoff) "  \\00B7  Generated " string(generated) string(signed)'
SCREEN_LINE = "display: block; font-size: 8pt; color: var(--muted);"
FIRST_PAGE = ".masthead, .title-page, .abstract"  # what heads the first page of each kind
LINE_BREAK = ' "\\A " '  # between the lines of a margin box (white-space: pre-line)
NUMBERED = """html { counter-reset: table figure; }
table { counter-increment: table; }
table.abstract-table { counter-increment: none; }
caption::before { content: "Table " counter(table) ". "; }
figure { counter-increment: figure; }
figcaption::before { content: "Figure " counter(figure) ". "; font-weight: 700; }
"""
UNNUMBERED = "caption::before, figcaption::before { content: none; }\n"


def style_css(style: dict, files: dict[str, tuple[str, bytes]], numbering: bool | None) -> str:
    """The CSS of the spec's style (`style`: `[report.style]` as the spec dumps it); `files`:
    each named file's (name, bytes) by key; `numbering`: None where the spec leaves it to the
    stylesheet (the shipped one numbers tables and figures)."""
    parts = [_fonts(files), _colours(style), _running(style), _logo(files.get("logo")),
             {True: NUMBERED, False: UNNUMBERED, None: ""}[numbering]]
    css = "".join(parts)
    return f"\n/* [report.style] */\n{css}" if css else ""


def _fonts(files: dict[str, tuple[str, bytes]]) -> str:
    if "font" not in files:
        return ""
    regular = files["font"]
    # Named by the files' hash: in a batch, two trials' fonts share one font configuration, never a name.
    family = "House " + hashlib.sha256(regular[1] + files.get("font_bold", ("", b""))[1]).hexdigest()[:12]
    faces = [_face(family, 400, regular)]
    if "font_bold" in files:  # else the PDF sets bold text in the regular face (a browser emboldens it)
        faces.append(_face(family, 700, files["font_bold"]))  # also semibold (600), the nearest heavier face
    fonts = f'"{family}", {FALLBACK}'
    return "".join(faces) + f"html {{ font-family: {fonts}; }}\n@page {{ font-family: {fonts}; }}\n"


def _face(family: str, weight: int, file: tuple[str, bytes]) -> str:
    kind = _extension(file[0])
    return (f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: normal; '
            f'src: url("{data_uri(file)}") format("{FONT_FORMAT[kind]}"); }}\n')


def _colours(style: dict) -> str:
    names = {"accent": "--accent", "text": "--ink"}
    values = [f"{names[key]}: {style[key]};" for key in names if style.get(key)]  # validated: #rrggbb
    return f":root {{ {' '.join(values)} }}\n" if values else ""


def _running(style: dict) -> str:
    """The PDF's running header and footer (@page margin boxes), and the same lines at the top and
    foot of the HTML (@media screen, which the PDF does not read)."""
    return _margins(style) + _screen_lines(style)


def _margins(style: dict) -> str:
    rules = []
    if style.get("header"):
        rules.append(f"@top-left {{ content: {css_string(style['header'])}; }}")
    if style.get("footer") or style.get("confidentiality"):
        lines = [css_string(style["footer"])] if style.get("footer") else []
        lines.append(DATES)
        lines += [css_string(style["confidentiality"])] if style.get("confidentiality") else []
        rules.append(f'@bottom-left {{ content: {LINE_BREAK.join(lines)}; white-space: pre-line; }}')
    return f"@page {{ {' '.join(rules)} }}\n" if rules else ""


def _screen_lines(style: dict) -> str:
    rules = []
    if style.get("header"):
        rules.append(f"body::before {{ content: {css_string(style['header'])}; {SCREEN_LINE} margin-bottom: 3mm; }}")
    foot = [css_string(style[key]) for key in ("footer", "confidentiality") if style.get(key)]
    if foot:
        rules.append(f"body::after {{ content: {LINE_BREAK.join(foot)}; {SCREEN_LINE} white-space: pre-line; "
                     "border-top: 0.5pt solid var(--rule); margin-top: 6mm; padding-top: 2mm; }")
    return f"@media screen {{ {' '.join(rules)} }}\n" if rules else ""


def _logo(file: tuple[str, bytes] | None) -> str:
    if file is None:
        return ""
    return (f'{", ".join(s + "::before" for s in FIRST_PAGE.split(", "))} {{ content: ""; float: right; '
            f"width: 42mm; height: 14mm; margin: 0 0 2mm 6mm; "
            f'background: url("{data_uri(file)}") no-repeat right top; background-size: contain; }}\n')


def css_string(text: str) -> str:
    """`text` as one line in a CSS string: quotes, backslashes and what could end the HTML's
    <style> element escaped, line breaks made spaces, control characters dropped."""
    line = " ".join(text.split())
    return '"' + "".join(_escaped(c) for c in line) + '"'


def _escaped(char: str) -> str:
    if char in '"\\<>&\'' or not char.isprintable():
        return f"\\{ord(char):X} "
    return char


def data_uri(file: tuple[str, bytes]) -> str:
    name, data = file
    return f"data:{MEDIA[_extension(name)]};base64,{base64.b64encode(data).decode('ascii')}"


def _extension(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower()


@functools.cache
def screen_fonts() -> str:
    """The shipped fonts' @font-face rules (templates/fonts.css) with each font as a data: URI, for
    the HTML, which then shows in the report's own type on any machine. The PDF loads the same
    fonts from the templates folder, without these (report.render.render.pdf_bytes)."""
    folder = templates_dir()
    rules = (folder / "fonts.css").read_text(encoding="utf-8")
    inlined = re.sub(r'url\("(fonts/[^"]+)"\)',
                     lambda m: f'url("{data_uri((m[1], (folder / m[1]).read_bytes()))}")', rules)
    return f"\n/* The shipped fonts, embedded (templates/fonts.css) */\n{inlined}"
