"""Corpus status: what is imported, who labelled what, how far each annotator is."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from annotator.codebook.store import load_active_codebook
from annotator.db.engine import read_session
from annotator.db.models import Annotation, Annotator, Article, Assignment, Passage
from annotator.labels import current_labels_query


def corpus_status(engine: Engine) -> dict[str, Any]:
    """Counts for `annotator status`, as plain JSON-ready data."""
    active = load_active_codebook(engine)
    with read_session(engine) as session:
        articles = session.scalar(select(func.count(Article.id)))
        passage_counts = dict(
            session.execute(
                select(Passage.annotatable, func.count(Passage.id)).group_by(Passage.annotatable)
            ).all()
        )
        current = current_labels_query().subquery()
        per_layer = dict(
            session.execute(
                select(current.c.layer, func.count()).group_by(current.c.layer).order_by(current.c.layer)
            ).all()
        )
        per_annotator_labels = dict(
            session.execute(
                select(current.c.annotator_id, func.count()).group_by(current.c.annotator_id)
            ).all()
        )
        work = session.execute(
            select(
                Assignment.annotator_id,
                Assignment.status,
                func.count(Assignment.id),
                func.coalesce(func.sum(Assignment.active_seconds), 0.0),
            ).group_by(Assignment.annotator_id, Assignment.status)
        ).all()
        people = list(session.scalars(select(Annotator).where(Annotator.active.is_(True)).order_by(Annotator.name)))
        revisions = session.scalar(select(func.count(Annotation.id)))
    progress: dict[int, dict[str, Any]] = {}
    for annotator_id, status, count, seconds in work:
        entry = progress.setdefault(annotator_id, {"active_seconds": 0.0})
        entry[status] = count
        entry["active_seconds"] += float(seconds)
    layer_ids = [layer.id for layer in active.codebook.layers]
    return {
        "articles": articles,
        "passages": {
            "total": sum(passage_counts.values()),
            "annotatable": passage_counts.get(True, 0),
            "not_annotatable": passage_counts.get(False, 0),
        },
        "codebook": {"name": active.codebook.name, "version": active.version_id},
        "label_revisions": revisions,
        "labels_per_layer": {layer: per_layer.get(layer, 0) for layer in layer_ids}
        | {layer: count for layer, count in per_layer.items() if layer not in layer_ids},
        "annotators": [
            {
                "name": person.name,
                "role": person.role,
                "labels": per_annotator_labels.get(person.id, 0),
                **{
                    status: progress.get(person.id, {}).get(status, 0)
                    for status in ("done", "in_progress", "skipped", "flagged")
                },
                "active_seconds": round(progress.get(person.id, {}).get("active_seconds", 0.0), 1),
            }
            for person in people
        ],
    }
