"""The whole tool with the tiny example codebook, whose layers and labels share no id with the
default one: init, import, people, labelling through the UI, agreement, export, validate."""

from __future__ import annotations

import json

import datasets.config
import pytest
from datasets import ClassLabel, List, load_dataset
from sqlalchemy import select

from annotator.cli.annotate_commands import sample_corpus_dir
from annotator.cli.main import main
from annotator.codebook import guidelines_dir, load_codebook
from annotator.db.engine import read_session
from annotator.db.models import Annotator
from annotator.project import open_project
from annotator.tui.app import AnnotatorApp
from tests.tui.harness import current, screen_text, settle

TINY = guidelines_dir() / "examples" / "tiny-codebook.yaml"
SENTIMENT = {"alice": ["p", "n", "u"], "bob": ["p", "n", "n"]}
"""Each person's sentiment key on the first three passages: they differ on the third."""


def run(capsys, *argv: str) -> str:
    """Run one `annotator` command; its standard output."""
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """`datasets` offline, with its cache under tmp_path."""
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    return tmp_path / "hf-cache"


async def label_three_passages(project, annotator_id: int, keys: list[str]) -> None:
    """Through the UI: a sentiment per passage, and the first word tagged as a place."""
    app = AnnotatorApp(project, annotator_id)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Sentiment" in screen_text(app) and "Positive" in screen_text(app)
        for key in keys:
            await pilot.press(key)  # the first layer, sentiment, is active
            await pilot.press("tab", "ctrl+right", "l", "shift+tab")  # entity: "place" on the first word
            await settle(pilot)
            await pilot.press("enter")  # done, next passage
            await settle(pilot)


async def test_the_tool_runs_with_the_tiny_codebook(db_url, tmp_path, capsys, offline):
    codebook = load_codebook(TINY)
    assert "ok: codebook 'Tiny example', 2 layers, 5 labels" in run(capsys, "codebook", "validate", str(TINY))
    assert "codebook 'Tiny example'" in run(capsys, "init", "--db", db_url, "--codebook", str(TINY))
    run(capsys, "import", str(sample_corpus_dir()), "--db", db_url)
    for name in SENTIMENT:
        run(capsys, "annotators", "add", name, "--db", db_url)
    project = open_project(db_url)
    with read_session(project.engine) as session:
        people = dict(session.execute(select(Annotator.name, Annotator.id)).all())
    for name, keys in SENTIMENT.items():
        await label_three_passages(project, people[name], keys)

    names = {label.key: label.id for label in codebook.layer("sentiment").labels}
    for name, keys in SENTIMENT.items():
        assert [row.label for row in current(project, people[name], "sentiment")] == [names[key] for key in keys]
        places = current(project, people[name], "entity")
        assert [row.label for row in places] == ["place"] * 3 and all(row.span_start is not None for row in places)

    report = json.loads(run(capsys, "agreement", "--format", "json", "--db", db_url))
    assert [layer["layer"] for layer in report["layers"]] == ["sentiment", "entity"]
    assert report["coders"] == ["alice", "bob"]
    sentiment = next(layer for layer in report["layers"] if layer["layer"] == "sentiment")
    assert any(m["measure"] == "alpha_nominal" and m["scope"] == "overall" for m in sentiment["measures"])

    out = tmp_path / "exports" / "tiny"
    run(capsys, "export", "--out", str(out), "--db", db_url, "--split", "train=1")
    gold = load_dataset(str(out), cache_dir=str(offline))
    raw = load_dataset(str(out), "raw", cache_dir=str(offline))
    features = gold["train"].features
    assert features["sentiment"] == ClassLabel(names=["positive", "mixed", "negative"])
    assert isinstance(features["entity"], List)
    assert features["entity"].feature["label"] == ClassLabel(names=["place", "person"])
    assert features["entity_tags"].feature.names == ["O", "B-place", "I-place", "B-person", "I-person"]
    sentiments = features["sentiment"].names
    majority = [sentiments[row["sentiment"]] for row in gold["train"] if row["sentiment"] is not None]
    assert sorted(majority) == ["negative", "positive"] and len(gold["train"]) == 3  # no majority on the third
    assert len(raw["train"]) == 6 and {row["annotator"] for row in raw["train"]} == {"annotator_01", "annotator_02"}
    assert json.loads((out / "agreement.json").read_text(encoding="utf-8"))["coders"] == [
        "annotator_01",
        "annotator_02",
    ]
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "| `sentiment` | alpha_nominal |" in card and "license: cc0-1.0" in card
    assert not any(word in card for word in ("event_type", "Sub-event", "subtypes", "overlapping spans"))
    project.engine.dispose()
