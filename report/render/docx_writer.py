"""The abstract as a Word file, for co-authors to edit (python-docx)."""
from __future__ import annotations

import datetime as dt
import io

from ..layout.abstract import Abstract
from .zipfiles import deterministic_zip


PAPER_MM = {"A4": (210, 297), "Letter": (215.9, 279.4)}


def abstract_docx(abstract: Abstract, on: dt.date, paper: str | None = None) -> bytes:
    """`paper`: the spec's (A4 where it names none, as the PDF's stylesheet)."""
    from docx import Document
    from docx.shared import Mm, Pt

    document = Document()
    width, height = PAPER_MM[paper or "A4"]
    for section in document.sections:
        section.page_width, section.page_height = Mm(width), Mm(height)
    document.styles["Normal"].font.name = "Calibri"
    document.styles["Normal"].font.size = Pt(11)
    title = document.add_paragraph(style="Title")
    title.add_run(abstract.title)
    authors = document.add_paragraph()
    for i, (name, mark) in enumerate(abstract.authors):
        authors.add_run(("" if i == 0 else ", ") + name)
        if mark:
            authors.add_run(str(mark)).font.superscript = True
    for i, affiliation in enumerate(abstract.affiliations, start=1):
        document.add_paragraph(f"{i}. {affiliation}")
    for part in abstract.parts:
        if part.rows:
            table = document.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            if part.head:
                cells = table.add_row().cells
                for cell, text in zip(cells, part.head):
                    cell.paragraphs[0].add_run(text).bold = True
            for label, value in part.rows:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = label, value
        else:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{part.heading}: ").bold = True
            paragraph.add_run(part.text)
    stamp = dt.datetime.combine(on, dt.time(), tzinfo=dt.timezone.utc)
    document.core_properties.created = document.core_properties.modified = stamp
    document.core_properties.author = document.core_properties.last_modified_by = "trialreport"
    out = io.BytesIO()
    document.save(out)
    return deterministic_zip(out.getvalue(), on)
