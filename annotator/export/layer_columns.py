"""The dataset columns of one codebook layer: their `datasets` feature types and their values.

Categorical values are `ClassLabel`s named by label id, in codebook order, retired labels
included (so older releases still load). Per layer kind:

- span `L`: `L` = list of {start, end, text, label, article_start, article_end, source_start,
  source_end, <attribute>...} (`start`/`end` into the passage text, `article_*` into the stored
  article text, `source_*` into the article's original source file, see
  `annotator.core.source_map`) and `L_tags` = BIO tags over `tokens` (see `annotator.export.tokens`);
- passage_single `L`: `L` = one label, `L_<attribute>` = its attribute values;
- passage_multi `L`: `L` = list of labels, `L_<attribute>` = a parallel list of their values;
- target_ordinal `L`: `L` = list of {target, value, label, collapsed (when the layer has a
  collapse mapping), <attribute>...}.

A choice attribute is a `ClassLabel` of its value ids, a flag a bool; an attribute the
annotator left unset takes the codebook default, and one that does not apply to the label is
null. A layer with no labels to give (see `rows.py`) is null in every column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from datasets import ClassLabel, List, Value

from annotator.codebook import Attribute, Layer
from annotator.core.identity import attribute_value
from annotator.errors import AnnotatorError
from annotator.export.source import LabelRow, PassageRecord
from annotator.export.table_buffer import RowBuffer
from annotator.export.tokens import Tokens, bio_names

SPAN_FIELDS = ("start", "end", "text", "label", "article_start", "article_end", "source_start", "source_end")
STANCE_FIELDS = ("target", "value", "label", "collapsed")


def attribute_feature(attribute: Attribute) -> ClassLabel | Value:
    """A choice attribute's ClassLabel (value ids in codebook order), or bool for a flag."""
    if attribute.kind == "flag":
        return Value("bool")
    return ClassLabel(names=[value.id for value in attribute.values])


class LayerColumns:
    """Feature types and values of one layer's columns."""

    def __init__(self, layer: Layer) -> None:
        self.layer = layer
        self.name = layer.id
        self.label_names = [label.id for label in layer.labels]
        self.label_index = {name: index for index, name in enumerate(self.label_names)}
        self.choice_codes = {
            attribute.id: {value.id: index for index, value in enumerate(attribute.values)}
            for attribute in layer.attributes
            if attribute.kind == "choice"
        }

    def features(self) -> dict[str, Any]:
        """Column name -> feature type."""
        raise NotImplementedError

    def append(self, out: RowBuffer, rows: Sequence[LabelRow] | None, passage: PassageRecord, tokens: Tokens) -> None:
        """Add this layer's values of one row to `out`; `rows` None means the layer is not given."""
        raise NotImplementedError

    def _attribute_fields(self, reserved: tuple[str, ...]) -> dict[str, Any]:
        fields = {}
        for attribute in self.layer.attributes:
            if attribute.id in reserved:
                raise AnnotatorError(f"layer {self.name!r}: attribute id {attribute.id!r} clashes with an export field")
            fields[attribute.id] = attribute_feature(attribute)
        return fields

    def _attribute_codes(self, row: LabelRow) -> dict[str, Any]:
        codes = {}
        for attribute in self.layer.attributes:
            value = attribute_value(attribute, row.label, row.attributes)
            choices = self.choice_codes.get(attribute.id)
            codes[attribute.id] = value if choices is None else choices.get(value)
        return codes


