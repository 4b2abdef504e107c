"""Column buffers for a batch of dataset rows, turned into Arrow arrays in one go.

Rows are collected column by column rather than as dicts, BIO tags as only their tagged
tokens (a passage has ~50 tokens, most of them "O"), and columns shared by every row of a
passage (metadata, text, tokens) once per passage, repeated with `take`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from annotator.export.tokens import Tokens, bio_marks


class TagColumn:
    """A column of BIO tag lists (see `tokens.bio_marks`), one list per row or null."""

    def __init__(self) -> None:
        self.lengths: list[int] = []
        self.nulls: list[bool] = []
        self.positions: list[int] = []
        self.codes: list[int] = []
        self.total = 0

    def add(self, tokens: Tokens, spans: Sequence[tuple[int, int, int]]) -> None:
        """Add the tags of one row: `spans` are `(start, end, label index)`."""
        if spans:
            for index, code in bio_marks(tokens, spans):
                self.positions.append(self.total + index)
                self.codes.append(code)
        self.lengths.append(len(tokens.words))
        self.nulls.append(False)
        self.total += len(tokens.words)

    def add_null(self) -> None:
        """Add a row without tags (the layer is not given)."""
        self.lengths.append(0)
        self.nulls.append(True)

    def to_arrow(self, type: pa.DataType) -> pa.Array:
        """The column as a list array of `type`."""
        offsets = np.zeros(len(self.lengths) + 1, dtype=np.int32)
        np.cumsum(self.lengths, out=offsets[1:])
        values = np.zeros(self.total, dtype=np.int64)
        values[np.asarray(self.positions, dtype=np.int64)] = self.codes
        mask = pa.array(self.nulls) if any(self.nulls) else None
        return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values), type=type, mask=mask)


class RowBuffer:
    """One batch's rows of one (config, split): each row's passage, then its own columns."""

    def __init__(self) -> None:
        self.passages: list[int] = []
        self.values: dict[str, list[Any]] = defaultdict(list)
        self.tag_columns: dict[str, TagColumn] = defaultdict(TagColumn)

    def __len__(self) -> int:
        return len(self.passages)

    def start_row(self, passage: int) -> RowBuffer:
        """Begin a row of the passage with handle `passage` (its shared columns); add its own values next."""
        self.passages.append(passage)
        return self

    def tags(self, name: str) -> TagColumn:
        """The tag column called `name`."""
        return self.tag_columns[name]

    def to_table(self, schema: pa.Schema, shared: dict[str, pa.Array]) -> pa.Table:
        """The rows as a table of `schema`; `shared` holds the per-passage columns."""
        taken = pa.array(self.passages, pa.int32())
        arrays = []
        for field in schema:
            if field.name in shared:
                arrays.append(shared[field.name].take(taken))
            elif field.name in self.tag_columns:
                arrays.append(self.tag_columns[field.name].to_arrow(field.type))
            else:
                arrays.append(pa.array(self.values[field.name], field.type))
        return pa.Table.from_arrays(arrays, schema=schema)
