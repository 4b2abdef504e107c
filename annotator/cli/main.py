"""The `annotator` command: parse arguments, run one command, turn user errors into one line."""

from __future__ import annotations

import os

# One BLAS thread: agreement statistics are memory-bound, and BLAS threads fighting over two
# cores made `annotator agreement` twice as slow under load. Set before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from sqlalchemy.exc import DBAPIError

from annotator import __version__
from annotator.errors import AnnotatorError, one_line

# Each command and the module of annotator.cli that registers it, in the order of `annotator -h`.
# A command line imports only its own command's module (see `command_modules`), so no command
# pays for the libraries of another one at start-up.
COMMANDS: dict[str, str] = {
    "init": "db_commands",
    "db": "db_commands",
    "import": "import_commands",
    "status": "corpus_commands",
    "history": "corpus_commands",
    "codebook": "codebook_commands",
    "annotators": "people_commands",
    "demo": "annotate_commands",
    "annotate": "annotate_commands",
    "assign": "team_commands",
    "review": "team_commands",
    "import-labels": "label_import_commands",
    "release": "release_commands",
    "export": "export_commands",
    "agreement": "agreement_commands",
}


def command_modules(argv: Sequence[str]) -> list[ModuleType]:
    """The command modules `argv` needs: its command's, none for `--version` (argparse prints the
    version as soon as it meets it), and all of them for help and usage errors."""
    first = argv[0] if argv else None
    if first == "--version":
        names: list[str] = []
    elif first in COMMANDS:
        names = [COMMANDS[first]]
    else:
        names = list(dict.fromkeys(COMMANDS.values()))
    return [importlib.import_module(f"annotator.cli.{name}") for name in names]


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The argument parser for `argv`, with the commands it needs (by default, every command)."""
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
    for module in command_modules(argv):
        module.register(subcommands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    return run(build_parser(argv).parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Run the parsed command; an error the user can cause becomes one line on stderr."""
    # Imported here, not at the top: `annotator --version` needs neither the codebook nor the ORM.
    from annotator.codebook.problems import CodebookError

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
    from annotator.db.engine import database_reason

    reason = database_reason(error)
    if getattr(error.orig, "sqlstate", None) == _INSUFFICIENT_PRIVILEGE:
        prefix = "permission denied for "
        return f"database: permission denied: {reason[len(prefix) :] if reason.startswith(prefix) else reason}"
    return f"database: {reason}"


if __name__ == "__main__":
    sys.exit(main())
