"""Which labels a dataset row holds: gold (decided, else a fallback) or one annotator's (raw).

Definitions (also stated in the dataset card); "item", "coder", majority, disputed, undecided
and item agreement are `annotator.core.identity`'s, shared with the review screen:

- A passage's coders are its annotators who finished it (done or flagged) and everyone with
  a current label on it that is not an adjudication. Adjudications only feed the gold labels.
- Per-passage agreement: the item agreement over all layers pooled (an item is its layer plus
  its identity), null with fewer than two coders; `layer_agreement` gives it per layer, and
  `votes` every item with the number of coders who gave it.
- Gold, per layer: where a lead decided the layer (an `adjudications` row), the adjudicated
  labels, also when the decision was "no labels here" (gold `[]`, and the layer is listed in
  `adjudicated_layers`); else the fallback: `majority`: the items more than half of the
  coders gave, attributes by majority among them; `raw`: the labels of the passage's most
  central coder (highest mean pairwise agreement with the others, ties: lowest id); `gold`:
  none (the layer is null, and passages with no decision are left out).
- `disputed_layers`: layers where some item was not given by every coder; `undecided_layers`:
  layers whose majority could not settle them (a tie), so a fallback `[]` there never reads
  as "nobody saw anything".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from annotator.codebook import Codebook, Layer
from annotator.core.identity import LayerTally, mean_pairwise_jaccard, tally
from annotator.export.source import ADJUDICATION, LabelRow

LABEL_MODES = ("gold", "majority", "raw")


def _fields(row: LabelRow) -> tuple[str, int | None, int | None, str | None]:
    return row.label, row.start, row.end, row.target


def _attributes(row: LabelRow) -> dict:
    return row.attributes or {}


@dataclass(frozen=True)
class PassageVotes:
    """A passage's labels split into the coders' own and the adjudicated ones."""

    codebook: Codebook
    annotators: tuple[int, ...]
    """Sorted coder ids: finished annotators and everyone with a label."""
    own: dict[tuple[int, str], list[LabelRow]]
    """(annotator, layer) -> that annotator's labels in that layer."""
    adjudicated: dict[str, list[LabelRow]]
    """Decided layer -> the adjudicated labels of the latest adjudicator of that layer ([] for
    a decision that the layer has no labels)."""
    agreement: float | None
    tallies: dict[str, LayerTally[LabelRow]]
    """Layer id -> the coders' labels of that layer, item by item (the core tally)."""

    @classmethod
    def of(
        cls,
        codebook: Codebook,
        labels: Iterable[LabelRow],
        *,
        finished: Iterable[int] = (),
        decided: Iterable[str] = (),
    ) -> PassageVotes:
        """Group a passage's current labels; `finished` are the annotators who finished it,
        `decided` the layers a lead decided (with or without gold labels)."""
        own: dict[tuple[int, str], list[LabelRow]] = defaultdict(list)
        adjudications: dict[str, list[LabelRow]] = defaultdict(list)
        for row in labels:
            if row.origin == ADJUDICATION:
                adjudications[row.layer].append(row)
            else:
                own[(row.annotator_id, row.layer)].append(row)
        adjudicated: dict[str, list[LabelRow]] = {layer_id: [] for layer_id in decided}
        for layer_id, rows in adjudications.items():
            latest = max(rows, key=lambda row: row.id).annotator_id
            adjudicated[layer_id] = [row for row in rows if row.annotator_id == latest]
        coders = tuple(sorted({*finished, *(person for person, _layer in own)}))
        tallies = {
            layer.id: tally(
                layer, coders, {person: own.get((person, layer.id), []) for person in coders}, _fields, _attributes
            )
            for layer in codebook.layers
        }
        items = {person: _items_of(tallies, person) for person in coders}
        return cls(codebook, coders, dict(own), adjudicated, mean_pairwise_jaccard(items), tallies)

    def labels_of(self, annotator_id: int, layer_id: str) -> list[LabelRow]:
        """One annotator's labels in one layer."""
        return self.own.get((annotator_id, layer_id), [])

    def disputed_layers(self) -> list[str]:
        """The layers where some item was not given by every coder."""
        return [layer.id for layer in self.codebook.layers if self.tallies[layer.id].disputed]

    def layer_agreement(self) -> list[dict[str, Any]]:
        """Per layer, in codebook order: the item agreement of its coders (None: fewer than two)."""
        return [{"layer": layer.id, "agreement": self.tallies[layer.id].agreement()} for layer in self.codebook.layers]

    def votes(self, passage_start: int) -> list[dict[str, Any]]:
        """Every item any coder gave, per layer in codebook order, with how many coders gave
        it (disagreement as data: a 2-of-3 span reads differently from a 3-of-3 one)."""
        return [
            {
                "layer": layer.id,
                "label": item.label,
                "start": None if item.span_start is None else item.span_start - passage_start,
                "end": None if item.span_end is None else item.span_end - passage_start,
                "target": item.target,
                "votes": count,
            }
            for layer in self.codebook.layers
            for item, count in self.tallies[layer.id].votes()
        ]

    def undecided_layers(self) -> list[str]:
        """The layers, not decided by a lead, whose majority cannot settle them (ties)."""
        return [
            layer.id
            for layer in self.codebook.layers
            if layer.id not in self.adjudicated and self.tallies[layer.id].undecided
        ]

    def gold(self, mode: str) -> dict[str, list[LabelRow] | None] | None:
        """Layer -> gold labels (None: not given); None when `mode` is "gold" and nothing was decided."""
        if mode == "gold" and not self.adjudicated:
            return None
        central = self._central_annotator() if mode == "raw" else None
        gold: dict[str, list[LabelRow] | None] = {}
        for layer in self.codebook.layers:
            if layer.id in self.adjudicated:
                gold[layer.id] = self.adjudicated[layer.id]
            elif mode == "majority":
                gold[layer.id] = self._majority(layer)
            elif mode == "raw" and central is not None:
                gold[layer.id] = self.labels_of(central, layer.id)
            else:
                gold[layer.id] = None if mode == "gold" else []
        return gold

    def _majority(self, layer: Layer) -> list[LabelRow]:
        tallied = self.tallies[layer.id]
        chosen = []
        for item in tallied.majority():
            first = next(iter(item.rows.values()))
            merged = tallied.merged_attributes(item)
            chosen.append(first if merged == first.attributes else first._replace(attributes=merged))
        return chosen

    def _central_annotator(self) -> int | None:
        items = {person: _items_of(self.tallies, person) for person in self.annotators}

        def centrality(person: int) -> float:
            others = [_jaccard(items[person], items[other]) for other in self.annotators if other != person]
            return sum(others) / len(others) if others else 1.0

        return min(self.annotators, key=lambda person: (-centrality(person), person), default=None)


def _items_of(tallies: dict[str, LayerTally[LabelRow]], person: int) -> set[tuple]:
    """One coder's items over all layers, each prefixed with its layer."""
    return {(layer_id, *item.key) for layer_id, tallied in tallies.items() for item in tallied.of_coder(person)}


def _jaccard(a: set[tuple], b: set[tuple]) -> float:
    return mean_pairwise_jaccard({0: a, 1: b}) or 0.0
