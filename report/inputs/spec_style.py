"""`[report.style]` in trial.toml: the house style of every report (PDF, HTML and Word).

Files it names (a logo, font files) are inside the trial folder; they are the only files of
the trial folder (with the templates folder) that rendering may read, and they are inputs of
the version (hashed and stored like the data).
"""
from __future__ import annotations

from pydantic import Field

from .spec_section import Section

COLOUR = r"^#[0-9A-Fa-f]{6}$"


class Style(Section):
    logo: str | None = None  # an image (PNG, JPEG or SVG) in the trial folder, at the head of the first page
    font: str | None = None  # a font file (OTF, TTF, WOFF or WOFF2) in the trial folder: the body text's, embedded
    font_bold: str | None = None  # its bold face (default: the regular face, made bold by the renderer)
    accent: str | None = Field(default=None, pattern=COLOUR)  # headings and rules, e.g. "#1f4e79"
    text: str | None = Field(default=None, pattern=COLOUR)  # body text
    header: str = ""  # running header text on every page (after the first), e.g. "S1318 - Summary of results"
    footer: str = ""  # running footer text on every page, beside "Page x of y"
    confidentiality: str = ""  # the sponsor's confidentiality line, on every page
    numbering: bool = False  # "Table 1.", "Figure 1." before captions, numbered in reading order
