"""Subgroup analysis (the forest plot): for each level of each `[analysis.forest] subgroups`
variable, the patients, events and hazard ratio (with CI) of one arm against the reference
on one endpoint; the overall ratio; and each variable's likelihood-ratio test of the
arm-by-subgroup interaction (report.stats.cox_design). Computed in the Total's part only
(it compares arms); `forest` is None elsewhere, and where the spec asks for none.

Equal to R: `coxph(Surv(time, event) ~ arm, subset = level)` (Efron ties, Wald CI) per
level, `anova(coxph(~ arm + subgroup), coxph(~ arm * subgroup))` per variable.
Not open-safe: efficacy by arm.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ...analysis.group import TOTAL, Group, Part, Reads
from ...errors import InputError, Problem
from ...inputs import derive
from ...inputs.demographic_columns import COLUMN, variables
from ...inputs.spec import SPEC_FILE
from ...layout.ard import Stat, source_name
from ...layout.formatting import confidence_label, number
from ...layout.tables import ArmTable, Row
from ...layout.wording import p_value
from ...stats.comparison import HazardRatio, compare_arms
from ...stats.cox_design import InteractionTest, interaction_test
from ..block import Block, Context
from .demographics import grouped

BLOCK_ID = "forest"


@dataclass(frozen=True)
class Level:
    label: str
    n: int
    events: int
    ratio: HazardRatio


@dataclass(frozen=True)
class Subgroup:
    key: str
    label: str
    levels: tuple[Level, ...]
    interaction: InteractionTest | None


@dataclass(frozen=True)
class Forest:
    endpoint: str
    arm: str
    reference: str
    overall: Level
    subgroups: tuple[Subgroup, ...]


def forest(group: Group) -> Forest | None:
    spec = group.options.forest
    arms = list(group.options.arms) or sorted(group.subjects["arm"].dropna().unique())
    if spec is None or group.label != TOTAL or len(arms) < 2:
        return None
    reference, arm = arms[0], spec.arm or arms[1]
    frame = _patients(group, spec.endpoint, (reference, arm))
    options = group.options
    defined = {v.key: (i, v) for i, v in enumerate(variables(options, group.not_collected))}
    subgroups = []
    for key in spec.subgroups:
        if key not in defined or defined[key][1].kind != "categorical":
            raise InputError(Problem(SPEC_FILE, f"analysis.forest.subgroups: {key!r} is not a categorical variable of "
                                                f"[analysis.demographics] (its keys: {', '.join(defined) or 'none'})"))
        index, variable = defined[key]
        values = [row[index] for row in frame[COLUMN]]
        levels = grouped(values, variable.cuts, variable.group_labels()) if variable.cuts else values
        subgroups.append(_subgroup(frame, key, variable, levels, reference, arm, options.confidence))
    return Forest(spec.endpoint, arm, reference, _level("All patients", frame, reference, arm, options.confidence),
                  tuple(subgroups))


def _patients(group: Group, endpoint: str, arms: tuple[str, str]) -> pd.DataFrame:
    """The endpoint's rows of the two arms' efficacy population, with arm and demographic values."""
    rows = group.time_to_event[group.time_to_event["endpoint"] == endpoint]
    subjects = derive.evaluable(group.subjects)
    subjects = subjects[subjects["arm"].isin(arms)][["subject_id", "arm", COLUMN]]
    return rows.merge(subjects, on="subject_id", how="inner")


def _subgroup(frame, key, variable, levels: list, reference: str, arm: str, confidence: float) -> Subgroup:
    stated = variable.group_labels() if variable.cuts else list(variable.levels)
    present = [x for x in dict.fromkeys(levels) if x is not None]
    order = [x for x in stated if x in present] + sorted(x for x in present if x not in stated)
    column = pd.Series(levels, index=frame.index, dtype=object)
    rows = tuple(_level(variable.labels.get(x, x), frame[column == x], reference, arm, confidence) for x in order)
    known = column.notna()
    test = interaction_test(frame.loc[known, "days"], frame.loc[known, "event"], frame.loc[known, "arm"],
                            column[known]) if known.any() else None
    return Subgroup(key, variable.label or variable.column, rows, test)


def _level(label: str, rows: pd.DataFrame, reference: str, arm: str, confidence: float) -> Level:
    compared = compare_arms(rows["days"], rows["event"], rows["arm"], [reference, arm], confidence)
    return Level(label, len(rows), int(rows["event"].sum()), compared.hazard_ratios[0])


# ------------------------------------------------------------------ layout


def shown(ledger: dict, context: Context | None = None) -> bool:
    return bool(ledger.get(BLOCK_ID))


def table(ledger: dict, context: Context | None = None) -> ArmTable:
    part = ledger[BLOCK_ID]
    level = confidence_label(part["overall"]["ratio"]["confidence"])
    rows = [Row(part["overall"]["label"], _cells(part["overall"]), "group")]
    for subgroup in part["subgroups"]:
        test = subgroup["interaction"]
        rows.append(Row(subgroup["label"], ("", "", "", p_value(test["p_value"]) if test else "NE"), "group"))
        rows += [Row(x["label"], _cells(x), "indent") for x in subgroup["levels"]]
    return ArmTable(columns=("Patients", "Events", f"Hazard ratio ({level} CI)", "Interaction p"),
                    counts=("", "", f"{part['arm']} vs {part['reference']}", ""), subcolumns=("",), rows=tuple(rows),
                    css="arms forest")


@dataclass(frozen=True)
class ForestView:
    table: ArmTable
    note: str
    figure: str  # the forest plot's key in the page's figures
    caption: str


def figures(ledger: dict) -> dict[str, str]:
    """The forest plot: a row per subgroup level under its variable, the overall ratio dashed."""
    from ...layout.efficacy_figures import ForestRow, forest_figure
    from ...layout.figures import namespaced

    part = ledger[BLOCK_ID]
    rows = []
    for subgroup in part["subgroups"]:
        rows.append(ForestRow(subgroup["label"], None, None, None, None, None, group_heading=True))
        rows += [_forest_row(level) for level in subgroup["levels"]]
    interaction = {s["label"]: s["interaction"]["p_value"] if s["interaction"] else None for s in part["subgroups"]}
    svg = forest_figure(rows, _forest_row(part["overall"]), "Hazard ratio",
                        True, interaction)
    return {"forest": namespaced(svg, "fig-forest")}


def _forest_row(level: dict):
    from ...layout.efficacy_figures import ForestRow

    ratio = level["ratio"]
    return ForestRow(level["label"], level["n"], level["events"], ratio["hazard_ratio"], ratio["ci_low"],
                     ratio["ci_high"])


def view(ledger: dict, context: Context | None = None) -> ForestView:
    part = ledger[BLOCK_ID]
    note = (f"Hazard ratios of {part['arm']} against {part['reference']} ({part['endpoint']}), efficacy population: "
            "Cox proportional hazards model in each subgroup (Efron ties), Wald confidence intervals; interaction p: "
            "likelihood-ratio test of the arm-by-subgroup interaction (R: anova of coxph(~ arm + subgroup) and "
            "coxph(~ arm * subgroup)). NE: not estimable (an arm without events in the subgroup).")
    caption = (f"Hazard ratio of {part['arm']} against {part['reference']} by subgroup, with its "
               f"{confidence_label(part['overall']['ratio']['confidence'])} confidence interval; the dashed line is "
               "the ratio in all patients; interaction p on each variable's line.")
    return ForestView(table(ledger), note, "forest", caption)


def _cells(level: dict) -> tuple[str, ...]:
    ratio = level["ratio"]
    shown = "NE" if ratio["hazard_ratio"] is None else \
        f"{number(ratio['hazard_ratio'], 2)} ({number(ratio['ci_low'], 2)}\u2013{number(ratio['ci_high'], 2)})"
    return str(level["n"]), str(level["events"]), shown, ""


def ard(part: dict | None, ledger: dict) -> list[Stat]:
    if not part:
        return []
    arm = source_name(ledger, "arm")
    stats = _level_stats(part["overall"], arm, part["arm"], "", "")
    for subgroup in part["subgroups"]:
        name = source_name(ledger, subgroup["key"])
        for level in subgroup["levels"]:
            stats += _level_stats(level, arm, part["arm"], name, level["label"])
        if subgroup["interaction"]:
            test = subgroup["interaction"]
            where = {"variable": name, "variable_level": "interaction", "group2": arm, "group2_level": part["arm"]}
            stats += [Stat("comparison", "statistic", test["statistic"], number(test["statistic"], 3), **where),
                      Stat("comparison", "df", test["df"], str(test["df"]), **where),
                      Stat("comparison", "p.value", test["p_value"], p_value(test["p_value"]), **where)]
    return stats


def _level_stats(level: dict, arm: str, compared: str, variable: str, value: str) -> list[Stat]:
    where = {"variable": variable, "variable_level": value, "group2": arm, "group2_level": compared}
    ratio = level["ratio"]
    return [Stat("survival", "N", level["n"], str(level["n"]), **where),
            Stat("survival", "n.event", level["events"], str(level["events"]), **where),
            Stat("comparison", "estimate", ratio["hazard_ratio"], number(ratio["hazard_ratio"], 2), **where),
            Stat("comparison", "conf.low", ratio["ci_low"], number(ratio["ci_low"], 2), **where),
            Stat("comparison", "conf.high", ratio["ci_high"], number(ratio["ci_high"], 2), **where),
            Stat("comparison", "p.value", ratio["p_value"], p_value(ratio["p_value"]), **where),
            Stat("comparison", "conf.level", ratio["confidence"], confidence_label(ratio["confidence"]), **where)]


BLOCK = Block(
    id=BLOCK_ID,
    title="Subgroup analysis",
    keys=(BLOCK_ID,),
    open_safe=False,
    partial="partials/forest.html.j2",
    shown=shown,
    figures=figures,
    compute=Part(forest, Reads(subjects=("efficacy", "arm", COLUMN), time_to_event=("endpoint", "days", "event"),
                               options=("forest", "arms", "confidence", "demographics"), not_collected=True)),
    view=view,
    ard=ard,
)
