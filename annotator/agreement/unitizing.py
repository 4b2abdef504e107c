"""Agreement on where coders put spans along a continuum, such as the characters of a text.

A coded span is ``(coder, start, end, category)`` with integer offsets, `end` exclusive,
inside the continuum ``(begin, end)``. Coders who marked nothing still count when they
are named in `coders`; by default the coders are those that appear in the spans.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from itertools import combinations
from numbers import Integral

import numpy as np

from annotator.agreement.alpha import krippendorff_alpha
from annotator.errors import AnnotatorError

CodedSpan = tuple[Hashable, int, int, Hashable]
Tile = tuple[int, int, bool]


@dataclass(frozen=True)
class _Study:
    begin: int
    end: int
    coders: list[Hashable]
    units: dict[Hashable, dict[Hashable, list[tuple[int, int]]]]
    """category -> coder -> that coder's (start, end) units of the category, sorted."""

    def units_of(self, category: Hashable, coder: Hashable) -> list[tuple[int, int]]:
        return self.units.get(category, {}).get(coder, [])


def character_alpha(
    spans: Iterable[CodedSpan],
    continuum: tuple[int, int],
    category: Hashable,
    coders: Iterable[Hashable] | None = None,
) -> float:
    """Nominal Krippendorff's alpha with every position of the continuum as a unit.

    Each coder's value at a position is 1 when one of their spans of `category` covers
    it, else 0 (overlapping spans are allowed). NaN with fewer than two coders or when
    nobody marked the category (or everybody marked all of it).
    """
    study = _study(spans, continuum, coders)
    table = np.zeros((study.end - study.begin, len(study.coders)))
    for column, coder in enumerate(study.coders):
        for start, end in study.units_of(category, coder):
            table[start - study.begin : end - study.begin, column] = 1
    return krippendorff_alpha(table, "nominal")


def unitizing_alpha(
    spans: Iterable[CodedSpan],
    continuum: tuple[int, int],
    category: Hashable | None = None,
    coders: Iterable[Hashable] | None = None,
) -> float:
    """Krippendorff's (2004) unitizing alpha, u-alpha, for coded spans along a continuum.

    With `category`, the category-specific value: that category's spans are the units and
    everything else, other categories included, is gap. Without it, the overall value
    ``1 - sum(D_o) / sum(D_e)`` pooled over all categories that occur, as in Krippendorff's
    worked example (Content Analysis, 2nd ed., 2004, p. 254).

    Observed disagreement sums, over all pairs of coders, the squared differences between
    overlapping segments: ``(start_a - start_b)^2 + (end_a - end_b)^2`` for two units, the
    squared length of a unit that lies wholly inside the other coder's gap, else 0. Each
    coder's units of one category must not overlap (`AnnotatorError` otherwise).

    NaN with fewer than two coders, or when the expected disagreement is 0 (for example
    nobody marked the category).
    """
    study = _study(spans, continuum, coders)
    _check_no_overlap(study)
    if len(study.coders) < 2:
        return math.nan
    categories = list(study.units) if category is None else [category]
    observed = sum(_observed_disagreement(study, each) for each in categories)
    expected = sum(_expected_disagreement(study, each) for each in categories)
    if expected == 0:
        return math.nan
    return 1.0 - observed / expected


