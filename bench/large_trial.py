"""Write a large synthetic three-arm trial for the benchmarks: by default 10,000 patients
and 500,000 adverse-event rows, as tidy CSV with a trial.toml.

    python bench/large_trial.py OUT_DIR [--patients 10000] [--ae-rows 500000] [--seed 1]

The data are random but valid and deterministic for a seed: times and responses differ
by arm, AEs cover 120 terms in 12 organ classes with grades 1-5; every block of the
summary is asked for (the spec's `[report.summary] blocks`), with what each needs: the
demographic table and a subgroup analysis, adverse events of special interest, treatment
cycles (exposure.csv), two laboratory tests at baseline and after (labs.csv) and the best
change in tumour size. The time on study (swimmer) plot is left out by its block above 300
patients.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

ARMS = ("Standard therapy", "Low dose", "High dose")
MONTHLY_HAZARD = (0.030, 0.024, 0.020)  # death, by arm
RESPONSE_P = (  # CR, PR, SD, PD, NE by arm
    (0.25, 0.20, 0.30, 0.20, 0.05),
    (0.30, 0.22, 0.26, 0.17, 0.05),
    (0.36, 0.22, 0.22, 0.15, 0.05),
)
RESPONSES = ("CR", "PR", "SD", "PD", "NE")
SOCS = (
    "Blood and lymphatic system disorders", "Cardiac disorders", "Gastrointestinal disorders",
    "General disorders and administration site conditions", "Infections and infestations",
    "Investigations", "Metabolism and nutrition disorders", "Musculoskeletal and connective tissue disorders",
    "Nervous system disorders", "Psychiatric disorders", "Respiratory, thoracic and mediastinal disorders",
    "Skin and subcutaneous tissue disorders",
)
ATTRIBUTIONS = ("unrelated", "unlikely", "possible", "probable", "definite")
START = np.datetime64("2019-01-01")
CUTOFF = np.datetime64("2024-06-30")
DAYS_PER_MONTH = 365.25 / 12

SPEC = """# Synthetic: written by bench/large_trial.py for the benchmarks.
[trial]
id = "LARGE"
title = "A large synthetic three-arm trial for benchmarks"
data_cutoff = 2024-06-30

[study]
population = "Synthetic patients."
background = "Random data, valid and deterministic for a seed."

[analysis]
time_unit = "months"
landmarks = [12, 24]
responders = ["CR", "PR"]
response_categories = ["CR", "PR", "SD", "PD", "NE"]
arms = ["Standard therapy", "Low dose", "High dose"]

[analysis.demographics]
[[analysis.demographics.variables]]
column = "sex"
kind = "categorical"
label = "Sex"
levels = ["F", "M"]
labels = {{ F = "Female", M = "Male" }}

[[analysis.demographics.variables]]
column = "age"
kind = "continuous"
label = "Age, years"

[[analysis.demographics.variables]]
column = "age"
name = "agegrp"
kind = "categorical"
label = "Age group"
cuts = [65]
groups = ["Under 65", "65 or older"]

[analysis.forest]
endpoint = "os"
subgroups = ["sex", "agegrp"]

[analysis.adverse_events]
special_interest = [
  {{ name = "The three most frequent", terms = ["Adverse event 001", "Adverse event 002", "Adverse event 003"] }},
  {{ name = "Cardiac", terms = ["Adverse event 002", "Adverse event 014", "Adverse event 026"] }},
]

[analysis.labs]
tests = ["Neutrophil count decreased", "Platelet count decreased"]

[report.summary]
blocks = {blocks}

