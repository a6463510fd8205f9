"""The numbers ledger (`results.json`, DESIGN section 7): every figure a report shows."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from dataclasses import dataclass, field

from ..stats.comparison import ArmComparison
from .response_comparison import ResponseComparison
from .response import MrdSummary, ResponseSummary
from .safety import SafetySummary
from ..stats.survival import Survival

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class TrialId:
    id: str
    title: str


@dataclass(frozen=True)
class Population:
    enrolled: int
    eligible: int
    treated: int
    evaluable: int  # eligible and treated: the efficacy population
    safety: int  # treated


@dataclass(frozen=True)
class Accrual:
    first_enrolled_on: dt.date
    last_enrolled_on: dt.date


@dataclass(frozen=True)
class Age:
    n: int
    median: float | None
    minimum: float | None
    maximum: float | None
    mean: float | None


@dataclass(frozen=True)
class Share:
    count: int
    proportion: float | None

    @classmethod
    def of(cls, count: int, n: int) -> Share:
        """`count` of `n`; the proportion None where `n` is 0 (printed "-")."""
        return cls(count, count / n if n else None)


@dataclass(frozen=True)
class Baseline:
    age: Age | None  # None: the data hold no age (not collected)
    sex: dict[str, Share] | None  # None: the data hold no sex (not collected)


@dataclass(frozen=True)
class Methods:
    proportion_ci: str
    proportion_ci_name: str
    km_conf_type: str
    confidence: float
    time_unit: str
    days_per_unit: float
    landmarks: tuple[float, ...]
    responders: tuple[str, ...]
    early_death_days: tuple[int, ...]
    ae_grading: str  # ctcae (grades 1-5) or severity (1 mild, 2 moderate, 3 severe)
    populations: dict[str, str]  # efficacy, safety: each population's definition as a sentence's predicate
    variables: dict[str, str] = field(default_factory=dict)  # the pipeline's columns as the source names them (ard.csv)


@dataclass(frozen=True)
class EndpointInfo:
    label: str
    origin: str
    population: str
    description: str = ""  # the spec's sentence for the methods section ("" for OS, DFS and ADaM)
    as_delivered: bool = False  # given as times: the data cutoff could not be applied


@dataclass(frozen=True)
class ArmResults:
    """The blocks a report shows for one group of patients: an arm, or all of them."""
    population: Population
    accrual: Accrual
    baseline: Baseline
    response: ResponseSummary | None  # None: the data hold no response
    mrd: MrdSummary | None  # None: the data hold no MRD result
    survival: dict[str, Survival]  # by endpoint, e.g. "os", "dfs"
    safety: SafetySummary
    parts: dict[str, object] = field(default_factory=dict)  # the blocks' own parts, by block id

    def to_dict(self) -> dict:
        return _flat(plain(self))


@dataclass(frozen=True)
class Results:
    schema_version: str
    trial: TrialId
    data_cutoff: dt.date
    methods: Methods
    population: Population
    accrual: Accrual
    baseline: Baseline
    response: ResponseSummary | None
    mrd: MrdSummary | None
    endpoints: dict[str, EndpointInfo]  # how reports name each time-to-event endpoint
    survival: dict[str, Survival]
    safety: SafetySummary
    arms: tuple[str, ...]  # empty for a single-arm trial; the first is the reference
    by_arm: dict[str, ArmResults]
    comparisons: dict[str, ArmComparison]  # by endpoint: log-rank and hazard ratios
    # Responders of each arm against the reference: rate difference, odds ratio, CMH where stratified.
    response_comparison: ResponseComparison | None
    excluded_arms: dict[str, int]  # patients of the arms the spec excludes, left out of every figure
    # The blocks' own parts (report.blocks), by block id: at the top level of results.json,
    # after the core parts, and under `by_arm.<arm>.<id>`.
    parts: dict[str, object] = field(default_factory=dict)
    input_hashes: dict[str, str] = field(default_factory=dict)  # by ledger part: SHA-256 of its inputs

    def to_dict(self) -> dict:
        ledger = _flat(plain(self))
        ledger["by_arm"] = {arm: _flat(part) for arm, part in ledger["by_arm"].items()}
        ledger["input_hashes"] = ledger.pop("input_hashes")  # last, after the blocks' parts
        return ledger

    def to_json(self) -> str:
        return ledger_json(self.to_dict())


def ledger_json(ledger: dict) -> str:
    """results.json's text, from the ledger as `Results.to_dict` gives it."""
    return json.dumps(ledger, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _flat(ledger: dict) -> dict:
    """The blocks' parts at the level of the core parts, after them."""
    return {**{k: v for k, v in ledger.items() if k != "parts"}, **ledger["parts"]}


# Keys of results.json no block id may take: the core parts, and what a kind adds (the DSMB's).
RESERVED_KEYS = frozenset(f.name for f in dataclasses.fields(Results)) | {"report", "dsmb", "stopping", "efficacy_changes"}


def plain(value):
    """JSON-ready: dataclasses as dicts, dates as ISO text, tuples as lists."""
    names = _field_names(type(value))
    if names:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names (cached: a large trial's ledger holds 100,000 of them)."""
    return tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else ()
