"""Benchmark: the labelling UI on 100,000 passages and 1,000,000 labels (SQLite).

Measures, each in a fresh process, with same-run baselines (bare Textual apps measured the
same way) and the ratios to them:
- start-up: process start to the first passage on screen (headless), against a bare Textual
  "hello world" app; targets <= 1.5 s and ratio <= 3;
- CPU time per labelling key press, measured inside the app: process CPU over all threads
  from the key event reaching the screen to the screen repainted with the committed label
  (insert, commit, reload of the passage's labels, redraw); p50 and p95 over 500 presses;
  target p95 <= 16 ms; the baseline is a bare app repainting one widget of the passage
  widget's size on each key (target p95 ratio <= 2); the same again on 50,000-character
  passages (inserted directly: the importer cuts passages at 20,000 characters);
- `f1` (guidelines), from the key to the guidelines painted, over span and passage layers,
  against a bare modal pushed the same way; target p95 <= 100 ms;
- peak RSS of the labelling process (the UI must not load the corpus).

    python tests/benchmarks/bench_ui.py [--presses 500] [--opens 40] [--quick]

`--quick` (or ANNOTATOR_BENCH_QUICK=1): 10,000 passages, 100,000 labels, 100 presses.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # measure this checkout, not an installed copy
ANNOTATORS = ("bench", "ann2", "ann3", "ann4", "ann5")
LONG_CHARS = 50_000
PRESSES_PER_PASSAGE = 20
SIZE = (100, 30)


@dataclass(frozen=True)
class Scale:
    """How big the benchmark database is."""

    articles: int
    labels: int

    @property
    def db_path(self) -> Path:
        return Path(tempfile.gettempdir()) / f"annotator-bench-ui-{self.articles * 10}p-{self.labels}l.db"


FULL = Scale(articles=10_000, labels=1_000_000)
QUICK = Scale(articles=1_000, labels=100_000)
SCALE = QUICK if os.environ.get("ANNOTATOR_BENCH_QUICK") == "1" else FULL
DB_PATH = SCALE.db_path
LABELS = SCALE.labels


def build_database() -> None:
    """The articles (10 passages each) imported for real, then the labels bulk-inserted."""
    from annotator.annotators import add_annotator
    from annotator.cli.db_commands import initialise
    from annotator.db.engine import make_engine, write_session
    from annotator.importing.importer import import_paths

    sys.path.insert(0, str(HERE))
    from bench_import import write_corpus

    url = f"sqlite:///{DB_PATH}"
    initialise(url, None)
    engine = make_engine(url)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        write_corpus(corpus, SCALE.articles)
        import_paths(engine, [corpus])
    with write_session(engine) as session:
        ids = [add_annotator(session, name).id for name in ANNOTATORS]
    engine.dispose()
    connection = sqlite3.connect(DB_PATH)
    passages = connection.execute("SELECT id, start FROM passages WHERE annotatable").fetchall()
    rng = random.Random(7)
    now = datetime.now(UTC).isoformat()
    layers = [("actors", "rebel_group"), ("actors", "state_forces"), ("rhetoric", "loaded_language")]
    rows = []
    for number in range(LABELS):
        passage_id, start = passages[number % len(passages)]
        layer, label = layers[number % len(layers)]
        offset = start + rng.randrange(0, 40)
        rows.append(
            (
                passage_id,
                ids[number % len(ids)],
                layer,
                label,
                offset,
                offset + 6,
                None,
                "{}",
                1,
                None,
                0,
                "manual",
                0,
                now,
            )
        )
    with connection:
        connection.executemany(
            "INSERT INTO annotations (passage_id, annotator_id, layer, label, span_start, span_end, target,"
            " attributes, codebook_version_id, supersedes_id, deleted, origin, needs_review, created_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
    connection.close()


def add_long_passages(count: int) -> list[int]:
    """Ids of `count` articles of one 50,000-character passage each, inserted if missing."""
    from sqlalchemy import select

    from annotator.db.engine import make_engine, write_session
    from annotator.db.models import Article, Passage

    engine = make_engine(f"sqlite:///{DB_PATH}")
    with write_session(engine) as session:
        ids = list(session.scalars(select(Passage.id).where(Passage.end - Passage.start == LONG_CHARS)))
        for number in range(len(ids), count):
            text = _long_text(number)
            article = Article(sha256=f"{number:064x}", title=f"Long article {number}", text=text, meta={})
            article.passages.append(Passage(index=0, start=0, end=len(text), kind="body", annotatable=True))
            session.add(article)
            session.flush()
            ids.append(article.passages[0].id)
    engine.dispose()
    return sorted(ids)[:count]


def _long_text(seed: int) -> str:
    """50,000 characters of news-like sentences in one paragraph."""
    rng = random.Random(seed)
    words = ("rebels", "army", "shelled", "the", "bridge", "near", "Kesh", "Marra", "on", "Monday", "residents")
    text = ""
    while len(text) < LONG_CHARS:
        text += " ".join(rng.choice(words) for _ in range(12)).capitalize() + ". "
    return text[: LONG_CHARS - 1] + "."


def measure_startup(kind: str) -> float:
    """Seconds from starting a process to its first usable screen."""
    started = time.time()
    output = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--started", repr(started)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])["ready"]


async def child_startup(kind: str, started: float) -> None:
    if kind == "hello":
        from textual.app import App
        from textual.widgets import Static

        class Hello(App):
            def compose(self):
                yield Static("Hello, world")

        async with Hello().run_test(size=SIZE) as pilot:
            await pilot.pause()
            print(json.dumps({"ready": time.time() - started}))
        return
    from annotator.project import open_project
    from annotator.tui.app import AnnotatorApp

    app = AnnotatorApp(open_project(f"sqlite:///{DB_PATH}"), 1)
    async with app.run_test(size=SIZE) as pilot:
        while app.screen.passage is None if hasattr(app.screen, "passage") else True:
            await asyncio.sleep(0.005)
        await pilot.pause()
        print(json.dumps({"ready": time.time() - started}))


async def child_presses(presses: int, long_ids: list[int]) -> None:
    """Label `presses` words; time each label key inside the app, from key to redrawn screen.

    With `long_ids`, a new annotator labels the 50,000-character passages instead."""
    import annotator.tui.app as app_module
    from annotator.project import open_project
    from annotator.tui.annotate_screen import AnnotateScreen
    from annotator.tui.passage_view import PassageView

    cpu: list[float] = []
    wall: list[float] = []

    class TimedScreen(AnnotateScreen):
        """The real screen, noting CPU and wall time from a label key to the repainted result."""

        started: tuple[float, float] | None = None

        def on_key(self, event) -> None:
            if event.character == "r":
                self.started = (time.process_time(), time.perf_counter())
            super().on_key(event)

        def show_passage(self, data) -> None:
            super().show_passage(data)
            if self.started is not None:
                cpu_start, wall_start = self.started
                self.started = None

                def done() -> None:
                    cpu.append(time.process_time() - cpu_start)
                    wall.append(time.perf_counter() - wall_start)

                self.call_after_refresh(done)

    app_module.AnnotateScreen = TimedScreen
    project = open_project(f"sqlite:///{DB_PATH}")
    annotator_id = _new_annotator(project) if long_ids else 1
    app = app_module.AnnotatorApp(project, annotator_id)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        if long_ids:
            app.screen.open_passage(long_ids[0])
        elif app.screen.shown_passage.labels:
            await pilot.press("enter")  # an earlier run's passage: done, on to a fresh one
        await _settle(pilot)
        assert not long_ids or len(app.screen.shown_passage.text) == LONG_CHARS
        size = app.screen.query_one(PassageView).outer_size
        await _label_words(pilot, presses)
    assert len(cpu) >= 0.9 * presses, f"only {len(cpu)} of {presses} presses were timed"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"cpu": cpu, "wall": wall, "peak_mb": peak_mb, "view": [size.width, size.height]}))


def _new_annotator(project) -> int:
    """A fresh annotator, so every run starts on passages nobody in the benchmark has labelled."""
    from annotator.annotators import add_annotator
    from annotator.db.engine import write_session

    with write_session(project.engine) as session:
        return add_annotator(session, f"long-{time.time_ns()}").id


async def _label_words(pilot, presses: int) -> None:
    """The key presses every measurement shares: next word, label key, done+next every 20."""
    for number in range(presses):
        if number and number % PRESSES_PER_PASSAGE == 0:
            await pilot.press("enter")
            await _settle(pilot)
        await pilot.press("ctrl+right")
        await _settle(pilot)
        await pilot.press("r")
        await _settle(pilot)


async def child_bare_presses(presses: int, width: int, height: int) -> None:
    """The baseline: a bare Textual app repainting one widget of the passage widget's size per "r"."""
    from rich.text import Text
    from textual.app import App
    from textual.widgets import Static

    cpu: list[float] = []
    wall: list[float] = []
    words = _long_text(1)[:1500].split(" ")

    class Bare(App):
        CSS = f"Static {{ width: {width}; height: {height}; border: round $accent; padding: 0 1; }}"

        def compose(self):
            yield Static(" ".join(words))

        def on_key(self, event) -> None:
            if event.character != "r":
                return
            cpu_start, wall_start = time.process_time(), time.perf_counter()
            text = Text()
            for number, word in enumerate(words):
                text.append(word + " ", style="reverse" if number == len(cpu) % len(words) else "")
            self.query_one(Static).update(text)

            def done() -> None:
                cpu.append(time.process_time() - cpu_start)
                wall.append(time.perf_counter() - wall_start)

            self.call_after_refresh(done)

    async with Bare().run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await _label_words(pilot, presses)
    assert len(cpu) == presses, f"only {len(cpu)} of {presses} presses were timed"
    print(json.dumps({"cpu": cpu, "wall": wall}))


