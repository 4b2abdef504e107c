"""The dataset card's YAML is what the Hugging Face Hub accepts, checked offline."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest
from datasets.utils.metadata import known_task_ids
from huggingface_hub import DatasetCard, DatasetCardData

from annotator.export.card import size_category
from annotator.export.exporter import export_dataset
from annotator.export.features import data_file
from annotator.releases import create_release

RESOURCES = Path(datasets.__file__).parent / "utils" / "resources"
# The Hub's task ids of text and token classification (huggingface.js, packages/tasks/src/pipelines.ts).
HUB_TASK_IDS = {
    "text-classification": {
        "acceptability-classification", "entity-linking-classification", "fact-checking",
        "intent-classification", "language-identification", "multi-class-classification",
        "multi-label-classification", "multi-input-text-classification", "natural-language-inference",
        "semantic-similarity-classification", "sentiment-classification", "topic-classification",
        "semantic-similarity-scoring", "sentiment-scoring", "sentiment-analysis", "hate-speech-detection",
        "text-scoring",
    },
    "token-classification": {
        "named-entity-recognition", "part-of-speech", "parsing", "lemmatization",
        "word-sense-disambiguation", "coreference-resolution",
    },
}  # fmt: skip
# Some of the Hub's licence ids (https://huggingface.co/docs/hub/repositories-licenses).
HUB_LICENSES = {
    "apache-2.0",
    "mit",
    "cc-by-4.0",
    "cc-by-sa-4.0",
    "cc-by-nc-4.0",
    "cc0-1.0",
    "odc-by",
    "other",
    "unknown",
}


def hub_problems(metadata: dict) -> list[str]:
    """What the Hub would refuse or flag in a dataset card's YAML (empty: nothing)."""
    DatasetCardData(**metadata)  # raises on a malformed field (e.g. eval results)
    creators = json.loads((RESOURCES / "creators.json").read_text(encoding="utf-8"))
    vocabularies = {
        "size_categories": set(json.loads((RESOURCES / "size_categories.json").read_text(encoding="utf-8"))),
        "language": set(json.loads((RESOURCES / "languages.json").read_text(encoding="utf-8"))),
        "annotations_creators": set(creators["annotations"]),
        "language_creators": set(creators["language"]),
        "task_categories": set(known_task_ids),
        "task_ids": {
            task for category in metadata.get("task_categories", []) for task in HUB_TASK_IDS.get(category, ())
        },
        "license": HUB_LICENSES,
    }
    problems = [f"{key}: missing" for key in vocabularies if not metadata.get(key)]
    for key, allowed in vocabularies.items():
        values = metadata.get(key) or []
        problems += [
            f"{key}: {value!r}" for value in ([values] if isinstance(values, str) else values) if value not in allowed
        ]
    return problems


@pytest.fixture
def released(labelled, tmp_path, no_network):
    """The labelled project exported as release v1 (cc-by-4.0, with a text-rights statement)."""
    create_release(labelled.engine, "v1", license="cc-by-4.0", text_rights="Texts (c) their publishers.")
    out = tmp_path / "v1"
    return export_dataset(labelled.engine, out, release="v1", seed=3), out


def test_the_card_yaml_passes_the_hub_vocabularies(released):
    result, out = released
    card = DatasetCard.load(out / "README.md")
    metadata = card.data.to_dict()
    assert hub_problems(metadata) == []
    passages = sum(result.rows["gold"].values())
    assert metadata["size_categories"] == [size_category(passages)] == ["n<1K"]
    assert metadata["annotations_creators"] == ["expert-generated"] and metadata["language_creators"] == ["found"]
    assert metadata["task_categories"] == ["token-classification", "text-classification"]
    assert metadata["task_ids"] == [
        "named-entity-recognition",
        "multi-label-classification",
        "sentiment-classification",
    ]
    assert metadata["license"] == "cc-by-4.0"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("size_categories", ["tiny"]),
        ("task_ids", ["stance-detection"]),
        ("license", "cc by"),
        ("language_creators", []),
    ],
)
def test_an_invalid_field_is_caught(released, key, value):
    _result, out = released
    metadata = DatasetCard.load(out / "README.md").data.to_dict()
    metadata[key] = value
    assert hub_problems(metadata)


def test_num_bytes_are_the_parquet_sizes(released):
    result, out = released
    infos = {info["config_name"]: info for info in DatasetCard.load(out / "README.md").data.to_dict()["dataset_info"]}
    for config, splits in result.rows.items():
        sizes = {split["name"]: split["num_bytes"] for split in infos[config]["splits"]}
        assert sizes == {name: (out / data_file(config, name)).stat().st_size for name in splits}
        assert infos[config]["download_size"] == sum(sizes.values())


def test_the_card_states_the_rights_and_flags_an_unknown_licence(released, labelled, tmp_path):
    _result, out = released
    body = (out / "README.md").read_text(encoding="utf-8")
    assert "`cc-by-4.0`, as release `v1` states." in body and "Rights in the texts: Texts (c) their publishers." in body
    assert "The licence is unknown" not in body
    create_release(labelled.engine, "v2", license="unknown")
    export_dataset(labelled.engine, tmp_path / "v2", release="v2")
    body = (tmp_path / "v2" / "README.md").read_text(encoding="utf-8")
    assert "license: unknown" in body and "- The licence is unknown" in body
    assert "No statement of the rights in the texts was given." in body


@pytest.mark.parametrize(
    ("passages", "category"),
    [
        (0, "n<1K"),
        (999, "n<1K"),
        (1_000, "1K<n<10K"),
        (99_999, "10K<n<100K"),
        (250_000, "100K<n<1M"),
        (10**6, "1M<n<10M"),
        (10**12, "n>1T"),
    ],
)
def test_size_categories(passages, category):
    assert size_category(passages) == category
    assert category in json.loads((RESOURCES / "size_categories.json").read_text(encoding="utf-8"))
