"""What the DSMB report's blocks print (title, status, changes, baseline, safety, notes),
prepared from its ledger (open or closed). The stopping rules' block is laid out elsewhere."""
from __future__ import annotations

from dataclasses import dataclass

from .ae_order import socs_and_terms
from .collected import notes
from .formatting import count_percent, long_date, number, percent
from .mock import mocking
from .tables import TOTAL, ArmTable, baseline_table, total_groups
from .wording import Grading, count_or_none, grading, listed, plural

LISTING_CAP = 40  # rows of a listing shown in a report; the full listing goes into the bundle
MOCK_ROWS = 3  # rows of a listing shown in a mock shell


@dataclass(frozen=True)
class Title:
    scope: str  # what this session's report holds, and for whom


def title_view(ledger: dict, context) -> Title:
    if ledger.get("report") == "dsmb-open":
        return Title("This open session report may be shared with the investigators. It describes the conduct of the "
                     "trial and pooled safety; it holds no efficacy results and nothing by arm.")
    by_arm = ", results by arm" if ledger.get("arms") else ""
    return Title("This closed session report is for the members of the Data and Safety Monitoring Board only. It holds "
                 f"efficacy results{by_arm} and the monitoring of the stopping rules. Do not forward.")


@dataclass(frozen=True)
class Status:
    conduct: str  # the sentences on enrollment and treatment
    plan: str  # the accrual plan in the figure's caption, or ""
    quarters: tuple[tuple[str, str, str, str], ...]  # quarter, enrolled, cumulative, expected (whole patients)
    expected: bool  # whether there is an accrual plan (the table's last column)


def status_view(ledger: dict, context) -> Status:
    d, spec = ledger["dsmb"], context.spec or {}
    accrual, disposition = d["accrual"], d["disposition"]
    text = _accrual_status(accrual, ledger["accrual"]["last_enrolled_on"])
    text += f" {disposition['treated']} patients were treated"
    if disposition["on_study"] is not None:
        text += f"; {disposition['on_study']} remain on study."
    else:
        text += f". {notes(ledger)['off_study']}"
    plan = ""
    if accrual["expected_by_cutoff"] is not None:
        dsmb = spec.get("dsmb") or {}
        plan = f" against the plan ({number(dsmb['accrual_rate'])} patients per month from {long_date(dsmb['accrual_start'])})"
    quarters = tuple((m["month"].replace("-", " "), str(m["enrolled"]), str(m["cumulative"]),
                      number(m["expected"], 0) if m["expected"] is not None else "")
                     for m in accrual["quarters"])
    return Status(text, plan, quarters, accrual["expected_by_cutoff"] is not None)


def _accrual_status(accrual: dict, last_enrolled_on: str) -> str:
    """Whether accrual is complete or open, from the data against the plan: never the spec's words."""
    enrolled, planned, expected = accrual["enrolled"], accrual["planned"], accrual["expected_by_cutoff"]
    if planned and enrolled >= planned:
        return (f"Accrual is complete: {enrolled} of the {planned} planned patients were enrolled, the last on "
                f"{long_date(last_enrolled_on)}.")
    text = (f"Accrual is open: {enrolled} of the {planned} planned patients had been enrolled by the cutoff" if planned
            else f"By the cutoff, {enrolled} patients had been enrolled")
    if expected is not None:
        text += f"; the accrual plan expected {number(expected, 0)} by this date"
    return text + "."


@dataclass(frozen=True)
class Changes:
    first: bool  # no earlier report to compare with
    summary: str  # the sentence on what is new
    not_collected: str
    previous: str  # the previous cutoff, written out
    now: str
    rates: tuple[tuple[str, str, str], ...]  # label, before, now
    listing: tuple[tuple[str, ...], ...]  # new serious adverse events


def changes_view(ledger: dict, context) -> Changes:
    c, absent = ledger["dsmb"]["changes"], notes(ledger)["adverse_events"]
    if not c:
        return Changes(True, "", absent, "", "", (), ())
    previous = long_date(c["previous_cutoff"])
    source = ("the archived report for that cutoff" if c["source"] == "archive"
              else "recomputed from the current data at that cutoff")
    text = f"Compared with the data as of {previous} ({source}): {_new(c['new_patients'], 'patient')}, "
    if c["new_serious_events"] is not None:
        text += f"{_new(c['new_serious_events'], 'serious adverse event')}, "
    if c["new_grade_3_plus_events"] is not None:
        text += f"{_new(c['new_grade_3_plus_events'], 'adverse event')} of grade 3 or higher "
    text += f"and {_new(c['new_deaths'], 'death')}."
    if absent:
        text += f" {absent}"
    rates = tuple((r["label"], percent(r["before"], 1), percent(r["now"], 1)) for r in c["rates"])
    return Changes(False, text, absent, previous, long_date(ledger["data_cutoff"]), rates,
                   _listing(_shown(c["new_serious_listing"] or [], None)))


def _new(count: int, thing: str) -> str:
    return f"{count} new {plural(count, thing)}"


def _shown(rows: list, cap: int | None = LISTING_CAP) -> list:
    """The rows of a listing a report shows: the first `cap` (None: all); a mock shell's first
    MOCK_ROWS (a listing's length is a count, its rows patients)."""
    return rows[:MOCK_ROWS if mocking() else cap]


