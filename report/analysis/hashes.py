"""Input hashes: for each ledger part, a SHA-256 of exactly the inputs it was computed from,
so that later work can cache a part and reuse it (results.json `input_hashes`).

What a part reads is declared with it (report.analysis.group.Reads): columns of the
subjects, time-to-event and adverse-event frames, analysis options, the grading, what was
not collected. Every part also reads what splits patients into arms: the subjects'
`subject_id` and `arm`, the `subject_id` of each frame it reads, and the `arms` option.
A part without a declaration is taken to read everything.

The serialisation is canonical, the same in every process and on every machine: JSON with
sorted keys (so columns sorted by name) holding each column as its distinct values, typed
and in text (floats by repr, dates in ISO form), and a digest of the little-endian codes
that place them in the rows. Rows keep the data's order: some parts read it (the first
record of a term gives its organ class), so the same rows in another order are another input.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Mapping

import numpy as np
import pandas as pd

from ..inputs.trial import Trial
from .group import Reads

FRAMES = ("subjects", "time_to_event", "adverse_events", "exposure", "labs")
GROUPING = {"subjects": ("subject_id", "arm"), "time_to_event": ("subject_id",), "adverse_events": ("subject_id",),
            "exposure": ("subject_id",), "labs": ("subject_id",)}
GROUPING_OPTIONS = ("arms",)


def input_hashes(trial: Trial, reads: Mapping[str, Reads | None]) -> dict[str, str]:
    """SHA-256 (hex) of each part's inputs, by ledger key, in key order."""
    columns = _Columns(trial)
    return {key: hashlib.sha256(canonical_inputs(key, reads[key], trial, columns)).hexdigest() for key in sorted(reads)}


def canonical_inputs(key: str, reads: Reads | None, trial: Trial, columns: _Columns | None = None) -> bytes:
    """The canonical serialisation of what the part `key` reads of `trial`."""
    reads = reads or everything(trial)
    columns = columns or _Columns(trial)
    options = trial.spec.analysis.model_dump(mode="json")
    document = {
        "part": key,
        "frames": {name: columns.frame(name, (*GROUPING[name], *getattr(reads, name)))
                   for name in FRAMES if name == "subjects" or getattr(reads, name)},
        "options": {name: options[name] for name in sorted({*GROUPING_OPTIONS, *reads.options})},
        **({"grading": trial.grading} if reads.grading else {}),
        **({"not_collected": sorted(trial.not_collected)} if reads.not_collected else {}),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode("ascii")


def everything(trial: Trial) -> Reads:
    """Every column of every frame, every analysis option."""
    def names(frame):
        return tuple(frame.columns) if frame is not None else ("subject_id",)

    return Reads(subjects=names(trial.subjects), time_to_event=names(trial.time_to_event),
                 adverse_events=names(trial.adverse_events), exposure=names(trial.exposure), labs=names(trial.labs),
                 options=tuple(type(trial.spec.analysis).model_fields),
                 grading=True, not_collected=True)


class _Columns:
    """Each column's digest, computed once however many parts read it."""

    def __init__(self, trial: Trial):
        self._frames = {name: getattr(trial, name) for name in FRAMES}
        self._digests: dict[tuple[str, str], str | None] = {}

    def frame(self, name: str, columns: tuple[str, ...]) -> dict | None:
        """The frame's rows and the digests of the columns named (None: not collected)."""
        frame = self._frames[name]
        if frame is None:
            return None
        return {"rows": len(frame), "columns": {column: self._digest(name, column) for column in sorted(set(columns))}}

    def _digest(self, name: str, column: str) -> str | None:
        if (name, column) not in self._digests:
            frame = self._frames[name]
            self._digests[name, column] = column_digest(frame[column]) if column in frame.columns else None
        return self._digests[name, column]


def column_digest(values: pd.Series) -> str:
    """SHA-256 of a column: its distinct values in order of first appearance, typed, then
    the codes of its rows in that order (-1: missing)."""
    codes, uniques = pd.factorize(values.to_numpy(), use_na_sentinel=True)
    text = json.dumps(distinct(uniques), ensure_ascii=True)  # Infinity, if ever, as JSON5 writes it
    digest = hashlib.sha256(text.encode("ascii"))
    digest.update(b"\n")
    digest.update(np.ascontiguousarray(codes, dtype="<i4").tobytes())
    return digest.hexdigest()


def distinct(uniques: np.ndarray) -> list:
    """The distinct values as [type, texts or numbers]: one type for the column where it
    has one (floats are written by repr), else each value typed (`canonical_value`)."""
    kind = pd.api.types.infer_dtype(uniques, skipna=False)
    if kind in SIMPLE:
        return [kind, uniques.astype(SIMPLE[kind]).tolist()]
    return ["typed", [canonical_value(v) for v in uniques]]


SIMPLE = {"string": object, "integer": np.int64, "floating": np.float64, "boolean": bool}


def canonical_value(value) -> str:
    """One value as typed text: the same value gives the same text on every machine."""
    if isinstance(value, (bool, np.bool_)):
        return f"b:{bool(value)}"
    if isinstance(value, (int, np.integer)):
        return f"i:{int(value)}"
    if isinstance(value, (float, np.floating)):
        return f"f:{float(value)!r}"
    if isinstance(value, str):
        return f"s:{value}"
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return f"t:{value.isoformat()}"
    if isinstance(value, dt.date):
        return f"d:{value.isoformat()}"
    if isinstance(value, np.datetime64):
        return f"t:{np.datetime_as_string(value)}"
    return f"{type(value).__name__}:{value}"
