"""The fixed vocabularies of the schema, as `StrEnum`s: a member is equal to its stored text."""

from __future__ import annotations

from enum import StrEnum


class Origin(StrEnum):
    """Where a label revision came from."""

    MANUAL = "manual"
    SUGGESTION = "suggestion"
    IMPORT = "import"
    CODEBOOK_MIGRATION = "codebook_migration"
    ADJUDICATION = "adjudication"


class WorkStatus(StrEnum):
    """An annotator's progress on one passage of their queue."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"
    FLAGGED = "flagged"


FINISHED_STATUSES: tuple[WorkStatus, ...] = (WorkStatus.DONE, WorkStatus.FLAGGED)
"""Statuses that count as an answer: the annotator looked at the whole passage."""


class AdjudicationMethod(StrEnum):
    """How a lead decided a layer of a passage."""

    ANNOTATOR = "annotator"
    MAJORITY = "majority"
    EDIT = "edit"
    """The lead's own gold labels: a pick among the annotators' labels, or labels they added,
    re-spanned, relabelled or deleted in the review screen."""
    UNANIMOUS = "unanimous"
    """Every finished annotator gave the same labels (`annotator review --accept-unanimous`)."""
