"""Deaths (DTHT01): every death in the safety population, by primary cause; within each
early-death window of the first treatment (of registration where exposure was not
collected); within `[analysis] deaths_after_last_dose_days` of the last dose and later
(where exposure was collected); on study and after going off study (where off-study dates
were collected); n (%) of the safety population, in a total column and one per arm.

The whole block in one module: its statistic (`deaths`, one group of patients in, a
frozen result out; the ledger's `deaths` and `by_arm.<arm>.deaths`), its layout (`table`,
the ledger in, a report.layout.tables.ArmTable out) and its declaration (`BLOCK`). Not
open-safe: a cause of death can reveal efficacy. A trial asks for it by id, e.g.
`[report.summary] blocks = [..., "deaths"]`.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ...analysis.group import Group, Part, Reads
from ...analysis.ledger import Share
from ...inputs import derive
from ...inputs.tidy_exposure import not_collected_name
from ...layout.ard import Stat, source_name
from ...layout.collected import NOT_COLLECTED
from ...layout.descriptive_rows import NotedTable, n_percent, share_stats
from ...layout.tables import TOTAL, ArmTable, Row
from ..block import Block, Context

NOT_RECORDED = "Cause not recorded"
NO_EXPOSURE = "Without an exposure record"


@dataclass(frozen=True)
class Deaths:
    """None in place of the whole part: the data hold no death date (not collected)."""
    n: int  # the safety population
    deaths: Share
    causes: dict[str, Share] | None  # by primary cause, most frequent first; None: causes not collected
    cause_not_recorded: Share | None  # deaths whose cause is empty; None: causes not collected
    within_days: dict[str, Share]  # days -> deaths on or before that day after `within_days_from`
    within_days_from: str  # "first treatment" (exposure collected) or "registration"
    last_dose_days: int  # the window after the last dose
    within_last_dose: Share | None  # deaths on or before that day after the last dose; None: exposure not collected
    beyond_last_dose: Share | None  # deaths later than that; None: exposure not collected
    without_exposure_record: Share | None  # deaths of patients without an exposure record; None: not collected
    on_study: Share | None  # deaths on or before the off-study date (or with none); None: off-study dates not collected
    off_study: Share | None  # deaths after the off-study date; None: off-study dates not collected


def deaths(group: Group) -> Deaths | None:
    """The deaths of one group's safety population."""
    if "died_on" in group.not_collected:
        return None
    population = derive.safety_population(group.subjects)
    n = len(population)
    dead = population[population["died_on"].notna()]
    first, last = _treatment_dates(group.exposure, set(dead["subject_id"]), group.not_collected)
    origins = dead["subject_id"].map(first) if group.exposure is not None else dead["enrolled_on"]
    days = _days(origins, dead["died_on"])
    after_last = _days(dead["subject_id"].map(last), dead["died_on"]) if group.exposure is not None else None
    window = group.options.deaths_after_last_dose_days
    collected = "death_cause" not in group.not_collected
    causes = _causes(dead["death_cause"]) if collected else None
    followed = "off_study_on" not in group.not_collected
    off = _days(dead["off_study_on"], dead["died_on"]) if followed else None
    return Deaths(
        n=n,
        deaths=Share.of(len(dead), n),
        causes={cause: Share.of(count, n) for cause, count in causes.items() if cause is not None} if collected else None,
        cause_not_recorded=Share.of(causes.get(None, 0), n) if collected else None,
        within_days={str(w): Share.of(int((days <= w).sum()), n) for w in group.options.early_death_days},
        within_days_from="first treatment" if group.exposure is not None else "enrollment",
        last_dose_days=window,
        within_last_dose=Share.of(int((after_last <= window).sum()), n) if after_last is not None else None,
        beyond_last_dose=Share.of(int((after_last > window).sum()), n) if after_last is not None else None,
        without_exposure_record=Share.of(int(after_last.isna().sum()), n) if after_last is not None else None,
        on_study=Share.of(int((off.isna() | (off <= 0)).sum()), n) if followed else None,
        off_study=Share.of(int((off > 0).sum()), n) if followed else None,
    )


def _treatment_dates(exposure: pd.DataFrame | None, ids: set, absent: frozenset[str]) -> tuple[dict, dict]:
    """Each patient's first start and last dose (the last end date; a record's start where its
    end is empty or end dates were not collected), of any treatment, by subject_id."""
    if exposure is None:
        return {}, {}
    rows = exposure[exposure["subject_id"].isin(ids)]
    ended = not_collected_name("end_on") not in absent
    ends = [e if ended and e is not None and not pd.isna(e) else s for s, e in zip(rows["start_on"], rows["end_on"])]
    first, last = {}, {}
    for subject, start, end in zip(rows["subject_id"], rows["start_on"], ends):
        first[subject] = min(first.get(subject, start), start)
        last[subject] = max(last.get(subject, end), end)
    return first, last


def _days(origins: pd.Series, dates: pd.Series) -> pd.Series:
    """Days from each origin to each date (NaN where the origin is missing)."""
    return pd.Series([(d - o).days if o is not None and not pd.isna(o) else float("nan")
                      for o, d in zip(origins, dates)], dtype="float64")


def _causes(causes: pd.Series) -> dict[str | None, int]:
    """Deaths by cause, most frequent first, then by name; None: no cause recorded (empty)."""
    counts: dict[str | None, int] = {}
    for cause in causes:
        named = None if cause is None or pd.isna(cause) else (str(cause).strip() or None)
        counts[named] = counts.get(named, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0] or "")))



