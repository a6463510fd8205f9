"""The ReportingEvent's analysis sets, data subsets and groupings, as where-clauses over the
source's variables: ADaM names for ADaM input (`ADSL.SAFFL EQ 'Y'`), the tidy files' own
columns for tidy input (`subjects.treated EQ 'true'`), from the ledger's `methods.variables`.

A population the ledger names by the pipeline's own column (`efficacy`, `safety`, `itt`) is
derived, not read: tidy input's efficacy population is the eligible and treated patients, its
safety population the treated, and its intent-to-treat population every patient enrolled
(report.inputs.derive, report.inputs.tidy).
"""
from __future__ import annotations

import re

from ...layout.ard import source_name
from .vocabulary import AE_BLOCKS

POPULATIONS = {"enrolled": "All patients enrolled", "efficacy": "Efficacy population", "safety": "Safety population",
               "itt": "Intent-to-treat population"}
# The population of each block's figures (demographics: its part's own; baseline counts: every patient enrolled).
BLOCK_POPULATIONS = {
    "baseline": "efficacy", "results": "efficacy", "tte_summary": "efficacy", "duration_of_response": "efficacy",
    "cumulative_incidence": "efficacy", "forest": "efficacy", "swimmer": "efficacy", "waterfall": "efficacy",
    "safety": "safety", "deaths": "safety", "exposure": "safety", "labs_shift": "safety", **dict.fromkeys(AE_BLOCKS, "safety"),
    "disposition": "enrolled", "status": "enrolled",
}
AE_CONTEXTS = frozenset({"safety_overview", "worst_grade", "hierarchical", "hierarchical_worst_grade", "leading_grade_3_plus"})
TEAE = "Dss_TEAE"
SUBJECT_BLOCKS = frozenset({"baseline", "demographics", "disposition"})  # one record per patient (ADSL, subjects.csv)


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "x"


def is_adam(ledger: dict) -> bool:
    """ADaM input: the efficacy population is an ADSL flag, not the pipeline's derived column."""
    return source_name(ledger, "efficacy") != "efficacy"


def subjects_dataset(ledger: dict) -> str:
    return "ADSL" if is_adam(ledger) else "subjects"


def events_dataset(ledger: dict) -> str:
    return "ADAE" if is_adam(ledger) else "adverse_events"


def condition(dataset: str, variable: str, value: str, comparator: str = "EQ") -> dict:
    return {"dataset": dataset, "variable": variable, "comparator": comparator, "value": [value]}


def population_of(row: dict, ledger: dict) -> str | None:
    """The population of a row's figures; None for a block this table does not know."""
    if row["block"] == "demographics":
        return (ledger.get("demographics") or {}).get("population") or "enrolled"
    if row["block"] == "baseline" and row["context"] == "count":
        return "enrolled"
    return BLOCK_POPULATIONS.get(row["block"])


def analysis_set(name: str, order: int, ledger: dict) -> dict:
    """One population as an AnalysisSet: its where-clause over the source's variables."""
    found = {"id": f"AnalysisSet_{name}", "name": POPULATIONS[name], "level": 1, "order": order}
    phrase = (ledger.get("methods") or {}).get("populations", {}).get(name)
    dataset = subjects_dataset(ledger)
    if name == "enrolled":
        return {**found, "description": f"Every patient enrolled (every record of {dataset})."}
    flag = source_name(ledger, name)
    if flag != name:  # a flag of the source (ADaM)
        described = f"Patients who {phrase}." if phrase else f"Patients with {flag} = 'Y'."
        return {**found, "description": described, "condition": condition(dataset, flag, "Y")}
    if name == "itt":
        return {**found, "description": "Every patient enrolled (tidy input)."}
    if name == "safety":
        return {**found, "description": f"Patients who {phrase or 'received treatment'}.",
                "condition": condition(dataset, source_name(ledger, "treated"), "true")}
    clauses = [{"level": 2, "order": i, "condition": condition(dataset, source_name(ledger, column), "true")}
               for i, column in enumerate(("eligible", "treated"), start=1)]
    return {**found, "description": f"Patients who {phrase or 'were eligible and treated'}.",
            "compoundExpression": {"logicalOperator": "AND", "whereClauses": clauses}}


def analysis_sets(names: list[str], ledger: dict) -> list[dict]:
    return [analysis_set(name, order, ledger) for order, name in enumerate(names, start=1)]


def is_event_row(row: dict) -> bool:
    """A figure counted from the adverse-event records."""
    return row["block"] in AE_BLOCKS or (row["block"] == "safety" and row["context"] in AE_CONTEXTS)


def data_subsets(ledger: dict) -> list[dict]:
    """The adverse events counted: the treatment-emergent records where the source flags them
    (ADaM `[adam.adverse_events] treatment_emergent`), else every record."""
    flag = source_name(ledger, "treatment_emergent")
    dataset = events_dataset(ledger)
    if flag != "treatment_emergent":
        return [{"id": TEAE, "name": "Treatment-emergent adverse events", "level": 1, "order": 1,
                 "condition": condition(dataset, flag, "Y")}]
    return [{"id": TEAE, "name": "Adverse events", "level": 1, "order": 1,
             "description": f"Every record of {dataset} (the source does not flag treatment-emergent events)."}]


def treatment_grouping(ledger: dict, grouping_id: str, variable: str) -> dict:
    """The arms, in the ledger's order (the reference first), each a where-clause on the arm variable."""
    dataset = subjects_dataset(ledger)
    groups = [{"id": f"{grouping_id}_{order}", "name": arm, "level": 1, "order": order,
               "condition": condition(dataset, variable, arm)}
              for order, arm in enumerate(ledger.get("arms") or (), start=1)]
    return {"id": grouping_id, "name": "Treatment", "label": variable, "dataDriven": False,
            "groupingDataset": dataset, "groupingVariable": variable, "groups": groups}


ROLE_NAMES = {"category": "{}", "time": "{}: time point", "quantile": "{}: quantile", "test": "{}: test or comparison"}


def level_grouping(grouping_id: str, variable: str, role: str) -> dict:
    """A data-driven grouping: its results name the level (`groupValue`) as ard.csv's variable_level."""
    name = ROLE_NAMES[role].format(variable or "overall")
    described = {"category": "Each level of the variable, as the report labels it.",
                 "time": "Each time at which an estimate is given, in the report's time unit.",
                 "quantile": "Each quantile (probability) of the time to event.",
                 "test": "Each test or comparison of arms, as ard.csv's variable_level names it."}[role]
    found = {"id": grouping_id, "name": name, "description": described, "dataDriven": True}
    return {**found, "groupingVariable": variable} if variable else found
