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
    logo: str | None = None  # an image (PNG, JPEG or SVG) in the trial folder: at the head of the first page, right
    font: str | None = None  # a font file (OTF, TTF, WOFF or WOFF2) in the trial folder: the body text's, embedded
    # Its bold face (headings, captions, table headers). Without it the PDF sets bold text in the
    # regular face (WeasyPrint draws no synthetic bold); a browser makes the regular face bold.
    font_bold: str | None = None
    accent: str | None = Field(default=None, pattern=COLOUR)  # headings and rules, e.g. "#1f4e79"
    text: str | None = Field(default=None, pattern=COLOUR)  # body text
    # One line each (line breaks become spaces). The header replaces the stylesheet's (trial id and
    # title) on every page after the first; the footer and the confidentiality line go above and
    # below the stylesheet's "Data cutoff ... Generated ..." line, on every page, beside "Page x of y".
    # Running header text, e.g. "S1318 - Summary of results": at most 100 characters, so that it keeps to
    # one line beside the DSMB report's "Closed session" mark (longer, it would wrap, never overlap).
    header: str = Field(default="", max_length=100)
    footer: str = ""  # running footer text, e.g. a document number
    confidentiality: str = ""  # the sponsor's confidentiality line
    # true: "Table 1.", "Figure 1." before captions, numbered in reading order, whatever the stylesheet;
    # false: no numbers; unset: the stylesheet's (the shipped one numbers them). PDF and HTML alike.
    numbering: bool = False
