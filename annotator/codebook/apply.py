"""Change a project's codebook: show the difference, then migrate labels already made.

Merged labels get new revisions with the surviving label (a tombstone instead where the same
coder already has that label in the same place, so nobody ends up with it twice); labels of a
split label get a revision flagged for review (never reassigned); retired labels stay as they
are, readable in history and in exports of older releases. No row is deleted. Migration
revisions have origin "codebook_migration", except that adjudicated labels stay adjudicated.
Every migrated label passes the core rule check under the new codebook (`annotator.core.rules`);
if one would break a rule, nothing is applied and the error names the label and the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from annotator.codebook.diff import CodebookDiff, Merge, diff_codebooks
from annotator.codebook.loader import load_codebook
from annotator.codebook.model import Codebook
from annotator.codebook.store import load_active_codebook, store_codebook
from annotator.core.enums import Origin
from annotator.core.passages import held_labels, passage_text
from annotator.core.rules import RuleViolation, check_label
from annotator.db.engine import read_session, write_session
from annotator.db.models import Annotation
from annotator.errors import AnnotatorError
from annotator.labels import LabelContent, current_labels_query, delete_label, revise_label

ADJUDICATION = Origin.ADJUDICATION
MIGRATION = Origin.CODEBOOK_MIGRATION


@dataclass(frozen=True)
class CodebookChange:
    """The planned (or applied) change, with the lines to show the user."""

    diff: CodebookDiff
    lines: list[str]
    merged_labels: int = 0
    flagged_labels: int = 0
    version_id: int | None = None


def label_usage(engine: Engine) -> dict[tuple[str, str], int]:
    """How many current labels use each (layer, label), over all annotators."""
    current = current_labels_query().subquery()
    with read_session(engine) as session:
        rows = session.execute(
            select(current.c.layer, current.c.label, func.count()).group_by(current.c.layer, current.c.label)
        )
        return {(layer, label): count for layer, label, count in rows}


def apply_codebook(engine: Engine, path: Path, *, dry_run: bool = False, note: str | None = None) -> CodebookChange:
    """Compare the codebook at `path` with the active one and, unless `dry_run`, apply it."""
    new = load_codebook(path)
    active = load_active_codebook(engine)
    diff = diff_codebooks(active.codebook, new)
    lines = diff.lines(label_usage(engine))
    if dry_run or (diff.is_empty and new.content_hash() == active.codebook.content_hash()):
        return CodebookChange(diff, lines)
    merged = flagged = 0
    with write_session(engine) as session:
        version = store_codebook(session, new, path.read_text(encoding="utf-8"), note)
        for layer_diff in diff.layers:
            for merge in layer_diff.merged:
                merged += _merge(session, new, layer_diff.layer, merge, version.id)
            for split in layer_diff.split:
                for row in _current(session, layer_diff.layer, (split.source,)):
                    _migrate(session, new, row, version.id, LabelContent.of(row), needs_review=True)
                    flagged += 1
    return CodebookChange(diff, lines, merged, flagged, version.id)


def _merge(session: Session, codebook: Codebook, layer: str, merge: Merge, version_id: int) -> int:
    """Move the current labels of `merge.sources` to `merge.into`; returns how many moved."""
    rows = _current(session, layer, (*merge.sources, merge.into))
    held = {_place(row) for row in rows if row.label == merge.into}
    moved = 0
    for row in rows:
        if row.label == merge.into:
            continue
        place = _place(row)
        if place in held:
            delete_label(session, revision=row, annotator_id=row.annotator_id, codebook_version_id=version_id)
        else:
            held.add(place)
            _migrate(session, codebook, row, version_id, LabelContent.of(row).with_changes(label=merge.into))
        moved += 1
    return moved


def _place(row: Annotation) -> tuple:
    """Where a label is, for one label id: the same place twice is the same label twice (the
    coder, adjudications apart, the passage, span and target; attributes aside, as in the UI,
    where a label's key toggles it)."""
    return row.annotator_id, row.origin == ADJUDICATION, row.passage_id, row.span_start, row.span_end, row.target


def _current(session: Session, layer: str, labels: tuple[str, ...]) -> list[Annotation]:
    query = current_labels_query(layer=layer).where(Annotation.label.in_(labels))
    return list(session.scalars(query))


def _migrate(
    session: Session,
    codebook: Codebook,
    row: Annotation,
    version_id: int,
    content: LabelContent,
    needs_review: bool = False,
) -> None:
    """A revision by the label's own annotator, marked as made by the codebook migration (an
    adjudicated label keeps its origin: it is still the gold label)."""
    _check_migrated(session, codebook, row, content)
    revise_label(
        session,
        revision=row,
        annotator_id=row.annotator_id,
        codebook_version_id=version_id,
        content=content,
        origin=ADJUDICATION if row.origin == ADJUDICATION else MIGRATION,
        needs_review=needs_review,
    )


def _check_migrated(session: Session, codebook: Codebook, row: Annotation, content: LabelContent) -> None:
    """The core rule check of a migrated label against its writer's other labels there."""
    gold = row.origin == ADJUDICATION
    passage = passage_text(session, row.passage_id)
    held = held_labels(session, row.annotator_id, row.passage_id, gold=gold)
    targets = set()
    if gold:  # gold stance may target any annotator's span, as in adjudication
        everyone = session.scalars(current_labels_query(passage_ids=[row.passage_id]))
        targets = {
            passage.slice(other.span_start, other.span_end)
            for other in everyone
            if other.span_start is not None and other.span_end is not None  # set together (check constraint)
        }
    try:
        check_label(codebook, passage, content, held=held, replacing=LabelContent.of(row), targets=targets)
    except RuleViolation as error:
        raise AnnotatorError(
            f"cannot apply the codebook: label revision {row.id} on passage {row.passage_id} would break a rule "
            f"({error}); nothing was changed"
        ) from None
