"""The codebook as immutable data: layers, labels, attributes and stance targets.

The UI, agreement and export are driven by these objects alone; no code names a default label.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class LayerKind(StrEnum):
    """What a layer labels: spans, a whole passage (one label or a set), or a stance per target.

    What each kind means for writing, comparing and measuring labels is declared once, in
    `annotator.core.kinds`.
    """

    SPAN = "span"
    PASSAGE_SINGLE = "passage_single"
    PASSAGE_MULTI = "passage_multi"
    TARGET_ORDINAL = "target_ordinal"


LAYER_KINDS: tuple[str, ...] = tuple(kind.value for kind in LayerKind)

AttributeKind = Literal["choice", "flag"]
ATTRIBUTE_KINDS: tuple[str, ...] = ("choice", "flag")


@dataclass(frozen=True, slots=True)
class Subtype:
    """A finer type under a label (e.g. a sub-event type); chosen optionally, never keyed."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Category:
    """A display group of labels within a layer (e.g. a family of techniques)."""

    id: str
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Target:
    """A project-wide stance target, offered next to the actor spans of the passage."""

    id: str
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Label:
    """One label an annotator can choose, with what they need to choose it well."""

    id: str
    name: str
    key: str
    color: str
    definition: str
    examples: tuple[str, ...]
    near_misses: tuple[str, ...]
    category: str | None = None
    value: int | None = None
    """A target_ordinal layer's scale point; None there means "no stance expressed"."""
    subtypes: tuple[Subtype, ...] = ()
    retired: bool = False
    """Retired labels stay readable (old annotations keep them) but are no longer offered."""
    replaces: tuple[str, ...] = ()
    """Labels merged into this one: their annotations become this label."""
    split_from: str | None = None
    """The label this one was split from: that label's annotations are flagged for review."""

    def subtype(self, subtype_id: str) -> Subtype:
        """The subtype with this id (KeyError if there is none)."""
        for subtype in self.subtypes:
            if subtype.id == subtype_id:
                return subtype
        raise KeyError(subtype_id)


@dataclass(frozen=True, slots=True)
class AttributeValue:
    """One choice of a choice attribute."""

    id: str
    name: str
    key: str


@dataclass(frozen=True, slots=True)
class Attribute:
    """Extra information on a label: a choice among values, or an on/off flag."""

    id: str
    name: str
    kind: AttributeKind
    values: tuple[AttributeValue, ...] = ()
    """Choice attributes only."""
    key: str | None = None
    """Flag attributes only: the key that toggles the flag."""
    applies_to: tuple[str, ...] = ()
    """Label ids this attribute is asked for; empty means every label of the layer."""
    default: str | bool | None = None
    """A value id (or None: unset) for a choice; True/False for a flag."""
    description: str = ""

    def applies(self, label_id: str) -> bool:
        """Whether annotators are asked for this attribute on `label_id`."""
        return not self.applies_to or label_id in self.applies_to


SUBTYPE_ATTRIBUTE = "subtype"


def subtype_attribute(labels: tuple[Label, ...]) -> Attribute | None:
    """The labels' subtypes as one choice attribute of their layer, or None if they have none.

    The loader adds it to the layer, so storage (`attributes["subtype"]`), validation,
    agreement and export treat a sub-type like any other choice. Its values have no keys:
    the UI offers them in a list.
    """
    values: dict[str, AttributeValue] = {}
    for label in labels:
        for subtype in label.subtypes:
            values.setdefault(subtype.id, AttributeValue(subtype.id, subtype.name, ""))
    if not values:
        return None
    return Attribute(
        id=SUBTYPE_ATTRIBUTE,
        name="Sub-type",
        kind="choice",
        values=tuple(values.values()),
        applies_to=tuple(label.id for label in labels if label.subtypes),
        description="The finer type of the label, chosen from its list of sub-types.",
    )


