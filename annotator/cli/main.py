"""The `annotator` command: parse arguments, run one command, turn user errors into one line."""

from __future__ import annotations

import os

# One BLAS thread: agreement statistics are memory-bound, and BLAS threads fighting over two
# cores made `annotator agreement` twice as slow under load. Set before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError

from annotator import __version__
from annotator.cli import (
    agreement_commands,
    annotate_commands,
    codebook_commands,
    corpus_commands,
    db_commands,
    export_commands,
    label_import_commands,
    people_commands,
    release_commands,
    team_commands,
)
from annotator.codebook.problems import CodebookError
from annotator.db.engine import database_reason
from annotator.errors import AnnotatorError, one_line

COMMAND_MODULES = (
    db_commands,
    corpus_commands,
    codebook_commands,
    people_commands,
    annotate_commands,
    team_commands,
    label_import_commands,
    release_commands,
    export_commands,
    agreement_commands,
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser; each command module adds its own subcommands."""
    parser = argparse.ArgumentParser(
        prog="annotator",
        description="Label a corpus of conflict text from the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="URL",
        help="database URL or SQLite file (default: $ANNOTATOR_DATABASE_URL, else ./annotator.db)",
    )
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(subcommands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args) or 0
    except CodebookError as error:
        # Every problem as `file:line: what`, one a line; the first after the usual prefix.
        for index, message in enumerate(error.messages or [str(error)]):
            print(f"annotator: error: {one_line(message)}" if index == 0 else one_line(message), file=sys.stderr)
        return 1
    except AnnotatorError as error:
        fail(str(error))
        return 1
    except DBAPIError as error:
        fail(database_message(error))
        return 1
    except RecursionError:
        fail("input nested too deeply")
        return 1
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        fail(f"{where}{(error.strerror or str(error)).lower()}")
        return 1
    except KeyboardInterrupt:
        print("annotator: interrupted", file=sys.stderr)
        return 130


def fail(message: str) -> None:
    """Print `annotator: error: MESSAGE` on stderr, always as one line."""
    print(f"annotator: error: {one_line(message)}", file=sys.stderr)


# SQLSTATE 42501 (insufficient_privilege): a missing GRANT, or a row-level security policy.
_INSUFFICIENT_PRIVILEGE = "42501"


def database_message(error: DBAPIError) -> str:
    """`database: REASON` from the driver's first line; privilege errors say `permission denied`."""
    reason = database_reason(error)
    if getattr(error.orig, "sqlstate", None) == _INSUFFICIENT_PRIVILEGE:
        prefix = "permission denied for "
        return f"database: permission denied: {reason[len(prefix) :] if reason.startswith(prefix) else reason}"
    return f"database: {reason}"


if __name__ == "__main__":
    sys.exit(main())
