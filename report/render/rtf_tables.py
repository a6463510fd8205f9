"""Each table of a report as an RTF file (rtflite), the form clinical study reports and
regulators' reviewers expect: its title, its column headers repeated at the top of every page,
its footnotes, and "Page x of y". Written from the tables of the report's final HTML
(report.render.document), so the numbers are the PDF's."""
from __future__ import annotations

import re
from dataclasses import replace

from .document import Element, Heading, ListItem, Run, Table, TableRow, column_weights

PAPER_INCHES = {"A4": (8.27, 11.69), "Letter": (8.5, 11.0)}
LANDSCAPE_COLUMNS = 7  # a table of more columns than this is set on landscape pages
FOOTNOTES_SECTION = "methods"  # the section of the report's numbered footnotes
# "Page x of y": rtflite's default with a second space after \chpgn (which takes the first as its end),
# the page count's field with a result in the header's type size
PAGE_X_OF_Y = "Page \\chpgn  of {\\field{\\*\\fldinst NUMPAGES }{\\fldrslt 1}}"


def table_files(elements: list[Element], paper: str | None = None, footer: str = "",
                numbering: bool = False) -> dict[str, bytes]:
    """`<NN>-<section>.rtf` for each table, in reading order (a second table of a section gets
    `-2`, and so on): names as stable as the report's blocks."""
    footnotes = {item.number: _text(item.runs) for item in elements
                 if isinstance(item, ListItem) and item.ordered and item.section == FOOTNOTES_SECTION}
    files, seen = {}, {}
    for n, table in enumerate(_titled(elements), start=1):
        section = _slug(table.section) or "table"
        seen[section] = seen.get(section, 0) + 1
        suffix = f"-{seen[section]}" if seen[section] > 1 else ""
        label = f"Table {n}. " if numbering and not re.match(r"^Table\s+\d", table.title) else ""
        files[f"{n:02d}-{section}{suffix}.rtf"] = table_rtf(table, footnotes, paper, footer, label)
    return files


def _titled(elements: list[Element]) -> list[Table]:
    """The tables, one without a caption titled by the heading above it."""
    tables, heading = [], ""
    for element in elements:
        if isinstance(element, Heading):
            heading = element.text
        elif isinstance(element, Table):
            tables.append(element if element.caption or not heading else replace(element, caption=(Run(heading),)))
    return tables


def table_rtf(table: Table, footnotes: dict[int, str] | None = None, paper: str | None = None,
              footer: str = "", label: str = "") -> bytes:
    """One table as an RTF document: the same inputs give the same bytes."""
    import polars as pl
    import rtflite as rtf

    columns = table.columns
    landscape = columns > LANDSCAPE_COLUMNS
    width, height = PAPER_INCHES[paper or "A4"]
    widths = [float(w) for w in column_weights(table)]
    body = [_cells(row, columns) for row in table.body] or [[""] * columns]  # RTF text, per column
    frame = pl.DataFrame({f"c{i}": [row[i] for row in body] for i in range(columns)}, schema={f"c{i}": pl.String for i in range(columns)})
    document = rtf.RTFDocument(
        df=frame,
        rtf_page=rtf.RTFPage(orientation="landscape" if landscape else "portrait",
                             width=height if landscape else width, height=width if landscape else height),
        rtf_page_header=rtf.RTFPageHeader(text=PAGE_X_OF_Y, text_font_size=[9]),
        **({"rtf_page_footer": rtf.RTFPageFooter(text=[_escaped(footer)], text_convert=[False])} if footer else {}),
        rtf_title=rtf.RTFTitle(text=[_escaped(label) + _rich(table.caption)], text_convert=[False]),
        rtf_column_header=[_header(row, widths) for row in table.header],
        # One set of attributes for every row: rtflite applies a per-row matrix anew on each of
        # its pages, so a group row's bold and an indent are in the cells' text (_rich).
        rtf_body=rtf.RTFBody(col_rel_width=widths, text_justification=[["l"] + ["c"] * (columns - 1)],
                             text_convert=[[False] * columns]),
        **({"rtf_footnote": rtf.RTFFootnote(text=notes, text_convert=[False])}
           if (notes := _notes(table, footnotes or {})) else {}),
    )
    return document.rtf_encode().encode("ascii")


def _header(row: TableRow, widths: list[float]):
    import rtflite as rtf

    spans, c = [], 0
    for cell in row.cells:
        spans.append(sum(widths[c:c + cell.span]))
        c += cell.span
    texts = [_rich(cell.runs) for cell in row.cells]
    if c < len(widths):  # a short row: an empty cell to the right edge
        spans.append(sum(widths[c:]))
        texts.append("")
    return rtf.RTFColumnHeader(text=texts, col_rel_width=spans, text_convert=[False] * len(texts),
                               text_justification=["l"] + ["c"] * (len(texts) - 1))


def _cells(row: TableRow, columns: int) -> list[str]:
    """A body row's texts, one per column: a spanning cell's text in its first column."""
    out, group = [], "group" in row.kind.split()
    for i, cell in enumerate(row.cells):
        out += [_rich(cell.runs, bold=group and i == 0, indent=row.indent if i == 0 else 0)] + [""] * (cell.span - 1)
    return (out + [""] * columns)[:columns]


def _notes(table: Table, footnotes: dict[int, str]) -> list[str]:
    """The table's notes, then the report's footnotes its marks refer to, in order."""
    marks = sorted({int(r.text) for row in (*table.header, *table.body) for c in row.cells for r in c.runs
                    if r.superscript and r.text.strip().isdigit()}
                   | {int(r.text) for r in table.caption if r.superscript and r.text.strip().isdigit()})
    lines = [_rich(note) for note in table.notes]
    lines += [_escaped(f"{m}. {footnotes[m]}") for m in marks if m in footnotes]
    return lines


def _rich(runs: tuple[Run, ...], bold: bool = False, indent: int = 0) -> str:
    """Runs as RTF (rtflite's own text conversion is off): every character that is not plain
    ASCII escaped, a footnote mark raised, a line break as \\line, bold where asked, an indent
    as three non-breaking spaces a level."""
    out = ["\\~" * (3 * indent)]
    for run in runs:
        text = "\\line ".join(_escaped(line) for line in run.text.split("\n"))
        if run.superscript:
            text = "{\\super " + text + "}"
        if run.bold or run.italic:
            text = "{" + ("\\b " if run.bold else "") + ("\\i " if run.italic else "") + text + "}"
        out.append(text)
    text = "".join(out)
    return "{\\b " + text + "}" if bold and text else text


def _escaped(text: str) -> str:
    r"""Plain text as RTF: \ { } and every character beyond ASCII as an RTF Unicode escape
    (\uN*, N signed 16-bit, a character beyond the BMP as its UTF-16 pair)."""
    out = []
    for ch in text:
        code = ord(ch)
        if 32 <= code < 127 and ch not in "\\{}":
            out.append(ch)
        elif code < 32:
            out.append(" ")
        else:
            units = ch.encode("utf-16-be")
            for i in range(0, len(units), 2):
                unit = int.from_bytes(units[i:i + 2], "big")
                out.append(f"\\u{unit - 65536 if unit > 32767 else unit}*")
    return "".join(out)


def _text(runs: tuple[Run, ...]) -> str:
    return "".join(r.text for r in runs)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]
