"""The user's own text, bound to the ledger: `[narrative]` Markdown with references to ledger
figures (`{{ response.responders }}`, `{{ survival.os | at(12) }}`), printed as DESIGN section 6
says. Rendered in Jinja's immutable sandbox with strict undefined: an unknown reference, a
format that does not fit its figure, or anything the sandbox refuses is a Problem naming the
file and line. The figures a text printed are recorded for the manifest.

The formats (docs in the README, "Narrative"):
    {{ x }}          a figure as its kind reads: a proportion "19 of 29 (66%; 95% CI 45.7%-82.1%)",
                     a survival estimate its median, a landmark "79% (95% CI 59.6%-90.1%)",
                     a hazard ratio "0.75 (95% CI 0.47-1.19)", a count "19", a p-value "0.217"
    | at(t)          survival at the landmark t (a time the spec's [analysis] landmarks list)
    | median         a survival estimate's median with its CI, "not reached" where it is not
    | pct / pct(1)   a proportion (or a survival landmark) as a percentage, whole or to 1 decimal
    | ci             the confidence limits alone, "45.7%-82.1%"
    | count          a proportion as "19 of 29"
    | num / num(2)   a number to 1 (or 2, ...) decimals
    | p              a p-value in a sentence, "p = 0.217" or "p < 0.001"
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from markupsafe import Markup

from ..errors import Problem
from .formatting import MISSING, confidence_label, interval, number, percent
from .wording import p_clause

NOT_REACHED = "not reached"
NE = "NE"


class Misfit(Exception):
    """A reference that names nothing in the ledger, or a format that does not fit its figure."""


@dataclass(frozen=True)
class Written:
    """A section's text rendered: `html` for the pages, `text` (plain) for the abstract, and the
    references it printed, in order."""
    section: str
    html: Markup
    text: str
    references: tuple[str, ...]


class Figure:
    """A node of the ledger as a narrative sees it: its path, its value and the confidence and
    time unit of the estimate it belongs to. Its only attributes are the ledger's own keys."""
    __slots__ = ("_path", "_value", "_frame", "_seen")

    def __init__(self, path: str, value, frame: dict, seen: list[str]):
        self._path, self._value, self._frame, self._seen = path, value, frame, seen

    def __getattr__(self, key: str) -> "Figure":
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def __getitem__(self, key) -> "Figure":
        value = self._value
        if isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
            return self._child(f"{self._path}[{key}]", value[key])
        if isinstance(value, dict) and str(key) in value:
            return self._child(f"{self._path}.{key}", value[str(key)])
        raise Misfit(f"{self._path}.{key} is not in the ledger{_known(value)}")

    def _child(self, path: str, value) -> "Figure":
        frame = {**self._frame, **{k: value[k] for k in ("confidence", "time_unit") if isinstance(value, dict) and k in value}}
        return Figure(path, value, frame, self._seen)

    def _printed(self, shown: str, how: str = "") -> str:
        self._seen.append(self._path + (f" | {how}" if how else ""))
        return shown

    def __str__(self) -> str:
        return self._printed(_as_read(self))


def _known(value) -> str:
    if isinstance(value, dict):
        return f" (its parts: {', '.join(map(str, value)) or 'none'})"
    if isinstance(value, list):
        return f" (a list of {len(value)}: name one by its index, [0] to [{len(value) - 1}])"
    return ""


def _shape(value) -> str:
    if isinstance(value, dict):
        if {"count", "n", "proportion"} <= value.keys():
            return "proportion"
        if {"median", "landmarks"} <= value.keys():
            return "survival"
        if {"time", "survival"} <= value.keys():
            return "landmark"
        if "hazard_ratio" in value:
            return "hazard ratio"
        if {"estimate", "ci_low", "ci_high"} <= value.keys():
            return "estimate"
        return "group"
    return "list" if isinstance(value, list) else "value"


