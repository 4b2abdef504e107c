"""Benchmark: `annotator import` of 10,000 synthetic articles (~100,000 passages).

Baseline measured in the same run: raw `sqlite3` `executemany` of the same article and passage
rows into the same schema (the floor for this work). Targets: import <= 5 s, floor/import >= 0.30.
Also reports the PostgreSQL import time when a server is reachable.

    python tests/benchmarks/bench_import.py [--articles N] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from annotator.cli.db_commands import initialise
from annotator.importing.segment import segment

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


def synthetic_article(rng: random.Random, number: int) -> dict:
    """An article of ten paragraphs of three to five sentences, with a citation marker."""
    paragraphs = []
    for _ in range(10):
        sentences = []
        for _ in range(rng.randint(3, 5)):
            words = rng.choices(WORDS, k=rng.randint(8, 18))
            sentences.append(" ".join(words).capitalize() + ".")
        paragraphs.append(" ".join(sentences) + f" [[{rng.randint(1, 20)}]]")
    return {
        "id": f"synthetic-{number:05d}",
        "title": f"Synthetic report {number}",
        "text": "\n\n".join(paragraphs),
        "url": f"https://example.org/{number}",
        "source": "Synthetic Wire",
        "author": "Bench Mark",
        "published": "2026-01-15",
        "desk": "bench",
    }


def write_corpus(path: Path, count: int) -> list[dict]:
    """Write `count` articles as JSONL and return them."""
    rng = random.Random(42)
    articles = [synthetic_article(rng, number) for number in range(count)]
    with path.open("w", encoding="utf-8") as handle:
        for article in articles:
            handle.write(json.dumps(article) + "\n")
    return articles


def raw_sqlite_floor(db_path: Path, articles: list[dict]) -> tuple[float, int]:
    """Insert the same rows with plain `executemany`; passage offsets are precomputed (not timed)."""
    segmented = [segment(article["text"]) for article in articles]
    now = datetime.now(UTC).isoformat()
    article_rows = [
        (
            number + 1,
            article["id"],
            hashlib.sha256(article["text"].encode()).hexdigest(),
            article["title"],
            article["author"],
            article["source"],
            article["url"],
            article["published"],
            article["text"],
            json.dumps({"desk": article["desk"]}),
            now,
        )
        for number, article in enumerate(articles)
    ]
    passage_rows = [
        (number + 1, index, seg.start, seg.end, seg.kind, seg.annotatable)
        for number, segments in enumerate(segmented)
        for index, seg in enumerate(segments)
    ]
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    started = time.perf_counter()
    with connection:
        connection.executemany(
            "INSERT INTO articles (id, external_id, sha256, title, author, source, url, published,"
            " text, meta, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            article_rows,
        )
        connection.executemany(
            'INSERT INTO passages (article_id, "index", start, "end", kind, annotatable) VALUES (?,?,?,?,?,?)',
            passage_rows,
        )
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed, len(passage_rows)


def time_cli_import(url: str, corpus: Path) -> tuple[float, str]:
    """Wall time of the real command in a fresh process, and its summary line."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "annotator", "import", str(corpus), "--db", url],
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, result.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("ANNOTATOR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        corpus = workdir / "corpus.jsonl"
        articles = write_corpus(corpus, args.articles)
        print(f"corpus: {args.articles} articles, {corpus.stat().st_size / 1e6:.1f} MB JSONL")

        floor_db = workdir / "floor.db"
        initialise(f"sqlite:///{floor_db}", None)
        floor, passages = raw_sqlite_floor(floor_db, articles)

        import_db = workdir / "import.db"
        initialise(f"sqlite:///{import_db}", None)
        wall, summary = time_cli_import(f"sqlite:///{import_db}", corpus)
        print(f"annotator import (SQLite, whole command): {wall:.2f} s  [{summary}]")
        print(f"raw sqlite3 executemany of {args.articles} articles + {passages} passages: {floor:.2f} s")
        print(f"ratio raw/import: {floor / wall:.3f}  (target >= 0.30; import target <= 5 s)")

        schema = f"bench_{os.getpid()}"
        admin = create_engine(args.pg_url)
        try:
            with admin.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
        except Exception as error:
            print(f"PostgreSQL: skipped ({str(error).splitlines()[0]})")
            return
        try:
            url = f"{args.pg_url}?options=-csearch_path%3D{schema}"
            initialise(url, None)
            wall, summary = time_cli_import(url, corpus)
            print(f"annotator import (PostgreSQL, whole command): {wall:.2f} s  [{summary}]")
        finally:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()