def _study(spans: Iterable[CodedSpan], continuum: tuple[int, int], coders: Iterable[Hashable] | None) -> _Study:
    begin, end = continuum
    if not (isinstance(begin, Integral) and isinstance(end, Integral) and begin < end):
        raise AnnotatorError(f"the continuum needs integer offsets with begin < end; got {continuum!r}")
    named = None if coders is None else list(dict.fromkeys(coders))
    units: defaultdict[Hashable, defaultdict[Hashable, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    seen: dict[Hashable, None] = {}
    for coder, start, stop, category in spans:
        if not (isinstance(start, Integral) and isinstance(stop, Integral) and begin <= start < stop <= end):
            raise AnnotatorError(
                f"span {start}-{stop} of coder {coder!r} must have integer offsets with "
                f"start < end inside the continuum {begin}-{end}"
            )
        if named is not None and coder not in named:
            raise AnnotatorError(f"span {start}-{stop} belongs to coder {coder!r}, who is not among the coders")
        seen[coder] = None
        units[category][coder].append((int(start), int(stop)))
    for by_coder in units.values():
        for coder_units in by_coder.values():
            coder_units.sort()
    return _Study(int(begin), int(end), named if named is not None else list(seen), units)


def _check_no_overlap(study: _Study) -> None:
    for category, by_coder in study.units.items():
        for coder, units in by_coder.items():
            for (start, stop), (next_start, next_stop) in zip(units, units[1:]):
                if next_start < stop:
                    raise AnnotatorError(
                        f"coder {coder!r} has overlapping {category!r} spans {start}-{stop} and "
                        f"{next_start}-{next_stop}; unitizing alpha needs them separate"
                    )


def _tiles(units: list[tuple[int, int]], begin: int, end: int) -> list[Tile]:
    """Cut the continuum into one coder's units and the gaps around them: (start, end, is_unit)."""
    tiles, position = [], begin
    for start, stop in units:
        if start > position:
            tiles.append((position, start, False))
        tiles.append((start, stop, True))
        position = stop
    if position < end:
        tiles.append((position, end, False))
    return tiles


def _difference(a: Tile, b: Tile) -> int:
    """Krippendorff's squared difference between two overlapping segments of two coders."""
    (start_a, end_a, unit_a), (start_b, end_b, unit_b) = a, b
    if unit_a and unit_b:
        return (start_a - start_b) ** 2 + (end_a - end_b) ** 2
    if unit_a and start_b <= start_a and end_a <= end_b:
        return (end_a - start_a) ** 2
    if unit_b and start_a <= start_b and end_b <= end_a:
        return (end_b - start_b) ** 2
    return 0


def _pair_difference(a: list[Tile], b: list[Tile]) -> int:
    """Sum the differences over every overlapping pair of tiles of two coders."""
    total, i, j = 0, 0, 0
    while i < len(a) and j < len(b):
        total += _difference(a[i], b[j])
        end_a, end_b = a[i][1], b[j][1]
        if end_a <= end_b:
            i += 1
        if end_b <= end_a:
            j += 1
    return total


def _observed_disagreement(study: _Study, category: Hashable) -> float:
    tilings = [_tiles(study.units_of(category, coder), study.begin, study.end) for coder in study.coders]
    total = sum(_pair_difference(a, b) for a, b in combinations(tilings, 2))
    m, length = len(study.coders), study.end - study.begin
    return 2 * total / (m * (m - 1) * length**2)


def _expected_disagreement(study: _Study, category: Hashable) -> float:
    """Krippendorff's expected disagreement: every unit against every placement it could have had.

    A unit of length l is compared with the other units (``(N - 1)(2l^3 - 3l^2 + l) / 3``)
    and with every gap of length g >= l it could fall into (``l^2 (g - l + 1)``).
    """
    units: list[int] = []
    gap_lengths: list[int] = []
    for coder in study.coders:
        for start, stop, is_unit in _tiles(study.units_of(category, coder), study.begin, study.end):
            (units if is_unit else gap_lengths).append(stop - start)
    if not units:
        return 0.0
    lengths = np.array(units, dtype=float)
    gaps = np.sort(np.array(gap_lengths, dtype=float))
    gap_totals = np.append(np.cumsum(gaps[::-1])[::-1], 0.0)  # gap_totals[i] = sum(gaps[i:])
    first_fitting = np.searchsorted(gaps, lengths)
    fitting = len(gaps) - first_fitting
    placements = lengths**2 * (gap_totals[first_fitting] - (lengths - 1) * fitting)
    others = (len(lengths) - 1) * (2 * lengths**3 - 3 * lengths**2 + lengths) / 3
    m, length = len(study.coders), study.end - study.begin
    pairable = m * length * (m * length - 1) - (lengths * (lengths - 1)).sum()
    return 2 / length * float((others + placements).sum()) / pairable
