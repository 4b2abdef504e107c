"""Read what an export needs from the database, a batch of articles at a time (Core selects).

The exported passages are the annotatable passages with at least one current label (of any
annotator, adjudications included) at the snapshot's watermark. Assignment status ("done")
is not used: it is mutable work state, so a release could not reproduce it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from annotator.codebook import Codebook
from annotator.codebook.store import active_codebook, parse_stored
from annotator.core.enums import FINISHED_STATUSES, Origin
from annotator.core.kinds import rules_of
from annotator.core.source_map import SourceMap
from annotator.db.models import Adjudication, Annotation, Article, Assignment, CodebookVersion, Passage, Release
from annotator.export.splits import ArticleStrata
from annotator.labels import current_labels_query
from annotator.releases import get_release, latest_revision, release_before

ADJUDICATION = Origin.ADJUDICATION


class LabelRow(NamedTuple):
    """One current label; offsets are into the article text."""

    id: int
    passage_id: int
    annotator_id: int
    layer: str
    label: str
    start: int | None
    end: int | None
    target: str | None
    attributes: dict[str, Any]
    """Shared between rows with the same attributes: never modify it."""
    origin: str


@dataclass(frozen=True)
class Snapshot:
    """The labels to export: current as of `watermark`, read with codebook version `codebook_version`."""

    watermark: int
    codebook_version: int
    codebook: Codebook
    release: Release | None
    """None: the current state, not a release."""
    previous: Release | None
    """The release to compare with in the changelog (the one before, or the newest)."""


@dataclass(frozen=True)
class PassageRecord:
    """An exported passage, with its article's metadata and its labels."""

    id: int
    article_id: int
    index: int
    start: int
    """The passage's start offset in the stored article text."""
    text: str
    article_ref: str
    source: str | None
    url: str | None
    published: date | None
    labels: list[LabelRow]
    finished: tuple[int, ...] = ()
    """Annotators who finished the passage (done or flagged): their empty layers are answers."""
    decided: tuple[str, ...] = ()
    """Layers a lead decided as of the snapshot, with or without gold labels."""
    title: str | None = None
    """The article's title."""
    source_map: SourceMap = field(default_factory=SourceMap)
    """Stored article offsets to offsets in the article's original source (shared by the article's passages)."""


def resolve_snapshot(session: Session, tag: str | None) -> Snapshot:
    """The release `tag`, or with None the labels committed so far under the active codebook."""
    if tag is not None:
        release = get_release(session, tag)
        watermark, version_id = release.last_annotation_id, release.codebook_version_id
    else:
        release = None
        watermark = latest_revision(session)
        version_id = active_codebook(session).version_id
    version = session.get_one(CodebookVersion, version_id)
    return Snapshot(watermark, version_id, parse_stored(version), release, release_before(session, release))


def article_strata(session: Session, watermark: int, codebook: Codebook | None) -> dict[int, ArticleStrata]:
    """Per article with exported passages, its passage count and its passages per label key.

    A passage has the key `layer:label` of every current label on it (any annotator's,
    adjudications included; labels the codebook does not know are left out), with a span
    label's category in place of the label where it has one (`layer:category`). With no
    codebook, the articles and their passage counts only.
    """
    current = current_labels_query(as_of=watermark).order_by(None).subquery()
    query = (
        select(Passage.article_id, current.c.passage_id, current.c.layer, current.c.label)
        .join(Passage, Passage.id == current.c.passage_id)
        .where(Passage.annotatable.is_(True))
        .group_by(Passage.article_id, current.c.passage_id, current.c.layer, current.c.label)
    )
    keys = _strata_keys(codebook)
    passages: dict[int, dict[int, set[str]]] = defaultdict(dict)
    for article_id, passage_id, layer, label in session.connection().execute(query):
        found = passages[article_id].setdefault(passage_id, set())
        if (layer, label) in keys:
            found.add(keys[(layer, label)])
    return {
        article_id: ArticleStrata(len(by_passage), Counter(key for found in by_passage.values() for key in found))
        for article_id, by_passage in passages.items()
    }


def _strata_keys(codebook: Codebook | None) -> dict[tuple[str, str], str]:
    """(layer, label) -> the label key splits are stratified on."""
    if codebook is None:
        return {}
    return {
        (layer.id, label.id): f"{layer.id}:{label.category if rules_of(layer).spans and label.category else label.id}"
        for layer in codebook.layers
        for label in layer.labels
    }


