"""The text of the scaffold `trial.toml` (`trialreport init`): every section a report needs,
each with a comment saying what it is for; the values read from the data
(report.inputs.scaffold); and a TODO value (report.inputs.spec_todo), with a TODO comment,
for each key the data cannot answer. The text is the same for the same data (no date in it).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from .scaffold import Entry, Scaffold, todo
from .spec_todo import is_todo

HEADER = """\
# The trial spec, written by `trialreport init` from the data in {source}.
# What the data could say is filled in; every value beginning with TODO is yours to write
# (`trialreport validate` lists them, with their keys). Commented-out keys are optional.
# Every key is described in the README, under "Input".
"""


def toml_value(value: object) -> str:
    """A TOML value: strings in basic form (JSON's escapes are TOML's), lists inline."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_value(str(k))} = {toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")  # TOML refuses a raw DEL


def _todo_in(value: object) -> bool:
    return is_todo(value) or (isinstance(value, list) and any(is_todo(v) for v in value))


def _lines(entries: list[Entry]) -> list[str]:
    lines = []
    for key, value, comment in entries:
        if _todo_in(value):
            lines.append(f"# TODO: fill in{': ' + comment if comment else ''}")
        elif comment:
            lines.append(f"# {comment}")
        lines.append(f"{key} = {toml_value(value)}")
    return lines


def _section(name: str, about: str, entries: list[Entry], optional: tuple[str, ...] = (), array: bool = False) -> list[str]:
    head = f"[[{name}]]" if array else f"[{name}]"
    return ["", *(f"# {line}" for line in about.splitlines() if about), head, *_lines(entries), *optional]


def data_path(data_dir: Path, trial_dir: Path) -> str:
    """The data folder as `[source] path` says it: relative to the trial folder."""
    relative = os.path.relpath(data_dir.resolve(), trial_dir.resolve())
    return Path(relative).as_posix()


def spec_text(s: Scaffold, trial_dir: Path) -> str:
    parts = [HEADER.format(source=s.data_dir).rstrip("\n")]
    parts += _trial(s) + _study() + _analysis(s) + _next_steps() + _source(s, trial_dir)
    if s.kind == "adam":
        parts += _adam(s)
    parts += _abstract() + _dsmb()
    return "\n".join(parts) + "\n"


def _trial(s: Scaffold) -> list[str]:
    return _section("trial", "The trial: the masthead of every report.", [
        ("id", s.trial_id, "a short id (letters, digits, '.', '_', '-'): the folder of the bundles"
         + (", from ADSL's STUDYID" if not is_todo(s.trial_id) else "")),
        ("title", todo("the trial's full title"), "the full title, as on the protocol"),
        ("data_cutoff", todo("the data cutoff date, written YYYY-MM-DD without quotes"),
         "the data cutoff (YYYY-MM-DD, no quotes): nothing dated after it is counted; "
         "delete the line to use the last date in the data"),
    ], ('# short_title = ""   # a shorter title for running heads',
        '# nct_id = "NCT00000000"', '# phase = "Phase 2"', '# sponsor = ""', '# design = ""',
        '# authors = [{ name = "", affiliation = "" }]'))


def _study() -> list[str]:
    return _section("study", "The Study section: who was treated, why, and how.", [
        ("population", todo("the population, in a sentence (e.g. Adults aged 65 or older with ...)"),
         "the patients enrolled, in a sentence"),
        ("background", todo("the background: why the trial was done, in a few sentences"), "why the trial was done"),
    ], ('# rationale = ""', "# treatment = []   # one line per treatment phase or arm",
        '# endpoints = ""   # the primary and secondary endpoints, in words',
        '# response_definitions = [{ code = "CR", label = "Complete response", definition = "" }]'))


