"""What each layer kind means, declared once: the only place that switches on `layer.kind`
for writing and comparing labels.

For every kind the registry says whether its labels are spans, whether they need a stance
target, which fields make two labels "the same" (the item identity used by review, export
majority and agreement), and which fields name the slot an annotator may fill only once.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.codebook.model import Layer, LayerKind


@dataclass(frozen=True, slots=True)
class KindRules:
    """The rules of one layer kind."""

    kind: LayerKind
    spans: bool
    """Labels are `[span_start, span_end)` ranges of the passage; else whole-passage labels."""
    needs_target: bool
    """Every label names a stance target."""
    identity: tuple[str, ...]
    """The `LabelContent` fields that make two labels the same item (attributes never do:
    they are compared per item, and decided per item by majority)."""
    slot: tuple[str, ...] | None
    """The fields whose values an annotator may hold only one label for (`()`: one label in
    the whole layer); None: no such limit beyond the identity."""
    empty_is_answer: bool
    """A finished passage without a label of this layer is a real answer ("none here") for
    agreement; False where no label means "not asked" (stance targets not in the passage)."""
    main_measure: str
    """The headline agreement measure of the kind."""


KINDS: dict[LayerKind, KindRules] = {
    LayerKind.SPAN: KindRules(
        LayerKind.SPAN,
        spans=True,
        needs_target=False,
        identity=("label", "span_start", "span_end"),
        slot=None,
        empty_is_answer=True,
        main_measure="f1_overlap",
    ),
    LayerKind.PASSAGE_SINGLE: KindRules(
        LayerKind.PASSAGE_SINGLE,
        spans=False,
        needs_target=False,
        identity=("label",),
        slot=(),
        empty_is_answer=False,
        main_measure="alpha_nominal",
    ),
    LayerKind.PASSAGE_MULTI: KindRules(
        LayerKind.PASSAGE_MULTI,
        spans=False,
        needs_target=False,
        identity=("label",),
        slot=None,
        empty_is_answer=True,
        main_measure="alpha_masi",
    ),
    LayerKind.TARGET_ORDINAL: KindRules(
        LayerKind.TARGET_ORDINAL,
        spans=False,
        needs_target=True,
        identity=("target", "label"),
        slot=("target",),
        empty_is_answer=False,
        main_measure="alpha_ordinal",
    ),
}


def rules_of(layer: Layer) -> KindRules:
    """The rules of `layer`'s kind."""
    return KINDS[LayerKind(layer.kind)]
