"""Compare coders on a units x coders table: all of them, each pair, each one against the rest.

`values` tables are float (NaN = no value), one column per coder; `annotators` are the
column indexes of real annotators (the gold pseudo-coder is compared in pairs only).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from annotator.agreement.alpha import Level, krippendorff_alpha
from annotator.agreement.bootstrap import bootstrap_alpha
from annotator.agreement.kappa import cohen_kappa
from annotator.agreement.results import Measure, PairMatrix, TimePoint


@dataclass(frozen=True)
class Resampling:
    """Bootstrap settings shared by every interval of a report."""

    n_boot: int
    seed: int = 0
    ci: float = 0.95


def alpha_measure(
    measure: str, scope: str, item: str, table: np.ndarray, level: Level, resampling: Resampling
) -> Measure:
    """Krippendorff's alpha of `table` with its bootstrap interval, as a `Measure`."""
    interval = bootstrap_alpha(table, level, resampling.n_boot, resampling.seed, resampling.ci)
    return Measure(
        measure,
        scope,
        item,
        interval.alpha,
        interval.low,
        interval.high,
        interval.n_units,
        interval.n_pairable,
    )


def pair_name(first: str, second: str) -> str:
    """How a pair of coders is named in a report: "first|second"."""
    return f"{first}|{second}"


def paired(values: np.ndarray, first: int, second: int) -> np.ndarray:
    """The two coders' columns, on the units where both gave a value."""
    table = values[:, [first, second]]
    return table[~np.isnan(table).any(axis=1)]


def against_others(values: np.ndarray, coder: int, others: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """`coder`'s value beside each other coder's value on the same unit, stacked.

    Returns a 2-column table (this coder, the other) with one row per pair of values and
    the unit index of each row: alpha over it is the coder's agreement with the others pooled.
    """
    tables, units = [], []
    for other in others:
        both = ~np.isnan(values[:, coder]) & ~np.isnan(values[:, other])
        tables.append(values[both][:, [coder, other]])
        units.append(np.flatnonzero(both))
    if not tables:
        return np.empty((0, 2)), np.empty(0, dtype=np.intp)
    return np.concatenate(tables), np.concatenate(units)


def coder_comparisons(
    measure: str,
    values: np.ndarray,
    coders: Sequence[str],
    annotators: Sequence[int],
    level: Level,
    resampling: Resampling,
) -> tuple[list[Measure], PairMatrix]:
    """Alpha for every pair of coders and for each annotator against the other annotators.

    Returns the measures (scope "pair" and "annotator") and the pairwise matrix.
    """
    measures = []
    matrix = np.full((len(coders), len(coders)), math.nan)
    units = np.zeros((len(coders), len(coders)), dtype=int)
    for first, second in combinations(range(len(coders)), 2):
        result = alpha_measure(
            measure,
            "pair",
            pair_name(coders[first], coders[second]),
            paired(values, first, second),
            level,
            resampling,
        )
        measures.append(result)
        matrix[first, second] = matrix[second, first] = result.coefficient
        units[first, second] = units[second, first] = result.n_units
    for coder in annotators:
        table, _ = against_others(values, coder, [other for other in annotators if other != coder])
        measures.append(alpha_measure(measure, "annotator", coders[coder], table, level, resampling))
    return measures, PairMatrix(measure, list(coders), matrix.tolist(), units.tolist())


def kappa_measures(
    values: np.ndarray, coders: Sequence[str], resampling: Resampling, weights: str = "linear"
) -> list[Measure]:
    """Weighted Cohen's kappa for every pair of coders, with a bootstrap interval.

    The interval resamples the pair's units: a multinomial draw of the pair's contingency
    table (the same distribution as drawing units with replacement), with the category
    ranks of the whole sample.
    """
    rng = np.random.default_rng(resampling.seed)
    measures = []
    for first, second in combinations(range(len(coders)), 2):
        table = paired(values, first, second)
        estimate = cohen_kappa(table[:, 0], table[:, 1], weights=weights)
        low = high = math.nan
        if not math.isnan(estimate):
            low, high = _kappa_interval(table, weights, resampling, rng)
        measures.append(
            Measure(
                f"kappa_{weights}",
                "pair",
                pair_name(coders[first], coders[second]),
                estimate,
                low,
                high,
                len(table),
                2 * len(table),
            )
        )
    return measures


def _kappa_interval(
    table: np.ndarray, weights: str, resampling: Resampling, rng: np.random.Generator
) -> tuple[float, float]:
    categories, codes = np.unique(table, return_inverse=True)
    codes = codes.reshape(table.shape)
    size = len(categories)
    counts = np.bincount(codes[:, 0] * size + codes[:, 1], minlength=size * size)
    draws = rng.multinomial(len(table), counts / counts.sum(), size=resampling.n_boot).reshape(-1, size, size)
    ranks = np.arange(size)
    gaps = np.abs(ranks[:, None] - ranks[None, :]).astype(float)
    weight = gaps if weights == "linear" else gaps**2
    expected = np.einsum("bi,bj->bij", draws.sum(axis=2), draws.sum(axis=1)) / len(table)
    chance = (expected * weight).sum(axis=(1, 2))
    observed = (draws * weight).sum(axis=(1, 2))
    kappas = 1.0 - np.divide(observed, chance, out=np.full(len(chance), np.nan), where=chance > 0)
    kappas = kappas[~np.isnan(kappas)]
    if kappas.size == 0:
        return math.nan, math.nan
    low, high = np.quantile(kappas, [(1 - resampling.ci) / 2, (1 + resampling.ci) / 2])
    return float(low), float(high)


def periods_of(days: np.ndarray) -> tuple[str, np.ndarray]:
    """Group "YYYY-MM-DD" days ("" = none) into periods: days when they span at most 31 days,
    ISO weeks ("2025-W07") up to 26 weeks, else months ("2025-02"). Returns the period kind
    and an array shaped like `days` ("" stays "")."""
    unique = pd.unique(days.ravel())
    unique = np.array([day for day in unique if day], dtype=object)
    if unique.size == 0:
        return "day", days
    dates = pd.to_datetime(pd.Series(unique), format="%Y-%m-%d")
    span = (dates.max() - dates.min()).days
    if span <= 31:
        kind, labels = "day", dates.dt.strftime("%Y-%m-%d")
    elif span <= 26 * 7:
        iso = dates.dt.isocalendar()
        kind, labels = "week", iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    else:
        kind, labels = "month", dates.dt.strftime("%Y-%m")
    lookup = dict(zip(unique, labels.to_numpy(dtype=object), strict=True)) | {"": ""}
    return kind, pd.Series(days.ravel()).map(lookup).to_numpy(dtype=object).reshape(days.shape)


def time_points(
    values: np.ndarray, periods: np.ndarray, coders: Sequence[str], annotators: Sequence[int], level: Level
) -> list[TimePoint]:
    """Each annotator's alpha against the others, over the units they labelled in each period.

    A unit falls in the period of the annotator's own (latest) label on it.
    """
    points = []
    for coder in annotators:
        table, units = against_others(values, coder, [other for other in annotators if other != coder])
        when = periods[units, coder]
        for period in sorted(set(when) - {""}):
            rows = when == period
            points.append(
                TimePoint(coders[coder], period, krippendorff_alpha(table[rows], level), len(np.unique(units[rows])))
            )
    return points
