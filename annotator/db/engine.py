"""Database URLs and engines: SQLite tuned for safe concurrent use, PostgreSQL through psycopg."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session

from annotator.errors import AnnotatorError

DEFAULT_URL = "sqlite:///annotator.db"
URL_ENV_VAR = "ANNOTATOR_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def resolve_url(cli_value: str | None = None) -> str:
    """The database URL to use: `--db`, else `$ANNOTATOR_DATABASE_URL`, else `annotator.db` here.

    A value without `://` is taken as the path of a SQLite file; `postgresql://` and
    `postgres://` URLs get the psycopg driver.
    """
    url = cli_value or os.environ.get(URL_ENV_VAR) or DEFAULT_URL
    if "://" not in url:
        return f"sqlite:///{url}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    """Create an engine for `url`; SQLite connections get WAL, foreign keys and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise AnnotatorError(f"{url}: not a database URL ({exc})") from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _tune_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    raise AnnotatorError(f"{url}: unsupported database (use sqlite:/// or postgresql://)")


def _tune_sqlite(engine: Engine) -> None:
    """Take over transaction control from pysqlite so writers can `BEGIN IMMEDIATE`.

    pysqlite's own deferred BEGIN lets two writers both read and then deadlock on upgrade;
    a writer that takes the write lock up front just waits for the busy timeout instead.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def database_reason(error: DBAPIError) -> str:
    """The first line of the driver's message: no SQL, no parameters, no background link."""
    text = str(error.orig if error.orig is not None else error).strip()
    return text.splitlines()[0] if text else type(error.orig or error).__name__


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session for one write transaction, committed on success and rolled back on error.

    On SQLite the transaction starts with `BEGIN IMMEDIATE`, so concurrent writers queue on
    the busy timeout rather than failing with "database is locked".
    """
    bind = engine.execution_options(sqlite_begin="IMMEDIATE")
    with Session(bind, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reads; nothing it does is committed."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
