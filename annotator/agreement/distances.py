"""Distances between set-valued labels, for `krippendorff_alpha(data, level=masi_distance)`.

Both take collections of labels (set, frozenset, tuple, list); order and repeats are
ignored. Two empty sets are identical (distance 0).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def jaccard_distance(a: Iterable[Any], b: Iterable[Any]) -> float:
    """``1 - |A & B| / |A | B|``: 0 for identical sets, 1 for disjoint ones."""
    a, b = frozenset(a), frozenset(b)
    if not a and not b:
        return 0.0
    return 1.0 - len(a & b) / len(a | b)


def masi_distance(a: Iterable[Any], b: Iterable[Any]) -> float:
    """MASI distance (Passonneau 2006): ``1 - J * M``.

    J is the Jaccard similarity and M rates monotonicity: 1 when the sets are identical,
    2/3 when one is a subset of the other, 1/3 when they only overlap, 0 when disjoint.
    (NLTK's `masi_distance` rounds M to 0.67 and 0.33, so it differs in the third decimal.)
    """
    a, b = frozenset(a), frozenset(b)
    if a == b:
        return 0.0
    if a <= b or b <= a:
        monotonicity = 2 / 3
    elif a & b:
        monotonicity = 1 / 3
    else:
        return 1.0
    return 1.0 - len(a & b) / len(a | b) * monotonicity
