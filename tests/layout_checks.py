"""Layout checks on a built report: its PDF's text positions (poppler's `pdftotext -bbox-layout`)
and its HTML's structure (the standard library's HTML parser). Each check returns the problems
it finds, as sentences, so a test asserts the list is empty and a unit test can feed it a
deliberately broken input.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

MM = 72 / 25.4
MARGIN_TOP, MARGIN_BOTTOM = 20 * MM, 20 * MM  # templates/report.css, @page margin
FOOT_SHARE = 0.12      # a heading in the last 12% of the page's text area needs its content beside it
MIN_FOLLOWING = 3      # rows of text after a heading on its page that count as its content being there
XHTML = "{http://www.w3.org/1999/xhtml}"
APT = "apt-get install -y poppler-utils"


# The PDF's text, as pages of rows ---------------------------------------------------------------

@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True)
class Row:
    """Words on one baseline (a line of text, or the cells of one table row)."""
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in sorted(self.words, key=lambda w: w.x0))

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    rows: tuple[Row, ...]   # top to bottom, the running header and footer included

    @property
    def header(self) -> list[Row]:
        return [r for r in self.rows if r.bottom <= MARGIN_TOP + 1]

    @property
    def body(self) -> list[Row]:
        return [r for r in self.rows if r.top >= MARGIN_TOP - 1 and r.bottom <= self.height - MARGIN_BOTTOM + 1]


def pdftotext() -> str:
    """The pdftotext command; a missing one is an error naming its package."""
    found = shutil.which("pdftotext")
    if found is None:
        raise FileNotFoundError(f"pdftotext (poppler-utils) is not installed: {APT}")
    return found


def pdf_pages(pdf: Path) -> list[Page]:
    out = subprocess.run([pdftotext(), "-bbox-layout", str(pdf), "-"], capture_output=True, check=True, timeout=120)
    root = ElementTree.fromstring(out.stdout)
    return [_page(i, page) for i, page in enumerate(root.iter(f"{XHTML}page"), start=1)]


def _page(number: int, element) -> Page:
    words = [Word(w.text or "", float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")))
             for w in element.iter(f"{XHTML}word")]
    return Page(number, float(element.get("width")), float(element.get("height")), tuple(rows_of(words)))


def rows_of(words: list[Word], tolerance: float = 2.0) -> list[Row]:
    """Words grouped by baseline (their box's bottom), top to bottom."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.bottom, w.x0)):
        if rows and abs(rows[-1][0].bottom - word.bottom) <= tolerance:
            rows[-1].append(word)
        else:
            rows.append([word])
    return [Row(tuple(r)) for r in rows]


# The HTML, as a small tree ------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)   # Node or str
    parent: "Node | None" = None

    def text(self) -> str:
        return " ".join("".join(c if isinstance(c, str) else " " + c.text() + " " for c in self.children).split())

    def iter(self, *tags: str):
        for child in self.children:
            if isinstance(child, Node):
                if not tags or child.tag in tags:
                    yield child
                yield from child.iter(*tags)

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {})
        self.skip = 0  # inside <style>/<script>

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node
        self.skip += tag in ("style", "script")

    def handle_endtag(self, tag):
        self.skip -= tag in ("style", "script")
        node = self.current
        while node.parent is not None and node.tag != tag:
            node = node.parent
        if node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        if not self.skip:
            self.current.children.append(data)


