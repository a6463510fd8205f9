"""Tables with a column per arm and a total: ledger values arranged into rows.

The layout step between the ledger and the templates (as chevron keeps pre-processing,
analysis and layout apart): it picks and formats values from results.json, and never
derives one.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .ae_order import socs_and_terms, terms_of
from .collected import NOT_COLLECTED
from .mock import mocking
from .formatting import DASH, MISSING, confidence_label, count_percent, interval, number, percent, percent_number, setting
from .wording import p_value, response_label, sex_label, unit_singular

TOTAL = "Total"


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[str, ...]
    kind: str = ""  # "group" (bold band), "sub" (indented, muted), "indent", "deeper" (under an indented row, muted),
    # "nested" (under an indented row, not muted)
    note: str = ""  # the footnote its label refers to, or ""

    @property
    def indented(self) -> bool:
        return self.kind in ("indent", "sub", "deeper", "nested")


KEPT_ROWS = 12  # a table of at most this many lines of rows is kept on one page (moved whole, it leaves about a
# quarter of an A4 page blank at most); a longer one splits, its header repeated, three rows before the break, two
# after. A row whose cells take two lines (a rate over its CI) counts twice.


@dataclass(frozen=True)
class ArmTable:
    columns: tuple[str, ...]  # the arms, then the total
    counts: tuple[str, ...]  # "N = 86" under each column
    subcolumns: tuple[str, ...]  # headers within each column, e.g. ("n (%)", "Events")
    rows: tuple[Row, ...]
    css: str = "arms"  # the table's class
    headed: bool = True  # a header row of the columns (groups) and their counts; False: one group, shown by its caption
    stub: str = ""  # the header of the rows' labels
    subnotes: tuple[str, ...] = ()  # the footnote each subcolumn header refers to

    @property
    def classes(self) -> str:
        """The table's class; "single" for one column of figures (not spread over the page),
        "keep" for a table short enough to move whole to the next page rather than split, and
        "fixed" for a table by arm: column widths from the stylesheet, not measured from every
        cell (WeasyPrint lays such a table out about a fifth faster)."""
        words = self.css.split()
        single = self.headed and len(self.columns) == 1 and self.span == 1
        return " ".join([*words, *(["single"] if single and "single" not in words else []),
                         *(["keep"] if self.lines <= KEPT_ROWS else []),
                         *(["fixed"] if "arms" in words and "fixed" not in words else [])])

    @property
    def lines(self) -> int:
        """The rows' height in lines: each row's tallest cell."""
        return sum(1 + max((cell.count("\n") for cell in row.cells), default=0) for row in self.rows)

    @property
    def span(self) -> int:
        return len(self.subcolumns)

    @property
    def heads(self) -> tuple[tuple[str, str], ...]:
        """(column, its count) for the header row."""
        return tuple(zip(self.columns, self.counts))

    @property
    def subheads(self) -> tuple[tuple[str, str], ...]:
        """(subcolumn header, its footnote) under every column, where there is more than one subcolumn
        (or, without a header row of columns, always)."""
        if self.headed and len(self.subcolumns) < 2:
            return ()
        notes = self.subnotes or ("",) * len(self.subcolumns)
        return tuple(pair for _ in self.columns for pair in zip(self.subcolumns, notes))


def arm_tables(ledger: dict, ae_min_percent: float = 0.0) -> dict[str, ArmTable | None]:
    """Every per-arm table of the summary report, by name; the adverse-event tables are
    None where adverse events were not collected (the overview then shows deaths only)."""
    groups = total_groups(ledger)
    collected = ledger["safety"]["any_event"] is not None
    tables = {
        "baseline": baseline_table(groups),
        "safety_overview": _safety_overview(groups, ledger["methods"]["ae_grading"], collected),
        "soc_terms": _soc_terms(groups, ae_min_percent) if collected else None,
        "worst_grade": _worst_grade(groups, ae_min_percent) if collected else None,
    }
    if ledger["response"]:
        tables["response"] = response_table(groups, ledger)
    for name in ledger["survival"]:
        tables[f"survival_{name}"] = survival_table(groups, [name], ledger)
    return tables


def total_groups(ledger: dict) -> list[tuple[str, dict]]:
    """A table's column groups: one per arm where the ledger has arms, then the total."""
    return [(arm, ledger["by_arm"][arm]) for arm in ledger["arms"]] + [(TOTAL, ledger)]