class SpanColumns(LayerColumns):
    """`L` (the spans) and `L_tags` (BIO over the tokens)."""

    def __init__(self, layer: Layer) -> None:
        super().__init__(layer)
        self.tags_name = f"{layer.id}_tags"

    def features(self) -> dict[str, Any]:
        fields = {"start": Value("int32"), "end": Value("int32"), "text": Value("string")}
        fields["label"] = ClassLabel(names=self.label_names)
        for name in SPAN_FIELDS[4:]:
            fields[name] = Value("int32")
        fields |= self._attribute_fields(SPAN_FIELDS)
        return {self.name: List(fields), self.tags_name: List(ClassLabel(names=bio_names(self.label_names)))}

    def append(self, out: RowBuffer, rows: Sequence[LabelRow] | None, passage: PassageRecord, tokens: Tokens) -> None:
        if rows is None:
            out.values[self.name].append(None)
            out.tags(self.tags_name).add_null()
            return
        if not rows:
            out.values[self.name].append([])
            out.tags(self.tags_name).add(tokens, ())
            return
        offset, text, index, to_source = (
            passage.start,
            passage.text,
            self.label_index,
            passage.source_map.span_to_source,
        )
        spans = sorted(
            (row.start - offset, row.end - offset, index[row.label], row)
            for row in rows
            if row.start is not None and row.end is not None
        )
        items = []
        for start, end, label, row in spans:
            source_start, source_end = to_source(start + offset, end + offset)
            item = {
                "start": start,
                "end": end,
                "text": text[start:end],
                "label": label,
                "article_start": row.start,
                "article_end": row.end,
                "source_start": source_start,
                "source_end": source_end,
            }
            if self.layer.attributes:
                item |= self._attribute_codes(row)
            items.append(item)
        out.values[self.name].append(items)
        out.tags(self.tags_name).add(tokens, [span[:3] for span in spans])


class SingleColumns(LayerColumns):
    """`L` (one label) and `L_<attribute>` (its attribute values)."""

    def features(self) -> dict[str, Any]:
        columns = {self.name: ClassLabel(names=self.label_names)}
        columns |= {f"{self.name}_{key}": value for key, value in self._attribute_fields(()).items()}
        return columns

    def append(self, out: RowBuffer, rows: Sequence[LabelRow] | None, passage: PassageRecord, tokens: Tokens) -> None:
        row = rows[0] if rows else None
        out.values[self.name].append(None if row is None else self.label_index[row.label])
        codes = self._attribute_codes(row) if row is not None else {}
        for attribute in self.layer.attributes:
            out.values[f"{self.name}_{attribute.id}"].append(codes.get(attribute.id))


class MultiColumns(LayerColumns):
    """`L` (a list of labels) and `L_<attribute>` (parallel lists of their attribute values)."""

    def features(self) -> dict[str, Any]:
        columns = {self.name: List(ClassLabel(names=self.label_names))}
        columns |= {f"{self.name}_{key}": List(value) for key, value in self._attribute_fields(()).items()}
        return columns

    def append(self, out: RowBuffer, rows: Sequence[LabelRow] | None, passage: PassageRecord, tokens: Tokens) -> None:
        if rows is None:
            for name in (self.name, *(f"{self.name}_{a.id}" for a in self.layer.attributes)):
                out.values[name].append(None)
            return
        ordered = sorted(rows, key=lambda row: self.label_index[row.label])
        out.values[self.name].append([self.label_index[row.label] for row in ordered])
        codes = [self._attribute_codes(row) for row in ordered]
        for attribute in self.layer.attributes:
            out.values[f"{self.name}_{attribute.id}"].append([code[attribute.id] for code in codes])


class StanceColumns(LayerColumns):
    """`L`: one {target, value, label, collapsed, <attribute>...} per target."""

    def __init__(self, layer: Layer) -> None:
        super().__init__(layer)
        self.collapsed_names = [collapsed.id for collapsed in layer.collapse]

    def features(self) -> dict[str, Any]:
        fields = {"target": Value("string"), "value": Value("int32"), "label": ClassLabel(names=self.label_names)}
        if self.collapsed_names:
            fields["collapsed"] = ClassLabel(names=self.collapsed_names)
        fields |= self._attribute_fields(STANCE_FIELDS)
        return {self.name: List(fields)}

    def append(self, out: RowBuffer, rows: Sequence[LabelRow] | None, passage: PassageRecord, tokens: Tokens) -> None:
        if rows is None:
            out.values[self.name].append(None)
            return
        items = []
        for row in sorted(rows, key=lambda row: (row.target, self.label_index[row.label])):
            value = self.layer.label(row.label).value
            item = {"target": row.target, "value": value, "label": self.label_index[row.label]}
            if self.collapsed_names:
                collapsed = self.layer.collapsed(row.label)
                item["collapsed"] = self.collapsed_names.index(collapsed.id) if collapsed else None
            items.append(item | self._attribute_codes(row))
        out.values[self.name].append(items)


_KINDS = {
    "span": SpanColumns,
    "passage_single": SingleColumns,
    "passage_multi": MultiColumns,
    "target_ordinal": StanceColumns,
}


def layer_columns(layer: Layer) -> LayerColumns:
    """The columns of `layer`, by its kind."""
    return _KINDS[layer.kind](layer)
