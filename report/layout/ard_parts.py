"""The rows of ard.csv (DESIGN section 7a) for the ledger's core parts: population, baseline,
response, MRD, survival, comparisons between arms and safety, each for one group's part.

Every row holds a ledger value unrounded (`stat`) and the text the report prints for it
(`stat_fmt`, formatted as the tables do); nothing is derived. The blocks that show these
parts (report.blocks.catalogue) return these rows as their `ard`.

Not written as rows, on purpose (settings or drawing data, not figures): the Kaplan-Meier
curve's points (the figure's data), and the times at which an estimate is given (a
landmark's or a risk-table step's `time`, which is the row's `variable_level`).
"""
from __future__ import annotations

from typing import Iterable

from ..stats.proportions import METHOD_NAMES
from .ard import Stat, source_name
from .formatting import MISSING, confidence_label, number, percent
from .wording import p_value


def _count(value: int | None) -> str:
    return MISSING if value is None else str(value)


def _rows(context: str, values: Iterable[tuple[str, object, str]], **where: str) -> list[Stat]:
    """One row per (stat_name, stat, stat_fmt), all on the same variable."""
    return [Stat(context, name, stat, text, **where) for name, stat, text in values]


def level(value: float) -> str:
    """A time or a number as a row's level: 12.0 -> '12', 0.5 -> '0.5'."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# ----------------------------------------------------------------------------- study

def population_rows(population: dict | None, ledger: dict) -> list[Stat]:
    """Patients enrolled, eligible, treated, evaluable (efficacy) and in the safety population."""
    return [Stat("count", "n", count, str(count), "population", name) for name, count in (population or {}).items()]


def baseline_rows(baseline: dict | None, population: dict | None, ledger: dict) -> list[Stat]:
    """Age (N, mean, median, min, max) and sex (n, N, p by category) of the efficacy population;
    nothing for a characteristic not collected."""
    rows: list[Stat] = []
    age = (baseline or {}).get("age")
    if age is not None:
        rows += _rows("continuous", (
            ("N", age["n"], str(age["n"])), ("mean", age["mean"], number(age["mean"])),
            ("median", age["median"], number(age["median"], 0)), ("min", age["minimum"], number(age["minimum"], 0)),
            ("max", age["maximum"], number(age["maximum"], 0))), variable=source_name(ledger, "age"))
    sex = (baseline or {}).get("sex")
    if sex is not None:
        n = (population or {}).get("evaluable")
        for code, share in sex.items():
            rows += _rows("categorical", (
                ("n", share["count"], str(share["count"])), ("N", n, _count(n)),
                ("p", share["proportion"], percent(share["proportion"], 1))),
                variable=source_name(ledger, "sex"), variable_level=code)
    return rows


# ----------------------------------------------------------------------------- efficacy

def proportion_rows(p: dict, variable: str, variable_level: str) -> list[Stat]:
    """A binomial proportion: n, N, p, its confidence limits, level and method."""
    method = p["ci_method"]
    return _rows("proportion", (
        ("n", p["count"], str(p["count"])), ("N", p["n"], str(p["n"])),
        ("p", p["proportion"], percent(p["proportion"], 1)),
        ("conf.low", p["ci_low"], percent(p["ci_low"], 1)), ("conf.high", p["ci_high"], percent(p["ci_high"], 1)),
        ("conf.level", p["confidence"], confidence_label(p["confidence"])),
        ("method", method, METHOD_NAMES.get(method, method))), variable=variable, variable_level=variable_level)


def response_rows(response: dict | None, ledger: dict) -> list[Stat]:
    """Responders and each best-response category (of the efficacy population); response after
    the first cycle (of responders) and responders by the cycle of first response."""
    if response is None:
        return []
    best, cycle = source_name(ledger, "best_response"), source_name(ledger, "response_cycle")
    rows = proportion_rows(response["responders"], best, " or ".join(response["responder_codes"]))
    for code, p in response["categories"].items():
        rows += proportion_rows(p, best, code)
    if response.get("after_first_cycle") is not None:
        rows += proportion_rows(response["after_first_cycle"], cycle, "1")
    for c, count in (response.get("first_response_cycle") or {}).items():
        rows.append(Stat("categorical", "n", count, str(count), cycle, c))
    return rows


def mrd_rows(mrd: dict | None, ledger: dict) -> list[Stat]:
    """MRD-negative among responders with a result (N: those assessed) and among all evaluable
    patients, and responders assessed and not."""
    if mrd is None:
        return []
    variable = source_name(ledger, "mrd")
    return [*proportion_rows(mrd["negative"], variable, "negative"),
            *proportion_rows(mrd["negative_of_evaluable"], variable, "negative (of evaluable)"),
            *(Stat("categorical", "n", mrd[key], str(mrd[key]), variable, key.replace("_", " "))
              for key in ("assessed", "not_assessed"))]


def survival_rows(survival: dict | None, ledger: dict) -> list[Stat]:
    """Per endpoint: patients, events, censored; median and quartiles with their CIs; landmark
    estimates with CI and patients at risk; the risk table; follow-up."""
    rows: list[Stat] = []
    for name, s in (survival or {}).items():
        rows += _rows("survival", (
            ("N", s["n"], str(s["n"])), ("n.event", s["events"], str(s["events"])),
            ("p.event", s["events_proportion"], percent(s["events_proportion"], 1)),
            ("n.censor", s["censored"], str(s["censored"])),
            ("p.censor", s["censored_proportion"], percent(s["censored_proportion"], 1)),
            ("conf.level", s["confidence"], confidence_label(s["confidence"]))), variable=name)
        for q, quantile in (("0.5", s["median"]), ("0.25", s["quartiles"]["25"]), ("0.75", s["quartiles"]["75"])):
            rows += _rows("survival_quantile", _estimate(quantile["estimate"], quantile["ci_low"], quantile["ci_high"],
                                                         number, "NR"), variable=name, variable_level=q)
        for mark in s["landmarks"]:
            values = [*_estimate(mark["survival"], mark["ci_low"], mark["ci_high"], lambda v: percent(v, 1)),
                      ("n.risk", mark["n_at_risk"], str(mark["n_at_risk"]))]
            rows += _rows("survival_landmark", values, variable=name, variable_level=level(mark["time"]))
        rows += [Stat("risk_table", "n.risk", p["n_at_risk"], str(p["n_at_risk"]), name, level(p["time"]))
                 for p in s["risk_table"]]
        rows += _rows("followup", (
            ("median", s["median_followup"], number(s["median_followup"])),
            ("min", s["min_time"], _time(s["min_time"], s["min_time_censored"])),
            ("max", s["max_time"], _time(s["max_time"], s["max_time_censored"]))), variable=name)
    return rows


def _estimate(estimate, low, high, fmt, absent: str = MISSING) -> list[tuple[str, object, str]]:
    return [("estimate", estimate, absent if estimate is None else fmt(estimate)),
            ("conf.low", low, "NE" if low is None else fmt(low)), ("conf.high", high, "NE" if high is None else fmt(high))]


def _time(value: float | None, censored: bool | None) -> str:
    return number(value) + ("+" if censored else "") if value is not None else MISSING


def comparison_rows(comparisons: dict | None, ledger: dict) -> list[Stat]:
    """Per endpoint: the log-rank test across arms; each arm's Cox hazard ratio against the reference."""
    rows: list[Stat] = []
    for name, c in (comparisons or {}).items():
        test = c["log_rank"]
        if test is not None:
            rows += _rows("comparison", (
                ("statistic", test["chi_square"], number(test["chi_square"], 2)), ("parameter", test["df"], str(test["df"])),
                ("p.value", test["p_value"], p_value(test["p_value"]))), variable=name, variable_level="log-rank")
        for h in c["hazard_ratios"]:
            values = [*_estimate(h["hazard_ratio"], h["ci_low"], h["ci_high"], lambda v: number(v, 2)),
                      ("p.value", h["p_value"], p_value(h["p_value"])),
                      ("conf.level", h["confidence"], confidence_label(h["confidence"]))]
            rows += _rows("comparison", values, variable=name, variable_level=f"{h['arm']} vs {h['reference']}",
                          group2=source_name(ledger, "arm"), group2_level=h["arm"])
        for key in ("likelihood_ratio", "wald", "score"):  # the Cox model's overall tests (summary.coxph)
            if c.get(key):
                t = c[key]
                rows += _rows("comparison", (
                    ("statistic", t["statistic"], number(t["statistic"], 2)), ("parameter", t["df"], str(t["df"])),
                    ("p.value", t["p_value"], p_value(t["p_value"]))), variable=name, variable_level=key)
        for lc in c.get("landmark_differences") or ():
            for lm in lc["landmarks"]:
                rows += _rows("landmark_difference", _landmark_difference(lm), variable=name,
                              variable_level=level(lm["time"]), group2=source_name(ledger, "arm"), group2_level=lc["arm"])
        if c.get("stratified_by"):
            strata = ", ".join(c["stratified_by"])
            rows.append(Stat("comparison", "strata", strata, strata, variable=name, variable_level="stratified by"))
    return rows