def _table(groups, population: str, rows: list[Row], subcolumns=("",)) -> ArmTable:
    return ArmTable(
        columns=tuple(name for name, _ in groups),
        counts=tuple(f"N = {block['population'][population]}" for _, block in groups),
        subcolumns=subcolumns,
        rows=tuple(rows),
    )


def baseline_table(groups) -> ArmTable:
    """Age and sex rows; one "Not collected" row for a characteristic the data do not hold.
    One group (all patients): the rows' values in one column, "Value"."""
    table = _table(groups, "evaluable", _age_rows(groups) + _sex_rows(groups))
    if len(groups) == 1:
        return replace(table, subcolumns=("Value",), css="baseline", headed=False, stub="Characteristic")
    return table


def _age_rows(groups) -> list[Row]:
    age = [block["baseline"]["age"] for _, block in groups]
    if any(a is None for a in age):
        return [Row("Age, years", tuple(NOT_COLLECTED for _ in groups), "group")]
    return [
        Row("Age, years", tuple("" for _ in groups), "group"),
        Row("Mean", tuple(number(a["mean"]) for a in age), "indent"),
        Row("Median (range)", tuple(f"{number(a['median'], 0)} ({number(a['minimum'], 0)}{DASH}{number(a['maximum'], 0)})"
                                    if a["n"] else MISSING for a in age), "indent"),
    ]


def _sex_rows(groups) -> list[Row]:
    if any(block["baseline"]["sex"] is None for _, block in groups):
        return [Row("Sex", tuple(NOT_COLLECTED for _ in groups), "group")]
    sexes = sorted({code for _, block in groups for code in block["baseline"]["sex"]})
    rows = [Row("Sex, n (%)", tuple("" for _ in groups), "group")]
    return rows + [Row(sex_label(code), tuple(_share(block["baseline"]["sex"].get(code)) for _, block in groups), "indent")
                   for code in sexes]


def response_table(groups, ledger: dict, spec: dict | None = None) -> ArmTable:
    """Best response: responders, each category, and where collected response after the first
    cycle and MRD. One group (a single arm): the columns n, %, CI; by arm: "n (%)" per arm with
    its CI below."""
    first = groups[-1][1]["response"]
    level = confidence_label(first["responders"]["confidence"])
    lines = [(f"Responders ({' or '.join(first['responder_codes'])})", "group", [b["response"]["responders"] for _, b in groups])]
    for code in first["categories"]:
        label = response_label(code, spec)
        lines.append((label if label == code else f"{label} ({code})", "indent",
                      [b["response"]["categories"].get(code) for _, b in groups]))
    if len(groups) == 1:
        after, mrd = first.get("after_first_cycle"), groups[0][1].get("mrd")
        if after and after["n"]:
            lines.append(("Responded after cycle 1 (of responders)", "group", [after]))
        if mrd and mrd["negative"]["n"]:
            lines.append(("MRD-negative (of responders tested)", "group", [mrd["negative"]]))
            lines.append(("MRD-negative (of all evaluable)", "group", [mrd["negative_of_evaluable"]]))
        rows = [Row(label, _n_pct_ci(ps[0]), kind) for label, kind, ps in lines]
        return replace(_table(groups, "evaluable", rows, ("n", "%", f"{level} CI (%)")), css="response", headed=False,
                       stub="Response", subnotes=("", "", "1"))
    rows = []
    for label, kind, ps in lines:
        rows.append(Row(f"{label}, n (%)" if kind == "group" else label, tuple(_prop(p) for p in ps), kind))
        if kind == "group":
            rows.append(Row(f"{level} CI", tuple(_ci(p) for p in ps), "sub"))
    return _table(groups, "evaluable", rows + response_comparison_rows(groups, ledger))


def _n_pct_ci(p: dict | None) -> tuple[str, str, str]:
    if not p:
        return ("0", MISSING, MISSING)
    return (str(p["count"]), percent_number(p["proportion"]),
            f"{percent_number(p['ci_low'])}{DASH}{percent_number(p['ci_high'])}")


MANY_ENDPOINTS = 3  # beyond this many endpoints side by side, the survival table's columns are narrowed


