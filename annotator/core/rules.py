"""The one rule check every writer runs before a label revision is written.

The annotate screen, `import-labels`, adjudication and codebook migrations all call
`check_label` (for an added or edited label) and `check_removal` (for a deleted one); a
refusal is a `RuleViolation` whose message says what is wrong in one line.

The rules, in the order they are checked:

1. The layer and the label exist in the codebook; a retired label is refused, except on an
   edit that keeps it (e.g. changing an attribute of an old label).
2. The layer's kind: span layers need a span inside the passage, passage layers none; stance
   layers need a target.
3. Clean edges (`guidelines/spans.md`): a span neither starts nor ends with whitespace or
   `. , : ;`, never starts or ends in a citation marker (`[[3]]`, `[[2], [19]]`) or
   placeholder (`[INTERNAL_LINK:slug]`), and never cuts a grapheme cluster.
4. Attribute values: known attributes that apply to the label, flags true/false, choices
   among the attribute's values.
5. Stance targets exist: a codebook target of the layer, or the text of one of the
   annotator's spans in the layer's target layer on the passage.
6. Cardinality against the annotator's other current labels on the passage: no duplicate
   item; one label per single-choice slot (one passage label, one stance per target); no
   overlapping spans where the layer says `allow_overlap: false`.

Removing a span that a stance label uses as its target is refused with the reason (delete or
retarget the stance first), unless another of the annotator's spans has the same text:
a stance is never left pointing at nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotator.codebook.model import Codebook, Layer
from annotator.core.identity import item_key, slot_key
from annotator.core.kinds import rules_of
from annotator.errors import AnnotatorError
from annotator.labels import LabelContent
from annotator.spans import is_grapheme_boundary

EDGE_PUNCTUATION = frozenset(".,:;")
"""Punctuation a span never starts or ends with (besides whitespace)."""

MARKUP = re.compile(r"\[\[[^\[\]\n]*\](?:\s*,\s*\[[^\[\]\n]*\])*\]|\[[A-Z][A-Z0-9_]*:[^\[\]\n]*\]")
"""Citation markers (`[[3]]`, `[[2], [19]]`) and placeholders (`[INTERNAL_LINK:slug]`)."""


class RuleViolation(AnnotatorError):
    """A label the codebook or the guidelines do not allow; the message says which rule.

    `conflict` is the held label it clashes with (a duplicate, a filled slot, an overlap), so
    a writer can say where that label came from.
    """

    def __init__(self, message: str, conflict: LabelContent | None = None) -> None:
        super().__init__(message)
        self.conflict = conflict


@dataclass(frozen=True)
class PassageText:
    """A passage as the rules and the screens see it: its offsets in the article and its text.

    Labels store article offsets; screens show passage text. This class is the one place that
    converts between the two.
    """

    passage_id: int
    start: int
    end: int
    text: str

    def slice(self, start: int, end: int) -> str:
        """The text of article offsets `[start, end)`."""
        return self.text[start - self.start : end - self.start]

    def local(self, start: int, end: int) -> tuple[int, int]:
        """Article offsets `[start, end)` as offsets into the passage text."""
        return start - self.start, end - self.start

    def to_article(self, start: int, end: int) -> tuple[int, int]:
        """Passage-text offsets `[start, end)` as article offsets (what labels store)."""
        return start + self.start, end + self.start


def check_label(
    codebook: Codebook,
    passage: PassageText,
    content: LabelContent,
    *,
    held: Sequence[LabelContent] = (),
    replacing: LabelContent | None = None,
    targets: Iterable[str] = (),
) -> None:
    """Refuse (`RuleViolation`) unless `content` may be written on `passage`.

    `held` is the writer's other current labels on the passage (for gold: the gold labels),
    `replacing` the label an edit replaces (it does not count as held), `targets` further
    stance target texts the writer may use (adjudication: the annotators' spans).
    """
    layer = _layer(codebook, content.layer)
    try:
        label = layer.label(content.label)
    except KeyError:
        raise RuleViolation(f"unknown label {content.label!r} in layer {layer.id!r}") from None
    if label.retired and (replacing is None or replacing.label != label.id):
        raise RuleViolation(f"label {label.id!r} is retired in this codebook")
    rules = rules_of(layer)
    has_span = content.span_start is not None or content.span_end is not None
    if rules.spans:
        if content.span_start is None or content.span_end is None:
            raise RuleViolation(f"layer {layer.id!r} labels spans: give start and end")
        _check_span(passage, content.span_start, content.span_end)
    elif has_span:
        raise RuleViolation(f"layer {layer.id!r} labels whole passages, not spans")
    if rules.needs_target:
        if not content.target:
            raise RuleViolation(f"layer {layer.id!r} needs a target")
    elif content.target is not None:
        raise RuleViolation(f"layer {layer.id!r} takes no target")
    _check_attributes(layer, content)
    others = list(held)
    if replacing is not None and replacing in others:
        others.remove(replacing)
    if rules.needs_target:
        _check_target(codebook, layer, passage, content.target or "", others, targets)
    _check_cardinality(layer, passage, content, others)


def check_removal(
    codebook: Codebook, passage: PassageText, removing: LabelContent, held: Sequence[LabelContent]
) -> None:
    """Refuse removing (or moving) a span that one of `held`'s stance labels targets by its text."""
    if removing.span_start is None or removing.span_end is None:
        return
    surface = passage.slice(removing.span_start, removing.span_end)
    others = list(held)
    if removing in others:
        others.remove(removing)
    for layer in codebook.layers:
        if layer.target_layer != removing.layer:
            continue
        if surface in {target.id for target in codebook.targets_for(layer.id)}:
            continue
        still_there = any(
            row.layer == removing.layer and row.span_start is not None and _surface(passage, row) == surface
            for row in others
        )
        stance = next((row for row in others if row.layer == layer.id and row.target == surface), None)
        if stance is not None and not still_there:
            raise RuleViolation(
                f"the {layer.name} label {stance.label!r} targets {surface!r}: "
                "delete it or give it another target first"
            )


def _layer(codebook: Codebook, layer_id: str) -> Layer:
    try:
        return codebook.layer(layer_id)
    except KeyError:
        raise RuleViolation(f"unknown layer {layer_id!r}") from None


def _check_span(passage: PassageText, start: int, end: int) -> None:
    if not passage.start <= start < end <= passage.end:
        raise RuleViolation(
            f"span {start}-{end} is outside passage {passage.passage_id} ({passage.start}-{passage.end})"
        )
    text = passage.slice(start, end)
    named = f"span {start}-{end} {_quoted(text)}"
    if text[0].isspace() or text[-1].isspace():
        raise RuleViolation(f"{named} starts or ends with whitespace")
    if text[0] in EDGE_PUNCTUATION or text[-1] in EDGE_PUNCTUATION:
        raise RuleViolation(f"{named} starts or ends with punctuation (. , : ;)")
    relative_start, relative_end = start - passage.start, end - passage.start
    for marker in MARKUP.finditer(passage.text):
        if marker.start() <= relative_start < marker.end() or marker.start() < relative_end <= marker.end():
            raise RuleViolation(f"{named} starts or ends in the citation marker or placeholder {marker.group()!r}")
    if not (is_grapheme_boundary(passage.text, relative_start) and is_grapheme_boundary(passage.text, relative_end)):
        raise RuleViolation(f"{named} cuts a character in two (a letter and its accents or marks)")


def _check_attributes(layer: Layer, content: LabelContent) -> None:
    for attribute_id, value in content.attributes.items():
        try:
            attribute = layer.attribute(attribute_id)
        except KeyError:
            raise RuleViolation(f"unknown attribute {attribute_id!r} in layer {layer.id!r}") from None
        if not attribute.applies(content.label):
            raise RuleViolation(f"attribute {attribute_id!r} does not apply to label {content.label!r}")
        if attribute.kind == "flag" and not isinstance(value, bool):
            raise RuleViolation(f"attribute {attribute_id!r} is a flag: true or false")
        if attribute.kind == "choice" and value not in {choice.id for choice in attribute.values}:
            raise RuleViolation(f"attribute {attribute_id!r} has no value {value!r}")


def _check_target(
    codebook: Codebook,
    layer: Layer,
    passage: PassageText,
    target: str,
    held: Sequence[LabelContent],
    extra: Iterable[str],
) -> None:
    if target in {known.id for known in codebook.targets_for(layer.id)}:
        return
    if layer.target_layer:
        spans = {
            _surface(passage, row) for row in held if row.layer == layer.target_layer and row.span_start is not None
        }
        if target in spans or target in set(extra):
            return
        raise RuleViolation(
            f"unknown target {target!r}: neither a codebook target nor the text of a {layer.target_layer!r} "
            "span on this passage"
        )
    raise RuleViolation(f"unknown target {target!r} for layer {layer.id!r}")


def _quoted(text: str, width: int = 40) -> str:
    """A span's text for a message: quoted (line breaks escaped), shortened."""
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _surface(passage: PassageText, row: LabelContent) -> str:
    return passage.slice(row.span_start or 0, row.span_end or 0)


def _check_cardinality(layer: Layer, passage: PassageText, content: LabelContent, held: Sequence[LabelContent]) -> None:
    rules = rules_of(layer)
    mine = [row for row in held if row.layer == layer.id]
    key = item_key(rules, content.label, content.span_start, content.span_end, content.target)
    for row in mine:
        if item_key(rules, row.label, row.span_start, row.span_end, row.target) == key:
            raise RuleViolation(f"duplicate label: {content.label!r} is already there", row)
    slot = slot_key(rules, content.label, content.target)
    if slot is not None:
        taken = next((row for row in mine if slot_key(rules, row.label, row.target) == slot), None)
        if taken is not None:
            where = f"target {content.target!r}" if rules.needs_target else "this passage"
            raise RuleViolation(f"layer {layer.id!r} takes one label for {where}; {taken.label!r} is there", taken)
    if rules.spans and not layer.allow_overlap:
        assert content.span_start is not None and content.span_end is not None
        for row in mine:
            if row.span_start is None or row.span_end is None:
                continue
            if row.span_start < content.span_end and content.span_start < row.span_end:
                raise RuleViolation(
                    f"span {content.span_start}-{content.span_end} {_quoted(_surface(passage, content))} overlaps "
                    f"{row.label} {row.span_start}-{row.span_end} {_quoted(_surface(passage, row))}; "
                    f"layer {layer.id!r} allows no overlaps",
                    row,
                )
