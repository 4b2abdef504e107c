"""Chance-corrected agreement for nominal labels: Cohen's kappa, Scott's pi, Fleiss' kappa.

Also raw pairwise percent agreement. Undefined values (no data, or agreement expected
by chance equal to 1) are returned as NaN.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from annotator.agreement._table import MISSING, Encoded, as_column, as_table, encode, unit_value_counts
from annotator.errors import AnnotatorError

WEIGHTS = (None, "linear", "quadratic")


def cohen_kappa(a: Any, b: Any, weights: str | None = None) -> float:
    """Cohen's kappa between two coders' labels for the same items.

    `a` and `b` are equally long sequences (list, numpy array, pandas Series); items where
    either label is missing (None/NaN) are left out. `weights` None counts every
    disagreement alike; "linear" and "quadratic" weigh it by the distance between the
    ranks of the two labels among the sorted labels that occur, as scikit-learn does.
    NaN when no item is left or when chance agreement is complete.
    """
    if weights not in WEIGHTS:
        raise AnnotatorError(f"unknown kappa weights {weights!r}: use None, 'linear' or 'quadratic'")
    encoded = _paired(a, b, ordered=weights is not None)
    n_categories = len(encoded.categories)
    first, second = encoded.codes.T
    if first.size == 0:
        return math.nan
    observed = np.bincount(first * n_categories + second, minlength=n_categories**2)
    observed = observed.reshape(n_categories, n_categories)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / first.size
    ranks = np.arange(n_categories)
    gaps = np.abs(ranks[:, None] - ranks[None, :])
    weight = {None: gaps != 0, "linear": gaps, "quadratic": gaps**2}[weights]
    chance = float((weight * expected).sum())
    if chance == 0:
        return math.nan
    return 1.0 - float((weight * observed).sum()) / chance


def scott_pi(a: Any, b: Any) -> float:
    """Scott's pi between two coders: kappa with chance taken from the pooled label distribution.

    Items where either label is missing are left out; NaN when no item is left or when
    both coders used one and the same label throughout.
    """
    encoded = _paired(a, b, ordered=False)
    first, second = encoded.codes.T
    if first.size == 0:
        return math.nan
    observed = float(np.mean(first == second))
    shares = np.bincount(encoded.codes.ravel(), minlength=len(encoded.categories)) / encoded.codes.size
    chance = float((shares**2).sum())
    if chance == 1:
        return math.nan
    return (observed - chance) / (1 - chance)


def fleiss_kappa(data: Any) -> float:
    """Fleiss' kappa (1971) for a units x coders table of nominal labels.

    Every unit must have the same number (at least two) of non-missing labels; otherwise
    `AnnotatorError` is raised (use `krippendorff_alpha` for incomplete data). NaN for an
    empty table or when every label is the same.
    """
    encoded = encode(as_table(data))
    counts = unit_value_counts(encoded.codes, len(encoded.categories))
    if counts.shape[0] == 0:
        return math.nan
    ratings = np.unique(counts.sum(axis=1))
    if len(ratings) > 1:
        raise AnnotatorError(
            f"Fleiss' kappa needs the same number of ratings for every unit; units have "
            f"{ratings.min()} to {ratings.max()} (use Krippendorff's alpha for missing ratings)"
        )
    m = int(ratings[0])
    if m < 2:
        raise AnnotatorError(f"Fleiss' kappa needs at least two ratings per unit; units have {m}")
    per_unit = ((counts**2).sum(axis=1) - m) / (m * (m - 1))
    shares = counts.sum(axis=0) / counts.sum()
    chance = float((shares**2).sum())
    if chance == 1:
        return math.nan
    return (float(per_unit.mean()) - chance) / (1 - chance)


def percent_agreement(data: Any) -> float:
    """Share of agreeing coder pairs, averaged over the pairable units of a units x coders table.

    For each unit with at least two labels: agreeing pairs / all pairs of its labels; the
    result is the mean over those units (units with fewer labels are ignored). NaN when
    no unit is pairable.
    """
    encoded = encode(as_table(data))
    counts = unit_value_counts(encoded.codes, len(encoded.categories))
    labels = counts.sum(axis=1)
    pairable = labels >= 2
    if not pairable.any():
        return math.nan
    agreeing = (counts[pairable] * (counts[pairable] - 1)).sum(axis=1)
    return float(np.mean(agreeing / (labels[pairable] * (labels[pairable] - 1))))


def _paired(a: Any, b: Any, *, ordered: bool) -> Encoded:
    """Encode two coders' labels as an (items, 2) table, dropping items with a missing label."""
    first, second = as_column(a), as_column(b)
    if len(first) != len(second):
        raise AnnotatorError(f"the two coders labelled different numbers of items: {len(first)} and {len(second)}")
    encoded = encode(np.column_stack([first, second]), ordered=ordered)
    kept = encoded.codes[(encoded.codes != MISSING).all(axis=1)]
    # Renumber so that labels seen only beside a missing one take no rank.
    used, codes = np.unique(kept, return_inverse=True)
    return Encoded(codes.reshape(kept.shape), [encoded.categories[i] for i in used])
