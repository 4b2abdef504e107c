"""Benchmark: the full `annotator agreement` report on 1,000,000 labels in four layers.

The SQLite database (100,000 passages in 10,000 articles, 5 annotators of whom 3 label each
passage, every layer of the default codebook, a lead's adjudications on 5% of the passages,
"done" assignments, labels spread over 13 weeks) is generated with bulk Core inserts and
cached under /tmp, keyed by the parameters. The report runs in a subprocess (wall time,
peak RSS from `getrusage(RUSAGE_CHILDREN)`); the baseline, measured in the same run, is
pandas `read_sql` of the same current label rows (`current_labels_query`), nothing else.
Targets: report <= 10 s wall, peak RSS <= 1 GB.

    python tests/benchmarks/bench_agreement_report.py [--passages N] [--labels N] [--boot N]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import insert

from annotator.cli.db_commands import initialise
from annotator.codebook import load_default_codebook
from annotator.db import migrate
from annotator.db.engine import make_engine, resolve_url
from annotator.db.models import Annotation, Annotator, Article, Assignment, Passage
from annotator.labels import current_labels_query

PASSAGES_PER_ARTICLE = 10
ANNOTATORS = 5
PER_PASSAGE = 3
GOLD_SHARE = 0.05
AGREE = 0.8
WEEKS = 13
LEAD = ANNOTATORS + 1
START = datetime(2025, 1, 6, tzinfo=UTC)
CHUNK = 50_000
WORDS = [
    "the",
    "army",
    "said",
    "militants",
    "attacked",
    "a",
    "checkpoint",
    "near",
    "the",
    "river",
    "town",
    "on",
    "tuesday",
    "while",
    "officials",
    "denied",
    "reports",
    "of",
    "civilian",
    "casualties",
    "and",
    "the",
    "group",
    "claimed",
    "responsibility",
    "for",
    "an",
    "ambush",
]


def passage_text(rng: random.Random) -> str:
    """About 40 words of news-like text."""
    return " ".join(rng.choices(WORDS, k=rng.randint(30, 50))).capitalize() + "."


@dataclass(frozen=True)
class Vocabulary:
    """The default codebook's label ids per layer, and its stance targets."""

    events: list[str]
    stances: list[str]
    actors: list[str]
    techniques: list[str]
    targets: list[str]


def generate(path: Path, passages: int, labels: int, seed: int) -> None:
    """Write the benchmark database to `path`: about `labels` current labels."""
    rng = random.Random(seed)
    codebook = load_default_codebook()
    ids = {layer.id: [label.id for label in layer.labels] for layer in codebook.layers}
    vocabulary = Vocabulary(
        ids["event_type"], ids["stance"], ids["actors"], ids["rhetoric"],
        [target.id for target in codebook.targets_for("stance")],
    )  # fmt: skip
    initialise(str(path), None)
    engine = make_engine(resolve_url(str(path)))
    articles, passage_rows, label_rows, assignments = [], [], [], []
    for article in range(passages // PASSAGES_PER_ARTICLE):
        texts = [passage_text(rng) for _ in range(PASSAGES_PER_ARTICLE)]
        text = "\n\n".join(texts)
        articles.append({
            "id": article + 1, "sha256": hashlib.sha256(text.encode()).hexdigest(), "text": text,
            "title": f"Report {article}", "meta": {}, "imported_at": START,
        })  # fmt: skip
        offset = 0
        for index, body in enumerate(texts):
            passage_id = len(passage_rows) + 1
            passage_rows.append({
                "id": passage_id, "article_id": article + 1, "index": index, "start": offset,
                "end": offset + len(body), "kind": "body", "annotatable": True,
            })  # fmt: skip
            new_labels, new_assignments = _label_passage(rng, vocabulary, passage_id, offset, len(body))
            label_rows += new_labels
            assignments += new_assignments
            offset += len(body) + 2
    del label_rows[labels:]
    for number, row in enumerate(label_rows, start=1):
        row.update(id=number, codebook_version_id=1, deleted=False, needs_review=False, supersedes_id=None)
    people = [
        {"id": n, "name": f"person{n}", "role": "lead" if n == LEAD else "annotator", "active": True,
         "created_at": START}
        for n in range(1, LEAD + 1)
    ]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(Annotator), people)
        for table, rows in (
            (Article, articles),
            (Passage, passage_rows),
            (Annotation, label_rows),
            (Assignment, assignments),
        ):
            for offset in range(0, len(rows), CHUNK):
                connection.execute(insert(table), rows[offset : offset + CHUNK])
    engine.dispose()
    print(f"generated {len(passage_rows)} passages, {len(label_rows)} labels", flush=True)


