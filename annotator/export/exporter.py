"""`annotator export`: a Hugging Face dataset directory of a release (or of the current labels).

The directory holds `gold/<split>.parquet`, `raw/<split>.parquet` and `documents/<split>.parquet`
(one row per article, see `documents.py`), a `README.md` dataset card whose YAML declares the
configs and their features, and the agreement report
(`agreement.json`, `.csv` and `.html`, annotators pseudonymised as in `raw`). It is
read in one database transaction, streamed a batch of articles at a time, and written all or
nothing (`writer.atomic_directory`). `datasets.load_dataset(DIR)` reads it offline; no
`save_to_disk` copy is written (it would double the size and pin a `datasets` version).
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Engine

from annotator.agreement.results import AgreementReport
from annotator.codebook import Codebook
from annotator.errors import AnnotatorError
from annotator.export.agreement_files import export_agreement
from annotator.export.card import write_card
from annotator.export.documents import DocumentRows
from annotator.export.features import CONFIGS, codebook_columns, data_file, dataset_features
from annotator.export.label_files import snapshot_session
from annotator.export.layer_columns import LayerColumns
from annotator.export.pseudonyms import pseudonyms
from annotator.export.rows import LABEL_MODES, PassageVotes
from annotator.export.source import PassageRecord, Snapshot, article_strata, passages_of, resolve_snapshot
from annotator.export.splits import DEFAULT_SPLIT, assign_splits, parse_split_spec
from annotator.export.table_buffer import RowBuffer
from annotator.export.tokens import tokenize
from annotator.export.writer import ParquetSink, atomic_directory
from annotator.releases import SnapshotDiff, diff_snapshots

BATCH_ARTICLES = 200


@dataclass
class ExportResult:
    """What was exported, for the dataset card and the command's summary."""

    snapshot: Snapshot
    mode: str
    seed: int
    fractions: dict[str, float]
    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    """Config -> split -> rows written (splits without rows are left out)."""
    articles: Counter[str] = field(default_factory=Counter)
    """Split -> articles."""
    label_counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    """(layer, label, split) -> labels in the gold config."""
    annotators: int = 0
    skipped_labels: int = 0
    """Labels whose layer or label the snapshot's codebook does not have."""
    agreement: AgreementReport | None = None
    changelog: SnapshotDiff | None = None


def export_dataset(
    engine: Engine,
    out: Path,
    *,
    release: str | None = None,
    labels: str = "majority",
    seed: int = 0,
    split: str = DEFAULT_SPLIT,
    force: bool = False,
    drop_markup: bool = False,
) -> ExportResult:
    """Export the labels of release `release` (None: the current labels) to directory `out`;
    `drop_markup` leaves citation markers and placeholders out of the tokens and their tags."""
    if labels not in LABEL_MODES:
        raise AnnotatorError(f"unknown --labels {labels!r} (choose from {', '.join(LABEL_MODES)})")
    fractions = parse_split_spec(split)
    with _gc_paused(), atomic_directory(out, force=force) as building, snapshot_session(engine) as session:
        snapshot = resolve_snapshot(session, release)
        result = ExportResult(snapshot, labels, seed, fractions)
        columns = codebook_columns(snapshot.codebook)
        features = {config: dataset_features(config, columns) for config in CONFIGS}
        strata = article_strata(session, snapshot.watermark, snapshot.codebook)
        if not strata:
            raise AnnotatorError(f"nothing to export: no labels as of revision {snapshot.watermark}")
        assignment = assign_splits(strata, fractions, seed)
        result.articles.update(assignment.values())
        sinks = {
            (config, name): ParquetSink(building / data_file(config, name), features[config].arrow_schema)
            for config in CONFIGS
            for name in fractions
        }
        names = pseudonyms(session)
        builder = _RowBuilder(snapshot.codebook, columns, labels, names, result)
        builder.drop_markup = drop_markup
        ordered = sorted(strata)
        for offset in range(0, len(ordered), BATCH_ARTICLES):
            batch = _Batch()
            chunk = ordered[offset : offset + BATCH_ARTICLES]
            decided_before = snapshot.release.created_at if snapshot.release is not None else None
            for passage in passages_of(session, snapshot.watermark, chunk, decided_before):
                builder.add(passage, assignment[passage.article_id], batch)
            for key, table in batch.tables({key: sink.schema for key, sink in sinks.items()}):
                sinks[key].write(table)
            for name, table in builder.documents.tables(session, chunk, assignment):
                sinks[("documents", name)].write(table)
        for (config, name), sink in sinks.items():
            sink.close()
            if sink.rows:
                result.rows.setdefault(config, {})[name] = sink.rows
        if "gold" not in result.rows:
            raise AnnotatorError("nothing to export in the gold config: no adjudicated labels (try --labels majority)")
        result.annotators = len(builder.annotators)
        if snapshot.previous is not None:
            result.changelog = diff_snapshots(session, snapshot.previous.last_annotation_id, snapshot.watermark)
        result.agreement = export_agreement(engine, snapshot, names, building)
        write_card(building / "README.md", result, features)
    return result


