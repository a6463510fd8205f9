"""The scaffold of a trial spec from ADaM datasets (report.inputs.scaffold): each dataset found
by its file name, its variables from the header (pyreadstat's metadata only), and the values
of the few variables the spec lists (the arms, STUDYID, PARAMCD, the response codes). Each
variable recognised is mapped onto its `[adam]` key; what the datasets cannot say is a TODO.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem
from .adam_datasets import as_date, find_dataset
from .scaffold import Entry, Scaffold, in_order, response_order, todo

ADAM_NAMES = ("adsl", "adtte", "adrs", "adae", "adex", "adlb")
TIME_UNITS = {"DAY", "DAYS", "WEEK", "WEEKS", "MONTH", "MONTHS", "YEAR", "YEARS"}  # report.inputs.adam.UNITS
ARM_VARIABLES = ("TRT01A", "TRT01P", "ACTARM", "ARM")
EFFICACY_FLAGS = ("ITTFL", "FASFL", "EFFFL")
START_VARIABLES = ("RANDDT", "TRTSDT")
ORIGINS = {"RANDDT": "randomization", "TRTSDT": "first dose"}
DEMOGRAPHICS = (("AGE", "Age (years)", "continuous"), ("SEX", "Sex", "categorical"),
                ("RACE", "Race", "categorical"), ("ETHNIC", "Ethnicity", "categorical"))
# Optional ADSL variables: the [adam] key, the default variable, what is not collected without it.
ADSL_OPTIONAL = (("death_date", "DTHDT", "dates of death"), ("death_cause", "DTHCAUS", "causes of death"),
                 ("last_alive", "LSTALVDT", "last date known alive (the date of death is used)"),
                 ("study_status", "EOSSTT", "end-of-study status"),
                 ("discontinued_reason", "DCSREAS", "reasons for discontinuation"),
                 ("study_end", "EOSDT", "end-of-study dates"))
ADAE_OPTIONAL = (("serious", "AESER", "seriousness"), ("related", "AEREL", "relatedness"),
                 ("action", "AEACN", "action taken"), ("fatal", "AESDTH", "fatal outcome"),
                 ("onset", ("ASTDT", "ASTDTM"), "onset dates"))
SEX_LABELS = {"M": "Male", "F": "Female", "U": "Unknown", "UNDIFFERENTIATED": "Undifferentiated"}
MODIFICATIONS = {"interrupted", "reduced", "delayed", "none"}  # report.inputs.adam_exposure's action words


class _Reader:
    """One dataset: its variables from the header, the values of a few read on demand."""

    def __init__(self, path: Path):
        self.path, self.name = path, path.stem.upper()
        self.columns = self._read(_header, path)

    def _read(self, reader, *args):
        try:
            return reader(*args)
        except Exception as exc:  # noqa: BLE001 - any reader failure is a problem with this file
            raise InputError(Problem(self.path.name, f"cannot be read as a dataset: {exc}")) from None

    def has(self, variable: str) -> bool:
        return variable in self.columns

    def first(self, candidates) -> str | None:
        return next((v for v in candidates if self.has(v)), None)

    def values(self, *variables: str) -> pd.DataFrame:
        return self._read(_values, self.path, [v for v in variables if self.has(v)])


def _header(path: Path) -> list[str]:
    suffix = path.suffix.lower()
    if suffix in (".xpt", ".sas7bdat"):
        import pyreadstat

        reader = pyreadstat.read_xport if suffix == ".xpt" else pyreadstat.read_sas7bdat
        meta = reader(str(path), metadataonly=True)[1]
        return [c.upper() for c in meta.column_names]
    if suffix == ".csv":
        return [str(c).upper() for c in pd.read_csv(path, nrows=0).columns]
    import pyarrow.parquet as pq

    return [c.upper() for c in pq.read_schema(path).names]


def _values(path: Path, variables: list[str]) -> pd.DataFrame:
    """The named variables' values (names upper case); nothing else is read."""
    if not variables:
        return pd.DataFrame()
    suffix = path.suffix.lower()
    if suffix in (".xpt", ".sas7bdat"):
        import pyreadstat

        reader = pyreadstat.read_xport if suffix == ".xpt" else pyreadstat.read_sas7bdat
        names = reader(str(path), metadataonly=True)[1].column_names
        frame = reader(str(path), usecols=[c for c in names if c.upper() in variables])[0]
    elif suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=lambda c: str(c).upper() in variables)
    else:
        import pyarrow.parquet as pq

        names = pq.read_schema(path).names
        frame = pd.read_parquet(path, columns=[c for c in names if c.upper() in variables])
    frame.columns = [str(c).upper() for c in frame.columns]
    return frame


