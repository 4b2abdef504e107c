"""Export formats converted from the gold config (`annotator export --format conll|spacy`).

The dataset is exported as usual (same snapshot, seed, splits, gold rows and tokens) into a
scratch folder inside the new export directory, its gold config converted split by split, and
the scratch folder removed before the directory is renamed into place: all or nothing, and
`--force` behaves as for the dataset (see `writer.atomic_directory`).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import Engine

from annotator.codebook import Codebook, Layer
from annotator.export.exporter import ExportResult, export_dataset
from annotator.export.features import data_file
from annotator.export.writer import atomic_directory

SCRATCH = ".dataset"
GOLD_COLUMNS = ("article_id", "passage_index", "passage_id", "text", "tokens", "token_starts", "token_ends")

Writer = Callable[[Path, Codebook, str, Path], None]
"""Writes one split: (dataset directory, codebook, split, output directory)."""


def export_converted(engine: Engine, out: Path, write: Writer, *, force: bool = False, **options: Any) -> ExportResult:
    """Export as `export_dataset(**options)` would, then keep only what `write` makes of each
    split of the gold config; `ExportResult.rows["gold"]` counts the passages per split."""
    with atomic_directory(out, force=force) as building:
        scratch = building / SCRATCH
        result = export_dataset(engine, scratch, **options)
        for split in result.rows["gold"]:
            write(scratch, result.snapshot.codebook, split, building)
        shutil.rmtree(scratch)
    return result


def span_layers(codebook: Codebook) -> list[Layer]:
    """The span layers, in codebook order: the BIO columns of a converted export."""
    return [layer for layer in codebook.layers if layer.kind == "span"]


def gold_rows(dataset: Path, split: str, columns: list[str]) -> Iterator[dict[str, Any]]:
    """The gold config's rows of `split` (in export order: by article, then passage), as dicts of
    `GOLD_COLUMNS` and `columns`."""
    file = pq.ParquetFile(dataset / data_file("gold", split))
    for batch in file.iter_batches(columns=[*GOLD_COLUMNS, *columns]):
        yield from batch.to_pylist()
