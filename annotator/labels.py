"""Label revisions: the only code that writes to the `annotations` table.

Rows are never updated or deleted. Adding a label inserts a row; editing inserts a row that
supersedes the old one; deleting inserts a superseding tombstone. The current labels are the
rows nothing supersedes that are not tombstones, optionally as of a release watermark.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from annotator.db.models import Annotation
from annotator.errors import AnnotatorError


class StaleRevisionError(AnnotatorError):
    """The revision being edited was already replaced (by another window or process)."""


@dataclass(frozen=True)
class LabelContent:
    """What a label says, independent of who made it and when."""

    layer: str
    label: str
    span_start: int | None = None
    span_end: int | None = None
    target: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, row: Annotation) -> LabelContent:
        """The content of a stored revision."""
        return cls(
            layer=row.layer,
            label=row.label,
            span_start=row.span_start,
            span_end=row.span_end,
            target=row.target,
            attributes=dict(row.attributes or {}),
        )

    def with_changes(self, **changes: Any) -> LabelContent:
        """A copy with some fields changed."""
        return replace(self, **changes)


def add_label(
    session: Session,
    *,
    passage_id: int,
    annotator_id: int,
    codebook_version_id: int,
    content: LabelContent,
    origin: str = "manual",
    needs_review: bool = False,
) -> Annotation:
    """Insert a new label and return its row (flushed, so it has an id)."""
    row = _row(passage_id, annotator_id, codebook_version_id, content, origin, needs_review)
    session.add(row)
    session.flush()
    return row


def revise_label(
    session: Session,
    *,
    revision: Annotation,
    annotator_id: int,
    codebook_version_id: int,
    content: LabelContent,
    origin: str | None = None,
    needs_review: bool = False,
) -> Annotation:
    """Insert a revision that replaces `revision` with `content` (also restores a tombstone)."""
    row = _row(
        revision.passage_id,
        annotator_id,
        codebook_version_id,
        content,
        origin or revision.origin,
        needs_review,
    )
    row.supersedes_id = revision.id
    return _insert_superseding(session, row)


def delete_label(session: Session, *, revision: Annotation, annotator_id: int, codebook_version_id: int) -> Annotation:
    """Insert a tombstone that replaces `revision`; the old row stays in history."""
    row = _row(
        revision.passage_id,
        annotator_id,
        codebook_version_id,
        LabelContent.of(revision),
        revision.origin,
        False,
    )
    row.supersedes_id = revision.id
    row.deleted = True
    return _insert_superseding(session, row)


def _insert_superseding(session: Session, row: Annotation) -> Annotation:
    """Insert `row`; the unique `supersedes_id` makes a second replacement of one revision fail."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise StaleRevisionError(
            f"label revision {row.supersedes_id} was already changed elsewhere; reload the passage"
        ) from None
    return row


def _row(
    passage_id: int,
    annotator_id: int,
    codebook_version_id: int,
    content: LabelContent,
    origin: str,
    needs_review: bool,
) -> Annotation:
    return Annotation(
        passage_id=passage_id,
        annotator_id=annotator_id,
        codebook_version_id=codebook_version_id,
        layer=content.layer,
        label=content.label,
        span_start=content.span_start,
        span_end=content.span_end,
        target=content.target,
        attributes=dict(content.attributes),
        origin=origin,
        needs_review=needs_review,
        deleted=False,
    )


def current_labels_query(
    *,
    annotator_ids: Iterable[int] | None = None,
    passage_ids: Iterable[int] | None = None,
    layer: str | None = None,
    as_of: int | None = None,
) -> Select[Annotation]:
    """Select the current label rows, optionally as they stood at revision id `as_of`.

    SQLAlchemy 2.1 types a select by its columns (`Select[*Ts]`), so one entity is `Select[Annotation]`.
    """
    newer = aliased(Annotation)
    superseded = select(newer.id).where(newer.supersedes_id == Annotation.id)
    if as_of is not None:
        superseded = superseded.where(newer.id <= as_of)
    query = select(Annotation).where(~exists(superseded), Annotation.deleted.is_(False))
    if as_of is not None:
        query = query.where(Annotation.id <= as_of)
    if annotator_ids is not None:
        query = query.where(Annotation.annotator_id.in_(list(annotator_ids)))
    if passage_ids is not None:
        query = query.where(Annotation.passage_id.in_(list(passage_ids)))
    if layer is not None:
        query = query.where(Annotation.layer == layer)
    return query.order_by(Annotation.passage_id, Annotation.id)


def current_labels(session: Session, *, annotator_id: int, passage_id: int) -> list[Annotation]:
    """One annotator's current labels on one passage, oldest first."""
    parameters = {"annotator_id": annotator_id, "passage_id": passage_id}
    return list(session.scalars(_one_writer_on_one_passage(), parameters))


@cache
def _one_writer_on_one_passage() -> Select[Annotation]:
    """`current_labels`' query, built once (building it costs more than running it): the
    labelling screen runs it on every key press."""
    newer = aliased(Annotation)
    superseded = select(newer.id).where(newer.supersedes_id == Annotation.id)
    return (
        select(Annotation)
        .where(
            ~exists(superseded),
            Annotation.deleted.is_(False),
            Annotation.annotator_id == bindparam("annotator_id"),
            Annotation.passage_id == bindparam("passage_id"),
        )
        .order_by(Annotation.id)
    )


def passage_history(session: Session, passage_id: int) -> list[Annotation]:
    """Every revision ever written on a passage, in the order written."""
    query = select(Annotation).where(Annotation.passage_id == passage_id).order_by(Annotation.id)
    return list(session.scalars(query))


__all__ = [
    "LabelContent",
    "StaleRevisionError",
    "add_label",
    "revise_label",
    "delete_label",
    "current_labels_query",
    "current_labels",
    "passage_history",
]
