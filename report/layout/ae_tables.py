"""The adverse-event tables laid out (AET01, AET02, AET04, special interest) and their rows
of ard.csv: ledger values picked and formatted, never derived.

Every table has a column per arm and the total (N = the column's safety population), then,
where the Total's part holds comparisons, one column per compared arm with Fisher's exact
p against the reference arm. Organ classes (or groups of special interest) are bold bands
with their terms below; the table's CSS keeps a band with its terms on one page where they fit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from .ae_order import by_incidence
from .ard import Stat, source_name
from .collected import NOT_COLLECTED
from .formatting import count_percent, percent
from .tables import TOTAL, ArmTable, Row
from .wording import p_value

ZERO_N = "-"  # a cell whose column has no patient (a zero denominator)
OVERALL = "..ard_hierarchical_overall.."  # cards' variable for a table's "any event" row
OVERVIEW_ROWS = {
    "any_event": "Any adverse event",
    "related": "Related adverse event",
    "serious": "Serious adverse event",
    "grade_3_plus": "Grade 3 or higher",
    "grade_5": "Grade 5",
    "discontinuation": "Leading to discontinuation of treatment",
    "dose_modification": "Leading to dose modification or interruption",
    "fatal": "Leading to death",
}
SEVERITY_LABELS = {"grade_3_plus": "Severe"}


@dataclass(frozen=True)
class AeView:
    """What an adverse-event partial prints: the table, its caption and its footnote, and the
    table's rows in bodies: each band (organ class, group of special interest) with its terms,
    one <tbody> each, which the CSS keeps on one page where it fits (WeasyPrint repeats the
    header on every page then; `break-before: avoid` on rows loses it where a band moves)."""
    table: ArmTable
    caption: str
    note: str
    bodies: tuple[tuple[Row, ...], ...]


def view(table: ArmTable, caption: str, ledger: dict, key: str, events: bool = False, grading: str = "") -> AeView:
    return AeView(table, caption, note(ledger, key, events, grading), bands(table.rows))


def bands(rows: tuple[Row, ...]) -> tuple[tuple[Row, ...], ...]:
    """The rows cut before each band ("group" row)."""
    bodies: list[list[Row]] = []
    for row in rows:
        if row.kind == "group" or not bodies:
            bodies.append([])
        bodies[-1].append(row)
    return tuple(tuple(body) for body in bodies)


def note(ledger: dict, key: str, events: bool = False, grading: str = "") -> str:
    """The footnote: what a cell counts, and every method it names."""
    words = ["n (%): patients with at least one such event (counted once per row), percentage of the column's "
             "safety population N."]
    if events:
        words.append("[n]: the number of events.")
    if grading == "severity":
        words.append("Patients by the worst severity of their events (mild, moderate, severe).")
    elif grading:
        words.append("Patients by the worst CTCAE grade of their events.")
    arms = compared(ledger, key)
    if arms:
        words.append(f"p-values: Fisher's exact test, two-sided, each arm against {ledger['arms'][0]}.")
    if any(part is not None and not part["n"] for _, part in groups_of(ledger, key)):
        words.append(f"{ZERO_N}: no patient in the column (no percentage, no p-value).")
    return " ".join(words)


def groups_of(ledger: dict, key: str) -> list[tuple[str, dict | None]]:
    """(column, its part): one per arm where the ledger has arms, then the total."""
    return [(arm, ledger["by_arm"][arm][key]) for arm in ledger["arms"]] + [(TOTAL, ledger[key])]


def compared(ledger: dict, key: str) -> list[str]:
    """The arms the Total's part compares with the reference (none where not asked for)."""
    total = ledger[key] or {}
    first = total.get("any_event") or next(iter(total.get("groups") or ()), None) or {}
    return list(first.get("p_values") or {})


def frame(ledger: dict, key: str, rows: list[Row], css: str = "arms ae-terms", stub: str = "") -> ArmTable:
    groups, arms = groups_of(ledger, key), compared(ledger, key)
    reference = ledger["arms"][0] if arms else ""
    if len(groups) == 1:
        css += " single"  # one column of figures: the labels take the width
    return ArmTable(
        columns=tuple(name for name, _ in groups) + tuple(arms),
        counts=tuple(f"N = {part['n']}" if part else "" for _, part in groups) + tuple(f"p vs {reference}" for _ in arms),
        subcolumns=("",), rows=tuple(rows), css=css, stub=stub,
    )


def count_cell(count: dict | None, n: int, events: bool = False) -> str:
    """'12 (14.0%)' (with ' [26]' events where asked); '0' for none; '-' where N is 0."""
    if not n:
        return ZERO_N
    if not count or not count["subjects"]:
        return "0"
    text = count_percent(count["subjects"], count["proportion"])
    return f"{text} [{count['events']}]" if events else text


def share_cell(share: dict | None, n: int) -> str:
    if not n:
        return ZERO_N
    if not share or not share["count"]:
        return "0"
    return count_percent(share["count"], share["proportion"])


def p_cells(count: dict | None, arms: list[str]) -> tuple[str, ...]:
    values = (count or {}).get("p_values") or {}
    return tuple(p_value(values.get(arm)) if count else "" for arm in arms)


def count_row(label: str, parts, pick: Callable[[dict], dict | None], arms: list[str], kind: str = "",
              events: bool = False) -> Row:
    """One row of counts: each column's n (%), then the Total's p-values."""
    cells = tuple(count_cell(pick(part), part["n"], events) for _, part in parts)
    return Row(label, cells + p_cells(pick(parts[-1][1]), arms), kind)


# ------------------------------------------------------------------ AET01


