"""`annotator release create|list|diff`."""

from __future__ import annotations

import argparse

from annotator.cli.output import print_table
from annotator.errors import AnnotatorError
from annotator.project import open_project
from annotator.releases import CHANGE_KINDS, create_release, diff_releases, list_releases


def register(subcommands, common) -> None:
    """Add `release` to the command line."""
    release = subcommands.add_parser("release", help="freeze, list and compare snapshots of the labels")
    actions = release.add_subparsers(dest="release_action", metavar="ACTION", required=True)
    create = actions.add_parser("create", parents=[common], help="freeze the labels committed so far as TAG")
    create.add_argument("tag", metavar="TAG")
    create.add_argument("--note", help="what this release is for")
    create.add_argument(
        "--license",
        metavar="ID",
        help="the Hub licence id of the dataset (e.g. cc-by-4.0; `unknown` is allowed and flagged in the card); "
        "required unless the codebook states a `license`",
    )
    create.add_argument("--text-rights", metavar="TEXT", help="who holds the rights in the texts, and on what terms")
    create.set_defaults(handler=run_create)
    listing = actions.add_parser("list", parents=[common], help="list releases, oldest first")
    listing.set_defaults(handler=run_list)
    diff = actions.add_parser("diff", parents=[common], help="labels added, removed and changed from TAG1 to TAG2")
    diff.add_argument("old", metavar="TAG1")
    diff.add_argument("new", metavar="TAG2")
    diff.set_defaults(handler=run_diff)


def run_create(args: argparse.Namespace) -> int:
    project = open_project(args.db)
    if args.license is None and not project.codebook.license:
        raise AnnotatorError(
            "release create: --license is required (the codebook states no `license`); "
            "give a Hub licence id such as cc-by-4.0, or --license unknown"
        )
    release = create_release(project.engine, args.tag, args.note, license=args.license, text_rights=args.text_rights)
    print(
        f"release {release.tag}: labels up to revision {release.last_annotation_id}, "
        f"codebook version {release.codebook_version_id}, licence {release.license}"
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    project = open_project(args.db)
    releases = list_releases(project.engine)
    if not releases:
        print("no releases yet: `annotator release create TAG`")
        return 0
    print_table(
        ["tag", "created (UTC)", "up to revision", "codebook version", "note"],
        [
            [
                release.tag,
                release.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                release.last_annotation_id,
                release.codebook_version_id,
                release.note or "",
            ]
            for release in releases
        ],
    )
    return 0


def run_diff(args: argparse.Namespace) -> int:
    project = open_project(args.db)
    diff = diff_releases(project.engine, args.old, args.new)
    print(f"{args.old} (revision {diff.old_watermark}) -> {args.new} (revision {diff.new_watermark})")
    if not diff.layers:
        print("no labels in either release")
        return 0
    print_table(
        ["layer", *CHANGE_KINDS, "unchanged"],
        [[c.layer, *(c.counts[kind] for kind in CHANGE_KINDS), c.unchanged] for c in diff.layers],
    )
    for changes in diff.layers:
        for kind in CHANGE_KINDS:
            for example in changes.examples[kind]:
                print(f"{changes.layer} {kind}: {example}")
    return 0
