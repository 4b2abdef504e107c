"""`annotator import`, `annotator status` and `annotator history`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy import select

from annotator.cli.output import print_table
from annotator.db.engine import read_session
from annotator.db.models import Annotator
from annotator.errors import one_line
from annotator.importing.importer import (
    DEFAULT_MAX_PASSAGE_CHARS,
    ImportReport,
    import_paths,
    require_paths_exist,
)
from annotator.importing.keep_spans import read_keep_spans
from annotator.importing.segment import PARAGRAPHS, PASSAGE_MODES
from annotator.labels import passage_history
from annotator.project import open_project
from annotator.status import corpus_status


def register(subcommands, common) -> None:
    """Add `import`, `status` and `history` to the command line."""
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

    status = subcommands.add_parser("status", parents=[common], help="corpus and progress summary")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(handler=run_status)

    history = subcommands.add_parser("history", parents=[common], help="every label revision ever written on a passage")
    history.add_argument("passage_id", type=int, metavar="PASSAGE_ID")
    history.set_defaults(handler=run_history)


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


def run_status(args: argparse.Namespace) -> int:
    project = open_project(args.db)
    status = corpus_status(project.engine)
    if args.json:
        print(json.dumps(status, indent=2, sort_keys=True))
        return 0
    print(
        f"articles {status['articles']}, passages {status['passages']['total']} "
        f"({status['passages']['annotatable']} annotatable, "
        f"{status['passages']['not_annotatable']} not), annotators {len(status['annotators'])}"
    )
    print(f"codebook {status['codebook']['name']!r} version {status['codebook']['version']}")
    print(_assignment_line(status["assignment"]) + f"; adjudicated passages {status['adjudicated_passages']}")
    print()
    print_table(
        ["layer", "current labels"],
        [[layer, count] for layer, count in status["labels_per_layer"].items()] or [["(none)", 0]],
    )
    print()
    headers = [
        "annotator",
        "role",
        "labels",
        "assigned",
        "waiting",
        "done",
        "in progress",
        "skipped",
        "flagged",
        "active time",
        "done/hour",
    ]
    print_table(
        headers,
        [
            [
                person["name"],
                person["role"],
                person["labels"],
                person["assigned"],
                person["waiting"],
                person["done"],
                person["in_progress"],
                person["skipped"],
                person["flagged"],
                _duration(person["active_seconds"]),
                "-" if person["done_per_active_hour"] is None else f"{person['done_per_active_hour']:.1f}",
            ]
            for person in status["annotators"]
        ]
        or [["(none yet: `annotator annotators add NAME`)"] + [""] * (len(headers) - 1)],
    )
    return 0


def _assignment_line(assignment: dict) -> str:
    needing = f"passages needing annotators {assignment['passages_needing_annotators']}"
    if assignment["mode"] == "open":
        return f"assignment: none (every annotator sees every passage); {needing}"
    line = f"assignment: {assignment['mode']}, {assignment['overlap']} per passage"
    if assignment["mode"] == "dynamic":
        line += f", claims lapse after {assignment['claim_minutes']} min"
    return f"{line}; {needing}"


def run_history(args: argparse.Namespace) -> int:
    project = open_project(args.db)
    with read_session(project.engine) as session:
        rows = passage_history(session, args.passage_id)
        names = dict(session.execute(select(Annotator.id, Annotator.name)).all())
    if not rows:
        print(f"passage {args.passage_id}: no label revisions")
        return 0
    print_table(
        ["rev", "when (UTC)", "annotator", "layer", "label", "span", "target", "replaces", "action", "origin"],
        [
            [
                row.id,
                row.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                names.get(row.annotator_id, row.annotator_id),
                row.layer,
                row.label,
                f"{row.span_start}-{row.span_end}" if row.span_start is not None else "",
                row.target or "",
                row.supersedes_id or "",
                "delete" if row.deleted else ("edit" if row.supersedes_id else "add"),
                row.origin + (", needs review" if row.needs_review else ""),
            ]
            for row in rows
        ],
    )
    return 0


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
