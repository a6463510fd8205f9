"""The trial spec's `[adam]` section: where the ADaM variables are (defaults follow the ADaM
implementation guide)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from .spec_section import Section as _Section


class AdamEndpoint(_Section):
    paramcd: str
    name: str | None = None  # ledger key; default: PARAMCD in lower case
    label: str | None = None  # default: the dataset's PARAM
    origin: str = "randomization"


class AdamResponse(_Section):
    dataset: str = "adrs"
    paramcd: str = "BOR"


class AdamAdverseEvents(_Section):
    # Unset: ADAE where it exists, else adverse events were not collected; "" says they
    # were not collected; a dataset named here must exist.
    dataset: str | None = None
    term: str = "AEDECOD"
    soc: str = "AEBODSYS"
    grade: str = "AETOXGR"  # CTCAE grade; where the dataset lacks it, severity is used
    severity: str = "AESEV"
    severity_scale: dict[str, int] = {"MILD": 1, "MODERATE": 2, "SEVERE": 3}
    treatment_emergent: str | None = "TRTEMFL"  # keep records flagged Y; None keeps all
    serious: str = "AESER"
    related: str = "AEREL"
    onset: str = "ASTDT"


class Adam(_Section):
    """Where the ADaM variables are: defaults follow the ADaM implementation guide."""
    adsl: str = "adsl"
    adtte: str = "adtte"
    subject: str = "USUBJID"
    arm: str = "TRT01A"
    efficacy_flag: str = "ITTFL"
    safety_flag: str = "SAFFL"
    itt_flag: str = "ITTFL"  # the intent-to-treat population, where ADSL has it
    # Time zero: the first of these ADSL variables present.
    start: list[str] = Field(default=["RANDDT", "TRTSDT"], min_length=1)
    death_date: str = "DTHDT"
    death_cause: str = "DTHCAUS"
    last_alive: str = "LSTALVDT"
    endpoints: list[AdamEndpoint] = []  # empty: every time-valued PARAMCD in ADTTE
    aval_unit: Literal["days", "weeks", "months", "years"] | None = None  # when ADTTE has no AVALU
    response: AdamResponse | None = None
    adverse_events: AdamAdverseEvents = AdamAdverseEvents()