def passages_of(
    session: Session, watermark: int, article_ids: Sequence[int], decided_before: datetime | None = None
) -> Iterator[PassageRecord]:
    """The exported passages of `article_ids` (at most a few hundred), by article and index.

    `decided_before`: only lead decisions made by then count (a release's creation time).

    Plain Core rows through the session's connection: the ORM's row processing would double
    the cost of reading a million labels.
    """
    connection = session.connection()
    articles = {
        row.id: row
        for row in connection.execute(
            select(
                Article.id,
                Article.external_id,
                Article.sha256,
                Article.source,
                Article.url,
                Article.published,
                Article.text,
                Article.title,
                Article.source_gaps,
            ).where(Article.id.in_(article_ids))
        )
    }
    maps: dict[int, SourceMap] = {}
    labels: dict[int, list[LabelRow]] = defaultdict(list)
    query = (
        current_labels_query(as_of=watermark)
        .with_only_columns(
            Annotation.id,
            Annotation.passage_id,
            Annotation.annotator_id,
            Annotation.layer,
            Annotation.label,
            Annotation.span_start,
            Annotation.span_end,
            Annotation.target,
            cast(Annotation.attributes, Text),
            Annotation.origin,
        )
        .join(Passage, Passage.id == Annotation.passage_id)
        .where(Passage.article_id.in_(article_ids), Passage.annotatable.is_(True))
    )
    for row in connection.execute(query):
        labels[row[1]].append(LabelRow(*row[:8], _attributes(row[8]), row[9]))
    finished: dict[int, list[int]] = defaultdict(list)
    for passage_id, annotator_id in connection.execute(
        select(Assignment.passage_id, Assignment.annotator_id)
        .join(Passage, Passage.id == Assignment.passage_id)
        .where(Passage.article_id.in_(article_ids), Assignment.status.in_(FINISHED_STATUSES))
    ):
        finished[passage_id].append(annotator_id)
    decided: dict[int, set[str]] = defaultdict(set)
    decisions = (
        select(Adjudication.passage_id, Adjudication.layer)
        .join(Passage, Passage.id == Adjudication.passage_id)
        .where(Passage.article_id.in_(article_ids))
    )
    if decided_before is not None:
        decisions = decisions.where(Adjudication.decided_at <= decided_before)
    for passage_id, layer_id in connection.execute(decisions):
        decided[passage_id].add(layer_id)
    passages = connection.execute(
        select(Passage.id, Passage.article_id, Passage.index, Passage.start, Passage.end)
        .where(Passage.article_id.in_(article_ids), Passage.annotatable.is_(True))
        .order_by(Passage.article_id, Passage.index)
    )
    for passage in passages:
        if passage.id not in labels:
            continue
        article = articles[passage.article_id]
        source_map = maps.get(passage.article_id)
        if source_map is None:
            source_map = maps[passage.article_id] = SourceMap(article.source_gaps or ())
        yield PassageRecord(
            id=passage.id,
            article_id=passage.article_id,
            index=passage[2],  # the column "index" (Row.index is the tuple method)
            start=passage.start,
            text=article.text[passage.start : passage.end],
            article_ref=article.external_id or article.sha256,
            title=article.title,
            source=article.source,
            url=article.url,
            published=article.published,
            labels=labels[passage.id],
            source_map=source_map,
            finished=tuple(sorted(finished.get(passage.id, ()))),
            decided=tuple(sorted(decided.get(passage.id, ()))),
        )


@lru_cache(maxsize=4096)
def _attributes(stored: str | None) -> dict[str, Any]:
    """Decode a label's attributes once per distinct JSON text (most labels share a few)."""
    return json.loads(stored) if stored else {}


@dataclass(frozen=True)
class PassageOutline:
    """Where a passage of an article is, and what it is (every passage, labelled or not)."""

    index: int
    start: int
    end: int
    kind: str
    annotatable: bool


@dataclass(frozen=True)
class ArticleDocument:
    """An exported article as a whole: its text, every metadata field the importer kept, its passages."""

    id: int
    ref: str
    """The external id, else the sha256 (the `article_id` of the passage configs)."""
    sha256: str
    title: str | None
    author: str | None
    source: str | None
    url: str | None
    published: date | None
    text: str
    meta: dict[str, Any]
    """The import's other fields (JSONL/CSV columns, sidecar keys, an unparsed `published_raw`)."""
    passages: tuple[PassageOutline, ...]
    """Every passage of the article, by index."""


def article_documents(session: Session, article_ids: Sequence[int]) -> dict[int, ArticleDocument]:
    """The articles `article_ids` (at most a few hundred) with all their passages, by article id."""
    connection = session.connection()
    outlines: dict[int, list[PassageOutline]] = defaultdict(list)
    for row in connection.execute(
        select(Passage.article_id, Passage.index, Passage.start, Passage.end, Passage.kind, Passage.annotatable)
        .where(Passage.article_id.in_(article_ids))
        .order_by(Passage.article_id, Passage.index)
    ):
        outlines[row[0]].append(PassageOutline(*row[1:]))
    rows = connection.execute(
        select(
            Article.id,
            Article.external_id,
            Article.sha256,
            Article.title,
            Article.author,
            Article.source,
            Article.url,
            Article.published,
            Article.text,
            Article.meta,
        ).where(Article.id.in_(article_ids))
    )
    return {
        row.id: ArticleDocument(
            id=row.id,
            ref=row.external_id or row.sha256,
            sha256=row.sha256,
            title=row.title,
            author=row.author,
            source=row.source,
            url=row.url,
            published=row.published,
            text=row.text,
            meta=row.meta or {},
            passages=tuple(outlines[row.id]),
        )
        for row in rows
    }


def article_refs(session: Session) -> dict[int, str]:
    """Article id -> the reference `import-labels` finds it by, for every article: its external
    id, or its sha256 when it has none or shares it with another article."""
    rows = session.connection().execute(select(Article.id, Article.external_id, Article.sha256)).all()
    uses = Counter(row.external_id for row in rows)
    return {row.id: row.external_id if row.external_id and uses[row.external_id] == 1 else row.sha256 for row in rows}
