"""Shared fixtures: every database test runs on a SQLite file and on PostgreSQL.

PostgreSQL tests use `$ANNOTATOR_TEST_PG_URL` (default: the local server, database `test`),
each in a schema of its own. Without a reachable server they skip with the reason, unless
`ANNOTATOR_REQUIRE_PG=1` (set by CI), where they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

PG_URL = os.environ.get("ANNOTATOR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_unavailable_reason() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except OperationalError as error:
        return f"PostgreSQL not reachable at {PG_URL}: {str(error.orig).splitlines()[0]}"
    return None


_PG_REASON: list[str | None] = []


def pg_unavailable_reason() -> str | None:
    """Why PostgreSQL tests cannot run here (checked once per session), or None."""
    if not _PG_REASON:
        _PG_REASON.append(_pg_unavailable_reason())
    return _PG_REASON[0]


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose connections use a fresh, empty schema, dropped afterwards."""
    reason = pg_unavailable_reason()
    if reason:
        if os.environ.get("ANNOTATOR_REQUIRE_PG") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """An empty database URL: a SQLite file under tmp_path, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'annotator.db'}"
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture
def project(db_url):
    """An initialised project (schema at head, default codebook) on each backend."""
    from annotator.cli.db_commands import initialise
    from annotator.project import open_project

    initialise(db_url, None)
    project = open_project(db_url)
    yield project
    project.engine.dispose()
