"""Demographic and baseline characteristics (DMT01, the CSR's Table 14-2.01): the variables
`[analysis.demographics]` names (default: age and sex, where collected), continuous ones
described (n, mean, SD, median, quartiles, min, max), categorical ones counted (n and % of
the column's N, missing as its own row), for the total and each arm; where asked, a test
that the arms differ (in the total's part: it holds every arm).

The statistic (`demographics`, a Group in, a frozen result out: the ledger's
`demographics` and `by_arm.<arm>.demographics`), its rows of ard.csv (`ard`) and the block's
declaration; the layout is report.layout.demographics. Not open-safe: the table is by arm
and compares the arms (DESIGN section 9: nothing by arm in the open report).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from ...analysis.group import TOTAL, Group, Part, Reads
from ...analysis.ledger import Share
from ...errors import InputError, Problem
from ...inputs.demographic_columns import COLUMN, KEY, variables
from ...inputs.spec import SPEC_FILE
from ...inputs.spec_demographics import POPULATIONS, DemographicVariable
from ...layout.ard import Stat, source_name
from ...layout.demographics import demographics_view, p_text, stat_text
from ...stats import group_tests
from ...stats.summary_statistics import Summary, summary
from ...stats.fisher import FisherTooLarge, fisher_p_value
from ..block import Block

POPULATION_COLUMNS = {"efficacy": "efficacy", "safety": "safety", "itt": "itt"}


@dataclass(frozen=True)
class Category:
    level: str  # as in the data (a grouped column: the group's label)
    label: str  # as printed
    share: Share  # of the column's N


@dataclass(frozen=True)
class Comparison:
    test: str  # anova, kruskal, chisq, fisher
    statistic: float | None
    parameter: float | None  # degrees of freedom (ANOVA: the arms'; the residual's in df_residual)
    df_residual: float | None
    p_value: float | None  # None: not computable (one arm with values, one category, no variation)


@dataclass(frozen=True)
class Variable:
    column: str  # as the spec or the data name it
    label: str
    kind: str  # continuous or categorical
    digits: int
    cuts: tuple[float, ...]  # a grouped continuous column's cut points, else ()
    n: int  # patients with a value
    missing: Share  # patients without one, of the column's N
    description: Summary | None  # continuous
    categories: tuple[Category, ...] | None  # categorical, in the stated order
    comparison: Comparison | None  # the total's part only, where a test is asked for and the population has two arms or more


@dataclass(frozen=True)
class Demographics:
    population: str  # enrolled, efficacy, safety, itt
    population_label: str
    n: int  # the column's N
    quantile_type: int
    variables: dict[str, Variable]  # by ledger key, in the spec's order


def demographics(group: Group) -> Demographics | None:
    """The demographic table's part of one group; None where no variable was collected."""
    chosen = variables(group.options, group.not_collected)
    if not chosen:
        return None
    settings = group.options.demographics
    population = settings.population if settings else "enrolled"
    quantile_type = settings.quantile_type if settings else 7
    subjects = _population(group.subjects, population)
    n = len(subjects)
    values = list(subjects[COLUMN])
    arms = list(subjects["arm"])
    found = {}
    for i, variable in enumerate(chosen):
        column = [v[i] for v in values]
        found[variable.key] = _variable(i, variable, column, arms, n, quantile_type, group.label == TOTAL)
    return Demographics(population, POPULATIONS[population], n, quantile_type, found)


def _population(subjects: pd.DataFrame, population: str) -> pd.DataFrame:
    if population == "enrolled":
        return subjects
    return subjects[subjects[POPULATION_COLUMNS[population]].astype(bool)]



def _variable(index: int, v: DemographicVariable, column: list, arms: list, n: int, quantile_type: int,
              total: bool) -> Variable:
    present = [x is not None for x in column]
    count = sum(present)
    if v.cuts:
        column = grouped(column, v.cuts, v.group_labels())
    description = summary(column, quantile_type) if v.kind == "continuous" else None
    categories = _categories(v, column, n) if v.kind == "categorical" else None
    compared = total and v.chosen_test != "none" and len({a for a in arms if a is not None}) > 1  # arms to compare
    comparison = _comparison(index, v, column, arms) if compared else None
    return Variable(v.column, v.label or v.column, v.kind, v.digits, tuple(v.cuts), count, Share.of(n - count, n),
                    description, categories, comparison)


def grouped(values: list, cuts: list[float], labels: list[str]) -> list:
    """Each value's group: closed on the left, [a, b), as R's cut(right = FALSE); None stays None."""
    return [None if x is None else labels[int(np.searchsorted(cuts, x, side="right"))] for x in values]