async def child_guidelines(opens: int) -> None:
    """Open and close the guidelines `opens` times on each layer; time each open inside the app,
    from `f1` reaching the screen to the guidelines painted; then a bare modal the same way."""
    from textual.screen import ModalScreen
    from textual.widgets import Static

    import annotator.tui.annotate_screen as screen_module
    import annotator.tui.app as app_module
    from annotator.codebook.model import LayerKind
    from annotator.project import open_project

    wall: list[float] = []
    cpu: list[float] = []
    started: list[tuple[float, float]] = []

    def timed(base):
        class Timed(base):
            def on_mount(self) -> None:
                if hasattr(base, "on_mount"):
                    base.on_mount(self)

                def done() -> None:
                    cpu_start, wall_start = started.pop()
                    cpu.append(time.process_time() - cpu_start)
                    wall.append(time.perf_counter() - wall_start)

                self.call_after_refresh(done)

        return Timed

    class BareModal(ModalScreen[None]):
        BINDINGS = [("escape", "dismiss")]

        def __init__(self, markdown: str) -> None:
            super().__init__()

        def compose(self):
            yield Static("guidelines")

    class TimedScreen(screen_module.AnnotateScreen):
        def action_guidelines(self) -> None:
            started.append((time.process_time(), time.perf_counter()))
            super().action_guidelines()

    app_module.AnnotateScreen = TimedScreen
    project = open_project(f"sqlite:///{DB_PATH}")
    app = app_module.AnnotatorApp(project, _new_annotator(project))
    results: dict[str, dict[str, list[float]]] = {}
    guidelines = screen_module.GuidelinesScreen
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("ctrl+right", "r", "home")  # a span label at the cursor, for the label's section
        await _settle(pilot)
        for kind, base in (("guidelines", guidelines), ("bare modal", BareModal)):
            screen_module.GuidelinesScreen = timed(base)
            for index, layer in enumerate(app.screen.codebook.layers):
                while app.screen.layer_index != index:
                    await pilot.press("tab")
                    await _settle(pilot)
                group = f"{kind}, {'span' if layer.kind == LayerKind.SPAN else 'passage'} layers"
                wall.clear()
                cpu.clear()
                for _ in range(opens):
                    await pilot.press("f1")
                    while started:
                        await pilot.pause()
                    await pilot.press("escape")
                    await _settle(pilot)
                results.setdefault(group, {"wall": [], "cpu": []})
                results[group]["wall"] += wall
                results[group]["cpu"] += cpu
            await pilot.press("tab")
            await _settle(pilot)
    print(json.dumps(results))


