"""Write a large synthetic three-arm trial for the benchmarks: by default 10,000 patients
and 500,000 adverse-event rows, as tidy CSV with a trial.toml.

    python bench/large_trial.py OUT_DIR [--patients 10000] [--ae-rows 500000] [--seed 1]

The data are random but valid and deterministic for a seed: times and responses differ
by arm, AEs cover 120 terms in 12 organ classes with grades 1-5.
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

[dsmb]
planned_accrual = {patients}
accrual_start = 2019-01-01
accrual_rate = {rate}
"""


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


def write(out: Path, patients: int, ae_rows: int, seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    people = subjects(patients, rng)
    people.to_csv(out / "subjects.csv", index=False)
    adverse_events(people, ae_rows, rng).to_csv(out / "adverse_events.csv", index=False)
    rate = round(patients / 48, 2)
    (out / "trial.toml").write_text(SPEC.format(patients=patients, rate=rate), encoding="utf-8")
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
