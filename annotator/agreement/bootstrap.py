"""Bootstrap confidence intervals: Krippendorff's algorithm for alpha, percentiles over units otherwise."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from annotator.agreement.alpha import Coincidences, Level, coincidences
from annotator.errors import AnnotatorError


@dataclass(frozen=True)
class AlphaInterval:
    """Krippendorff's alpha with a bootstrap confidence interval."""

    alpha: float
    low: float
    high: float
    ci: float
    n_boot: int
    n_units: int
    """Pairable units: units with at least two values."""
    n_pairable: int
    """Values in pairable units (Krippendorff's n..)."""
    n_pairs: int
    """Pairs of values drawn in each resample."""


@dataclass(frozen=True)
class BootstrapInterval:
    """A statistic with a percentile bootstrap confidence interval."""

    estimate: float
    low: float
    high: float
    ci: float
    n_boot: int
    n_undefined: int
    """Resamples on which the statistic was NaN; they are left out of the percentiles."""


def bootstrap_alpha(
    data: Any, level: Level = "nominal", n_boot: int = 1000, seed: int = 0, ci: float = 0.95
) -> AlphaInterval:
    """Krippendorff's alpha with a bootstrap interval after Hayes & Krippendorff (2007).

    Each resample draws as many pairs of values as the data has pairable pairs (the sum
    of m_u (m_u - 1) / 2 over units), with replacement, from the coincidence matrix
    (pair (c, k) with probability o_ck / n), and keeps the expected disagreement of the
    data: ``alpha* = 1 - mean difference of the drawn pairs / D_e``. As in Krippendorff's
    algorithm, alpha* is floored at -1, and a resample whose pairs all agree on one single
    value has no variation and counts as alpha* = 0. The interval holds the central `ci`
    share of the alpha* values. The same `seed` gives the same interval.

    `data` and `level` are as for `krippendorff_alpha`; when alpha is NaN so are the bounds.
    """
    _check_settings(n_boot, ci)
    tally = coincidences(data, level)
    alpha = tally.alpha()
    low = high = math.nan
    if not math.isnan(alpha):
        low, high = _percentiles(_resampled_alphas(tally, n_boot, np.random.default_rng(seed)), ci)
    return AlphaInterval(alpha, low, high, ci, n_boot, tally.pairable_units, tally.n_pairable, tally.pairs)


def bootstrap_ci(
    statistic: Callable[..., float],
    *samples: Any,
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
) -> BootstrapInterval:
    """Percentile bootstrap over units for any agreement statistic.

    `samples` are equally long sequences indexed by unit (lists, numpy arrays, pandas
    objects; a units x coders table counts as one sample). Each resample draws units with
    replacement, the same units from every sample, and calls ``statistic(*resampled)``;
    e.g. ``bootstrap_ci(cohen_kappa, labels_a, labels_b)`` or
    ``bootstrap_ci(fleiss_kappa, table)``. Resamples on which the statistic is NaN are
    left out; if all are, the bounds are NaN. The same `seed` gives the same interval.
    """
    _check_settings(n_boot, ci)
    if not samples:
        raise AnnotatorError("bootstrap_ci needs at least one sample to resample")
    sizes = {len(sample) for sample in samples}
    if len(sizes) > 1:
        raise AnnotatorError(f"the samples have different numbers of units: {sorted(sizes)}")
    n_units = sizes.pop()
    estimate = float(statistic(*samples))
    rng = np.random.default_rng(seed)
    resampled = np.array(
        [
            statistic(*(_take(sample, units) for sample in samples))
            for units in rng.integers(0, n_units, size=(n_boot, n_units))
        ],
        dtype=float,
    )
    undefined = np.isnan(resampled)
    low, high = _percentiles(resampled[~undefined], ci)
    return BootstrapInterval(estimate, low, high, ci, n_boot, int(undefined.sum()))


def _resampled_alphas(tally: Coincidences, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Krippendorff's bootstrap: `n_boot` alphas of `tally.pairs` pairs drawn from the coincidences."""
    rows, columns = np.triu_indices(len(tally.observed))
    # An unordered pair {c, k} with c != k is drawn as (c, k) or as (k, c): twice o_ck.
    weights = np.where(rows == columns, 1.0, 2.0) * tally.observed[rows, columns]
    drawable = weights > 0
    rows, columns, weights = rows[drawable], columns[drawable], weights[drawable]
    draws = rng.multinomial(tally.pairs, weights / weights.sum(), size=n_boot)
    expected = float((tally.expected() * tally.delta).sum()) / tally.n_pairable
    alphas = np.maximum(1.0 - draws @ tally.delta[rows, columns] / (tally.pairs * expected), -1.0)
    alphas[(draws[:, rows == columns] == tally.pairs).any(axis=1)] = 0.0  # one value only: no variation
    return alphas


def _check_settings(n_boot: int, ci: float) -> None:
    if n_boot < 1:
        raise AnnotatorError(f"n_boot must be at least 1; got {n_boot}")
    if not 0 < ci < 1:
        raise AnnotatorError(f"ci must be between 0 and 1; got {ci}")


def _percentiles(values: np.ndarray, ci: float) -> tuple[float, float]:
    if values.size == 0:
        return math.nan, math.nan
    low, high = np.quantile(values, [(1 - ci) / 2, (1 + ci) / 2])
    return float(low), float(high)


def _take(sample: Any, units: np.ndarray) -> Any:
    """The rows `units` of a sample, keeping its kind (pandas, numpy or list)."""
    if hasattr(sample, "iloc"):
        return sample.iloc[units]
    if isinstance(sample, np.ndarray):
        return sample[units]
    return [sample[unit] for unit in units]
