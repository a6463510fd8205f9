"""What the data did not collect, in words: the layout decides them, templates only print.

The ledger holds null for a block counted from a dataset or column the data do not have
(adverse events, sex, age, the cycle of response, off-study dates, ...); a dataset that is
present but empty gives genuine zeros. These words say which is which, so that a report
never prints a zero, an "Unknown 100%" or "all on study" for something nobody recorded.
"""
from __future__ import annotations

NOT_COLLECTED = "Not collected"
ADVERSE_EVENTS = ("Adverse events were not collected: the data hold no adverse-event records, so no adverse-event "
                  "counts, tables or stopping rule on toxicity can be given.")
ABSTRACT_ADVERSE_EVENTS = "Adverse events were not collected."
OFF_STUDY = "Off-study dates were not collected: which patients are still on study is not known."


def notes(ledger: dict) -> dict[str, str]:
    """Words for what the ledger holds as not collected; "" for what was collected."""
    safety, baseline = ledger.get("safety") or {}, ledger.get("baseline") or {}
    dsmb = ledger.get("dsmb") or {}
    absent = set(dsmb.get("not_collected") or ())
    disposition = dsmb.get("disposition") or {}
    return {
        "adverse_events": ADVERSE_EVENTS if safety and safety.get("any_event") is None else "",
        "age": NOT_COLLECTED if baseline.get("age", {}) is None else "",
        "sex": NOT_COLLECTED if baseline.get("sex", {}) is None else "",
        "off_study": OFF_STUDY if disposition and disposition.get("on_study") is None else "",
        "cell": NOT_COLLECTED,  # a table cell whose figure was not collected
        # A death listed without a cause: the data have no cause column, or this row's is empty.
        "death_cause": NOT_COLLECTED if "death_cause" in absent else "Not recorded",
    }