class _RowBuilder:
    """Turns exported passages into gold and raw rows (and collects them for the documents rows)."""

    def __init__(
        self, codebook: Codebook, columns: list[LayerColumns], mode: str, names: dict[int, str], result: ExportResult
    ) -> None:
        self.codebook = codebook
        self.columns = columns
        self.mode = mode
        self.names = names
        self.result = result
        self.known = {layer.id: {label.id for label in layer.labels} for layer in codebook.layers}
        self.annotators: set[int] = set()
        self.drop_markup = False
        self.documents = DocumentRows(columns, names, result.snapshot.codebook_version)

    def add(self, passage: PassageRecord, split: str, batch: _Batch) -> None:
        """Add the passage's gold row and its raw rows to `batch`."""
        labels = [row for row in passage.labels if row.label in self.known.get(row.layer, ())]
        self.result.skipped_labels += len(passage.labels) - len(labels)
        votes = PassageVotes.of(self.codebook, labels, finished=passage.finished, decided=passage.decided)
        self.annotators.update(votes.annotators)
        tokens = tokenize(passage.text)
        if self.drop_markup:
            tokens = tokens.without_markup()
        shared = batch.add_passage(
            article_id=passage.article_ref,
            article_title=passage.title,
            passage_index=passage.index,
            passage_id=passage.id,
            passage_start=passage.start,
            source=passage.source,
            url=passage.url,
            published=passage.published,
            codebook_version=self.result.snapshot.codebook_version,
            num_annotators=len(votes.annotators),
            agreement=votes.agreement,
            text=passage.text,
            tokens=tokens.words,
            token_starts=tokens.starts,
            token_ends=tokens.ends,
            token_is_markup=tokens.markup,
        )
        gold = votes.gold(self.mode)
        self.documents.add(passage, votes, gold)
        if gold is not None:
            out = batch.buffers[("gold", split)].start_row(shared)
            out.values["adjudicated_layers"].append(sorted(votes.adjudicated))
            out.values["disputed_layers"].append(votes.disputed_layers())
            out.values["undecided_layers"].append(votes.undecided_layers())
            out.values["layer_agreement"].append(votes.layer_agreement())
            out.values["votes"].append(votes.votes(passage.start))
            for layer in self.columns:
                layer.append(out, gold[layer.name], passage, tokens)
            for layer_id, rows in gold.items():
                self.result.label_counts.update((layer_id, row.label, split) for row in rows or ())
        for person in votes.annotators:
            out = batch.buffers[("raw", split)].start_row(shared)
            out.values["annotator"].append(self.names[person])
            for layer in self.columns:
                layer.append(out, votes.labels_of(person, layer.name), passage, tokens)


class _Batch:
    """The rows of a batch of articles per (config, split); columns shared by a passage's rows
    (metadata, text, tokens) are kept once per passage."""

    def __init__(self) -> None:
        self.shared: dict[str, list[Any]] = defaultdict(list)
        self.count = 0
        self.buffers: dict[tuple[str, str], RowBuffer] = defaultdict(RowBuffer)

    def add_passage(self, **values: Any) -> int:
        """Store a passage's shared columns; returns its handle for `RowBuffer.start_row`."""
        for name, value in values.items():
            self.shared[name].append(value)
        self.count += 1
        return self.count - 1

    def tables(self, schemas: dict[tuple[str, str], pa.Schema]) -> Iterator[tuple[tuple[str, str], pa.Table]]:
        """One table per (config, split) with rows, in `schemas` order and schema."""
        types = {field.name: field.type for schema in schemas.values() for field in schema}
        shared = {name: pa.array(values, types[name]) for name, values in self.shared.items()}
        for key, schema in schemas.items():
            if self.buffers[key]:
                yield key, self.buffers[key].to_table(schema, shared)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: an export allocates millions of short-lived, acyclic
    objects (freed by reference counting), and collections took a third of its time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
