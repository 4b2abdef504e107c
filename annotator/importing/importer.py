"""Import articles into the database: one transaction per file, all or nothing.

A file's records are read and segmented first; only a file that parsed completely is
written. Articles whose text hash is already stored are skipped and counted (their passages
stay as they were first cut, whatever the options now).

Passages are cut by `annotator.importing.segment` (`passages`, `max_chars`,
`annotate_headings`); with `keep_spans` (a label file read by `keep_spans.read_keep_spans`),
no passage boundary cuts one of that file's spans of the article. Each article keeps its
`source_gaps` (see `annotator.core.source_map`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from annotator.core.source_map import SourceMap
from annotator.db.engine import database_reason, write_session
from annotator.db.models import Article, Passage, utcnow
from annotator.errors import AnnotatorError, InputError
from annotator.importing.keep_spans import KeepSpans
from annotator.importing.readers import ArticleRecord, collect_paths, read_articles
from annotator.importing.segment import PARAGRAPHS, PASSAGE_MODES, segment

DEFAULT_MAX_PASSAGE_CHARS = 1000
# SQLite allows 32,766 bound parameters per statement; stay well below for every backend.
_HASH_LOOKUP_CHUNK = 5000


@dataclass
class ImportReport:
    """What an import did, for the summary line and for scripts."""

    files: int = 0
    articles: int = 0
    passages: int = 0
    annotatable: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file imported."""
        return not self.errors


@dataclass(frozen=True)
class _PreparedArticle:
    record: ArticleRecord
    sha256: str
    published: date | None
    meta: dict


@dataclass(frozen=True)
class _Cutting:
    """How to cut articles into passages."""

    max_chars: int
    passages: str = PARAGRAPHS
    keep_spans: KeepSpans | None = None
    annotate_headings: bool = False

    def segments(self, item: _PreparedArticle):
        text = item.record.text
        kept: list[tuple[int, int]] = []
        if self.keep_spans is not None:
            source = SourceMap(item.record.source_gaps)
            for start, end in self.keep_spans.spans_for((item.record.external_id, item.sha256)):
                if 0 <= start < end:
                    kept.append((source.to_stored(start), min(source.to_stored(end), len(text))))
        return segment(
            text,
            max_chars=self.max_chars,
            passages=self.passages,
            keep_spans=kept,
            annotate_headings=self.annotate_headings,
        )


def import_paths(
    engine: Engine,
    paths: Sequence[Path],
    *,
    max_chars: int = DEFAULT_MAX_PASSAGE_CHARS,
    strict: bool = False,
    progress: Callable[[ImportReport], None] | None = None,
    passages: str = PARAGRAPHS,
    keep_spans: KeepSpans | None = None,
    annotate_headings: bool = False,
) -> ImportReport:
    """Import every article file under `paths`; a bad file is reported and the rest go on.

    With `strict`, the first bad file stops the import (files before it stay imported).
    `passages` is "paragraphs", "article" or "lines"; `keep_spans` needs "lines" or "article".
    """
    if max_chars < 1:
        raise AnnotatorError(f"--max-chars must be at least 1; got {max_chars}")
    if passages not in PASSAGE_MODES:
        raise AnnotatorError(f"unknown --passages {passages!r} (choose from {', '.join(PASSAGE_MODES)})")
    if keep_spans is not None and passages == PARAGRAPHS:
        raise AnnotatorError("--keep-spans needs --passages lines (or article)")
    cutting = _Cutting(max_chars, passages, keep_spans, annotate_headings)
    report = ImportReport()
    for path in collect_paths(paths):
        report.files += 1
        try:
            _import_file(engine, path, cutting, report)
        except InputError as error:
            report.errors.append(str(error))
            if strict:
                break
        except DBAPIError as error:
            # The file's transaction was rolled back; the next file gets a fresh one.
            report.errors.append(f"{path}: database error: {database_reason(error)}")
            if strict:
                break
        if progress is not None:
            progress(report)
    return report