def adam_scaffold(path: Path) -> Scaffold:
    found = {name: _Reader(p) for name in ADAM_NAMES if (p := find_dataset(path, name)) is not None}
    s = Scaffold("adam", path)
    for name, reader in found.items():
        s.datasets.append(f"{reader.path.name}: {name.upper()}, {len(reader.columns)} variables")
    for name in ADAM_NAMES[1:]:
        if name not in found:
            s.notes.append(f"no {name.upper()} ({name}.xpt or .sas7bdat): {_WITHOUT[name]}")
    adsl = found["adsl"]
    start = _adsl(adsl, s)
    if "adtte" in found:
        _adtte(found["adtte"], adsl, start, s)
    if "adrs" in found:
        _adrs(found["adrs"], s)
    if "adae" in found:
        _adae(found["adae"], s)
    if "adex" in found:
        _adex(found["adex"], s)
    if "adlb" in found:
        _adlb(found["adlb"], s)
    return s


_WITHOUT = {"adtte": "only overall survival from ADSL's dates, if any", "adrs": "response not collected",
            "adae": "adverse events not collected", "adex": "exposure not collected",
            "adlb": "laboratory results not collected"}


def _map(s: Scaffold, entries: list[Entry], section: str, key: str, value: object, comment: str) -> None:
    entries.append((key, value, comment))
    if not (isinstance(value, str) and value.startswith("TODO")):
        s.mapped.append(f"[{section}] {key} = {value}")


def _adsl(adsl: _Reader, s: Scaffold) -> list[str]:
    """The [adam] keys ADSL answers; the start variables present."""
    arm = adsl.first(ARM_VARIABLES)
    efficacy = adsl.first(EFFICACY_FLAGS)
    start = [v for v in START_VARIABLES if adsl.has(v)]
    values = adsl.values("STUDYID", *(v for v in [arm] if v))
    studies = in_order(values["STUDYID"]) if "STUDYID" in values else []
    s.trial_id = (studies[0] if len(studies) == 1 and _id_like(studies[0])
                  else todo("a short trial id, letters, digits, '.', '_' or '-'"
                            + (f" (ADSL's STUDYID: {', '.join(studies[:3])})" if studies else "")))
    if isinstance(s.trial_id, str) and not s.trial_id.startswith("TODO"):
        s.mapped.append(f"[trial] id = {s.trial_id} (ADSL STUDYID)")
    _map(s, s.adam, "adam", "subject", "USUBJID" if adsl.has("USUBJID") else todo("ADSL's subject id variable"),
         "the subject id in every dataset")
    _map(s, s.adam, "adam", "arm", arm or todo(f"ADSL's arm variable (none of {', '.join(ARM_VARIABLES)} found)"),
         "the arm of each patient: the first of " + ", ".join(ARM_VARIABLES) + " in ADSL")
    _map(s, s.adam, "adam", "efficacy_flag",
         efficacy or todo(f"ADSL's efficacy population flag (Y); none of {', '.join(EFFICACY_FLAGS)} found"),
         "population flags (Y): efficacy (the first of " + ", ".join(EFFICACY_FLAGS) + ") and safety")
    _map(s, s.adam, "adam", "safety_flag", "SAFFL" if adsl.has("SAFFL") else todo("ADSL's safety population flag (Y)"), "")
    if adsl.has("ITTFL"):
        _map(s, s.adam, "adam", "itt_flag", "ITTFL", "the intent-to-treat population of the demographic table")
    _map(s, s.adam, "adam", "start", start or [todo(f"ADSL's time zero date variable ({' or '.join(START_VARIABLES)} not found)")],
         "time zero and enrollment date: the first present")
    for key, variable, what in ADSL_OPTIONAL:
        if adsl.has(variable):
            _map(s, s.adam, "adam", key, variable, "")
        else:
            s.notes.append(f"ADSL has no {variable}: {what} not collected")
    if arm:
        s.arms = sorted(in_order(values[arm]))
    s.demographics = [[("column", v, ""), ("label", label, ""), ("kind", kind, "")]
                      for v, label, kind in DEMOGRAPHICS if adsl.has(v)]
    sexes = in_order(adsl.values("SEX")["SEX"]) if adsl.has("SEX") else []
    if sexes and set(sexes) <= set(SEX_LABELS):  # CDISC controlled terminology (C66731)
        variable = next(v for v in s.demographics if v[0][1] == "SEX")
        variable += [("levels", [c for c in SEX_LABELS if c in sexes], ""),
                     ("labels", {c: SEX_LABELS[c] for c in SEX_LABELS if c in sexes}, "")]
    s.strata = [c for c in adsl.columns if c.startswith("STRATA")]
    return start


