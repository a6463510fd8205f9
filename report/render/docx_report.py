"""A report as a Word file (python-docx), written from the elements of its final HTML
(report.render.document): headings as Word headings, tables as Word tables with their header
rows repeated on every page, figures as images, on the spec's paper. A medical writer edits it."""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from .document import Element, Figure, Heading, ListItem, Paragraph, Run, Table, column_weights
from .docx_writer import PAPER_MM
from .zipfiles import deterministic_zip

MARGIN_MM = 20
LOGO_MM = 40  # the logo's width
LOGO_TYPES = (".png", ".jpg", ".jpeg")
BODY_PT, TABLE_PT, NOTE_PT = 10, 8, 8
FONT = "Arial"  # on every machine with Word; LibreOffice sets it in its metric twin, Liberation Sans
SMALL_KINDS = {"table-note", "muted", "meta", "caption", "eyebrow"}
NUMBERED = re.compile(r"^(Table|Figure)\s+\d+[.:]")


@dataclass(frozen=True)
class WordStyle:
    """What the spec's house style ([report.style]) asks of a Word file."""
    title: str = ""
    header: str = ""  # running header text
    footer: str = ""  # running footer text, beside "Page x of y"
    confidentiality: str = ""
    numbering: bool = False  # "Table n." and "Figure n." before captions
    logo: bytes | None = None  # a PNG or JPEG at the head of the first page (Word takes no SVG)


def report_docx(elements: list[Element], images: dict[str, bytes], on: dt.date, paper: str | None = None,
                style: WordStyle = WordStyle()) -> bytes:
    """The Word file of a report's elements; `images`: each figure's PNG by name; `paper`: the spec's
    (A4 where it names none). The same inputs give the same bytes."""
    from docx import Document
    from docx.shared import Mm, Pt

    document = Document()
    width, height = PAPER_MM[paper or "A4"]
    for section in document.sections:
        section.page_width, section.page_height = Mm(width), Mm(height)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(MARGIN_MM)
    document.styles["Normal"].font.name = FONT
    document.styles["Normal"].font.size = Pt(BODY_PT)
    document.styles["Footer"].font.size = Pt(NOTE_PT)  # the page number fields' size too
    _header_and_footer(document.sections[0], style)
    text_width = Mm(width - 2 * MARGIN_MM)
    if style.logo is not None:
        document.add_picture(io.BytesIO(style.logo), width=Mm(LOGO_MM))
    counts = {"Table": 0, "Figure": 0}
    for element in elements:
        if isinstance(element, Heading):
            document.add_heading(element.text, 0 if element.level == 1 else min(element.level - 1, 9))
        elif isinstance(element, Paragraph):
            _paragraph(document, element)
        elif isinstance(element, ListItem):
            _list_item(document, element)
        elif isinstance(element, Table):
            _table(document, element, text_width, _label("Table", counts, style, element.caption))
        elif isinstance(element, Figure):
            _figure(document, element, images.get(element.name), text_width,
                    _label("Figure", counts, style, element.caption))
    stamp = dt.datetime.combine(on, dt.time(), tzinfo=dt.timezone.utc)
    properties = document.core_properties
    properties.created = properties.modified = stamp
    properties.author = properties.last_modified_by = "trialreport"
    properties.title = style.title
    properties.revision = 1
    out = io.BytesIO()
    document.save(out)
    return deterministic_zip(out.getvalue(), on)


def _label(what: str, counts: dict, style: WordStyle, caption: tuple[Run, ...]) -> str:
    """"Table n. " where the spec numbers captions (and the caption is not numbered already)."""
    counts[what] += 1
    text = "".join(r.text for r in caption)
    return f"{what} {counts[what]}. " if style.numbering and not NUMBERED.match(text) else ""


def _header_and_footer(section, style: WordStyle) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    if style.header:
        paragraph = section.header.paragraphs[0]
        paragraph.text = style.header
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in (style.confidentiality, style.footer):
        if text:
            footer.add_run(text).font.size = Pt(NOTE_PT)
            footer.add_run().add_break()
    for piece in ("Page ", "PAGE", " of ", "NUMPAGES"):
        run = footer.add_run()
        run.font.size = Pt(NOTE_PT)
        if piece.isupper():
            _field(run, piece)
        else:
            run.text = piece


def _field(run, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) in `run`: Word and LibreOffice fill in its value."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    begin, code, separate, shown, end = (OxmlElement(t) for t in ("w:fldChar", "w:instrText", "w:fldChar", "w:t", "w:fldChar"))
    begin.set(qn("w:fldCharType"), "begin")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    separate.set(qn("w:fldCharType"), "separate")
    shown.text = "1"
    end.set(qn("w:fldCharType"), "end")
    for part in (begin, code, separate, shown, end):
        run._r.append(part)


def _runs(paragraph, runs, size: float | None = None, bold: bool = False) -> None:
    from docx.shared import Pt

    for piece in runs:
        for i, line in enumerate(piece.text.split("\n")):
            run = paragraph.add_run()
            if i:
                run.add_break()
            run.add_text(line)
            run.bold = piece.bold or bold or None
            run.italic = piece.italic or None
            if piece.superscript:
                run.font.superscript = True
            if size:
                run.font.size = Pt(size)


