"""Krippendorff's alpha for units x coders reliability data.

Follows Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": values are
paired within units, the pairs are tallied in a coincidence matrix ``o``, and
``alpha = 1 - D_o / D_e`` compares the observed disagreement with the disagreement
expected when the same values are paired by chance.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from annotator.agreement._table import as_table, encode, unit_value_counts
from annotator.errors import AnnotatorError

Level = str | Callable[[Any, Any], float]

LEVELS = ("nominal", "ordinal", "interval", "ratio")

# Units are tallied in chunks so that the (units x categories) count table stays small.
_CHUNK_CELLS = 1 << 22


@dataclass(frozen=True)
class Coincidences:
    """The coincidence matrix of some reliability data and the distances between its categories."""

    observed: np.ndarray
    """``o[c, k]``: how often values c and k were paired within units (each unit weighs 1/(m_u - 1))."""
    delta: np.ndarray
    """``delta[c, k]``: the squared difference between categories c and k for the level of measurement."""
    pairable_units: int
    """Units with at least two values."""
    n_pairable: int
    """Values in pairable units (Krippendorff's n..)."""
    pairs: int
    """Pairs of values within pairable units: the sum of m_u (m_u - 1) / 2."""

    def expected(self) -> np.ndarray:
        """The coincidences expected by chance: ``e[c, k] = n_c (n_k - [c == k]) / (n - 1)``."""
        n_c = self.observed.sum(axis=1)
        return (np.outer(n_c, n_c) - np.diag(n_c)) / (n_c.sum() - 1)

    def alpha(self) -> float:
        """``1 - D_o / D_e``, or NaN when no unit is pairable or the expected disagreement is 0."""
        if self.pairable_units == 0:
            return math.nan
        expected = float((self.expected() * self.delta).sum())
        if expected == 0:
            return math.nan
        return 1.0 - float((self.observed * self.delta).sum()) / expected


def krippendorff_alpha(data: Any, level: Level = "nominal") -> float:
    """Krippendorff's alpha for `data`, a units x coders table (rows = units, columns = coders).

    `data` may be a list of rows, a numpy array or a pandas DataFrame; None and NaN mark
    missing values. `level` is "nominal", "ordinal", "interval", "ratio", or a symmetric
    function ``f(a, b)`` returning the squared-style difference of two values (for example
    `masi_distance` for set-valued labels given as frozensets or tuples).

    - Units with fewer than two values cannot be paired and are ignored.
    - Ordinal ranks the categories that occur in their natural sort order and uses
      Krippendorff's rank-based metric; interval and ratio need numbers (ratio: >= 0).
    - Returns NaN when alpha is undefined: no unit has two values (one coder, all values
      missing) or the expected disagreement is 0 (everyone used a single category).
    - Raises `AnnotatorError` for an unknown level, non-numeric values with interval or
      ratio, negative values with ratio, or values that cannot be ranked with ordinal.
    """
    return coincidences(data, level).alpha()


def coincidences(data: Any, level: Level = "nominal") -> Coincidences:
    """Tally the coincidence matrix of `data` (see `krippendorff_alpha` for the arguments)."""
    _check_level(level)
    encoded = encode(as_table(data), ordered=level == "ordinal")
    n_categories = len(encoded.categories)
    observed = np.zeros((n_categories, n_categories))
    pairable_units = n_pairable = pairs = 0
    rows_per_chunk = max(1, _CHUNK_CELLS // (n_categories + 1))
    for start in range(0, encoded.codes.shape[0], rows_per_chunk):
        counts = unit_value_counts(encoded.codes[start : start + rows_per_chunk], n_categories)
        values = counts.sum(axis=1)
        pairable = values >= 2
        weights = np.divide(1.0, values - 1, out=np.zeros(len(values)), where=pairable)
        weighted = counts * weights[:, None]
        observed += weighted.T @ counts
        observed[np.diag_indices(n_categories)] -= weighted.sum(axis=0)
        pairable_units += int(pairable.sum())
        n_pairable += int(values[pairable].sum())
        pairs += int((values * (values - 1) // 2).sum())
    delta = _distances(encoded.categories, observed.sum(axis=1), level)
    return Coincidences(observed, delta, pairable_units, n_pairable, pairs)


def interpret_alpha(value: float) -> str:
    """Krippendorff's reading of an alpha value.

    "reliable" (>= 0.800), "tentative" (0.667 to 0.800: only for tentative conclusions),
    "unreliable" (< 0.667), or "undefined" for NaN.
    """
    if math.isnan(value):
        return "undefined"
    if value >= 0.800:
        return "reliable"
    if value >= 0.667:
        return "tentative"
    return "unreliable"


def _check_level(level: Level) -> None:
    if not callable(level) and level not in LEVELS:
        raise AnnotatorError(f"unknown level of measurement {level!r}: use {', '.join(LEVELS)} or a distance function")


def _distances(categories: list[Any], n_c: np.ndarray, level: Level) -> np.ndarray:
    """The squared differences ``delta[c, k]`` between all pairs of categories."""
    if callable(level):
        return np.array([[level(a, b) for b in categories] for a in categories], dtype=float)
    if level == "nominal":
        return 1.0 - np.eye(len(categories))
    if level == "ordinal":
        # sum(n_g for g from c to k) - (n_c + n_k) / 2 is the gap between the mid-ranks of c and k.
        return _squared_gaps(np.cumsum(n_c) - n_c / 2)
    values = _numbers(categories, level)
    if level == "interval":
        return _squared_gaps(values)
    if (values < 0).any():
        raise AnnotatorError(f"ratio alpha needs values >= 0; got {values.min():g}")
    sums = values[:, None] + values[None, :]
    ratios = np.divide(values[:, None] - values[None, :], sums, out=np.zeros_like(sums), where=sums != 0)
    return ratios**2


def _squared_gaps(positions: np.ndarray) -> np.ndarray:
    return (positions[:, None] - positions[None, :]) ** 2


def _numbers(categories: list[Any], level: str) -> np.ndarray:
    for value in categories:
        if not isinstance(value, numbers.Real):
            raise AnnotatorError(
                f"{level} alpha needs numeric values; got {value!r} ({type(value).__name__}). "
                "Use level='nominal' or 'ordinal' for labels"
            )
    return np.array(categories, dtype=float)
