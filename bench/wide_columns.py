"""Benchmark, run by hand (not in CI): `trialreport validate` of a subjects.csv with many
extra columns (50,000 by default), against the same trial without them.

    python bench/wide_columns.py [--columns 50000] [--patients 20] [--rounds 3]

Extra columns ride along as baseline data; reading them must cost in proportion to their
cells, not a fixed price per column (issue 13, item 10: 14 s before, for 50,000 columns).
"""
from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import timed

SPEC = """[trial]
id = "WIDE"
title = "A trial with many extra baseline columns"

[study]
population = "Adults"
background = "Synthetic: written by bench/wide_columns.py."

[analysis]
responders = ["CR"]
"""
HEADER = ["subject_id", "enrolled_on", "age", "sex", "best_response", "response_on", "died_on", "last_contact_on"]
PATIENT = ["2016-01-01", "70", "F", "CR", "2016-02-01", "", "2017-01-01"]
AE = "subject_id,term,soc,grade,onset_on,attribution,serious\nP1,Fever,General disorders,1,2016-01-05,possible,no\n"


def write_trial(folder: Path, columns: int, patients: int) -> Path:
    folder.mkdir(parents=True)
    (folder / "trial.toml").write_text(SPEC, encoding="utf-8")
    (folder / "adverse_events.csv").write_text(AE, encoding="utf-8")
    with (folder / "subjects.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*HEADER, *(f"extra_{j}" for j in range(columns))])
        for i in range(1, patients + 1):
            writer.writerow([f"P{i}", *PATIENT, *(f"{i}.{j}" for j in range(columns))])
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--columns", type=int, default=50_000)
    parser.add_argument("--patients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trials = {"narrow": write_trial(Path(tmp) / "narrow", 0, args.patients),
                  "wide": write_trial(Path(tmp) / "wide", args.columns, args.patients)}
        times = {name: [] for name in trials}
        for _ in range(args.rounds):
            for name, folder in trials.items():
                times[name].append(timed([sys.executable, "-m", "report", "validate", str(folder)]))
    narrow, wide = (statistics.median(times[name]) for name in trials)
    cells = args.columns * args.patients
    print(f"validate, {args.patients} patients:  no extra columns {narrow:.2f} s;  "
          f"{args.columns:,} extra columns ({cells:,} cells) {wide:.2f} s;  "
          f"{(wide - narrow) / cells * 1e6:.2f} us per extra cell")


if __name__ == "__main__":
    main()
