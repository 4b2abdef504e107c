"""Codebook versions in the database: store a codebook's YAML, find the active one."""

from __future__ import annotations

from dataclasses import dataclass

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
        version = session.scalar(select(CodebookVersion).order_by(CodebookVersion.id.desc()).limit(1))
    if version is None:
        raise AnnotatorError("this database has no codebook; run `annotator init`")
    return ActiveCodebook(version.id, parse_stored(version))


def parse_stored(version: CodebookVersion) -> Codebook:
    """Parse a stored codebook version (it was validated when it was applied)."""
    return load_codebook_text(version.content, f"<codebook version {version.id}>")
