"""The trial spec (`trial.toml`): what the data cannot say, validated with pydantic."""
from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..errors import InputError, Problem
from .limits import MAX_DAYS, MAX_YEARS, in_date_range
from .spec_adverse_events import AdverseEventTables
from .spec_demographics import Demographics
from .spec_endpoints import Endpoints
from .spec_adam import Adam, AdamAdverseEvents, AdamEndpoint, AdamResponse  # noqa: F401 (re-exported)
from .spec_forest import Forest
from .spec_labs import Labs
from .spec_section import Section
from .spec_narrative import Narrative
from .spec_style import Style
from .spec_todo import is_todo, todo_keys, todo_problems, under_todo
from .style_files import style_problems
from .user_templates import folder_problems


def _within_a_century(days: object) -> object:
    """Days beyond 100 years refused with the limit, before pydantic tries a float of 1e20 as an integer."""
    if isinstance(days, (int, float)) and not isinstance(days, bool) and days > MAX_DAYS:
        raise ValueError(f"{days:g} days is beyond {MAX_YEARS} years ({MAX_DAYS} days)")
    return days


# A date a trial can have (1900-2200), and a number of days within 100 years.
SpecDate = Annotated[dt.date, AfterValidator(in_date_range)]
Days = Annotated[int, BeforeValidator(_within_a_century), Field(gt=0)]
UNITS_PER_YEAR = {"days": 365.25, "weeks": 365.25 / 7, "months": 12.0, "years": 1.0}

SPEC_FILE = "trial.toml"


_Section = Section


class Author(_Section):
    name: str
    affiliation: str = ""


class TrialInfo(_Section):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str
    short_title: str = ""
    nct_id: str = Field(default="", pattern=r"^(NCT\d{8})?$")
    phase: str = ""
    sponsor: str = ""
    design: str = ""
    data_cutoff: SpecDate | None = None
    authors: list[Author] = []


class ResponseDefinition(_Section):
    code: str
    label: str
    definition: str = ""


class StudyText(_Section):
    population: str
    background: str
    rationale: str = ""
    treatment: list[str] = []
    cycle: str = ""
    endpoints: str = ""
    response_definitions: list[ResponseDefinition] = []
    mrd_method: str = ""


class NextSteps(_Section):
    text: list[str] = []


class Analysis(_Section):
    time_unit: Literal["days", "weeks", "months", "years"] = "months"
    landmarks: list[float] = [6, 12]
    km_conf_type: Literal["log-log", "log", "plain"] = "log-log"
    proportion_ci: Literal["clopper-pearson", "wilson", "jeffreys", "agresti-coull"] = (
        "clopper-pearson"
    )
    confidence: float = Field(default=0.95, ge=0.5, le=0.999)
    responders: list[str] = []  # best-response codes that count as response
    response_categories: list[str] = []
    arms: list[str] = []  # report order of the arms, the reference first (default: sorted)
    exclude_arms: list[str] = []  # arms of the data left out of the analysis entirely
    early_death_days: list[Days] = [28]
    labs: Labs = Labs()  # [analysis.labs]: the laboratory shift table (report.inputs.spec_labs)
    deaths_after_last_dose_days: Days = 30  # the deaths table's window after the last dose (where exposure is collected)
    adverse_events: AdverseEventTables = AdverseEventTables()  # [analysis.adverse_events]
    demographics: Demographics | None = None  # the demographic and baseline table (spec_demographics.py)
    forest: Forest | None = None  # [analysis.forest]: the subgroup analysis (spec_forest.py)
    endpoints: Endpoints = []  # [[analysis.endpoints]]: the endpoints of a tidy endpoints.csv (spec_endpoints.py)
    # Stratification factors of the comparisons between arms: subject-level columns (tidy
    # subjects.csv columns, or ADSL variables such as STRATA1); the log-rank test, Cox model
    # and Cochran-Mantel-Haenszel test are stratified by them (report.inputs.strata_column).
    strata: list[str] = []
    rate_difference_method: Literal["wald", "wald-cc"] = "wald-cc"  # responders' rate difference (R prop.test)
    odds_ratio_method: Literal["fisher", "wald"] = "fisher"  # responders' odds ratio (R fisher.test, or Woolf)
    # The time-to-event endpoint of the duration-of-response table (from response onset, among
    # responders); unset: "dfs" where the trial has it. Checked against the trial's endpoints
    # once the data are read (report.inputs.trial).
    duration_of_response: str | None = None

    @model_validator(mode="after")
    def _responders_are_categories(self) -> "Analysis":
        unknown = [c for c in self.responders
                   if self.response_categories and c not in self.response_categories and not is_todo(c)]
        if unknown:
            raise PydanticCustomError("responders", "responders {unknown} are not among response_categories ({known})",
                                      {"unknown": ", ".join(unknown), "known": ", ".join(self.response_categories)})
        return self

    @field_validator("landmarks")
    @classmethod
    def _positive_landmarks(cls, v: list[float]) -> list[float]:
        if any(t <= 0 for t in v):
            raise ValueError("landmarks must be positive times")
        return sorted(v)

    @field_validator("early_death_days")
    @classmethod
    def _positive_days(cls, v: list[int]) -> list[int]:
        if any(d <= 0 for d in v):
            raise ValueError("early death windows must be positive numbers of days")
        return sorted(set(v))

    @field_validator("landmarks")
    @classmethod
    def _landmarks_within_a_century(cls, v: list[float], info: ValidationInfo) -> list[float]:
        unit = info.data.get("time_unit", "months")
        most = MAX_YEARS * UNITS_PER_YEAR[unit]
        if v and v[-1] > most:
            raise ValueError(f"{v[-1]:g} {unit} is beyond {MAX_YEARS} years ({most:g} {unit}); "
                             "landmarks must be within it")
        return v


