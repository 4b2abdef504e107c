"""`annotator export`: write a Hugging Face dataset directory."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.export.rows import LABEL_MODES
from annotator.export.splits import DEFAULT_SPLIT
from annotator.project import open_project


def register(subcommands, common) -> None:
    """Add `export` to the command line."""
    parser = subcommands.add_parser(
        "export", parents=[common], help="write a release (or the current labels) as a Hugging Face dataset"
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="the dataset directory, e.g. exports/NAME"
    )
    parser.add_argument("--release", metavar="TAG", help="export this release (default: the current labels)")
    parser.add_argument(
        "--labels",
        choices=LABEL_MODES,
        default="majority",
        help="gold config where nothing is adjudicated: majority (default), raw (most central annotator) "
        "or gold (adjudicated only)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the split assignment (default 0)")
    parser.add_argument("--split", default=DEFAULT_SPLIT, metavar="SPEC", help=f"default {DEFAULT_SPLIT}")
    parser.add_argument("--force", action="store_true", help="replace an existing export")
    parser.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    from annotator.export.exporter import export_dataset  # datasets and pyarrow: only for this command

    project = open_project(args.db)
    result = export_dataset(
        project.engine,
        args.out,
        release=args.release,
        labels=args.labels,
        seed=args.seed,
        split=args.split,
        force=args.force,
    )
    what = f"release {args.release}" if args.release else f"current labels (revision {result.snapshot.watermark})"
    for config, splits in result.rows.items():
        counts = ", ".join(f"{name} {rows}" for name, rows in splits.items())
        print(f"{config}: {counts}")
    if result.skipped_labels:
        print(
            f"annotator: warning: {result.skipped_labels} labels left out (not in codebook version "
            f"{result.snapshot.codebook_version})",
            file=sys.stderr,
        )
    print(f"exported {what} to {args.out}")
    return 0
