"""What a label, attribute or delete key does, decided when its write runs.

The annotate screen queues its writes on one database thread, so a key pressed again before
the first write has answered must act on the first write's result, not on what the screen
showed when the key was pressed. A key press is therefore captured with what it meant at key
time (the passage, the layer, the label, the span or target, the label it acts on) and
resolved here, on the database thread, against this annotator's labels as they are then.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from annotator.codebook import Attribute, Layer
from annotator.codebook.model import SUBTYPE_ATTRIBUTE
from annotator.core.kinds import rules_of
from annotator.db.models import Annotation
from annotator.errors import AnnotatorError
from annotator.labels import LabelContent
from annotator.workbench import Workbench


class LabelGoneError(AnnotatorError):
    """The label a key acted on was deleted or replaced before the key's write ran."""


def press_label(
    workbench: Workbench,
    passage_id: int,
    layer: Layer,
    label_id: str,
    *,
    span: tuple[int, int] | None = None,
    target: str | None = None,
) -> Annotation:
    """A label key: add the label, or remove it if the same label already fills its place, or
    relabel what fills the place (the same span, the same stance target, the one label of a
    single-choice layer). A multi-choice passage label toggles."""
    start, end = span if span is not None else (None, None)
    content = LabelContent(layer.id, label_id, start, end, target=target)
    existing = filling_place(workbench.current_labels(passage_id), layer, content)
    if existing is None:
        return workbench.add(passage_id, content)
    if existing.label == label_id:
        return workbench.delete(existing)
    return workbench.edit(existing, relabelled(layer, existing, label_id))


def respan(workbench: Workbench, revision_id: int, layer: Layer, label_id: str, span: tuple[int, int]) -> Annotation:
    """Finish editing a span label: move it to `span`, with `label_id` (the label key pressed)."""
    row = _current(workbench, revision_id)
    content = relabelled(layer, row, label_id).with_changes(span_start=span[0], span_end=span[1])
    return workbench.edit(row, content)


def press_attribute(
    workbench: Workbench,
    passage_id: int,
    layer: Layer,
    attribute: Attribute,
    value_id: str | None,
    *,
    revision_id: int | None = None,
    target: str | None = None,
) -> Annotation:
    """An attribute key: toggle a flag (`value_id` None), set a choice, or clear it when the
    label already has that value. It acts on the label the annotator picked (`revision_id`),
    else on the newest label of the layer (on `target`, for a stance layer) when it runs."""
    row = _picked(workbench, passage_id, layer, revision_id=revision_id, target=target)
    if not attribute.applies(row.label):
        raise AnnotatorError(f"{attribute.name} is not asked for {layer.label(row.label).name}")
    attributes = dict(row.attributes or {})
    if value_id is None:
        attributes[attribute.id] = not attributes.get(attribute.id, False)
    elif attributes.get(attribute.id) == value_id:
        del attributes[attribute.id]
    else:
        attributes[attribute.id] = value_id
    return workbench.edit(row, LabelContent.of(row).with_changes(attributes=attributes))


def remove(workbench: Workbench, passage_id: int, *, revision_id: int | None = None) -> Annotation:
    """The delete key: the label the annotator picked, else the newest one on the passage."""
    return workbench.delete(_picked(workbench, passage_id, None, revision_id=revision_id))


def accept_suggestion(workbench: Workbench, passage_id: int, content: LabelContent) -> Annotation | None:
    """Add a suggested span label, unless a label of its layer already covers any of it
    (an earlier key did): None then, and nothing is written."""
    start, end = content.span_start, content.span_end
    assert start is not None and end is not None  # suggestions are spans
    for row in workbench.current_labels(passage_id):
        if row.layer != content.layer or row.span_start is None or row.span_end is None:
            continue
        if row.span_start < end and start < row.span_end:
            return None
    return workbench.add(passage_id, content, origin="suggestion")


def _current(workbench: Workbench, revision_id: int) -> Annotation:
    row = workbench.current_revision(revision_id)
    if row is None:
        raise LabelGoneError("that label was deleted or changed meanwhile; nothing was written")
    return row


def _picked(
    workbench: Workbench, passage_id: int, layer: Layer | None, *, revision_id: int | None, target: str | None = None
) -> Annotation:
    """The label a key acts on: the picked revision (as it is now), else the newest label of
    `layer` (and `target`; any layer when None) on the passage."""
    if revision_id is not None:
        return _current(workbench, revision_id)
    rows = [
        row
        for row in workbench.current_labels(passage_id)
        if (layer is None or row.layer == layer.id) and (target is None or row.target == target)
    ]
    if not rows:
        where = "on this passage" if layer is None else f"in {layer.name}"
        raise AnnotatorError(f"no label {where} yet: add one first")
    return max(rows, key=lambda row: row.id)


def filling_place(rows: list[Annotation], layer: Layer, content: LabelContent) -> Annotation | None:
    """The label among `rows` (of `layer`) that a new `content` would take the place of, if
    any: the same span, the same single-choice slot, else the same item."""
    rules = rules_of(layer)
    if rules.spans:
        fields: tuple[str, ...] = ("span_start", "span_end")
    elif rules.slot is not None:
        fields = rules.slot
    else:
        fields = rules.identity
    wanted = [getattr(content, name) for name in fields]
    return next(
        (row for row in rows if row.layer == layer.id and [getattr(row, name) for name in fields] == wanted), None
    )


def relabelled(layer: Layer, row: Annotation, label_id: str) -> LabelContent:
    """`row`'s content with another label, keeping only the attributes asked for that label."""
    return LabelContent.of(row).with_changes(
        label=label_id, attributes=_kept_attributes(layer, label_id, row.attributes)
    )


def _kept_attributes(layer: Layer, label_id: str, attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    label = layer.label(label_id)
    subtypes = {subtype.id for subtype in label.subtypes}
    kept = {}
    for attribute_id, value in (attributes or {}).items():
        known = any(attribute.id == attribute_id for attribute in layer.attributes)
        if not known or not layer.attribute(attribute_id).applies(label_id):
            continue
        if attribute_id == SUBTYPE_ATTRIBUTE and value not in subtypes:
            continue
        kept[attribute_id] = value
    return kept