def _id_like(value: str) -> bool:
    import re

    return re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value) is not None


def _adtte(adtte: _Reader, adsl: _Reader, start: list[str], s: Scaffold) -> None:
    if not adtte.has("AVALU"):
        _map(s, s.adam, "adam", "aval_unit", todo("the unit of ADTTE's AVAL: days, weeks, months or years (ADTTE has no AVALU)"),
             "ADTTE has no AVALU")
    records = adtte.values("USUBJID", "PARAMCD", "PARAM", "AVALU", "STARTDT")
    if "PARAMCD" not in records:
        s.notes.append("ADTTE has no PARAMCD: no endpoints mapped")
        return
    origins = _origins(records, adsl.values("USUBJID", *start) if start else pd.DataFrame(), start)
    for paramcd in in_order(records["PARAMCD"]):
        rows = records[records["PARAMCD"].astype(str).str.strip() == paramcd]
        units = {str(u).strip().upper() for u in rows.get("AVALU", pd.Series(dtype=object))}
        if "AVALU" in rows and not units & TIME_UNITS:
            s.notes.append(f"ADTTE's {paramcd} is not in a time unit (AVALU {', '.join(sorted(units))}): left out")
            continue
        label = in_order(rows["PARAM"])[0] if "PARAM" in rows and in_order(rows["PARAM"]) else paramcd
        why = ("ADTTE's STARTDT is not ADSL's " + " or ".join(start or START_VARIABLES) if "STARTDT" in records
               else "ADTTE has no STARTDT to compare with ADSL's start")
        origin = origins.get(paramcd) or todo(f"time zero of {paramcd}, e.g. randomization or first dose ({why})")
        s.endpoints.append([("paramcd", paramcd, label), ("name", paramcd.lower(), ""), ("origin", origin, "")])
        s.mapped.append(f"[[adam.endpoints]] paramcd = {paramcd} ({label})")


def _origins(records: pd.DataFrame, adsl: pd.DataFrame, start: list[str]) -> dict[str, str]:
    """Per PARAMCD, the ADSL start variable ADTTE's STARTDT equals for every record."""
    if "STARTDT" not in records or "USUBJID" not in records or "USUBJID" not in adsl:
        return {}
    found = {}
    for variable in start:
        when = dict(zip(adsl["USUBJID"], adsl[variable].map(as_date)))
        same = records["STARTDT"].map(as_date) == records["USUBJID"].map(when)
        for paramcd in in_order(records["PARAMCD"]):
            if paramcd not in found and same[records["PARAMCD"].astype(str).str.strip() == paramcd].all():
                found[paramcd] = ORIGINS[variable]
    return found


def _adrs(adrs: _Reader, s: Scaffold) -> None:
    records = adrs.values("PARAMCD", "PARAM", "AVALC")
    if "PARAMCD" not in records or "AVALC" not in records:
        s.notes.append("ADRS has no PARAMCD or AVALC: response not mapped")
        return
    params = in_order(records["PARAMCD"])
    best = [p for p in params if "BEST" in " ".join(in_order(records.loc[records["PARAMCD"] == p, "PARAM"])).upper()]
    chosen = params[0] if len(params) == 1 else best[0] if len(best) == 1 else None
    why = ("its only parameter" if len(params) == 1 else "the one parameter whose PARAM says best") if chosen else ""
    table = s.adam_tables.setdefault("response", [])
    _map(s, table, "adam.response", "paramcd",
         chosen or todo(f"ADRS's best-response parameter, one of {', '.join(params)}"),
         f"ADRS's best overall response ({why}); its AVALC is each patient's best response" if chosen else
         f"ADRS's parameters: {', '.join(params)}")
    if chosen:
        s.response_codes = response_order(in_order(records.loc[records["PARAMCD"] == chosen, "AVALC"]))


