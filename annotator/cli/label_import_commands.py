"""`annotator import-labels`: labels made elsewhere (JSONL or SemEval-2020 Task 11 span files)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.errors import one_line
from annotator.importing.labels_import import COVERAGE, FORMATS, import_labels
from annotator.project import open_project


def register(subcommands, common) -> None:
    """Add `import-labels` to the command line."""
    parser = subcommands.add_parser(
        "import-labels", parents=[common], help="import labels from a JSONL or PTC span file (all or nothing)"
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--annotator", metavar="NAME", help="whose labels these are (overrides the file)")
    parser.add_argument("--format", choices=FORMATS, default="jsonl", dest="fmt", help="default: jsonl")
    parser.add_argument("--skip-bad", action="store_true", help="import the good lines even if some are bad")
    parser.add_argument(
        "--mapping", type=Path, metavar="FILE", help="PTC: YAML technique -> label id, replacing the default entries"
    )
    parser.add_argument(
        "--coverage",
        choices=COVERAGE,
        default="articles",
        help="mark done for each annotator: every annotatable passage of the articles they labelled "
        "(articles, default), only the passages they labelled, or nothing",
    )
    parser.set_defaults(handler=run_import_labels)


def run_import_labels(args: argparse.Namespace) -> int:
    project = open_project(args.db)
    report = import_labels(
        project.engine,
        args.file,
        fmt=args.fmt,
        annotator=args.annotator,
        skip_bad=args.skip_bad,
        mapping_path=args.mapping,
        coverage=args.coverage,
    )
    level = "warning" if args.skip_bad else "error"
    for error in report.errors:
        print(f"annotator: {level}: {one_line(error)}", file=sys.stderr)
    if report.errors and not args.skip_bad:
        print(
            f"annotator: nothing imported: {len(report.errors)} of {report.lines} lines are bad "
            "(fix them, or use --skip-bad to import the rest)",
            file=sys.stderr,
        )
        return 1
    skipped = f"; {len(report.errors)} bad lines skipped" if report.errors else ""
    covered = f"; {report.covered} passages marked done" if args.coverage != "none" else ""
    print(f"imported {report.imported} labels from {args.file}{skipped}{covered}")
    return 0
