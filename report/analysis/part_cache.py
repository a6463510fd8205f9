"""The last value of each ledger part, by the hash of its inputs (results.json `input_hashes`):
what `watch` keeps between rebuilds, so that an edit recomputes only the parts it touches.

A part is a pure function of what it declares it reads (report.analysis.group.Reads, checked by
tests/test_ledger_parts.py), and its input hash covers exactly that, the arms included; so a part
whose hash is unchanged has the same value, for the total and for every arm. Values are frozen
results, shared between ledgers rather than copied. One value per part is kept (the last), so the
cache holds at most one ledger however many trials a process builds.
"""
from __future__ import annotations

from typing import Callable, Hashable, TypeVar

T = TypeVar("T")


class PartCache:
    """`value(key, digest, compute)`: the part's last value where its digest is the same, else
    `compute()`, kept for next time. `computed` lists the keys computed since it was made."""

    def __init__(self) -> None:
        self._last: dict[str, tuple[Hashable, object]] = {}
        self.computed: list[str] = []

    def value(self, key: str, digest: Hashable, compute: Callable[[], T]) -> T:
        last = self._last.get(key)
        if last is not None and last[0] == digest:
            return last[1]  # type: ignore[return-value]
        value = compute()
        self._last[key] = (digest, value)
        self.computed.append(key)
        return value