def overview_table(ledger: dict, key: str) -> ArmTable:
    parts, arms = groups_of(ledger, key), compared(ledger, key)
    total = ledger[key]
    width = len(parts) + len(arms)
    if total is None:
        return frame(ledger, key, [Row("Adverse events", (NOT_COLLECTED,) * width, "group")])
    rows = []
    for field, label in OVERVIEW_ROWS.items():
        if total["grading"] == "severity":
            if field == "grade_5":
                continue  # a severity scale has no grade 5: deaths are the row "Leading to death"
            label = SEVERITY_LABELS.get(field, label)
        if total[field] is None:
            rows.append(Row(label, (NOT_COLLECTED,) * width, "indent"))
        else:
            rows.append(count_row(label, parts, lambda part, f=field: part[f], arms,
                                  "group" if field == "any_event" else "indent"))
    return frame(ledger, key, rows)


def overview_ard(part: dict | None, ledger: dict) -> Iterable[Stat]:
    if part is None:
        return []
    stats = []
    for field in OVERVIEW_ROWS:
        if part.get(field) is not None:
            stats += count_stats(part[field], part["n"], "categorical", source_name(ledger, "arm"), variable=field)
    return stats


# ------------------------------------------------------------------ ARD rows


def count_stats(count: dict, n: int, context: str, arm: str = "arm", **where: str) -> list[Stat]:
    """n, N, p and the number of events of one row, and its p-values against the reference
    (group2 there: the arm variable `arm` and the arm compared)."""
    stats = [
        Stat(context, "n", count["subjects"], str(count["subjects"]), **where),
        Stat(context, "N", n, str(n), **where),
        Stat(context, "p", count["proportion"], percent(count["proportion"], 1) if n else ZERO_N, **where),
        Stat(context, "n_events", count["events"], str(count["events"]), **where),
    ]
    return stats + p_stats(count, arm, **where)


def p_stats(row: dict, arm: str, **where: str) -> list[Stat]:
    """The row's p-values against the reference (group2 there: the arm variable `arm` and the arm compared)."""
    return [Stat("comparison", "p.value", value, p_value(value), **{**where, "group2": arm, "group2_level": name})
            for name, value in (row.get("p_values") or {}).items()]


def share_stats(share: dict, n: int, context: str, **where: str) -> list[Stat]:
    return [
        Stat(context, "n", share["count"], str(share["count"]), **where),
        Stat(context, "N", n, str(n), **where),
        Stat(context, "p", share["proportion"], percent(share["proportion"], 1) if n else ZERO_N, **where),
    ]


def names(ledger: dict) -> tuple[str, str]:
    """The term's and the organ class's variables as the source names them."""
    return source_name(ledger, "term"), source_name(ledger, "soc")


# ------------------------------------------------------------------ AET04 and special interest


def graded_table(ledger: dict, key: str, groups: list[dict], pick: Callable[[dict], list[dict]]) -> ArmTable:
    """Bands (organ classes, groups of special interest) and their terms by worst grade, as
    tern's AET04 lays them out: a row per band and term (patients with any grade), and below
    it a row per worst-grade column ("Grade 3-4", "Grade 5"; or each severity), a column per
    arm and the total. A term's grade row that no patient of the total has is left out (as
    tern prunes empty rows); a band keeps all of its grade rows. Bands in the order given; a
    band's terms by incidence in the total (report.layout.ae_order)."""
    parts = groups_of(ledger, key)
    total = ledger[key]
    if total is None:
        return frame(ledger, key, [Row("Adverse events", (NOT_COLLECTED,) * len(parts), "group")])
    by_label = [{g["label"]: g for g in pick(part)} for _, part in parts]
    any_column, *columns = total["columns"]
    arms = compared(ledger, key)
    rows = []
    for band in groups:
        found = [(part, labelled.get(band["label"])) for (_, part), labelled in zip(parts, by_label)]
        rows += _grade_rows(band, found, any_column, columns, lambda g: g["worst"], "group", arms, prune=False)
        for term in by_incidence(band["terms"], lambda t: t["worst"][any_column]["count"], lambda t: t["label"]):
            rows += _grade_rows(term, found, any_column, columns, lambda g, t=term["label"]: _worst(g, t),
                                "indent", arms, prune=True, grade_kind="sub deep")
    return frame(ledger, key, rows, css="arms ae-terms ae-graded")


def _grade_rows(total_row: dict, found, any_column: str, columns: list[str], pick, kind: str, arms: list[str],
                prune: bool, grade_kind: str = "sub") -> list[Row]:
    """The row (patients with any grade, then its p-values) and its grade rows (no p-value)."""
    p = tuple(p_value((total_row.get("p_values") or {}).get(arm)) for arm in arms)
    rows = [Row(total_row["label"], _graded_cells(found, any_column, pick) + p, kind)]
    for column in columns:
        if not prune or total_row["worst"][column]["count"]:
            rows.append(Row(column, _graded_cells(found, column, pick) + ("",) * len(arms), grade_kind))
    return rows


def _worst(group: dict, term: str) -> dict | None:
    key = term.casefold()  # a term of special interest may be spelt otherwise in another arm
    return next((t["worst"] for t in group["terms"] if t["label"].casefold() == key), None)


def _graded_cells(found, column: str, pick) -> tuple[str, ...]:
    return tuple(share_cell(((pick(group) if group else None) or {}).get(column), part["n"]) for part, group in found)


def graded_stats(worst: dict, n: int, grade: str, group2: str = "", group2_level: str = "") -> list[Stat]:
    """n, N and p of each worst-grade column, as cards nests them: the grade variable `grade`
    (as the source names it) at the column's level, within the row's term or organ class."""
    stats = []
    for column, share in worst.items():
        stats += share_stats(share, n, "hierarchical", variable=grade, variable_level=column, group2=group2,
                             group2_level=group2_level)
    return stats
