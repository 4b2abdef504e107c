"""Benchmark: start-up of the command line, `annotator --version` and `annotator status`.

Each command runs N times in a fresh process (round robin, after one warm-up run each, so load
on the machine falls on all of them alike); the wall times are printed as median and p90. The
baseline, measured in the same run, is `python -c "import sqlalchemy, yaml"`: the libraries no
command can do without. `status` reads the demo database (the sample corpus and annotator
`demo`, as `annotator demo` makes it), created in a temporary directory. The commands run this
checkout (`python -m annotator` from its root), not an installed copy.
Targets: --version <= 1.5x the baseline, status <= 2.5x.

    python tests/benchmarks/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGETS = {"annotator --version": 1.5, "annotator status": 2.5}


def make_demo_database(path: Path) -> None:
    """Create the demo database at `path` with this checkout's code, in a child process."""
    script = "import sys; from annotator.cli.annotate_commands import prepare_demo; prepare_demo(sys.argv[1])"
    subprocess.run([sys.executable, "-c", script, str(path)], cwd=ROOT, check=True, capture_output=True)


def commands(database: Path) -> dict[str, list[str]]:
    """What to time, by name; the baseline first."""
    return {
        "baseline (import sqlalchemy, yaml)": [sys.executable, "-c", "import sqlalchemy, yaml"],
        "annotator --version": [sys.executable, "-m", "annotator", "--version"],
        "annotator status": [sys.executable, "-m", "annotator", "status", "--db", str(database)],
    }


def wall_time(argv: list[str]) -> float:
    """Seconds from start to exit of `argv` in a fresh process; it must succeed."""
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def time_round_robin(named: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """`runs` wall times of each command, taken in turns after one untimed warm-up each."""
    for argv in named.values():
        wall_time(argv)
    times: dict[str, list[float]] = {name: [] for name in named}
    for _ in range(runs):
        for name, argv in named.items():
            times[name].append(wall_time(argv))
    return times


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(times: dict[str, list[float]]) -> None:
    """Median and p90 of each command, then each command's medians against the baseline's."""
    baseline_name = next(iter(times))
    baseline = statistics.median(times[baseline_name])
    runs = len(times[baseline_name])
    print(f"wall time of {runs} runs each (median, p90):")
    for name, values in times.items():
        print(f"  {name:<36} {statistics.median(values):6.3f} s  {percentile(values, 0.9):6.3f} s")
    for name, target in TARGETS.items():
        ratio = statistics.median(times[name]) / baseline
        p90_ratio = percentile(times[name], 0.9) / percentile(times[baseline_name], 0.9)
        print(f"ratio {name} / baseline: median {ratio:.2f}, p90 {p90_ratio:.2f}  (target <= {target})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each command (default 10)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "annotator-demo.db"
        make_demo_database(database)
        report(time_round_robin(commands(database), args.runs))


if __name__ == "__main__":
    main()