def survival_table(groups, names: list[str], ledger: dict) -> ArmTable:
    """Time-to-event endpoints: a column per group (and within it one per endpoint, where there
    are several). One group (a single arm) adds quartiles and follow-up; by arm, hazard ratios."""
    one = len(groups) == 1
    unit = ledger["methods"]["time_unit"]
    level = confidence_label(ledger["methods"]["confidence"])

    def cells(cell) -> tuple[str, ...]:
        return tuple(cell(block["survival"][name]) for _, block in groups for name in names)

    rows = [
        Row("Patients", cells(lambda b: str(b["n"]))),
        Row("With event, n (%)", cells(lambda b: count_percent(b["events"], b["events_proportion"]))),
        Row("Censored, n (%)", cells(lambda b: count_percent(b["censored"], b["censored_proportion"]))),
        Row(f"Median, {unit} ({level} CI)", cells(lambda b: _quantile(b["median"])), note="2" if one else ""),
    ]
    if one:
        rows += [Row(f"{q}th percentile ({level} CI)", cells(lambda b, q=q: _quantile(b["quartiles"][q]))) for q in ("25", "75")]
        rows.append(Row("Range of follow-up times", cells(_follow_up_range), note="4"))
    for i, landmark in enumerate(groups[-1][1]["survival"][names[0]]["landmarks"]):
        if _beyond_follow_up(groups, names, i):
            continue  # no group followed this long: a row of NE says nothing
        rows.append(Row(f"{setting(landmark['time'], 0)}-{unit_singular(unit)} rate, % ({level} CI)",
                        cells(lambda b, i=i: _rate(b["landmarks"][i], _narrow(groups, names))),
                        "group", note="2" if one else ""))
        rows.append(Row("At risk", cells(lambda b, i=i: str(b["landmarks"][i]["n_at_risk"])), "sub"))
        if not one and len(names) == 1:
            rows.append(Row(f"Difference, % ({level} CI)", _landmark_cells(groups, ledger, names[0], i), "sub"))
    if one:
        rows.append(Row("Median follow-up", cells(lambda b: number(b["median_followup"])), note="3"))
        labels = tuple(ledger["endpoints"][name]["label"] for name in names)
        many = " many" if len(names) > MANY_ENDPOINTS else ""  # narrower labels, smaller type (report.css)
        return replace(_table(groups, "evaluable", rows, labels), css=f"survival{many}", headed=False)
    comparison = ledger["comparisons"].get(names[0], {})
    ratios = {h["arm"]: h for h in comparison.get("hazard_ratios", [])}
    stratified = ", stratified" if comparison.get("stratified_by") else ""
    rows.append(Row(f"Hazard ratio{stratified} ({level} CI)", tuple(_hazard(arm, ratios, ledger["arms"]) for arm, _ in groups)))
    rows.append(Row("p-value (Wald)", tuple(p_value(ratios[arm]["p_value"]) if arm in ratios else "" for arm, _ in groups), "sub"))
    return replace(_table(groups, "evaluable", rows), css="arms stacked" if _narrow(groups, names) else "arms")


def _narrow(groups, names: list[str]) -> bool:
    """Whether the table has more columns of figures than a rate and its CI fit side by side in
    (four arms and total, or four endpoints): then the CI goes on a line of its own."""
    return len(groups) * len(names) > MANY_ENDPOINTS


def _beyond_follow_up(groups, names: list[str], i: int) -> bool:
    """Whether the i-th landmark is past every group's follow-up (no estimate in any column)."""
    return all(block["survival"][name]["landmarks"][i]["survival"] is None for _, block in groups for name in names)


def _landmark_cells(groups, ledger: dict, name: str, i: int) -> tuple[str, ...]:
    """Each arm's landmark rate less the reference's, in percentage points with its CI."""
    by_arm = {c["arm"]: c["landmarks"][i]["difference"]
              for c in ledger["comparisons"].get(name, {}).get("landmark_differences") or ()}
    return tuple("reference" if arm == ledger["arms"][0] else _difference(by_arm[arm]) if arm in by_arm else ""
                 for arm, _ in groups)


def response_comparison_rows(groups, ledger: dict) -> list[Row]:
    """By arm, under the response table: each arm's rate difference and odds ratio against
    the reference (its column says so), their p-values, and the CMH p where stratified."""
    compared = ledger.get("response_comparison")
    if not compared:
        return []
    level = confidence_label(compared["arms"][0]["rate_difference"]["confidence"])
    by_arm = {c["arm"]: c for c in compared["arms"]}
    reference = ledger["arms"][0]

    def cells(cell, mark: str = "reference") -> tuple[str, ...]:
        return tuple(mark if arm == reference else cell(by_arm[arm]) if arm in by_arm else "" for arm, _ in groups)

    rows = [Row(f"Difference in response rate, % ({level} CI)", cells(lambda c: _difference(c["rate_difference"])), "group"),
            Row("p-value", cells(lambda c: p_value(c["rate_difference"]["p_value"]), ""), "sub"),
            Row(f"Odds ratio ({level} CI)", cells(lambda c: _odds(c["odds_ratio"])), "group"),
            Row("p-value", cells(lambda c: p_value(c["odds_ratio"]["p_value"]), ""), "sub")]
    if compared["stratified_by"]:
        rows += [Row(f"Odds ratio, Mantel-Haenszel ({level} CI)", cells(lambda c: _odds(c["mantel_haenszel"])), "group"),
                 Row("p-value (CMH)", cells(lambda c: p_value(c["mantel_haenszel"]["p_value"]), ""), "sub")]
    return rows