async def _settle(pilot) -> None:
    for _ in range(3):
        wait_for_database = getattr(pilot.app, "wait_for_database", None)
        if wait_for_database is not None:
            await wait_for_database()
        await pilot.pause()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_child(*args: str) -> dict:
    """Run this file as a child process with `args`; its last output line, as JSON."""
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def spread(values: list[float]) -> str:
    """p50 and p95 of seconds, in milliseconds."""
    return f"p50 {percentile(values, 0.5) * 1000:.1f} ms, p95 {percentile(values, 0.95) * 1000:.1f} ms"


def ratio(values: list[float], baseline: list[float]) -> float:
    """p95(values) / p95(baseline)."""
    return percentile(values, 0.95) / percentile(baseline, 0.95)


def prepare_database() -> None:
    """Build the benchmark database once (it is cached in the temp folder), or bring it to head."""
    if not DB_PATH.exists():
        print(f"building {DB_PATH} ({SCALE.articles * 10:,} passages, {LABELS:,} labels) ...", flush=True)
        started = time.perf_counter()
        build_database()
        print(f"  built in {time.perf_counter() - started:.1f} s")
    else:
        from annotator.db import migrate
        from annotator.db.engine import make_engine

        migrate.upgrade(make_engine(f"sqlite:///{DB_PATH}"))  # a cached database from an older schema


