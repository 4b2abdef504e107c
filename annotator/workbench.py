"""What one annotator does to the database while labelling: the core under the UI.

The Textual app calls these methods (from worker threads where they may be slow); so do the
concurrency tests. Every label action commits at once. An annotator only ever reads their
own labels here: nothing in this module selects another person's rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select
from sqlalchemy.orm import Session

from annotator.assignment import ClaimLostError, check_claim, in_queue, load_mode
from annotator.assignment import claim_next as claim_passage
from annotator.codebook.store import ActiveCodebook
from annotator.core.enums import Origin, WorkStatus
from annotator.core.passages import held_labels, passage_text
from annotator.core.rules import PassageText, check_label, check_removal
from annotator.db.engine import read_session, write_session
from annotator.db.models import WORK_STATUSES, Annotation, Article, Assignment, Passage, utcnow
from annotator.errors import AnnotatorError
from annotator.labels import (
    LabelContent,
    add_label,
    current_labels,
    delete_label,
    revise_label,
)


@dataclass(frozen=True)
class QueueItem:
    """One row of the queue screen."""

    passage_id: int
    article_title: str
    index: int
    status: str
    preview: str


@dataclass(frozen=True)
class PassageData:
    """Everything the annotate screen shows for one passage, read in one go."""

    passage_id: int
    article_id: int
    article_title: str
    source: str | None
    published: date | None
    index: int
    start: int
    end: int
    text: str
    previous_text: str | None
    next_text: str | None
    status: str
    note: str | None
    comment: str | None
    labels: tuple[Annotation, ...]
    article_done: int
    article_total: int
    rejected_suggestions: tuple[tuple, ...] = ()
    removed_spans: frozenset[tuple[str, int, int]] = frozenset()
    """(layer, start, end) in article offsets of span labels this annotator had on the
    passage and no longer has (deleted, undone, moved): not suggested again."""

    @property
    def window(self) -> PassageText:
        """The passage's text and offsets, to convert label offsets for display."""
        return PassageText(self.passage_id, self.start, self.end, self.text)

    def local_span(self, row: Annotation) -> tuple[int, int] | None:
        """A span label's offsets in the passage text (None for a passage label)."""
        if row.span_start is None or row.span_end is None:
            return None
        return self.window.local(row.span_start, row.span_end)

    def surface(self, row: Annotation) -> str:
        """The text a span label covers ("" for a passage label)."""
        if row.span_start is None or row.span_end is None:
            return ""
        return self.window.slice(row.span_start, row.span_end)


@dataclass
class _Change:
    """One undoable step: the lineage head now (None: nothing written yet, for a refused
    add), and the content to put back (None: none)."""

    head_id: int | None
    passage_id: int
    restore: LabelContent | None
    current: LabelContent | None


