"""Schema versions: create, upgrade, downgrade and check a database against this code's head.

A database behind head is refused by every command except `annotator init` and
`annotator db upgrade` (an explicit upgrade is the user's decision; they may want a backup
first). A database ahead of head was written by a newer annotator and is never touched.

Checking a database against head (every command does) reads the version table and the
revision files directly; Alembic is imported only to change or list the schema, which keeps
it out of the start-up of every other command.
"""

from __future__ import annotations

import ast
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, inspect, text

from annotator.errors import AnnotatorError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import Script, ScriptDirectory

VERSION_TABLE = "alembic_version"

# What downgrading *past* each revision would lose: revision id -> [(what, SQL count query)],
# `what` in the plural (`1 adjudication` drops the noun's last `s`).
# Downgrading from `current` to `target` runs the downgrade() of every revision from `current`
# down to, not including, `target`; each of their queries is run first, on the schema as it is,
# and any non-zero count refuses the downgrade unless it is confirmed. A revision that drops a
# table or a column lists here every row or non-null value it would throw away; one that drops
# nothing holding data lists nothing (an empty list). A revision missing from this table is
# treated as losing data it cannot count, so its downgrade always needs confirmation.
DOWNGRADE_LOSSES: dict[str, list[tuple[str, str]]] = {
    "e5b2c8f41a96": [
        ("release licences", "SELECT count(*) FROM releases WHERE license IS NOT NULL"),
        ("release text-rights statements", "SELECT count(*) FROM releases WHERE text_rights IS NOT NULL"),
    ],
    "d4e8a1c07b35": [
        (
            "the unanimous mark of decisions (they become majority decisions)",
            "SELECT count(*) FROM adjudications WHERE method = 'unanimous'",
        ),
    ],
    "c3a9d5e1f2b7": [],  # database-enforced writes: functions, a trigger, policies, views; no data
    "b664ac418178": [
        (
            "article source-offset maps",
            "SELECT count(*) FROM articles WHERE CAST(source_gaps AS TEXT) NOT IN ('[]', 'null')",
        ),
    ],
    "1f79b923c7d1": [
        ("adjudications", "SELECT count(*) FROM adjudications"),
        ("settings (e.g. the assignment mode)", "SELECT count(*) FROM settings"),
        ("role mappings", "SELECT count(*) FROM annotators WHERE db_role IS NOT NULL"),
        ("assignment times", "SELECT count(*) FROM assignments WHERE assigned_at IS NOT NULL"),
        ("claim times", "SELECT count(*) FROM assignments WHERE claimed_at IS NOT NULL"),
    ],
    "f0262f383a45": [
        ("label revisions", "SELECT count(*) FROM annotations"),
        ("articles", "SELECT count(*) FROM articles"),
        ("passages", "SELECT count(*) FROM passages"),
        ("work rows (statuses, notes, comments, times)", "SELECT count(*) FROM assignments"),
        ("annotators", "SELECT count(*) FROM annotators"),
        ("releases", "SELECT count(*) FROM releases"),
        ("codebook versions", "SELECT count(*) FROM codebook_versions"),
    ],
}


