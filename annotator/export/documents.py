"""The `documents` config: one row per exported article, every label in article offsets.

An exported article is one with at least one exported passage (so it has a split); its row
holds all its passages, labelled or not. Columns:

- `article_id` (external id, else sha256), `sha256`, `title`, `author`, `source`, `url`,
  `published`, `metadata` (the import's other fields as a JSON object, keys sorted),
  `codebook_version`, and `text`: the stored article text;
- `passages`: one {index, start, end, kind, annotatable, gold_layers} per passage, by index;
  `gold_layers` lists the layers the gold config gives on that passage (a passage the gold
  config leaves out has none; with `--labels gold`, only the decided layers);
- `gold`: {layer: labels}, the labels of the gold config's rows of the article;
- `annotations`: one {annotator, passages, layer: labels...} per coder of the article, by
  pseudonym (as in `raw`): `passages` are the indexes of the passages they coded.

A layer's labels, offsets into `text` (end exclusive), sorted by position:

- span: {passage_index, start, end, text, label, source_start, source_end, <attribute>...};
- passage_single, passage_multi: {passage_index, label, <attribute>...};
- target_ordinal: {passage_index, target, value, label, collapsed (with a collapse mapping),
  <attribute>...}.

Labels and attribute values are typed as in the passage configs (see `layer_columns.py`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from datasets import ClassLabel, Features, List, Value
from sqlalchemy.orm import Session

from annotator.core.identity import attribute_value
from annotator.core.kinds import rules_of
from annotator.core.source_map import SourceMap
from annotator.errors import AnnotatorError
from annotator.export.layer_columns import LayerColumns, attribute_feature
from annotator.export.rows import PassageVotes
from annotator.export.source import ArticleDocument, LabelRow, PassageRecord, article_documents

Placed = tuple[int, Sequence[LabelRow]]
"""The labels of one layer (of a person, or gold) on one passage, with the passage's index."""
Item = dict[str, Any]


class DocumentLayer:
    """The feature and the values of one layer's labels in a document row."""

    def __init__(self, columns: LayerColumns) -> None:
        self.layer = columns.layer
        self.id = columns.layer.id
        self.label_names = columns.label_names
        self.label_index = columns.label_index
        self.choice_codes = columns.choice_codes
        self.spans = rules_of(self.layer).spans
        self.stance = rules_of(self.layer).needs_target
        self.collapsed_names = [collapsed.id for collapsed in self.layer.collapse]
        self.values = {label.id: label.value for label in self.layer.labels}
        self.collapsed_codes = {label.id: self._collapsed_code(label.id) for label in self.layer.labels}
        self.attributes = [(attribute, self.choice_codes.get(attribute.id)) for attribute in self.layer.attributes]

    def _collapsed_code(self, label_id: str) -> int | None:
        collapsed = self.layer.collapsed(label_id)
        return self.collapsed_names.index(collapsed.id) if collapsed else None

    def feature(self) -> List:
        """A list of one struct per label."""
        fields: dict[str, Any] = {"passage_index": Value("int32")}
        if self.spans:
            fields |= {"start": Value("int32"), "end": Value("int32"), "text": Value("string")}
        elif self.stance:
            fields |= {"target": Value("string"), "value": Value("int32")}
        fields["label"] = ClassLabel(names=self.label_names)
        if self.spans:
            fields |= {"source_start": Value("int32"), "source_end": Value("int32")}
        if self.stance and self.collapsed_names:
            fields["collapsed"] = ClassLabel(names=self.collapsed_names)
        for attribute in self.layer.attributes:
            if attribute.id in fields:
                raise AnnotatorError(f"layer {self.id!r}: attribute id {attribute.id!r} clashes with a documents field")
            fields[attribute.id] = attribute_feature(attribute)
        return List(fields)

    def items(self, placed: Iterable[Placed], text: str, source_map: SourceMap, made: dict[int, Item]) -> list[Item]:
        """The values of `placed` (this layer's labels in one article, passage by passage in order),
        sorted by position.

        `made` caches the value of each label object (by `id`) while the article's row is built:
        a gold label is mostly the very label object of a coder."""
        index = self.label_index
        items = []
        for passage_index, rows in placed:
            if len(rows) > 1:
                rows = sorted(rows, key=lambda row: (row.start or 0, row.end or 0, row.target or "", index[row.label]))
            for row in rows:
                item = made.get(id(row))
                if item is None:
                    item = made[id(row)] = self._item(passage_index, row, text, source_map)
                items.append(item)
        return items

    def _item(self, passage_index: int, row: LabelRow, text: str, source_map: SourceMap) -> Item:
        item: Item = {"passage_index": passage_index, "label": self.label_index[row.label]}
        if self.spans and row.start is not None and row.end is not None:
            source_start, source_end = source_map.span_to_source(row.start, row.end)
            item |= {
                "start": row.start,
                "end": row.end,
                "text": text[row.start : row.end],
                "source_start": source_start,
                "source_end": source_end,
            }
        elif self.stance:
            item |= {"target": row.target, "value": self.values[row.label]}
            if self.collapsed_names:
                item["collapsed"] = self.collapsed_codes[row.label]
        for attribute, choices in self.attributes:
            value = attribute_value(attribute, row.label, row.attributes)
            item[attribute.id] = value if choices is None else choices.get(value)
        return item


