"""The people who label: add, list, deactivate, and look up by name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.db.models import ANNOTATOR_ROLES, Annotator
from annotator.errors import AnnotatorError


def add_annotator(session: Session, name: str, role: str = "annotator") -> Annotator:
    """Add a person, or reactivate one who was removed (their labels were kept)."""
    name = name.strip()
    if not name:
        raise AnnotatorError("annotator name must not be empty")
    if role not in ANNOTATOR_ROLES:
        raise AnnotatorError(f"unknown role {role!r} (choose from {', '.join(ANNOTATOR_ROLES)})")
    existing = session.scalar(select(Annotator).where(Annotator.name == name))
    if existing is not None:
        if existing.active and existing.role == role:
            raise AnnotatorError(f"annotator {name!r} already exists")
        existing.active = True
        existing.role = role
        return existing
    annotator = Annotator(name=name, role=role, active=True)
    session.add(annotator)
    session.flush()
    return annotator


def list_annotators(session: Session, include_removed: bool = False) -> list[Annotator]:
    """Everyone, by name; removed people only when asked."""
    query = select(Annotator).order_by(Annotator.name)
    if not include_removed:
        query = query.where(Annotator.active.is_(True))
    return list(session.scalars(query))


def remove_annotator(session: Session, name: str) -> Annotator:
    """Deactivate a person: they can no longer annotate, but their labels stay in history."""
    annotator = get_annotator(session, name)
    annotator.active = False
    return annotator


def get_annotator(session: Session, name: str, role: str | None = None) -> Annotator:
    """The active annotator called `name` (with `role` if given), or a one-line error."""
    annotator = session.scalar(select(Annotator).where(Annotator.name == name, Annotator.active.is_(True)))
    if annotator is None:
        raise AnnotatorError(f"unknown annotator {name!r}; a lead adds people with `annotator annotators add {name}`")
    if role is not None and annotator.role != role:
        raise AnnotatorError(f"{name!r} is not a {role}")
    return annotator
