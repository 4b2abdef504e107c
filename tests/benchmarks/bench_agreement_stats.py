"""Benchmark: nominal Krippendorff's alpha against the `krippendorff` package, in the same run.

Two seeded tables of 10 categories with 20% missing values: 10 coders x 100,000 units and
5 coders x 1,000,000 units. Prints the best of `--repeats` times for both, the ratio
ours/theirs and the absolute difference between the two alphas. Targets: ratio
<= 1 and difference <= 1e-9 (exit status 1 otherwise).

    python tests/benchmarks/bench_agreement_stats.py [--repeats N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import krippendorff
import numpy as np

from annotator.agreement import krippendorff_alpha

CASES = [(10, 100_000), (5, 1_000_000)]
CATEGORIES = 10
MISSING = 0.2


def reliability_table(coders: int, units: int, seed: int) -> np.ndarray:
    """A units x coders float table of random categories with NaN for missing values."""
    rng = np.random.default_rng(seed)
    table = rng.integers(0, CATEGORIES, size=(units, coders)).astype(float)
    table[rng.random(table.shape) < MISSING] = np.nan
    return table


def best_time(function: Callable[[], float], repeats: int) -> tuple[float, float]:
    """The fastest of `repeats` calls, in seconds, and the value returned."""
    best, value = float("inf"), float("nan")
    for _ in range(repeats):
        start = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - start)
    return best, value


def main() -> int:
    """Time both implementations on every case; non-zero if ours is slower or differs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per implementation (best is kept)")
    repeats = parser.parse_args().repeats
    failed = False
    for seed, (coders, units) in enumerate(CASES):
        table = reliability_table(coders, units, seed)
        transposed = np.ascontiguousarray(table.T)  # the package takes coders x units
        ours, ours_alpha = best_time(lambda table=table: krippendorff_alpha(table, "nominal"), repeats)
        theirs, theirs_alpha = best_time(
            lambda transposed=transposed: krippendorff.alpha(
                reliability_data=transposed, level_of_measurement="nominal"
            ),
            repeats,
        )
        difference = abs(ours_alpha - float(theirs_alpha))
        print(
            f"{coders:>2} coders x {units:>9,} units: ours {ours:7.3f} s, krippendorff {theirs:7.3f} s, "
            f"ours/theirs {ours / theirs:5.2f}, |difference| {difference:.1e} (alpha {ours_alpha:.6f})"
        )
        failed |= ours > theirs or difference > 1e-9
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