def _difference(d: dict) -> str:
    if d["estimate"] is None:
        return MISSING
    low, high = (MISSING if v is None else _percent_points(v) for v in (d["ci_low"], d["ci_high"]))
    return f"{_percent_points(d['estimate'])} ({low} to {high})"


def _percent_points(value: float) -> str:
    """A difference of proportions in percentage points, one decimal; never "-0.0"."""
    return number(round(100 * value, 1) + 0.0, 1)


def _odds(d: dict) -> str:
    """An odds ratio with its CI; an unbounded limit (R's Inf) as "∞"."""
    estimate = d.get("estimate", d.get("odds_ratio"))
    if estimate is None and d["ci_low"] is None:
        return MISSING
    high = "∞" if d["ci_high"] is None else number(d["ci_high"], 2)
    shown = "∞" if estimate is None else number(estimate, 2)
    return f"{shown} ({number(d['ci_low'], 2)}–{high})"


def _follow_up_range(b: dict) -> str:
    low = number(b["min_time"]) + ("+" if b["min_time_censored"] else "")
    return f"{low}{DASH}{number(b['max_time'])}{'+' if b['max_time_censored'] else ''}"


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
    for soc, soc_terms in socs_and_terms(groups[-1][1]["safety"]):
        rows.append(Row(soc["soc"], _pair_cells(g.get(soc["soc"]) for g in socs), "group"))
        for term in soc_terms:
            if _common(term["term"], terms, min_percent):
                rows.append(Row(term["term"], _pair_cells(g.get(term["term"]) for g in terms), "indent"))
    # smaller type and narrower padding (report.css, table.ae-events): its nine columns' cells fit
    return replace(_table(groups, "safety", rows, subcolumns=("n (%)", "Events")), css="arms ae-events")


def _worst_grade(groups, min_percent: float) -> ArmTable:
    """A row per term (by incidence), and below it a row per worst-grade group that some patient
    has (a group no patient of the total has is left out, as tern's AET04 prunes it)."""
    terms = [{t["term"]: t for t in b["safety"]["terms"]} for _, b in groups]
    rows = []
    for term in terms_of(groups[-1][1]["safety"]["terms"]):
        if not _common(term["term"], terms, min_percent):
            continue
        rows.append(Row(term["term"], tuple(_count(g.get(term["term"])) for g in terms), "group"))
        for label in (label for label, share in term["grade_groups"].items() if _n(share)):
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
    return count_percent(_n(share), share["proportion"])


def _n(share: dict) -> int:
    return share.get("count", share.get("subjects"))


def _prop(p: dict | None) -> str:
    return count_percent(p["count"], p["proportion"]) if p else "0"


def _ci(p: dict) -> str:
    return interval(p["ci_low"], p["ci_high"]) if p["n"] else MISSING


def _quantile(q: dict) -> str:
    estimate = "NR" if q["estimate"] is None and not mocking() else number(q["estimate"])
    return f"{estimate} ({interval(q['ci_low'], q['ci_high'], as_percent=False)})"


def _rate(landmark: dict, narrow: bool = False) -> str:
    """"79.3% (59.6%-90.1%)"; in a narrow column the CI on a line of its own (a line break the
    table's CSS keeps: table.survival.many), never broken inside the interval."""
    if landmark["survival"] is None:
        return "NE"  # DESIGN section 6: a landmark after the last follow-up
    return f"{percent(landmark['survival'], 1)}{chr(10) if narrow else ' '}({interval(landmark['ci_low'], landmark['ci_high'])})"


def _hazard(arm: str, ratios: dict, arms: list[str]) -> str:
    if arm == arms[0]:
        return "1 (reference)"
    ratio = ratios.get(arm)
    if not ratio or ratio["hazard_ratio"] is None:
        return MISSING if ratio else ""
    return f"{number(ratio['hazard_ratio'], 2)} ({number(ratio['ci_low'], 2)}{DASH}{number(ratio['ci_high'], 2)})"


