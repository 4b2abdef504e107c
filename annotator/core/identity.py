"""One meaning of "the same label", of the majority and of item agreement, for every reader.

Review, the export's majority fallback and the export's item agreement all tally a layer of a
passage here, so they cannot disagree about what the annotators said.

Definitions (stated in the README and the dataset card):

- An *item* is what a label says, by the identity fields of its layer's kind
  (`annotator.core.kinds`): label and offsets for spans, the label for passage layers, target
  and label for stance. Attributes are not part of the item; among the annotators who gave an
  item, each attribute takes its most common value (ties: codebook order, flags off first).
- The *coders* of a passage are the annotators whose answer counts there: everyone who
  finished it (an empty answer is an answer) and everyone with a label on it.
- The *majority* of a layer: the items more than half of the coders gave.
- A layer is *disputed* when some item was not given by every coder, and *undecided* when
  the majority cannot settle it: an item given by exactly half of the coders (a tie), or a
  single-choice slot (the passage label, a stance target) that most coders filled without
  most of them choosing the same label.
- *Item agreement*: the mean over pairs of coders of the Jaccard similarity of their item
  sets (two empty sets agree); None with fewer than two coders.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Generic, TypeVar

from annotator.codebook.model import Attribute, Layer
from annotator.core.kinds import KindRules, rules_of

Row = TypeVar("Row")
ItemKey = tuple[Hashable, ...]


def item_key(rules: KindRules, label: str, span_start: int | None, span_end: int | None, target: str | None) -> ItemKey:
    """The item a label is, by its kind's identity fields."""
    values = {"label": label, "span_start": span_start, "span_end": span_end, "target": target}
    return tuple(values[name] for name in rules.identity)


def slot_key(rules: KindRules, label: str, target: str | None) -> ItemKey | None:
    """The single-choice slot a label fills (None: its kind has no slots)."""
    if rules.slot is None:
        return None
    values = {"label": label, "target": target}
    return tuple(values[name] for name in rules.slot)


def attribute_value(attribute: Attribute, label_id: str, attributes: Mapping[str, Any]) -> Any:
    """The stored value (value id or bool) with the codebook default filled in; None if it does not apply."""
    if not attribute.applies(label_id):
        return None
    value = attributes.get(attribute.id, attribute.default)
    if attribute.kind == "flag":
        return bool(value)
    return value


