"""Exposure (EXT01): treatment received by the safety population, from the exposure rows (one
per patient and cycle or administration; report.inputs.tidy_exposure, ADaM ADEX).

- Cycles started: patients by their number of distinct cycles (1 to 9, then 10 or more),
  n (% of the safety population), and patients of it without an exposure record; cycles per patient summarised
  over patients with a record.
- Treatment duration, days: last end (its start where the end is empty or not collected)
  minus first start, plus one: R `as.numeric(max(end) - min(start)) + 1` per patient.
- Relative dose intensity: sum of doses over sum of planned doses per patient (records with
  both), R `sum(dose) / sum(planned_dose)`, shown as a percentage.
- Dose modifications: patients with any record interrupted, reduced or delayed, n (%).
Summaries are n, mean, SD, median, Q1, Q3 (R `quantile(type = 7)`), min, max
(report.stats.summary_statistics). None where exposure was not collected; each part None
where its column was not collected, never 0.

Where the rows name more than one treatment (`treatment`; empty: the protocol treatment),
cycles of different agents cannot be pooled: the part is a `Treatments`, the duration on any
treatment (first start of any to last end of any) and the figures above for each treatment
(`by_treatment`, in the order of first appearance in the rows by start date, then file
order; rows without a name are "Protocol treatment"). One treatment: an `Exposure`, as before.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from ...analysis.group import Group, Part, Reads
from ...analysis.ledger import Share
from ...inputs import derive
from ...inputs.tidy_exposure import ACTIONS, not_collected_name
from ...layout.ard import Stat, source_name
from ...layout.collected import NOT_COLLECTED
from ...layout.descriptive_rows import NotedTable, share_cells, share_stats, summary_rows, summary_stats
from ...layout.tables import TOTAL, ArmTable, Row
from ...stats.summary_statistics import Summary, summary
from ..block import Block, Context

NO_RECORD = "No exposure record"
NO_RECORD_OF = "No record of this treatment"
MANY_CYCLES = 10  # from this many cycles on, patients are counted together ("10+")
ANY = "any"


@dataclass(frozen=True)
class Exposure:
    n: int  # the safety population
    with_records: int  # of it, patients with at least one exposure record
    cycles: dict[str, Share]  # cycles started ("1" to "9", "10+") -> patients, ascending; "0": no record
    cycles_summary: Summary  # cycles per patient with a record
    duration_days: Summary  # first start to last end, inclusive
    duration_to: str  # "end": to the last end date; "start": end dates not collected, to the last start
    dose_intensity: Summary | None  # sum dose / sum planned dose per patient; None: not collected
    modifications: dict[str, Share] | None  # any, interrupted, reduced, delayed; None: not collected


@dataclass(frozen=True)
class Treatments:
    """The exposure of a group given several treatments."""
    n: int  # the safety population
    with_records: int  # of it, patients with an exposure record of any treatment
    duration_days: Summary  # first start of any treatment to the last end of any, inclusive
    duration_to: str  # as Exposure's
    by_treatment: dict[str, Exposure]  # each treatment's own figures, in the order of first start


def exposure(group: Group) -> Exposure | Treatments | None:
    """The exposure of one group's safety population (None: exposure not collected)."""
    if group.exposure is None:
        return None
    safety = derive.safety_population(group.subjects)
    n = len(safety)
    rows = group.exposure[group.exposure["subject_id"].isin(set(safety["subject_id"]))]
    if not group.treatments:
        return _exposure(rows, n, group.not_collected)
    to_end = not_collected_name("end_on") not in group.not_collected
    named = derive.treatment_names(rows)
    return Treatments(
        n=n,
        with_records=rows["subject_id"].nunique(),
        duration_days=summary(_durations(rows, to_end)),
        duration_to="end" if to_end else "start",
        by_treatment={name: _exposure(rows[named == name], n, group.not_collected, own=True) for name in group.treatments},
    )


def _exposure(rows: pd.DataFrame, n: int, absent: frozenset[str], own: bool = False) -> Exposure:
    """The figures of one treatment's rows (or of all, where there is one treatment). `own`:
    one of several treatments, whose dose intensity is not collected where none of its rows
    holds both a dose and a planned dose (POMP's four drugs have no single dose), and whose
    modifications are not collected where none of its rows records an action ("none" included)."""
    to_end = not_collected_name("end_on") not in absent
    per_patient = rows.groupby("subject_id", sort=True)
    counts = per_patient["cycle"].nunique()
    dosed = not_collected_name("dose") not in absent and not_collected_name("planned_dose") not in absent
    recorded = own and len(rows) > 0  # a treatment the group was not given has nothing not collected
    dosed = dosed and not (recorded and (rows["dose"].isna() | rows["planned_dose"].isna()).all())
    acted = not_collected_name("action") not in absent and not (recorded and rows["action"].isna().all())
    return Exposure(
        n=n,
        with_records=len(counts),
        cycles=_cycle_counts(counts, n),
        cycles_summary=summary(counts.tolist()),
        duration_days=summary(_durations(rows, to_end)),
        duration_to="end" if to_end else "start",
        dose_intensity=summary(_intensities(rows)) if dosed else None,
        modifications=_modifications(rows, n) if acted else None,
    )


