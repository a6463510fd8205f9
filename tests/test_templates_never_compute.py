"""Templates never compute (issue 14, item 6): every number, label, ordering and choice of
wording comes from report.layout; a shipped template only prints prepared values.

Each shipped template is parsed with Jinja's own parser and its syntax tree walked. Refused:
arithmetic, string concatenation with `~` (a caption or key built in the template is wording
chosen there: layout hands over the finished string), comparisons, `and` / `or` (a decision
or a fallback wording), conditional expressions (`a if x else b` chooses wording), `for ... if`
loop filters, slices, literal lists and mappings (a rule table held in the template), calls
other than to the templates' own macros, and every filter but the formatting ones of
report.layout.formatting (registered by report/render/render.py) and `escape` / `safe`.
Allowed: printing values, `{% if value %}` truthiness (negated or not) on prepared values and
the loop's own `loop.first` / `loop.last`, and the `is none` / `is defined` tests.
"""
from __future__ import annotations

import jinja2
import pytest
from jinja2 import nodes

from report.layout.formatting import FILTERS
from report.resources import templates_dir

ALLOWED_FILTERS = set(FILTERS) | {"escape", "e", "safe"}
ALLOWED_TESTS = {"none", "defined", "undefined"}
ARITHMETIC = (nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Pow, nodes.Neg, nodes.Pos)
REFUSED = {
    nodes.Concat: "string concatenation (~)",
    nodes.Compare: "a comparison",
    nodes.And: "`and` (a decision taken in the template)",
    nodes.Or: "`or` (a fallback chosen in the template)",
    nodes.CondExpr: "a conditional expression choosing wording",
    nodes.Slice: "a slice",
    nodes.List: "a literal list (a rule held in the template)",
    nodes.Dict: "a literal mapping (a rule held in the template)",
}
EXEMPT: set[str] = set()  # none: every shipped template only prints


def shipped() -> list[str]:
    root = templates_dir()
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.j2"))


def violations(source: str) -> list[str]:
    """What in the template `source` computes, one line each (empty: it only prints)."""
    tree = jinja2.Environment().parse(source)
    macros = {m.name for m in tree.find_all(nodes.Macro)} | {"caller"}
    namespaces = {i.target for i in tree.find_all(nodes.Import)}
    found = []
    for node in tree.find_all(nodes.Node):
        where = f"line {node.lineno}"
        if isinstance(node, ARITHMETIC):
            found.append(f"{where}: arithmetic ({type(node).__name__})")
        elif type(node) in REFUSED:
            found.append(f"{where}: {REFUSED[type(node)]}")
        elif isinstance(node, nodes.Tuple) and node.ctx == "load":
            found.append(f"{where}: a literal tuple (a rule held in the template)")
        elif isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            found.append(f"{where}: the filter {node.name!r} (sorting, selecting or counting belongs in layout)")
        elif isinstance(node, nodes.Test) and node.name not in ALLOWED_TESTS:
            found.append(f"{where}: the test {node.name!r}")
        elif isinstance(node, nodes.For) and node.test is not None:
            found.append(f"{where}: a `for ... if` loop filter (selection belongs in layout)")
        elif isinstance(node, nodes.Call) and not _macro_call(node.node, macros, namespaces):
            found.append(f"{where}: a call (only the templates' own macros may be called)")
    return found


def _macro_call(callee: nodes.Node, macros: set[str], namespaces: set[str]) -> bool:
    if isinstance(callee, nodes.Name):
        return callee.name in macros
    return isinstance(callee, nodes.Getattr) and isinstance(callee.node, nodes.Name) and callee.node.name in namespaces


@pytest.mark.parametrize("name", [n for n in shipped() if n not in EXEMPT])
def test_a_shipped_template_only_prints_prepared_values(name):
    source = (templates_dir() / name).read_text(encoding="utf-8")
    assert violations(source) == [], name


def test_every_shipped_template_is_checked():
    names = shipped()
    assert len(names) >= 20 and "partials/results.html.j2" in names and "base.html.j2" in names
    assert EXEMPT <= set(names)


@pytest.mark.parametrize("source, fault", [
    ("{{ a + b }}", "arithmetic"),
    ("{% if x < 1 %}few{% endif %}", "comparison"),
    ("{{ n * 100 }}", "arithmetic"),
    ('{{ "died" if name == "os" else "an event" }}', "comparison"),
    ('{{ "none" if count else "some" }}', "conditional expression"),
    ("{% for t in terms if t.soc %}{{ t }}{% endfor %}", "for ... if"),
    ("{% for t in terms[:5] %}{{ t }}{% endfor %}", "slice"),
    ("{% for t in terms | sort(attribute='n') %}{{ t }}{% endfor %}", "'sort'"),
    ("{% for t in terms | selectattr('soc') %}{{ t }}{% endfor %}", "'selectattr'"),
    ("{{ terms | length }}", "'length'"),
    ('{{ "caption " ~ name }}', "concatenation"),
    ('{% set names = {"M": "Male"} %}{{ names[code] }}', "literal mapping"),
    ('{{ label or "Unknown" }}', "`or`"),
    ("{{ rule.describe() }}", "a call"),
])
def test_the_check_catches_a_template_that_computes(source, fault):
    found = violations(source)
    assert found and any(fault in f for f in found), found


def test_the_check_allows_printing_formatting_and_truthiness():
    source = ('{% import "partials/macros.html.j2" as m %}{% macro row(x) %}{{ x.label }}{% endmacro %}'
              "{% if v.response %}{{ v.response.percent }}{% endif %}{% if not v.note %}-{% endif %}"
              "{{ r.data_cutoff | long_date }}{{ p | pct(1) }}{% if x is none %}NE{% endif %}"
              "{% for a in v.authors %}{{ a }}{% if not loop.last %}; {% endif %}{% endfor %}"
              "{{ row(v) }}{{ m.arm_table(v.table, v.caption) }}{{ figures[v.figure] }}")
    assert violations(source) == []
