"""The trial spec's `[analysis.adverse_events]` section: options of the adverse-event tables
(AET01 overview, AET02 by organ class and term, AET04 by worst grade, special interest)."""
from __future__ import annotations

from pydantic import Field, field_validator

from .spec_section import Section


class SpecialInterest(Section):
    """A group of adverse events of special interest: its name and its preferred terms
    (matched to the data's term case-insensitively; a term no event has is allowed)."""
    name: str = Field(min_length=1)
    terms: list[str] = Field(min_length=1)

    @field_validator("terms")
    @classmethod
    def _distinct(cls, v: list[str]) -> list[str]:
        seen = [t.strip().casefold() for t in v]
        if any(not t for t in seen):
            raise ValueError("a term may not be empty")
        if len(set(seen)) < len(seen):
            raise ValueError("a term is listed twice")
        return v


class AdverseEventTables(Section):
    # Fisher's exact test of each arm against the reference arm (the first of [analysis] arms).
    p_values: bool = False
    special_interest: list[SpecialInterest] = []

    @field_validator("special_interest")
    @classmethod
    def _named_once(cls, v: list[SpecialInterest]) -> list[SpecialInterest]:
        names = [g.name.casefold() for g in v]
        if len(set(names)) < len(names):
            raise ValueError("a group of special interest is named twice")
        return v