def _as_read(f: Figure) -> str:
    """A figure as its kind reads in prose (DESIGN section 6)."""
    shape, v = _shape(f._value), f._value
    if shape == "proportion":
        return f"{_count(v)} ({percent(v['proportion'])}; {_level(f)} CI {_limits(v, 1)})"
    if shape == "survival":
        return _median(f)
    if shape == "landmark":
        return _landmark(f, v)
    if shape == "hazard ratio":
        return f"{number(v['hazard_ratio'], 2)} ({_level(f)} CI {_ratio_limits(v)})"
    if shape == "estimate":
        return _estimate(f, v, f._path.endswith("median"))
    if shape in ("group", "list"):
        raise Misfit(f"{f._path} is a {'list' if shape == 'list' else 'group of figures'}, not one figure{_known(v)}")
    return _leaf(f)


def _leaf(f: Figure) -> str:
    key, v = re.split(r"[.\[]", f._path)[-1].rstrip("]"), f._value
    if v is None:
        return NOT_REACHED if f._path.endswith("median.estimate") else NE
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if key in ("proportion", "survival") or key.endswith("_proportion"):
            return percent(v)
        if key in ("p_value", "p"):
            return "<0.001" if v < 0.001 else number(v, 3)
        if key in ("hazard_ratio", "odds_ratio"):
            return number(v, 2)
        return number(v, 1)
    return str(v)


def _count(v: dict) -> str:
    return f"{v['count']} of {v['n']}"


def _level(f: Figure) -> str:
    return confidence_label(f._frame.get("confidence", 0.95))


def _limits(v: dict, digits: int) -> str:
    return interval(v.get("ci_low"), v.get("ci_high"), digits)


def _ratio_limits(v: dict) -> str:
    return interval(v.get("ci_low"), v.get("ci_high"), 2, as_percent=False)


def _unit(f: Figure) -> str:
    unit = f._frame.get("time_unit")
    return f" {unit}" if unit else ""


def _estimate(f: Figure, v: dict, median: bool) -> str:
    limits = interval(v.get("ci_low"), v.get("ci_high"), 1, as_percent=False)
    if v["estimate"] is None:
        return f"{NOT_REACHED if median else NE} ({_level(f)} CI {limits})"
    return f"{number(v['estimate'], 1)}{_unit(f)} ({_level(f)} CI {limits})"


def _median(f: Figure) -> str:
    return _estimate(f, f._value["median"], True)


def _landmark(f: Figure, v: dict) -> str:
    if v["survival"] is None:
        return NE
    return f"{percent(v['survival'])} ({_level(f)} CI {_limits(v, 1)})"


def _needs(f, shapes: tuple[str, ...], how: str) -> Figure:
    if not isinstance(f, Figure):
        raise Misfit(f"| {how} is for a ledger figure, not {f!r}")
    shape = _shape(f._value)
    if shape not in shapes:
        raise Misfit(f"| {how} does not fit {f._path}: it is a {shape}, and {how} takes a {' or a '.join(shapes)}")
    return f


def at(f, time) -> str:
    """Survival at the landmark `time`."""
    f = _needs(f, ("survival",), f"at({time})")
    for i, landmark in enumerate(f._value["landmarks"]):
        if landmark["time"] == time:
            return f._printed(_landmark(f._child(f"{f._path}.landmarks[{i}]", landmark), landmark), f"at({time})")
    times = ", ".join(number(x["time"], 1).removesuffix(".0") for x in f._value["landmarks"]) or "none"
    raise Misfit(f"| at({time}): {f._path} has no landmark at {time}; the spec's landmarks are {times} "
                 "([analysis] landmarks)")


def median(f) -> str:
    f = _needs(f, ("survival",), "median")
    return f._printed(_median(f), "median")


def pct(f, digits: int = 0) -> str:
    f = _needs(f, ("proportion", "landmark", "value"), "pct")
    v = f._value
    value = v["proportion"] if isinstance(v, dict) and "proportion" in v else v["survival"] if isinstance(v, dict) else v
    if value is not None and not isinstance(value, float | int):
        raise Misfit(f"| pct does not fit {f._path}: {value!r} is not a number")
    return f._printed(percent(value, digits) if value is not None else MISSING, "pct" if not digits else f"pct({digits})")


def ci(f) -> str:
    f = _needs(f, ("proportion", "landmark", "hazard ratio", "estimate", "survival"), "ci")
    v, shape = f._value, _shape(f._value)
    shown = (_limits(v, 1) if shape in ("proportion", "landmark") else _ratio_limits(v) if shape == "hazard ratio"
             else interval((v.get("median") or v).get("ci_low"), (v.get("median") or v).get("ci_high"), 1, as_percent=False))
    return f._printed(shown, "ci")


