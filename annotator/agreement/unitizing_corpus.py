"""Krippendorff's unitizing alpha (u-alpha) over a corpus of passages, vectorised.

The continuum is made of passages: those a group of coders all covered are joined end to
end (passage text offsets, in passage id order) into one continuum per group of coders, so
that every coder of a group codes the whole of its continuum, as u-alpha requires. Each
group gets Krippendorff's observed and expected disagreement (the same as
`unitizing_alpha` computes, which the tests check); the corpus value pools the groups:
``1 - sum(w D_o) / sum(w D_e)`` with w = coders x continuum length, the number of values of
the group. With one group (every coder covered every passage) it is exactly u-alpha.
A coder's overlapping units of one category are merged into one unit first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from annotator.agreement.span_match import block_pairs


@dataclass(frozen=True)
class UnitizingResult:
    """u-alpha of one category (or of all of them, pooled), with what it was computed on."""

    alpha: float
    n_passages: int
    n_units: int


@dataclass(frozen=True)
class _Disagreements:
    observed: np.ndarray
    """Weighted observed disagreement per category, summed over groups."""
    expected: np.ndarray
    units: np.ndarray


def corpus_unitizing_alpha(
    spans: pd.DataFrame,
    extents: pd.DataFrame,
    covered: np.ndarray,
    passage_ids: np.ndarray,
    n_categories: int,
) -> tuple[list[UnitizingResult], UnitizingResult]:
    """u-alpha per category and pooled over categories.

    `spans` has columns passage_id, coder (column index into `covered`), category (0 ..
    n_categories - 1), start, end (article offsets); `extents` has passage_id, start, end;
    `covered[i, c]` says whether coder c covered passage `passage_ids[i]`. Passages covered by
    fewer than two coders are left out.
    """
    masks = (covered.astype(np.int64) << np.arange(covered.shape[1])).sum(axis=1)
    used = covered.sum(axis=1) >= 2
    group_masks, group_of = np.unique(masks[used], return_inverse=True)
    coders = np.array([bin(int(mask)).count("1") for mask in group_masks], dtype=np.int64)
    passages = pd.DataFrame({"passage_id": passage_ids[used], "group": group_of.ravel()})
    passages = passages.merge(extents, on="passage_id").sort_values(["group", "passage_id"], ignore_index=True)
    passages["length"] = passages["end"] - passages["start"]
    passages["base"] = passages.groupby("group")["length"].cumsum() - passages["length"]
    units = spans.merge(
        passages[["passage_id", "group", "start", "length", "base"]],
        on="passage_id",
        suffixes=("", "_passage"),
    )
    local_start = (units["start"] - units["start_passage"]).clip(0, units["length"])
    local_end = (units["end"] - units["start_passage"]).clip(0, units["length"])
    units = units.assign(start=units["base"] + local_start, end=units["base"] + local_end)
    units = _merged(units[units["end"] > units["start"]])
    lengths = np.bincount(passages["group"], weights=passages["length"], minlength=len(group_masks))
    totals = _disagreements(units, lengths, coders, n_categories)
    per_category = [
        UnitizingResult(
            _alpha(totals.observed[category], totals.expected[category]),
            int(units.loc[units["category"] == category, "passage_id"].nunique()),
            int(totals.units[category]),
        )
        for category in range(n_categories)
    ]
    pooled = UnitizingResult(
        _alpha(totals.observed.sum(), totals.expected.sum()), len(passages), int(totals.units.sum())
    )
    return per_category, pooled


def _merged(units: pd.DataFrame) -> pd.DataFrame:
    """Merge each coder's overlapping units of one category (positions are per group)."""
    units = units.sort_values(["group", "category", "coder", "start", "end"], ignore_index=True)
    keys = ["group", "category", "coder"]
    reach = units.groupby(keys)["end"].cummax()
    previous = reach.groupby([units[key] for key in keys]).shift()
    run = (previous.isna() | (units["start"] >= previous)).cumsum()
    return (
        units.groupby(run)
        .agg(
            group=("group", "first"),
            category=("category", "first"),
            coder=("coder", "first"),
            passage_id=("passage_id", "first"),
            start=("start", "min"),
            end=("end", "max"),
        )
        .reset_index(drop=True)
    )


