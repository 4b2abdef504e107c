"""What the label-file exports (`--format jsonl`, `--format ptc`) share: the snapshot's exported
passages article by article, and writing the file all or nothing.

Articles come in order of the reference `import-labels` finds them by (`source.article_refs`),
so a file does not depend on database ids. The file is written to a hidden temporary file
beside the target and renamed into place; an existing file is only replaced with `force`, and
never a directory. Any failure (or Ctrl-C) removes the temporary file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from annotator.codebook import Codebook
from annotator.errors import AnnotatorError
from annotator.export.source import PassageRecord, Snapshot, article_refs, article_strata, passages_of

BATCH_ARTICLES = 200


@dataclass(frozen=True)
class ExportedArticle:
    """An article with labels at the snapshot: its reference and its exported passages, by index."""

    ref: str
    passages: list[PassageRecord]


@dataclass
class LabelFileResult:
    """What a label-file export wrote, for the command's summary."""

    snapshot: Snapshot
    lines: int = 0
    articles: int = 0
    skipped_labels: int = 0
    """Labels whose layer or label the snapshot's codebook does not have."""
    left_out: dict[str, int] = field(default_factory=dict)
    """Labels the format cannot hold, by label id (PTC: labels without a technique)."""


def exported_articles(session: Session, snapshot: Snapshot) -> Iterator[ExportedArticle]:
    """Every article with a current label at the snapshot, by reference, with its exported passages."""
    refs = article_refs(session)
    ordered = sorted(article_strata(session, snapshot.watermark, None), key=lambda article_id: refs[article_id])
    decided_before = snapshot.release.created_at if snapshot.release is not None else None
    for offset in range(0, len(ordered), BATCH_ARTICLES):
        chunk = ordered[offset : offset + BATCH_ARTICLES]
        passages: dict[int, list[PassageRecord]] = defaultdict(list)
        for passage in passages_of(session, snapshot.watermark, chunk, decided_before):
            passages[passage.article_id].append(passage)
        for article_id in chunk:
            yield ExportedArticle(refs[article_id], passages[article_id])


def known_label_ids(codebook: Codebook) -> dict[str, set[str]]:
    """Layer id -> its label ids (retired ones included): labels of others are left out, as in the dataset."""
    return {layer.id: {label.id for label in layer.labels} for layer in codebook.layers}


def write_atomically(target: Path, lines: Iterable[str], *, force: bool) -> int:
    """Write `lines` to `target` all or nothing; returns how many were written."""
    _refuse_existing(target, force)
    partial = target.parent / f".{target.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
    count = 0
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("x", encoding="utf-8", newline="") as handle:
            for line in lines:
                handle.write(line)
                count += 1
        _refuse_existing(target, force)
        os.replace(partial, target)
    except OSError as error:
        _remove(partial)
        where = f" ({error.filename})" if error.filename else ""
        raise AnnotatorError(
            f"{target}: cannot write the file: {(error.strerror or str(error)).lower()}{where}"
        ) from None
    except BaseException:
        _remove(partial)
        raise
    return count


@contextmanager
def snapshot_session(engine: Engine) -> Iterator[Session]:
    """A session on one connection in one transaction (REPEATABLE READ on PostgreSQL), so every
    batch sees the same database."""
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect() as connection:
        connection.execution_options(**options)
        with Session(bind=connection) as session:
            yield session


def _refuse_existing(target: Path, force: bool) -> None:
    blocking = next((parent for parent in target.parents if parent.exists() and not parent.is_dir()), None)
    if blocking is not None:
        raise AnnotatorError(f"{target}: cannot write the file: {blocking} is not a directory")
    if not target.exists() and not target.is_symlink():
        return
    if target.is_dir():
        raise AnnotatorError(f"{target} is a directory: give a file name")
    if not force:
        raise AnnotatorError(f"{target} already exists: use --force to replace it")


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
