"""Many annotators at once, through the same Workbench calls as the UI, in separate processes.

Eight processes on PostgreSQL and four on SQLite claim passages dynamically (two people per
passage) and add, edit, delete, undo and redo labels as fast as they can. Each keeps its own
account of what its labels must be; afterwards the database must hold exactly that: no lost
label, no duplicate, one revision per action, never more than two people on a passage, and no
error (such as "database is locked") ever escaped to a process.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select

from annotator.annotators import add_annotator
from annotator.assignment import start_dynamic
from annotator.db.engine import read_session, write_session
from annotator.db.models import Annotation, Assignment
from annotator.labels import current_labels_query
from tests.workflow.concurrency_worker import annotate
from tests.workflow.team import team_project

OVERLAP = 2
PROCESSES = {"sqlite": 4, "postgresql": 8}
ACTIONS = {"sqlite": 300, "postgresql": 300}
"""Label actions per process."""


@pytest.fixture
def crowd(db_url, tmp_path):
    backend = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    project, _ = team_project(db_url, tmp_path, articles=60, paragraphs=5, annotators=(), leads=())
    with write_session(project.engine) as session:
        ids = [add_annotator(session, f"annotator_{n:02d}").id for n in range(PROCESSES[backend])]
    start_dynamic(project.engine, overlap=OVERLAP)
    yield project, db_url, backend, ids
    project.engine.dispose()


def run_crowd(url: str, ids: list[int], actions: int, lapses: bool = False) -> tuple[list, float]:
    """Start one process per annotator at once; their reports and the wall time."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(ids) + 1)
    results = context.Queue()
    processes = [
        context.Process(target=annotate, args=(url, annotator_id, seed, actions, barrier, results, lapses))
        for seed, annotator_id in enumerate(ids)
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=120)
    started = time.monotonic()
    reports = []
    for _ in processes:
        try:
            reports.append(results.get(timeout=120))
        except queue.Empty:
            pytest.fail("a process neither finished nor reported an error")
    elapsed = time.monotonic() - started
    for process in processes:
        process.join(timeout=30)
    return reports, elapsed


def database_state(project) -> tuple[dict[int, int], dict[int, Counter], list]:
    """Revisions per annotator, each annotator's current labels (counted), every work row."""
    with read_session(project.engine) as session:
        revisions = dict(
            session.execute(select(Annotation.annotator_id, func.count()).group_by(Annotation.annotator_id)).all()
        )
        current: dict[int, Counter] = defaultdict(Counter)
        for row in session.scalars(current_labels_query()):
            current[row.annotator_id][
                (row.passage_id, row.layer, row.label, row.span_start, row.span_end, row.target)
            ] += 1
        rows = list(session.execute(select(Assignment.passage_id, Assignment.annotator_id, Assignment.status)).all())
    return revisions, current, rows


def test_concurrent_annotators_lose_nothing_and_never_exceed_the_overlap(crowd):
    project, url, backend, ids = crowd
    reports, elapsed = run_crowd(url, ids, ACTIONS[backend])
    errors = [report for report in reports if report[0] == "error"]
    assert not errors, "\n".join(f"annotator {e[1]}:\n{e[2]}" for e in errors)
    accounts = {report["annotator_id"]: report for _, report in reports}
    total = sum(report["actions"] for report in accounts.values())
    print(f"\n{backend}: {len(ids)} processes, {total} label actions in {elapsed:.1f}s")
    assert total >= len(ids) * ACTIONS[backend] * 0.9

    revisions, current, rows = database_state(project)

    for annotator_id, report in accounts.items():
        assert revisions.get(annotator_id, 0) == report["actions"], "one revision per label action"
        assert dict(current[annotator_id]) == report["labels"], "the database holds exactly what was written"
        assert all(count == 1 for count in current[annotator_id].values()), "no duplicate label"
        assert len(report["finished"]) == len(set(report["finished"])), "no passage twice"

    holding = Counter(passage_id for passage_id, _, status in rows if status != "skipped")
    assert max(holding.values()) <= OVERLAP
    skipped = {(passage_id, annotator_id) for passage_id, annotator_id, status in rows if status == "skipped"}
    labelled = defaultdict(set)
    for annotator_id, labels in current.items():
        for label_key in labels:
            if (label_key[0], annotator_id) not in skipped:
                labelled[label_key[0]].add(annotator_id)
    assert max(len(people) for people in labelled.values()) <= OVERLAP


def test_lapsed_claims_taken_over_never_let_more_than_k_finish_and_lose_nothing(crowd):
    """Annotators walk away mid-passage (their claims lapse) and come back to write there: a
    write on a passage someone else took in the meantime is refused, never half done."""
    project, url, backend, ids = crowd
    reports, _elapsed = run_crowd(url, ids, ACTIONS[backend] // 2, lapses=True)
    errors = [report for report in reports if report[0] == "error"]
    assert not errors, "\n".join(f"annotator {e[1]}:\n{e[2]}" for e in errors)
    accounts = {report["annotator_id"]: report for _, report in reports}
    refused = sum(report["refused"] for report in accounts.values())
    print(f"\n{backend}: {refused} writes refused on claims taken over")
    assert refused > 0  # the run did produce take-overs to refuse
    revisions, current, rows = database_state(project)
    for annotator_id, report in accounts.items():
        assert revisions.get(annotator_id, 0) == report["actions"], "a refused write wrote nothing"
        assert dict(current[annotator_id]) == report["labels"], "the database holds exactly what was written"
    finished = Counter(passage_id for passage_id, _, status in rows if status in ("done", "flagged"))
    assert max(finished.values()) <= OVERLAP, "never more people finished a passage than K"
