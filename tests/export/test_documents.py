"""The `documents` config: one row per article, with the same labels as the passage configs."""

from __future__ import annotations

import json
from collections import defaultdict

import pyarrow.parquet as pq
from sqlalchemy import func, select

from annotator.adjudication import accept_version
from annotator.cli.annotate_commands import sample_corpus_dir
from annotator.codebook import Codebook
from annotator.core.kinds import rules_of
from annotator.db.engine import read_session, write_session
from annotator.db.models import Annotator, Article, Passage
from annotator.export.exporter import export_dataset
from annotator.export.layer_columns import SPAN_FIELDS
from annotator.importing.importer import import_paths
from annotator.importing.labels_import import import_labels
from tests.export.conftest import PEOPLE, add_people, annotatable_passages, import_sample, label_lines, write_jsonl
from tests.export.test_export import load, rows_of


def label_all_but_one_passage(project, tmp_path) -> tuple[str, int]:
    """Label the first three sample articles, except one annotatable passage of the first;
    returns that passage (article id, index)."""
    assert import_paths(project.engine, [sample_corpus_dir()]).ok
    add_people(project, *PEOPLE)
    passages = annotatable_passages(project)
    chosen = list(dict.fromkeys(p.article for p in passages))[:3]
    passages = [p for p in passages if p.article in chosen]
    left_out = passages[1]
    lines = label_lines(project.codebook, [p for p in passages if p != left_out])
    assert not import_labels(project.engine, write_jsonl(tmp_path / "labels.jsonl", lines)).errors
    return left_out.article, left_out.index


def passage_config_labels(codebook: Codebook, row: dict) -> dict[str, list[dict]]:
    """A gold or raw row's labels per layer, as the documents config states them (article offsets)."""
    labels: dict[str, list[dict]] = {}
    at = {"passage_index": row["passage_index"]}
    for layer in codebook.layers:
        value, attributes = row[layer.id], [attribute.id for attribute in layer.attributes]
        if value is None:
            continue
        if rules_of(layer).spans:
            items = []
            for span in value:
                assert span["article_start"] == row["passage_start"] + span["start"]
                assert span["article_end"] == row["passage_start"] + span["end"]
                extra = {key: span[key] for key in span if key not in SPAN_FIELDS}
                item = {"start": span["article_start"], "end": span["article_end"], "text": span["text"]}
                item |= {key: span[key] for key in ("label", "source_start", "source_end")}
                items.append(at | item | extra)
        elif layer.kind == "passage_multi":
            items = [
                at | {"label": label} | {key: row[f"{layer.id}_{key}"][i] for key in attributes}
                for i, label in enumerate(value)
            ]
        elif layer.kind == "passage_single":
            items = [at | {"label": value} | {key: row[f"{layer.id}_{key}"] for key in attributes}]
        else:
            items = [at | item for item in value]
        labels[layer.id] = items
    return labels


def ordered(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))


