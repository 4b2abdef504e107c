"""`annotator agreement`: inter-annotator agreement per layer, as tables, JSON, CSV or HTML."""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys

from annotator.agreement.results import (
    CSV_COLUMNS,
    DEFAULT_N_BOOT,
    DISAGREEMENT_COLUMNS,
    MIN_UNITS,
    RELIABLE,
    TENTATIVE,
    AgreementReport,
    Disagreement,
    LayerAgreement,
    Measure,
)
from annotator.cli.output import print_table
from annotator.codebook.store import parse_stored
from annotator.db.engine import read_session
from annotator.db.models import CodebookVersion
from annotator.errors import AnnotatorError
from annotator.project import open_project
from annotator.releases import get_release

FORMATS = ("table", "json", "csv")
CONFUSIONS_SHOWN = 5
FEEDBACK_SHOWN = 3
PASSAGES_SHOWN = 10
ARTICLES_SHOWN = 10
"""How many confused pairs (team, per annotator), passages and articles the table output
prints (JSON and HTML have all)."""


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
    agreement.add_argument(
        "--disagreements-csv",
        metavar="PATH",
        help="also write every passage with disagreement to PATH as CSV (one row per passage and coder)",
    )
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
    if args.disagreements_csv:
        write_disagreements(report, args.disagreements_csv)
    if args.format == "json":
        print(json.dumps(report.to_json_dict(), indent=2, ensure_ascii=False))
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(report.to_csv_rows())
    else:
        print_report(report)
    for path in (args.html, args.disagreements_csv):
        if path:
            print(f"wrote {path}", file=sys.stderr)
    return 0


def write_disagreements(report: AgreementReport, path: str) -> None:
    """Write `report.disagreement_rows()` to `path` as CSV (UTF-8, a header row)."""
    try:
        with open(path, "w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=DISAGREEMENT_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(report.disagreement_rows())
    except OSError as error:
        raise AnnotatorError(f"{path}: {error.strerror}") from None


def print_report(report: AgreementReport) -> None:
    """Readable tables: per layer its per-item comparison, measures, agreement per article,
    most confused label pairs (team and per annotator) and the passages with most disagreement."""
    coders = ", ".join(report.coders) or "none"
    print(f"agreement as of label revision {report.as_of}; coders: {coders}")
    print(
        f"{report.ci:.0%} intervals from {report.n_boot} bootstrap resamples (seed {report.seed}); "
        f"verdict from the interval: lower bound >= {RELIABLE:.3f} reliable, >= {TENTATIVE:.3f} tentative, "
        f"else unreliable; too few data under {MIN_UNITS} pairable units; n = units/values"
    )
    for layer in report.layers:
        print()
        print(f"== {layer.name} ({layer.layer}, {layer.kind})")
        _print_side_by_side(layer)
        _print_measures(layer)
        _print_articles(layer, report.articles)
        _print_confusions(layer)
        _print_feedback(layer)
        _print_disagreements(layer)


def _print_side_by_side(layer: LayerAgreement) -> None:
    scope, names, rows = layer.side_by_side()
    if not rows:
        return
    headers = [f"per {scope}"]
    for name in names:
        headers += [name, "interval", "n", "verdict"]
    print_table(
        headers,
        [[item] + [cell for found in measures for cell in _cells(found)] for item, measures in rows],
    )
    print()


def _cells(measure: Measure | None) -> list[str]:
    if measure is None:
        return ["-", "", "", ""]
    return [_number(measure.coefficient), _interval(measure), _n(measure), measure.verdict]


def _print_measures(layer: LayerAgreement) -> None:
    if not layer.measures:
        print("(no labels)")
        return
    print_table(
        ["measure", "scope", "item", "value", "interval", "n units", "n pairable", "point reading", "verdict"],
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
                m.verdict,
            ]
            for m in layer.measures
            if m.scope != "article"
        ],
    )


def _print_articles(layer: LayerAgreement, titles: dict[str, str]) -> None:
    articles = layer.per_article()
    if not articles:
        return
    print()
    print("per article, lowest first:")
    shown = [m for name in dict.fromkeys(m.measure for m in articles) for m in layer.per_article(name)[:ARTICLES_SHOWN]]
    print_table(
        ["measure", "article", "value", "interval", "n", "verdict"],
        [
            [
                m.measure,
                titles.get(m.item) or f"(untitled {m.item})",
                _number(m.coefficient),
                _interval(m),
                _n(m),
                m.verdict,
            ]
            for m in shown
        ],
    )
    if len(articles) > len(shown):
        print(f"  ... and {len(articles) - len(shown)} more (all in --format json/csv and --html)")


def _print_confusions(layer: LayerAgreement) -> None:
    if not layer.top_confusions:
        return
    print()
    print("most confused labels (count = units x annotator pairs):")
    for pair in layer.top_confusions[:CONFUSIONS_SHOWN]:
        print(f"  {pair.count:>4}  {pair.labels[0]} / {pair.labels[1]}")
        for example in pair.examples:
            print(f"        {example.where}: {_said(example)}")
    hidden = len(layer.top_confusions) - CONFUSIONS_SHOWN
    if hidden > 0:
        print(f"  ... and {hidden} more pairs (all in --format json and --html)")


def _print_feedback(layer: LayerAgreement) -> None:
    feedback = {name: pairs for name, pairs in layer.annotator_confusions.items() if pairs}
    if not feedback:
        return
    print()
    print("each annotator against the others (their label / the other's label):")
    for name, pairs in feedback.items():
        for pair in pairs[:FEEDBACK_SHOWN]:
            places = "; ".join(example.where for example in pair.examples)
            print(f"  {name}: {pair.count:>4}  {pair.labels[0]} / {pair.labels[1]}  e.g. {places}")


def _print_disagreements(layer: LayerAgreement) -> None:
    if not layer.disagreements:
        return
    print()
    print(f"most disagreement: passages by score ({len(layer.disagreements)} in all):")
    for passage in layer.disagreements[:PASSAGES_SHOWN]:
        print(f"  {passage.score:5.2f}  {passage.where}: {_said(passage)}")
    hidden = len(layer.disagreements) - PASSAGES_SHOWN
    if hidden > 0:
        print(f"  ... and {hidden} more passages (all in --format json, --html and --disagreements-csv)")


def _said(passage: Disagreement) -> str:
    return " | ".join(f"{coder}: {said}" for coder, said in passage.coders.items())


def _number(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.3f}"


def _n(measure: Measure) -> str:
    return f"{measure.n_units}/{measure.n_pairable}"


def _interval(measure: Measure) -> str:
    if math.isnan(measure.low):
        return ""
    return f"{measure.low:.3f} - {measure.high:.3f}"
