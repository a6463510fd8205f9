"""The ReportingEvent's analyses, methods and groupings from the rows of ard.csv: one
OperationResult per row, nothing recomputed.

An analysis is one block's figures of one variable by one method (`block`, `context`,
`group2`, `variable` and the method); a row's `stat_name` is its operation. Its result groups
name the arm (`group1`: the treatment grouping's group; for the total column, the treatment
grouping without a group, as ARS writes a result across all groups), the nesting level
(`group2`) and the variable's level (`variable_level`), each as the grouping and group ard.csv
gives. `rawValue` is the unrounded value as the shortest decimal that reads back to the same
float (Python's repr); `formattedValue` the text the report prints.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

from ...layout.ard import source_name
from ..catalogue import BLOCKS
from . import sets
from .vocabulary import COMPARISONS, STATS, TEXT_STATS, level_role, method_key, method_words, operation_words


class BrokenLedger(ValueError):
    """The ledger cannot be written as ARS: a figure is missing, or is not a number where one belongs."""


NUMBERS = frozenset(STATS) - TEXT_STATS  # the statistics whose value is a number, never text
REASON = {"sponsorTermId": "SponsorReason_TrialSpec", "controlledTerm": "SPECIFIED IN TRIAL SPECIFICATION"}
PURPOSE = {"sponsorTermId": "SponsorPurpose_Reported", "controlledTerm": "REPORTED IN TRIAL REPORT"}
TERMINOLOGY = [
    {"id": "TermExt_AnalysisReason", "enumeration": "AnalysisReasonEnum", "sponsorTerms": [
        {"id": REASON["sponsorTermId"], "submissionValue": REASON["controlledTerm"],
         "description": "The analysis follows from the trial's specification (trial.toml) and the report's blocks."}]},
    {"id": "TermExt_AnalysisPurpose", "enumeration": "AnalysisPurposeEnum", "sponsorTerms": [
        {"id": PURPOSE["sponsorTermId"], "submissionValue": PURPOSE["controlledTerm"],
         "description": "A figure of a trialreport report; the specification does not classify outcome measures."}]},
]
SPEC_REF = "Ref_Spec"


@dataclass
class Registry:
    """What the analyses refer to, each made once, in order of first use."""
    ledger: dict
    groupings: dict[tuple[str, str], dict] = field(default_factory=dict)  # (variable, role) -> grouping
    methods: dict[str, dict] = field(default_factory=dict)  # method key -> AnalysisMethod
    populations: list[str] = field(default_factory=list)
    events: bool = False  # whether an analysis counts adverse-event records (the data subset)

    def __post_init__(self):
        self.arm = source_name(self.ledger, "arm")
        self._result_groups: dict[tuple[str, str, str], dict] = {}
        self._operations: dict[tuple[str, str], str] = {}

    def grouping(self, variable: str, role: str) -> dict:
        key = (variable, role)
        if key not in self.groupings:
            grouping_id = f"AnlsGrouping_{len(self.groupings) + 1:02d}_{sets.slug(variable or 'overall')}"
            self.groupings[key] = (sets.treatment_grouping(self.ledger, grouping_id, variable)
                                   if role == "treatment" else sets.level_grouping(grouping_id, variable, role))
        return self.groupings[key]

    def result_group(self, variable: str, level: str, role: str) -> dict:
        """The grouping and group of one level: its group where the grouping lists one, else the level as its value."""
        key = (variable, level, role)
        if key not in self._result_groups:
            grouping = self.grouping(variable, role)
            group = next((g["id"] for g in grouping.get("groups", ()) if g["name"] == level), None)
            self._result_groups[key] = {"groupingId": grouping["id"], **({"groupId": group} if group else {"groupValue": level})}
        return self._result_groups[key]

    def operation(self, key: str, stat_name: str) -> str:
        """The id of `stat_name`'s operation of the method `key` (both made on first use)."""
        if (key, stat_name) not in self._operations:
            self._operations[key, stat_name] = self._new_operation(key, stat_name)
        return self._operations[key, stat_name]

    def _new_operation(self, key: str, stat_name: str) -> str:
        if key not in self.methods:
            name, description = method_words(key)
            self.methods[key] = {"id": f"Mth_{len(self.methods) + 1:02d}_{sets.slug(key)}", "name": name,
                                 "description": description, "operations": []}
        operations = self.methods[key]["operations"]
        found = next((o["id"] for o in operations if o["label"] == stat_name), None)
        if found is None:
            name, description = operation_words(stat_name, self.methods[key]["name"])
            order = len(operations) + 1
            found = f"{self.methods[key]['id']}_{order}_{sets.slug(stat_name)}"
            operations.append({"id": found, "name": name, "label": stat_name, "description": description, "order": order})
        return found


