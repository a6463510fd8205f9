"""The trial spec's `[[analysis.endpoints]]`: the time-to-event endpoints of a tidy
`endpoints.csv` (report.inputs.tidy_endpoints), each named, labelled and described.

```toml
[[analysis.endpoints]]
name = "efs"                      # the `endpoint` value in endpoints.csv and the ledger key
label = "Event-free survival"
description = "From registration to relapse, death or treatment failure."
origin = "registration"           # "months since registration"
population = "efficacy population"
competing = []                    # event_type values that are competing events
```
"""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from .spec_section import Section

DERIVED = ("os", "dfs")  # the endpoints tidy input derives from subjects.csv dates
NAME = r"^[a-z][a-z0-9_]*$"  # a ledger key: survival.<name>


class EndpointSpec(Section):
    name: str = Field(pattern=NAME, max_length=40)
    label: str = Field(min_length=1)
    description: str = ""  # one sentence for the methods section
    origin: str = Field(min_length=1)  # time zero, as in "months since registration"
    population: str = "efficacy population"
    competing: list[str] = []  # event_type values that are competing events, not events of interest

    @field_validator("name")
    @classmethod
    def _not_derived(cls, v: str) -> str:
        if v in DERIVED:
            raise ValueError(f"{v!r} is derived from the subjects' dates (overall and disease-free survival); "
                             "give this endpoint another name")
        return v

    @field_validator("competing")
    @classmethod
    def _competing_once_each(cls, v: list[str]) -> list[str]:
        names = [t.strip() for t in v]
        if any(not t for t in names):
            raise ValueError("a competing event type is empty")
        repeated = sorted({t for t in names if names.count(t) > 1})
        if repeated:
            raise ValueError(f"named more than once: {', '.join(repeated)}")
        return names


def _names_once_each(endpoints: list[EndpointSpec]) -> list[EndpointSpec]:
    names = [e.name for e in endpoints]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"endpoint(s) described more than once: {', '.join(repeated)}")
    return endpoints


Endpoints = Annotated[list[EndpointSpec], AfterValidator(_names_once_each)]
