"""A report's final HTML (what its PDF is made from) read back as a list of plain elements:
headings, paragraphs, list items, tables and figures, in reading order. The Word report and
the RTF tables are written from these, so they show the same words and numbers as the PDF.

The HTML is parsed with lxml (a python-docx dependency); its tables are those the templates
write, most of them from report.layout.tables.ArmTable (templates/partials/macros.html.j2).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

FIGURE_ATTRIBUTE = "data-figure"  # the placeholder that stands for a figure: <img data-figure="name">
SKIPPED = {"style", "script", "head", "title", "meta", "link", "svg", "noscript", "template"}
INLINE = {"b", "strong", "i", "em", "sup", "sub", "span", "a", "abbr", "small", "code", "br", "u", "mark", "time"}
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


@dataclass(frozen=True)
class Run:
    text: str  # "\n" where the HTML had <br>
    bold: bool = False
    italic: bool = False
    superscript: bool = False


@dataclass(frozen=True)
class Heading:
    level: int  # 1 for <h1> (the report's title), 2 for a section, 3 for a subsection
    text: str


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    kind: str = ""  # the HTML class, e.g. "muted", "table-note", "meta"


@dataclass(frozen=True)
class ListItem:
    runs: tuple[Run, ...]
    ordered: bool = False
    number: int = 0  # its number in an ordered list (1, 2, ...)
    level: int = 0
    section: str = ""  # the id of the section it is in ("methods": the report's footnotes)


@dataclass(frozen=True)
class Cell:
    runs: tuple[Run, ...]
    span: int = 1  # colspan
    header: bool = False  # a <th>

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class TableRow:
    cells: tuple[Cell, ...]
    kind: str = ""  # the row's class: "group" (bold band), "sub", "indent", "deeper", "nested", ...
    indent: int = 0  # 0, 1 or 2: how far the row's label is indented

    @property
    def width(self) -> int:
        return sum(c.span for c in self.cells)


@dataclass(frozen=True)
class Table:
    caption: tuple[Run, ...]
    header: tuple[TableRow, ...]  # repeated at the top of every page
    body: tuple[TableRow, ...]
    notes: tuple[tuple[Run, ...], ...] = ()  # the table's notes (p.table-note after it)
    section: str = ""  # the id of the section it is in, e.g. "disposition"
    css: str = ""

    @property
    def columns(self) -> int:
        return max((r.width for r in (*self.header, *self.body)), default=1)

    @property
    def title(self) -> str:
        return "".join(r.text for r in self.caption)


@dataclass(frozen=True)
class Figure:
    name: str  # the figure's key in the page's figures
    caption: tuple[Run, ...]


Element = Heading | Paragraph | ListItem | Table | Figure


@dataclass
class _Reader:
    elements: list = field(default_factory=list)
    section: str = ""


def figure_placeholders(html: str, figures: dict[str, str]) -> str:
    """`html` with each inline SVG figure replaced by <img data-figure="name">, so that the
    reader names a figure rather than reading its drawing."""
    for name, svg in sorted(figures.items()):
        html = html.replace(svg, f'<img {FIGURE_ATTRIBUTE}="{name}" alt="">')
    return html


def elements(html: str) -> list[Element]:
    """The report's elements in reading order."""
    import lxml.html

    root = lxml.html.document_fromstring(html)
    body = root.find("body")
    reader = _Reader()
    _block(body if body is not None else root, reader)
    return _with_notes(reader.elements)


def tables(html: str) -> list[Table]:
    return [e for e in elements(html) if isinstance(e, Table)]


def _with_notes(found: list) -> list[Element]:
    """Each table with the table notes that follow it (p.table-note) as its own notes."""
    out: list = []
    for element in found:
        if isinstance(element, Paragraph) and element.kind == "table-note" and out and isinstance(out[-1], Table):
            last = out[-1]
            out[-1] = Table(last.caption, last.header, last.body, (*last.notes, element.runs), last.section, last.css)
        else:
            out.append(element)
    return out


