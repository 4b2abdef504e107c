"""Corpus status: what is imported, who labelled what, how far each annotator is.

Per annotator: labels, rows by status, `assigned` (rows given by `annotator assign` or a
claim), `waiting` (assigned and still todo or in progress), active time, and throughput:
passages done per active hour (None before any active time was recorded).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, distinct, func, select

from annotator.assignment import OPEN_STATUSES, load_mode, passages_needing_people
from annotator.codebook.store import load_active_codebook
from annotator.db.engine import read_session
from annotator.db.models import Adjudication, Annotation, Annotator, Article, Assignment, Passage
from annotator.labels import current_labels_query


def corpus_status(engine: Engine) -> dict[str, Any]:
    """Counts for `annotator status`, as plain JSON-ready data."""
    active = load_active_codebook(engine)
    with read_session(engine) as session:
        articles = session.scalar(select(func.count(Article.id)))
        passage_counts = dict(
            session.execute(select(Passage.annotatable, func.count(Passage.id)).group_by(Passage.annotatable)).all()
        )
        current = current_labels_query().subquery()
        per_layer: dict[str, int] = dict(
            session.execute(
                select(current.c.layer, func.count()).group_by(current.c.layer).order_by(current.c.layer)
            ).all()
        )
        per_annotator_labels: dict[int, int] = dict(
            session.execute(select(current.c.annotator_id, func.count()).group_by(current.c.annotator_id)).all()
        )
        work = session.execute(
            select(
                Assignment.annotator_id,
                Assignment.status,
                func.count(Assignment.id),
                func.coalesce(func.sum(Assignment.active_seconds), 0.0),
            ).group_by(Assignment.annotator_id, Assignment.status)
        ).all()
        assigned = session.execute(
            select(
                Assignment.annotator_id,
                func.count(Assignment.id),
                func.count(Assignment.id).filter(Assignment.status.in_(OPEN_STATUSES)),
            )
            .where(Assignment.assigned_at.is_not(None))
            .group_by(Assignment.annotator_id)
        ).all()
        people = list(session.scalars(select(Annotator).where(Annotator.active.is_(True)).order_by(Annotator.name)))
        revisions = session.scalar(select(func.count(Annotation.id)))
        mode = load_mode(session)
        needing = passages_needing_people(session, mode)
        adjudicated = session.scalar(select(func.count(distinct(Adjudication.passage_id))))
    progress: dict[int, dict[str, Any]] = {}
    for annotator_id, status, count, seconds in work:
        entry = progress.setdefault(annotator_id, {"active_seconds": 0.0})
        entry[status] = count
        entry["active_seconds"] += float(seconds)
    for annotator_id, total, waiting in assigned:
        progress.setdefault(annotator_id, {"active_seconds": 0.0}).update(assigned=total, waiting=waiting)
    layer_ids = [layer.id for layer in active.codebook.layers]
    return {
        "articles": articles,
        "passages": {
            "total": sum(passage_counts.values()),
            "annotatable": passage_counts.get(True, 0),
            "not_annotatable": passage_counts.get(False, 0),
        },
        "codebook": {"name": active.codebook.name, "version": active.version_id},
        "assignment": {
            "mode": mode.kind,
            "overlap": mode.overlap,
            "claim_minutes": mode.claim_minutes if mode.kind == "dynamic" else None,
            "passages_needing_annotators": needing,
        },
        "adjudicated_passages": adjudicated,
        "label_revisions": revisions,
        "labels_per_layer": {layer: per_layer.get(layer, 0) for layer in layer_ids}
        | {layer: count for layer, count in per_layer.items() if layer not in layer_ids},
        "annotators": [
            _person(person, per_annotator_labels.get(person.id, 0), progress.get(person.id, {})) for person in people
        ],
    }


def _person(person: Annotator, labels: int, progress: dict[str, Any]) -> dict[str, Any]:
    """One annotator's line of the status."""
    seconds = progress.get("active_seconds", 0.0)
    done = progress.get("done", 0)
    return {
        "name": person.name,
        "role": person.role,
        "labels": labels,
        **{status: progress.get(status, 0) for status in ("done", "in_progress", "skipped", "flagged")},
        "assigned": progress.get("assigned", 0),
        "waiting": progress.get("waiting", 0),
        "active_seconds": round(seconds, 1),
        "done_per_active_hour": round(done / (seconds / 3600), 1) if seconds > 0 else None,
    }