def _landmark_difference(lm: dict) -> list[tuple[str, object, str]]:
    """An arm's S(t) and the reference's with their standard errors; the difference with its CI and p."""
    d = lm["difference"]

    def rate(value):
        return MISSING if value is None else number(100 * value, 1)

    return [("surv", lm["survival"], rate(lm["survival"])), ("std.error", lm["std_err"], rate(lm["std_err"])),
            ("surv.reference", lm["reference_survival"], rate(lm["reference_survival"])),
            ("std.error.reference", lm["reference_std_err"], rate(lm["reference_std_err"])),
            *_estimate(d["estimate"], d["ci_low"], d["ci_high"], lambda v: number(100 * v, 1)),
            ("p.value", d["p_value"], p_value(d["p_value"])),
            ("conf.level", d["confidence"], confidence_label(d["confidence"]))]


def response_comparison_rows(compared: dict | None, ledger: dict) -> list[Stat]:
    """Each arm's responders against the reference: rate difference, odds ratio, CMH where stratified."""
    rows: list[Stat] = []
    for c in (compared or {}).get("arms", ()):
        where = {"variable": source_name(ledger, "best_response"), "variable_level": f"{c['arm']} vs {c['reference']}",
                 "group2": source_name(ledger, "arm"), "group2_level": c["arm"]}
        rows += _rows("response_counts", (("n", c["responders"], str(c["responders"])), ("N", c["n"], str(c["n"])),
                                          ("n.reference", c["reference_responders"], str(c["reference_responders"])),
                                          ("N.reference", c["reference_n"], str(c["reference_n"]))), **where)
        d = c["rate_difference"]
        rows += _rows("rate_difference", (*_estimate(d["estimate"], d["ci_low"], d["ci_high"], lambda v: number(100 * v, 1)),
                                          ("p.value", d["p_value"], p_value(d["p_value"])),
                                          ("method", d["method"], compared["rate_difference_method_name"]),
                                          ("conf.level", d["confidence"], confidence_label(d["confidence"]))), **where)
        o = c["odds_ratio"]
        rows += _rows("odds_ratio", (*_estimate(o["estimate"], o["ci_low"], o["ci_high"], lambda v: number(v, 2)),
                                     ("p.value", o["p_value"], p_value(o["p_value"])),
                                     ("method", o["method"], compared["odds_ratio_method_name"]),
                                     ("conf.level", o["confidence"], confidence_label(o["confidence"]))), **where)
        m = c["mantel_haenszel"]
        if m is not None:
            statistic = MISSING if m["statistic"] is None else number(m["statistic"], 2)
            rows += _rows("cmh", (("statistic", m["statistic"], statistic), ("p.value", m["p_value"], p_value(m["p_value"])),
                                  *_estimate(m["odds_ratio"], m["ci_low"], m["ci_high"], lambda v: number(v, 2)),
                                  ("strata", m["strata"], str(m["strata"])),
                                  ("conf.level", m["confidence"], confidence_label(m["confidence"]))), **where)
    return rows


