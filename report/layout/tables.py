"""Tables with a column per arm and a total: ledger values arranged into rows.

The layout step between the ledger and the templates (as chevron keeps pre-processing,
analysis and layout apart): it picks and formats values from results.json, and never
derives one.
"""
from __future__ import annotations

from dataclasses import dataclass

from .collected import NOT_COLLECTED
from .formatting import MISSING, confidence_label, count_percent, interval, number, percent

TOTAL = "Total"


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[str, ...]
    kind: str = ""  # "group" (bold band), "sub" (indented, muted), "indent"


@dataclass(frozen=True)
class ArmTable:
    columns: tuple[str, ...]  # the arms, then the total
    counts: tuple[str, ...]  # "N = 86" under each column
    subcolumns: tuple[str, ...]  # headers within each column, e.g. ("n (%)", "Events")
    rows: tuple[Row, ...]


def arm_tables(ledger: dict, ae_min_percent: float = 0.0) -> dict[str, ArmTable | None]:
    """Every per-arm table of the summary report, by name; the adverse-event tables are
    None where adverse events were not collected (the overview then shows deaths only)."""
    groups = [(arm, ledger["by_arm"][arm]) for arm in ledger["arms"]] + [(TOTAL, ledger)]
    collected = ledger["safety"]["any_event"] is not None
    tables = {
        "baseline": _baseline(groups),
        "safety_overview": _safety_overview(groups, ledger["methods"]["ae_grading"], collected),
        "soc_terms": _soc_terms(groups, ae_min_percent) if collected else None,
        "worst_grade": _worst_grade(groups, ae_min_percent) if collected else None,
    }
    if ledger["response"]:
        tables["response"] = _response(groups)
    for name in ledger["survival"]:
        tables[f"survival_{name}"] = _survival(groups, name, ledger)
    return tables


def _table(groups, population: str, rows: list[Row], subcolumns=("",)) -> ArmTable:
    return ArmTable(
        columns=tuple(name for name, _ in groups),
        counts=tuple(f"N = {block['population'][population]}" for _, block in groups),
        subcolumns=subcolumns,
        rows=tuple(rows),
    )


def _baseline(groups) -> ArmTable:
    """Age and sex rows; one "Not collected" row for a characteristic the data do not hold."""
    return _table(groups, "evaluable", _age_rows(groups) + _sex_rows(groups))


def _age_rows(groups) -> list[Row]:
    age = [block["baseline"]["age"] for _, block in groups]
    if any(a is None for a in age):
        return [Row("Age, years", tuple(NOT_COLLECTED for _ in groups), "group")]
    return [
        Row("Age, years", tuple("" for _ in groups), "group"),
        Row("Mean", tuple(number(a["mean"]) for a in age), "indent"),
        Row("Median (range)", tuple(f"{number(a['median'], 0)} ({number(a['minimum'], 0)}\u2013{number(a['maximum'], 0)})"
                                    if a["n"] else MISSING for a in age), "indent"),
    ]


def _sex_rows(groups) -> list[Row]:
    if any(block["baseline"]["sex"] is None for _, block in groups):
        return [Row("Sex", tuple(NOT_COLLECTED for _ in groups), "group")]
    sexes = sorted({code for _, block in groups for code in block["baseline"]["sex"]})
    rows = [Row("Sex, n (%)", tuple("" for _ in groups), "group")]
    return rows + [Row(_sex(code), tuple(_share(block["baseline"]["sex"].get(code)) for _, block in groups), "indent")
                   for code in sexes]


def _response(groups) -> ArmTable:
    first = groups[-1][1]["response"]
    codes = " or ".join(first["responder_codes"])
    level = confidence_label(first["responders"]["confidence"])
    rows = [
        Row(f"Responders ({codes}), n (%)", tuple(_prop(b["response"]["responders"]) for _, b in groups), "group"),
        Row(f"{level} CI", tuple(_ci(b["response"]["responders"]) for _, b in groups), "sub"),
    ]
    for code in first["categories"]:
        rows.append(Row(code, tuple(_prop(b["response"]["categories"].get(code)) for _, b in groups), "indent"))
    return _table(groups, "evaluable", rows)


def _survival(groups, name: str, ledger: dict) -> ArmTable:
    blocks = [block["survival"][name] for _, block in groups]
    unit = ledger["methods"]["time_unit"]
    level = confidence_label(ledger["methods"]["confidence"])
    rows = [
        Row("Patients", tuple(str(b["n"]) for b in blocks)),
        Row("With event, n (%)", tuple(count_percent(b["events"], b["events_proportion"]) for b in blocks)),
        Row("Censored, n (%)", tuple(count_percent(b["censored"], b["censored_proportion"]) for b in blocks)),
        Row(f"Median, {unit} ({level} CI)", tuple(_quantile(b["median"]) for b in blocks)),
    ]
    for i, landmark in enumerate(blocks[-1]["landmarks"]):
        rows.append(Row(f"{number(landmark['time'], 0)}-{unit[:-1]} rate, % ({level} CI)",
                        tuple(_rate(b["landmarks"][i]) for b in blocks), "group"))
        rows.append(Row("At risk", tuple(str(b["landmarks"][i]["n_at_risk"]) for b in blocks), "sub"))
    ratios = {h["arm"]: h for h in ledger["comparisons"].get(name, {}).get("hazard_ratios", [])}
    rows.append(Row(f"Hazard ratio ({level} CI)", tuple(_hazard(arm, ratios, ledger["arms"]) for arm, _ in groups)))
    rows.append(Row("p-value (Wald)", tuple(_p(ratios[arm]["p_value"]) if arm in ratios else "" for arm, _ in groups), "sub"))
    return _table(groups, "evaluable", rows)


