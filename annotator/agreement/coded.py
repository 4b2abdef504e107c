"""Passage-level labels as reliability data: a units x coders table of category codes.

A unit is a passage (single- and multi-label layers) or a (passage, target) pair (stance);
`codes[unit, coder]` indexes `categories` (a label id, or a frozenset of label ids for a
multi-label layer), -1 where the coder gave the unit no value. Views turn the codes into
the float tables the coefficients take (NaN for missing) through a lookup per category.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

MISSING = -1


@dataclass(frozen=True)
class CodedTable:
    """Reliability data of one passage-level layer (see the module docstring)."""

    codes: np.ndarray
    categories: list[Any]
    """Label ids (or attribute values) per code, or frozensets of label ids for a label-set table."""
    coders: list[str]
    passages: np.ndarray
    """The passage id of each unit."""
    items: np.ndarray
    """What the unit is about within its passage (e.g. the stance target), or "" for passages."""
    days: np.ndarray
    """``days[unit, coder]``: "YYYY-MM-DD" when the coder last labelled the unit, "" if never."""

    def view(self, lookup: Sequence[float] | np.ndarray) -> np.ndarray:
        """A float units x coders table: ``lookup[code]`` for each value, NaN where missing."""
        lookup = np.append(np.asarray(lookup, dtype=float), np.nan)  # code -1 reads the NaN
        return lookup[self.codes]

    def code_view(self) -> np.ndarray:
        """The codes themselves as a float table (for nominal measures and distance functions)."""
        return self.view(np.arange(len(self.categories)))


def single_value_table(
    frame: pd.DataFrame, coders: list[str], categories: Sequence[Hashable], unit_columns: Sequence[str]
) -> CodedTable:
    """One label per coder and unit (the newest, when a coder has several) from a label frame.

    `frame` has the columns of `collect.label_frames`, oldest revision first; `unit_columns`
    name the unit: "passage_id", optionally followed by what the unit is about within the
    passage (e.g. "target"; it becomes `items`). Rows of coders not in `coders` and rows with
    a missing unit column are left out; labels missing from `categories` are appended to it.
    """
    frame = frame[frame["coder"].isin(coders)].dropna(subset=list(unit_columns))
    frame = frame.drop_duplicates([*unit_columns, "coder"], keep="last")
    categories = _with_unknown(categories, frame["label"])
    grouped = frame.groupby(list(unit_columns), sort=True)
    units = grouped.ngroup().to_numpy()
    keys = grouped.size().index.to_frame(index=False)
    codes = np.full((len(keys), len(coders)), MISSING, dtype=np.intp)
    days = np.full((len(keys), len(coders)), "", dtype=object)
    column = _coder_index(frame["coder"], coders)
    codes[units, column] = pd.Categorical(frame["label"], categories=categories).codes
    days[units, column] = frame["day"].to_numpy(dtype=object)
    items = keys[unit_columns[1]] if len(unit_columns) > 1 else pd.Series("", index=keys.index)
    return CodedTable(codes, categories, coders, keys[unit_columns[0]].to_numpy(), items.to_numpy(dtype=object), days)


def label_set_table(frame: pd.DataFrame, covered: pd.DataFrame, coders: list[str], labels: list[str]) -> CodedTable:
    """Each coder's set of labels per passage; a coder who `covered` a passage without a label
    there has the empty set. `covered` has the columns passage_id and coder."""
    frame = frame[frame["coder"].isin(coders)].drop_duplicates(["passage_id", "coder", "label"])
    labels = _with_unknown(labels, frame["label"])
    pairs = pd.concat(
        [frame[["passage_id", "coder"]], covered[covered["coder"].isin(coders)][["passage_id", "coder"]]]
    ).drop_duplicates()
    pairs = pairs.sort_values(["passage_id", "coder"], ignore_index=True)
    key = pd.MultiIndex.from_frame(pairs)
    row = key.get_indexer(pd.MultiIndex.from_frame(frame[["passage_id", "coder"]]))
    members = np.zeros((len(pairs), len(labels)), dtype=bool)
    members[row, pd.Categorical(frame["label"], categories=labels).codes] = True
    sets, set_codes = np.unique(np.packbits(members, axis=1), axis=0, return_inverse=True)
    membership = np.unpackbits(sets, axis=1, count=len(labels)).astype(bool)
    categories = [frozenset(np.asarray(labels, dtype=object)[row_members]) for row_members in membership]
    last_day = frame.groupby(["passage_id", "coder"])["day"].max()
    pair_days = last_day.reindex(key).fillna("").to_numpy(dtype=object)
    passages, units = np.unique(pairs["passage_id"].to_numpy(), return_inverse=True)
    column = _coder_index(pairs["coder"], coders)
    codes = np.full((len(passages), len(coders)), MISSING, dtype=np.intp)
    days = np.full((len(passages), len(coders)), "", dtype=object)
    codes[units, column] = set_codes.ravel()
    days[units, column] = pair_days
    return CodedTable(codes, categories, coders, passages, np.full(len(passages), "", object), days)


def _coder_index(names: pd.Series, coders: list[str]) -> np.ndarray:
    return pd.Categorical(names, categories=coders).codes.astype(np.intp)


def _with_unknown(known: Sequence[Any], used: pd.Series) -> list[Any]:
    """`known` plus the values of `used` it lacks (labels no longer in the codebook), sorted."""
    extra = sorted(set(used.dropna().unique()) - set(known))
    return list(known) + extra
