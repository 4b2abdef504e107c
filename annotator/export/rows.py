"""Which labels a dataset row holds: gold (adjudicated, else a fallback) or one annotator's (raw).

Definitions (also stated in the dataset card):

- A passage's annotators are the people with at least one current label on it that is not an
  adjudication. Adjudications (origin "adjudication") only ever feed the gold labels.
- A label item is (layer, label, span offsets, target): attributes are not part of it.
- Per-item agreement: the mean over pairs of the passage's annotators of the Jaccard
  similarity |A & B| / |A | B| of their label-item sets (all layers pooled, spans matched
  exactly); null with fewer than two annotators.
- Gold, per layer: the adjudicated labels when the layer has any on the passage (from the
  adjudicator who adjudicated that layer last), else the fallback:
  `majority`: items chosen by more than half of the passage's annotators, attributes by the
  most common value among them (ties: codebook order); `raw`: the labels of the passage's
  most central annotator (highest mean pairwise agreement with the others, ties: lowest id);
  `gold`: none (the layer is null, and passages with no adjudication are left out).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from annotator.codebook import Codebook, Layer
from annotator.export.layer_columns import attribute_value
from annotator.export.source import ADJUDICATION, LabelRow

LABEL_MODES = ("gold", "majority", "raw")


def item_key(row: LabelRow) -> tuple:
    """What a label says, for matching labels across annotators."""
    return (row.layer, row.label, row.start, row.end, row.target)


@dataclass(frozen=True)
class PassageVotes:
    """A passage's labels split into the annotators' own and the adjudicated ones."""

    annotators: tuple[int, ...]
    """Sorted annotator ids."""
    own: dict[tuple[int, str], list[LabelRow]]
    """(annotator, layer) -> that annotator's labels in that layer."""
    items: dict[int, frozenset[tuple]]
    """Annotator -> their label items, all layers."""
    adjudicated: dict[str, list[LabelRow]]
    """Layer -> the adjudicated labels of the latest adjudicator of that layer."""
    agreement: float | None

    @classmethod
    def of(cls, labels: Iterable[LabelRow]) -> PassageVotes:
        """Group a passage's current labels."""
        own: dict[tuple[int, str], list[LabelRow]] = defaultdict(list)
        adjudications: dict[str, list[LabelRow]] = defaultdict(list)
        for row in labels:
            if row.origin == ADJUDICATION:
                adjudications[row.layer].append(row)
            else:
                own[(row.annotator_id, row.layer)].append(row)
        adjudicated = {}
        for layer_id, rows in adjudications.items():
            latest = max(rows, key=lambda row: row.id).annotator_id
            adjudicated[layer_id] = [row for row in rows if row.annotator_id == latest]
        items: dict[int, set[tuple]] = defaultdict(set)
        for (person, _layer), rows in own.items():
            items[person].update(map(item_key, rows))
        frozen = {person: frozenset(keys) for person, keys in sorted(items.items())}
        return cls(tuple(frozen), dict(own), frozen, adjudicated, _mean_agreement(frozen))

    def labels_of(self, annotator_id: int, layer_id: str) -> list[LabelRow]:
        """One annotator's labels in one layer."""
        return self.own.get((annotator_id, layer_id), [])

    def gold(self, codebook: Codebook, mode: str) -> dict[str, list[LabelRow] | None] | None:
        """Layer -> gold labels (None: not given); None when `mode` is "gold" and nothing was adjudicated."""
        if mode == "gold" and not self.adjudicated:
            return None
        central = self._central_annotator() if mode == "raw" else None
        gold: dict[str, list[LabelRow] | None] = {}
        for layer in codebook.layers:
            if layer.id in self.adjudicated:
                gold[layer.id] = self.adjudicated[layer.id]
            elif mode == "majority":
                gold[layer.id] = self._majority(layer)
            elif mode == "raw":
                gold[layer.id] = self.labels_of(central, layer.id)
            else:
                gold[layer.id] = None
        return gold

    def _majority(self, layer: Layer) -> list[LabelRow]:
        if len(self.annotators) == 1:
            return self.labels_of(self.annotators[0], layer.id)
        support: dict[tuple, dict[int, LabelRow]] = defaultdict(dict)
        for person in self.annotators:
            for row in self.labels_of(person, layer.id):
                support[item_key(row)].setdefault(person, row)
        needed = len(self.annotators) / 2
        return [_merged(list(rows.values()), layer) for rows in support.values() if len(rows) > needed]

    def _central_annotator(self) -> int | None:
        def centrality(person: int) -> float:
            others = [_jaccard(self.items[person], self.items[other]) for other in self.annotators if other != person]
            return sum(others) / len(others) if others else 1.0

        return min(self.annotators, key=lambda person: (-centrality(person), person), default=None)


def _jaccard(a: frozenset, b: frozenset) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def _mean_agreement(items: dict[int, frozenset]) -> float | None:
    pairs = [_jaccard(items[a], items[b]) for a, b in combinations(sorted(items), 2)]
    return sum(pairs) / len(pairs) if pairs else None


def _merged(rows: Sequence[LabelRow], layer: Layer) -> LabelRow:
    """One label for an item several annotators chose: each attribute's most common value."""
    if all(row.attributes == rows[0].attributes for row in rows):
        return rows[0]
    attributes = {}
    for attribute in layer.attributes:
        values = Counter(attribute_value(attribute, rows[0].label, row.attributes or {}) for row in rows)
        order = [False, True] if attribute.kind == "flag" else [value.id for value in attribute.values]
        best = min(values, key=lambda value: (-values[value], order.index(value) if value in order else len(order)))
        if best is not None:
            attributes[attribute.id] = best
    return rows[0]._replace(attributes=attributes)
