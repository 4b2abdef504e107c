"""`annotator assign` and `annotator review`: team workflow for leads."""

from __future__ import annotations

import argparse

from annotator.adjudication import accept_unanimous, require_lead
from annotator.assignment import DEFAULT_CLAIM_MINUTES, assign_static, start_dynamic
from annotator.cli.output import print_table
from annotator.db.engine import read_session
from annotator.errors import AnnotatorError
from annotator.project import Project, open_project
from annotator.security import require_lead_connection, session_annotator


def register(subcommands, common) -> None:
    """Add `assign` and `review` to the command line."""
    assign = subcommands.add_parser(
        "assign", parents=[common], help="give passages to annotators, K per passage (or let them claim: --dynamic)"
    )
    assign.add_argument("--overlap", type=int, required=True, metavar="K", help="annotators per passage")
    assign.add_argument("--annotators", metavar="A,B,...", help="only these people (default: every active annotator)")
    assign.add_argument("--articles", metavar="ID,...", help="only these article ids")
    assign.add_argument("--limit", type=int, metavar="N", help="give out at most N passages in this run")
    assign.add_argument(
        "--overlap-share",
        type=float,
        default=0.0,
        metavar="S",
        help="a share S of the articles get one annotator more (an agreement sample)",
    )
    assign.add_argument("--seed", type=int, default=0, help="chooses the --overlap-share articles (default 0)")
    assign.add_argument("--dynamic", action="store_true", help="annotators claim the next passage as they finish one")
    assign.add_argument(
        "--claim-minutes",
        type=int,
        default=DEFAULT_CLAIM_MINUTES,
        metavar="M",
        help=f"with --dynamic: a claim nobody works on for M minutes is freed (default {DEFAULT_CLAIM_MINUTES})",
    )
    assign.set_defaults(handler=run_assign)

    review = subcommands.add_parser(
        "review", parents=[common], help="adjudicate disagreements into the gold layer (leads only)"
    )
    review.add_argument("--annotator", metavar="LEAD", help="the lead reviewing (implied by a mapped database role)")
    review.add_argument(
        "--accept-unanimous",
        action="store_true",
        help="no screen: make gold, in one go, every layer all of a passage's annotators agree on "
        "(same labels, same attributes); passages a lead decided are left alone",
    )
    review.add_argument(
        "--layer", action="append", metavar="L", help="with --accept-unanimous: only layer L (repeatable)"
    )
    review.set_defaults(handler=run_review)


def run_assign(args: argparse.Namespace) -> int:
    project = open_project(args.db)
    with read_session(project.engine) as session:
        require_lead_connection(session)
    if args.dynamic:
        static_only = [
            flag
            for flag, value in (
                ("--annotators", args.annotators),
                ("--articles", args.articles),
                ("--limit", args.limit),
                ("--overlap-share", args.overlap_share),
            )
            if value
        ]
        if static_only:
            raise AnnotatorError(f"--dynamic takes only --overlap and --claim-minutes, not {', '.join(static_only)}")
        needing = start_dynamic(project.engine, overlap=args.overlap, claim_minutes=args.claim_minutes)
        print(
            f"dynamic assignment: {args.overlap} annotator(s) per passage, claims freed after "
            f"{args.claim_minutes} min idle; {needing} passages still need annotators"
        )
        return 0
    report = assign_static(
        project.engine,
        overlap=args.overlap,
        annotator_names=_names(args.annotators),
        article_ids=_ids(args.articles),
        limit=args.limit,
        overlap_share=args.overlap_share,
        seed=args.seed,
    )
    extra = f" ({report.doubled_articles} articles with one more)" if report.doubled_articles else ""
    rows = sum(report.new.values())
    print(f"assigned {rows} rows over {report.passages} passages, {args.overlap} per passage{extra}")
    if report.short:
        print(f"{report.short} passages are short of annotators (everyone available already had them)")
    print_table(
        ["annotator", "new", "assigned in all"], [[name, report.new[name], report.totals[name]] for name in report.new]
    )
    return 0


def run_review(args: argparse.Namespace) -> int:
    project = open_project(args.db)
    with read_session(project.engine) as session:
        lead = session_annotator(session, args.annotator)
        require_lead(session, lead.id)
    if args.layer and not args.accept_unanimous:
        raise AnnotatorError("--layer goes with --accept-unanimous")
    if args.accept_unanimous:
        return _accept_unanimous(project, lead.id, args.layer)
    from annotator.tui.review_app import run_review_app  # Textual loads only for the commands that need it

    return run_review_app(project, lead.id)


def _names(value: str | None) -> list[str] | None:
    return [name.strip() for name in value.split(",") if name.strip()] if value else None


def _ids(value: str | None) -> list[int] | None:
    if not value:
        return None
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise AnnotatorError(f"--articles wants article ids separated by commas, got {value!r}") from None


def _accept_unanimous(project: Project, lead_id: int, layers: list[str] | None) -> int:
    """`review --accept-unanimous`: accept every unanimous layer, then say what was left."""
    layers = layers or [layer.id for layer in project.codebook.layers]
    counts = accept_unanimous(project.engine, lead_id=lead_id, layers=layers)
    print(
        f"accepted {sum(count.accepted for count in counts)} passage layer(s) as gold "
        f"({sum(count.labels for count in counts)} labels); {sum(count.left for count in counts)} left for review"
    )
    print_table(
        ["layer", "passages accepted", "gold labels", "left for review", "already decided"],
        [[count.layer, count.accepted, count.labels, count.left, count.decided] for count in counts],
    )
    return 0
