"""`annotator codebook validate|apply|show`."""

from __future__ import annotations

import argparse
from pathlib import Path

from annotator.cli.output import print_table
from annotator.codebook import default_codebook_path, load_codebook
from annotator.codebook.apply import apply_codebook
from annotator.project import open_project


def register(subcommands, common) -> None:
    """Add `codebook` to the command line."""
    codebook = subcommands.add_parser("codebook", help="validate, apply or show the codebook")
    actions = codebook.add_subparsers(dest="codebook_action", metavar="ACTION", required=True)
    validate = actions.add_parser("validate", help="check a codebook YAML (default: the bundled one)")
    validate.add_argument("path", nargs="?", type=Path)
    validate.set_defaults(handler=run_validate)
    apply = actions.add_parser("apply", parents=[common], help="show the changes, then switch to PATH")
    apply.add_argument("path", type=Path)
    apply.add_argument("--dry-run", action="store_true", help="only show what would change")
    apply.add_argument("--note", help="why the codebook changed (kept with the version)")
    apply.set_defaults(handler=run_apply)
    show = actions.add_parser("show", parents=[common], help="the active codebook's layers and labels")
    show.set_defaults(handler=run_show)


def run_validate(args: argparse.Namespace) -> int:
    """Load and check a codebook file; problems are a `CodebookError` listing each of them."""
    path = args.path or default_codebook_path()
    codebook = load_codebook(path)
    labels = sum(len(layer.labels) for layer in codebook.layers)
    print(f"{path}: ok: codebook {codebook.name!r}, {len(codebook.layers)} layers, {labels} labels")
    return 0


def run_apply(args: argparse.Namespace) -> int:
    """Print the changes (with the labels each touches), then apply them unless `--dry-run`."""
    project = open_project(args.db)
    change = apply_codebook(project.engine, args.path, dry_run=args.dry_run, note=args.note)
    if change.diff.is_empty:
        print("no label changes")
    for line in change.lines:
        print(line)
    if args.dry_run:
        print("dry run: nothing applied")
    elif change.version_id is None:
        print(f"the codebook is already version {project.active.version_id}: nothing applied")
    else:
        print(
            f"applied as codebook version {change.version_id}: {change.merged_labels} labels merged, "
            f"{change.flagged_labels} flagged for review"
        )
    return 0


def run_show(args: argparse.Namespace) -> int:
    """The active codebook's layers, with each label's key, id, name and status."""
    project = open_project(args.db)
    codebook = project.codebook
    print(f"codebook {codebook.name!r} (version {project.active.version_id})")
    for layer in codebook.layers:
        print(f"\n{layer.id} ({layer.kind}): {layer.name}")
        print_table(
            ["key", "id", "name", "status"],
            [[label.key, label.id, label.name, "retired" if label.retired else ""] for label in layer.labels],
        )
    return 0