def view(ledger: dict, context: Context | None = None) -> NotedTable:
    """The table and its note, which says from when the windows count."""
    total = ledger["deaths"]
    if total is None:
        return NotedTable(table(ledger), "Deaths were not collected: the data hold no death dates.")
    note = ["Patients who died, n (% of the safety population); a death whose cause the data leave empty is "
            "counted under \u201cCause not recorded\u201d.",
            "Early-death windows are counted in days from the first treatment (the first start of treatment in the "
            "exposure records)." if total["within_days_from"] == "first treatment" else
            "Early-death windows are counted in days from enrollment (the data hold no exposure records).",
            "The last dose is the last end date of any treatment in the exposure records (a record's start where its "
            "end is empty), maintenance included where the records hold it." if total["within_last_dose"] is not None
            else "",
            "On study: died on or before the off-study date, or with none." if total["on_study"] is not None else ""]
    return NotedTable(table(ledger), " ".join(part for part in note if part))


def table(ledger: dict, context: Context | None = None) -> ArmTable:
    """The deaths table: one column per arm (where there are arms), then the total."""
    groups = [(arm, ledger["by_arm"][arm]["deaths"]) for arm in ledger["arms"]] + [(TOTAL, ledger["deaths"])]
    total = ledger["deaths"]
    if total is None:
        rows = [Row("Deaths", tuple(NOT_COLLECTED for _ in groups), "group")]
    else:
        rows = [Row("All deaths", _cells(groups, lambda part: part["deaths"]), "group"), *_cause_rows(groups, total)]
        rows += [Row(f"Within {days} days of {total['within_days_from']}",
                     _cells(groups, lambda part, d=days: part["within_days"][d]))
                 for days in total["within_days"]]
        rows += _last_dose_rows(groups, total) + _study_rows(groups, total)
    return ArmTable(
        columns=tuple(name for name, _ in groups),
        counts=tuple(f"N = {part['n']}" if part is not None else "" for _, part in groups),
        subcolumns=("",),
        rows=tuple(rows),
    )


def _last_dose_rows(groups, total: dict) -> list[Row]:
    days = total["last_dose_days"]
    labels = (f"Within {days} days of the last dose", f"More than {days} days after the last dose")
    if total["within_last_dose"] is None:
        return [Row(label, tuple(NOT_COLLECTED for _ in groups)) for label in labels]
    rows = [Row(labels[0], _cells(groups, lambda part: part["within_last_dose"])),
            Row(labels[1], _cells(groups, lambda part: part["beyond_last_dose"]))]
    if total["without_exposure_record"]["count"]:
        rows.append(Row(NO_EXPOSURE, _cells(groups, lambda part: part["without_exposure_record"])))
    return rows


def _study_rows(groups, total: dict) -> list[Row]:
    labels = ("On study", "After going off study")
    if total["on_study"] is None:
        return [Row(label, tuple(NOT_COLLECTED for _ in groups)) for label in labels]
    return [Row(labels[0], _cells(groups, lambda part: part["on_study"])),
            Row(labels[1], _cells(groups, lambda part: part["off_study"]))]


def _cause_rows(groups, total: dict) -> list[Row]:
    if total["causes"] is None:
        return [Row("Primary cause", tuple(NOT_COLLECTED for _ in groups), "indent")]
    rows = [Row(cause, _cells(groups, lambda part, c=cause: part["causes"].get(c)), "indent") for cause in total["causes"]]
    if total["cause_not_recorded"]["count"]:
        rows.append(Row(NOT_RECORDED, _cells(groups, lambda part: part["cause_not_recorded"]), "indent"))
    return rows


def _cells(groups, pick) -> tuple[str, ...]:
    """n (%) in each column; a group without such a death counts 0 of its patients; "-" in a
    column of no patients."""
    return tuple(n_percent(pick(part), part["n"]) for _, part in groups)


def ard(part: dict | None, ledger: dict) -> list[Stat]:
    """The deaths part's ard.csv rows for one group: every count with its N and proportion."""
    if part is None:
        return []
    n, died = part["n"], source_name(ledger, "died_on")
    stats = share_stats(part["deaths"], n, died, "all")
    cause = source_name(ledger, "death_cause")
    if part["causes"] is not None:
        for level, share in [*part["causes"].items(), (NOT_RECORDED, part["cause_not_recorded"])]:
            stats += share_stats(share, n, cause, level)
    for days, share in part["within_days"].items():
        stats += share_stats(share, n, died, f"within {days} days of {part['within_days_from']}")
    window = part["last_dose_days"]
    for level, key in ((f"within {window} days of the last dose", "within_last_dose"),
                       (f"more than {window} days after the last dose", "beyond_last_dose"),
                       ("without an exposure record", "without_exposure_record"), ("on study", "on_study"),
                       ("after going off study", "off_study")):
        if part[key] is not None:
            stats += share_stats(part[key], n, died, level)
    return stats


BLOCK = Block(
    id="deaths",
    title="Deaths",
    keys=("deaths", "by_arm"),
    open_safe=False,
    partial="partials/deaths.html.j2",
    compute=Part(deaths, Reads(subjects=("safety", "died_on", "enrolled_on", "death_cause", "off_study_on"),
                               exposure=("start_on", "end_on"),
                               options=("early_death_days", "deaths_after_last_dose_days"), not_collected=True)),
    view=view,
    ard=ard,
)
