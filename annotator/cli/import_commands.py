"""`annotator import`: read articles from files and split them into passages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.errors import one_line
from annotator.importing.importer import (
    DEFAULT_MAX_PASSAGE_CHARS,
    ImportReport,
    import_paths,
    require_paths_exist,
)
from annotator.importing.keep_spans import read_keep_spans
from annotator.importing.segment import PARAGRAPHS, PASSAGE_MODES
from annotator.project import open_project


def register(subcommands, common) -> None:
    """Add `import` to the command line."""
    importer = subcommands.add_parser(
        "import", parents=[common], help="import articles (.txt .md .jsonl .csv, or directories)"
    )
    importer.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    importer.add_argument("--strict", action="store_true", help="stop at the first bad file")
    importer.add_argument(
        "--max-chars",
        type=int,
        default=DEFAULT_MAX_PASSAGE_CHARS,
        help=f"split longer paragraphs at sentence ends, or with --passages lines pack lines up to "
        f"this length (default {DEFAULT_MAX_PASSAGE_CHARS})",
    )
    importer.add_argument(
        "--passages",
        choices=PASSAGE_MODES,
        default=PARAGRAPHS,
        help="paragraphs (default), one passage per article, or lines packed up to --max-chars",
    )
    importer.add_argument(
        "--keep-spans",
        type=Path,
        action="append",
        metavar="FILE",
        help="with --passages lines: never cut a passage inside a span of this label file "
        "(.jsonl, else PTC; repeatable)",
    )
    importer.add_argument(
        "--annotate-headings", action="store_true", help="make title, heading and byline passages annotatable"
    )
    importer.set_defaults(handler=run_import)


def run_import(args: argparse.Namespace) -> int:
    project = open_project(args.db)
    require_paths_exist(args.paths)
    keep_spans = read_keep_spans(args.keep_spans) if args.keep_spans else None
    show_progress = sys.stderr.isatty()

    def progress(report: ImportReport) -> None:
        if show_progress:
            print(
                f"\r{report.files} files, {report.articles} articles, {report.passages} passages",
                end="",
                file=sys.stderr,
            )

    report = import_paths(
        project.engine,
        args.paths,
        max_chars=args.max_chars,
        strict=args.strict,
        progress=progress,
        passages=args.passages,
        keep_spans=keep_spans,
        annotate_headings=args.annotate_headings,
    )
    if show_progress:
        print(file=sys.stderr)
    for error in report.errors:
        print(f"annotator: error: {one_line(error)}", file=sys.stderr)
    print(
        f"imported {report.articles} articles ({report.passages} passages, "
        f"{report.annotatable} annotatable) from {report.files} files"
        + (f"; {report.duplicates} already present, skipped" if report.duplicates else "")
        + (f"; {len(report.errors)} files failed" if report.errors else "")
    )
    return 0 if report.ok else 1
