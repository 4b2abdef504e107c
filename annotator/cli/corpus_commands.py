"""`annotator status` and `annotator history`: what the corpus holds, what was done to a passage."""

from __future__ import annotations

import argparse
import json
from typing import Any

from sqlalchemy import select

from annotator.cli.output import print_table
from annotator.codebook import Attribute, Codebook
from annotator.db.engine import read_session
from annotator.db.models import Annotation, Annotator
from annotator.errors import one_line
from annotator.labels import passage_history
from annotator.project import open_project
from annotator.status import corpus_status


def register(subcommands, common) -> None:
    """Add `status` and `history` to the command line."""
    status = subcommands.add_parser("status", parents=[common], help="corpus and progress summary")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(handler=run_status)

    history = subcommands.add_parser("history", parents=[common], help="every label revision ever written on a passage")
    history.add_argument("passage_id", type=int, metavar="PASSAGE_ID")
    history.set_defaults(handler=run_history)


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
    by_id = {row.id: row for row in rows}
    print_table(
        [
            "rev",
            "when (UTC)",
            "annotator",
            "layer",
            "label",
            "span",
            "target",
            "replaces",
            "action",
            "origin",
            "attributes",
        ],
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
                _attribute_cell(row, by_id, project.codebook),
            ]
            for row in rows
        ],
    )
    return 0


def _attribute_cell(row: Annotation, by_id: dict[int, Annotation], codebook: Codebook) -> str:
    """The attributes an added revision sets (`Realis: Claimed`), or those an edit changes from
    the revision it replaces (`Realis: Actual -> Claimed`), by their codebook names; nothing on
    a delete. `by_id` holds the passage's revisions."""
    if row.deleted:
        return ""
    new = row.attributes or {}
    replaced = by_id.get(row.supersedes_id) if row.supersedes_id is not None else None
    old = None if replaced is None else replaced.attributes or {}
    parts = []
    for key in dict.fromkeys([*(old or {}), *new]):
        attribute = _attribute(codebook, row.layer, key)
        name = one_line(attribute.name if attribute else key)
        if old is None:
            parts.append(f"{name}: {_value_name(attribute, new[key])}")
        elif old.get(key) != new.get(key):
            parts.append(f"{name}: {_value_name(attribute, old.get(key))} -> {_value_name(attribute, new.get(key))}")
    return "; ".join(parts)


def _attribute(codebook: Codebook, layer_id: str, attribute_id: str) -> Attribute | None:
    """The codebook's attribute, or None where the codebook no longer has its layer or it."""
    try:
        return codebook.layer(layer_id).attribute(attribute_id)
    except KeyError:
        return None


def _value_name(attribute: Attribute | None, value: Any) -> str:
    """A stored attribute value for people: a choice's display name, `yes`/`no` for a flag,
    `unset` when absent, else the stored value itself."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "yes" if value else "no"
    choices = attribute.values if attribute else ()
    return one_line(next((choice.name for choice in choices if choice.id == value), str(value)))


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
