"""A shared PostgreSQL server: one login role per person, mapped to their annotator.

Row-level security, column grants and the `annotations_guard` trigger (created by the schema
migrations) let a role read and write only its own annotator's labels and work rows, while
leads read everything and write gold under their own name; nobody but the owner changes
passages, and dynamic claims go through the `claim_next_passage` function. `grant_access`
creates a person's login role, grants what the tool needs (and nothing more: it revokes
first) and switches the policies on; `session_annotator` decides who is working: a
connection as a mapped role is that person, whatever `--annotator` says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from annotator.annotators import add_annotator, get_annotator
from annotator.db.models import ANNOTATOR_ROLES, Annotator
from annotator.errors import AnnotatorError

if TYPE_CHECKING:
    from psycopg import sql

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
SECURED_TABLES = ("annotations", "assignments", "passages", "adjudications", "annotators")
READ_TABLES = (
    "alembic_version",
    "articles",
    "passages",
    "annotators",
    "annotator_self",
    "codebook_versions",
    "releases",
    "settings",
    "passage_workload",
    "adjudications",
    "annotations",
    "assignments",
)
# Every column but `id` (ids come from the sequences only); `annotations_guard` checks the rest.
ANNOTATION_COLUMNS = (
    "passage_id, annotator_id, layer, label, span_start, span_end, target, attributes, codebook_version_id, "
    "supersedes_id, deleted, origin, needs_review, created_at"
)
ASSIGNMENT_COLUMNS = (
    "passage_id, annotator_id, status, note, comment, active_seconds, rejected_suggestions, assigned_at, "
    "claimed_at, created_at, updated_at"
)
WORK_COLUMNS = "status, note, comment, active_seconds, rejected_suggestions, updated_at"
ADJUDICATION_COLUMNS = (
    "passage_id, layer, lead_id, method, chosen_annotator_id, rationale, dispute_key, source_revision_ids, "
    "gold_revision_ids, decided_at"
)
GRANTS = {
    "annotator": [
        f"GRANT INSERT ({ANNOTATION_COLUMNS}) ON annotations TO {{role}}",
        f"GRANT INSERT ({ASSIGNMENT_COLUMNS}), UPDATE ({WORK_COLUMNS}) ON assignments TO {{role}}",
    ],
    "lead": [
        f"GRANT INSERT ({ANNOTATION_COLUMNS}) ON annotations TO {{role}}",
        f"GRANT INSERT ({ASSIGNMENT_COLUMNS}), UPDATE ({WORK_COLUMNS}, assigned_at, claimed_at) ON assignments "
        "TO {role}",
        "GRANT INSERT (key, value), UPDATE (value) ON settings TO {role}",  # column grants: no LOCK TABLE
        f"GRANT INSERT ({ADJUDICATION_COLUMNS}) ON adjudications TO {{role}}",
    ],
}
SESSION_LIMITS = {"idle_in_transaction_session_timeout": "60s", "lock_timeout": "10s"}
"""Set on every annotator and lead role: nobody holds locks or a transaction open for long."""


@dataclass(frozen=True)
class GrantReport:
    """What `annotator db grant` did."""

    annotator: str
    role: str
    db_role: str
    created_role: bool
    created_annotator: bool


def grant_access(
    engine: Engine, name: str, *, role: str = "annotator", password: str | None = None, db_role: str | None = None
) -> GrantReport:
    """Give annotator `name` (added if new) a login role with the privileges of their `role`.

    Idempotent: run it again to change the role or the password. Needs PostgreSQL and a
    connection that may create roles and owns the tables.
    """
    from psycopg import sql  # the PostgreSQL driver: only for this command

    if engine.dialect.name != "postgresql":
        raise AnnotatorError("`db grant` is for PostgreSQL; a SQLite file is protected by its file permissions")
    if role not in ANNOTATOR_ROLES:
        raise AnnotatorError(f"unknown role {role!r} (choose from {', '.join(ANNOTATOR_ROLES)})")
    db_role = db_role or name.lower()
    if not ROLE_NAME.fullmatch(db_role):
        raise AnnotatorError(
            f"{db_role!r} is not a usable database role name (lower-case letters, digits, _); pass --db-role"
        )
    with engine.begin() as connection:
        created_role = _ensure_login_role(connection, db_role, password)
        quoted = _quote(connection, sql.Identifier(db_role))
        schema = connection.scalar(text("SELECT current_schema()"))
        quoted_schema = _quote(connection, sql.Identifier(schema))
        statements = [  # start from nothing, so a rerun that changes the role takes privileges away
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {quoted_schema} FROM {{role}}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {quoted_schema} FROM {{role}}",
            f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {quoted_schema} FROM {{role}}",
            f"GRANT USAGE ON SCHEMA {quoted_schema} TO {{role}}",
            f"GRANT SELECT ON {', '.join(READ_TABLES)} TO {{role}}",
            f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {quoted_schema} TO {{role}}",
            "GRANT EXECUTE ON FUNCTION claim_next_passage(integer), passage_places(integer) TO {role}",
            *GRANTS[role],
            *(f"ALTER ROLE {{role}} SET {setting} = '{value}'" for setting, value in SESSION_LIMITS.items()),
        ]
        for statement in statements:
            connection.exec_driver_sql(statement.format(role=quoted))
        _enable_policies(connection)
        with Session(connection) as session:
            person, created_annotator = _annotator_for(session, name, role, db_role)
            session.flush()
            report = GrantReport(person.name, person.role, db_role, created_role, created_annotator)
    return report


def _ensure_login_role(connection: Connection, db_role: str, password: str | None) -> bool:
    """Create the login role, or set its password; returns whether it was created."""
    from psycopg import sql

    exists = connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": db_role})
    verb = "ALTER ROLE" if exists else "CREATE ROLE"
    statement = sql.SQL("{} {} LOGIN").format(sql.SQL(verb), sql.Identifier(db_role))
    if password:
        statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
    connection.exec_driver_sql(_quote(connection, statement))
    return not exists


def _enable_policies(connection: Connection) -> None:
    """Switch row-level security on (the policies come with the schema); refuse if they are gone."""
    present = set(
        connection.scalars(text("SELECT DISTINCT tablename FROM pg_policies WHERE schemaname = current_schema()"))
    )
    missing = [table for table in SECURED_TABLES if table not in present]
    if missing:
        raise AnnotatorError(f"row-level security policies missing on {', '.join(missing)}; run `annotator db upgrade`")
    for table in SECURED_TABLES:
        connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")


def _annotator_for(session: Session, name: str, role: str, db_role: str) -> tuple[Annotator, bool]:
    """The annotator called `name` with `role` and `db_role` (added if new); refuse a role in use."""
    other = session.scalar(select(Annotator).where(Annotator.db_role == db_role, Annotator.name != name))
    if other is not None:
        raise AnnotatorError(f"database role {db_role!r} already belongs to annotator {other.name!r}")
    person = session.scalar(select(Annotator).where(Annotator.name == name))
    created = person is None
    if person is None or not person.active:
        person = add_annotator(session, name, role)
    person.role = role
    person.db_role = db_role
    return person, created


def _quote(connection: Connection, composed: sql.Composable) -> str:
    """Render psycopg's safely quoted SQL as text on this connection."""
    return composed.as_string(connection.connection.driver_connection)


