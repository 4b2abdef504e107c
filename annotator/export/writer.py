"""Write an export all or nothing, with parquet files that are byte-identical for the same rows.

The export is built in a hidden temporary directory beside the target and renamed into place.
Every export directory holds a marker file, `.annotator-export` (fixed content, no timestamp).
An existing target is only replaced with `force`, and only if it is an export (it has the
marker) or an empty directory: it is renamed away, the new one renamed in, then the old one
deleted. Anything else is refused, so `--force` never deletes a directory of other files. Any
failure (or Ctrl-C) removes the temporary directory.

Parquet files are written with pyarrow and fixed settings (zstd, format 2.6, row groups of
exactly `ROW_GROUP_ROWS` rows whatever the batches), and carry no timestamps.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from annotator.errors import AnnotatorError

ROW_GROUP_ROWS = 20_000
MARKER_NAME = ".annotator-export"
MARKER_TEXT = "This directory was written by `annotator export`; `annotator export --force` may replace it.\n"


class ParquetSink:
    """One parquet file, created on the first rows written (so an empty split writes no file)."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path = path
        self.schema = schema
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._pending: list[pa.Table] = []
        self._pending_rows = 0

    def write(self, table: pa.Table) -> None:
        """Queue rows; full row groups are written as they fill."""
        self._pending.append(table)
        self._pending_rows += table.num_rows
        self.rows += table.num_rows
        while self._pending_rows >= ROW_GROUP_ROWS:
            combined = pa.concat_tables(self._pending)
            self._write_group(combined.slice(0, ROW_GROUP_ROWS))
            rest = combined.slice(ROW_GROUP_ROWS)
            self._pending, self._pending_rows = [rest], rest.num_rows

    def close(self) -> None:
        """Write the last, partial row group and finish the file."""
        if self._pending_rows:
            self._write_group(pa.concat_tables(self._pending))
        self._pending, self._pending_rows = [], 0
        if self._writer is not None:
            self._writer.close()

    def _write_group(self, table: pa.Table) -> None:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(
                self.path, self.schema, compression="zstd", version="2.6", use_dictionary=True, write_statistics=True
            )
        self._writer.write_table(table.combine_chunks(), row_group_size=ROW_GROUP_ROWS)


@contextmanager
def atomic_directory(target: Path, *, force: bool) -> Iterator[Path]:
    """Yield a fresh temporary directory (holding the export marker) that becomes `target` when
    the block succeeds."""
    _refuse_existing(target, force)
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    building = target.parent / f".{target.name}.partial-{token}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        building.mkdir()
    except OSError as error:
        raise AnnotatorError(f"{target}: cannot create the export there: {_reason(error)}") from None
    try:
        (building / MARKER_NAME).write_text(MARKER_TEXT, encoding="utf-8")
        yield building
        _refuse_existing(target, force)
        _swap_in(building, target, target.parent / f".{target.name}.old-{token}")
    except OSError as error:
        shutil.rmtree(building, ignore_errors=True)
        raise AnnotatorError(f"{target}: cannot write the export: {_reason(error)}") from None
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def is_export(directory: Path) -> bool:
    """Whether `directory` was written by `annotator export` (it has the marker file)."""
    return (directory / MARKER_NAME).is_file()


def _reason(error: OSError) -> str:
    where = f" ({error.filename})" if error.filename else ""
    return f"{(error.strerror or str(error)).lower()}{where}"


def _refuse_existing(target: Path, force: bool) -> None:
    if not target.exists() and not target.is_symlink():
        return
    if not force:
        raise AnnotatorError(f"{target} already exists: use --force to replace it")
    if not target.is_dir() or target.is_symlink():
        raise AnnotatorError(f"{target} exists and is not a directory: not replacing it")
    try:
        empty = not any(target.iterdir())
    except OSError as error:
        raise AnnotatorError(f"{target}: cannot read it: {_reason(error)}") from None
    if not empty and not is_export(target):
        raise AnnotatorError(f"{target} is not an annotator export (no {MARKER_NAME} marker); refusing to replace it")


def _swap_in(building: Path, target: Path, old: Path) -> None:
    if not target.exists():
        building.rename(target)
        return
    target.rename(old)
    try:
        building.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old)
