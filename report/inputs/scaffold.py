"""`trialreport init --from PATH`: what a data folder holds, read for the scaffold of a trial
spec (report.inputs.scaffold_toml writes it). Tidy CSV files are recognised by their columns
(report.inputs.tidy's names), ADaM datasets by their file names (adsl, adtte, adrs, adae,
adex, adlb). Headers are read, and only the few columns whose values the spec lists (arms,
response codes, parameters, tests). What cannot be read from the data is left as a TODO
value (report.inputs.spec_todo), never guessed.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem

# A key's value and the comment written above it.
Entry = tuple[str, object, str]

# Tidy roles: the default file name, the [source] key, and the columns that mark such a file.
TIDY_ROLES = {
    "subjects": ("subjects.csv", {"subject_id", "enrolled_on", "best_response", "died_on", "last_contact_on"}),
    "adverse_events": ("adverse_events.csv", {"subject_id", "term", "grade"}),
    "labs": ("labs.csv", {"subject_id", "test", "collected_on", "grade"}),
    "exposure": ("exposure.csv", {"subject_id", "cycle", "start_on"}),
    "endpoints": ("endpoints.csv", {"subject_id", "endpoint", "event"}),
}
OPTIONAL_SUBJECT_COLUMNS = ("arm", "age", "sex", "eligible", "treated", "response_on", "response_cycle", "mrd",
                            "relapse_on", "death_cause", "off_study_on", "off_study_reason", "study_status",
                            "ineligible_reason", "best_change")
KNOWN_SUBJECT_COLUMNS = {"subject_id", "enrolled_on", "best_response", "died_on", "last_contact_on",
                         *OPTIONAL_SUBJECT_COLUMNS}
# Response codes in the order tables usually list them; codes not here follow, sorted.
RESPONSE_ORDER = ("CR", "CRi", "CRh", "CRc", "PR", "VGPR", "MR", "SD", "NR", "PD", "NE", "ND", "NA")
ENDPOINT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def todo(hint: str) -> str:
    """A value `validate` refuses, naming what to fill in."""
    return f"TODO: {hint}"


@dataclass
class Scaffold:
    """What the data say about a trial, as the spec's keys (values may be TODO markers)."""
    kind: str  # tidy | adam
    data_dir: Path
    datasets: list[str] = field(default_factory=list)  # "subjects.csv: 31 patients", for the user
    mapped: list[str] = field(default_factory=list)  # "[adam] arm = TRT01A", for the user
    notes: list[str] = field(default_factory=list)  # what was not found (not collected)
    trial_id: object = None  # the id, or a TODO
    arms: list[str] = field(default_factory=list)
    response_codes: list[str] | None = None  # None: response not collected
    source: list[Entry] = field(default_factory=list)  # [source] keys beyond kind and path
    adam: list[Entry] = field(default_factory=list)  # [adam] keys
    adam_tables: dict[str, list[Entry]] = field(default_factory=dict)  # [adam.response], [adam.exposure], ...
    endpoints: list[list[Entry]] = field(default_factory=list)  # [[adam.endpoints]] or [[analysis.endpoints]]
    labs_tests: list[str] = field(default_factory=list)
    demographics: list[list[Entry]] = field(default_factory=list)  # [[analysis.demographics.variables]]
    extra_columns: list[str] = field(default_factory=list)  # subject-level columns that could go in demographics
    strata: list[str] = field(default_factory=list)  # candidate stratification factors (a comment only)


def scaffold(path: Path) -> Scaffold:
    """What the folder holds, tidy or ADaM; InputError (exit 2) where it holds neither,
    naming what was looked for."""
    from .scaffold_adam import ADAM_NAMES, adam_scaffold
    from .adam_datasets import SUFFIXES, find_dataset

    if not path.is_dir():
        raise InputError(Problem(str(path), "not a folder: --from names the folder of the trial's data files"))
    roles = tidy_roles(path)
    if "subjects" in roles:
        return tidy_scaffold(path, roles)
    if find_dataset(path, "adsl") is not None:
        return adam_scaffold(path)
    adam_others = [n for n in ADAM_NAMES if find_dataset(path, n) is not None]
    looked = (f"a tidy subjects file (subjects.csv, or a CSV with the columns "
              f"{', '.join(sorted(TIDY_ROLES['subjects'][1]))}) or an ADaM ADSL (adsl{', adsl'.join(SUFFIXES)})")
    found = f"; found {', '.join(n.upper() for n in adam_others)} but no ADSL" if adam_others else ""
    raise InputError(Problem(str(path), f"no trial data recognised: looked for {looked}{found}"))