def _import_file(engine: Engine, path: Path, cutting: _Cutting, report: ImportReport) -> None:
    """Parse and segment the whole file, then write it in one transaction."""
    prepared = _dedupe_within_file([_prepare(record) for record in read_articles(path)])
    if not prepared:
        return
    segmented = {item.sha256: cutting.segments(item) for item in prepared}  # before taking the write lock
    with write_session(engine) as session:
        known = _known_hashes(session, [item.sha256 for item in prepared])
        fresh = [item for item in prepared if item.sha256 not in known]
        report.duplicates += len(prepared) - len(fresh)
        if not fresh:
            return
        now = utcnow()
        # Core inserts on the session's connection: the ORM's bulk path costs more than the
        # database does for 100,000 passages, and these rows need none of its bookkeeping.
        connection = session.connection()
        connection.execute(insert(Article), [_article_row(item, now) for item in fresh])
        ids = _ids_by_hash(session, [item.sha256 for item in fresh])  # one query per chunk, not a RETURNING per row
        article_ids = [ids[item.sha256] for item in fresh]
        passage_rows = [
            (article_id, index, seg.start, seg.end, seg.kind, seg.annotatable)
            for article_id, item in zip(article_ids, fresh, strict=True)
            for index, seg in enumerate(segmented[item.sha256])
        ]
        if passage_rows:
            # Straight to the driver's executemany: SQLAlchemy's per-row parameter processing
            # cost more than SQLite's own work for 100,000 plain integer and text rows.
            connection.exec_driver_sql(_passage_insert(connection.dialect.paramstyle), passage_rows)
    report.articles += len(fresh)
    report.passages += len(passage_rows)
    report.annotatable += sum(row[5] for row in passage_rows)


def _prepare(record: ArticleRecord) -> _PreparedArticle:
    """Hash the text and parse the published date; an unparseable date is kept in metadata."""
    meta = dict(record.metadata)
    published = None
    if record.published:
        try:
            published = date.fromisoformat(record.published.strip()[:10])
        except ValueError:
            meta["published_raw"] = record.published
    sha256 = hashlib.sha256(record.text.encode("utf-8")).hexdigest()
    return _PreparedArticle(record=record, sha256=sha256, published=published, meta=meta)


def _dedupe_within_file(items: list[_PreparedArticle]) -> list[_PreparedArticle]:
    """Keep the first of several records with the same text in one file."""
    seen: set[str] = set()
    unique = []
    for item in items:
        if item.sha256 not in seen:
            seen.add(item.sha256)
            unique.append(item)
    return unique


def _passage_insert(paramstyle: str) -> str:
    """The passages INSERT in the driver's own placeholder style (qmark for sqlite3, format for psycopg)."""
    marks = ", ".join(["?"] * 6 if paramstyle == "qmark" else ["%s"] * 6)
    columns = ", ".join(f'"{column.name}"' for column in _PASSAGE_COLUMNS)
    return f"INSERT INTO {Passage.__tablename__} ({columns}) VALUES ({marks})"


_PASSAGE_COLUMNS = tuple(
    Passage.__table__.c[name] for name in ("article_id", "index", "start", "end", "kind", "annotatable")
)


def _ids_by_hash(session: Session, hashes: Sequence[str]) -> dict[str, int]:
    """Article id by text hash, for `hashes` (each stored once: the hash is unique)."""
    found: dict[str, int] = {}
    for offset in range(0, len(hashes), _HASH_LOOKUP_CHUNK):
        chunk = hashes[offset : offset + _HASH_LOOKUP_CHUNK]
        found.update(
            {
                sha256: article_id
                for sha256, article_id in session.execute(
                    select(Article.sha256, Article.id).where(Article.sha256.in_(chunk))
                )
            }
        )
    return found


def _known_hashes(session, hashes: Iterable[str]) -> set[str]:
    """The subset of `hashes` already stored."""
    hashes = list(hashes)
    known: set[str] = set()
    for offset in range(0, len(hashes), _HASH_LOOKUP_CHUNK):
        chunk = hashes[offset : offset + _HASH_LOOKUP_CHUNK]
        known.update(session.scalars(select(Article.sha256).where(Article.sha256.in_(chunk))))
    return known


def _article_row(item: _PreparedArticle, now) -> dict:
    record = item.record
    return {
        "external_id": record.external_id,
        "sha256": item.sha256,
        "title": record.title,
        "author": record.author,
        "source": record.source,
        "url": record.url,
        "published": item.published,
        "text": record.text,
        "source_gaps": list(record.source_gaps),
        "meta": item.meta,
        "origin": record.origin,
        "imported_at": now,
    }


def require_paths_exist(paths: Sequence[Path]) -> None:
    """Refuse a path that does not exist before anything is imported."""
    for path in paths:
        if not path.exists():
            raise AnnotatorError(f"{path}: no such file or directory")