def count(f) -> str:
    f = _needs(f, ("proportion",), "count")
    return f._printed(_count(f._value), "count")


def num(f, digits: int = 1) -> str:
    f = _needs(f, ("value",), f"num({digits})")
    if not isinstance(f._value, int | float) or isinstance(f._value, bool):
        raise Misfit(f"| num does not fit {f._path}: {f._value!r} is not a number")
    return f._printed(number(f._value, digits), f"num({digits})")


def p(f) -> str:
    f = _needs(f, ("value", "hazard ratio", "group"), "p")
    v = f._value.get("p_value") if isinstance(f._value, dict) else f._value
    if not isinstance(v, float | int) or isinstance(v, bool):
        raise Misfit(f"| p does not fit {f._path}: it holds no p-value")
    return f._printed(f"p {p_clause(v)}", "p")


FORMATS = {"at": at, "median": median, "pct": pct, "ci": ci, "count": count, "num": num, "p": p}
_ESCAPED = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def _finalize(value) -> str:
    """What a reference prints, with Markdown's characters escaped (a label from the data is text)."""
    return _ESCAPED.sub(r"\\\1", str(value))


@cache
def _environment():
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, finalize=_finalize,
                                        keep_trailing_newline=True)
    env.filters = {**FORMATS}  # only ours: no Jinja filter reaches the ledger's raw values
    env.tests = {}
    env.globals = {}
    return env


@cache
def _markdown():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "typographer": False})


def render(source, ledger: dict, scope: str = "the ledger") -> Written:
    """`source` (report.inputs.narrative_sources.Source) rendered against `ledger`; NarrativeError
    naming the file and line where it cannot be. `scope`: what `ledger` is, in that message."""
    seen: list[str] = []
    names = {key: Figure(key, value, {}, seen) for key, value in ledger.items()}
    try:
        markdown = _environment().from_string(source.text).render(**names)
    except Exception as exc:  # the template's or the sandbox's refusal, a misfit, an unknown name
        raise NarrativeError(_problem(source, exc, sorted(ledger), scope)) from None
    tokens = _markdown().parse(markdown)
    return Written(source.section, Markup(_markdown().renderer.render(tokens, _markdown().options, {})),
                   _plain(tokens), tuple(seen))


class NarrativeError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def _problem(source, exc: Exception, names: list[str], scope: str) -> Problem:
    import jinja2

    line = getattr(exc, "lineno", None) if isinstance(exc, jinja2.TemplateSyntaxError) else _template_line(exc)
    where = f"line {source.line + (line or 1) - 1}"
    if isinstance(exc, jinja2.UndefinedError) and "is undefined" in str(exc):
        name = str(exc).split("'")[1] if "'" in str(exc) else str(exc)
        what = f"{{{{ {name} }}}} is not in {scope}; a reference starts with one of: {', '.join(names)}"
    elif isinstance(exc, jinja2.exceptions.SecurityError) or "unsafe" in str(exc):
        what = f"refused: {exc} (a reference names ledger figures only)"
    elif isinstance(exc, Misfit):
        what = str(exc)
    elif isinstance(exc, jinja2.TemplateSyntaxError):
        what = f"not a valid reference: {exc.message}"
    else:
        what = f"cannot be printed: {exc}"
    return Problem(source.file, f"{where}: narrative.{source.section}: {what}")


def _template_line(exc: Exception) -> int | None:
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _plain(tokens) -> str:
    """The text of the Markdown, paragraphs apart, without its marks (the abstract is plain text)."""
    paragraphs, words = [], []
    for token in tokens:
        if token.type == "inline":
            words.append("".join(_inline_text(child) for child in token.children or []))
        elif token.type.endswith("_close") and token.type in ("paragraph_close", "heading_close", "list_item_close"):
            paragraphs.append(" ".join(w.strip() for w in words if w.strip()))
            words = []
    return "\n\n".join(p for p in paragraphs if p)


def _inline_text(token) -> str:
    if token.type in ("text", "code_inline"):
        return token.content
    return " " if token.type in ("softbreak", "hardbreak") else ""