# -- who is working ---------------------------------------------------------------------------------


def session_annotator(session: Session, requested: str | None) -> Annotator:
    """The annotator this connection works as.

    On PostgreSQL, a connection as a role mapped to an annotator (`annotator db grant`) is that
    annotator: naming somebody else is refused. Otherwise (SQLite, the owner, a superuser)
    `requested` names the annotator.
    """
    mapped = _mapped_annotator(session)
    if mapped is None:
        if requested is None:
            raise AnnotatorError("say who you are with --annotator NAME")
        return get_annotator(session, requested)
    if requested is not None and requested != mapped.name:
        raise AnnotatorError(
            f"you are connected as database role {mapped.db_role!r}, which is {mapped.name!r}; "
            f"you cannot work as {requested!r}"
        )
    return mapped


def require_lead_connection(session: Session) -> None:
    """Refuse a connection as the role of an annotator who is not a lead (for lead-only commands)."""
    mapped = _mapped_annotator(session)
    if mapped is not None and mapped.role != "lead":
        raise AnnotatorError(f"{mapped.name!r} is not a lead: only leads assign work")


def _mapped_annotator(session: Session) -> Annotator | None:
    """The active annotator whose role this connection uses, unless it is a superuser or the owner."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    user, privileged = session.execute(
        text(
            "SELECT current_user, rolsuper OR current_user = (SELECT tableowner FROM pg_tables "
            "WHERE schemaname = current_schema() AND tablename = 'annotations') "
            "FROM pg_roles WHERE rolname = current_user"
        )
    ).one()
    if privileged:
        return None
    person = session.scalar(select(Annotator).where(Annotator.db_role == user, Annotator.active.is_(True)))
    if person is None:
        raise AnnotatorError(
            f"database role {user!r} is not an annotator of this project; a lead runs `annotator db grant NAME`"
        )
    return person