def _safety_overview(groups, grading: str, collected: bool = True) -> ArmTable:
    """Patients with adverse events of each kind (where collected), then deaths."""
    def row(label, key, kind=""):
        return Row(label, tuple(count_percent(b["safety"][key]["subjects"], b["safety"][key]["proportion"]) for _, b in groups), kind)

    rows = [
        row("Any adverse event", "any_event", "group"),
        row("Grade 3 or higher" if grading == "ctcae" else "Severe", "grade_3_plus"),
        row("Serious adverse event", "serious"),
    ] if collected else []
    rows.append(Row("Deaths", tuple(str(b["safety"]["deaths"]["total"]) for _, b in groups)))
    for days in groups[-1][1]["safety"]["deaths"]["early"]:
        rows.append(Row(f"Within {days} days", tuple(str(b["safety"]["deaths"]["early"][days]) for _, b in groups), "sub"))
    return _table(groups, "safety", rows)


def _soc_terms(groups, min_percent: float) -> ArmTable:
    socs = [{s["soc"]: s for s in b["safety"]["socs"]} for _, b in groups]
    terms = [{t["term"]: t for t in b["safety"]["terms"]} for _, b in groups]
    rows = [Row("Any adverse event", _pair_cells(b["safety"]["any_event"] for _, b in groups), "group")]
    for soc in groups[-1][1]["safety"]["socs"]:
        rows.append(Row(soc["soc"], _pair_cells(g.get(soc["soc"]) for g in socs), "group"))
        for term in groups[-1][1]["safety"]["terms"]:
            if term["soc"] == soc["soc"] and _common(term["term"], terms, min_percent):
                rows.append(Row(term["term"], _pair_cells(g.get(term["term"]) for g in terms), "indent"))
    return _table(groups, "safety", rows, subcolumns=("n (%)", "Events"))


def _worst_grade(groups, min_percent: float) -> ArmTable:
    terms = [{t["term"]: t for t in b["safety"]["terms"]} for _, b in groups]
    rows = []
    for term in groups[-1][1]["safety"]["terms"]:
        if not _common(term["term"], terms, min_percent):
            continue
        rows.append(Row(term["term"], tuple(_count(g.get(term["term"])) for g in terms), "group"))
        for label in term["grade_groups"]:
            rows.append(Row(label, tuple(_share(g[term["term"]]["grade_groups"][label]) if term["term"] in g else "0"
                                         for g in terms), "indent"))
    return _table(groups, "safety", rows)


def _common(term: str, by_group: list[dict], min_percent: float) -> bool:
    """Shown when at least `min_percent` of some group had the term."""
    return any(t.get(term) and (t[term]["proportion"] or 0) * 100 >= min_percent for t in by_group)


def _pair_cells(counts) -> tuple[str, ...]:
    cells = []
    for c in counts:
        cells += [count_percent(c["subjects"], c["proportion"]), str(c["events"])] if c else ["0", "0"]
    return tuple(cells)


def _count(term: dict | None) -> str:
    return count_percent(term["subjects"], term["proportion"]) if term else "0"


def _share(share: dict | None) -> str:
    if not share:
        return "0"
    count = share.get("count", share.get("subjects"))
    return count_percent(count, share["proportion"])


def _prop(p: dict | None) -> str:
    return count_percent(p["count"], p["proportion"]) if p else "0"


def _ci(p: dict) -> str:
    return interval(p["ci_low"], p["ci_high"]) if p["n"] else MISSING


def _quantile(q: dict) -> str:
    estimate = "NR" if q["estimate"] is None else number(q["estimate"])
    return f"{estimate} ({interval(q['ci_low'], q['ci_high'], as_percent=False)})"


def _rate(landmark: dict) -> str:
    if landmark["survival"] is None:
        return MISSING
    return f"{percent(landmark['survival'], 1)} ({interval(landmark['ci_low'], landmark['ci_high'])})"


def _hazard(arm: str, ratios: dict, arms: list[str]) -> str:
    if arm == arms[0]:
        return "1 (reference)"
    ratio = ratios.get(arm)
    if not ratio or ratio["hazard_ratio"] is None:
        return MISSING if ratio else ""
    return f"{number(ratio['hazard_ratio'], 2)} ({number(ratio['ci_low'], 2)}\u2013{number(ratio['ci_high'], 2)})"


def _p(value: float | None) -> str:
    if value is None:
        return MISSING
    return "<0.001" if value < 0.001 else number(value, 3)


def _sex(code: str) -> str:
    return {"M": "Male", "F": "Female", "U": "Unknown"}.get(code, code)
