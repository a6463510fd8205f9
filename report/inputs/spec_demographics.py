"""The trial spec's `[analysis.demographics]` section: the demographic and baseline table
(DMT01, the CSR's Table 14-2.01): which columns, how each is summarised, and its test.

A variable is a column of subjects.csv (tidy input) or of ADSL (ADaM input). A continuous
column with `cuts` is summarised as a derived grouping (kind "categorical"): the groups are
closed on the left, [a, b), as R's cut(right = FALSE): "<a", "a-<b", ..., ">=z" unless
`groups` names them (for whole numbers, cuts [65, 81] are the groups <65, 65-80, >80).
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .spec_section import Section

CONTINUOUS_TESTS = ("anova", "kruskal", "none")
CATEGORICAL_TESTS = ("chisq", "fisher", "none")
POPULATIONS = {"enrolled": "all enrolled patients", "efficacy": "efficacy population",
               "safety": "safety population", "itt": "intent-to-treat population"}


class DemographicVariable(Section):
    column: str = Field(min_length=1)
    label: str | None = None  # default: the column's name
    kind: Literal["continuous", "categorical"]
    levels: list[str] = []  # categorical: the order of the categories (others follow, sorted)
    labels: dict[str, str] = {}  # categorical: category -> printed label
    cuts: list[float] = []  # a continuous column grouped: ascending cut points
    groups: list[str] = []  # the groups' labels (one more than the cuts)
    test: Literal["anova", "kruskal", "chisq", "fisher", "none"] | None = None  # default: anova / chisq
    digits: int = Field(default=1, ge=0, le=6)  # decimals of the mean, median, quartiles, min, max; SD one more
    name: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")  # ledger key; default: the column

    @model_validator(mode="after")
    def _consistent(self) -> "DemographicVariable":
        problems = variable_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def key(self) -> str:
        return self.name or self.column

    @property
    def chosen_test(self) -> str:
        return self.test or ("anova" if self.kind == "continuous" else "chisq")

    def group_labels(self) -> list[str]:
        """The printed label of each group of a grouped column."""
        if self.groups:
            return list(self.groups)
        cuts = [f"{c:g}" for c in self.cuts]
        return [f"<{cuts[0]}", *[f"{a}-<{b}" for a, b in zip(cuts, cuts[1:])], f">={cuts[-1]}"]


def variable_problems(v: DemographicVariable) -> list[str]:
    problems = []
    if v.cuts and v.kind != "categorical":
        problems.append("cuts group a continuous column into categories: give kind = \"categorical\"")
    if any(b <= a for a, b in zip(v.cuts, v.cuts[1:])):
        problems.append("cuts must be strictly ascending")
    if v.groups and len(v.groups) != len(v.cuts) + 1:
        problems.append(f"groups names {len(v.groups)} groups; {len(v.cuts)} cuts make {len(v.cuts) + 1}")
    if v.kind == "continuous" and (v.levels or v.labels):
        problems.append("levels and labels are for categorical variables")
    if v.cuts and v.levels:
        problems.append("a grouped column's order is that of its cuts: give groups, not levels")
    allowed = CONTINUOUS_TESTS if v.kind == "continuous" else CATEGORICAL_TESTS
    if v.test is not None and v.test not in allowed:
        problems.append(f"test {v.test!r} is not for a {v.kind} variable (use one of {', '.join(allowed)})")
    return problems


class Demographics(Section):
    population: Literal["enrolled", "efficacy", "safety", "itt"] = "enrolled"
    quantile_type: Literal[7, 2] = 7  # R's quantile type: 7 (R's default) or 2 (SAS's default)
    variables: list[DemographicVariable] = Field(default=[], min_length=1)

    @model_validator(mode="after")
    def _unique_keys(self) -> "Demographics":
        keys = [v.key for v in self.variables]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"variables repeat the ledger key {', '.join(repeated)}: give each a distinct name")
        return self


def default_variables(not_collected: frozenset[str]) -> list[DemographicVariable]:
    """Without the section: age and sex, where collected."""
    found = []
    if "age" not in not_collected:
        found.append(DemographicVariable(column="age", label="Age, years", kind="continuous"))
    if "sex" not in not_collected:
        found.append(DemographicVariable(column="sex", label="Sex", kind="categorical", levels=["M", "F"],
                                         labels={"M": "Male", "F": "Female", "Male": "Male", "Female": "Female"}))
    return found

