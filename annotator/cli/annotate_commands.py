"""`annotator demo` and `annotator annotate`: open the labelling UI."""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

from sqlalchemy import select

from annotator.annotators import add_annotator
from annotator.cli.db_commands import initialise
from annotator.codebook import Codebook
from annotator.codebook.keymap import read_keymap
from annotator.db.engine import read_session, write_session
from annotator.db.models import Annotator
from annotator.importing.importer import import_paths
from annotator.project import open_project
from annotator.security import session_annotator
from annotator.suggestions import SuggestionIndex, load_gazetteer

DEMO_DATABASE = "annotator-demo.db"
DEMO_ANNOTATOR = "demo"


def register(subcommands, common) -> None:
    """Add `demo` and `annotate` to the command line."""
    demo = subcommands.add_parser(
        "demo", parents=[common], help=f"sample corpus in ./{DEMO_DATABASE}, opened for labelling"
    )
    demo.set_defaults(handler=run_demo)
    annotate = subcommands.add_parser("annotate", parents=[common], help="open the labelling UI")
    annotate.add_argument(
        "--annotator", metavar="NAME", help="who you are (implied by a mapped PostgreSQL role; see `db grant`)"
    )
    for command in (demo, annotate):
        command.add_argument("--gazetteer", type=Path, help="CSV or JSONL of text,layer,label to suggest")
        command.add_argument("--keymap", type=Path, help="YAML of binding id -> keys, to remap keys")
        command.add_argument(
            "--keep-layer", action="store_true", help="open each new passage on the layer in use (default: the first)"
        )
    annotate.set_defaults(handler=run_annotate)


def sample_corpus_dir() -> Path:
    """The bundled sample corpus."""
    return Path(str(resources.files("annotator.sample_corpus")))


def prepare_demo(db: str | None) -> str:
    """Create the demo database with the sample corpus and a `demo` annotator; returns its URL."""
    db = db or DEMO_DATABASE
    initialise(db, None)
    project = open_project(db)
    corpus = sample_corpus_dir()
    # The news report first: the gentlest start for a new annotator; then everything else.
    import_paths(project.engine, [corpus / "tavrin-checkpoint-attack.txt", corpus])
    with write_session(project.engine) as session:
        if session.scalar(select(Annotator).where(Annotator.name == DEMO_ANNOTATOR)) is None:
            add_annotator(session, DEMO_ANNOTATOR, "lead")
    return db


def run_demo(args: argparse.Namespace) -> int:
    db = prepare_demo(args.db)
    return open_ui(db, DEMO_ANNOTATOR, args.gazetteer, args.keymap, keep_layer=args.keep_layer)


def run_annotate(args: argparse.Namespace) -> int:
    return open_ui(args.db, args.annotator, args.gazetteer, args.keymap, keep_layer=args.keep_layer)


def open_ui(
    db: str | None,
    annotator_name: str | None,
    gazetteer: Path | None,
    keymap: Path | None,
    *,
    keep_layer: bool = False,
) -> int:
    """Check the database and the annotator, then run the labelling app until it quits.

    On a shared PostgreSQL a connection as an annotator's own role is that annotator; naming
    somebody else is refused.
    """
    project = open_project(db)
    with read_session(project.engine) as session:
        annotator = session_annotator(session, annotator_name)
    # Bad option files fail here, in one line, before Textual loads (the app reads them again).
    if gazetteer is not None:
        load_gazetteer(SuggestionIndex(), gazetteer, project.codebook)
    if keymap is not None:
        check_keymap(keymap, project.codebook)
    from annotator.tui.app import run_app  # Textual loads only for the commands that need it

    return run_app(project, annotator.id, gazetteer=gazetteer, keymap=keymap, keep_layer=keep_layer)


def check_keymap(path: Path, codebook: Codebook | None = None) -> dict[str, str]:
    """Read and check a keymap as the app does (`annotator.codebook.keymap.read_keymap`): every
    problem with the file, its binding ids and keys is an `InputError` naming it."""
    return read_keymap(path, codebook)
