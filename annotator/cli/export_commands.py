"""`annotator export`: write a Hugging Face dataset directory."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.export.rows import LABEL_MODES
from annotator.export.splits import DEFAULT_SPLIT
from annotator.project import open_project

FORMATS = ["datasets", "conll", "spacy", "jsonl", "ptc"]
"""`--format` choices: the Hugging Face dataset directory (default) first."""


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
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=FORMATS[0],
        help="datasets (default): the Hugging Face dataset; conll: CoNLL-2003 style <split>.conll files of "
        "the gold config; spacy: a spaCy DocBin per split (needs spaCy); jsonl: every annotator's labels as an "
        "import-labels file; ptc: the gold spans as a SemEval-2020 Task 11 technique file (jsonl, ptc: --out "
        "is the file)",
    )
    parser.add_argument(
        "--drop-markup",
        action="store_true",
        help="leave citation markers and placeholders ([[3]], [INTERNAL_LINK:slug]) out of the tokens and tags",
    )
    parser.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    if args.format in ("jsonl", "ptc"):
        return _run_label_file_export(args)
    if args.format in ("conll", "spacy"):
        return _run_token_format(args)
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
        drop_markup=args.drop_markup,
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


def _run_token_format(args: argparse.Namespace) -> int:
    """`--format conll|spacy`: the gold config's tokens and BIO tags (or spans) per split."""
    from annotator.export.converted import export_converted

    if args.format == "spacy":
        from annotator.export.spacy_format import require_spacy, spacy_file, write_spacy

        require_spacy()
        write, file_name = write_spacy, spacy_file
    else:
        from annotator.export.conll_format import conll_file, write_conll

        write, file_name = write_conll, conll_file
    project = open_project(args.db)
    options = {"release": args.release, "labels": args.labels, "seed": args.seed, "split": args.split}
    result = export_converted(
        project.engine, args.out, write, force=args.force, drop_markup=args.drop_markup, **options
    )
    for split, rows in result.rows["gold"].items():
        print(f"{file_name(split)}: {rows} passages")
    print(f"exported the gold config as {args.format} to {args.out}")
    return 0


def _run_label_file_export(args: argparse.Namespace) -> int:
    """`--format jsonl|ptc`: one label file (see `annotator.export.jsonl_format` and `ptc_format`)."""
    from annotator.export.jsonl_format import export_jsonl
    from annotator.export.ptc_format import export_ptc

    project = open_project(args.db)
    if args.format == "jsonl":
        result = export_jsonl(project.engine, args.out, release=args.release, force=args.force)
    else:
        result = export_ptc(project.engine, args.out, release=args.release, labels=args.labels, force=args.force)
    if result.skipped_labels:
        print(
            f"annotator: warning: {result.skipped_labels} labels left out (not in codebook version "
            f"{result.snapshot.codebook_version})",
            file=sys.stderr,
        )
    if result.left_out:
        labels = ", ".join(f"{label} {count}" for label, count in result.left_out.items())
        print(f"annotator: warning: spans left out, their labels have no PTC technique: {labels}", file=sys.stderr)
    what = f"release {args.release}" if args.release else f"current labels (revision {result.snapshot.watermark})"
    print(f"exported {result.lines} lines from {result.articles} articles of {what} to {args.out}")
    return 0
