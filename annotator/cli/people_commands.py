"""`annotator annotators add|list|remove`."""

from __future__ import annotations

import argparse

from annotator.annotators import add_annotator, list_annotators, remove_annotator
from annotator.cli.output import print_table
from annotator.db.engine import read_session, write_session
from annotator.db.models import ANNOTATOR_ROLES
from annotator.project import open_project


def register(subcommands, common) -> None:
    """Add `annotators` to the command line."""
    people = subcommands.add_parser("annotators", help="add, list or remove annotators and leads")
    actions = people.add_subparsers(dest="annotators_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", parents=[common], help="add a person")
    add.add_argument("name")
    add.add_argument("--role", choices=ANNOTATOR_ROLES, default="annotator")
    add.set_defaults(handler=run_add)
    listing = actions.add_parser("list", parents=[common], help="list people")
    listing.add_argument("--all", action="store_true", help="include removed people")
    listing.set_defaults(handler=run_list)
    remove = actions.add_parser("remove", parents=[common], help="remove a person (labels are kept)")
    remove.add_argument("name")
    remove.set_defaults(handler=run_remove)


def run_add(args: argparse.Namespace) -> int:
    project = open_project(args.db)
    with write_session(project.engine) as session:
        person = add_annotator(session, args.name, args.role)
    print(f"added {person.name} ({person.role})")  # only once committed
    return 0


def run_list(args: argparse.Namespace) -> int:
    project = open_project(args.db)
    with read_session(project.engine) as session:
        people = list_annotators(session, include_removed=args.all)
    print_table(
        ["name", "role", "status", "added"],
        [[p.name, p.role, "active" if p.active else "removed", p.created_at.strftime("%Y-%m-%d")] for p in people],
    )
    return 0


def run_remove(args: argparse.Namespace) -> int:
    project = open_project(args.db)
    with write_session(project.engine) as session:
        person = remove_annotator(session, args.name)
    print(f"removed {person.name}; their labels stay in the history")  # only once committed
    return 0
