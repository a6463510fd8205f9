"""The demographic table's layout (report/blocks/tables/demographics.py): the ledger's
`demographics` parts arranged into a table with a column per arm, the total and, where tests
were asked for, a p-value; one section of rows per variable (its heading kept with its rows
across pages); footnotes naming the population, the column N, the quantile definition and
each test. Formats values, never derives one.
"""
from __future__ import annotations

from dataclasses import dataclass

from .descriptive_rows import NO_DENOMINATOR, n_percent
from .formatting import MISSING, number, percent
from .tables import TOTAL, ArmTable, Row
from .wording import p_value

QUANTILES = {7: "R's default, type 7 (linear interpolation between order statistics)",
             2: "SAS's default, R type 2 (the empirical distribution's inverse, averaged at its jumps; PCTLDEF=5)"}
TESTS = {"anova": "one-way analysis of variance (F test)",
         "kruskal": "Kruskal-Wallis rank sum test (ties corrected)",
         "chisq": "Pearson's chi-square test (no continuity correction)",
         "fisher": "Fisher's exact test (two-sided)"}


@dataclass(frozen=True)
class DemographicsView:
    caption: str
    table: ArmTable | None  # None: nothing collected
    sections: tuple[tuple, ...]  # each variable's rows (its heading first), kept together
    notes: tuple[str, ...]
    not_collected: str = ""


def stat_text(value: float | None, stat_name: str, digits: int) -> str:
    """A statistic as printed: SD one decimal more than the mean; p a percentage."""
    if value is None:
        return NO_DENOMINATOR if stat_name == "p" else MISSING  # p: a column of no patients
    if stat_name == "n":
        return str(int(value))
    if stat_name == "p":
        return percent(value, 1)
    return number(value, digits + 1 if stat_name == "sd" else digits)


def p_text(value: float | None) -> str:
    return p_value(value) if value is not None else MISSING


def demographics_view(ledger: dict, context=None) -> DemographicsView:
    total = ledger.get("demographics")
    if total is None:
        return DemographicsView("Demographic and baseline characteristics", None, (), (), "Not collected")
    arms = [(arm, ledger["by_arm"][arm]["demographics"]) for arm in ledger.get("arms") or []]
    groups = arms + [(TOTAL, total)]
    tested = any(v["comparison"] is not None for v in total["variables"].values())
    sections = tuple(_section(v, key, groups, tested) for key, v in total["variables"].items())
    columns = tuple(name for name, _ in groups) + (("p-value",) if tested else ())
    counts = tuple(f"N = {part['n']}" for _, part in groups) + (("",) if tested else ())
    table = ArmTable(columns=columns, counts=counts, subcolumns=("",), rows=tuple(r for s in sections for r in s),
                     css="arms demographics" + (" single" if len(columns) == 1 else ""))
    caption = f"Demographic and baseline characteristics, {total['population_label']}"
    return DemographicsView(caption, table, sections, _notes(total, tested))


def _section(variable: dict, key: str, groups, tested: bool) -> tuple[Row, ...]:
    parts = [part["variables"][key] for _, part in groups]
    ns = [part["n"] for _, part in groups]
    comparison = variable["comparison"]
    p = (p_text(comparison["p_value"]),) if tested and comparison is not None else (("",) if tested else ())
    blank = ("",) if tested else ()
    heading = Row(variable["label"], tuple("" for _ in groups) + p, "group")
    rows = [heading, Row("n", tuple(str(v["n"]) for v in parts) + blank, "indent")]
    if variable["kind"] == "continuous":
        rows += _continuous_rows(parts, variable["digits"], blank)
    else:
        for category in variable["categories"]:
            cells = tuple(n_percent(_category(v, category["level"]), n) for v, n in zip(parts, ns))
            rows.append(Row(category["label"], cells + blank, "indent"))
    if variable["missing"]["count"]:
        rows.append(Row("Missing", tuple(n_percent(v["missing"], n) for v, n in zip(parts, ns)) + blank, "indent"))
    return tuple(rows)


def _category(variable: dict, level: str) -> dict | None:
    """The share of a category in one column (None: the column has none of it, a count of 0)."""
    return next((c["share"] for c in variable["categories"] if c["level"] == level), None)


def _continuous_rows(parts: list[dict], digits: int, blank: tuple) -> list[Row]:
    def cells(pick) -> tuple[str, ...]:
        return tuple(pick(v["description"]) for v in parts) + blank

    def num(value, more=0):
        return number(value, digits + more)

    return [
        Row("Mean (SD)", cells(lambda d: f"{num(d['mean'])} ({num(d['sd'], 1)})" if d["n"] else MISSING), "indent"),
        Row("Median", cells(lambda d: num(d["median"])), "indent"),
        Row("Q1, Q3", cells(lambda d: f"{num(d['q1'])}, {num(d['q3'])}" if d["n"] else MISSING), "indent"),
        Row("Min, Max", cells(lambda d: f"{num(d['min'])}, {num(d['max'])}" if d["n"] else MISSING), "indent"),
    ]


def _notes(total: dict, tested: bool) -> tuple[str, ...]:
    notes = [f"Population: {total['population_label']} (N = {total['n']}). Percentages are of the column's N, the "
             "patients of the population in that column, those with a missing value included; a column of no "
             f"patients shows \u201c{NO_DENOMINATOR}\u201d. SD: standard deviation (n \u2212 1)."]
    notes.append(f"Q1, Q3: quartiles by {QUANTILES[total['quantile_type']]}.")
    grouped = [v["label"] for v in total["variables"].values() if v["cuts"]]
    if grouped:
        notes.append(f"{', '.join(grouped)}: groups closed on the left, [a, b); a value at a cut point falls in the "
                     "group above it.")
    if tested:
        by_test: dict[str, list[str]] = {}
        for v in total["variables"].values():
            if v["comparison"] is not None:
                by_test.setdefault(v["comparison"]["test"], []).append(v["label"])
        named = "; ".join(f"{TESTS[test]} for {', '.join(labels)}" for test, labels in by_test.items())
        untestable = any(v["comparison"] is not None and v["comparison"]["p_value"] is None
                         for v in total["variables"].values())
        notes.append(f"p-values compare the arms, of the patients with a value: {named}."
                     + (" \u2014: not computable (one arm or one category with values, or no variation)."
                        if untestable else ""))
    return tuple(notes)
