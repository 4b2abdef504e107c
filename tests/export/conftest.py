"""Labelled corpora for the release and export tests, built with `import-labels` on the sample corpus.

The labels are generated from the project's own codebook (any codebook: nothing names a
default label), on word boundaries, with a deterministic pattern of disagreement.
"""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from annotator.annotators import add_annotator
from annotator.cli.annotate_commands import sample_corpus_dir
from annotator.codebook import Codebook
from annotator.db.engine import read_session, write_session
from annotator.db.models import Annotation, Article, Passage
from annotator.importing.importer import import_paths
from annotator.importing.labels_import import import_labels
from annotator.labels import current_labels_query
from annotator.project import Project

PEOPLE = ("alice", "bob", "carol")
WORD = re.compile(r"\b[A-Za-z]{3,}\b")


@dataclass(frozen=True)
class PassageText:
    """An annotatable passage of the sample corpus."""

    id: int
    article: str
    index: int
    start: int
    text: str


def annotatable_passages(project: Project) -> list[PassageText]:
    """Every annotatable passage, by article and index."""
    with read_session(project.engine) as session:
        rows = session.execute(
            select(Passage.id, Article.external_id, Article.text, Passage.index, Passage.start, Passage.end)
            .join(Passage, Passage.article_id == Article.id)
            .where(Passage.annotatable.is_(True))
            .order_by(Article.id, Passage.index)
        ).all()
    return [PassageText(id_, ext, index, start, text[start:end]) for id_, ext, text, index, start, end in rows]


def label_lines(codebook: Codebook, passages: list[PassageText], people=PEOPLE) -> list[dict]:
    """JSONL objects labelling every passage in every layer; the third person disagrees on every
    third passage, and span layers that allow overlaps get a nested pair of spans."""
    lines = []
    for number, passage in enumerate(passages):
        words = [(passage.start + m.start(), passage.start + m.end()) for m in WORD.finditer(passage.text)]
        for rank, person in enumerate(people):
            shift = 1 if rank == 2 and number % 3 == 0 else 0
            base = {"article": passage.article, "annotator": person}
            for layer in codebook.layers:
                labels = layer.active_labels
                pick = labels[(number + shift) % len(labels)].id
                if layer.kind == "span" and len(words) >= 3:
                    spans = [(pick, words[shift]), (labels[-1].id, words[2])]
                    if layer.allow_overlap:
                        spans.append((labels[0].id, (words[1][0], words[2][1])))
                    for label, (start, end) in spans:
                        lines.append(base | {"layer": layer.id, "label": label, "start": start, "end": end})
                elif layer.kind in ("passage_single", "passage_multi"):
                    lines.append(base | {"layer": layer.id, "label": pick, "passage": passage.index})
                elif layer.kind == "target_ordinal" and codebook.targets_for(layer.id):
                    target = codebook.targets_for(layer.id)[0].id
                    scale = layer.scale[(number + shift) % len(layer.scale)]
                    lines.append(
                        base | {"layer": layer.id, "label": scale.id, "passage": passage.index, "target": target}
                    )
    return lines


def write_jsonl(path: Path, lines: list[dict]) -> Path:
    """Write objects one per line."""
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return path


def add_people(project: Project, *names: str, role: str = "annotator") -> None:
    """Add annotators (or leads) to the project."""
    with write_session(project.engine) as session:
        for name in names:
            add_annotator(session, name, role)


def import_sample(project: Project, tmp_path: Path, articles: int | None = 3) -> list[PassageText]:
    """Import the sample corpus, add `PEOPLE` and the lead `lena`, and label the first articles."""
    assert import_paths(project.engine, [sample_corpus_dir()]).ok
    add_people(project, *PEOPLE)
    add_people(project, "lena", role="lead")
    passages = annotatable_passages(project)
    chosen = sorted({p.article for p in passages}, key=[p.article for p in passages].index)[:articles]
    passages = [p for p in passages if p.article in chosen]
    path = write_jsonl(tmp_path / "labels.jsonl", label_lines(project.codebook, passages))
    report = import_labels(project.engine, path)
    assert not report.errors, report.errors[:3]
    return passages


def labelled_passage_ids(project: Project) -> set[int]:
    """Passages with at least one current label."""
    with read_session(project.engine) as session:
        return set(session.scalars(current_labels_query().with_only_columns(Annotation.passage_id)))


@pytest.fixture
def labelled(project, tmp_path):
    """The default-codebook project with three articles labelled by three people."""
    import_sample(project, tmp_path)
    return project


@pytest.fixture
def no_network(monkeypatch, tmp_path):
    """Offline `datasets`, its cache under tmp_path, and any socket connection an error."""
    import datasets.config
    import huggingface_hub.constants

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access during an offline test: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return tmp_path / "hf-cache"