def _adae(adae: _Reader, s: Scaffold) -> None:
    table = s.adam_tables.setdefault("adverse_events", [])
    for key, variable, hint in (("term", "AEDECOD", "ADAE's preferred term variable"),
                                ("soc", "AEBODSYS", "ADAE's system organ class variable"),
                                ("treatment_emergent", "TRTEMFL", "ADAE's treatment-emergent flag (Y)")):
        _map(s, table, "adam.adverse_events", key, variable if adae.has(variable) else todo(f"{hint} ({variable} not found)"), "")
    if adae.has("AETOXGR"):
        _map(s, table, "adam.adverse_events", "grade", "AETOXGR", "CTCAE grade")
    elif adae.has("AESEV"):
        _map(s, table, "adam.adverse_events", "severity", "AESEV",
             "no AETOXGR: grades are severities (MILD 1, MODERATE 2, SEVERE 3; severity_scale)")
    else:
        _map(s, table, "adam.adverse_events", "grade", todo("ADAE's grade variable (neither AETOXGR nor AESEV found)"), "")
    for key, variables, what in ADAE_OPTIONAL:
        variable = adae.first(variables if isinstance(variables, tuple) else (variables,))
        if variable == "ASTDTM":
            s.mapped.append("[adam.adverse_events] onset: ASTDTM (read where ADAE has no ASTDT)")
        elif variable:
            _map(s, table, "adam.adverse_events", key, variable, "")
        else:
            s.notes.append(f"ADAE has no {' or '.join(variables) if isinstance(variables, tuple) else variables}: "
                           f"{what} not collected")


def _adex(adex: _Reader, s: Scaffold) -> None:
    table = s.adam_tables.setdefault("exposure", [])
    _map(s, table, "adam.exposure", "cycle", "AVISITN" if adex.has("AVISITN") else todo("ADEX's cycle number variable"), "")
    starts = [v for v in ("ASTDT", "EXSTDTC") if adex.has(v)]
    _map(s, table, "adam.exposure", "start", starts or [todo("ADEX's start date variable")], "the first present")
    for key, candidates in (("end", ("AENDT", "EXENDTC")), ("dose", ("EXDOSE", "AVAL"))):
        present = [v for v in candidates if adex.has(v)]
        if present:
            _map(s, table, "adam.exposure", key, present, "")
        else:
            s.notes.append(f"ADEX has none of {', '.join(candidates)}: {key} not collected")
    if adex.has("EXPLDOS"):
        _map(s, table, "adam.exposure", "planned_dose", "EXPLDOS", "")
    action = _action_variable(adex)
    if action:
        _map(s, table, "adam.exposure", "action", action,
             "dose modifications: its values are interrupted, reduced, delayed (';'-separated) or none")
    else:
        s.notes.append("ADEX has no variable of dose modifications (interrupted, reduced, delayed): not collected")


def _action_variable(adex: _Reader) -> str | None:
    """The ADEX variable whose every value is empty or dose modifications, if exactly one."""
    standard = {"USUBJID", "STUDYID", "AVISIT", "AVISITN", "ASTDT", "AENDT", "EXDOSE", "EXPLDOS", "EXDOSU",
                "EXTRT", "PARAMCD", "PARAM", "AVAL", "AVALC", "EXSTDTC", "EXENDTC"}
    candidates = [c for c in adex.columns if c not in standard and not c.startswith(("TRT", "ARM"))]
    frame = adex.values(*candidates)
    found = []
    for column in frame.columns:
        words = {w.strip().lower() for v in frame[column] if isinstance(v, str) for w in v.split(";") if w.strip()}
        if words and words <= MODIFICATIONS and words - {"none"}:
            found.append(column)
    return found[0] if len(found) == 1 else None


def _adlb(adlb: _Reader, s: Scaffold) -> None:
    if not adlb.has("ATOXGR"):
        s.notes.append("ADLB has no ATOXGR: not CTCAE-graded, laboratory results not collected")
        return
    table = s.adam_tables.setdefault("labs", [])
    for key, variable in (("test", "PARAMCD"), ("label", "PARAM"), ("grade", "ATOXGR"), ("date", "ADT"),
                          ("baseline_flag", "ABLFL"), ("post_baseline", "ONTRTFL")):
        if adlb.has(variable):
            _map(s, table, "adam.labs", key, variable, "")
    if "PARAMCD" in adlb.columns:
        s.labs_tests = in_order(adlb.values("PARAMCD")["PARAMCD"])
