"""Words the reports use, decided once: labels, plurals, lists and p-values (DESIGN section 6).

Templates print what these return; none of these rules lives in a template.
"""
from __future__ import annotations

from dataclasses import dataclass

from .formatting import MISSING, confidence_label, number, percent
from .mock import COUNT, P_VALUE, mocking

SEX = {"M": "Male", "F": "Female", "U": "Unknown"}
UNIT_SINGULAR = {"days": "day", "weeks": "week", "months": "month", "years": "year"}
KM_SCALE = {"log-log": "log(\u2212log) (complementary log-log)", "log": "log", "plain": "linear (plain)"}


@dataclass(frozen=True)
class Range:
    """The two ends of a range, printed; the template puts the dash between them."""
    low: str
    high: str


@dataclass(frozen=True)
class Share:
    """A proportion in prose: "19 of 29 (66%; 95% CI 45.7%-82.1%)", its parts printed."""
    count: str
    n: str
    percent: str  # whole percent, half up (text)
    level: str  # "95%"
    ci: Range  # percent to one decimal


def share(p: dict) -> Share:
    """A ledger Proportion's printed parts."""
    if mocking():
        return Share(COUNT, COUNT, percent(p["proportion"]), confidence_label(p["confidence"]),
                     Range(percent(p["ci_low"], 1), percent(p["ci_high"], 1)))
    return Share(str(p["count"]), str(p["n"]), percent(p["proportion"]), confidence_label(p["confidence"]),
                 Range(percent(p["ci_low"], 1), percent(p["ci_high"], 1)))


def sex_label(code: str) -> str:
    return SEX.get(code, code)


def unit_singular(unit: str) -> str:
    return UNIT_SINGULAR[unit]


def capitalised(text: str) -> str:
    """'efficacy population' -> 'Efficacy population' (the rest as written: 'HIV-positive' stays)."""
    return text[:1].upper() + text[1:]


def listed(items, last: str = " and ") -> str:
    """"a", "a and b", "a, b and c"."""
    items = [str(i) for i in items]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + last + items[-1]


def plural(count: int, one: str, many: str | None = None) -> str:
    """The word for `count` things: "patient" for 1, else "patients" (or `many`; a mock shell's
    "xx" counts are plural)."""
    if mocking():
        return many or one + "s"
    return one if count == 1 else (many or one + "s")


def count_or_none(count: int) -> str:
    """A count in prose: "none" for zero (a mock shell: "xx")."""
    if mocking():
        return COUNT
    return "none" if count == 0 else str(count)


def p_value(value: float | None) -> str:
    """A p-value in a table: "<0.001", else three decimals."""
    if value is None:
        return MISSING
    if mocking():
        return P_VALUE
    return "<0.001" if value < 0.001 else number(value, 3)


def p_clause(value: float) -> str:
    """A p-value in a sentence, after "p": "< 0.001" or "= 0.123"."""
    if mocking():
        return f"= {P_VALUE}"
    return "< 0.001" if value < 0.001 else f"= {number(value, 3)}"


@dataclass(frozen=True)
class Grading:
    """The words of the adverse-event grading: CTCAE grades or severity (mild, moderate, severe)."""
    ctcae: bool
    high: str  # "grade 3 or higher" / "severe"
    high_label: str  # "Grade 3 or higher" / "Severe"
    scale: str  # "grade" / "severity"
    grades: tuple[tuple[str, str], ...]  # (key in the ledger, column name)


def grading(method: str) -> Grading:
    if method == "ctcae":
        return Grading(True, "grade 3 or higher", "Grade 3 or higher", "grade",
                       tuple((g, f"Grade {g}") for g in "12345"))
    return Grading(False, "severe", "Severe", "severity", (("1", "Mild"), ("2", "Moderate"), ("3", "Severe")))


def response_label(code: str, spec: dict | None) -> str:
    """The spec's label of a best-response code, or the code itself."""
    for d in ((spec or {}).get("study") or {}).get("response_definitions") or []:
        if d["code"] == code:
            return d["label"]
    return code