# ----------------------------------------------------------------------------- safety

def safety_rows(safety: dict | None, ledger: dict) -> list[Stat]:
    """The safety population; patients with any, grade 3+ (severe) and serious events; by worst
    grade; by organ class and preferred term (with each term's worst grades); the leading grade
    3+ terms; deaths, all and within each early-death window. Adverse-event rows only where collected."""
    if safety is None:
        return []
    term, soc, grade = (source_name(ledger, c) for c in ("term", "soc", "grade"))
    rows = [Stat("safety", "N", safety["n"], str(safety["n"]), source_name(ledger, "safety"))]
    for key, variable, value in (("any_event", term, "any"), ("grade_3_plus", grade, ">=3"),
                                 ("serious", source_name(ledger, "serious"), "Y")):
        if safety[key] is not None:
            rows += _patients(safety[key], "safety_overview", variable=variable, variable_level=value)
    rows += [Stat("worst_grade", "n", n, str(n), grade, g) for g, n in (safety["by_worst_grade"] or {}).items()]
    for s in safety["socs"] or ():
        rows += _patients(s, "hierarchical", variable=soc, variable_level=s["soc"])
    for t in safety["terms"] or ():
        rows += _patients(t, "hierarchical", variable=term, variable_level=t["term"], group2=soc, group2_level=t["soc"])
        rows += _term_grades(t, grade, term)
    for t in safety["leading_grade_3_plus"] or ():
        rows += _patients(t, "leading_grade_3_plus", variable=term, variable_level=t["term"])
    return rows + death_rows(safety["deaths"], ledger)


