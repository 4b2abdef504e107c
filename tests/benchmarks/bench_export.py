"""Benchmark: `annotator export` of a release with 100,000 passages and 1,000,000 labels.

The SQLite database (10,000 articles x 10 passages, 3-5 of 5 annotators per passage, labels
in every layer of the default codebook, 2% of them edited once) is generated with bulk Core
inserts in a child process and cached under /tmp, keyed by the parameters. The export runs in
a subprocess: wall time, and peak RSS from the child's own rusage (`os.wait4`, the per-child
form of `getrusage(RUSAGE_CHILDREN)`, so the generator's memory does not count). The
baseline, measured in the same run, writes the same rows (read back from the export) with
pandas `to_parquet`. Targets: export <= 30 s wall, peak RSS <= 2 GB.

    python tests/benchmarks/bench_export.py [--articles N] [--labels N]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
from sqlalchemy import insert

from annotator.cli.db_commands import initialise
from annotator.codebook import load_default_codebook
from annotator.db import migrate
from annotator.db.engine import make_engine, resolve_url
from annotator.db.models import Annotation, Annotator, Article, Passage
from annotator.releases import create_release

PASSAGES_PER_ARTICLE = 10
ANNOTATORS = 5
EDITED_SHARE = 0.02
CHUNK = 50_000
TAG = "bench"
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
    "on",
    "a",
    "convoy",
    "as",
    "residents",
    "fled",
    "toward",
    "the",
    "border",
    "amid",
    "shelling",
]
NAMES = ["Karvessa", "Ostrel", "Velisk", "Tavrin", "Dulmore", "Meridan", "Kesh", "Marra"]


def paragraph(rng: random.Random) -> str:
    """Three to five sentences of news-like words with a few place names."""
    sentences = []
    for _ in range(rng.randint(3, 5)):
        words = rng.choices(WORDS, k=rng.randint(8, 18))
        words[rng.randrange(len(words))] = rng.choice(NAMES)
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def word_spans(text: str, start: int) -> list[tuple[int, int]]:
    """Absolute offsets of the words of a passage."""
    spans, offset = [], 0
    for word in text.split(" "):
        spans.append((start + offset, start + offset + len(word.rstrip("."))))
        offset += len(word) + 1
    return spans


def label_row(passage_id: int, person: int, layer: str, label: str, start=None, end=None, target=None, attributes=None):
    """One `annotations` row's content."""
    return {
        "passage_id": passage_id,
        "annotator_id": person,
        "layer": layer,
        "label": label,
        "span_start": start,
        "span_end": end,
        "target": target,
        "attributes": attributes or {},
    }


def annotate(rng: random.Random, layers: tuple, passage: dict, body: str, targets: list[str]) -> list[dict]:
    """Labels of 3 to 5 annotators on one passage, each copying a shared truth 75% of the time:
    an event type each, and on average 0.8 actor spans, 0.4 rhetoric spans and 0.3 stances."""
    actors, events, stance, rhetoric = layers
    words = word_spans(body, passage["start"])
    truth_event = rng.choice(events.labels).id
    truth_actors = {rng.randrange(len(words)): rng.choice(actors.labels).id for _ in range(2)}
    first = rng.randrange(len(words) - 3)
    truth_rhetoric = (words[first][0], words[first + 2][1], rng.choice(rhetoric.labels).id)
    truth_stance = (rng.choice(targets), rng.choice(stance.labels).id)

    def agree(truth, other):
        return truth if rng.random() < 0.75 else other

    rows = []
    for person in sorted(rng.sample(range(1, ANNOTATORS + 1), rng.randint(3, 5))):
        event = agree(truth_event, rng.choice(events.labels).id)
        realis = {"realis": agree("actual", "claimed")}
        rows.append(label_row(passage["id"], person, events.id, event, attributes=realis))
        for position, label in list(truth_actors.items())[: int(0.8 + rng.random())]:
            position = agree(position, rng.randrange(len(words)))
            label = agree(label, rng.choice(actors.labels).id)
            rows.append(label_row(passage["id"], person, actors.id, label, *words[position]))
        if rng.random() < 0.4:
            label = agree(truth_rhetoric[2], rng.choice(rhetoric.labels).id)
            rows.append(label_row(passage["id"], person, rhetoric.id, label, *truth_rhetoric[:2]))
        if rng.random() < 0.3:
            label = agree(truth_stance[1], rng.choice(stance.labels).id)
            quoted = {"quoted": rng.random() < 0.1}
            rows.append(label_row(passage["id"], person, stance.id, label, target=truth_stance[0], attributes=quoted))
    return rows


