"""The trial spec's `[analysis.labs]`: which laboratory tests the shift table shows."""
from __future__ import annotations

from pydantic import field_validator

from .spec_section import Section


class Labs(Section):
    """`tests`: the tests to show, in this order, by the data's test name (tidy `test`; ADaM
    PARAMCD). Empty: every test the data hold, by name. A test named here that the data never
    hold gets a "No data" row, so that a misspelt name shows rather than vanishes."""
    tests: list[str] = []

    @field_validator("tests")
    @classmethod
    def _once_each(cls, v: list[str]) -> list[str]:
        names = [t.strip() for t in v]
        if any(not t for t in names):
            raise ValueError("a test name is empty")
        repeated = sorted({t for t in names if names.count(t) > 1})
        if repeated:
            raise ValueError(f"named more than once: {', '.join(repeated)}")
        return names
