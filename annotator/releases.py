"""Releases: named, frozen snapshot points of the corpus, and what changed between two of them.

A release stores a watermark, the highest label revision id committed when it was made, and
the active codebook version. The labels of a release are the current labels as of that
watermark (`current_labels_query(as_of=...)`): later labelling never changes them.

Diffs match labels by lineage: a label and every revision that replaced it (through
`supersedes_id`) are one lineage. A lineage current in the new snapshot only is "added", in the
old one only "removed", in both with different content "changed" (label, span, target or
attributes). Re-creating a label after deleting it starts a new lineage (removed + added).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Engine, Row, Select, func, select, text
from sqlalchemy.orm import Session, aliased

from annotator.codebook.store import active_codebook
from annotator.db.engine import read_session, write_session
from annotator.db.models import Annotation, Release
from annotator.errors import AnnotatorError
from annotator.export.pseudonyms import pseudonyms
from annotator.labels import current_labels_query

TAG_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
LICENSE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]{0,99}")
"""A Hub licence id (`cc-by-4.0`, `apache-2.0`, `other`, `unknown`)."""
EXAMPLES_PER_KIND = 3
CHANGE_KINDS = ("added", "removed", "changed")


def create_release(
    engine: Engine, tag: str, note: str | None = None, *, license: str | None = None, text_rights: str | None = None
) -> Release:
    """Freeze the labels committed so far under `tag`, published under `license` (None: the
    active codebook's `license`, if it has one) with the statement `text_rights` on the texts.

    On PostgreSQL the transaction first takes `LOCK TABLE annotations IN EXCLUSIVE MODE`, which
    waits for label writers in flight, so no revision below the watermark can commit later.
    On SQLite the write session's `BEGIN IMMEDIATE` already serialises writers. Either way two
    releases are never made at once, so the tag check below cannot race.
    """
    if not TAG_PATTERN.fullmatch(tag):
        raise AnnotatorError(f"bad release tag {tag!r}: use letters, digits, '.', '_' and '-' (at most 100)")
    if license is not None and not LICENSE_PATTERN.fullmatch(license):
        raise AnnotatorError(f"bad licence {license!r}: use a Hub licence id such as cc-by-4.0, or unknown")
    with write_session(engine) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("LOCK TABLE annotations IN EXCLUSIVE MODE"))
        if session.scalar(select(Release.id).where(Release.tag == tag)) is not None:
            raise AnnotatorError(f"release {tag!r} already exists")
        codebook = active_codebook(session)
        release = Release(
            tag=tag,
            note=note,
            codebook_version_id=codebook.version_id,
            last_annotation_id=latest_revision(session),
            license=(license or codebook.codebook.license or "").lower() or None,
            text_rights=" ".join(text_rights.split()) if text_rights else None,
        )
        session.add(release)
        session.flush()
    return release


def latest_revision(session: Session) -> int:
    """The highest label revision id committed (0 when there is none)."""
    return session.execute(select(func.coalesce(func.max(Annotation.id), 0))).scalar_one()


def list_releases(engine: Engine) -> list[Release]:
    """Every release, oldest first."""
    with read_session(engine) as session:
        return list(session.scalars(select(Release).order_by(Release.id)))


def get_release(session: Session, tag: str) -> Release:
    """The release called `tag`, or a one-line error."""
    row = session.scalar(select(Release).where(Release.tag == tag))
    if row is None:
        raise AnnotatorError(f"unknown release {tag!r} (see `annotator release list`)")
    return row


def release_before(session: Session, release: Release | None) -> Release | None:
    """The release made just before `release` (with None: the newest release), if any."""
    query = select(Release).order_by(Release.id.desc()).limit(1)
    if release is not None:
        query = query.where(Release.id < release.id)
    return session.scalar(query)


@dataclass
class LayerChanges:
    """Label lineages of one layer added, removed and changed between two snapshots."""

    layer: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANGE_KINDS, 0))
    unchanged: int = 0
    examples: dict[str, list[str]] = field(default_factory=lambda: {kind: [] for kind in CHANGE_KINDS})


@dataclass(frozen=True)
class SnapshotDiff:
    """What changed between the labels as of `old_watermark` and as of `new_watermark`."""

    old_watermark: int
    new_watermark: int
    layers: list[LayerChanges]


def diff_releases(engine: Engine, old_tag: str, new_tag: str) -> SnapshotDiff:
    """Per layer, label lineages added, removed and changed from release `old_tag` to `new_tag`."""
    with read_session(engine) as session:
        old = get_release(session, old_tag)
        new = get_release(session, new_tag)
        return diff_snapshots(session, old.last_annotation_id, new.last_annotation_id)


def diff_snapshots(session: Session, old_watermark: int, new_watermark: int) -> SnapshotDiff:
    """Compare the current labels as of two watermarks, lineage by lineage.

    Only revisions between the two watermarks can make a difference, so only they (and the
    labels they replaced) are read row by row; the untouched labels are counted in SQL.
    """
    low, high = sorted((old_watermark, new_watermark))
    forward = old_watermark <= new_watermark
    parent = dict(
        session.execute(
            select(Annotation.id, Annotation.supersedes_id).where(
                Annotation.id > low, Annotation.id <= high, Annotation.supersedes_id.is_not(None)
            )
        ).all()
    )
    at_low = {row.id: row for row in session.execute(_replaced_between(low, high))}
    pairs: list[tuple[Row | None, Row | None]] = []
    for row in session.execute(_label_columns(current_labels_query(as_of=high).where(Annotation.id > low))):
        anchor = row.id
        while anchor > low and anchor in parent:
            anchor = parent[anchor]
        pairs.append((at_low.pop(anchor, None), row))
    pairs += [(row, None) for row in at_low.values()]
    layers: dict[str, LayerChanges] = {}
    unchanged = current_labels_query(as_of=high).where(Annotation.id <= low)
    for layer, count in session.execute(
        unchanged.with_only_columns(Annotation.layer, func.count()).group_by(Annotation.layer).order_by(None)
    ):
        layers[layer] = LayerChanges(layer, unchanged=count)
    names = pseudonyms(session)
    for low_row, high_row in sorted(pairs, key=lambda pair: _order(*pair)):
        before, after = (low_row, high_row) if forward else (high_row, low_row)
        shown = after or before  # a pair always holds at least one label
        if shown is None:
            continue
        changes = layers.setdefault(shown.layer, LayerChanges(shown.layer))
        if before is None:
            kind, example = "added", _describe(shown)
        elif after is None:
            kind, example = "removed", _describe(shown)
        elif _content(before) != _content(after):
            kind, example = "changed", f"{_describe(before)} -> {_describe(after)}"
        else:
            changes.unchanged += 1
            continue
        changes.counts[kind] += 1
        if len(changes.examples[kind]) < EXAMPLES_PER_KIND:
            who = names.get(shown.annotator_id, f"annotator #{shown.annotator_id}")
            changes.examples[kind].append(f"passage {shown.passage_id}, {who}: {example}")
    return SnapshotDiff(old_watermark, new_watermark, [layers[key] for key in sorted(layers)])


def _label_columns(query: Select) -> Select:
    return query.with_only_columns(
        Annotation.id,
        Annotation.passage_id,
        Annotation.annotator_id,
        Annotation.layer,
        Annotation.label,
        Annotation.span_start,
        Annotation.span_end,
        Annotation.target,
        Annotation.attributes,
    )


def _replaced_between(low: int, high: int) -> Select:
    """Labels current as of `low` that a revision after `low` (up to `high`) replaced or deleted."""
    newer = aliased(Annotation)
    return _label_columns(
        select(Annotation)
        .join(newer, newer.supersedes_id == Annotation.id)
        .where(newer.id > low, newer.id <= high, Annotation.id <= low, Annotation.deleted.is_(False))
    )


def _order(low_row: Row | None, high_row: Row | None) -> tuple[int, int]:
    row = low_row or high_row
    if row is None:
        raise ValueError("a label pair holds at least one label")
    return (row.passage_id, row.id)


def _content(row: Row) -> tuple:
    return (row.label, row.span_start, row.span_end, row.target, row.attributes or {})


def _describe(row: Row) -> str:
    parts = [row.label]
    if row.span_start is not None:
        parts.append(f"[{row.span_start}-{row.span_end}]")
    if row.target is not None:
        parts.append(f"target={row.target!r}")
    parts += [f"{key}={value}" for key, value in sorted((row.attributes or {}).items())]
    return " ".join(parts)