@dataclass(frozen=True, slots=True)
class CollapsedClass:
    """A class of the coarse version of an ordinal layer, made of some of its labels."""

    id: str
    name: str
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Layer:
    """One annotation task over the corpus: which labels, on what unit, with which extras."""

    id: str
    name: str
    kind: LayerKind
    labels: tuple[Label, ...]
    description: str = ""
    attributes: tuple[Attribute, ...] = ()
    categories: tuple[Category, ...] = ()
    guidelines: str = ""
    """Stem of the guidelines markdown file for this layer (defaults to the layer id)."""
    allow_overlap: bool = False
    """Span layers: whether two spans of this layer may overlap."""
    target_layer: str | None = None
    """target_ordinal layers: the span layer whose spans can be stance targets."""
    targets: tuple[str, ...] = ()
    """target_ordinal layers: ids of the codebook targets offered; empty means all of them."""
    collapse: tuple[CollapsedClass, ...] = ()
    """target_ordinal layers: the coarse classes, together covering every label."""

    @property
    def active_labels(self) -> tuple[Label, ...]:
        """The labels annotators are offered (not retired), in codebook order."""
        return tuple(label for label in self.labels if not label.retired)

    def label(self, label_id: str) -> Label:
        """The label with this id, retired or not (KeyError if there is none)."""
        for label in self.labels:
            if label.id == label_id:
                return label
        raise KeyError(label_id)

    def attribute(self, attribute_id: str) -> Attribute:
        """The attribute with this id (KeyError if there is none)."""
        for attribute in self.attributes:
            if attribute.id == attribute_id:
                return attribute
        raise KeyError(attribute_id)

    def bound_keys(self) -> set[str]:
        """Every key this layer's active labels and its attributes use."""
        keys = {label.key for label in self.active_labels}
        for attribute in self.attributes:
            keys |= {key for key in (attribute.key, *(value.key for value in attribute.values)) if key}
        return keys

    def category(self, category_id: str) -> Category:
        """The category with this id (KeyError if there is none)."""
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    @property
    def scale(self) -> tuple[Label, ...]:
        """target_ordinal layers: the active scale points, lowest value first."""
        points = [(label.value, label) for label in self.active_labels if label.value is not None]
        return tuple(label for _value, label in sorted(points, key=lambda point: point[0]))

    @property
    def null_label(self) -> Label | None:
        """target_ordinal layers: the active label meaning "no stance expressed"."""
        if self.kind != "target_ordinal":
            return None
        return next((label for label in self.active_labels if label.value is None), None)

    def collapsed(self, label_id: str) -> CollapsedClass | None:
        """The coarse class of `label_id`, or None when the layer has no collapse mapping."""
        for collapsed_class in self.collapse:
            if label_id in collapsed_class.labels:
                return collapsed_class
        return None


@dataclass(frozen=True, slots=True)
class Codebook:
    """A project's whole label scheme."""

    name: str
    layers: tuple[Layer, ...]
    description: str = ""
    language: str = "en"
    targets: tuple[Target, ...] = ()
    license: str | None = None
    """The licence to state in the exported dataset card."""

    def layer(self, layer_id: str) -> Layer:
        """The layer with this id (KeyError if there is none)."""
        for layer in self.layers:
            if layer.id == layer_id:
                return layer
        raise KeyError(layer_id)

    def target(self, target_id: str) -> Target:
        """The project target with this id (KeyError if there is none)."""
        for target in self.targets:
            if target.id == target_id:
                return target
        raise KeyError(target_id)

    def targets_for(self, layer_id: str) -> tuple[Target, ...]:
        """The project targets a target_ordinal layer offers, in codebook order."""
        wanted = self.layer(layer_id).targets
        return tuple(t for t in self.targets if not wanted or t.id in wanted)

    def content_hash(self) -> str:
        """sha256 of a canonical JSON form: YAML layout, comments and key order do not count."""
        canonical = json.dumps(dataclasses.asdict(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