def _block(node, reader: _Reader, level: int = 0) -> None:
    """Read a block container: its inline content as paragraphs, its block children in order."""
    pending: list[Run] = _runs_of_text(node.text)
    for child in node:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in INLINE or (tag == "img" and child.get(FIGURE_ATTRIBUTE) is None):
            pending += _inline(child)
        else:
            _flush(pending, reader, _class(node))
            pending = []
            _element(child, tag, reader, level)
        pending += _runs_of_text(child.tail)
    _flush(pending, reader, _class(node))


def _element(node, tag: str, reader: _Reader, level: int) -> None:
    if tag in SKIPPED or not tag:
        return
    if tag in HEADINGS:
        text = _plain(_inline_content(node))
        if text:
            reader.elements.append(Heading(HEADINGS[tag], text))
    elif tag == "p":
        _flush(_inline_content(node), reader, _class(node))
    elif tag in ("ul", "ol"):
        _list(node, tag == "ol", reader, level)
    elif tag == "dl":
        _definitions(node, reader, level)
    elif tag == "table":
        reader.elements.append(_table(node, reader.section))
    elif tag == "figure":
        _figure(node, reader)
    elif tag == "img":
        reader.elements.append(Figure(node.get(FIGURE_ATTRIBUTE), ()))
    elif tag == "div" and "key" in _class(node).split():
        _flush(_key_result(node), reader, "key")
    elif tag == "section":
        outer, reader.section = reader.section, node.get("id") or reader.section
        _block(node, reader, level)
        reader.section = outer
    else:  # div, header, footer, main, article, nav, blockquote, ...
        _block(node, reader, level)


def _list(node, ordered: bool, reader: _Reader, level: int) -> None:
    number = 0
    for item in node:
        if not isinstance(item.tag, str) or item.tag != "li":
            continue
        number += 1
        runs: list[Run] = _runs_of_text(item.text)
        nested = []
        for child in item:
            if child.tag in ("ul", "ol"):
                nested.append(child)
            else:
                runs += _inline(child)
            runs += _runs_of_text(child.tail)
        runs = _trimmed(runs)
        if runs:
            reader.elements.append(ListItem(tuple(runs), ordered, number, level, reader.section))
        for child in nested:
            _list(child, child.tag == "ol", reader, level + 1)


def _definitions(node, reader: _Reader, level: int) -> None:
    """<dt>term</dt><dd>text</dd>: a paragraph with the term in bold; a list inside the
    definition follows as list items."""
    term: list[Run] = []
    for child in node:
        if child.tag == "dt":
            term = [Run(_plain(_inline_content(child)), bold=True)]
        elif child.tag == "dd":
            inner = _Reader(section=reader.section)
            _block(child, inner, level)
            first = inner.elements[0] if inner.elements else None
            if isinstance(first, Paragraph):
                inner.elements[0] = Paragraph((*term, Run(": "), *first.runs), first.kind)
            elif term:
                inner.elements.insert(0, Paragraph(tuple(term)))
            reader.elements += inner.elements
            term = []


def _figure(node, reader: _Reader) -> None:
    placeholder = next((i for i in node.iter("img") if i.get(FIGURE_ATTRIBUTE) is not None), None)
    caption = next(iter(node.iter("figcaption")), None)
    runs = tuple(_inline_content(caption)) if caption is not None else ()
    if placeholder is not None:
        reader.elements.append(Figure(placeholder.get(FIGURE_ATTRIBUTE), runs))
    elif runs:
        reader.elements.append(Paragraph(runs, "caption"))


def _key_result(node) -> list[Run]:
    """A key result card (div.key: value, label, detail) as one line: "66% CR or CRi (19 of 29; ...)"."""
    parts = {_class(c): _plain(_inline_content(c)) for c in node if isinstance(c.tag, str)}
    runs = [Run(parts.get("value", ""), bold=True), Run(" " + parts.get("label", ""))]
    if parts.get("detail"):
        runs.append(Run(f" ({parts['detail']})"))
    return runs


def _table(node, section: str) -> Table:
    caption = next((c for c in node if c.tag == "caption"), None)
    header, body = [], []
    for part in node:
        if part.tag not in ("thead", "tbody", "tfoot", "tr"):
            continue
        rows = [part] if part.tag == "tr" else [r for r in part if r.tag == "tr"]
        for tr in rows:
            row = _row(tr)
            (header if part.tag == "thead" else body).append(row)
    return Table(tuple(_inline_content(caption)) if caption is not None else (), tuple(header), tuple(body),
                 section=section, css=_class(node))