def _paragraph(document, element: Paragraph) -> None:
    small = bool(SMALL_KINDS & set(element.kind.split()))
    paragraph = document.add_paragraph()
    _runs(paragraph, element.runs, NOTE_PT if small else None)


def _list_item(document, item: ListItem) -> None:
    from docx.shared import Mm

    if item.ordered:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = Mm(6 * (item.level + 1))
        paragraph.paragraph_format.first_line_indent = Mm(-6)
        _runs(paragraph, (Run(f"{item.number}.\t"), *item.runs))
    else:
        paragraph = document.add_paragraph(style="List Bullet" if item.level == 0 else "List Bullet 2")
        _runs(paragraph, item.runs)


def _caption(document, runs, label: str, before: bool):
    from docx.shared import Pt

    paragraph = document.add_paragraph(style="Caption")
    paragraph.paragraph_format.keep_with_next = before
    _runs(paragraph, (Run(label, bold=True), *runs) if label else runs, 9)
    for run in paragraph.runs:
        run.font.color.rgb = None
    paragraph.paragraph_format.space_after = Pt(3)
    return paragraph


def _table(document, table: Table, text_width, label: str) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    if table.caption or label:
        _caption(document, table.caption, label, before=True)
    rows = (*table.header, *table.body)
    columns = table.columns
    keep = "keep" in table.css.split()
    grid = document.add_table(rows=len(rows), cols=columns)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = _column_widths(table, text_width)
    for i, width in enumerate(widths):
        grid.columns[i].width = width
    _borders(grid)
    for r, (row, word_row) in enumerate(zip(rows, grid.rows)):
        header = r < len(table.header)
        _row_properties(word_row, header)
        cells = word_row.cells  # once a row: python-docx's table.cell(r, c) reads the whole table each time
        c = 0
        for cell in (*row.cells, *(() if row.width >= columns else (None,))):
            span = cell.span if cell is not None else columns - row.width
            target = cells[c]
            if span > 1:
                target = target.merge(cells[c + span - 1])
            target.width = sum(widths[c:c + span], 0)
            paragraph = target.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            if cell is not None:
                _runs(paragraph, cell.runs, TABLE_PT, bold=header or (c == 0 and "group" in row.kind.split()))
            if c == 0 and not header:
                paragraph.paragraph_format.left_indent = Mm(3 * row.indent)
            elif c > 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if header:
                _bottom_rule(target)
            # a short table (the PDF's "keep") stays on one page: each row kept with the next
            paragraph.paragraph_format.keep_with_next = keep and r < len(rows) - 1
            c += span
    for note in table.notes:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        _runs(paragraph, note, NOTE_PT)
    document.add_paragraph().paragraph_format.space_after = Pt(0)


FULL_WIDTH = 80  # a table whose columns weigh this much or more (report.render.document.column_weights) spans the page


def _column_widths(table: Table, text_width) -> list[int]:
    """The columns' widths: a narrow table (a column or two of figures) is not spread over the page."""
    weights = column_weights(table)
    total = sum(weights)
    return [int(text_width * min(1.0, total / FULL_WIDTH) * n / total) for n in weights]


def _row_properties(row, header: bool) -> None:
    """A header row repeats on every page (w:tblHeader); no row breaks across pages (w:cantSplit)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    if header:
        mark = OxmlElement("w:tblHeader")
        mark.set(qn("w:val"), "true")
        properties.append(mark)
    keep = OxmlElement("w:cantSplit")
    keep.set(qn("w:val"), "true")
    properties.append(keep)


def _borders(grid) -> None:
    """Rules above and below the table (the header's rule is its cells' bottom border)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "bottom"):
        line = OxmlElement(f"w:{edge}")
        for key, value in (("val", "single"), ("sz", "8"), ("space", "0"), ("color", "000000")):
            line.set(qn(f"w:{key}"), value)
        borders.append(line)
    grid._tbl.tblPr.append(borders)
    margins = OxmlElement("w:tblCellMar")  # narrow cell margins (1 mm): more room for the numbers
    for edge in ("left", "right"):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), "57")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    grid._tbl.tblPr.append(margins)


def _bottom_rule(cell) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    properties.append(borders)


def _figure(document, figure: Figure, png: bytes | None, text_width, label: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    if png is not None:
        document.add_picture(io.BytesIO(png))
        picture = document.inline_shapes[-1]
        if picture.width > text_width:
            picture.height = int(picture.height * text_width / picture.width)
            picture.width = int(text_width)
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        document.paragraphs[-1].paragraph_format.keep_with_next = True
    if figure.caption or label:
        _caption(document, figure.caption, label, before=False)


def word_style(spec, folder=None) -> WordStyle:
    """The Word file's house style from the spec ([report.style], the trial's title); the logo,
    a PNG or JPEG, read from the trial's `folder`."""
    style = spec.report.style
    logo = None
    if style.logo and folder is not None and style.logo.lower().endswith(LOGO_TYPES) and (folder / style.logo).is_file():
        logo = (folder / style.logo).read_bytes()
    return WordStyle(title=spec.trial.title, header=style.header, footer=style.footer,
                     confidentiality=style.confidentiality, numbering=style.numbering, logo=logo)