def majority_attributes(layer: Layer, label_id: str, given: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Each attribute's most common value among `given` (ties: codebook order, flags off first)."""
    if all(attributes == given[0] for attributes in given):
        return dict(given[0])
    merged: dict[str, Any] = {}
    for attribute in layer.attributes:
        values = Counter(attribute_value(attribute, label_id, attributes) for attributes in given)
        order: list[Any] = [False, True] if attribute.kind == "flag" else [value.id for value in attribute.values]
        best = min(values, key=lambda value: (-values[value], order.index(value) if value in order else len(order)))
        if best is not None:
            merged[attribute.id] = best
    return merged


@dataclass
class Item(Generic[Row]):
    """One distinct item given in a layer, with each coder's row that gave it."""

    key: ItemKey
    label: str
    span_start: int | None
    span_end: int | None
    target: str | None
    rows: dict[int, Row] = field(default_factory=dict)
    """Coder id -> the row (label revision) with which they gave the item."""

    @property
    def holders(self) -> frozenset[int]:
        """The coders who gave this item."""
        return frozenset(self.rows)


@dataclass
class LayerTally(Generic[Row]):
    """What the coders of one passage said in one layer, item by item."""

    layer: Layer
    coders: tuple[int, ...]
    items: list[Item[Row]]
    """In reading order: passage labels first, then by offsets, label and target."""
    attributes_of: Callable[[Row], Mapping[str, Any]]

    def item(self, key: ItemKey) -> Item[Row] | None:
        """The item with this key, if anybody gave it."""
        return next((item for item in self.items if item.key == key), None)

    def votes(self) -> list[tuple[Item[Row], int]]:
        """Every item with the number of coders who gave it."""
        return [(item, len(item.holders)) for item in self.items]

    def has_majority(self, item: Item[Row]) -> bool:
        """Whether more than half of the coders gave `item`."""
        return 2 * len(item.holders) > len(self.coders)

    def majority(self) -> list[Item[Row]]:
        """The items more than half of the coders gave."""
        return [item for item in self.items if self.has_majority(item)]

    def merged_attributes(self, item: Item[Row]) -> dict[str, Any]:
        """The item's attributes, each by majority among the coders who gave it."""
        return majority_attributes(self.layer, item.label, [self.attributes_of(row) for row in item.rows.values()])

    def of_coder(self, coder: int) -> list[Item[Row]]:
        """The items one coder gave."""
        return [item for item in self.items if coder in item.rows]

    @property
    def disputed(self) -> bool:
        """Some item was not given by every coder."""
        return any(len(item.holders) < len(self.coders) for item in self.items)

    @property
    def undecided(self) -> bool:
        """The majority cannot settle the layer: a tie on an item, or a slot most coders
        filled without a majority for one label."""
        coders = len(self.coders)
        if any(2 * len(item.holders) == coders for item in self.items):
            return True
        rules = rules_of(self.layer)
        filled: dict[ItemKey | None, set[int]] = defaultdict(set)
        decided: set[ItemKey | None] = set()
        for item in self.items:
            slot = slot_key(rules, item.label, item.target)
            if slot is None:
                continue
            filled[slot] |= item.holders
            if self.has_majority(item):
                decided.add(slot)
        return any(2 * len(holders) > coders and slot not in decided for slot, holders in filled.items())

    def disputed_labels(self) -> tuple[str, ...]:
        """The label ids of the items not every coder gave, sorted."""
        return tuple(sorted({item.label for item in self.items if len(item.holders) < len(self.coders)}))

    def agreement(self) -> float | None:
        """Mean pairwise Jaccard similarity of the coders' item sets (None: fewer than two coders)."""
        sets = {coder: {item.key for item in self.items if coder in item.rows} for coder in self.coders}
        return mean_pairwise_jaccard(sets)


def mean_pairwise_jaccard(sets: Mapping[int, set[ItemKey] | frozenset[ItemKey]]) -> float | None:
    """The mean over pairs of coders of |A & B| / |A | B| (1 for two empty sets); None for < 2 coders."""
    pairs = [_jaccard(sets[a], sets[b]) for a, b in combinations(sorted(sets), 2)]
    return sum(pairs) / len(pairs) if pairs else None


def _jaccard(a: Iterable[ItemKey], b: Iterable[ItemKey]) -> float:
    a, b = frozenset(a), frozenset(b)
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def tally(
    layer: Layer,
    coders: Iterable[int],
    rows_by_coder: Mapping[int, Iterable[Row]],
    fields: Callable[[Row], tuple[str, int | None, int | None, str | None]],
    attributes_of: Callable[[Row], Mapping[str, Any]],
) -> LayerTally[Row]:
    """Tally the coders' rows of `layer` (rows of other layers must be left out by the caller).

    `fields(row)` gives (label, span_start, span_end, target). A coder's first row of an item
    is the one kept; coders in `rows_by_coder` but not in `coders` are counted as coders too.
    """
    rules = rules_of(layer)
    everyone = tuple(sorted({*coders, *rows_by_coder}))
    items: dict[ItemKey, Item[Row]] = {}
    for coder in everyone:
        for row in rows_by_coder.get(coder, ()):
            label, start, end, target = fields(row)
            key = item_key(rules, label, start, end, target)
            item = items.get(key)
            if item is None:
                item = items[key] = Item(key, label, start, end, target)
            item.rows.setdefault(coder, row)
    ordered = sorted(items.values(), key=_reading_order)
    return LayerTally(layer, everyone, ordered, attributes_of)


def _reading_order(item: Item[Any]) -> tuple[Any, ...]:
    """Passage labels first, then spans by position; then by label and target."""
    return (item.span_start is not None, item.span_start or 0, item.span_end or 0, item.label, str(item.target))
