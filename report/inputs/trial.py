"""A trial as loaded: its spec and its data as of the cutoff (`load_trial`)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import cutoff as cut
from . import derive
from .narrative_sources import Source, narrative_sources
from .arms import EXCLUDED_COLUMNS, without_excluded_arms
from ..errors import InputError, Problem
from .limits import check_arm_count, date_outside
from ..resources import bundled_trial
from .source import SourceTables
from .spec import SPEC_FILE, Spec, load_spec
from .spec_endpoints import DERIVED
from .tidy import read_tidy
from .tidy_labs import DEFAULT_FILE as DEFAULT_LABS_FILE, read_labs
from .tidy_exposure import read_exposure
from .tidy_endpoints import DEFAULT_FILE as DEFAULT_ENDPOINTS_FILE, read_endpoints

DEFAULT_AE_FILE = "adverse_events.csv"
DEFAULT_EXPOSURE_FILE = "exposure.csv"


@dataclass(frozen=True, eq=False)
class Trial:
    spec: Spec
    directory: Path
    cutoff: dt.date
    subjects: pd.DataFrame  # as of the cutoff; `efficacy` and `safety` flag the populations
    adverse_events: pd.DataFrame | None  # as of the cutoff; None: not collected (no such dataset)
    endpoints: tuple[derive.Endpoint, ...]
    # subject_id, endpoint, days, event, event_type (report.inputs.derive.EVENT_TYPE; None where the
    # data do not say), and start_on/end_on where given; as of the cutoff
    time_to_event: pd.DataFrame
    inputs: tuple[Path, ...]  # the files it was read from
    grading: str = "ctcae"  # how adverse events are graded: ctcae or severity
    not_collected: frozenset[str] = frozenset()  # subject columns the data do not hold
    # Patients of the arms the spec excludes (subject_id, arm, enrolled_on), enrolled by the cutoff.
    excluded: pd.DataFrame = dataclasses.field(default_factory=lambda: pd.DataFrame(columns=EXCLUDED_COLUMNS))
    exposure: pd.DataFrame | None = None  # cycles or administrations started by the cutoff; None: not collected
    labs: pd.DataFrame | None = None  # laboratory results collected by the cutoff; None: not collected
    # The user's text of each section ([narrative]), as written: report.inputs.narrative_sources.
    narrative: dict[str, Source] = dataclasses.field(default_factory=dict)


def load_trial(
    path: str | Path | None = None,
    cutoff: dt.date | str | None = None,
    data: str | Path | None = None,
) -> Trial:
    """Load and validate a trial folder (the bundled S1318 example when `path` is None).

    `data` overrides the spec's `[source] path`; `cutoff` overrides the spec's
    `trial.data_cutoff`, which defaults to the last date in the data.
    """
    directory = Path(path) if path is not None else bundled_trial("s1318")
    spec = load_spec(directory)
    narrative = narrative_sources(directory, spec)
    data_dir = Path(data) if data is not None else directory / spec.source.path
    source = _read_adam(spec, data_dir) if spec.source.kind == "adam" else _read_tidy(spec, data_dir)
    source, excluded = without_excluded_arms(source, spec.analysis.exclude_arms)
    check_arm_count(source.subjects, source.inputs[0].name, spec.adam.arm if spec.source.kind == "adam" else "arm")
    return dataclasses.replace(_assemble(spec, directory, source, _cutoff(cutoff, spec, source), excluded),
                               narrative=narrative)


def as_of(trial: Trial, cutoff: dt.date) -> Trial:
    """The same trial as it stood at an earlier cutoff (applying a cutoff twice is the same
    as applying the earlier one)."""
    tidy = trial.spec.source.kind == "tidy"
    tte = None if tidy else trial.time_to_event
    given = trial.time_to_event[~trial.time_to_event["endpoint"].isin(DERIVED)] if tidy else None
    source = SourceTables(trial.subjects, trial.adverse_events, trial.inputs[1:], tte, trial.endpoints, trial.grading,
                          trial.not_collected, trial.exposure, trial.labs,
                          given if given is not None and "start_on" in given and len(given) else None)
    return dataclasses.replace(_assemble(trial.spec, trial.directory, source, cutoff, trial.excluded),
                               narrative=trial.narrative)


def _assemble(spec: Spec, directory: Path, source: SourceTables, as_of: dt.date, excluded: pd.DataFrame) -> Trial:
    subjects = cut.subjects_at(source.subjects, as_of)
    if subjects.empty:
        raise InputError(Problem(source.inputs[0].name, f"no patient was enrolled on or before the cutoff {as_of}"))
    if source.time_to_event is None:
        endpoints, time_to_event = _tidy_endpoints(subjects, spec, source, as_of)
    else:
        endpoints, time_to_event = source.endpoints, cut.time_to_event_at(source.time_to_event, subjects, as_of)
    _check_duration_endpoint(spec, endpoints)
    for column in (derive.EVENT_TYPE, derive.CENSOR_REASON):  # None where the data do not say
        if column not in time_to_event:
            time_to_event = time_to_event.assign(**{column: derive.none_column(len(time_to_event))})
    return Trial(
        spec=spec,
        directory=directory,
        cutoff=as_of,
        subjects=subjects,
        adverse_events=(cut.adverse_events_at(source.adverse_events, subjects, as_of)
                        if source.adverse_events is not None else None),
        endpoints=endpoints,
        time_to_event=time_to_event,
        inputs=(directory / SPEC_FILE, *source.inputs),
        grading=source.grading,
        not_collected=source.not_collected,
        excluded=excluded[excluded["enrolled_on"] <= as_of].reset_index(drop=True),
        exposure=cut.dated_rows_at(source.exposure, subjects, as_of, "start_on"),
        labs=cut.dated_rows_at(source.labs, subjects, as_of, "collected_on"),
    )


def _check_duration_endpoint(spec: Spec, endpoints: tuple[derive.Endpoint, ...]) -> None:
    """Stop (exit 2) where `[analysis] duration_of_response` names an endpoint the trial lacks."""
    chosen, names = spec.analysis.duration_of_response, [e.name for e in endpoints]
    if chosen is not None and chosen not in names:
        raise InputError(Problem(SPEC_FILE, f"analysis.duration_of_response: {chosen!r} is not an endpoint of this "
                                            f"trial (its endpoints: {', '.join(names) or 'none'})"))


def _tidy_endpoints(subjects: pd.DataFrame, spec: Spec, source: SourceTables, as_of: dt.date):
    """OS, and DFS where relapses were collected (without relapse_on, DFS would count deaths
    only); then the endpoints of endpoints.csv, as of the cutoff where given by dates."""
    derived = (derive.OVERALL_SURVIVAL,) + (() if "relapse_on" in source.not_collected else (derive.DISEASE_FREE_SURVIVAL,))
    time_to_event = derive.tidy_time_to_event(subjects, spec.analysis.responders)
    time_to_event = time_to_event[time_to_event["endpoint"].isin([e.name for e in derived])]
    given = tuple(e for e in source.endpoints if e.name not in DERIVED)
    rows = cut.endpoint_rows_at(source.endpoint_rows, subjects, as_of)
    if rows is not None:
        time_to_event = pd.concat([time_to_event.assign(start_on=derive.none_column(len(time_to_event)),
                                                       end_on=derive.none_column(len(time_to_event))), rows], ignore_index=True)
    return derived + given, time_to_event.reset_index(drop=True)


def _read_tidy(spec: Spec, data_dir: Path) -> SourceTables:
    subjects_path, ae_path = data_dir / spec.source.subjects, _optional_path(spec.source.adverse_events, DEFAULT_AE_FILE, data_dir)
    exposure_path = _optional_path(spec.source.exposure, DEFAULT_EXPOSURE_FILE, data_dir)
    labs_file = _optional_path(spec.source.labs, DEFAULT_LABS_FILE, data_dir)
    endpoints_file = _optional_path(spec.source.endpoints, DEFAULT_ENDPOINTS_FILE, data_dir)
    problems, tables = [], None
    try:
        tables = read_tidy(
            subjects_path, ae_path, responders=spec.analysis.responders, categories=spec.analysis.response_categories,
            arms=spec.analysis,
        )
    except InputError as error:  # the exposure and labs files' problems are reported with them
        problems = list(error.problems)
    exposure, absent = (read_exposure(exposure_path, tables.subjects if tables else None, problems)
                        if exposure_path is not None else (None, frozenset()))
    labs, lab_problems = read_labs(labs_file, tables.subjects if tables else None)
    problems += lab_problems
    rows, endpoints, endpoint_problems = read_endpoints(endpoints_file, tables.subjects if tables else None,
                                                        spec.analysis.endpoints, SPEC_FILE)
    problems += endpoint_problems
    if problems:
        raise InputError(problems)
    inputs = tuple(p for p in (subjects_path, ae_path, exposure_path, labs_file, endpoints_file) if p is not None)
    return SourceTables(tables.subjects, tables.adverse_events, inputs, endpoints=endpoints,
                        not_collected=tables.not_collected | absent, exposure=exposure, labs=labs, endpoint_rows=rows)


def _optional_path(named: str | None, default: str, data_dir: Path) -> Path | None:
    """An optional file: the one the spec names (it must exist), else `default` where it
    exists; None where the data were not collected."""
    if named is not None:
        return data_dir / named
    return data_dir / default if (data_dir / default).exists() else None


def _read_adam(spec: Spec, data_dir: Path) -> SourceTables:
    from .adam import read_adam

    if spec.analysis.endpoints:  # not silently ignored
        raise InputError(Problem(SPEC_FILE, "analysis.endpoints: describes the endpoints of a tidy endpoints.csv; "
                                            "with [source] kind = \"adam\", map ADTTE parameters with [[adam.endpoints]]"))
    return read_adam(spec, data_dir)


def _cutoff(given, spec: Spec, source: SourceTables) -> dt.date:
    if isinstance(given, str):
        try:
            given = dt.date.fromisoformat(given)
        except ValueError:
            raise InputError(Problem("--cutoff", f"{given!r} is not a date in the form YYYY-MM-DD")) from None
    if given is not None and date_outside(given):
        raise InputError(Problem("--cutoff", f"{given.isoformat()} {date_outside(given)}"))
    if given is not None:
        return given
    if source.subjects.empty:  # nothing to take the last date from
        raise InputError(Problem(source.inputs[0].name, "no patients: the data hold no rows"))
    dated = source.time_to_event if source.time_to_event is not None else source.endpoint_rows
    return spec.trial.data_cutoff or cut.latest_date(source.subjects, source.adverse_events, dated)
