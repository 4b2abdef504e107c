"""Builders shared by tests: small labelled corpora written through the real code paths."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from annotator.annotators import add_annotator
from annotator.cli.annotate_commands import sample_corpus_dir
from annotator.codebook import default_codebook_path, load_codebook
from annotator.codebook.store import store_codebook
from annotator.db.engine import write_session
from annotator.db.models import Passage
from annotator.importing.importer import import_paths
from annotator.labels import LabelContent, add_label, delete_label, revise_label


def seed_labelled_corpus(engine: Engine) -> None:
    """Default codebook, the sample corpus, two annotators and a few labels (one edited, one deleted)."""
    path = default_codebook_path()
    codebook = load_codebook(path)
    with write_session(engine) as session:
        version = store_codebook(session, codebook, Path(path).read_text(encoding="utf-8"))
        alice = add_annotator(session, "alice")
        bob = add_annotator(session, "bob", "lead")
    import_paths(engine, [sample_corpus_dir()])
    span_layer = next(layer for layer in codebook.layers if layer.kind == "span")
    first, second = span_layer.labels[0].id, span_layer.labels[1].id
    with write_session(engine) as session:
        passage = session.scalar(select(Passage).where(Passage.annotatable.is_(True)).order_by(Passage.id))
        content = LabelContent(span_layer.id, first, passage.start, passage.start + 3)
        for person in (alice, bob):
            row = add_label(
                session, passage_id=passage.id, annotator_id=person.id, codebook_version_id=version.id, content=content
            )
        edited = revise_label(
            session,
            revision=row,
            annotator_id=bob.id,
            codebook_version_id=version.id,
            content=content.with_changes(label=second),
        )
        delete_label(session, revision=edited, annotator_id=bob.id, codebook_version_id=version.id)
