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
    action: str = "AEACN"  # action taken with the study treatment (CDISC ACN terms)
    fatal: str = "AESDTH"  # results in death (Y/N)
    onset: str = "ASTDT"


class AdamLabs(_Section):
    """`[adam.labs]`: laboratory results graded by CTCAE (ADLB), for the shift table."""
    # Unset: ADLB where it exists, else laboratory results were not collected; "" says they
    # were not collected; a dataset named here must exist.
    dataset: str | None = None
    test: str = "PARAMCD"  # the test's code: what [analysis.labs] tests names
    label: str = "PARAM"  # the test's name in the table, where the dataset has it
    grade: str = "ATOXGR"  # the record's CTCAE grade (0-4); empty: not graded, left out
    date: str = "ADT"
    baseline_flag: str = "ABLFL"  # the baseline record (Y), where the dataset has the variable
    baseline_grade: str = "BTOXGR"  # used where the dataset has no baseline_flag variable
    post_baseline: str | None = "ONTRTFL"  # post-baseline records (Y), where present; else dated after ADSL's start
    analysis_flag: str | None = None  # e.g. "ANL01FL": only records flagged Y are read


class AdamExposure(_Section):
    """ADEX, one record per patient and cycle (or administration), onto the tidy exposure columns."""
    # Unset: ADEX where it exists, else exposure was not collected; "" says it was not
    # collected; a dataset named here must exist.
    dataset: str | None = None
    paramcd: str | None = None  # keep the records of this PARAMCD (a parameterised ADEX); None keeps all
    cycle: str = "AVISITN"
    start: list[str] = Field(default=["ASTDT", "EXSTDTC"], min_length=1)  # the first present
    end: list[str] = ["AENDT", "EXENDTC"]  # the first present; none: not collected
    dose: list[str] = ["EXDOSE", "AVAL"]  # the first present; none: not collected
    planned_dose: str = "EXPLDOS"  # absent: not collected
    # A sponsor-defined variable holding interrupted | reduced | delayed (";"-separated, any
    # case), "none" or empty; None (the default): dose modifications not collected.
    action: str | None = None
    # The treatment of each record (several: the exposure table gives each its own band);
    # absent from the dataset or None: one treatment.
    treatment: str | None = "EXTRT"


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
    labs: AdamLabs = AdamLabs()
    # Disposition: end-of-study status (COMPLETED, DISCONTINUED, ONGOING), the reason for
    # discontinuation and the end-of-study date; each absent from ADSL is not collected.
    study_status: str = "EOSSTT"
    discontinued_reason: str = "DCSREAS"
    study_end: str = "EOSDT"
    # An ADSL variable with the reason a patient was not eligible (sponsor-defined: ADaM has no
    # standard one); None: reasons not collected. A variable named here must exist.
    ineligible_reason: str | None = None
    exposure: AdamExposure = AdamExposure()