def document_features(columns: Sequence[LayerColumns]) -> Features:
    """The features of the `documents` config; a layer id that clashes with a field is a one-line error."""
    layers = [DocumentLayer(layer) for layer in columns]
    annotation: dict[str, Any] = {"annotator": Value("string"), "passages": List(Value("int32"))}
    for layer in layers:
        if layer.id in annotation:
            raise AnnotatorError(f"layer {layer.id!r}: its id clashes with a field of the documents config")
        annotation[layer.id] = layer.feature()
    return Features(
        {
            "article_id": Value("string"),
            "sha256": Value("string"),
            "title": Value("string"),
            "author": Value("string"),
            "source": Value("string"),
            "url": Value("string"),
            "published": Value("date32"),
            "metadata": Value("string"),
            "codebook_version": Value("int32"),
            "text": Value("string"),
            "passages": List(
                {
                    "index": Value("int32"),
                    "start": Value("int32"),
                    "end": Value("int32"),
                    "kind": Value("string"),
                    "annotatable": Value("bool"),
                    "gold_layers": List(Value("string")),
                }
            ),
            "gold": {layer.id: layer.feature() for layer in layers},
            "annotations": List(annotation),
        }
    )


@dataclass
class _ArticleLabels:
    """What the exported passages of one article contributed, until its row is written."""

    source_map: SourceMap
    gold: dict[str, list[Placed]] = field(default_factory=lambda: defaultdict(list))
    gold_layers: dict[int, list[str]] = field(default_factory=dict)
    coded: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    """Annotator id -> the indexes of the passages they coded."""
    own: dict[tuple[int, str], list[Placed]] = field(default_factory=lambda: defaultdict(list))


class DocumentRows:
    """Collects the gold and raw labels of exported passages, and makes the article rows."""

    def __init__(self, columns: Sequence[LayerColumns], names: Mapping[int, str], codebook_version: int) -> None:
        self.layers = [DocumentLayer(layer) for layer in columns]
        self.names = names
        self.codebook_version = codebook_version
        self.schema = document_features(columns).arrow_schema
        self._articles: dict[int, _ArticleLabels] = {}

    def add(
        self, passage: PassageRecord, votes: PassageVotes, gold: Mapping[str, Sequence[LabelRow] | None] | None
    ) -> None:
        """Keep an exported passage's labels: `gold` as its gold row has them (None: no gold row)."""
        article = self._articles.get(passage.article_id)
        if article is None:
            article = self._articles[passage.article_id] = _ArticleLabels(passage.source_map)
        if gold is not None:
            article.gold_layers[passage.index] = [layer_id for layer_id, rows in gold.items() if rows is not None]
            for layer_id, rows in gold.items():
                if rows:
                    article.gold[layer_id].append((passage.index, rows))
        for person in votes.annotators:
            article.coded[person].append(passage.index)
        for key, rows in votes.own.items():
            article.own[key].append((passage.index, rows))

    def tables(
        self, session: Session, article_ids: Sequence[int], splits: Mapping[int, str]
    ) -> Iterator[tuple[str, pa.Table]]:
        """One table per split of the rows of `article_ids` (whose passages were all added), in their order."""
        documents = article_documents(session, article_ids)
        rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for article_id in article_ids:
            rows[splits[article_id]].append(self._row(documents[article_id], self._articles.pop(article_id)))
        for split, split_rows in rows.items():
            yield split, pa.Table.from_pylist(split_rows, schema=self.schema)

    def _row(self, document: ArticleDocument, labels: _ArticleLabels) -> dict[str, Any]:
        text, source_map = document.text, labels.source_map
        made: dict[int, Item] = {}
        return {
            "article_id": document.ref,
            "sha256": document.sha256,
            "title": document.title,
            "author": document.author,
            "source": document.source,
            "url": document.url,
            "published": document.published,
            "metadata": json.dumps(document.meta, sort_keys=True, ensure_ascii=False),
            "codebook_version": self.codebook_version,
            "text": text,
            "passages": [
                {
                    "index": passage.index,
                    "start": passage.start,
                    "end": passage.end,
                    "kind": passage.kind,
                    "annotatable": passage.annotatable,
                    "gold_layers": labels.gold_layers.get(passage.index, []),
                }
                for passage in document.passages
            ],
            "gold": {
                layer.id: layer.items(labels.gold.get(layer.id, ()), text, source_map, made) for layer in self.layers
            },
            "annotations": [
                {
                    "annotator": self.names[person],
                    "passages": indexes,
                    **{
                        layer.id: layer.items(labels.own.get((person, layer.id), ()), text, source_map, made)
                        for layer in self.layers
                    },
                }
                for person, indexes in sorted(labels.coded.items())
            ],
        }
