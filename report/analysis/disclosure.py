"""What the open DSMB report may say: reasons, causes and terms that reveal efficacy, pooled.

In a single-arm trial the reasons patients went off study ("Relapse 9, Refractory disease
8") and the causes of death ("Refractory/relapsed leukemia") let investigators infer the
response rate. Text that names one of the spec's `[dsmb] efficacy_words` (matched by word
stem, in any case: "Relapsed" matches "relapse") appears in the open report, and in every
file of a DSMB bundle outside the encrypted closed report, only as DISEASE_RELATED; the
closed report keeps it in full. Pure: no I/O.
"""
from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence

import pandas as pd

from .dsmb import DsmbOpen

DISEASE_RELATED = "Disease-related"
# Endings taken off a listed word to find its stem: "progression" and "progressive" become
# "progress", which then matches "progressed" and "progressing" as well.
_ENDINGS = ("ion", "ive", "ed", "es", "e", "s", "y")
_SHORTEST_STEM = 4


def efficacy_pattern(words: Sequence[str]) -> re.Pattern | None:
    """A pattern finding any of the words (by stem, any case); None when there are none."""
    stems = sorted({_stem(word) for word in words if word.strip()})
    if not stems:
        return None
    return re.compile(r"\b(?:" + "|".join(r"\s+".join(map(re.escape, s.split())) for s in stems) + ")", re.IGNORECASE)


def _stem(word: str) -> str:
    word = " ".join(word.lower().split())
    ending = next((e for e in _ENDINGS if word.endswith(e) and len(word) - len(e) >= _SHORTEST_STEM), "")
    return word[: len(word) - len(ending)]


def open_text(text: str | None, pattern: re.Pattern | None) -> str | None:
    """The text as the open report may show it."""
    if text is None or pattern is None or not pattern.search(str(text)):
        return text
    return DISEASE_RELATED


def open_block(block: DsmbOpen, pattern: re.Pattern | None) -> DsmbOpen:
    """The DSMB block with every reason, cause and term that reveals efficacy pooled."""
    if pattern is None:
        return block
    changes = block.changes
    if changes is not None:
        changes = dataclasses.replace(changes, new_serious_listing=_open_events(changes.new_serious_listing, pattern))
    return dataclasses.replace(
        block,
        disposition=dataclasses.replace(block.disposition, off_study=_pooled_counts(block.disposition.off_study, pattern)),
        serious_events=_open_events(block.serious_events, pattern),
        deaths=tuple(dataclasses.replace(d, cause=open_text(d.cause, pattern)) for d in block.deaths),
        changes=changes,
    )


def open_adverse_events(adverse_events: pd.DataFrame | None, pattern: re.Pattern | None) -> pd.DataFrame | None:
    """The adverse events with revealing terms (and organ classes) pooled; None when none
    reveals (or none were collected)."""
    if pattern is None or adverse_events is None or adverse_events.empty:
        return None
    pooled = {column: adverse_events[column].map(lambda t: open_text(t, pattern))
              for column in ("term", "soc") if column in adverse_events}
    if all(pooled[c].equals(adverse_events[c]) for c in pooled):
        return None
    return adverse_events.assign(**pooled)


def _pooled_counts(counts: dict[str, int] | None, pattern: re.Pattern) -> dict[str, int] | None:
    """Counts by reason with revealing reasons merged, most frequent first as in disposition
    (None: not collected)."""
    if counts is None:
        return None
    merged: Counter[str] = Counter()
    for reason, count in counts.items():
        merged[open_text(reason, pattern)] += count
    return dict(sorted(merged.items(), key=lambda kv: (-kv[1], kv[0])))


def _open_events(events, pattern: re.Pattern) -> tuple | None:
    if events is None:  # not collected
        return None
    return tuple(dataclasses.replace(e, term=open_text(e.term, pattern)) for e in events)
