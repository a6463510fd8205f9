"""Benchmarks, run by hand (not in CI): each command's cold wall time against the floor.

    python bench/bench.py [--rounds 5] [--skip-large]

Every command runs as a fresh process, as a user would run it. Commands alternate within
each round so that machine noise hits all of them alike; the ratios use the medians of
the rounds. Peak memory is the largest sum of resident memory over the command's
process tree (the build and its PDF worker), sampled every 20 ms from /proc.

The package's modules are compiled to bytecode first, as a regular (non-editable) pip
install does, and PYTHONDONTWRITEBYTECODE is dropped: otherwise a machine that sets it
(this project's does) compiles every trialreport module at every run, which no installed
user pays and which the floor, importing installed libraries only, does not pay either.

The large trial (10,000 patients, 500,000 AE rows, 3 arms) and its tenth are generated
by bench/large_trial.py into a temporary folder first.

Also measured (issue 20): the CPU-seconds (user and system, every process of the command)
one more summary costs in a batch of six distinct trials, per page, against the floor's;
`watch` (bench/watch_times.py): from an edit of the spec's text or of a data file to the
live preview and to the new bundle; and, unless --skip-large, the peak memory of a batch
of 50 trials against one of 5.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from watch_times import watch_times  # noqa: E402

BATCH = 6  # trials in the batch whose marginal cost is measured against a batch of one
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "SOURCE_DATE_EPOCH": "1735689600"}
MEASURE_MEMORY = ("summary build (pdf, html)", "large trial build", "tenth trial build")
TARGETS = {  # ratio to the floor: the developers' guide's budgets (issue 20's for the batch)
    "summary build (pdf, html)": 1.3,
    "analyze": 0.4,
    "dsmb build": 2.0,
    "large trial build": 5.0,
    "one more report in a batch": 0.15,
}
WATCH_TARGETS = {"text edit: preview": 0.3, "text edit: pdf": 1.0, "data edit: preview": 0.6}


def commands(out: Path, large: Path | None, tenth: Path | None) -> dict[str, list[str]]:
    cli = [sys.executable, "-m", "report"]
    example = str(_bundled_example())
    portfolio = [str(p) for p in _distinct_copies(out.parent / "portfolio", BATCH)]
    jobs = {
        "floor": [sys.executable, str(HERE / "floor.py")],
        "summary build (pdf, html)": [*cli, "build", "--out", str(out)],
        "analyze": [*cli, "analyze"],
        "dsmb build": [*cli, "build", "--kind", "dsmb", "--no-encrypt", "--out", str(out)],
        "batch of 1": [*cli, "build", example, "--out", str(out)],
        f"batch of {BATCH}": [*cli, "build", *portfolio, "--out", str(out)],
    }
    if large and tenth:
        jobs["large trial build"] = [*cli, "build", str(large), "--out", str(out)]
        jobs["tenth trial build"] = [*cli, "build", str(tenth), "--out", str(out)]
    return jobs


def _distinct_copies(folder: Path, n: int) -> list[Path]:
    """`n` copies of the bundled example that differ as a portfolio's trials do, so that no
    build of the batch reuses another's figures (report.layout.figure_memo keeps figures by
    what they are drawn from): each its own trial id and, after the first, one patient's last
    contact a day earlier per copy (the survival, incidence and swimmer figures) and another
    patient's adverse events left out (the AE figure)."""
    import shutil

    copies = []
    for i in range(1, n + 1):
        copy = folder / f"s1318-{i}"
        shutil.copytree(_bundled_example(), copy)
        spec = copy / "trial.toml"
        spec.write_text(spec.read_text().replace('id = "S1318"', f'id = "S1318-{i}"', 1))
        if i > 1:
            _differ(copy, i - 1)
        copies.append(copy)
    return copies


def _differ(trial: Path, k: int) -> None:
    """The k-th distinct variant of the example's data (k >= 1)."""
    import datetime as dt

    import pandas as pd

    subjects = pd.read_csv(trial / "subjects.csv", dtype=str, keep_default_na=False)
    moved = subjects["subject_id"] == "S1318-011"  # alive, in follow-up, last seen 2018-06-26
    last = dt.date.fromisoformat(subjects.loc[moved, "last_contact_on"].item())
    subjects.loc[moved, "last_contact_on"] = (last - dt.timedelta(days=k)).isoformat()
    subjects.to_csv(trial / "subjects.csv", index=False)
    events = pd.read_csv(trial / "adverse_events.csv", dtype=str, keep_default_na=False)
    left_out = f"S1318-{(k - 1) % len(subjects) + 1:03d}"
    events[events["subject_id"] != left_out].to_csv(trial / "adverse_events.csv", index=False)