def _label_passage(
    rng: random.Random, vocabulary: Vocabulary, passage_id: int, offset: int, length: int
) -> tuple[list[dict], list[dict]]:
    """Labels of three annotators (and sometimes the lead's adjudication) on one passage,
    and the annotators' "done" assignments."""
    truth_events = rng.sample(vocabulary.events, rng.choice((1, 1, 2)))
    truth_target, truth_stance = rng.choice(vocabulary.targets), rng.choice(vocabulary.stances)
    first = rng.randrange(length - 20)
    truth_actor = (first, first + rng.randint(4, 15), rng.choice(vocabulary.actors))
    second = rng.randrange(length - 40)
    truth_technique = (second, second + rng.randint(10, 35), rng.choice(vocabulary.techniques))
    coders = rng.sample(range(1, ANNOTATORS + 1), PER_PASSAGE)
    if rng.random() < GOLD_SHARE:
        coders.append(LEAD)
    labels, assignments = [], []
    for person in coders:
        when = START + timedelta(days=rng.randrange(WEEKS * 7), seconds=rng.randrange(86_400))
        common = {"passage_id": passage_id, "annotator_id": person, "created_at": when,
                  "origin": "adjudication" if person == LEAD else "manual"}  # fmt: skip
        for event in truth_events if rng.random() < AGREE else [rng.choice(vocabulary.events)]:
            realis = "actual" if rng.random() < AGREE else "claimed"
            labels.append(_label(common, "event_type", event, attributes={"realis": realis}))
        if rng.random() < 0.8:
            stance = truth_stance if rng.random() < AGREE else rng.choice(vocabulary.stances)
            labels.append(_label(common, "stance", stance, target=truth_target))
        if rng.random() < 0.9:
            start, end, label = truth_actor
            shift = 0 if rng.random() < AGREE else rng.randint(-3, 3)
            label = label if rng.random() < AGREE else rng.choice(vocabulary.actors)
            labels.append(_label(common, "actors", label, offset + max(0, start + shift), offset + end))
        if rng.random() < 0.35:
            start, end, label = truth_technique
            label = label if rng.random() < 0.6 else rng.choice(vocabulary.techniques)
            labels.append(_label(common, "rhetoric", label, offset + start + rng.randint(0, 3), offset + end))
        if person != LEAD:
            assignments.append({
                "passage_id": passage_id, "annotator_id": person, "status": "done", "active_seconds": 30.0,
                "rejected_suggestions": [], "created_at": when, "updated_at": when,
            })  # fmt: skip
    return labels, assignments


def _label(common: dict, layer: str, label: str, start=None, end=None, target=None, attributes=None) -> dict:
    return {**common, "layer": layer, "label": label, "span_start": start, "span_end": end, "target": target,
            "attributes": attributes or {}}  # fmt: skip


def cached_database(passages: int, labels: int, seed: int) -> Path:
    """The benchmark database for these parameters and schema, generated on first use."""
    key = hashlib.sha256(f"v1-{passages}-{labels}-{seed}-{migrate.head_revision()}".encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"annotator-bench-agreement-{key}.db"
    if not path.exists():
        partial = path.with_suffix(".partial.db")
        partial.unlink(missing_ok=True)
        started = time.perf_counter()
        generate(partial, passages, labels, seed)
        partial.rename(path)
        print(f"generation took {time.perf_counter() - started:.1f} s (cached at {path})", flush=True)
    return path


def run_report(database: Path, boot: int) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and output size of `annotator agreement` in a fresh process."""
    env = os.environ | {"PYTHONWARNINGS": "ignore"}
    command = [sys.executable, "-m", "annotator", "agreement", "--db", str(database), "--boot", str(boot)]
    started = time.perf_counter()
    result = subprocess.run(command, check=True, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak_kb / 1024, len(result.stdout.splitlines())


def pandas_baseline(database: Path) -> tuple[float, int]:
    """Seconds for pandas `read_sql` of the current label rows, and their number."""
    engine = make_engine(resolve_url(str(database)))
    started = time.perf_counter()
    with engine.connect() as connection:
        frame = pd.read_sql(current_labels_query(), connection)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, len(frame)


def main() -> int:
    """Generate (or reuse) the database, then time the report and the baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--labels", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--boot", type=int, default=200, help="bootstrap resamples (the CLI default)")
    args = parser.parse_args()
    database = cached_database(args.passages, args.labels, args.seed)
    load = os.getloadavg()[0]
    wall, peak_mb, lines = run_report(database, args.boot)
    baseline, rows = pandas_baseline(database)
    print(
        f"annotator agreement: {wall:.1f} s wall, peak RSS {peak_mb:.0f} MB ({lines} lines of tables; "
        f"load average {load:.2f} on {os.cpu_count()} CPUs before the run)"
    )
    print(f"pandas read_sql of the {rows} current label rows: {baseline:.1f} s")
    print(f"ratio report / baseline: {wall / baseline:.1f}x")
    ok = wall <= 10 and peak_mb <= 1024
    print(f"targets (<= 10 s, <= 1024 MB): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
