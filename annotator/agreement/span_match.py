"""Vectorised span matching between coders: overlapping candidates and one-to-one matchings.

Spans are rows of numpy arrays (passage, coder, start, end, ...); the functions return row
indexes. Used by the span-layer report, where `span_f1`'s per-pair loops would be too slow
for a whole corpus; the tests check both give the same counts.
"""

from __future__ import annotations

import numpy as np


def block_pairs(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair (i, j), i != j, of rows in the same block.

    `blocks` must be sorted (equal values adjacent); the number of pairs is the sum of
    n * (n - 1) over blocks of n rows, so blocks should be small (one passage, one label).
    """
    if blocks.size == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    starts = np.flatnonzero(np.r_[True, blocks[1:] != blocks[:-1]])
    sizes = np.diff(np.r_[starts, blocks.size])
    row_start = np.repeat(starts, sizes)
    row_size = np.repeat(sizes, sizes)
    first = np.repeat(np.arange(blocks.size), row_size)
    offset = np.arange(first.size) - np.repeat(np.cumsum(row_size) - row_size, row_size)
    second = np.repeat(row_start, row_size) + offset
    keep = first != second
    return first[keep], second[keep]


def overlap_candidates(
    passage: np.ndarray, coder: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (a, b) of spans of the same passage that overlap, with coder[a] < coder[b]."""
    order = np.argsort(passage, kind="stable")
    first, second = block_pairs(passage[order])
    a, b = order[first], order[second]
    keep = (coder[a] < coder[b]) & (start[a] < end[b]) & (start[b] < end[a])
    return a[keep], b[keep]


def one_to_one(
    a: np.ndarray, b: np.ndarray, coder: np.ndarray, end: np.ndarray, n_coders: int
) -> tuple[np.ndarray, np.ndarray]:
    """A maximum one-to-one matching of the candidate pairs, separately for each pair of coders.

    The candidates must be overlaps of intervals (within a passage, perhaps of one label):
    then taking spans of the first coder by increasing end and giving each the unmatched
    candidate of the second coder that ends first is optimal (see `spans._overlap_matches`).
    Candidates whose two spans have no other candidate are matched at once; only the rest
    goes through that greedy loop.
    """
    a_key = a * n_coders + coder[b]
    b_key = b * n_coders + coder[a]
    _, a_index, a_degree = np.unique(a_key, return_inverse=True, return_counts=True)
    _, b_index, b_degree = np.unique(b_key, return_inverse=True, return_counts=True)
    simple = (a_degree[a_index] == 1) & (b_degree[b_index] == 1)
    rest = np.flatnonzero(~simple)
    order = rest[np.lexsort((b[rest], end[b[rest]], a[rest], end[a[rest]]))]
    used_a: set[int] = set()
    used_b: set[int] = set()
    chosen = []
    for edge, first_key, second_key in zip(order.tolist(), a_key[order].tolist(), b_key[order].tolist(), strict=True):
        if first_key not in used_a and second_key not in used_b:
            used_a.add(first_key)
            used_b.add(second_key)
            chosen.append(edge)
    matched = np.sort(np.r_[np.flatnonzero(simple), np.array(chosen, dtype=np.intp)])
    return a[matched], b[matched]


def exact_match_counts(keys: np.ndarray, coder: np.ndarray, n_coders: int) -> np.ndarray:
    """How many spans each coder has with each key: a (distinct keys, coders) count table.

    `keys` identify a span's passage, offsets and label (e.g. from `np.unique(..., axis=0)`);
    the exact matches of coders i and j on key k are ``min(counts[k, i], counts[k, j])``.
    """
    counts = np.zeros((int(keys.max()) + 1 if keys.size else 0, n_coders), dtype=np.int64)
    np.add.at(counts, (keys, coder), 1)
    return counts