def html_tree(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def headings(tree: Node) -> list[str]:
    """The texts of h1, h2, h3 and table captions, as the HTML holds them (the PDF adds counters)."""
    return [t for t in (n.text() for n in tree.iter("h1", "h2", "h3", "caption")) if t]


# a. Headings stranded at the foot of a page -------------------------------------------------------

PREFIX = re.compile(r"^(?:(?:Table|Figure) \d+\. |\d+\. )")


def _squeezed(text: str) -> str:
    """The text without spaces and hyphens: a heading's words broken over lines ("B-" / "Cell")."""
    return re.sub(r"[\s\u00ad\u2010-]+", "", text)


def heading_end(rows: list[Row], i: int, titles: set[str], most: int = 4) -> tuple[int, str] | None:
    """Where a heading that starts at rows[i] ends (its last row's index) and its text, or None."""
    text = ""
    for k in range(i, min(i + most, len(rows))):
        text = f"{text} {rows[k].text}".strip()
        bare = PREFIX.sub("", text)
        if bare in titles:
            return k, bare
        squeezed = _squeezed(bare)
        for title in titles:
            if _squeezed(title) == squeezed:
                return k, title
    return None


def located(pages: list[Page], titles: list[str]) -> set[str]:
    """The headings found in the PDF's text (so that a check on them is not passed by finding none)."""
    names = set(titles)
    return {found[1] for page in pages for i in range(len(page.body))
            if (found := heading_end(page.body, i, names)) is not None}


def stranded_headings(pages: list[Page], titles: list[str]) -> list[str]:
    """A heading whose top is in the last 12% of the text area with fewer than three rows of
    text after it on its page, where its content goes on over the page (the next page does
    not start with a heading)."""
    names, problems = set(titles), []
    for index, page in enumerate(pages):
        body = page.body
        area = page.height - MARGIN_BOTTOM - MARGIN_TOP
        for i, row in enumerate(body):
            if row.top < MARGIN_TOP + (1 - FOOT_SHARE) * area:
                continue
            found = heading_end(body, i, names)
            if found is None:
                continue
            end, title = found
            following = len(body) - end - 1
            after = pages[index + 1].body if index + 1 < len(pages) else []
            if following < MIN_FOLLOWING and after and heading_end(after, 0, names) is None:
                share = (row.top - MARGIN_TOP) / area
                problems.append(f"page {page.number}: {title!r} starts at {share:.0%} of the text area and only "
                                f"{following} row(s) follow it there; page {page.number + 1} goes on with "
                                f"{after[0].text[:60]!r}")
    return problems


def notes_cut_from_tables(pages: list[Page], tree: Node) -> list[str]:
    """A page that begins with a table's note: the note was split from its table."""
    notes = [n.text() for n in tree.iter("p") if "table-note" in n.classes()]
    problems = []
    for page in pages[1:]:
        body = page.body
        first = body[0].text if body else ""
        if len(first) >= 15 and any(note.startswith(first) for note in notes):
            problems.append(f"page {page.number} begins with a table's note: {first[:70]!r}")
    return problems


def lone_rows(pages: list[Page], tree: Node) -> list[str]:
    """A page whose first row of a table's body (after the repeated header) is that table's last
    row: one row carried over alone."""
    tables = [[" ".join(c.text() for c in tr.iter("td", "th")) for body in table.iter("tbody") for tr in body.iter("tr")]
              for table in tree.iter("table")]
    problems = []
    for page in pages[1:]:
        for row in page.body[:4]:
            holding = [rows for rows in tables if row.text in rows]
            if not holding:
                continue  # the repeated header, or text that is no row of a table
            rows = holding[0]
            if len(holding) == 1 and len(rows) > 1 and rows.count(row.text) == 1 and rows[-1] == row.text:
                problems.append(f"page {page.number} begins with the last row of a table alone: {row.text[:70]!r}")
            break
    return problems


# c. The running header on one line ----------------------------------------------------------------

def header_lines(pages: list[Page]) -> list[str]:
    """Every page's running header (the text in the top margin) on one baseline."""
    return [f"page {p.number}: the header takes {len(p.header)} lines: " + " / ".join(r.text for r in p.header)
            for p in pages if len(p.header) > 1]


# d. Every figure captioned ------------------------------------------------------------------------

def uncaptioned_figures(tree: Node) -> list[str]:
    problems = []
    for number, figure in enumerate(tree.iter("figure"), start=1):
        captions = [c.text() for c in figure.iter("figcaption")]
        if not any(captions):
            ids = [n.attrs["id"] for n in figure.iter() if n.attrs.get("id")][:1]
            problems.append(f"figure {number} ({', '.join(ids) or 'no id'}) has no caption")
    return problems


# e. Number formats (DESIGN section 6) ------------------------------------------------------------

PROSE = ("p", "li", "dd", "dt", "figcaption", "caption", "h1", "h2", "h3", "div")
MISSING_WORDS = re.compile(r"\b(?:nan|NaN|inf)\b|\bNone(?=\s*[%)(\u2013-]|$)|(?<=[(\u2013-])None\b")
ZERO_PERCENT = re.compile(r"(?<![\d.])0 \(0(?:\.0+)?%\)")
HYPHEN_RANGE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?%-\d|(?<![\w.-])\d+\.\d+-\d+\.\d+(?![\w.-])")
EM_DASH_RANGE = re.compile(r"\d%?\u2014\d")
INTERVAL = re.compile(r"(?<![\w.])(\d+)(?:\.(\d+))?(%?)\u2013(\d+)(?:\.(\d+))?(%?)(?![\d.])")
P_VALUE = re.compile(r"\b[pP]\s*(=|<|>|\u2264)\s*(\d*\.\d+)")
NR_DEFINED = re.compile(r"\bNR(?:,|:| =) not reached\b", re.I)
NR_RESPONSE = re.compile(r"\bNR \(no response\)|\(NR\)")  # the response category, another NR
LANDMARK_ROW = re.compile(r"\b\d+[- ]month\b|\bat \d+ (?:days|weeks|months|years)\b|\brate\b", re.I)
DASHES = {"-", "\u2013", "\u2014"}


def _texts(tree: Node, tags: tuple[str, ...]) -> list[str]:
    """Each element's own text (a div only where it holds text directly), outside figures' SVG."""
    out = []
    for node in tree.iter(*tags):
        if any(a.tag == "svg" for a in _ancestors(node)):
            continue
        if node.tag == "div" and not any(isinstance(c, str) and c.strip() for c in node.children):
            continue
        out.append(node.text())
    return out


def _ancestors(node: Node):
    while node.parent is not None:
        node = node.parent
        yield node


def interval_problems(text: str) -> list[str]:
    """An interval's two limits printed alike: one precision, a percent sign on both or neither."""
    problems = []
    for m in INTERVAL.finditer(text):
        if len(m.group(2) or "") != len(m.group(5) or "") or m.group(3) != m.group(6):
            problems.append(f"interval {m.group(0)!r} prints its limits differently")
    return problems


def format_problems(tree: Node) -> list[str]:
    """The formats of DESIGN section 6 in the report's text (figures' SVG aside)."""
    cells, prose = _texts(tree, ("td", "th")), _texts(tree, PROSE)
    problems = []
    for text in cells + prose:
        where = f" in {text[:80]!r}"
        problems += [f"{m.group(0)!r}: a missing value printed raw{where}" for m in MISSING_WORDS.finditer(text)]
        problems += [f"{m.group(0)!r}: a zero count is '0'{where}" for m in ZERO_PERCENT.finditer(text)]
        problems += [f"{m.group(0)!r}: an interval takes an en dash{where}" for m in HYPHEN_RANGE.finditer(text)]
        problems += [f"{m.group(0)!r}: an interval takes an en dash{where}" for m in EM_DASH_RANGE.finditer(text)]
        problems += [f"{p}{where}" for p in interval_problems(text)]
        problems += [f"{m.group(0)!r}: a p-value is '<0.001' or three decimals{where}" for m in P_VALUE.finditer(text)
                     if not (m.group(1) == "<" and m.group(2) == "0.001") and len(m.group(2).split(".")[1]) != 3]
    problems += reached_problems(cells, prose)
    problems += landmark_problems(tree)
    return problems


def reached_problems(cells: list[str], prose: list[str]) -> list[str]:
    """'NR' in tables (defined as 'NR, not reached' in a note), 'not reached' in prose."""
    problems = [f"'not reached' in a table cell: {c[:60]!r}" for c in cells if re.search(r"not reached", c, re.I)]
    for text in prose:
        bare = NR_RESPONSE.sub("", NR_DEFINED.sub("", text))
        if re.search(r"\bNR\b", bare):
            problems.append(f"'NR' in prose (write 'not reached'): {text[:80]!r}")
    if any(re.search(r"\bNR\b", c) for c in cells) and not any(NR_DEFINED.search(t) for t in prose):
        problems.append("'NR' in a table but no note 'NR, not reached'")
    return problems


def landmark_problems(tree: Node) -> list[str]:
    """A landmark after the last follow-up prints 'NE', not a dash."""
    problems = []
    for row in tree.iter("tr"):
        cells = [c.text() for c in row.iter("td", "th")]
        if cells and LANDMARK_ROW.search(cells[0]) and any(c in DASHES for c in cells[1:]):
            problems.append(f"a landmark row prints a dash (DESIGN: 'NE'): {' | '.join(cells)[:100]!r}")
    return problems


# Pages left mostly blank ------------------------------------------------------------------------

EMPTY_SHARE = 0.40


def empty_pages(pages: list[Page]) -> list[str]:
    """Pages, but the last, whose text ends with more than 40% of the text area left blank."""
    problems = []
    for page, after in zip(pages, pages[1:]):
        area = page.height - MARGIN_BOTTOM - MARGIN_TOP
        end = page.body[-1].bottom if page.body else MARGIN_TOP
        blank = (page.height - MARGIN_BOTTOM - end) / area
        if blank > EMPTY_SHARE:
            following = after.body[0].text[:60] if after.body else ""
            problems.append(f"page {page.number} is {blank:.0%} blank at its foot; page {after.number} begins {following!r}")
    return problems


# b. Text overflowing its cell or box, in the browser ----------------------------------------------

OVERFLOW_JS = """() => {
    const out = [];
    for (const cell of document.querySelectorAll('td, th')) {
        if (cell.scrollWidth > cell.clientWidth + 1)
            out.push(`cell overflows (${cell.scrollWidth} > ${cell.clientWidth} px): ${cell.textContent.trim().slice(0, 60)}`);
    }
    for (const text of document.querySelectorAll('svg g[id$="-text"]')) {
        const box = document.getElementById(text.id.slice(0, -5));
        if (!box) continue;
        const t = text.getBoundingClientRect(), b = box.getBoundingClientRect();
        if (t.left < b.left - 0.5 || t.right > b.right + 0.5 || t.top < b.top - 0.5 || t.bottom > b.bottom + 0.5)
            out.push(`text leaves its box ${box.id}: ${text.textContent.trim().slice(0, 60)}`);
    }
    return out;
}"""
