"""The trial spec's `[analysis.forest]`: the subgroup analysis of a forest plot.

`subgroups` names variables of `[analysis.demographics]` (by their key) that are
categorical or grouped by cut points; for each of their levels the hazard ratio of `arm`
against the reference arm (the first of `[analysis] arms`) on `endpoint`, and for each
variable the likelihood-ratio test of the arm-by-subgroup interaction.
"""
from __future__ import annotations

from pydantic import Field, field_validator

from .spec_section import Section


class Forest(Section):
    endpoint: str = "os"  # the ledger key of a time-to-event endpoint
    subgroups: list[str] = Field(min_length=1)  # keys of [analysis.demographics] variables
    arm: str | None = None  # the arm compared with the reference; default: the second arm

    @field_validator("subgroups")
    @classmethod
    def _once_each(cls, v: list[str]) -> list[str]:
        repeated = sorted({s for s in v if v.count(s) > 1})
        if repeated:
            raise ValueError(f"named more than once: {', '.join(repeated)}")
        return v