def raw_value(row: dict) -> str | None:
    """The row's value as ARS's rawValue (None: not computable, written without one); BrokenLedger
    for a value that is not a finite number, or is text where the statistic is a number (n, p, mean, ...)."""
    stat = row["stat"]
    if stat is None:
        return None
    if type(stat) is int:
        return str(stat)
    if type(stat) is float and math.isfinite(stat):
        return repr(stat)
    if isinstance(stat, numbers.Integral) and not isinstance(stat, bool):
        return str(int(stat))
    if isinstance(stat, numbers.Real) and not isinstance(stat, bool) and math.isfinite(stat):
        return repr(float(stat))
    if isinstance(stat, str) and row["stat_name"] not in NUMBERS:  # a method's name, the strata, a new block's text
        return stat
    raise BrokenLedger(f"ard row {_where(row)}: {row['stat_name']} = {stat!r} is not a finite number")


def _where(row: dict) -> str:
    return "/".join(str(row[c]) for c in ("block", "group1_level", "group2_level", "variable", "variable_level", "stat_name")
                    if row[c] != "")


def result(row: dict, registry: Registry, by_arm: bool) -> dict:
    """One row of ard.csv as an OperationResult."""
    if not isinstance(row["stat_fmt"], str):
        raise BrokenLedger(f"ard row {_where(row)}: the printed text {row['stat_fmt']!r} is not text")
    groups = []
    if row["group1"]:
        groups.append(registry.result_group(row["group1"], row["group1_level"], "treatment"))
    elif by_arm and row["group2"] != registry.arm:  # the total column, or a test across the arms: every arm
        groups.append({"groupingId": registry.grouping(registry.arm, "treatment")["id"]})
    if row["group2"]:
        role = "treatment" if row["group2"] == registry.arm else "category"
        groups.append(registry.result_group(row["group2"], row["group2_level"], role))
    if row["variable_level"]:
        groups.append(registry.result_group(row["variable"], row["variable_level"], level_role(row)))
    raw = raw_value(row)
    return {"operationId": registry.operation(method_key(row), row["stat_name"]), "resultGroups": groups,
            **({"rawValue": raw} if raw is not None else {}), "formattedValue": row["stat_fmt"]}


def analysis_key(row: dict) -> tuple[str, ...]:
    return row["block"], row["context"], row["group2"], row["variable"], method_key(row)


def analyses(rows: list[dict], registry: Registry) -> list[dict]:
    """The analyses of ard.csv's rows, in the order of their first rows."""
    grouped: dict[tuple[str, ...], list[dict]] = {}
    for row in rows:
        grouped.setdefault(analysis_key(row), []).append(row)
    return [analysis(n, members, registry) for n, members in enumerate(grouped.values(), start=1)]


def analysis(n: int, rows: list[dict], registry: Registry) -> dict:
    first = rows[0]
    by_arm = any(r["group1"] for r in rows) or (first["context"] in COMPARISONS and bool(registry.ledger.get("arms")))
    results = [result(r, registry, by_arm) for r in rows]
    method = registry.methods[method_key(first)]
    block = BLOCKS[first["block"]].title if first["block"] in BLOCKS else first["block"]
    what = first["variable"] or first["context"]
    found = {"id": f"An_{n:04d}_{sets.slug(first['block'])}", "name": f"{block}: {what}, {method['name']}",
             "reason": REASON, "purpose": PURPOSE, "methodId": method["id"],
             "categoryIds": [category_id("block", first["block"]), category_id("context", first["context"])],
             "documentRefs": [{"referenceDocumentId": SPEC_REF}]}
    if first["variable"]:
        found["variable"] = first["variable"]
    if sets.is_event_row(first):
        registry.events = True
        found.update(dataset=sets.events_dataset(registry.ledger), dataSubsetId=sets.TEAE)
    elif first["block"] in sets.SUBJECT_BLOCKS:
        found["dataset"] = sets.subjects_dataset(registry.ledger)
    population = sets.population_of(first, registry.ledger)
    if population in sets.POPULATIONS:
        if population not in registry.populations:
            registry.populations.append(population)
        found["analysisSetId"] = f"AnalysisSet_{population}"
    return {**found, "orderedGroupings": ordered_groupings(results), "results": results}


def ordered_groupings(results: list[dict]) -> list[dict]:
    """The groupings the results name, in order of first use; by group where any result names a group."""
    seen: dict[str, bool] = {}
    for r in results:
        for g in r["resultGroups"]:
            seen[g["groupingId"]] = seen.get(g["groupingId"], False) or len(g) > 1
    return [{"order": i, "groupingId": g, "resultsByGroup": by_group} for i, (g, by_group) in enumerate(seen.items(), start=1)]


def category_id(categorization: str, value: str) -> str:
    return f"Cat_{categorization}_{sets.slug(value)}"


def categorizations(rows: list[dict]) -> list[dict]:
    """Two categorizations of the analyses: the report block, and ard.csv's context (the kind of analysis)."""
    found = []
    for name, label, column in (("block", "Report block", "block"), ("context", "Kind of analysis (ard.csv context)", "context")):
        values = list(dict.fromkeys(r[column] for r in rows))
        found.append({"id": f"Catn_{name}", "label": label,
                      "categories": [{"id": category_id(name, v), "label": v} for v in values]})
    return found