def generate(path: Path, articles: int, labels: int, seed: int) -> None:
    """Write the benchmark database to `path`."""
    rng = random.Random(seed)
    codebook = load_default_codebook()
    layers = {layer.id: layer for layer in codebook.layers}
    actors, events, stance, rhetoric = (layers[name] for name in ("actors", "event_type", "stance", "rhetoric"))
    targets = [target.id for target in codebook.targets_for(stance.id)]
    initialise(str(path), None)
    engine = make_engine(resolve_url(str(path)))
    now = datetime.now(UTC)
    article_rows, passage_rows, texts = [], [], []
    for number in range(articles):
        paragraphs = [paragraph(rng) for _ in range(PASSAGES_PER_ARTICLE)]
        text = "\n\n".join(paragraphs)
        article_rows.append(
            {
                "id": number + 1,
                "external_id": f"bench-{number:05d}",
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
                "title": f"Report {number}",
                "author": None,
                "source": "Bench Wire",
                "url": f"https://example.org/{number}",
                "published": date(2025, 1 + number % 12, 1 + number % 28),
                "text": text,
                "meta": {},
                "origin": None,
                "imported_at": now,
            }
        )
        offset = 0
        for index, body in enumerate(paragraphs):
            passage_rows.append(
                {
                    "id": len(passage_rows) + 1,
                    "article_id": number + 1,
                    "index": index,
                    "start": offset,
                    "end": offset + len(body),
                    "kind": "body",
                    "annotatable": True,
                }
            )
            texts.append(body)
            offset += len(body) + 2
    label_rows: list[dict] = []
    for passage, body in zip(passage_rows, texts, strict=True):
        label_rows += annotate(rng, (actors, events, stance, rhetoric), passage, body, targets)
    del label_rows[labels:]
    annotation_rows = []
    for row in label_rows:
        common = {
            "codebook_version_id": 1,
            "deleted": False,
            "origin": "manual",
            "needs_review": False,
            "created_at": now,
        }
        if rng.random() < EDITED_SHARE:
            annotation_rows.append({**row, **common, "id": len(annotation_rows) + 1, "supersedes_id": None})
            annotation_rows.append(
                {**row, **common, "id": len(annotation_rows) + 1, "supersedes_id": len(annotation_rows)}
            )
        else:
            annotation_rows.append({**row, **common, "id": len(annotation_rows) + 1, "supersedes_id": None})
    with engine.begin() as connection:
        connection.execute(
            insert(Annotator),
            [
                {"id": n, "name": f"person{n}", "role": "annotator", "active": True, "created_at": now}
                for n in range(1, ANNOTATORS + 1)
            ],
        )
        for table, rows in ((Article, article_rows), (Passage, passage_rows), (Annotation, annotation_rows)):
            for offset in range(0, len(rows), CHUNK):
                connection.execute(insert(table), rows[offset : offset + CHUNK])
    create_release(engine, TAG, "benchmark")
    engine.dispose()
    print(
        f"generated {len(article_rows)} articles, {len(passage_rows)} passages, "
        f"{len(label_rows)} current labels ({len(annotation_rows)} revisions)",
        flush=True,
    )


def cached_database(articles: int, labels: int, seed: int) -> Path:
    """The benchmark database for these parameters and schema, generated on first use."""
    key = hashlib.sha256(f"v3-{articles}-{labels}-{seed}-{migrate.head_revision()}".encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"annotator-bench-export-{key}.db"
    if not path.exists():
        partial = path.with_suffix(".partial.db")
        partial.unlink(missing_ok=True)
        started = time.perf_counter()
        command = [
            sys.executable,
            __file__,
            "--generate",
            str(partial),
            "--articles",
            str(articles),
            "--labels",
            str(labels),
            "--seed",
            str(seed),
        ]
        subprocess.run(command, check=True)
        partial.rename(path)
        print(f"generation took {time.perf_counter() - started:.1f} s (cached at {path})", flush=True)
    return path


def run_export(database: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of `annotator export --release bench` in a fresh process."""
    env = os.environ | {"HF_DATASETS_OFFLINE": "1", "PYTHONWARNINGS": "ignore"}
    command = [
        sys.executable,
        "-m",
        "annotator",
        "export",
        "--db",
        str(database),
        "--out",
        str(out),
        "--release",
        TAG,
        "--force",
    ]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"annotator export failed with exit code {child.returncode}")
    return wall, usage.ru_maxrss / 1024


def pandas_baseline(export: Path, scratch: Path) -> tuple[float, int]:
    """Seconds for pandas `to_parquet` of every file of the export (read back first, not timed)."""
    frames = [(path, pq.read_table(path).to_pandas()) for path in sorted(export.glob("*/*.parquet"))]
    started = time.perf_counter()
    for path, frame in frames:
        frame.to_parquet(scratch / f"{path.parent.name}-{path.name}")
    return time.perf_counter() - started, sum(len(frame) for _, frame in frames)


def main() -> int:
    """Generate (or reuse) the database, then time the export and the baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--labels", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--generate", type=Path, metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(args.generate, args.articles, args.labels, args.seed)
        return 0
    database = cached_database(args.articles, args.labels, args.seed)
    work = Path(tempfile.mkdtemp(prefix="annotator-bench-export-"))
    try:
        wall, peak_mb = run_export(database, work / "export")
        baseline, rows = pandas_baseline(work / "export", work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"annotator export: {wall:.1f} s wall, peak RSS {peak_mb:.0f} MB ({rows} rows in gold + raw)")
    print(f"pandas to_parquet of the same rows: {baseline:.1f} s")
    print(f"ratio export / baseline: {wall / baseline:.1f}x")
    ok = wall <= 30 and peak_mb <= 2048
    print(f"targets (<= 30 s, <= 2048 MB): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
