"""SQLAlchemy models: the one place that describes the database schema.

Every table is created by an Alembic revision in `migrations/`; these classes are what those
revisions are checked against (`alembic check`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from annotator.core.enums import AdjudicationMethod, Origin, WorkStatus

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PASSAGE_KINDS = ("body", "heading", "title", "byline", "toc", "references", "boilerplate")
ANNOTATOR_ROLES = ("annotator", "lead")
WORK_STATUSES: tuple[str, ...] = tuple(status.value for status in WorkStatus)
LABEL_ORIGINS: tuple[str, ...] = tuple(origin.value for origin in Origin)
ADJUDICATION_METHODS: tuple[str, ...] = tuple(method.value for method in AdjudicationMethod)

# BIGINT on PostgreSQL, INTEGER (the rowid alias, so it autoincrements) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """The current time in UTC, as stored in every `created_at` column."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base whose metadata names every constraint predictably."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Article(Base):
    """One imported article; `text` is the decoded file exactly as imported (BOM dropped, newlines
    normalised; `source_gaps` says where the dropped characters were)."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(255), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    source_gaps: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")
    """Offsets in the original source (code points, BOM included) of the characters `text`
    dropped, sorted: a leading BOM and the \\r of each \\r\\n (see `annotator.core.source_map`)."""
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    origin: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    passages: Mapped[list[Passage]] = relationship(
        back_populates="article", order_by="Passage.index", cascade="all, delete-orphan"
    )


class Passage(Base):
    """A unit of annotation: code-point offsets `[start, end)` into its article's text."""

    __tablename__ = "passages"
    __table_args__ = (
        UniqueConstraint("article_id", "index", name="article_index"),
        CheckConstraint('start >= 0 AND start < "end"', name="offsets"),
        CheckConstraint("kind IN (" + ", ".join(f"'{kind}'" for kind in PASSAGE_KINDS) + ")", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    annotatable: Mapped[bool] = mapped_column(Boolean)

    article: Mapped[Article] = relationship(back_populates="passages")


class Annotator(Base):
    """A person who labels (role `annotator`) or also assigns and adjudicates (role `lead`)."""

    __tablename__ = "annotators"
    __table_args__ = (
        CheckConstraint("role IN (" + ", ".join(f"'{role}'" for role in ANNOTATOR_ROLES) + ")", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(16), default="annotator")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    db_role: Mapped[str | None] = mapped_column(String(63), index=True, unique=True)
    """The PostgreSQL login role this person connects as (`annotator db grant`), if any."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CodebookVersion(Base):
    """One applied codebook; the highest id is the active one. `content` is the YAML source.

    Re-applying an earlier codebook adds a new row with the same `sha256`.
    """

    __tablename__ = "codebook_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)


class Annotation(Base):
    """One immutable label revision; rows are only ever inserted.

    An edit or a delete inserts a new row whose `supersedes_id` points at the row it replaces
    (a delete is a row with `deleted` set). The current labels are the rows that nothing
    supersedes and that are not deletions. `supersedes_id` is unique, so two people can never
    both replace the same revision.
    """

    __tablename__ = "annotations"
    __table_args__ = (
        CheckConstraint(
            "(span_start IS NULL AND span_end IS NULL) OR "
            "(span_start IS NOT NULL AND span_end IS NOT NULL AND span_start < span_end)",
            name="span",
        ),
        CheckConstraint(
            "origin IN (" + ", ".join(f"'{origin}'" for origin in LABEL_ORIGINS) + ")",
            name="origin",
        ),
        Index("ix_annotations_passage_annotator", "passage_id", "annotator_id"),
        Index("ix_annotations_annotator_id", "annotator_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    passage_id: Mapped[int] = mapped_column(ForeignKey("passages.id", ondelete="RESTRICT"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="RESTRICT"))
    layer: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(128))
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    target: Mapped[str | None] = mapped_column(String(255))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    codebook_version_id: Mapped[int] = mapped_column(ForeignKey("codebook_versions.id"))
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("annotations.id", deferrable=True, initially="DEFERRED"), unique=True
    )
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str] = mapped_column(String(32), default="manual")
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Assignment(Base):
    """One passage in one annotator's queue, with their progress on it.

    Unlike labels, this row is updated in place: it is work state, not data. Rows made by
    `annotator assign` (or a dynamic claim) have `assigned_at`; a dynamic claim also has
    `claimed_at` and lapses when nobody works on it for the project's claim time.
    """

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("passage_id", "annotator_id", name="passage_annotator"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{status}'" for status in WORK_STATUSES) + ")",
            name="status",
        ),
        Index("ix_assignments_annotator_status", "annotator_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    passage_id: Mapped[int] = mapped_column(ForeignKey("passages.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="todo")
    note: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    active_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    rejected_suggestions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Setting(Base):
    """One project-wide setting (e.g. the assignment mode), as text."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Adjudication(Base):
    """One lead's decision on one layer of one passage: the provenance of its gold labels.

    Decisions are only inserted; the newest per (passage, layer) is the one in force.
    `dispute_key` lists the label ids the annotators disagreed on (sorted, `|`-joined),
    so later decisions on the same dispute can be shown as precedent.
    """

    __tablename__ = "adjudications"
    __table_args__ = (
        CheckConstraint(
            "method IN (" + ", ".join(f"'{method}'" for method in ADJUDICATION_METHODS) + ")",
            name="method",
        ),
        Index("ix_adjudications_passage_layer", "passage_id", "layer"),
        Index("ix_adjudications_layer_dispute", "layer", "dispute_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    passage_id: Mapped[int] = mapped_column(ForeignKey("passages.id", ondelete="RESTRICT"))
    layer: Mapped[str] = mapped_column(String(64))
    lead_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="RESTRICT"))
    method: Mapped[str] = mapped_column(String(16))
    chosen_annotator_id: Mapped[int | None] = mapped_column(ForeignKey("annotators.id", ondelete="RESTRICT"))
    rationale: Mapped[str | None] = mapped_column(Text)
    dispute_key: Mapped[str] = mapped_column(Text, default="")
    source_revision_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    gold_revision_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Release(Base):
    """A frozen snapshot point of the corpus: label revisions up to `last_annotation_id`."""

    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(String(100), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    codebook_version_id: Mapped[int] = mapped_column(ForeignKey("codebook_versions.id"))
    last_annotation_id: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    license: Mapped[str | None] = mapped_column(String(100))
    """The licence id the release is published under (the dataset card's `license`)."""
    text_rights: Mapped[str | None] = mapped_column(Text)
    """Who holds the rights in the texts, and on what terms they are shared."""