def test_documents_hold_every_passage_and_the_labels_of_the_gold_and_raw_configs(project, tmp_path, no_network):
    left_out = label_all_but_one_passage(project, tmp_path)
    out = tmp_path / "ds"
    result = export_dataset(project.engine, out, seed=5)
    documents, gold, raw = (load(out, config, no_network) for config in ("documents", "gold", "raw"))
    codebook = project.codebook
    assert set(documents) == set(gold) and result.rows["documents"] == {
        name: len(split) for name, split in documents.items()
    }
    features = documents["train"].features
    assert features["gold"]["actors"].feature["label"].names == [label.id for label in codebook.layer("actors").labels]
    assert features["annotations"].feature["stance"].feature["collapsed"].names == [
        "against",
        "neutral_or_none",
        "favour",
    ]

    expected_gold: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    expected_raw: dict[tuple[str, str], dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    gold_passages: dict[str, set[int]] = defaultdict(set)
    coded: dict[tuple[str, str], list[int]] = defaultdict(list)
    for split, rows in gold.items():
        for row in rows:
            assert row["article_id"] in {doc["article_id"] for doc in documents[split]}  # same split
            gold_passages[row["article_id"]].add(row["passage_index"])
            for layer, items in passage_config_labels(codebook, row).items():
                expected_gold[row["article_id"]][layer] += items
    for row in rows_of(raw):
        key = (row["article_id"], row["annotator"])
        coded[key].append(row["passage_index"])
        for layer, items in passage_config_labels(codebook, row).items():
            expected_raw[key][layer] += items

    with read_session(project.engine) as session:
        passage_counts = dict(
            session.execute(select(Article.external_id, func.count()).join(Passage).group_by(Article.external_id)).all()
        )
    spans = 0
    for document in rows_of(documents):
        article, text = document["article_id"], document["text"]
        assert [passage["index"] for passage in document["passages"]] == list(range(passage_counts[article]))
        for passage in document["passages"]:
            given = passage["index"] in gold_passages[article]
            assert passage["gold_layers"] == ([layer.id for layer in codebook.layers] if given else [])
        for layer in codebook.layers:
            assert ordered(document["gold"][layer.id]) == ordered(expected_gold[article][layer.id]), layer.id
        assert [entry["annotator"] for entry in document["annotations"]] == sorted(
            name for art, name in expected_raw if art == article
        )
        for entry in document["annotations"]:
            key = (article, entry["annotator"])
            assert entry["passages"] == coded[key]
            for layer in codebook.layers:
                assert ordered(entry[layer.id]) == ordered(expected_raw[key][layer.id]), (key, layer.id)
                for label in entry[layer.id] if rules_of(layer).spans else ():
                    assert text[label["start"] : label["end"]] == label["text"]
                    spans += 1
    assert spans > 0

    (article, index), by_id = left_out, {doc["article_id"]: doc for doc in rows_of(documents)}
    unlabelled = by_id[article]["passages"][index]
    assert unlabelled["annotatable"] and unlabelled["gold_layers"] == []
    assert index not in gold_passages[article]
    assert all(index not in entry["passages"] for entry in by_id[article]["annotations"])
    assert any(not passage["annotatable"] and passage["kind"] == "title" for passage in by_id[article]["passages"])


def test_documents_keep_the_article_metadata_of_the_import(project, tmp_path, no_network):
    record = {
        "id": "a1",
        "title": "Shelling in the north",
        "author": "A. Writer",
        "source": "Daily Wire Service",
        "url": "https://example.org/a1",
        "published": "2024-03-05",
        "desk": "world",
        "tags": ["conflict", "north"],
        "text": "Shelling hit the northern town on Monday.\n\nResidents fled the artillery fire overnight.\n",
    }
    later = record | {"id": "a2", "published": "last spring", "text": record["text"] + "\nThe road was cut.\n"}
    write_jsonl(tmp_path / "articles.jsonl", [record, later])
    assert import_paths(project.engine, [tmp_path / "articles.jsonl"]).ok
    add_people(project, "alice")
    layer = next(layer for layer in project.codebook.layers if layer.kind == "passage_multi")
    lines = [
        {"article": article, "passage": 1, "annotator": "alice", "layer": layer.id, "label": layer.labels[0].id}
        for article in ("a1", "a2")
    ]
    assert not import_labels(project.engine, write_jsonl(tmp_path / "labels.jsonl", lines)).errors
    out = tmp_path / "ds"
    export_dataset(project.engine, out)
    documents = {doc["article_id"]: doc for doc in rows_of(load(out, "documents", no_network))}
    document = documents["a1"]
    assert {key: document[key] for key in ("title", "author", "source", "url")} == {
        "title": "Shelling in the north",
        "author": "A. Writer",
        "source": "Daily Wire Service",
        "url": "https://example.org/a1",
    }
    assert document["published"].isoformat() == "2024-03-05" and document["text"] == record["text"]
    assert json.loads(document["metadata"]) == {"desk": "world", "tags": ["conflict", "north"]}
    assert [(item["passage_index"], item["label"]) for item in document["gold"][layer.id]] == [(1, 0)]
    assert documents["a2"]["published"] is None
    assert json.loads(documents["a2"]["metadata"])["published_raw"] == "last spring"
    assert len(documents["a2"]["passages"]) == len(document["passages"]) + 1


def test_documents_never_name_an_annotator(labelled, tmp_path, no_network):
    with write_session(labelled.engine) as session:
        session.add(Annotator(name="mallory", role="annotator"))
    out = tmp_path / "ds"
    export_dataset(labelled.engine, out)
    names = {entry["annotator"] for doc in rows_of(load(out, "documents", no_network)) for entry in doc["annotations"]}
    assert names == {row["annotator"] for row in rows_of(load(out, "raw", no_network))}
    assert names == {"annotator_01", "annotator_02", "annotator_03"}
    files = sorted((out / "documents").glob("*.parquet"))
    assert files
    for file in files:
        content = json.dumps(pq.read_table(file).to_pylist(), default=str).lower()
        assert not [person for person in (*PEOPLE, "lena", "mallory") if person in content], file


def test_with_labels_gold_the_documents_hold_only_the_decided_layers(project, tmp_path, no_network):
    passages = import_sample(project, tmp_path)
    with read_session(project.engine) as session:
        people = dict(session.execute(select(Annotator.name, Annotator.id)).all())
    chosen = next(p for number, p in enumerate(passages) if number % 3 == 0)  # where carol disagrees
    accept_version(
        project.engine, lead_id=people["lena"], passage_id=chosen.id, annotator_id=people["carol"], layers=["actors"]
    )
    out = tmp_path / "ds"
    export_dataset(project.engine, out, labels="gold")
    documents = {doc["article_id"]: doc for doc in rows_of(load(out, "documents", no_network))}
    assert set(documents) == {p.article for p in passages}
    for article, document in documents.items():
        for passage in document["passages"]:
            decided = (article, passage["index"]) == (chosen.article, chosen.index)
            assert passage["gold_layers"] == (["actors"] if decided else [])
        gold = document["gold"]
        if article != chosen.article:
            assert all(labels == [] for labels in gold.values())
            continue
        (carol,) = [entry for entry in document["annotations"] if entry["annotator"] == "annotator_03"]
        assert gold["actors"] == [span for span in carol["actors"] if span["passage_index"] == chosen.index]
        assert gold["actors"] and all(labels == [] for layer, labels in gold.items() if layer != "actors")
