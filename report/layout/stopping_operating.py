"""A stopping rule's operating characteristics as the closed DSMB report shows them: how likely
the rule is to stop the trial, and after how many patients, under an acceptable and an
unacceptable true rate, and what its earliest boundary means (report.stats.stopping computes
them exactly; the closed ledger's `stopping[].operating_characteristics` holds them).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..stats.stopping import RATE_MARGIN
from .formatting import number, percent, setting
from .wording import plural

HEADER = ("True rate of the event", "Probability of stopping", "Expected patients")
METHODS = {
    "exact-sequential-binomial": (
        "Exact sequential calculation: at each look (after every patient) the distribution of the number of "
        "patients with the event among the trials not yet stopped is carried forward by the binomial law and "
        "the part at or above the boundary removed; no simulation. Expected patients: at stopping, or all {n} "
        "where the rule does not stop."),
    "exact-binomial-two-stage": (
        "Exact binomial probabilities of the two-stage design (Simon 1989): stopping after stage 1 is P(X1 <= r1), "
        "X1 ~ Bin(n1, p); expected patients n1 + (1 - P(stop)) (n - n1)."),
}
STRICT_EARLY = 3  # a boundary that can stop the trial within this many patients is called strict early


@dataclass(frozen=True)
class LaidOperating:
    caption: str  # the table's, before the page's caption suffix
    header: tuple[str, ...]
    rows: tuple[tuple[str, str, str], ...]  # the true rate, the probability of stopping, the expected patients
    sentence: str  # the earliest boundary and what it means under each rate
    footnote: str  # the method


def laid_operating(rule: dict, operating: dict) -> LaidOperating:
    """The operating characteristics of one rule of the closed ledger's `stopping` part."""
    rates = operating["rates"]
    footnote = METHODS[operating["method"]].format(n=operating["max_patients"])
    if rule["kind"] == "simon":
        return LaidOperating(f"Operating characteristics: {rule['name']}", (), (), _simon_sentence(operating),
                             footnote)
    rows = tuple((f"{percent(r['rate'])} ({r['label']})", percent(r["probability_stop"], 1),
                  number(r["expected_patients"])) for r in rates)
    return LaidOperating(f"Operating characteristics: {rule['name']} (exact, a look after every patient up to "
                         f"{operating['max_patients']})", HEADER, rows, _toxicity_sentence(operating),
                         f"{footnote} {_rates_source(rule)}")


def _rates_source(rule: dict) -> str:
    """Where the two true rates come from: the spec, or the default either side of the threshold."""
    given = rule["acceptable_rate"] is not None, rule["unacceptable_rate"] is not None
    if all(given):
        return "The acceptable and unacceptable rates are the trial spec's (acceptable_rate, unacceptable_rate)."
    return (f"Where the trial spec gives no acceptable_rate or unacceptable_rate, the rates are {setting(RATE_MARGIN * 100)} "
            f"points below and above the {percent(rule['threshold'])} threshold (at most halfway to 0% or 100%).")


def _toxicity_sentence(operating: dict) -> str:
    first, events, size = operating["first_patients"], operating["first_events"], operating["max_patients"]
    if first is None:
        return (f"No number of patients with the event up to {size} patients crosses the limit: the rule cannot "
                "stop the trial.")
    low, high = operating["rates"]
    return (f"{_earliest(first, events)}; if the true rate is {percent(low['rate'])}, the rule stops the trial with "
            f"probability {percent(low['probability_stop'])} (expected {number(low['expected_patients'])} patients)"
            f"{_first_look(first, low)}; if it is {percent(high['rate'])}, with probability "
            f"{percent(high['probability_stop'])} (expected {number(high['expected_patients'])} patients).")


def _earliest(first: int, events: int) -> str:
    where = "with the first patient" if first == 1 else f"with the first {first} patients"
    stops = f"{where}, {events} {plural(events, 'event')} {'stops' if first == 1 else 'stop'} the trial"
    if first <= STRICT_EARLY:
        return f"The boundary is strict early: {stops}"
    return f"The earliest the boundary can stop the trial is {stops}"


def _first_look(first: int, rate: dict) -> str:
    at = "at the first patient" if first == 1 else f"at {first} patients"
    return f", {percent(rate['probability_first_look'])} {at} alone"


def _simon_sentence(operating: dict) -> str:
    n1, r1 = operating["first_patients"], operating["first_events"]
    p0, p1 = operating["rates"]
    return (f"After stage 1 ({n1} patients), {r1} or fewer responses stop the trial for futility: if the true response "
            f"rate is {percent(p0['rate'])} (p0), with probability {number(p0['probability_stop'], 3)} (expected "
            f"{number(p0['expected_patients'])} patients); if it is {percent(p1['rate'])} (p1), with probability "
            f"{number(p1['probability_stop'], 3)} (expected {number(p1['expected_patients'])} patients).")