def _cycle_counts(counts: pd.Series, n: int) -> dict[str, Share]:
    """Patients by cycles started: "1" to "9", then "10+" (ten or more), ascending; "0" first."""
    bands = counts.map(lambda c: str(int(c)) if c < MANY_CYCLES else f"{MANY_CYCLES}+")
    tally = bands.value_counts()
    shares = {band: Share.of(int(tally[band]), n) for band in sorted(tally.index, key=lambda b: int(b.rstrip("+")))}
    missing = n - len(counts)
    return {**({"0": Share.of(missing, n)} if missing else {}), **shares}


def _durations(rows: pd.DataFrame, to_end: bool) -> list[int]:
    """Each patient's days from the first start to the last end (or start), by patient id."""
    spans: dict[str, tuple] = {}
    ends = rows["end_on"] if to_end else rows["start_on"]
    for subject, start, end in zip(rows["subject_id"], rows["start_on"], ends):
        end = start if end is None or pd.isna(end) else end
        first, last = spans.get(subject, (start, end))
        spans[subject] = (min(first, start), max(last, end))
    return [(last - first).days + 1 for _, (first, last) in sorted(spans.items())]


def _intensities(rows: pd.DataFrame) -> list[float]:
    both = rows[rows["dose"].notna() & rows["planned_dose"].notna()]
    sums: dict[str, tuple[float, float]] = {}
    for subject, dose, planned in zip(both["subject_id"], both["dose"], both["planned_dose"]):
        given, due = sums.get(subject, (0, 0))  # added in the data's order, as sum() of each patient's column
        sums[subject] = (given + dose, due + planned)
    return [float(d) / float(p) for d, p in (sums[s] for s in sorted(sums)) if p > 0]


def _modifications(rows: pd.DataFrame, n: int) -> dict[str, Share]:
    acted = rows[rows["action"].notna()]
    patients = {action: set(acted.loc[acted["action"].str.split(";").map(lambda a, x=action: x in a), "subject_id"])
                for action in ACTIONS}
    return {ANY: Share.of(len(set().union(*patients.values())), n),
            **{action: Share.of(len(ids), n) for action, ids in patients.items()}}



# ------------------------------------------------------------------ layout


METHODS = ("SD: standard deviation (n \u2212 1 denominator); Q1, Q3: quartiles as R's quantile type 7. "
           "Cycles per patient and the summaries below it are of the patients with an exposure record.")
DURATION = {"end": "Treatment duration: days from the first start to the last end date of treatment, both counted "
                   "(last end \u2212 first start + 1; a record without an end date ends on its start).",
            "start": "Treatment duration: days from the first to the last start of a cycle, both counted (end dates "
                     "were not collected)."}
SEVERAL = ("SD: standard deviation (n \u2212 1 denominator); Q1, Q3: quartiles as R's quantile type 7. The data "
           "name several treatments, whose cycles are not pooled: each has its own band, of the patients with a "
           "record of it (cycles per patient and the summaries below it), in the order of their first start. "
           "Treatment duration on any treatment runs from the first start of any treatment to the last end of any.")
UNRECORDED = ("Where none of a treatment's records in a column holds a dose and a planned dose (or an action, "
              "\u201cnone\u201d included), its dose intensity (or dose modifications) shows \u201cNot collected\u201d "
              "there.")
INTENSITY = "Relative dose intensity: per patient, the sum of doses given over the sum of planned doses, in %."


def view(ledger: dict, context: Context | None = None) -> NotedTable:
    """The table and its note, which names the methods and what the data hold."""
    total = ledger["exposure"]
    if total is None:
        return NotedTable(table(ledger), "Exposure was not collected: the data hold no exposure records.")
    several = "by_treatment" in total
    parts = list(total["by_treatment"].values()) if several else [total]
    arms = [ledger["by_arm"][arm]["exposure"] for arm in ledger["arms"]]
    bands = [*parts, *(band for arm in arms if arm and "by_treatment" in arm for band in arm["by_treatment"].values())]
    note = ["Safety population; n (% of N) per column.", DURATION[total["duration_to"]], SEVERAL if several else METHODS]
    if any(part["dose_intensity"] is not None for part in parts):
        note.insert(2, INTENSITY)
    if several and any(band["dose_intensity"] is None or band["modifications"] is None for band in bands):
        note.append(UNRECORDED)
    return NotedTable(table(ledger), " ".join(note))


