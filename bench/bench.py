"""Benchmarks, run by hand (not in CI): each command's cold wall time against the floor.

    python bench/bench.py [--rounds 5]

Commands alternate within each round so that machine noise hits all of them alike; the
ratios use the median of the rounds.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def commands(out: Path) -> dict[str, list[str]]:
    cli = [sys.executable, "-m", "report"]
    return {
        "floor": [sys.executable, str(HERE / "floor.py")],
        "summary build (pdf, html)": [*cli, "build", "--out", str(out)],
        "analyze": [*cli, "analyze"],
        "dsmb build": [*cli, "build", "--kind", "dsmb", "--no-encrypt", "--out", str(out)],
    }


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "SOURCE_DATE_EPOCH": "1735689600"})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        jobs = commands(Path(tmp))
        times: dict[str, list[float]] = {name: [] for name in jobs}
        for _ in range(rounds):
            for name, command in jobs.items():
                times[name].append(timed(command))
    floor = statistics.median(times["floor"])
    print(f"{'command':<28}{'median s':>10}{'x floor':>10}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<28}{median:>10.2f}{median / floor:>10.2f}")


if __name__ == "__main__":
    main()
