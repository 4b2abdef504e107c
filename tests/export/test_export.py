"""`annotator export`: datasets round trips offline, determinism, releases frozen, all or nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from datasets import ClassLabel, List, Value, load_dataset
from sqlalchemy import select

from annotator.agreement.results import CSV_COLUMNS
from annotator.cli.db_commands import initialise
from annotator.cli.main import main
from annotator.codebook import default_codebook_path
from annotator.codebook.apply import apply_codebook
from annotator.db.engine import write_session
from annotator.db.models import Annotator
from annotator.errors import AnnotatorError
from annotator.export import exporter
from annotator.export.exporter import export_dataset
from annotator.export.tokens import tokenize
from annotator.importing.labels_import import import_labels
from annotator.labels import LabelContent, add_label
from annotator.project import open_project
from annotator.releases import create_release
from tests.export.conftest import (
    PEOPLE,
    annotatable_passages,
    import_sample,
    label_lines,
    labelled_passage_ids,
    write_jsonl,
)
from tests.export.test_tokens import spans_from_tags

TINY_CODEBOOK = Path(default_codebook_path()).parent / "examples" / "tiny-codebook.yaml"


def load(path: Path, config: str, cache: Path):
    return load_dataset(str(path), config, cache_dir=str(cache))


def parquet_bytes(path: Path) -> dict[str, bytes]:
    return {str(file.relative_to(path)): file.read_bytes() for file in sorted(path.rglob("*.parquet"))}


def rows_of(dataset) -> list[dict]:
    return [row for split in dataset.values() for row in split]


def test_gold_and_raw_configs_load_offline_with_codebook_features(labelled, tmp_path, no_network):
    out = tmp_path / "exports" / "current"
    result = export_dataset(labelled.engine, out, seed=3)
    gold, raw = load(out, "gold", no_network), load(out, "raw", no_network)
    codebook = labelled.codebook
    features = gold["train"].features
    assert features["event_type"] == List(ClassLabel(names=[label.id for label in codebook.layer("event_type").labels]))
    assert features["event_type_realis"] == List(ClassLabel(names=["actual", "claimed", "hypothetical", "generic"]))
    actor = features["actors"].feature
    assert actor["label"].names == [label.id for label in codebook.layer("actors").labels]
    assert actor["role"] == ClassLabel(names=["initiator", "target", "associated"])
    assert actor["euphemism"] == Value("bool") and actor["start"] == Value("int32")
    assert features["actors_tags"].feature.names[:3] == ["O", "B-state_forces", "I-state_forces"]
    stance = features["stance"].feature
    assert stance["collapsed"].names == ["against", "neutral_or_none", "favour"]
    assert stance["value"] == Value("int32") and features["published"] == Value("date32")
    assert "annotator" in raw["train"].features and "annotator" not in features
    assert features["votes"].feature["votes"] == Value("int32") and "votes" not in raw["train"].features
    for row in rows_of(gold):  # votes count coders, and layer agreement covers every layer
        assert all(1 <= vote["votes"] <= row["num_annotators"] for vote in row["votes"])
        assert [entry["layer"] for entry in row["layer_agreement"]] == [layer.id for layer in codebook.layers]
    assert any(vote["votes"] < row["num_annotators"] for row in rows_of(gold) for vote in row["votes"])

    passages = len(labelled_passage_ids(labelled))
    assert sum(len(split) for split in gold.values()) == passages == sum(result.rows["gold"].values())
    assert sum(len(split) for split in raw.values()) == passages * len(PEOPLE)
    assert {row["annotator"] for row in rows_of(raw)} == {"annotator_01", "annotator_02", "annotator_03"}
    for dataset in (gold, raw):
        articles = {name: {row["article_id"] for row in split} for name, split in dataset.items()}
        names = list(articles)
        assert all(articles[a].isdisjoint(articles[b]) for a in names for b in names if a < b)
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "This is not a release" in card and "license: unknown" in card
    assert "Sub-types (`event_type_subtype`) are optional" in card and "BIO tags cannot hold" in card
    assert not any(name in card for name in PEOPLE)
    report = json.loads((out / "agreement.json").read_text(encoding="utf-8"))
    assert [layer["layer"] for layer in report["layers"]] == [layer.id for layer in codebook.layers]
    assert report["as_of_revision"] == result.snapshot.watermark == result.agreement.as_of
    with (out / "agreement.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == len(result.agreement.to_csv_rows())
    assert {row["layer"] for row in rows} == {layer.id for layer in codebook.layers}
    assert (out / "agreement.html").read_text(encoding="utf-8").startswith("<!doctype html>")
    event_type = result.agreement.layer("event_type").find("alpha_masi")
    assert f"| `event_type` | alpha_masi | {event_type.coefficient:.3f} | {event_type.low:.3f} to " in card


def test_agreement_files_use_the_raw_pseudonyms_and_no_real_names(labelled, tmp_path, no_network):
    with write_session(labelled.engine) as session:  # a hostile name, to be sure it never shows
        session.add(Annotator(name="[bold]mallory", role="annotator"))
    out = tmp_path / "ds"
    export_dataset(labelled.engine, out)
    pseudonyms = {row["annotator"] for row in rows_of(load(out, "raw", no_network))}
    report = json.loads((out / "agreement.json").read_text(encoding="utf-8"))
    assert set(report["coders"]) == pseudonyms == {"annotator_01", "annotator_02", "annotator_03"}
    pairwise = report["layers"][0]["pairwise"]
    assert set(pairwise["coders"]) <= pseudonyms
    disagreements = [passage for layer in report["layers"] for passage in layer["disagreements"]]
    assert disagreements and all(set(passage["coders"]) <= pseudonyms for passage in disagreements)
    real = (*PEOPLE, "lena", "mallory")
    for name in ("agreement.json", "agreement.csv", "agreement.html", "README.md"):
        text = (out / name).read_text(encoding="utf-8").lower()
        assert not [person for person in real if person in text], name


def test_spans_match_the_text_and_survive_bio(labelled, tmp_path, no_network):
    out = tmp_path / "ds"
    export_dataset(labelled.engine, out)
    gold, raw = load(out, "gold", no_network), load(out, "raw", no_network)
    checked = 0
    for row in rows_of(gold) + rows_of(raw):
        for layer in ("actors", "rhetoric"):
            for span in row[layer]:
                assert span["text"] == row["text"][span["start"] : span["end"]]
                checked += 1
        tokens = tokenize(row["text"])
        assert tokens.words == row["tokens"]
        actors = [(span["start"], span["end"], span["label"]) for span in row["actors"]]
        assert spans_from_tags(tokens, row["actors_tags"]) == actors
        assert len(row["rhetoric_tags"]) == len(row["tokens"])
    assert checked > 100


def test_gold_is_the_majority_and_per_item_agreement_is_pairwise_jaccard(labelled, tmp_path, no_network):
    out = tmp_path / "ds"
    export_dataset(labelled.engine, out)
    gold, raw = rows_of(load(out, "gold", no_network)), rows_of(load(out, "raw", no_network))
    alice = {row["passage_id"]: row for row in raw if row["annotator"] == "annotator_01"}
    for row in gold:
        assert row["num_annotators"] == 3 and row["adjudicated_layers"] == []
        mine = alice[row["passage_id"]]  # alice and bob always agree; carol sometimes differs
        assert (row["event_type"], row["actors"], row["stance"]) == (mine["event_type"], mine["actors"], mine["stance"])
    agreements = sorted({round(row["agreement"], 4) for row in gold})
    assert agreements[-1] == 1.0 and agreements[0] < 1.0


def test_adjudicated_labels_win_and_the_labels_option(labelled, tmp_path, no_network):
    passage_id = min(labelled_passage_ids(labelled))
    with write_session(labelled.engine) as session:
        lead = session.scalar(select(Annotator.id).where(Annotator.name == "lena"))
        add_label(
            session,
            passage_id=passage_id,
            annotator_id=lead,
            codebook_version_id=labelled.active.version_id,
            content=LabelContent("event_type", "strategic_developments"),
            origin="adjudication",
        )
    modes = {}
    for mode in ("majority", "raw", "gold"):
        export_dataset(labelled.engine, tmp_path / mode, labels=mode)
        modes[mode] = {row["passage_id"]: row for row in rows_of(load(tmp_path / mode, "gold", no_network))}
    names = load(tmp_path / "gold", "gold", no_network)["train"].features["event_type"].feature.names
    for mode, gold in modes.items():
        assert [names[i] for i in gold[passage_id]["event_type"]] == ["strategic_developments"], mode
        assert gold[passage_id]["adjudicated_layers"] == ["event_type"]
        assert gold[passage_id]["num_annotators"] == 3
    assert list(modes["gold"]) == [passage_id]
    assert modes["gold"][passage_id]["actors"] is None and modes["gold"][passage_id]["actors_tags"] is None
    assert len(modes["raw"]) == len(modes["majority"]) > 1
    raw = rows_of(load(tmp_path / "raw", "raw", no_network))
    first_annotator = {row["passage_id"]: row for row in raw if row["annotator"] == "annotator_01"}
    for other, row in modes["raw"].items():
        assert row["actors"] == first_annotator[other]["actors"]  # alice is central (she agrees with bob)


def test_release_export_is_byte_identical_and_frozen(labelled, tmp_path, no_network):
    create_release(labelled.engine, "v1")
    first = export_dataset(labelled.engine, tmp_path / "a", release="v1", seed=7)
    export_dataset(labelled.engine, tmp_path / "b", release="v1", seed=7)
    assert parquet_bytes(tmp_path / "a") == parquet_bytes(tmp_path / "b") != {}
    for name in ("README.md", "agreement.json", "agreement.csv", "agreement.html"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name

    done = labelled_passage_ids(labelled)
    more = [passage for passage in annotatable_passages(labelled) if passage.id not in done]
    more_labels = write_jsonl(tmp_path / "more.jsonl", label_lines(labelled.codebook, more[:5]))
    report = import_labels(labelled.engine, more_labels)
    assert report.imported > 0 and not report.errors
    merged = tmp_path / "codebook.yaml"
    text = Path(default_codebook_path()).read_text(encoding="utf-8")
    for label, line in (("doubt", "retired: true"), ("questioning_the_reputation", "replaces: [doubt]")):
        text = text.replace(f"      - id: {label}\n", f"      - id: {label}\n        {line}\n")
    merged.write_text(text, encoding="utf-8")
    change = apply_codebook(labelled.engine, merged)
    assert change.merged_labels > 0

    export_dataset(labelled.engine, tmp_path / "c", release="v1", seed=7)
    assert parquet_bytes(tmp_path / "c") == parquet_bytes(tmp_path / "a")
    now = export_dataset(labelled.engine, tmp_path / "now", seed=7)
    assert sum(now.rows["gold"].values()) == sum(first.rows["gold"].values()) + 5
    card = (tmp_path / "now" / "README.md").read_text(encoding="utf-8")
    assert "Changes since release `v1`" in card and "| rhetoric |" in card


def test_an_existing_export_is_only_replaced_with_force(labelled, tmp_path):
    out = tmp_path / "exports" / "x"
    export_dataset(labelled.engine, out)
    (out / "marker").write_text("old")
    with pytest.raises(AnnotatorError, match="already exists: use --force"):
        export_dataset(labelled.engine, out)
    assert (out / "marker").exists()
    export_dataset(labelled.engine, out, force=True)
    assert not (out / "marker").exists() and (out / "README.md").exists()
    assert sorted(p.name for p in out.parent.iterdir()) == ["x"]


@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_an_interrupted_export_leaves_nothing_behind(labelled, tmp_path, monkeypatch, error):
    out = tmp_path / "exports" / "x"
    real_write = exporter.ParquetSink.write

    def fail_after_first(self, table):
        real_write(self, table)
        raise error

    monkeypatch.setattr(exporter.ParquetSink, "write", fail_after_first)
    with pytest.raises(type(error)):
        export_dataset(labelled.engine, out)
    assert list(out.parent.iterdir()) == []

    monkeypatch.undo()
    export_dataset(labelled.engine, out)
    before = parquet_bytes(out)
    monkeypatch.setattr(exporter.ParquetSink, "write", fail_after_first)
    with pytest.raises(type(error)):
        export_dataset(labelled.engine, out, force=True)
    assert parquet_bytes(out) == before and sorted(p.name for p in out.parent.iterdir()) == ["x"]


def test_tiny_codebook_exports_with_its_own_labels(db_url, tmp_path, no_network):
    initialise(db_url, TINY_CODEBOOK)
    project = open_project(db_url)
    import_sample(project, tmp_path, articles=2)
    out = tmp_path / "tiny"
    export_dataset(project.engine, out)
    gold = load(out, "gold", no_network)
    features = next(iter(gold.values())).features
    assert features["sentiment"] == ClassLabel(names=["positive", "mixed", "negative"])
    assert features["entity_tags"].feature.names == ["O", "B-place", "I-place", "B-person", "I-person"]
    assert not {"actors", "event_type", "stance", "rhetoric"} & set(features)
    assert all(row["sentiment"] is not None for row in rows_of(gold))
    assert "license: cc0-1.0" in (out / "README.md").read_text(encoding="utf-8")
    project.engine.dispose()


def test_cli_export_and_its_errors(labelled, db_url, tmp_path, capsys, no_network):
    out = tmp_path / "exports" / "v1"
    note = "[bold]x | [/foo] `[@click=app.quit]`"
    assert main(["release", "create", "v1", "--note", note, "--license", "cc-by-4.0", "--db", db_url]) == 0
    assert main(["export", "--out", str(out), "--release", "v1", "--split", "train=0.5,test=0.5", "--db", db_url]) == 0
    printed = capsys.readouterr().out
    assert "exported release v1 to" in printed and "gold: train" in printed
    assert set(load(out, "gold", no_network)) == {"train", "test"}
    assert f": {note.replace('|', chr(92) + '|')}" in (out / "README.md").read_text(encoding="utf-8")
    capsys.readouterr()
    cases = {
        ("--out", str(out)): "already exists: use --force",
        ("--out", str(tmp_path / "y"), "--release", "v9"): "unknown release 'v9'",
        ("--out", str(tmp_path / "y"), "--labels", "gold"): "no adjudicated labels",
        ("--out", str(tmp_path / "y"), "--split", "train=0.7"): "add up to 0.7",
    }
    for argv, message in cases.items():
        assert main(["export", *argv, "--db", db_url]) == 1
        errors = capsys.readouterr().err.splitlines()
        assert len(errors) == 1 and message in errors[0], (argv, errors)
    assert not (tmp_path / "y").exists()


def test_nothing_to_export_without_labels(project, tmp_path):
    with pytest.raises(AnnotatorError, match="nothing to export"):
        export_dataset(project.engine, tmp_path / "exports" / "empty")
    assert list((tmp_path / "exports").iterdir()) == []