def _categories(v: DemographicVariable, column: list, n: int) -> tuple[Category, ...]:
    counts = pd.Series([x for x in column if x is not None], dtype=object).value_counts()
    stated = v.group_labels() if v.cuts else list(v.levels)
    order = stated + sorted(level for level in counts.index if level not in stated)
    return tuple(Category(level, v.labels.get(level, level), Share.of(int(counts.get(level, 0)), n)) for level in order)


def _comparison(index: int, v: DemographicVariable, column: list, arms: list) -> Comparison:
    """The test that the arms differ, of the patients with a value and an arm."""
    pairs = [(arm, x) for arm, x in zip(arms, column) if x is not None and arm is not None]
    test = v.chosen_test
    if v.kind == "continuous":
        by_arm: dict[str, list[float]] = {}
        for arm, x in pairs:
            by_arm.setdefault(arm, []).append(x)
        samples = [np.array(xs) for xs in by_arm.values()]
        result = group_tests.anova(samples) if test == "anova" else group_tests.kruskal(samples)
    else:
        table = contingency(pairs)
        result = group_tests.chisq(table) if test == "chisq" else _fisher(index, v, table)
    if result is None:
        return Comparison(test, None, None, None, None)
    return Comparison(test, result.statistic, result.parameter, result.df_residual, result.p_value)


def contingency(pairs: list[tuple[str, str]]) -> np.ndarray:
    """The counts of (arm, category) pairs: a row per arm, a column per category (those present)."""
    rows = {arm: i for i, arm in enumerate(sorted({a for a, _ in pairs}))}
    columns = {x: j for j, x in enumerate(sorted({x for _, x in pairs}))}
    table = np.zeros((len(rows), len(columns)), dtype=np.int64)
    for arm, x in pairs:
        table[rows[arm], columns[x]] += 1
    return table


def _fisher(index: int, v: DemographicVariable, table: np.ndarray) -> group_tests.TestResult | None:
    try:
        p = fisher_p_value(table) if table.size else None
    except FisherTooLarge as exc:
        raise InputError(Problem(SPEC_FILE, f"{KEY}.{index}.test: {v.column}: {exc}")) from None
    return None if p is None else group_tests.TestResult("fisher", None, None, p)


def ard(part: dict | None, ledger: dict) -> Iterable[Stat]:
    """The rows of ard.csv for one group's part: each variable's statistics, then its test."""
    if part is None:
        return
    for variable in part["variables"].values():
        name = source_name(ledger, variable["column"])
        context = variable["kind"]
        yield Stat(context, "N", part["n"], str(part["n"]), name)
        if context == "continuous":
            yield from _continuous_stats(variable, name)
        else:
            for category in variable["categories"]:
                share = category["share"]
                yield Stat(context, "n", share["count"], str(share["count"]), name, category["level"])
                yield Stat(context, "N", part["n"], str(part["n"]), name, category["level"])
                yield Stat(context, "p", share["proportion"], stat_text(share["proportion"], "p", 0), name, category["level"])
        missing = variable["missing"]
        yield Stat(context, "N_nonmiss", variable["n"], str(variable["n"]), name)
        yield Stat(context, "N_miss", missing["count"], str(missing["count"]), name)
        yield Stat(context, "p_miss", missing["proportion"], stat_text(missing["proportion"], "p", 0), name)
        comparison = variable["comparison"]
        if comparison is not None:
            for stat_name, key in (("statistic", "statistic"), ("parameter", "parameter"), ("df.residual", "df_residual"),
                                   ("p.value", "p_value")):
                text = p_text(comparison[key]) if key == "p_value" else stat_text(comparison[key], "mean", 4)
                yield Stat("comparison", stat_name, comparison[key], text, name, comparison["test"])


CONTINUOUS_STATS = (("n", "n"), ("mean", "mean"), ("sd", "sd"), ("median", "median"), ("p25", "q1"), ("p75", "q3"),
                    ("min", "min"), ("max", "max"))


def _continuous_stats(variable: dict, name: str) -> Iterable[Stat]:
    description = variable["description"]
    for stat_name, key in CONTINUOUS_STATS:
        value = description[key]
        yield Stat("continuous", stat_name, value, stat_text(value, stat_name, variable["digits"]), name)


BLOCK = Block(
    id="demographics",
    title="Demographic and baseline characteristics",
    keys=("demographics", "by_arm"),
    open_safe=False,
    partial="partials/demographics.html.j2",
    compute=Part(demographics, Reads(subjects=("efficacy", "safety", "itt", COLUMN), options=("demographics",),
                                      not_collected=True)),
    view=demographics_view,
    ard=ard,
)