[dsmb]
planned_accrual = {patients}
accrual_start = 2019-01-01
accrual_rate = {rate}
"""
BLOCKS = ("masthead", "key_results", "study", "disposition", "demographics", "results", "tte_summary",
          "duration_of_response", "cumulative_incidence", "forest", "swimmer", "waterfall", "exposure",
          "toxicity", "ae_overview", "aesi", "labs_shift", "deaths", "next_steps", "methods")
LAB_TESTS = ("Neutrophil count decreased", "Platelet count decreased")
CYCLE_DAYS = 28


def subjects(n: int, rng: np.random.Generator) -> pd.DataFrame:
    arm = rng.integers(0, len(ARMS), n)
    enrolled = START + np.sort(rng.integers(0, 4 * 365, n)).astype("timedelta64[D]")
    follow = (CUTOFF - enrolled).astype(int)
    death_day = np.ceil(rng.exponential(1 / np.take(MONTHLY_HAZARD, arm)) * DAYS_PER_MONTH).astype(int)
    loss_day = np.ceil(rng.exponential(60 * DAYS_PER_MONTH, n)).astype(int)
    died = death_day <= np.minimum(follow, loss_day)
    last_day = np.where(died, death_day, np.minimum(follow, loss_day))
    response = _responses(arm, rng)
    responder = response <= 1
    response_day = np.minimum(rng.integers(28, 120, n), np.maximum(last_day - 1, 0))
    responder &= response_day >= 1
    response = np.where((response <= 1) & ~responder, 2, response)
    relapse_day = response_day + np.ceil(rng.exponential(18 * DAYS_PER_MONTH, n)).astype(int)
    relapsed = responder & (relapse_day < last_day)
    day = lambda d, keep: np.where(keep, (enrolled + d.astype("timedelta64[D]")).astype(str), "")  # noqa: E731
    return pd.DataFrame({
        "subject_id": [f"P{i:05d}" for i in range(1, n + 1)],
        "arm": np.take(ARMS, arm),
        "enrolled_on": enrolled.astype(str),
        "age": rng.integers(40, 86, n),
        "sex": rng.choice(["F", "M"], n),
        "eligible": np.where(rng.random(n) < 0.97, "true", "false"),
        "treated": np.where(rng.random(n) < 0.98, "true", "false"),
        "best_response": np.take(RESPONSES, response),
        "response_on": day(response_day, responder),
        "response_cycle": np.where(responder, (response_day // 42 + 1).astype(str), ""),
        "mrd": "",
        "relapse_on": day(relapse_day, relapsed),
        "died_on": day(last_day, died),
        "death_cause": np.where(died, "Disease progression", ""),
        "last_contact_on": day(last_day, np.ones(n, bool)),
        "off_study_on": "",
        "off_study_reason": "",
        "best_change": np.round(np.where(responder, -30 - 70 * rng.random(n), 60 * rng.random(n) - 29), 1),
    })


def _responses(arm: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cumulative = np.cumsum(np.array(RESPONSE_P), axis=1)[arm]
    return (rng.random(len(arm))[:, None] > cumulative).sum(axis=1)


def adverse_events(people: pd.DataFrame, rows: int, rng: np.random.Generator) -> pd.DataFrame:
    terms = [f"Adverse event {i + 1:03d}" for i in range(120)]
    weight = 1 / np.arange(1, len(terms) + 1)
    term = rng.choice(len(terms), rows, p=weight / weight.sum())
    who = np.sort(rng.integers(0, len(people), rows))
    enrolled = people["enrolled_on"].to_numpy("datetime64[D]")[who]
    last = people["last_contact_on"].to_numpy("datetime64[D]")[who]
    span = (last - enrolled).astype(int)
    onset = enrolled + (rng.random(rows) * (span + 1)).astype(int).astype("timedelta64[D]")
    grade = rng.choice(5, rows, p=[0.45, 0.30, 0.18, 0.05, 0.02]) + 1
    return pd.DataFrame({
        "subject_id": people["subject_id"].to_numpy()[who],
        "term": np.take(terms, term),
        "soc": np.take(SOCS, term % len(SOCS)),
        "grade": grade,
        "onset_on": onset.astype(str),
        "attribution": rng.choice(ATTRIBUTIONS, rows),
        "serious": np.where((grade >= 3) & (rng.random(rows) < 0.4), "true", "false"),
    })


def exposure(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Up to six 28-day cycles for each treated patient, while on study; one in ten reduced."""
    treated = people[people["treated"] == "true"]
    enrolled = treated["enrolled_on"].to_numpy("datetime64[D]")
    span = (treated["last_contact_on"].to_numpy("datetime64[D]") - enrolled).astype(int)
    cycles = np.clip(span // CYCLE_DAYS, 1, 6)
    who = np.repeat(np.arange(len(treated)), cycles)
    cycle = np.concatenate([np.arange(1, c + 1) for c in cycles])
    start = enrolled[who] + ((cycle - 1) * CYCLE_DAYS).astype("timedelta64[D]")
    reduced = rng.random(len(who)) < 0.1
    return pd.DataFrame({
        "subject_id": treated["subject_id"].to_numpy()[who],
        "treatment": "Study drug",
        "cycle": cycle,
        "start_on": start.astype(str),
        "end_on": (start + np.timedelta64(CYCLE_DAYS - 1, "D")).astype(str),
        "dose": np.where(reduced, 75, 100),
        "planned_dose": 100,
        "action": np.where(reduced, "reduced", ""),
    })


def labs(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Each laboratory test at baseline (the day of enrolment) and on days 14 and 42 where the
    patient was still on study; grades 0-4."""
    frames = []
    enrolled = people["enrolled_on"].to_numpy("datetime64[D]")
    span = (people["last_contact_on"].to_numpy("datetime64[D]") - enrolled).astype(int)
    for test in LAB_TESTS:
        for day in (0, 14, 42):
            seen = span >= day
            grade = rng.choice(5, int(seen.sum()), p=[0.55, 0.2, 0.12, 0.09, 0.04] if day else [0.8, 0.12, 0.05, 0.02, 0.01])
            frames.append(pd.DataFrame({
                "subject_id": people["subject_id"].to_numpy()[seen],
                "test": test,
                "collected_on": (enrolled[seen] + np.timedelta64(day, "D")).astype(str),
                "grade": grade,
                "baseline": "Y" if day == 0 else "N",
            }))
    return pd.concat(frames, ignore_index=True).sort_values(["subject_id", "test", "collected_on"], kind="stable")


def write(out: Path, patients: int, ae_rows: int, seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    people = subjects(patients, rng)
    people.to_csv(out / "subjects.csv", index=False)
    adverse_events(people, ae_rows, rng).to_csv(out / "adverse_events.csv", index=False)
    exposure(people, rng).to_csv(out / "exposure.csv", index=False)
    labs(people, rng).to_csv(out / "labs.csv", index=False)
    rate = round(patients / 48, 2)
    blocks = "[" + ", ".join(f'"{b}"' for b in BLOCKS) + "]"
    (out / "trial.toml").write_text(SPEC.format(patients=patients, rate=rate, blocks=blocks), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--ae-rows", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(write(args.out, args.patients, args.ae_rows, args.seed))


if __name__ == "__main__":
    main()
