"""What changed in efficacy since the previous closed DSMB report, for all patients and each
arm: new responses, new events of each time-to-event endpoint, and each endpoint's median and
landmark estimates then and now. The closed ledger's `efficacy_changes` part, never the open
one's (DESIGN section 9).

Pure: this cutoff's ledger and the previous closed ledger (plain dicts) in. The previous
closed ledger is the one archived inside the previous cutoff's closed report (report.compose
opens it with this report's password); where the archive holds no previous version, or its
closed ledger cannot be read, the part says which and compares nothing.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Literal

TOTAL = "Total"
# "archive": compared with the previous closed report's ledger; "none": the archive holds no previous
# version; "unreadable": it does, but its closed ledger does not open (another password) or is not attached.
Source = Literal["archive", "none", "unreadable"]


@dataclass(frozen=True)
class ResponseChange:
    before: int  # responders in the previous closed report
    before_n: int  # evaluable patients then
    before_proportion: float | None
    now: int
    now_n: int
    now_proportion: float | None
    new: int  # now less before: negative only where the data were corrected


@dataclass(frozen=True)
class LandmarkChange:
    time: float
    before: float | None  # the estimate then; None: not estimable then, or no such landmark
    now: float | None


@dataclass(frozen=True)
class EndpointChange:
    endpoint: str  # the ledger's key, e.g. "os"
    events_before: int | None  # None: the previous ledger has no such endpoint
    events_now: int
    new_events: int | None
    median_before: float | None  # None: not reached (or no such endpoint then)
    median_now: float | None
    landmarks: tuple[LandmarkChange, ...]


@dataclass(frozen=True)
class GroupChange:
    group: str  # TOTAL, or the arm
    response: ResponseChange | None  # None: no response data now, or none then
    endpoints: tuple[EndpointChange, ...]


@dataclass(frozen=True)
class EfficacyChanges:
    previous_cutoff: dt.date
    source: Source
    compared_with: str | None  # the archived version whose closed ledger was read
    groups: tuple[GroupChange, ...]  # the total, then each arm; empty unless source is "archive"


def efficacy_changes(now: dict, previous_cutoff: dt.date, archived: tuple[bytes | None, str] | None) -> EfficacyChanges:
    """`now`: this cutoff's ledger; `archived`: the previous version's closed ledger (results-closed.json
    bytes, None where it could not be read) and that version's id, or None without a previous version."""
    if archived is None:
        return EfficacyChanges(previous_cutoff, "none", None, ())
    before = _ledger(archived[0])
    if before is None:
        return EfficacyChanges(previous_cutoff, "unreadable", archived[1], ())
    groups = [_group(TOTAL, now, before)]
    groups += [_group(arm, now["by_arm"][arm], before.get("by_arm", {}).get(arm)) for arm in now.get("arms") or ()]
    return EfficacyChanges(dt.date.fromisoformat(before["data_cutoff"]), "archive", archived[1], tuple(groups))


def _ledger(data: bytes | None) -> dict | None:
    if data is None:
        return None
    try:
        ledger = json.loads(data)
    except ValueError:
        return None
    return ledger if isinstance(ledger, dict) and "data_cutoff" in ledger else None


def _group(label: str, now: dict, before: dict | None) -> GroupChange:
    before = before or {}
    endpoints = tuple(_endpoint(key, fit, (before.get("survival") or {}).get(key))
                      for key, fit in (now.get("survival") or {}).items() if fit is not None)
    return GroupChange(label, _response(now.get("response"), before.get("response")), endpoints)


def _response(now: dict | None, before: dict | None) -> ResponseChange | None:
    if not now or not before:
        return None
    a, b = before["responders"], now["responders"]
    return ResponseChange(a["count"], a["n"], a["proportion"], b["count"], b["n"], b["proportion"],
                          b["count"] - a["count"])


def _endpoint(key: str, now: dict, before: dict | None) -> EndpointChange:
    then = {lm["time"]: lm["survival"] for lm in (before or {}).get("landmarks", [])}
    landmarks = tuple(LandmarkChange(lm["time"], then.get(lm["time"]), lm["survival"]) for lm in now["landmarks"])
    events_before = before["events"] if before else None
    return EndpointChange(key, events_before, now["events"], None if before is None else now["events"] - events_before,
                          _median(before), _median(now), landmarks)


def _median(fit: dict | None) -> float | None:
    return None if fit is None or fit.get("median") is None else fit["median"]["estimate"]