@dataclass
class Workbench:
    """One annotator's session against the database, with its undo and redo stacks."""

    engine: Engine
    annotator_id: int
    active: ActiveCodebook
    _undo: list[_Change] = field(default_factory=list)
    _redo: list[_Change] = field(default_factory=list)
    _refused: list[_Change] = field(default_factory=list)
    _replaced_by: dict[int, int] = field(default_factory=dict)
    _texts: dict[int, PassageText] = field(default_factory=dict)

    # -- queue -------------------------------------------------------------------------

    def _queue_query(self, session: Session, columns: Sequence, status: str | None):
        """This annotator's queue: every annotatable passage, or once the project assigns
        work (`annotator assign`), only the passages assigned to or claimed by them."""
        mode = load_mode(session)
        own = and_(Assignment.passage_id == Passage.id, Assignment.annotator_id == self.annotator_id)
        query = select(*columns).select_from(Passage)
        if mode.assigned:
            query = query.join(Assignment, own).where(in_queue(Assignment, mode))
        else:
            query = query.outerjoin(Assignment, own)
        query = query.where(Passage.annotatable.is_(True))
        if status == WorkStatus.TODO:
            query = query.where(or_(Assignment.id.is_(None), Assignment.status == WorkStatus.TODO))
        elif status is not None:
            query = query.where(Assignment.status == status)
        return query

    def queue_counts(self) -> dict[str, int]:
        """How many passages of the queue are in each status, plus `total`."""
        with read_session(self.engine) as session:
            query = self._queue_query(session, [Assignment.status, func.count(Passage.id)], None)
            rows = session.execute(query.group_by(Assignment.status)).all()
        counts = dict.fromkeys(WORK_STATUSES, 0)
        for status, count in rows:
            counts[status or WorkStatus.TODO] += count
        counts["total"] = sum(counts.values())
        return counts

    def queue_page(self, status: str | None = None, offset: int = 0, limit: int = 200) -> list[QueueItem]:
        """A page of the queue in reading order, optionally only one status."""
        columns = (
            Passage.id,
            Article.title,
            Passage.index,
            func.coalesce(Assignment.status, WorkStatus.TODO),
            func.substr(Article.text, Passage.start + 1, 80),
        )
        with read_session(self.engine) as session:
            query = (
                self._queue_query(session, columns, status)
                .join(Article, Article.id == Passage.article_id)
                .order_by(Passage.id)
                .offset(offset)
                .limit(limit)
            )
            rows = session.execute(query).all()
        return [
            QueueItem(pid, title or "(untitled)", index, item_status, " ".join(preview.split()))
            for pid, title, index, item_status, preview in rows
        ]

    def resume_passage(self) -> int | None:
        """Where to pick up: the last passage in progress, else the first still to do (in
        dynamic mode, else a newly claimed one)."""
        with read_session(self.engine) as session:
            in_progress = session.scalar(
                self._queue_query(session, [Passage.id], WorkStatus.IN_PROGRESS)
                .order_by(Assignment.updated_at.desc())
                .limit(1)
            )
            if in_progress is not None:
                return in_progress
            todo = session.scalar(
                self._queue_query(session, [Passage.id], WorkStatus.TODO).order_by(Passage.id).limit(1)
            )
        return todo if todo is not None else self.claim_next()

    def neighbour(self, passage_id: int, step: int) -> int | None:
        """The next (`step` 1) or previous (`step` -1) passage of the queue, or None at an end.

        In dynamic mode, forward is the next passage to work on: an open one of theirs, else
        a new claim (None while the current passage is the only open one they hold).
        """
        with read_session(self.engine) as session:
            if step < 0 or load_mode(session).kind != "dynamic":
                query = self._queue_query(session, [Passage.id], None)
                if step > 0:
                    query = query.where(Passage.id > passage_id).order_by(Passage.id)
                else:
                    query = query.where(Passage.id < passage_id).order_by(Passage.id.desc())
                return session.scalar(query.limit(1))
        claimed = self.claim_next()
        return claimed if claimed != passage_id else None

    def next_unfinished(self, passage_id: int) -> int | None:
        """Where to go after finishing a passage: the next one of the queue still to do or in
        progress, wrapping round to the start; None when every one is finished or skipped.
        In dynamic mode: the next claim, as `neighbour`."""
        with read_session(self.engine) as session:
            if load_mode(session).kind != "dynamic":
                open_statuses = or_(
                    Assignment.id.is_(None), Assignment.status.in_([WorkStatus.TODO, WorkStatus.IN_PROGRESS])
                )
                query = self._queue_query(session, [Passage.id], None).where(open_statuses, Passage.id != passage_id)
                after = session.scalar(query.where(Passage.id > passage_id).order_by(Passage.id).limit(1))
                return after if after is not None else session.scalar(query.order_by(Passage.id).limit(1))
        return self.neighbour(passage_id, 1)

    def claim_next(self) -> int | None:
        """In dynamic mode, the passage this annotator should do next, claimed for them (their
        open one if they hold one); None when nothing is left or the project is not dynamic."""
        return claim_passage(self.engine, self.annotator_id)

    # -- one passage ---------------------------------------------------------------------

    def load_passage(self, passage_id: int) -> PassageData:
        """The passage, its article's details and neighbours, and this annotator's labels on it."""
        with read_session(self.engine) as session:
            passage = session.get(Passage, passage_id)
            if passage is None or not passage.annotatable:
                raise AnnotatorError(f"passage {passage_id} does not exist or is not annotatable")
            article = session.get_one(Article, passage.article_id)
            previous, following = (
                session.scalar(
                    select(Passage).where(Passage.article_id == article.id, Passage.index == passage.index + step)
                )
                for step in (-1, 1)
            )
            article_total, article_done = session.execute(
                select(func.count(Passage.id), func.count(Assignment.id))
                .select_from(Passage)
                .outerjoin(
                    Assignment,
                    and_(
                        Assignment.passage_id == Passage.id,
                        Assignment.annotator_id == self.annotator_id,
                        Assignment.status == WorkStatus.DONE,
                    ),
                )
                .where(Passage.article_id == article.id, Passage.annotatable.is_(True))
            ).one()
            work = self._work_on(session, passage_id)
        text = article.text
        return PassageData(
            passage_id=passage.id,
            article_id=article.id,
            article_title=article.title or "(untitled)",
            source=article.source,
            published=article.published,
            index=passage.index,
            start=passage.start,
            end=passage.end,
            text=text[passage.start : passage.end],
            previous_text=text[previous.start : previous.end] if previous else None,
            next_text=text[following.start : following.end] if following else None,
            article_done=article_done,
            article_total=article_total,
            **work,
        )

    def reload_work(self, data: PassageData) -> PassageData:
        """`data` with this annotator's labels, status, note and comment read again: what a
        label write can change (the text, the article and its counts stay as they were)."""
        with read_session(self.engine) as session:
            return replace(data, **self._work_on(session, data.passage_id))

    def _work_on(self, session: Session, passage_id: int) -> dict[str, Any]:
        """The `PassageData` fields of this annotator's own work on a passage."""
        assignment = self._assignment(session, passage_id)
        labels = tuple(
            row
            for row in current_labels(session, annotator_id=self.annotator_id, passage_id=passage_id)
            if row.origin != Origin.ADJUDICATION  # a lead's gold decisions live in the review screen
        )
        ever = session.execute(
            select(Annotation.layer, Annotation.span_start, Annotation.span_end).where(
                Annotation.passage_id == passage_id,
                Annotation.annotator_id == self.annotator_id,
                Annotation.span_start.is_not(None),
                Annotation.origin != Origin.ADJUDICATION,
            )
        ).all()
        spans_had = {(layer, start, end) for layer, start, end in ever if start is not None and end is not None}
        return {
            "status": assignment.status if assignment else WorkStatus.TODO,
            "note": assignment.note if assignment else None,
            "comment": assignment.comment if assignment else None,
            "labels": labels,
            "rejected_suggestions": tuple(
                tuple(item) for item in (assignment.rejected_suggestions if assignment else [])
            ),
            "removed_spans": frozenset(spans_had - {(row.layer, row.span_start, row.span_end) for row in labels}),
        }

    def _assignment(self, session: Session, passage_id: int) -> Assignment | None:
        return session.scalar(
            select(Assignment).where(Assignment.passage_id == passage_id, Assignment.annotator_id == self.annotator_id)
        )

    def _work_row(self, session: Session, passage_id: int) -> Assignment:
        """This annotator's work row for the passage, created on first touch."""
        row = self._assignment(session, passage_id)
        if row is None:
            row = Assignment(
                passage_id=passage_id,
                annotator_id=self.annotator_id,
                status=WorkStatus.TODO,
                active_seconds=0.0,
                rejected_suggestions=[],
            )
            session.add(row)
        return row

    def _touch(self, session: Session, passage_id: int) -> None:
        """Mark a passage in progress when the first label goes on it."""
        row = self._work_row(session, passage_id)
        if row.status == WorkStatus.TODO:
            row.status = WorkStatus.IN_PROGRESS
        row.updated_at = utcnow()

    # -- labels ----------------------------------------------------------------------------

    def add(self, passage_id: int, content: LabelContent, origin: str = "manual") -> Annotation:
        """Add a label (committed on return); a `RuleViolation` if the codebook forbids it, a
        `ClaimLostError` if a lapsed claim on the passage was taken over."""
        with self._kept_if_refused(_Change(None, passage_id, restore=content, current=None)):
            return self._add(passage_id, content, origin)

    def _add(self, passage_id: int, content: LabelContent, origin: str) -> Annotation:
        with write_session(self.engine) as session:
            check_claim(session, self.annotator_id, passage_id)
            passage = self._passage_text(session, passage_id)
            held = held_labels(session, self.annotator_id, passage_id)
            check_label(self.active.codebook, passage, content, held=held)
            row = add_label(
                session,
                passage_id=passage_id,
                annotator_id=self.annotator_id,
                codebook_version_id=self.active.version_id,
                content=content,
                origin=origin,
            )
            self._touch(session, passage_id)
        self._remember(_Change(row.id, passage_id, restore=None, current=content))
        return row

    def edit(self, revision: Annotation, content: LabelContent) -> Annotation:
        """Replace one of this annotator's labels with new content (committed on return)."""
        self._check_own(revision)
        with self._kept_if_refused(_Change(revision.id, revision.passage_id, content, LabelContent.of(revision))):
            return self._edit(revision, content)

    def _edit(self, revision: Annotation, content: LabelContent) -> Annotation:
        with write_session(self.engine) as session:
            old = LabelContent.of(revision)
            self._check_replacement(session, revision.passage_id, old, content)
            row = revise_label(
                session,
                revision=revision,
                annotator_id=self.annotator_id,
                codebook_version_id=self.active.version_id,
                content=content,
            )
            self._touch(session, revision.passage_id)
        self._remember(_Change(row.id, revision.passage_id, old, content), revision.id)
        return row

    def delete(self, revision: Annotation) -> Annotation:
        """Delete one of this annotator's labels: a tombstone revision (committed on return)."""
        self._check_own(revision)
        with self._kept_if_refused(_Change(revision.id, revision.passage_id, None, LabelContent.of(revision))):
            return self._delete(revision)

    def _delete(self, revision: Annotation) -> Annotation:
        with write_session(self.engine) as session:
            self._check_replacement(session, revision.passage_id, LabelContent.of(revision), None)
            row = delete_label(
                session,
                revision=revision,
                annotator_id=self.annotator_id,
                codebook_version_id=self.active.version_id,
            )
            self._touch(session, revision.passage_id)
        self._remember(_Change(row.id, revision.passage_id, LabelContent.of(revision), None), revision.id)
        return row

    def _check_replacement(
        self, session: Session, passage_id: int, old: LabelContent | None, new: LabelContent | None
    ) -> None:
        """The claim and rule checks for replacing `old` with `new` (None: nothing) on a passage."""
        check_claim(session, self.annotator_id, passage_id)
        passage = self._passage_text(session, passage_id)
        held = held_labels(session, self.annotator_id, passage_id)
        if new is not None:
            check_label(self.active.codebook, passage, new, held=held, replacing=old)
        moved = old is not None and (new is None or (new.span_start, new.span_end) != (old.span_start, old.span_end))
        if moved and old is not None:
            remaining = [row for row in held if row != old] + ([new] if new is not None else [])
            check_removal(self.active.codebook, passage, old, remaining)

    def _passage_text(self, session: Session, passage_id: int) -> PassageText:
        """The passage's text and offsets, read once per session (articles never change)."""
        if passage_id not in self._texts:
            self._texts[passage_id] = passage_text(session, passage_id)
        return self._texts[passage_id]

    def _check_own(self, revision: Annotation) -> None:
        if revision.annotator_id != self.annotator_id:
            raise AnnotatorError("you can only change your own labels")

    def _remember(self, change: _Change, replaced: int | None = None) -> None:
        if replaced is not None and change.head_id is not None:
            self._follow(replaced, change.head_id)
        self._undo.append(change)
        self._redo.clear()

    @contextmanager
    def _kept_if_refused(self, change: _Change) -> Iterator[None]:
        """Keep a write refused because the passage's claim was taken over, so `redo` can
        write it later (once the passage is the annotator's again): nothing typed is lost."""
        try:
            yield
        except ClaimLostError:
            self._refused.append(change)
            raise

    @property
    def refused_count(self) -> int:
        """How many refused writes (claim taken over) `redo` can still try again."""
        return len(self._refused)

    def head_id(self, revision_id: int) -> int:
        """The newest revision this session wrote in the lineage of `revision_id`."""
        while revision_id in self._replaced_by:
            revision_id = self._replaced_by[revision_id]
        return revision_id

    def current_revision(self, revision_id: int) -> Annotation | None:
        """This annotator's label as it is now, following this session's edits of
        `revision_id`; None when it was deleted or replaced elsewhere."""
        with read_session(self.engine) as session:
            row = session.get(Annotation, self.head_id(revision_id))
            if row is None or row.deleted or row.annotator_id != self.annotator_id:
                return None
            newer = session.scalar(select(Annotation.id).where(Annotation.supersedes_id == row.id))
            return None if newer is not None else row

    def current_labels(self, passage_id: int) -> list[Annotation]:
        """This annotator's own current labels on a passage, read now (gold excluded)."""
        with read_session(self.engine) as session:
            rows = current_labels(session, annotator_id=self.annotator_id, passage_id=passage_id)
        return [row for row in rows if row.origin != Origin.ADJUDICATION]

    def _follow(self, replaced: int, head: int) -> None:
        """Older steps on the same label now start from its newest revision."""
        self._replaced_by[replaced] = head
        for change in (*self._undo, *self._redo, *self._refused):
            if change.head_id == replaced:
                change.head_id = head

    @property
    def can_undo(self) -> bool:
        """Whether there is a label action to undo in this session."""
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        """Whether there is an undone label action to redo."""
        return bool(self._redo)

    def undo(self) -> int | None:
        """Undo the last label action by writing a revision; returns its passage id."""
        return self._replay(self._undo, self._redo)

    def redo(self) -> int | None:
        """Redo the last undone label action by writing a revision; returns its passage id.
        With nothing undone, try again the newest write refused on a lost claim."""
        if not self._redo and self._refused:
            return self._replay(self._refused, self._undo)
        return self._replay(self._redo, self._undo)

    def _replay(self, source: list[_Change], target: list[_Change]) -> int | None:
        if not source:
            return None
        change = source.pop()
        with write_session(self.engine) as session:
            head = None if change.head_id is None else session.get_one(Annotation, change.head_id)
            now = None if head is None or head.deleted else LabelContent.of(head)
            try:
                self._check_replacement(session, change.passage_id, now, change.restore)
            except AnnotatorError:
                source.append(change)
                raise
            if head is None:
                assert change.restore is not None  # a refused add is the only change without a head
                row = add_label(
                    session,
                    passage_id=change.passage_id,
                    annotator_id=self.annotator_id,
                    codebook_version_id=self.active.version_id,
                    content=change.restore,
                )
                self._touch(session, change.passage_id)
            elif change.restore is None:
                row = delete_label(
                    session,
                    revision=head,
                    annotator_id=self.annotator_id,
                    codebook_version_id=self.active.version_id,
                )
            else:
                row = revise_label(
                    session,
                    revision=head,
                    annotator_id=self.annotator_id,
                    codebook_version_id=self.active.version_id,
                    content=change.restore,
                )
        if change.head_id is not None:
            self._follow(change.head_id, row.id)
        target.append(_Change(row.id, change.passage_id, restore=change.current, current=change.restore))
        return change.passage_id

    # -- passage status, notes, time -----------------------------------------------------------

    def set_status(self, passage_id: int, status: str, note: str | None = None) -> None:
        """Mark a passage done, skipped, flagged (with a note) or back to in progress."""
        if status not in WORK_STATUSES:
            raise AnnotatorError(f"unknown status {status!r}")
        with write_session(self.engine) as session:
            if status != WorkStatus.SKIPPED:
                check_claim(session, self.annotator_id, passage_id)
            row = self._work_row(session, passage_id)
            row.status = status
            if note is not None:
                row.note = note
            row.updated_at = utcnow()

    def set_comment(self, passage_id: int, comment: str) -> None:
        """Store a free-text comment on the passage (empty text removes it)."""
        with write_session(self.engine) as session:
            row = self._work_row(session, passage_id)
            row.comment = comment or None
            row.updated_at = utcnow()

    def add_active_time(self, passage_id: int, seconds: float) -> None:
        """Add active (not idle) seconds spent on a passage."""
        if seconds <= 0:
            return
        with write_session(self.engine) as session:
            row = self._work_row(session, passage_id)
            row.active_seconds = (row.active_seconds or 0.0) + seconds

    def reject_suggestion(self, passage_id: int, suggestion: tuple) -> None:
        """Remember that a suggestion was rejected on this passage, so it is not offered again."""
        with write_session(self.engine) as session:
            row = self._work_row(session, passage_id)
            row.rejected_suggestions = [*(row.rejected_suggestions or []), list(suggestion)]
