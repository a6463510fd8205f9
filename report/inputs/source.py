"""What a reader (tidy or ADaM) hands the pipeline: the same tables for every input kind."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .derive import Endpoint


@dataclass(frozen=True, eq=False)
class SourceTables:
    subjects: pd.DataFrame  # one row per patient; `efficacy` and `safety` flag the populations
    adverse_events: pd.DataFrame | None  # None: adverse events were not collected (no such dataset)
    inputs: tuple[Path, ...]
    # Time-to-event rows (subject_id, endpoint, days, event, start_on, end_on), or None
    # when they are derived from the subjects' dates (tidy input).
    time_to_event: pd.DataFrame | None = None
    endpoints: tuple[Endpoint, ...] = ()
    grading: str = "ctcae"  # ctcae: grades 1-5; severity: 1 mild, 2 moderate, 3 severe
    # Subject columns the data do not hold (not collected, never taken as empty or zero).
    not_collected: frozenset[str] = frozenset()
    # Optional per-patient rows: treatment cycles or administrations (report.inputs: exposure
    # columns) and laboratory results; None: not collected (no such file or dataset).
    exposure: pd.DataFrame | None = None
    labs: pd.DataFrame | None = None
    # Tidy input: the rows of endpoints.csv (report.inputs.tidy_endpoints.FRAME_COLUMNS), not
    # yet cut; their endpoints are in `endpoints`, after which the derived OS and DFS go first.
    endpoint_rows: pd.DataFrame | None = None