def _row(tr) -> TableRow:
    cells = []
    for td in tr:
        if td.tag not in ("td", "th"):
            continue
        span = td.get("colspan") or "1"
        cells.append(Cell(tuple(_inline_content(td)), max(1, int(span)) if span.isdigit() else 1, td.tag == "th"))
    kind = _class(tr)
    words = kind.split()
    first = next((td for td in tr if td.tag in ("td", "th")), None)
    indent = 2 if ({"deeper", "nested", "deep"} & set(words)) else \
        1 if (first is not None and "indent" in _class(first).split()) or {"indent", "sub"} & set(words) else 0
    return TableRow(tuple(cells), kind, indent)


def column_weights(table: Table) -> list[int]:
    """Each column's share of the table's width, from its longest line: the label column's
    counted up to 40 characters, the others' up to 16, none under 4, each with 3 more for the
    cell's margins. Deterministic, from the table's text alone; the Word and RTF tables both use it."""
    columns = table.columns
    longest = [4] * columns
    for row in (*table.header, *table.body):
        c = 0
        for cell in row.cells:
            if cell.span == 1 and c < columns:
                line = max(len(part) for part in cell.text.split("\n"))
                longest[c] = max(longest[c], min(line, 40 if c == 0 else 16))
            c += cell.span
    return [n + 3 for n in longest]


# ----------------------------------------------------------------------------- inline text

def _inline_content(node) -> list[Run]:
    """The runs of an element's content, whitespace collapsed and trimmed as a browser shows it."""
    runs = _runs_of_text(node.text)
    for child in node:
        runs += _inline(child)
        runs += _runs_of_text(child.tail)
    return _trimmed(runs)


def _inline(node, bold=False, italic=False, superscript=False) -> list[Run]:
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag in SKIPPED or tag == "img" or not tag:
        return []
    if tag == "br":
        return [Run("\n", bold, italic, superscript)]
    bold = bold or tag in ("b", "strong")
    italic = italic or tag in ("i", "em")
    superscript = superscript or tag == "sup"
    runs = _runs_of_text(node.text, bold, italic, superscript)
    for child in node:
        runs += _inline(child, bold, italic, superscript)
        runs += _runs_of_text(child.tail, bold, italic, superscript)
    return runs


def _runs_of_text(text: str | None, bold=False, italic=False, superscript=False) -> list[Run]:
    if not text:
        return []
    return [Run(re.sub(r"[ \t\r\n\f]+", " ", text), bold, italic, superscript)]


def _trimmed(runs: list[Run]) -> list[Run]:
    """Runs merged where alike, spaces collapsed across runs, none at either end or around a line break."""
    merged: list[Run] = []
    for run in runs:
        text = run.text
        previous = merged[-1].text if merged else "\n"
        if previous.endswith((" ", "\n")) and text.startswith(" "):
            text = text.lstrip(" ")
        if text == "\n" and merged:
            merged[-1] = _with_text(merged[-1], merged[-1].text.rstrip(" "))
        if not text:
            continue
        if merged and _alike(merged[-1], run):
            merged[-1] = _with_text(merged[-1], merged[-1].text + text)
        else:
            merged.append(_with_text(run, text))
    while merged and not merged[-1].text.rstrip(" \n"):
        merged.pop()
    if merged:
        merged[-1] = _with_text(merged[-1], merged[-1].text.rstrip(" \n"))
    return [r for r in merged if r.text]


def _alike(a: Run, b: Run) -> bool:
    return (a.bold, a.italic, a.superscript) == (b.bold, b.italic, b.superscript)


def _with_text(run: Run, text: str) -> Run:
    return Run(text, run.bold, run.italic, run.superscript)


def _plain(runs: list[Run]) -> str:
    return "".join(r.text for r in runs).strip()


def _flush(runs: list[Run], reader: _Reader, kind: str) -> None:
    runs = _trimmed(runs)
    if runs and any(r.text.strip() for r in runs):
        reader.elements.append(Paragraph(tuple(runs), kind))


def _class(node) -> str:
    return (node.get("class") or "").strip() if node is not None else ""