def _bundled_example() -> Path:
    from report.resources import bundled_trial

    return bundled_trial("s1318")


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user and system, of the command and every process it
    waited for: PDF workers, a batch's processes) of one cold run."""
    with tempfile.TemporaryFile() as errors:
        cpu_before = _children_cpu()
        start = time.perf_counter()
        process = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=errors, env=ENV)
        elapsed = time.perf_counter() - start
        cpu = _children_cpu() - cpu_before
        if process.returncode:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{errors.read().decode()}")
    return elapsed, cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def peak_memory(command: list[str]) -> int:
    """The largest resident bytes of the command's process tree, sampled every 20 ms
    (in a run of its own: sampling takes CPU the timed runs should not lose)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(0.02)
    return peak


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and its descendants now (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            children.setdefault(int(fields[1]), []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-large", action="store_true", help="leave out the large trial and its tenth")
    args = parser.parse_args()
    _compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        large = tenth = None
        if not args.skip_large:
            from large_trial import write

            large = write(Path(tmp) / "large", 10_000, 500_000)
            tenth = write(Path(tmp) / "tenth", 1_000, 50_000)
        jobs = commands(Path(tmp) / "out", large, tenth)
        times: dict[str, list[float]] = {name: [] for name in jobs}
        cpu: dict[str, list[float]] = {name: [] for name in jobs}
        for round_ in range(1, args.rounds + 1):
            for name, command in jobs.items():
                wall, seconds = timed(command)
                times[name].append(wall)
                cpu[name].append(seconds)
            print(f"round {round_} of {args.rounds} done", file=sys.stderr)
        peaks = {name: peak_memory(jobs[name]) for name in MEASURE_MEMORY if name in jobs}
        pages = _pages(next((Path(tmp) / "out" / "S1318-1" / "summary").glob("*/summary.pdf")))
        watched = watch_times(_bundled_example(), Path(tmp), ENV)
        portfolio = None if args.skip_large else _portfolio_memory(Path(tmp))
    report(times, peaks)
    report_cpu(cpu, pages)
    report_watch(watched, statistics.median(times["floor"]))
    if portfolio:
        five, fifty = portfolio
        print(f"\n{'peak memory, 50 trials / 5':<30}{fifty / five:>20.2f}{1.2:>9.2f}"
              f"   ({five / 2**20:,.0f} MB and {fifty / 2**20:,.0f} MB)")


def _pages(pdf: Path) -> int:
    import pikepdf

    with pikepdf.open(pdf) as document:
        return len(document.pages)


def _portfolio_memory(folder: Path) -> tuple[int, int]:
    """Peak memory of `build` over 5 distinct trials and over 50."""
    trials = [str(p) for p in _distinct_copies(folder / "fifty", 50)]
    cli = [sys.executable, "-m", "report", "build", "--format", "html", "--out"]
    return (peak_memory([*cli, str(folder / "out-5"), *trials[:5]]),
            peak_memory([*cli, str(folder / "out-50"), *trials]))


def report_cpu(cpu: dict[str, list[float]], pages: int) -> None:
    """Issue 20's measure of a batch: the CPU-seconds one more summary costs, per page, against
    the floor's CPU-seconds."""
    median = {name: statistics.median(values) for name, values in cpu.items()}
    more = (median[f"batch of {BATCH}"] - median["batch of 1"]) / (BATCH - 1)
    print(f"\nCPU: floor {median['floor']:.2f} s; one more summary in a batch {more:.2f} s, {pages} pages: "
          f"{more / pages:.3f} s a page, {more / pages / median['floor']:.3f}x the floor's (target 0.030)")


def report_watch(watched: dict[str, float], floor: float) -> None:
    print()
    for name, seconds in watched.items():
        print(f"watch, {name:<23}{seconds:>10.2f}{seconds / floor:>10.2f}{WATCH_TARGETS[name]:>9.2f}")


def _compile_package() -> None:
    """Bytecode for every trialreport module, as `pip install` writes it."""
    import compileall

    import report as package

    compileall.compile_dir(str(Path(package.__file__).parent), quiet=1)


def report(times: dict[str, list[float]], peaks: dict[str, int]) -> None:
    median = {name: statistics.median(values) for name, values in times.items()}
    floor = median["floor"]
    median["one more report in a batch"] = (median[f"batch of {BATCH}"] - median["batch of 1"]) / (BATCH - 1)
    print(f"{'command':<30}{'median s':>10}{'x floor':>10}{'target':>9}{'peak MB':>10}")
    for name, seconds in median.items():
        target = f"{TARGETS[name]:.2f}" if name in TARGETS else ""
        peak = f"{peaks[name] / 2**20:,.0f}" if peaks.get(name) else ""
        print(f"{name:<30}{seconds:>10.2f}{seconds / floor:>10.2f}{target:>9}{peak:>10}")
    if "large trial build" in median:
        ratio = median["large trial build"] / median["tenth trial build"]
        print(f"{'large / tenth':<30}{ratio:>20.2f}{3.0:>9.2f}")


if __name__ == "__main__":
    main()
