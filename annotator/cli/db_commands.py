"""`annotator init` and `annotator db ...`: create, upgrade, downgrade and inspect the schema."""

from __future__ import annotations

import argparse
from importlib.resources.abc import Traversable
from pathlib import Path

from sqlalchemy import select

from annotator.codebook import default_codebook_path, load_codebook
from annotator.codebook.store import store_codebook
from annotator.db import migrate
from annotator.db.engine import make_engine, resolve_url, write_session
from annotator.db.models import ANNOTATOR_ROLES, CodebookVersion
from annotator.errors import AnnotatorError
from annotator.project import open_project
from annotator.security import grant_access


def register(subcommands, common) -> None:
    """Add `init` and `db` to the command line."""
    init = subcommands.add_parser("init", parents=[common], help="create the database or upgrade it to this version")
    init.add_argument("--codebook", type=Path, help="start from this codebook YAML (default: bundled)")
    init.set_defaults(handler=run_init)

    db = subcommands.add_parser("db", help="schema versions: upgrade, downgrade, current, history")
    actions = db.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    upgrade = actions.add_parser("upgrade", parents=[common], help="upgrade to REV (default: head)")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(handler=run_upgrade)
    downgrade = actions.add_parser("downgrade", parents=[common], help="downgrade to REV (`base`: empty)")
    downgrade.add_argument("revision")
    downgrade.add_argument(
        "--yes", action="store_true", help="downgrade even though it drops data (refused without it)"
    )
    downgrade.set_defaults(handler=run_downgrade)
    current = actions.add_parser("current", parents=[common], help="the database's schema revision")
    current.set_defaults(handler=run_current)
    history = actions.add_parser("history", help="the schema revisions this version knows")
    history.set_defaults(handler=run_history)
    grant = actions.add_parser(
        "grant", parents=[common], help="PostgreSQL: a login role for a person, who then sees only their own labels"
    )
    grant.add_argument("name", metavar="NAME", help="the annotator (added if new)")
    grant.add_argument("--role", choices=ANNOTATOR_ROLES, default="annotator")
    grant.add_argument("--password", help="login password (not needed where the server trusts connections)")
    grant.add_argument("--db-role", metavar="ROLE", help="database role name (default: NAME in lower case)")
    grant.set_defaults(handler=run_grant)


def initialise(db: str | None, codebook_path: Path | Traversable | None) -> str:
    """Create or upgrade the database and make sure it has a codebook; returns a summary line."""
    url = resolve_url(db)
    codebook_path = codebook_path or default_codebook_path()
    codebook = load_codebook(codebook_path)
    engine = make_engine(url)
    migrate.upgrade(engine)
    with write_session(engine) as session:
        active = session.scalar(select(CodebookVersion).order_by(CodebookVersion.id.desc()).limit(1))
        if active is None:
            active = store_codebook(session, codebook, codebook_path.read_text(encoding="utf-8"))
        elif active.sha256 != codebook.content_hash() and codebook_path != default_codebook_path():
            raise AnnotatorError(
                f"{codebook_path}: the database already has codebook {active.name!r}; "
                f"change codebooks with `annotator codebook apply {codebook_path}`"
            )
    shown = engine.url.render_as_string(hide_password=True)
    return f"database {shown} at schema {migrate.head_revision()}, codebook {active.name!r} (version {active.id})"


def run_init(args: argparse.Namespace) -> int:
    print(initialise(args.db, args.codebook))
    return 0


def run_upgrade(args: argparse.Namespace) -> int:
    engine = make_engine(resolve_url(args.db))
    before = migrate.current_revision(engine)
    migrate.upgrade(engine, args.revision)
    print(f"schema {before or 'empty'} -> {migrate.current_revision(engine)}")
    return 0


def run_downgrade(args: argparse.Namespace) -> int:
    engine = make_engine(resolve_url(args.db))
    before = migrate.current_revision(engine)
    migrate.downgrade(engine, args.revision, confirmed=args.yes)
    print(f"schema {before or 'empty'} -> {migrate.current_revision(engine) or 'empty'}")
    return 0


def run_current(args: argparse.Namespace) -> int:
    engine = make_engine(resolve_url(args.db))
    current = migrate.current_revision(engine)
    head = migrate.head_revision()
    state = "up to date" if current == head else f"this annotator's head is {head}"
    print(f"{current or 'empty (not initialised)'} ({state})")
    return 0


def run_history(args: argparse.Namespace) -> int:
    for line in migrate.history_lines():
        print(line)
    return 0


def run_grant(args: argparse.Namespace) -> int:
    project = open_project(args.db)
    report = grant_access(project.engine, args.name, role=args.role, password=args.password, db_role=args.db_role)
    print(
        f"{'created' if report.created_role else 'updated'} login role {report.db_role!r} for "
        f"{report.annotator} ({report.role}){' (new annotator)' if report.created_annotator else ''}; "
        "row-level security is on"
    )
    return 0