def table(ledger: dict, context: Context | None = None) -> ArmTable:
    """The exposure table: one column per arm (where there are arms), then the total; a band
    per treatment where the data name several."""
    groups = [(arm, ledger["by_arm"][arm]["exposure"]) for arm in ledger["arms"]] + [(TOTAL, ledger["exposure"])]
    total = ledger["exposure"]
    if total is None:
        rows = [Row("Exposure to treatment", tuple(NOT_COLLECTED for _ in groups), "group")]
    elif "by_treatment" in total:
        rows = summary_rows(groups, lambda p: p["duration_days"], "Treatment duration, any treatment, days",
                            extreme_digits=0)
        for name, part in total["by_treatment"].items():
            bands = [(column, None if p is None else p.get("by_treatment", {}).get(name)) for column, p in groups]
            rows += [Row(name, tuple("" for _ in groups), "group"), *map(_nested, _treatment_rows(bands, part, NO_RECORD_OF))]
    else:
        rows = _treatment_rows(groups, total)
    return ArmTable(
        columns=tuple(name for name, _ in groups),
        counts=tuple(f"N = {part['n']}" if part is not None else "" for _, part in groups),
        subcolumns=("",),
        rows=tuple(rows),
    )


def _treatment_rows(groups, total: dict, none: str = NO_RECORD) -> list[Row]:
    """The rows of one treatment's figures (of the only one: the whole table as before);
    `none` labels the patients without a record of it."""
    rows = _cycle_rows(groups, total, none)
    rows += summary_rows(groups, lambda p: p["cycles_summary"], "Cycles per patient", extreme_digits=0)
    rows += summary_rows(groups, lambda p: p["duration_days"], "Treatment duration, days", extreme_digits=0)
    rows += summary_rows(groups, lambda p: p["dose_intensity"], "Relative dose intensity, %", scale=100)
    return rows + _modification_rows(groups, total)


def _nested(row: Row) -> Row:
    """A row moved one level in, under its treatment's band."""
    return replace(row, kind={"group": "indent", "indent": "nested"}.get(row.kind, row.kind))


def _cycle_rows(groups, total: dict, none: str) -> list[Row]:
    rows = [Row("Cycles started, n (%)", tuple("" for _ in groups), "group")]
    for cycles in total["cycles"]:
        label = none if cycles == "0" else f"{MANY_CYCLES} or more" if cycles.endswith("+") else cycles
        rows.append(Row(label, share_cells(groups, lambda p, c=cycles: p["cycles"].get(c)), "indent"))
    return rows


def _modification_rows(groups, total: dict) -> list[Row]:
    if total["modifications"] is None:
        return [Row("Dose modifications", tuple(NOT_COLLECTED for _ in groups), "group")]
    labels = {ANY: "Any modification", **{a: a.capitalize() for a in ACTIONS}}
    # One of several treatments may record no action in one arm: "Not collected" in its column.
    acted = [(name, None if p is None or p["modifications"] is None else p) for name, p in groups]
    return [Row("Patients with dose modifications, n (%)", tuple("" for _ in groups), "group"),
            *(Row(label, share_cells(acted, lambda p, k=key: p["modifications"][k]), "indent")
              for key, label in labels.items())]


def ard(part: dict | None, ledger: dict) -> list[Stat]:
    """The exposure part's ard.csv rows for one group; where there are several treatments,
    each treatment's rows carry it as group2 (`treatment` as the source names it)."""
    if part is None:
        return []
    if "by_treatment" not in part:
        return _treatment_stats(part, ledger)
    stats = [_with_records(part), *summary_stats(part["duration_days"], "treatment_duration_days", digits=1)]
    name = source_name(ledger, "treatment")
    return stats + [replace(stat, group2=name, group2_level=level) for level, own in part["by_treatment"].items()
                    for stat in (_with_records(own), *_treatment_stats(own, ledger))]


def _with_records(part: dict) -> Stat:
    """Patients with an exposure record (of any treatment, or of the row's group2 treatment)."""
    return Stat("categorical", "n", part["with_records"], str(part["with_records"]), "exposure_record", "any")


def _treatment_stats(part: dict, ledger: dict) -> list[Stat]:
    cycle, action = source_name(ledger, "cycle"), source_name(ledger, "action")
    stats = [stat for level, share in part["cycles"].items() for stat in share_stats(share, part["n"], cycle, level)]
    stats += summary_stats(part["cycles_summary"], "cycles_per_patient")
    stats += summary_stats(part["duration_days"], "treatment_duration_days", digits=1)
    stats += summary_stats(part["dose_intensity"], "relative_dose_intensity", scale=100)
    for level, share in (part["modifications"] or {}).items():
        stats += share_stats(share, part["n"], action, level)
    return stats


BLOCK = Block(
    id="exposure",
    title="Exposure",
    keys=("exposure", "by_arm"),
    open_safe=False,
    partial="partials/exposure.html.j2",
    compute=Part(exposure, Reads(subjects=("safety",), exposure=("cycle", "start_on", "end_on", "dose", "planned_dose",
                                                                  "action", "treatment"), not_collected=True)),
    view=view,
    ard=ard,
)
