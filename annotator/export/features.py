"""The `datasets.Features` of the configs, built from the codebook (nothing is hard-coded).

`gold`: one row per passage. `raw`: one row per passage and annotator (pseudonymised).
Metadata columns come first, then `text`, `tokens` and `token_starts`, `token_ends`,
`token_is_markup` (see `tokens.py`), then each layer's columns in codebook order (see
`layer_columns.py`). `documents`: one row per article (see `documents.py`).
"""

from __future__ import annotations

from typing import Any

from datasets import Features, List, Value

from annotator.codebook import Codebook
from annotator.errors import AnnotatorError
from annotator.export.documents import document_features
from annotator.export.layer_columns import LayerColumns, layer_columns

CONFIGS = ("gold", "raw", "documents")


def data_file(config: str, split: str) -> str:
    """Where a config's split is stored, relative to the export directory."""
    return f"{config}/{split}.parquet"


def metadata_features(config: str) -> dict[str, Any]:
    """The columns every row has, whatever the codebook."""
    columns: dict[str, Any] = {
        "article_id": Value("string"),
        "article_title": Value("string"),
        "passage_index": Value("int32"),
        "passage_id": Value("int64"),
        "passage_start": Value("int32"),
    }
    if config == "raw":
        columns["annotator"] = Value("string")
    columns |= {
        "source": Value("string"),
        "url": Value("string"),
        "published": Value("date32"),
        "codebook_version": Value("int32"),
        "num_annotators": Value("int32"),
        "agreement": Value("float32"),
    }
    if config == "gold":
        columns["adjudicated_layers"] = List(Value("string"))
        columns["disputed_layers"] = List(Value("string"))
        columns["undecided_layers"] = List(Value("string"))
        columns["layer_agreement"] = List({"layer": Value("string"), "agreement": Value("float32")})
        columns["votes"] = List(VOTE)
    columns |= {"text": Value("string"), "tokens": List(Value("string"))}
    columns |= {"token_starts": List(Value("int32")), "token_ends": List(Value("int32"))}
    columns["token_is_markup"] = List(Value("bool"))
    return columns


VOTE = {
    "layer": Value("string"),
    "label": Value("string"),
    "start": Value("int32"),
    "end": Value("int32"),
    "target": Value("string"),
    "votes": Value("int32"),
}
"""One item some coder gave (a label, a span, a stance value on a target) and how many of
the passage's `num_annotators` coders gave it; span offsets are into the passage `text`."""


def dataset_features(config: str, columns: list[LayerColumns]) -> Features:
    """Metadata columns, then the layers' columns; a clash of names is a one-line error."""
    if config == "documents":
        return document_features(columns)
    features = metadata_features(config)
    for layer in columns:
        for name, feature in layer.features().items():
            if name in features:
                raise AnnotatorError(f"layer {layer.layer.id!r}: column {name!r} clashes with another export column")
            features[name] = feature
    return Features(features)


def codebook_columns(codebook: Codebook) -> list[LayerColumns]:
    """The column builders of every layer, in codebook order."""
    return [layer_columns(layer) for layer in codebook.layers]
