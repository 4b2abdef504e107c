"""Whether a label is allowed by the codebook and fits its passage, before it is written."""

from __future__ import annotations

from annotator.codebook import Codebook
from annotator.db.models import Passage
from annotator.errors import AnnotatorError
from annotator.labels import LabelContent


def check_label(codebook: Codebook, passage: Passage | None, content: LabelContent) -> None:
    """Raise a one-line `AnnotatorError` unless `content` is a valid new label on `passage`."""
    if passage is None:
        raise AnnotatorError("no such passage")
    try:
        layer = codebook.layer(content.layer)
    except KeyError:
        raise AnnotatorError(f"unknown layer {content.layer!r}") from None
    try:
        label = layer.label(content.label)
    except KeyError:
        raise AnnotatorError(f"unknown label {content.label!r} in layer {layer.id!r}") from None
    if label.retired:
        raise AnnotatorError(f"label {label.id!r} is retired in this codebook")
    has_span = content.span_start is not None
    if layer.kind == "span":
        if not has_span:
            raise AnnotatorError(f"layer {layer.id!r} labels spans: give start and end")
        if not passage.start <= content.span_start < content.span_end <= passage.end:
            raise AnnotatorError(
                f"span {content.span_start}-{content.span_end} is outside passage {passage.id} "
                f"({passage.start}-{passage.end})"
            )
    elif has_span:
        raise AnnotatorError(f"layer {layer.id!r} labels whole passages, not spans")
    if layer.kind == "target_ordinal" and not content.target:
        raise AnnotatorError(f"layer {layer.id!r} needs a target")
    for attribute_id, value in content.attributes.items():
        try:
            attribute = layer.attribute(attribute_id)
        except KeyError:
            raise AnnotatorError(f"unknown attribute {attribute_id!r} in layer {layer.id!r}") from None
        if attribute.kind == "flag" and not isinstance(value, bool):
            raise AnnotatorError(f"attribute {attribute_id!r} is a flag: true or false")
        if attribute.kind == "choice" and value not in {choice.id for choice in attribute.values}:
            raise AnnotatorError(f"attribute {attribute_id!r} has no value {value!r}")
