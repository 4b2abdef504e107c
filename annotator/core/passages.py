"""Read what the rule check needs about a passage inside a writer's transaction."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.core.enums import Origin
from annotator.core.rules import PassageText
from annotator.db.models import Article, Passage
from annotator.errors import AnnotatorError
from annotator.labels import LabelContent, current_labels


def passage_text(session: Session, passage_id: int) -> PassageText:
    """The passage's offsets and text; a one-line error if there is no such passage."""
    row = session.execute(
        select(
            Passage.id,
            Passage.start,
            Passage.end,
            func.substr(Article.text, Passage.start + 1, Passage.end - Passage.start),
        )
        .join(Article, Article.id == Passage.article_id)
        .where(Passage.id == passage_id)
    ).one_or_none()
    if row is None:
        raise AnnotatorError(f"passage {passage_id} does not exist")
    return PassageText(row[0], row[1], row[2], row[3])


def held_labels(session: Session, annotator_id: int, passage_id: int, *, gold: bool = False) -> list[LabelContent]:
    """One writer's current labels on a passage: their own (`gold` False) or their gold ones."""
    return [
        LabelContent.of(row)
        for row in current_labels(session, annotator_id=annotator_id, passage_id=passage_id)
        if (row.origin == Origin.ADJUDICATION) == gold
    ]