def _listing(events: list[dict]) -> tuple[tuple[str, ...], ...]:
    return tuple((e["subject_id"], e["term"], str(e["grade"]), e["onset_on"], e["attribution"] or "") for e in events)


@dataclass(frozen=True)
class Baseline:
    caption: str
    table: ArmTable  # one column of all patients, or (closed report, by arm) a column per arm and the total


def baseline_view(ledger: dict, context) -> Baseline:
    """Baseline characteristics: by the same layout as every table, one group or one per arm."""
    if ledger.get("arms") and not context.open:
        return Baseline("Baseline characteristics by arm, efficacy population", baseline_table(total_groups(ledger)))
    return Baseline(f"Baseline characteristics, all patients in the efficacy population (N = {ledger['population']['evaluable']})",
                    baseline_table([(TOTAL, ledger)]))


@dataclass(frozen=True)
class Safety:
    not_collected: str
    overview_caption: str
    overview: tuple[tuple[str, str, str], ...]  # patients with, n (%), events
    discontinued: str  # the row's words where off-study reasons were not collected, or ""
    soc_caption: str
    grade_groups: tuple[str, ...]
    soc_rows: tuple[tuple[str, str, tuple[str, ...], str, bool], ...]  # label, n (%), by grade group, events, is a class
    serious: tuple[tuple[str, ...], ...]  # the first LISTING_CAP serious adverse events
    cap: str  # the rows a listing shows
    serious_total: str  # all serious adverse events where the listing is cut, else ""
    deaths_sentence: str
    deaths: tuple[tuple[str, ...], ...]
    deaths_total: str  # all deaths where the listing is cut, else ""


def safety_view(ledger: dict, context) -> Safety:
    s, d, words = ledger["safety"], ledger["dsmb"], notes(ledger)
    g = grading(ledger["methods"]["ae_grading"])
    absent = words["adverse_events"]
    o = d["overview"]
    serious = d["serious_events"] or []
    return Safety(
        not_collected=absent,
        overview_caption=f"Overview of adverse events, safety population (N = {o['n']})",
        overview=() if absent else _overview(o, g),
        discontinued="" if absent or o["discontinued"] else f"{words['cell']} (no off-study reasons)",
        soc_caption=f"Adverse events by system organ class, term and worst {g.scale}, safety population (N = {s['n']})",
        grade_groups=tuple(s["terms"][0]["grade_groups"]) if not absent and s["terms"] else (),
        soc_rows=() if absent else _soc_rows(s),
        serious=_listing(_shown(serious)),
        cap=str(LISTING_CAP),
        serious_total="" if absent or o["serious"]["events"] <= LISTING_CAP else str(o["serious"]["events"]),
        deaths_sentence=_deaths_sentence(d),
        deaths=tuple((x["subject_id"], x["died_on"], str(x["day"]), x["cause"] or words["death_cause"])
                     for x in _shown(d["deaths"])),
        deaths_total="" if s["deaths"]["total"] <= LISTING_CAP else str(s["deaths"]["total"]),
    )


def _overview(o: dict, g: Grading) -> tuple[tuple[str, str, str], ...]:
    def row(label, part):
        return (label, count_percent(part["subjects"], part["proportion"]), str(part["events"]))

    rows = [row("Any adverse event", o["any_event"]), row(g.high_label, o["grade_3_plus"])]
    if g.ctcae:
        rows.append(row("Grade 5 (fatal)", o["grade_5"]))
    rows += [row("Serious adverse event", o["serious"]), row("Treatment-related adverse event", o["related"])]
    if o["discontinued"]:
        rows.append(row("Adverse event leading to discontinuation", o["discontinued"]))
    return tuple(rows)


def _soc_rows(s: dict) -> tuple:
    groups = tuple(s["terms"][0]["grade_groups"]) if s["terms"] else ()
    rows = []
    for soc, terms in socs_and_terms(s):
        rows.append((soc["soc"], count_percent(soc["subjects"], soc["proportion"]), tuple("" for _ in groups),
                     str(soc["events"]), True))
        for t in terms:
            cells = tuple(count_percent(x["subjects"], x["proportion"]) if x["subjects"] else ""
                          for x in t["grade_groups"].values())
            rows.append((t["term"], count_percent(t["subjects"], t["proportion"]), cells, str(t["events"]), False))
    return tuple(rows)


def _deaths_sentence(d: dict) -> str:
    count = len(d["deaths"])
    windows = [f"{count_or_none(n)} within {days} days of enrollment" for days, n in d["early_deaths"].items()]
    return f"{count} {plural(count, 'patient')} died by the cutoff; {listed(windows)}."


@dataclass(frozen=True)
class Notes:
    grading: str  # the sentence on adverse events, or ""
    cutoff: str


def notes_view(ledger: dict, context) -> Notes:
    text = ""
    if not notes(ledger)["adverse_events"]:
        by = "graded by CTCAE" if ledger["methods"]["ae_grading"] == "ctcae" else "by severity (mild, moderate, severe)"
        text = f" Adverse events {by}; patients are counted once per term at their worst grade."
    return Notes(text, long_date(ledger["data_cutoff"]))
