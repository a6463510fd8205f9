"""The Kaplan-Meier rows of a table by arm (the time-to-event summary, the duration of
response): median and quartiles with their CIs, the landmark rates, each cell read from the
ledger's `survival.<endpoint>` of its column; tern's `surv_time` and `surv_timepoint`."""
from __future__ import annotations

from typing import Callable, Sequence

from .formatting import confidence_label, estimate_with_limits, number, percent
from .mock import mocking
from .tables import Row

NR, NE = "NR", "NE"  # not reached; not estimable (DESIGN section 6)


def km_rows(fits: Sequence[dict | None], median: str = "Median", rate: str = "Rate at {time} {unit}",
            extra: Sequence[tuple[str, Callable[[dict], str]]] = ()) -> list[Row]:
    """The rows of `fits` (one Survival per column, the total last): "<median>, <unit> (95% CI)",
    the quartiles, each `extra` (label, cell) after them, then "<rate> (95% CI)" per landmark, as percentages.
    A column without patients prints NE."""
    fit = fits[-1]
    level, unit = confidence_label(fit["confidence"]), fit["time_unit"]

    def cells(pick: Callable[[dict], str]) -> tuple[str, ...]:
        return tuple(pick(f) if f and f["n"] else NE for f in fits)

    rows = [Row(f"{median}, {unit} ({level} CI)", cells(lambda f: median_cell(f["median"])), "indent"),
            Row(f"25th and 75th percentiles, {unit}", cells(quartiles_cell), "indent")]
    rows += [Row(label.format(unit=unit), cells(pick), "indent") for label, pick in extra]
    for i, mark in enumerate(fit["landmarks"]):
        label = rate.format(time=format(mark["time"], "g"), unit=unit)
        rows.append(Row(f"{label} ({level} CI)",
                        cells(lambda f, i=i: landmark_cell(f["landmarks"][i]) if i < len(f["landmarks"]) else NE),
                        "indent"))
    return rows


def median_cell(q: dict) -> str:
    """'13.8 (4.6–NE)'; NR where the median is not reached."""
    if q["estimate"] is None and not mocking():  # a mock shell tells not whether it is reached
        return f"{NR} ({time_cell(q['ci_low'], NE)}\u2013{time_cell(q['ci_high'], NE)})"
    return estimate_with_limits(q["estimate"], q["ci_low"], q["ci_high"], missing=NE)


def quartiles_cell(fit: dict) -> str:
    """'4.6, NR': the 25th and 75th percentiles, NR where one is not reached."""
    return f"{time_cell(fit['quartiles']['25']['estimate'], NR)}, {time_cell(fit['quartiles']['75']['estimate'], NR)}"


def landmark_cell(mark: dict) -> str:
    """'79.3% (59.6%–90.1%)', as the results' survival table prints a rate (DESIGN section 6)."""
    if mark["survival"] is None and not mocking():  # a mock shell tells not how far follow-up reaches
        return NE
    low, high = (NE if x is None and not mocking() else percent(x, 1) for x in (mark["ci_low"], mark["ci_high"]))
    return f"{percent(mark['survival'], 1)} ({low}\u2013{high})"


def time_cell(x: float | None, missing: str) -> str:
    return missing if x is None and not mocking() else number(x, 1)
