"""Open a project database: resolve the URL, check the schema version, load the codebook."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine, make_url

from annotator.codebook import Codebook
from annotator.codebook.store import ActiveCodebook, load_active_codebook
from annotator.db import migrate
from annotator.db.engine import make_engine, resolve_url
from annotator.errors import AnnotatorError


@dataclass
class Project:
    """A database at this code's schema head, and its active codebook (loaded on first use)."""

    engine: Engine

    @cached_property
    def active(self) -> ActiveCodebook:
        """The active codebook version (id and parsed codebook)."""
        return load_active_codebook(self.engine)

    @property
    def codebook(self) -> Codebook:
        """The active codebook."""
        return self.active.codebook


def open_project(db: str | None) -> Project:
    """Open the database named by `--db`/`$ANNOTATOR_DATABASE_URL`; refuse one not at head, and
    a SQLite file that does not exist (opening it would leave an empty file behind)."""
    url = resolve_url(db)
    path = make_url(url).database if url.startswith("sqlite") else None
    if path and path != ":memory:" and not Path(path).exists():
        raise AnnotatorError(
            f"no database at {path}: run `annotator init --db {path}` first "
            "(or give --db; `annotator demo` uses annotator-demo.db)"
        )
    engine = make_engine(url)
    migrate.ensure_current(engine)
    return Project(engine)
