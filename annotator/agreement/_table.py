"""Turn reliability data (units x coders) into integer category codes.

Every coefficient in this package works on the same representation: a 2-D array of
codes, one row per unit and one column per coder, where ``-1`` marks a missing value
and ``0..V-1`` index into a list of categories.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from annotator.errors import AnnotatorError

MISSING = -1


@dataclass(frozen=True)
class Encoded:
    """Reliability data as category codes: ``codes[unit, coder]`` indexes ``categories``."""

    codes: np.ndarray
    categories: list[Any]


def is_missing(value: Any) -> bool:
    """True for None and for values that are not equal to themselves (NaN, NaT, pandas.NA)."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:  # pandas.NA refuses to become a bool
        return True


def as_table(data: Any) -> np.ndarray:
    """Return `data` (list of rows, numpy array or DataFrame) as a 2-D float or object array.

    Numeric input becomes float64 with NaN for missing values; anything else becomes an
    object array whose cells are the original values (tuples and frozensets stay whole).
    """
    if hasattr(data, "to_numpy") and hasattr(data, "columns"):
        if all(dtype.kind in "iufb" for dtype in data.dtypes):
            return data.to_numpy(dtype=float, na_value=np.nan)
        return _two_dimensional(data.to_numpy(dtype=object))
    if isinstance(data, np.ndarray):
        return _two_dimensional(_float_or_object(data))
    try:
        array = np.asarray(data)
    except ValueError:  # ragged rows: report them below
        array = None
    if array is not None and array.ndim == 2 and array.dtype.kind in "iufb":
        return array.astype(float)
    return _object_table(data)


def as_column(values: Any) -> np.ndarray:
    """Return a 1-D sequence of labels (list, numpy array or Series) as a float or object array."""
    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise AnnotatorError(f"expected a 1-D sequence of labels, got shape {values.shape}")
        return _float_or_object(values)
    values = list(values)
    return np.fromiter(values, dtype=object, count=len(values))


def encode(table: np.ndarray, *, ordered: bool = False) -> Encoded:
    """Map the values of `table` to integer codes, missing values to ``MISSING``.

    With ``ordered=True`` the categories are in their natural sort order (ordinal alpha,
    weighted kappa); otherwise in an unspecified order. Float tables are always sorted.
    """
    if table.dtype.kind == "f":
        return _encode_floats(table)
    codes = np.full(table.size, MISSING, dtype=np.intp)
    index: dict[Any, int] = {}
    for position, value in enumerate(table.flat):
        if not is_missing(value):
            codes[position] = index.setdefault(_hashable(value), len(index))
    categories = list(index)
    if ordered:
        categories, codes = _sorted(categories, codes)
    return Encoded(codes.reshape(table.shape), categories)


def unit_value_counts(codes: np.ndarray, n_categories: int) -> np.ndarray:
    """Count, for each unit (row), how many coders gave each category: an (units, V) array."""
    n_units = codes.shape[0]
    width = n_categories + 1  # one extra column collects the missing values
    cells = np.where(codes == MISSING, n_categories, codes) + width * np.arange(n_units)[:, None]
    counts = np.bincount(cells.ravel(), minlength=n_units * width)
    return counts.reshape(n_units, width)[:, :n_categories]


def _encode_floats(table: np.ndarray) -> Encoded:
    present = ~np.isnan(table)
    values = table[present]
    categories = np.unique(values)
    codes = np.full(table.shape, MISSING, dtype=np.intp)
    codes[present] = np.searchsorted(categories, values)
    return Encoded(codes, categories.tolist())


def _sorted(categories: list[Any], codes: np.ndarray) -> tuple[list[Any], np.ndarray]:
    try:
        order = sorted(range(len(categories)), key=categories.__getitem__)
    except TypeError as error:
        raise AnnotatorError(f"these values have no natural order to rank them by: {error}") from None
    rank = np.empty(len(order) + 1, dtype=np.intp)  # the extra last slot maps MISSING (-1) to itself
    rank[order] = np.arange(len(order))
    rank[MISSING] = MISSING
    return [categories[i] for i in order], rank[codes]


def _hashable(value: Any) -> Any:
    if isinstance(value, set):
        return frozenset(value)
    if isinstance(value, list):
        return tuple(value)
    return value


def _float_or_object(array: np.ndarray) -> np.ndarray:
    return array.astype(float) if array.dtype.kind in "iufb" else array.astype(object)


def _two_dimensional(array: np.ndarray) -> np.ndarray:
    if array.ndim != 2:
        raise AnnotatorError(
            f"expected a units x coders table (rows = units, columns = coders), got shape {array.shape}"
        )
    return array


def _object_table(rows: Iterable[Sequence[Any]]) -> np.ndarray:
    rows = list(rows)
    if any(isinstance(row, (str, bytes)) or not isinstance(row, (Sequence, np.ndarray)) for row in rows):
        raise AnnotatorError("expected a units x coders table: a list of rows with one value per coder")
    rows = [list(row) for row in rows]
    widths = {len(row) for row in rows}
    if len(widths) > 1:
        raise AnnotatorError(
            f"every row (unit) needs one cell per coder; rows have {min(widths)} to {max(widths)} cells"
        )
    width = widths.pop() if widths else 0
    cells = np.fromiter(chain.from_iterable(rows), dtype=object, count=len(rows) * width)
    return cells.reshape(len(rows), width)
