"""The order of adverse-event rows in the tables (a layout decision: the ledger and ard.csv keep
their own order). As tern's AET02 sorts them (chevron's aet02: `sort_at_path` by
`cont_n_allcols`, then `score_occurrences`): organ classes by their patients in all columns
(the Total), most first, and within each class its terms likewise; ties alphabetically (R's
`order` is stable and the rows start in alphabetical order)."""
from __future__ import annotations

from typing import Callable, Iterable, TypeVar

T = TypeVar("T")


def by_incidence(items: Iterable[T], patients: Callable[[T], int], name: Callable[[T], str]) -> list[T]:
    """Most patients first; ties alphabetically, regardless of case (then as written)."""
    return sorted(items, key=lambda item: (-int(patients(item) or 0), str(name(item)).casefold(), str(name(item))))


def socs_and_terms(safety: dict) -> list[tuple[dict, list[dict]]]:
    """The organ classes of a ledger's `safety` part, each with its terms, in the tables' order."""
    socs = by_incidence(safety["socs"], lambda s: s["subjects"], lambda s: s["soc"])
    return [(soc, terms_of(t for t in safety["terms"] if t["soc"] == soc["soc"])) for soc in socs]


def terms_of(terms: Iterable[dict]) -> list[dict]:
    """A `safety` part's terms (term, subjects) in the tables' order."""
    return by_incidence(terms, lambda t: t["subjects"], lambda t: t["term"])