def tidy_roles(path: Path) -> dict[str, Path]:
    """Each tidy role's file: the default name where it is such a file, else the first CSV
    (by name) whose columns mark it."""
    headers = {p: csv_header(p) for p in sorted(path.iterdir()) if p.suffix.lower() == ".csv" and p.is_file()}
    roles: dict[str, Path] = {}
    for role, (default, marks) in TIDY_ROLES.items():
        matching = [p for p, header in headers.items() if marks <= header and p not in roles.values()]
        preferred = [p for p in matching if p.name == default]
        if preferred or matching:
            roles[role] = (preferred or matching)[0]
    return roles


def csv_header(path: Path) -> set[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return {c.strip().lower() for c in next(csv.reader(handle), [])}
    except (OSError, UnicodeDecodeError, csv.Error):
        return set()


def csv_columns(path: Path, columns: list[str]) -> pd.DataFrame:
    """The named columns (those present, by name in any case) as text, empty cells ""."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                            usecols=lambda c: c.strip().lower() in columns)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(Problem(path.name, f"cannot be read as CSV: {exc}")) from None
    frame.columns = [c.strip().lower() for c in frame.columns]
    return frame.apply(lambda s: s.str.strip())


def in_order(values) -> list[str]:
    """The distinct non-empty values, in the order they first appear."""
    return [v for v in dict.fromkeys(str(v).strip() for v in values if v is not None and not pd.isna(v)) if v]


def response_order(codes: list[str]) -> list[str]:
    known = [c for c in RESPONSE_ORDER if c in codes]
    return known + sorted(c for c in codes if c not in RESPONSE_ORDER)


def tidy_scaffold(path: Path, roles: dict[str, Path]) -> Scaffold:
    s = Scaffold("tidy", path, trial_id=todo("a short trial id, letters, digits, '.', '_' or '-' (e.g. S1318)"))
    subjects = roles["subjects"]
    header = csv_header(subjects)
    values = csv_columns(subjects, ["arm", "best_response"])
    s.datasets.append(f"{subjects.name}: subjects, {len(values)} patients")
    for role, file in roles.items():
        default = TIDY_ROLES[role][0]
        if role != "subjects":
            s.datasets.append(f"{file.name}: {role.replace('_', ' ')}")
        if file.name != default:
            s.source.append((role, file.name, f"the {role.replace('_', ' ')} file (found by its columns)"))
            s.mapped.append(f"[source] {role} = {file.name}")
    for role, (default, _) in TIDY_ROLES.items():
        if role not in roles and role != "subjects":
            s.notes.append(f"no {role.replace('_', ' ')} file ({default}): not collected")
    present = [c for c in OPTIONAL_SUBJECT_COLUMNS if c in header]
    absent = [c for c in OPTIONAL_SUBJECT_COLUMNS if c not in header]
    s.mapped.append(f"{subjects.name} columns read: {', '.join(sorted(KNOWN_SUBJECT_COLUMNS & header))}")
    if absent:
        s.notes.append(f"{subjects.name} has no {', '.join(absent)}: not collected")
    if "arm" in present:
        s.arms = sorted(in_order(values["arm"]))
    codes = in_order(values["best_response"]) if "best_response" in values else []
    s.response_codes = response_order(codes) if codes else None
    s.extra_columns = sorted(header - KNOWN_SUBJECT_COLUMNS)
    if "labs" in roles:
        s.labs_tests = in_order(csv_columns(roles["labs"], ["test"]).get("test", []))
    if "endpoints" in roles:
        s.endpoints = _tidy_endpoints(roles["endpoints"])
    return s


def _tidy_endpoints(file: Path) -> list[list[Entry]]:
    rows = csv_columns(file, ["endpoint", "event_type"])
    entries = []
    for name in in_order(rows["endpoint"]):
        types = in_order(rows.loc[rows["endpoint"] == name, "event_type"]) if "event_type" in rows else []
        valid = ENDPOINT_NAME.match(name) and name not in ("os", "dfs")
        entries.append([
            ("name", name if valid else todo(f"a key for {file.name}'s endpoint {name!r} (lower case, not os or dfs)"),
             f"{file.name}'s endpoint value"),
            ("label", todo(f"the label of endpoint {name!r}, e.g. Event-free survival"), "printed in tables and figures"),
            ("origin", todo(f"time zero of endpoint {name!r}, e.g. registration"), "as in 'months since registration'"),
            ("competing", [], f"event_type values that are competing events; the file has: {', '.join(types) or 'none'}"),
        ])
    return entries