def _analysis(s: Scaffold) -> list[str]:
    entries: list[Entry] = [
        ("time_unit", "months", "the unit of times in tables and figures: days, weeks, months or years"),
        ("landmarks", [6, 12], "survival rates are given at these times (in time_unit)"),
    ]
    if s.arms:
        entries.append(("arms", s.arms, "the arms found in the data, sorted: the first is the reference arm of "
                                        "every comparison; put the control arm first"))
    optional = []
    if s.response_codes is not None:
        entries.append(("responders", [todo("the best-response codes that count as response, of "
                                            + ", ".join(s.response_codes))],
                        "the best-response codes that count as response (e.g. CR and PR)"))
        entries.append(("response_categories", s.response_codes,
                        "the best-response codes found in the data, in table order (reorder them as you wish)"))
    else:
        optional.append("# (response not collected: no responders to name)")
    if s.strata:
        optional.append(f"# strata = {toml_value(s.strata)}   # stratification factors found in ADSL, if the design stratified by them")
    lines = _section("analysis", "How the numbers are computed.", entries, tuple(optional))
    if s.labs_tests:
        lines += _section("analysis.labs", "The laboratory shift table: the tests, in this order.",
                          [("tests", s.labs_tests, "every test the data hold, in the order found")])
    if s.kind == "tidy":
        for endpoint in s.endpoints:
            lines += _section("analysis.endpoints", "A time-to-event endpoint of the endpoints file.", endpoint, array=True)
        if s.extra_columns:
            lines.append(f"# Further subject columns that [analysis.demographics] could summarise: {', '.join(s.extra_columns)}")
    elif s.demographics:
        lines += _section("analysis.demographics", "The demographic table (DMT01): ADSL's demographic variables found.", [])
        for variable in s.demographics:
            lines += _section("analysis.demographics.variables", "", variable, array=True)
    return lines


def _next_steps() -> list[str]:
    return _section("next_steps", "The Next steps section: the investigators' plans, one paragraph each.",
                    [("text", [todo("the investigators' plans, one paragraph per string")], "")])


def _source(s: Scaffold, trial_dir: Path) -> list[str]:
    return _section("source", "Where the data are: the folder, relative to this file.", [
        ("kind", s.kind, "tidy CSV files or CDISC ADaM datasets"),
        ("path", data_path(s.data_dir, trial_dir), ""),
        *s.source,
    ])


def _adam(s: Scaffold) -> list[str]:
    lines = _section("adam", "Where the ADaM variables are (the variables found; defaults follow the ADaM IG).", s.adam)
    if s.endpoints:
        lines += ["", "# ADTTE's time-to-event parameters, in the order found: the report lists them in this order,",
                  "# so put the primary endpoint first (name: the ledger key; label: default PARAM)."]
    for endpoint in s.endpoints:
        lines += _section("adam.endpoints", f"{endpoint[0][2]}.",
                          [(k, v, c if k != "paramcd" else "") for k, v, c in endpoint], array=True)
    about = {"response": "ADRS: the best overall response.", "adverse_events": "ADAE: the adverse events.",
             "exposure": "ADEX: exposure by cycle.", "labs": "ADLB: laboratory results graded by CTCAE."}
    for name, entries in s.adam_tables.items():
        lines += _section(f"adam.{name}", about[name], entries)
    return lines


def _abstract() -> list[str]:
    return _section("abstract", "The conference abstract (trialreport build --kind abstract).", [
        ("meeting", "custom", "the meeting's counting rules: ash, asco, eha or custom"),
        ("conclusion", todo("the authors' conclusion, in a sentence or two"), "the authors' framing of the results"),
    ], ('# title = ""        # default: the trial\'s title', '# background = ""   # default: the study background'))


def _dsmb() -> list[str]:
    return ["", "# The DSMB reports (trialreport build --kind dsmb): optional; uncomment what applies.",
            "# [dsmb]", '# prepared_by = ""', '# status = ""   # the study status, in a paragraph',
            "# planned_accrual = 100", "# [dsmb.recipients]", '# open = ["investigators@example.org"]',
            '# closed = ["dsmb-chair@example.org"]']