def report_startup() -> None:
    """Start-up of the app and of a bare hello-world app, median of 3 each, and their ratio."""
    hello = statistics.median(measure_startup("hello") for _ in range(3))
    ours = statistics.median(measure_startup("annotate") for _ in range(3))
    print(f"start-up to first usable screen: {ours:.2f} s (median of 3; target <= 1.5 s)")
    print(f"  bare Textual hello-world app, same harness: {hello:.2f} s; ratio {ours / hello:.2f} (target <= 3)")


def report_presses(presses: int) -> None:
    """Key-press CPU on ordinary and on 50,000-character passages, against the bare app."""
    ours = run_child("--child", "presses", "--presses", str(presses))
    width, height = ours["view"]
    bare = run_child("--child", "bare", "--presses", str(presses), "--view", str(width), str(height))
    long_ids = add_long_passages(-(-presses // PRESSES_PER_PASSAGE))
    long = run_child("--child", "presses", "--presses", str(presses), "--long", *map(str, long_ids))
    timed = f"{len(ours['cpu'])}, {len(long['cpu'])} and {len(bare['cpu'])} of {presses} presses timed"
    print(f"labelling key press, CPU incl. commit and redraw ({timed}; target p95 <= 16 ms):")
    print(
        f"  annotate screen:               {spread(ours['cpu'])}; ratio to bare {ratio(ours['cpu'], bare['cpu']):.2f}"
    )
    print(
        f"  50,000-character passages:     {spread(long['cpu'])}; ratio to bare {ratio(long['cpu'], bare['cpu']):.2f}"
    )
    print(f"  bare app, {width}x{height} widget:      {spread(bare['cpu'])} (baseline; target ratio <= 2)")
    print(
        f"  wall time per press: annotate {spread(ours['wall'])}; long {spread(long['wall'])}; bare {spread(bare['wall'])}"
    )
    print(
        f"peak RSS of the labelling process: {ours['peak_mb']:.0f} MB (50,000-character passages: {long['peak_mb']:.0f} MB)"
    )


def report_guidelines(opens: int) -> None:
    """`f1` on every layer, against a bare modal pushed the same way."""
    results = run_child("--child", "f1", "--opens", str(opens))
    print(f"f1 (guidelines), key to painted, {opens} opens per layer (target p95 <= 100 ms wall):")
    for group, times in results.items():
        print(f"  {group}: wall {spread(times['wall'])}; CPU {spread(times['cpu'])}")


def main() -> None:
    """Build or reuse the database, then print every measurement with its baseline."""
    global SCALE, DB_PATH, LABELS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int)
    parser.add_argument("--opens", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="10,000 passages, 100,000 labels, 100 presses")
    parser.add_argument("--child")
    parser.add_argument("--started", type=float)
    parser.add_argument("--view", type=int, nargs=2)
    parser.add_argument("--long", type=int, nargs="*", default=[])
    args = parser.parse_args()
    if args.quick:
        os.environ["ANNOTATOR_BENCH_QUICK"] = "1"  # for the child processes
        SCALE, DB_PATH, LABELS = QUICK, QUICK.db_path, QUICK.labels
    presses = args.presses or (100 if SCALE is QUICK else 500)
    if args.child == "presses":
        asyncio.run(child_presses(presses, args.long))
    elif args.child == "bare":
        asyncio.run(child_bare_presses(presses, *args.view))
    elif args.child == "f1":
        asyncio.run(child_guidelines(args.opens))
    elif args.child:
        asyncio.run(child_startup(args.child, args.started))
    else:
        prepare_database()
        report_startup()
        report_presses(presses)
        report_guidelines(args.opens)


if __name__ == "__main__":
    main()