def _disagreements(units: pd.DataFrame, lengths: np.ndarray, coders: np.ndarray, n_categories: int) -> _Disagreements:
    """Krippendorff's D_o and D_e per group and category, weighted by m L and summed over groups."""
    group = units["group"].to_numpy()
    category = units["category"].to_numpy()
    coder = units["coder"].to_numpy()
    start = units["start"].to_numpy(dtype=np.int64)
    end = units["end"].to_numpy(dtype=np.int64)
    size = (end - start).astype(float)
    n_groups = len(lengths)
    cell = group * n_categories + category
    # Observed: overlapping units of two coders, and units no unit of another coder touches.
    block = (units["passage_id"].to_numpy() * n_categories + category).astype(np.int64)
    order = np.argsort(block, kind="stable")
    first, second = block_pairs(block[order])
    a, b = order[first], order[second]
    touching = (coder[a] != coder[b]) & (start[a] < end[b]) & (start[b] < end[a])
    a, b = a[touching], b[touching]
    pair_terms = ((start[a] - start[b]) ** 2 + (end[a] - end[b]) ** 2).astype(float) / 2  # each pair twice
    touched_coders = pd.Series(coder[b]).groupby(a).nunique().reindex(range(len(units)), fill_value=0).to_numpy()
    untouched = (coders[group] - 1 - touched_coders) * size**2
    total = np.bincount(cell[a], pair_terms, n_groups * n_categories) + np.bincount(
        cell, untouched, n_groups * n_categories
    )
    m, length = np.repeat(coders, n_categories).astype(float), np.repeat(lengths, n_categories).astype(float)
    observed = 2 * total / (m * (m - 1) * length**2)
    expected = _expected(units, size, cell, lengths, coders, n_categories)
    weight = m * length
    return _Disagreements(
        (observed * weight).reshape(n_groups, n_categories).sum(axis=0),
        (expected * weight).reshape(n_groups, n_categories).sum(axis=0),
        np.bincount(category, minlength=n_categories),
    )


def _expected(
    units: pd.DataFrame,
    size: np.ndarray,
    cell: np.ndarray,
    lengths: np.ndarray,
    coders: np.ndarray,
    n_categories: int,
) -> np.ndarray:
    """Krippendorff's expected disagreement per (group, category); see `unitizing._expected_disagreement`."""
    gaps = _gaps(units, lengths, n_categories)
    coders_with_units = pd.Series(units["coder"].to_numpy()).groupby(cell).nunique()
    expected = np.zeros(len(lengths) * n_categories)
    unit_order = np.argsort(cell, kind="stable")
    unit_cells, unit_starts = np.unique(cell[unit_order], return_index=True)
    unit_bounds = np.r_[unit_starts, len(unit_order)]
    for index, key in enumerate(unit_cells):
        group = key // n_categories
        lengths_u = size[unit_order[unit_bounds[index] : unit_bounds[index + 1]]]
        gap_lengths = gaps.get(key, np.empty(0))
        # Coders with no unit of this category in the group have one gap: the whole continuum.
        without = coders[group] - coders_with_units[key]
        gap_lengths = np.sort(np.r_[gap_lengths, np.full(without, float(lengths[group]))])
        gap_totals = np.append(np.cumsum(gap_lengths[::-1])[::-1], 0.0)
        first_fitting = np.searchsorted(gap_lengths, lengths_u)
        fitting = len(gap_lengths) - first_fitting
        placements = lengths_u**2 * (gap_totals[first_fitting] - (lengths_u - 1) * fitting)
        others = (len(lengths_u) - 1) * (2 * lengths_u**3 - 3 * lengths_u**2 + lengths_u) / 3
        m, length = float(coders[group]), float(lengths[group])
        pairable = m * length * (m * length - 1) - (lengths_u * (lengths_u - 1)).sum()
        expected[key] = 2 / length * float((others + placements).sum()) / pairable
    return expected


def _gaps(units: pd.DataFrame, lengths: np.ndarray, n_categories: int) -> dict[int, np.ndarray]:
    """The positive gaps around each coder's units, per (group, category) cell."""
    ordered = units.sort_values(["group", "category", "coder", "start"], ignore_index=True)
    keys = ["group", "category", "coder"]
    last = ~ordered.duplicated(keys, keep="last").to_numpy()
    before = ordered["start"] - ordered.groupby(keys)["end"].shift().fillna(0)  # the first gap starts at 0
    after = lengths[ordered["group"].to_numpy()] - ordered["end"].to_numpy()
    cells = (ordered["group"] * n_categories + ordered["category"]).to_numpy()
    gap_cells = np.r_[cells, cells[last]]
    gap_sizes = np.r_[before.to_numpy(dtype=float), after[last].astype(float)]
    positive = gap_sizes > 0
    frame = pd.Series(gap_sizes[positive]).groupby(gap_cells[positive])
    return {int(key): values.to_numpy() for key, values in frame}


def _alpha(observed: float, expected: float) -> float:
    return math.nan if expected == 0 else 1.0 - observed / expected
