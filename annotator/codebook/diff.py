"""What changed between two codebook versions, label by label, for migrations and the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from annotator.codebook.model import Codebook, Layer

Usage = Mapping[tuple[str, str], int]
"""How many current annotations use each label: {(layer_id, label_id): count}."""


@dataclass(frozen=True, slots=True)
class Rename:
    """A label kept its id but changed its display name."""

    label: str
    old_name: str
    new_name: str


@dataclass(frozen=True, slots=True)
class Merge:
    """The `sources` labels now count as `into` (which may itself be old or new)."""

    into: str
    sources: tuple[str, ...]
    into_is_new: bool


@dataclass(frozen=True, slots=True)
class Split:
    """`source` was split into `into`: its annotations need review, they are never reassigned."""

    source: str
    into: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LayerDiff:
    """The label changes within one layer present in both versions."""

    layer: str
    added: tuple[str, ...] = ()
    renamed: tuple[Rename, ...] = ()
    retired: tuple[str, ...] = ()
    merged: tuple[Merge, ...] = ()
    split: tuple[Split, ...] = ()
    redefined: tuple[str, ...] = ()
    """Labels whose definition text changed."""

    @property
    def is_empty(self) -> bool:
        """True when no label of the layer changed."""
        changes = (self.added, self.renamed, self.retired, self.merged, self.split, self.redefined)
        return not any(changes)

    def lines(self, usage: Usage | None = None) -> list[str]:
        """One plain-text line per change, with annotation counts when `usage` is given."""

        def affected(label_ids: tuple[str, ...], what: str = "affected") -> str:
            if usage is None:
                return ""
            count = sum(usage.get((self.layer, label_id), 0) for label_id in label_ids)
            return f" ({_labels(count)} {what})"

        lines = [f"added: {label_id}" for label_id in self.added]
        lines += [f"renamed: {r.label} {r.old_name!r} -> {r.new_name!r}" for r in self.renamed]
        lines += [f"retired: {label_id}{affected((label_id,))}" for label_id in self.retired]
        for merge in self.merged:
            parts = merge.sources if merge.into_is_new else (*merge.sources, merge.into)
            lines.append(f"merged: {' + '.join(parts)} -> {merge.into}{affected(merge.sources)}")
        for split in self.split:
            lines.append(
                f"split: {split.source} -> {', '.join(split.into)}{affected((split.source,), 'flagged for review')}"
            )
        lines += [f"definition changed: {label_id}" for label_id in self.redefined]
        return lines


@dataclass(frozen=True, slots=True)
class CodebookDiff:
    """Layers added and removed, and the label changes of the layers both versions share."""

    layers_added: tuple[str, ...] = ()
    layers_removed: tuple[str, ...] = ()
    layers: tuple[LayerDiff, ...] = ()
    """Only layers with changes."""

    @property
    def is_empty(self) -> bool:
        """True when the two codebooks offer the same layers and labels."""
        return not (self.layers_added or self.layers_removed or self.layers)

    def lines(self, usage: Usage | None = None) -> list[str]:
        """The diff as plain-text lines, e.g. `  merged: a + b -> b (12 labels affected)`."""
        lines = [f"layer added: {layer_id}" for layer_id in self.layers_added]
        for layer_id in self.layers_removed:
            count = ""
            if usage is not None:
                total = sum(n for (layer, _), n in usage.items() if layer == layer_id)
                count = f" ({_labels(total)} affected)"
            lines.append(f"layer removed: {layer_id}{count}")
        for layer_diff in self.layers:
            lines.append(f"layer {layer_diff.layer}:")
            lines += [f"  {line}" for line in layer_diff.lines(usage)]
        return lines


def diff_codebooks(old: Codebook, new: Codebook) -> CodebookDiff:
    """Compare two codebook versions layer by layer (layers and labels matched by id)."""
    old_ids = [layer.id for layer in old.layers]
    new_ids = [layer.id for layer in new.layers]
    layer_diffs = (_diff_layer(old.layer(layer.id), layer) for layer in new.layers if layer.id in old_ids)
    return CodebookDiff(
        layers_added=tuple(layer_id for layer_id in new_ids if layer_id not in old_ids),
        layers_removed=tuple(layer_id for layer_id in old_ids if layer_id not in new_ids),
        layers=tuple(diff for diff in layer_diffs if not diff.is_empty),
    )


def _diff_layer(old: Layer, new: Layer) -> LayerDiff:
    old_labels = {label.id: label for label in old.labels}
    new_labels = {label.id: label for label in new.labels}
    was_active = {label.id for label in old.active_labels}
    is_active = {label.id for label in new.active_labels}
    gone = was_active - is_active

    merged: list[Merge] = []
    split_into: dict[str, list[str]] = {}
    for label in new.active_labels:
        sources = tuple(source for source in label.replaces if source in gone)
        if sources:
            merged.append(Merge(label.id, sources, into_is_new=label.id not in was_active))
        if label.split_from in gone and label.id not in was_active:
            split_into.setdefault(label.split_from, []).append(label.id)
    accounted = {source for merge in merged for source in merge.sources} | set(split_into)
    new_from_migration = {merge.into for merge in merged if merge.into_is_new}
    new_from_migration |= {label_id for into in split_into.values() for label_id in into}

    both = [label_id for label_id in new_labels if label_id in old_labels]
    return LayerDiff(
        layer=new.id,
        added=tuple(
            label.id for label in new.active_labels if label.id not in was_active and label.id not in new_from_migration
        ),
        renamed=tuple(
            Rename(label_id, old_labels[label_id].name, new_labels[label_id].name)
            for label_id in both
            if old_labels[label_id].name != new_labels[label_id].name
        ),
        retired=tuple(label.id for label in old.active_labels if label.id in gone - accounted),
        merged=tuple(merged),
        split=tuple(Split(source, tuple(into)) for source, into in split_into.items()),
        redefined=tuple(
            label_id for label_id in both if old_labels[label_id].definition != new_labels[label_id].definition
        ),
    )


def _labels(count: int) -> str:
    return f"{count} label{'' if count == 1 else 's'}"
