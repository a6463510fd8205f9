"""What the summary's toxicity block prints (single-arm and by arm), prepared from the ledger."""
from __future__ import annotations

from dataclasses import dataclass

from .collected import notes
from .formatting import count_percent, number, percent
from .tables import ArmTable, arm_tables
from .wording import Grading, count_or_none, grading, listed

LEADING_BY_ARM = 5  # the most frequent high-grade events named in the by-arm summary


@dataclass(frozen=True)
class Toxicity:
    not_collected: str  # the words for adverse events not collected, or ""
    grading: Grading
    summary: str  # the sentence on patients with adverse events, or ""
    leading: str  # the sentence on the most frequent high-grade events, or ""
    deaths: str  # the sentence on deaths, or ""
    caption: str
    term_header: str
    any_header: str
    grade_names: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (term, cells); the first row: any adverse event
    note: str
    figure: bool  # the figure of adverse events by worst grade
    figure_n: str


def toxicity_view(ledger: dict, context) -> Toxicity:
    """The single-arm toxicity block."""
    s, words = ledger["safety"], grading(ledger["methods"]["ae_grading"])
    absent = notes(ledger)["adverse_events"]
    return Toxicity(
        not_collected=absent, grading=words,
        summary="" if absent else _summary(s, words),
        leading="" if absent else _leading(s, words, "The most frequent"),
        deaths=_deaths(s["deaths"], "enrollment", f"{s['deaths']['total']} patients have died; "),
        caption=f"Adverse events by term and worst {words.scale}, safety population (N = {s['n']})",
        term_header="Adverse event (CTCAE term)" if words.ctcae else "Adverse event",
        any_header=f"Any {words.scale}",
        grade_names=tuple(name for _, name in words.grades),
        rows=() if absent else _rows(s, words),
        note=("Patients are counted once per term, at their worst grade of that term; events count every report. "
              "Percentages of the safety population." + (" Adverse events graded by CTCAE." if words.ctcae else
                                                          " The data give severity (mild, moderate, severe), not CTCAE grades.")),
        figure=bool(not absent and words.ctcae and s["terms"]),
        figure_n=str(s["n"]),
    )


def _summary(s: dict, words: Grading) -> str:
    anyone = s["any_event"]
    who = (f"All {s['n']} treated patients" if anyone["subjects"] == s["n"] else
           f"{anyone['subjects']} of {s['n']} treated patients ({percent(anyone['proportion'])})")
    high = s["grade_3_plus"]
    text = (f"{who} had at least one adverse event ({anyone['events']} events in all); {high['subjects']} "
            f"({percent(high['proportion'])}) had an event {'of ' if words.ctcae else ''}{words.high}")
    if s["serious"]["subjects"]:
        text += f" and {s['serious']['subjects']} ({percent(s['serious']['proportion'])}) a serious adverse event"
    return text + "."


def _leading(s: dict, words: Grading, opening: str, limit: int | None = None) -> str:
    terms = (s.get("leading_grade_3_plus") or [])[:limit]
    if not terms:
        return ""
    named = listed(f"{t['term'].lower()} ({t['subjects']} patients, {percent(t['proportion'])})" for t in terms)
    return f"{opening} {words.high} events were {named}."


def _deaths(deaths: dict, origin: str, opening: str) -> str:
    windows = [f"{count_or_none(count)} within {days} days of {origin}" for days, count in deaths["early"].items()]
    return f"{opening}{listed(windows)}." if windows else ""


def _rows(s: dict, words: Grading) -> tuple[tuple[str, tuple[str, ...]], ...]:
    grades = [g for g, _ in words.grades]
    anyone, high = s["any_event"], s["grade_3_plus"]
    rows = [("Any adverse event", (count_percent(anyone["subjects"], anyone["proportion"]),
                                   *(str(s["by_worst_grade"][g]) for g in grades),
                                   count_percent(high["subjects"], high["proportion"]), str(anyone["events"])))]
    for t in s["terms"]:
        rows.append((t["term"], (count_percent(t["subjects"], t["proportion"]),
                                 *(str(t["max_grade"][g] or "") for g in grades),
                                 count_percent(t["grade_3_plus"], t["grade_3_plus_proportion"]) if t["grade_3_plus"] else "",
                                 str(t["events"]))))
    return tuple(rows)


@dataclass(frozen=True)
class ToxicityArms:
    not_collected: str
    by_arm: str  # the sentence on each arm's patients with adverse events
    leading: str
    overview: ArmTable
    overview_caption: str
    soc_terms: ArmTable | None
    soc_note: str
    worst_grade: ArmTable | None
    worst_caption: str
    worst_note: str


def toxicity_arms_view(ledger: dict, context) -> ToxicityArms:
    """The toxicity block by arm."""
    words = grading(ledger["methods"]["ae_grading"])
    absent = notes(ledger)["adverse_events"]
    spec = context.spec or {}
    minimum = ((spec.get("report") or {}).get("ae_min_percent")) or 0.0
    tables = arm_tables(ledger, minimum)
    return ToxicityArms(
        not_collected=absent,
        by_arm="" if absent else _by_arm(ledger),
        leading="" if absent else _leading(ledger["safety"], words, "Overall, the most frequent", LEADING_BY_ARM),
        overview=tables["safety_overview"],
        overview_caption="Deaths by arm, safety population" if absent else "Overview of adverse events by arm, safety population",
        soc_terms=tables["soc_terms"],
        soc_note=("Patients are counted once per class and term; events count every report. Sorted by frequency in all "
                  "patients." + (f" Terms reported in at least {number(minimum, 0)}% of patients in some arm." if minimum else "")),
        worst_grade=tables["worst_grade"],
        worst_caption=f"Adverse events by preferred term and worst {words.scale}",
        worst_note=("Patients by their worst " + ("CTCAE grade" if words.ctcae else
                                                  "severity (the data give severity, not CTCAE grades)") + " of each term."),
    )


def _by_arm(ledger: dict) -> str:
    parts = []
    for arm in ledger["arms"]:
        a = ledger["by_arm"][arm]["safety"]
        parts.append(f"the {arm} arm, {a['any_event']['subjects']} of {a['n']} patients ({percent(a['any_event']['proportion'])}) "
                     f"had at least one adverse event ({a['any_event']['events']} events)")
    return "In " + "; in ".join(parts) + "."
