"""Input problems: each names where it is, and they are reported together."""
from __future__ import annotations

from dataclasses import dataclass

# Every character str.splitlines() breaks at, shown escaped: a problem is one line.
_ESCAPED_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    row: int | None = None  # 1-based as a spreadsheet shows it: the header is row 1
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}".translate(_ESCAPED_BREAKS)


class InputError(Exception):
    """Bad input or configuration (exit code 2): carries every problem found."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
