"""`agreement.json` and `agreement.csv` beside an export: a minimal per-layer agreement table.

A stand-in until the corpus agreement report (`annotator.agreement.report.corpus_agreement`)
exists; `agreement_files` is the one function to swap, and its result has the same two methods
(`to_json_dict`, `to_csv_rows`).

Per layer, over the annotators' own labels (adjudications left out), where a passage's
annotators are those with any label on it:
- `units`: passages with at least two annotators where at least one labelled the layer;
- `mean_pairwise_jaccard`: mean Jaccard similarity of two annotators' label items on a passage,
  over the pairs where at least one of them labelled the layer (spans matched exactly);
- `alpha`: Krippendorff's alpha, nominal on the label (single-label layers), MASI distance on
  the label set (multi-label layers, an annotator of the passage with none has the empty set),
  ordinal on the scale value per (passage, target) (stance; "no stance" is missing), none for spans;
- `span_f1`: span layers, exact-match F1 pooled over all pairs of annotators.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations, groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from annotator.agreement import krippendorff_alpha, masi_distance
from annotator.codebook import Codebook, Layer
from annotator.db.models import Annotation
from annotator.export.source import ADJUDICATION
from annotator.labels import current_labels_query

CSV_COLUMNS = ("layer", "kind", "units", "pairs", "mean_pairwise_jaccard", "alpha", "alpha_level", "span_f1")
_ALPHA_LEVELS = {"passage_single": "nominal", "passage_multi": "masi", "target_ordinal": "ordinal"}


_NOTHING: frozenset = frozenset()


@dataclass
class _LayerTally:
    """Running sums for one layer's row of the table."""

    layer: Layer
    passages: int = 0
    pairs: int = 0
    jaccard_sum: float = 0.0
    matched: int = 0
    span_total: int = 0
    units: list[list[Any]] = field(default_factory=list)

    def add(self, annotators: list[int], items: dict[int, set[tuple]]) -> None:
        """Count one passage: its annotators, and the label items of those who labelled the layer."""
        pairs_before = self.pairs
        for a, b in combinations(annotators, 2):
            mine, theirs = items.get(a, _NOTHING), items.get(b, _NOTHING)
            if mine or theirs:
                shared = len(mine & theirs)
                self.pairs += 1
                self.jaccard_sum += shared / (len(mine) + len(theirs) - shared)
                self.matched += shared
                self.span_total += len(mine) + len(theirs)
        self.passages += self.pairs > pairs_before
        kind = self.layer.kind
        if kind == "passage_single":
            self.units.append([min(own)[0] for own in items.values()])
        elif kind == "passage_multi":
            self.units.append([frozenset(item[0] for item in items.get(person, ())) for person in annotators])
        elif kind == "target_ordinal":
            scale = {label.id: label.value for label in self.layer.labels}
            by_target: dict[str, list[int]] = defaultdict(list)
            for own in items.values():
                for label, _start, _end, target in own:
                    if scale.get(label) is not None:
                        by_target[target].append(scale[label])
            self.units.extend(by_target[target] for target in sorted(by_target))

    def row(self) -> dict[str, Any]:
        """The table row."""
        kind = self.layer.kind
        alpha = None
        if kind in _ALPHA_LEVELS:
            level = masi_distance if kind == "passage_multi" else _ALPHA_LEVELS[kind]
            width = max((len(unit) for unit in self.units), default=0)
            table = [unit + [None] * (width - len(unit)) for unit in self.units]
            alpha = _finite(krippendorff_alpha(table, level=level)) if width >= 2 else None
        return {
            "layer": self.layer.id,
            "kind": kind,
            "units": self.passages,
            "pairs": self.pairs,
            "mean_pairwise_jaccard": round(self.jaccard_sum / self.pairs, 4) if self.pairs else None,
            "alpha": None if alpha is None else round(alpha, 4),
            "alpha_level": _ALPHA_LEVELS.get(kind),
            "span_f1": round(2 * self.matched / self.span_total, 4) if kind == "span" and self.span_total else None,
        }


@dataclass(frozen=True)
class AgreementTable:
    """One row per layer (see the module docstring for the columns)."""

    as_of: int
    rows: list[dict[str, Any]]

    def to_json_dict(self) -> dict[str, Any]:
        """The table as JSON-ready data."""
        return {"as_of_revision": self.as_of, "layers": self.rows}

    def to_csv_rows(self) -> list[dict[str, Any]]:
        """The table as CSV rows (dicts with the `CSV_COLUMNS` keys)."""
        return self.rows


def agreement_files(engine: Engine, as_of: int, codebook: Codebook) -> AgreementTable:
    """Per-layer agreement of the labels current at revision `as_of`."""
    tallies = {layer.id: _LayerTally(layer) for layer in codebook.layers}
    query = (
        current_labels_query(as_of=as_of)
        .where(Annotation.origin != ADJUDICATION)
        .with_only_columns(
            Annotation.passage_id, Annotation.annotator_id, Annotation.layer, Annotation.label,
            Annotation.span_start, Annotation.span_end, Annotation.target,
        )
    )
    with engine.connect() as connection:
        rows = connection.execution_options(stream_results=True, yield_per=10_000).execute(query)
        for _passage_id, labels in groupby(rows, key=itemgetter(0)):
            _tally_passage(list(labels), tallies)
    return AgreementTable(as_of, [tally.row() for tally in tallies.values()])


def save_agreement(table: AgreementTable, directory: Path) -> None:
    """Write `agreement.json` and `agreement.csv` into `directory`."""
    text = json.dumps(table.to_json_dict(), indent=2, sort_keys=True, ensure_ascii=False)
    (directory / "agreement.json").write_text(text + "\n", encoding="utf-8")
    rows = table.to_csv_rows()
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with (directory / "agreement.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _tally_passage(labels: list[tuple], tallies: dict[str, _LayerTally]) -> None:
    """Add one passage's labels, `(passage, annotator, layer, label, start, end, target)` tuples."""
    annotators = sorted({row[1] for row in labels})
    items: dict[str, dict[int, set[tuple]]] = defaultdict(dict)
    for _passage, person, layer, label, start, end, target in labels:
        items[layer].setdefault(person, set()).add((label, start, end, target))
    for layer_id, own in items.items():
        if layer_id in tallies:
            tallies[layer_id].add(annotators, own)


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else value
