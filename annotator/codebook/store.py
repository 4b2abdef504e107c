"""Codebook versions in the database: store a codebook's YAML, find the active one."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from annotator.codebook import Codebook, load_codebook_text
from annotator.db.engine import read_session
from annotator.db.models import CodebookVersion
from annotator.errors import AnnotatorError


@dataclass(frozen=True)
class ActiveCodebook:
    """The codebook new labels are made under, with its version row id."""

    version_id: int
    codebook: Codebook


def store_codebook(session: Session, codebook: Codebook, content: str, note: str | None = None) -> CodebookVersion:
    """Make `codebook` the active version (a no-op when it already is)."""
    digest = codebook.content_hash()
    active = session.scalar(select(CodebookVersion).order_by(CodebookVersion.id.desc()).limit(1))
    if active is not None and active.sha256 == digest:
        return active
    version = CodebookVersion(sha256=digest, name=codebook.name, content=content, note=note)
    session.add(version)
    session.flush()
    return version


def load_active_codebook(engine: Engine) -> ActiveCodebook:
    """The newest stored codebook, parsed; a one-line error if the project has none."""
    with read_session(engine) as session:
        return active_codebook(session)


def active_codebook(session: Session) -> ActiveCodebook:
    """The codebook new labels are made under (the newest stored version), read in `session`.

    The one definition of "active": every writer and reader asks here.
    """
    version = session.scalar(select(CodebookVersion).order_by(CodebookVersion.id.desc()).limit(1))
    if version is None:
        raise AnnotatorError("this database has no codebook; run `annotator init`")
    return ActiveCodebook(version.id, _parsed(version.id, version.content))


def parse_stored(version: CodebookVersion) -> Codebook:
    """Parse a stored codebook version (it was validated when it was applied)."""
    return _parsed(version.id, version.content)


@lru_cache(maxsize=16)
def _parsed(version_id: int, content: str) -> Codebook:
    """Parsed once per version and text: a codebook is immutable data."""
    return load_codebook_text(content, f"<codebook version {version_id}>")
