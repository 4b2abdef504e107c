"""`annotator agreement`: inter-annotator agreement per layer, as tables, JSON, CSV or HTML."""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys

from annotator.agreement.results import CSV_COLUMNS, DEFAULT_N_BOOT, AgreementReport, LayerAgreement, Measure
from annotator.cli.output import print_table
from annotator.codebook.store import parse_stored
from annotator.db.engine import read_session
from annotator.db.models import CodebookVersion
from annotator.project import open_project
from annotator.releases import get_release

FORMATS = ("table", "json", "csv")


def register(subcommands, common) -> None:
    """Add `agreement` to the command line."""
    agreement = subcommands.add_parser(
        "agreement", parents=[common], help="inter-annotator agreement per layer (alpha, kappa, span F1)"
    )
    agreement.add_argument("--layer", action="append", metavar="LAYER", help="only this layer (repeatable)")
    agreement.add_argument("--annotators", metavar="A,B", help="only these annotators (comma-separated names)")
    agreement.add_argument("--release", metavar="TAG", help="the labels of this release (default: current labels)")
    agreement.add_argument("--format", choices=FORMATS, default="table", help="output on stdout (default: table)")
    agreement.add_argument("--html", metavar="PATH", help="also write a self-contained HTML report to PATH")
    agreement.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    agreement.add_argument(
        "--boot",
        type=int,
        default=DEFAULT_N_BOOT,
        metavar="N",
        help=f"bootstrap resamples for confidence intervals (default {DEFAULT_N_BOOT})",
    )
    agreement.set_defaults(handler=run_agreement)


def run_agreement(args: argparse.Namespace) -> int:
    """Compute the report (of a release's labels with `--release`) and print or write it."""
    project = open_project(args.db)
    as_of, codebook = None, project.codebook
    if args.release:
        with read_session(project.engine) as session:
            release = get_release(session, args.release)
            as_of = release.last_annotation_id
            codebook = parse_stored(session.get_one(CodebookVersion, release.codebook_version_id))
    names = [name.strip() for name in args.annotators.split(",") if name.strip()] if args.annotators else None
    from annotator.agreement.corpus import corpus_agreement  # pandas: only for this command

    report = corpus_agreement(
        project.engine,
        as_of=as_of,
        layers=args.layer,
        annotators=names,
        n_boot=args.boot,
        seed=args.seed,
        codebook=codebook,
    )
    if args.html:
        from annotator.agreement.html_report import write_html_report

        write_html_report(report, args.html)
    if args.format == "json":
        print(json.dumps(report.to_json_dict(), indent=2, ensure_ascii=False))
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(report.to_csv_rows())
    else:
        print_report(report)
    if args.html:
        print(f"wrote {args.html}", file=sys.stderr)
    return 0


def print_report(report: AgreementReport) -> None:
    """Readable tables: per layer its measures, then the most disagreed passages."""
    coders = ", ".join(report.coders) or "none"
    print(f"agreement as of label revision {report.as_of}; coders: {coders}")
    print(
        f"{report.ci:.0%} intervals from {report.n_boot} bootstrap resamples (seed {report.seed}); "
        "alpha >= 0.800 reliable, >= 0.667 tentative"
    )
    for layer in report.layers:
        print()
        print(f"== {layer.name} ({layer.layer}, {layer.kind})")
        _print_measures(layer)
        if layer.disagreements:
            print()
            print(
                "most disagreement: "
                + ", ".join(f"passage {passage.passage_id} ({passage.score:.2f})" for passage in layer.disagreements)
            )


def _print_measures(layer: LayerAgreement) -> None:
    if not layer.measures:
        print("(no labels)")
        return
    print_table(
        ["measure", "scope", "item", "value", "interval", "n units", "n pairable", "reading"],
        [
            [
                m.measure,
                m.scope,
                m.item or "-",
                _number(m.coefficient),
                _interval(m),
                m.n_units,
                m.n_pairable,
                m.interpretation,
            ]
            for m in layer.measures
        ],
    )


def _number(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.3f}"


def _interval(measure: Measure) -> str:
    if math.isnan(measure.low):
        return ""
    return f"{measure.low:.3f} - {measure.high:.3f}"
