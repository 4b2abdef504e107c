"""Schema versions: create, upgrade, downgrade and check a database against this code's head.

A database behind head is refused by every command except `annotator init` and
`annotator db upgrade` (an explicit upgrade is the user's decision; they may want a backup
first). A database ahead of head was written by a newer annotator and is never touched.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, inspect

from annotator.errors import AnnotatorError


def migrations_dir() -> Path:
    """The Alembic script directory, inside the installed package or in a source checkout."""
    try:
        return Path(str(resources.files("annotator._migrations")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at our migrations; `engine` is used by `run_with_connection`."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest revision this code knows."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have exactly one head, found {heads}")
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the database, or None for a database never initialised."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _run(engine: Engine, action, *args) -> None:
    """Run an Alembic command on one connection of `engine`, in one transaction.

    On SQLite, foreign keys are switched off for the migration (batch mode rebuilds tables by
    copy, drop and rename, which would otherwise trip them) and checked before the commit.
    """
    config = alembic_config(engine)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _driver(connection).execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                try:
                    action(config, *args)
                except CommandError as exc:
                    raise AnnotatorError(f"migration failed: {exc}") from None
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise AnnotatorError(f"migration failed: it would break {len(broken)} foreign keys")
        finally:
            if sqlite:
                _driver(connection).execute("PRAGMA foreign_keys=ON")


def _driver(connection: Connection) -> Any:
    """The DBAPI connection itself: a PRAGMA there runs outside SQLAlchemy's transaction."""
    driver = connection.connection.driver_connection
    if driver is None:
        raise AnnotatorError("the database connection was closed")
    return driver


def refuse_if_newer(engine: Engine) -> None:
    """Refuse a database whose schema revision this code does not know (a newer annotator)."""
    current = current_revision(engine)
    if current is None:
        return
    known = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current not in known:
        raise AnnotatorError(
            f"{_describe(engine)}: database schema {current} is newer than this annotator "
            f"(knows up to {head_revision()}); upgrade annotator, the database was not touched"
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to `revision`."""
    refuse_if_newer(engine)
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Downgrade the schema to `revision` (`base` removes every table)."""
    refuse_if_newer(engine)
    _run(engine, command.downgrade, revision)


def history_lines() -> list[str]:
    """One line per known revision, newest first: `rev  message`."""
    scripts = ScriptDirectory.from_config(alembic_config()).walk_revisions()
    return [f"{script.revision}  {script.doc}" for script in scripts]


def ensure_current(engine: Engine) -> None:
    """Raise a one-line error unless the database is at this code's head revision."""
    refuse_if_newer(engine)
    current = current_revision(engine)
    if current is None:
        if inspect(engine).get_table_names():
            raise AnnotatorError(
                f"{_describe(engine)}: not an annotator database (it has tables but no schema version)"
            )
        raise AnnotatorError(f"{_describe(engine)}: database not initialised; run `annotator init`")
    head = head_revision()
    if current != head:
        raise AnnotatorError(
            f"{_describe(engine)}: database schema {current} is behind this annotator ({head}); "
            "back it up, then run `annotator db upgrade`"
        )


def _describe(engine: Engine) -> str:
    """The engine's URL without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)