class Source(_Section):
    kind: Literal["tidy", "adam"] = "tidy"
    path: str = "."
    subjects: str = "subjects.csv"  # tidy input
    # Tidy input. Unset: adverse_events.csv where it exists, else adverse events were not
    # collected; a file named here must exist.
    adverse_events: str | None = None
    labs: str | None = None  # tidy laboratory results; unset: labs.csv where it exists, else not collected
    # Tidy input. Unset: exposure.csv where it exists, else exposure was not collected.
    exposure: str | None = None
    endpoints: str | None = None  # tidy time-to-event rows; unset: endpoints.csv where it exists


class SimonRule(_Section):
    """Simon two-stage design on response: stop after stage 1 with r1 or fewer responses
    among the first n1 evaluable patients; at the end, activity is shown with more than
    r responses among n."""
    kind: Literal["simon"]
    name: str
    p0: float = Field(gt=0, lt=1)  # uninteresting response rate
    p1: float = Field(gt=0, lt=1)  # target response rate
    alpha: float | None = None
    power: float | None = None
    n1: int = Field(gt=0)
    r1: int = Field(ge=0)
    n: int = Field(gt=0)
    r: int = Field(ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> "SimonRule":
        problems = simon_problems(self)
        if problems:
            raise ValueError(f"the Simon rule {self.name!r} is inconsistent: " + "; ".join(problems))
        return self


def simon_problems(rule: SimonRule) -> list[str]:
    """What makes a Simon design impossible: 0 <= r1 < n1 < n, r1 <= r < n, p0 < p1."""
    problems = []
    if not rule.r1 < rule.n1:
        problems.append(f"r1 ({rule.r1}) must be less than n1 ({rule.n1})")
    if not rule.n1 < rule.n:
        problems.append(f"n1 ({rule.n1}) must be less than n ({rule.n})")
    if not rule.r1 <= rule.r < rule.n:
        problems.append(f"r ({rule.r}) must be at least r1 ({rule.r1}) and less than n ({rule.n})")
    if not rule.p0 < rule.p1:
        problems.append(f"p0 ({rule.p0:g}) must be less than p1 ({rule.p1:g})")
    return problems


class ToxicityRule(_Section):
    """Bayesian beta-binomial toxicity monitoring: with a Beta(prior_a, prior_b) prior on
    the rate of patients with the event, stop if P(rate > threshold | data) > limit."""
    kind: Literal["beta-binomial"]
    name: str
    min_grade: int = Field(default=3, ge=1, le=5)  # the event: an AE of at least this grade
    related_only: bool = False  # only AEs attributed possible, probable or definite
    prior_a: float = Field(default=1.0, gt=0, le=1000)  # as many patients' worth of prior, at most
    prior_b: float = Field(default=1.0, gt=0, le=1000)
    threshold: float = Field(gt=0, lt=1)
    limit: float = Field(gt=0, lt=1)
    max_patients: int = Field(gt=0, le=10_000)  # rows of the boundary table
    # The true rates under which the report gives the rule's chance of stopping (report.stats.stopping).
    acceptable_rate: float | None = Field(default=None, gt=0, lt=1)  # default: 10 points below threshold
    unacceptable_rate: float | None = Field(default=None, gt=0, lt=1)  # default: 10 points above

    @model_validator(mode="after")
    def _rates_in_order(self) -> "ToxicityRule":
        low, high = self.acceptable_rate or 0.0, self.unacceptable_rate or 1.0
        if not low < high or not low <= self.threshold <= high:
            raise ValueError(f"the toxicity rule {self.name!r} needs acceptable_rate <= threshold <= unacceptable_rate")
        return self


StoppingRule = Annotated[SimonRule | ToxicityRule, Field(discriminator="kind")]


class Recipients(_Section):
    open: list[str] = []  # the open report
    closed: list[str] = []  # the closed report: board members only


class Smtp(_Section):
    """The mail server; mail always goes over TLS: STARTTLS (submission, port 587) or
    implicit TLS from the first byte (SMTPS, port 465), the certificate checked either way."""
    host: str = "localhost"
    port: int = Field(default=587, ge=1, le=65535)  # 465 when security = "smtps"
    sender: str
    security: Literal["starttls", "smtps"] = "starttls"
    starttls: bool | None = None  # the older key: true is security = "starttls"; false needs "smtps"
    username_env: str = "TRIALREPORT_SMTP_USER"  # names of environment variables, never values
    password_env: str = "TRIALREPORT_SMTP_PASSWORD"

    @model_validator(mode="before")
    @classmethod
    def _smtps_port(cls, data: object) -> object:
        if isinstance(data, dict) and "port" not in data and data.get("security") == "smtps":
            return {**data, "port": 465}
        return data

    @field_validator("starttls")
    @classmethod
    def _never_in_clear(cls, v: bool | None, info: ValidationInfo) -> bool | None:
        security = info.data.get("security")
        if v is False and security == "starttls":
            raise PydanticCustomError("plain_smtp", 'false would send mail and the password in clear (plain '
                                      'SMTP); refusing. Use STARTTLS (starttls = true, the default) or implicit '
                                      'TLS (security = "smtps", port 465 by default)')
        if v is True and security == "smtps":
            raise PydanticCustomError("tls_conflict", 'true contradicts security = "smtps" (implicit TLS, no '
                                      'STARTTLS); remove starttls')
        return v


class Dsmb(_Section):
    prepared_by: str = ""
    status: str = ""  # authored study-status narrative
    planned_accrual: int | None = Field(default=None, gt=0, le=1_000_000)
    accrual_start: SpecDate | None = None  # when accrual was planned to start
    accrual_rate: float | None = Field(default=None, gt=0, le=100_000)  # expected patients per month
    previous_cutoff: SpecDate | None = None  # default: one month before the cutoff
    early_death_days: list[Days] = [28, 60]
    # Reasons, causes and terms naming these (by word stem, any case) reveal efficacy: the
    # open report shows them only pooled as "Disease-related"; the closed report in full.
    efficacy_words: list[str] = ["relapse", "progression", "progressive", "refractory"]
    stopping_rules: list[StoppingRule] = []
    recipients: Recipients = Recipients()
    smtp: Smtp | None = None


MAX_CHARS = 100_000  # an abstract's character limit, at most


class AbstractLimit(_Section):
    """A meeting's counting rule; unset keys come from the preset."""
    max_chars: int | None = Field(default=None, gt=0, le=MAX_CHARS)
    count_spaces: bool | None = None
    count_title: bool | None = None
    count_headings: bool | None = None
    tables: int | None = Field(default=None, ge=0)  # tables allowed
    figures: int | None = Field(default=None, ge=0)  # figures allowed


class AbstractText(_Section):
    meeting: Literal["ash", "asco", "eha", "custom"] = "custom"
    title: str = ""  # default: the trial's title
    background: str = ""  # default: the study background
    conclusion: str  # the authors' framing of the conclusions
    include_table: bool = False  # a small table of key results, where the meeting allows one
    limit: AbstractLimit = AbstractLimit()


class BlockChoice(_Section):
    """`[report.summary]`, `[report.dsmb_open]`, `[report.dsmb_closed]`, `[report.abstract]`: the page's blocks, in
    order (default: the kind's list). The ids are checked against the catalogue by
    report.kinds.kind.block_problems (the catalogue is a later stage than the spec)."""
    blocks: list[str] | None = Field(default=None, min_length=1)


class ReportOptions(_Section):
    # Per-arm AE tables list the terms reported in at least this % of some arm's patients.
    ae_min_percent: float = Field(default=0.0, ge=0, le=100)
    summary: BlockChoice = BlockChoice()
    dsmb_open: BlockChoice = BlockChoice()
    dsmb_closed: BlockChoice = BlockChoice()
    abstract: BlockChoice = BlockChoice()
    # A folder inside the trial folder: its partials and report.css go in front of the shipped
    # ones (report.inputs.user_templates; rendered in Jinja's sandbox).
    templates: str | None = None
    # The paper of every PDF and Word file; unset: the stylesheet's (the shipped one: A4), A4 in Word.
    paper: Literal["A4", "Letter"] | None = None
    style: Style = Style()  # [report.style]: logo, colours, fonts, running header and footer (spec_style.py)


class Spec(_Section):
    trial: TrialInfo
    study: StudyText
    analysis: Analysis
    next_steps: NextSteps = NextSteps()
    report: ReportOptions = ReportOptions()
    dsmb: Dsmb = Dsmb()
    abstract: AbstractText | None = None
    narrative: Narrative = Narrative()  # [narrative]: the user's text of the sections (spec_narrative.py)
    source: Source = Source()
    adam: Adam = Adam()


def load_spec(trial_dir: Path) -> Spec:
    """Read and validate `trial.toml`; every problem is reported with its key path."""
    path = trial_dir / SPEC_FILE
    if not path.is_file():
        raise InputError(Problem(str(path), "no trial spec here (expected trial.toml)"))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except RecursionError:
        raise InputError(Problem(str(path), "not valid TOML: tables or arrays are nested too deeply")) from None
    except UnicodeDecodeError:
        raise InputError(Problem(str(path), "is not UTF-8 text: save it again as UTF-8")) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(Problem(str(path), f"not valid TOML: {exc}")) from None
    except OSError as exc:
        raise InputError(Problem(str(path), f"cannot be read: {exc.strerror or exc}")) from None
    todo = {key for key, _ in todo_keys(raw)}  # values `trialreport init` left to fill in: never taken as given
    try:
        spec, problems = Spec.model_validate(raw), []
    except RecursionError:
        raise InputError(Problem(str(path), "values are nested too deeply for a trial spec")) from None
    except ValidationError as exc:
        spec, problems = None, [_problem(str(path), e) for e in exc.errors() if not under_todo(_key(e), todo)]
    problems = todo_problems(raw, str(path)) + problems
    problems += folder_problems(trial_dir, _templates_value(raw), str(path))
    problems += style_problems(trial_dir, _style_value(raw), str(path))
    if problems:
        raise InputError(problems)
    return spec


def _templates_value(raw: dict) -> object:
    report = raw.get("report")
    return report.get("templates") if isinstance(report, dict) else None


def _key(error: dict) -> str:
    return ".".join(str(part) for part in error["loc"])


def _style_value(raw: dict) -> object:
    report = raw.get("report")
    return report.get("style") if isinstance(report, dict) else None


def _problem(file: str, error: dict) -> Problem:
    key = _key(error)
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] == "value_error":  # our own validators' words, without pydantic's prefix
        message = message.removeprefix("Value error, ")
    return Problem(file, f"{key}: {message}")