def _patients(count: dict, context: str, **where: str) -> list[Stat]:
    """Patients (n, p of the safety population) and, where counted, events."""
    values = [("n", count["subjects"], str(count["subjects"])), ("p", count["proportion"], percent(count["proportion"], 1))]
    if "events" in count:
        values.append(("n.event", count["events"], str(count["events"])))
    return _rows(context, values, **where)


def _term_grades(t: dict, grade: str, term: str) -> list[Stat]:
    """One term's patients by worst grade, at grade 3 or more, and by grade group."""
    where = {"group2": term, "group2_level": t["term"], "variable": grade}
    rows = [Stat("hierarchical_worst_grade", "n", n, str(n), variable_level=g, **where) for g, n in t["max_grade"].items()]
    rows += _rows("hierarchical_worst_grade", (
        ("n", t["grade_3_plus"], str(t["grade_3_plus"])),
        ("p", t["grade_3_plus_proportion"], percent(t["grade_3_plus_proportion"], 1))), variable_level=">=3", **where)
    for label, share in t["grade_groups"].items():
        rows += _patients(share, "hierarchical_worst_grade", variable_level=label, **where)
    return rows


def death_rows(deaths: dict, ledger: dict) -> list[Stat]:
    """Deaths in the safety population, all and within each early-death window of enrolment."""
    variable = source_name(ledger, "died_on")
    rows = [Stat("deaths", "n", deaths["total"], str(deaths["total"]), variable, "all")]
    return rows + [Stat("deaths", "n", n, str(n), variable, f"within {days} days") for days, n in deaths["early"].items()]


# ----------------------------------------------------------------------------- the DSMB part

def dsmb_status_rows(dsmb: dict | None, ledger: dict) -> list[Stat]:
    """The DSMB part's accrual (enrolled, planned, expected by the cutoff; by month: enrolled,
    cumulative, expected) and disposition (each count; off study by reason)."""
    if dsmb is None:
        return []
    accrual, disposition, enrolled = dsmb["accrual"], dsmb["disposition"], source_name(ledger, "enrolled_on")
    rows = _rows("accrual", ((key, accrual[key], _figure(accrual[key])) for key in ("enrolled", "planned", "expected_by_cutoff")),
                 variable=enrolled)
    for month in accrual["months"] + accrual.get("quarters", []):
        rows += _rows("accrual", ((key, month[key], _figure(month[key])) for key in ("enrolled", "cumulative", "expected")),
                      variable=enrolled, variable_level=month["month"])
    rows += [Stat("disposition", "n", n, str(n), "disposition", key) for key, n in disposition.items()
             if key not in ("off_study", "ineligible_reasons") and n is not None]
    reason, ineligible = source_name(ledger, "off_study_reason"), source_name(ledger, "ineligible_reason")
    rows += [Stat("disposition", "n", n, str(n), ineligible, why)
             for why, n in (disposition.get("ineligible_reasons") or {}).items()]
    return rows + [Stat("disposition", "n", n, str(n), reason, why) for why, n in (disposition["off_study"] or {}).items()]


def dsmb_safety_rows(dsmb: dict | None, ledger: dict) -> list[Stat]:
    """The DSMB part's adverse-event overview (patients with any, grade 3+, grade 5, serious,
    related events and off study for one: n, p, n.event) and early deaths by window."""
    if dsmb is None:
        return []
    overview = dsmb["overview"]
    rows = [Stat("dsmb_overview", "N", overview["n"], str(overview["n"]), source_name(ledger, "safety"))]
    for key, count in overview.items():
        if key != "n" and count is not None:
            rows += _patients(count, "dsmb_overview", variable="adverse_events", variable_level=key)
    died = source_name(ledger, "died_on")
    return rows + [Stat("dsmb_deaths", "n", n, str(n), died, f"within {days} days") for days, n in dsmb["early_deaths"].items()]


def _figure(value: float | int | None) -> str:
    """A count as itself, an expected (fractional) number of patients to one decimal."""
    if value is None or isinstance(value, int):
        return _count(value)
    return number(value)