def migrations_dir() -> Path:
    """The Alembic script directory, inside the installed package or in a source checkout."""
    try:
        return Path(str(resources.files("annotator._migrations")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at our migrations; `engine` is used by `run_with_connection`."""
    from alembic.config import Config

    # Alembic's default `stdout` is the one of the moment Alembic was first imported; name the
    # current one, since Alembic is now imported late (a test's captured output may be gone).
    config = Config(stdout=sys.stdout)
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["engine"] = engine
    return config


def script_directory() -> ScriptDirectory:
    """Alembic's view of our migrations (imports Alembic: for the commands that change the schema)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def known_revisions() -> dict[str, tuple[str, ...]]:
    """Every revision this code knows, mapped to the revisions it follows.

    Read from the `revision` and `down_revision` lines of the version files, as Alembic
    declares them, without importing Alembic or the files.
    """
    return _revision_graph(migrations_dir() / "versions")


@lru_cache(maxsize=4)
def _revision_graph(versions: Path) -> dict[str, tuple[str, ...]]:
    """`known_revisions` of one versions folder, read once per process."""
    graph: dict[str, tuple[str, ...]] = {}
    for path in sorted(versions.glob("*.py")):
        declared = _declared_names(path)
        if isinstance(declared.get("revision"), str):
            down = declared.get("down_revision")
            graph[declared["revision"]] = (down,) if isinstance(down, str) else tuple(down or ())
    return graph


def _declared_names(path: Path) -> dict[str, Any]:
    """The literal values of the module-level `revision` and `down_revision` of a version file."""
    values: dict[str, Any] = {}
    targets: list[ast.expr]
    for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        elif isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                values[target.id] = ast.literal_eval(value)
    return values


def head_revision() -> str:
    """The newest revision this code knows."""
    graph = known_revisions()
    heads = sorted(set(graph) - {down for downs in graph.values() for down in downs})
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have exactly one head, found {heads}")
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the database, or None for a database never initialised."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        stamped = list(connection.scalars(text(f"SELECT version_num FROM {VERSION_TABLE}")))
    if len(stamped) > 1:
        raise AnnotatorError(f"{_describe(engine)}: the database has {len(stamped)} schema revisions stamped")
    return stamped[0] if stamped else None


def _run(engine: Engine, action, *args, check=None) -> None:
    """Run an Alembic command on one connection of `engine`, in one transaction.

    `check(connection)`, if given, runs first in the same transaction and may refuse by raising.

    On SQLite, foreign keys are switched off for the migration (batch mode rebuilds tables by
    copy, drop and rename, which would otherwise trip them) and checked before the commit.
    """
    from alembic.util.exc import CommandError

    config = alembic_config(engine)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _driver(connection).execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                if check is not None:
                    check(connection)
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
    if current not in known_revisions():
        raise AnnotatorError(
            f"{_describe(engine)}: database schema {current} is newer than this annotator "
            f"(knows up to {head_revision()}); upgrade annotator, the database was not touched"
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to `revision`."""
    from alembic import command

    refuse_if_newer(engine)
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str, *, confirmed: bool = False) -> None:
    """Downgrade the schema to `revision` (`base` removes every table).

    Unless `confirmed`, refuse (and change nothing) when the downgrade would lose data: rows of
    the tables it drops, values of the columns it drops (see `DOWNGRADE_LOSSES`).
    """
    from alembic import command

    refuse_if_newer(engine)

    def refuse_losses(connection: Connection) -> None:
        if confirmed:
            return
        target, losses = downgrade_losses(connection, revision)
        if losses:
            raise AnnotatorError(
                f"downgrading to {target} would lose {', '.join(losses)}; back up, then rerun with --yes"
            )

    _run(engine, command.downgrade, revision, check=refuse_losses)


def downgraded_revisions(current: str | None, target: str) -> list[Script]:
    """The revisions whose downgrade() runs going from `current` to `target`, newest first.

    Empty when there is nothing to do or the target cannot be resolved (Alembic then reports it).
    """
    if current is None:
        return []
    scripts = script_directory()
    try:
        return list(scripts.iterate_revisions(current, target))
    except Exception:  # an unknown or non-ancestor target: the downgrade itself says what is wrong
        return []


def downgrade_losses(connection: Connection, target: str) -> tuple[str, list[str]]:
    """The resolved target and what downgrading to it would lose, e.g. `12 adjudications`."""
    from alembic.runtime.migration import MigrationContext

    current = MigrationContext.configure(connection).get_current_revision()
    revisions = downgraded_revisions(current, target)
    if revisions:
        down = revisions[-1].down_revision
        target = down if isinstance(down, str) else "base"
    losses: list[str] = []
    for script in revisions:
        declared = DOWNGRADE_LOSSES.get(script.revision)
        if declared is None:
            losses.append(f"what revision {script.revision} holds (it declares no loss check)")
            continue
        for what, query in declared:
            count = connection.execute(text(query)).scalar() or 0
            if count:
                losses.append(_counted(int(count), what))
    return target, losses


def _counted(count: int, what: str) -> str:
    """`12 adjudications`, `1 adjudication`: `what` is plural, its noun before any `(`."""
    if count != 1:
        return f"{count} {what}"
    noun, space, note = what.partition(" (")
    return f"1 {noun.removesuffix('s')}{space}{note}"


def history_lines() -> list[str]:
    """One line per known revision, newest first: `rev  message`."""
    return [f"{script.revision}  {script.doc}" for script in script_directory().walk_revisions()]


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
