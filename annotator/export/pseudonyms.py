"""Stable pseudonyms for annotators in exports and changelogs: no names leave the database."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.db.models import Annotator


def pseudonyms(session: Session) -> dict[int, str]:
    """`annotator_01`, `annotator_02`, ... by ascending annotator id, over everyone ever added.

    People are never deleted (only deactivated) and new ones get higher ids, so a person keeps
    the same pseudonym in every export of the project.
    """
    ids = session.scalars(select(Annotator.id).order_by(Annotator.id))
    return {annotator_id: f"annotator_{rank:02d}" for rank, annotator_id in enumerate(ids, start=1)}
