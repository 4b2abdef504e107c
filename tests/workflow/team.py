"""Builders for team-workflow tests: a small corpus, annotators and a lead, labels through the Workbench."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from annotator.annotators import add_annotator
from annotator.cli.db_commands import initialise
from annotator.db.engine import read_session, write_session
from annotator.db.models import Assignment, Passage
from annotator.importing.importer import import_paths
from annotator.labels import LabelContent
from annotator.project import Project, open_project
from annotator.workbench import Workbench

PARAGRAPHS = (
    "The Ostrel Liberation Front attacked the bridge at Kesh Marra on Monday, the army said.",
    "Government forces later retook it. The Front denied any losses.",
    "Residents said shelling continued into the night near the river.",
    "Aid groups asked both sides to let convoys through the valley.",
)


def write_corpus(directory: Path, articles: int, paragraphs: int) -> list[Path]:
    """`articles` files of a title and `paragraphs` distinct paragraphs each."""
    paths = []
    for number in range(articles):
        body = "\n\n".join(
            f"{PARAGRAPHS[i % len(PARAGRAPHS)]} Filed as report {number}-{i}." for i in range(paragraphs)
        )
        path = directory / f"article_{number:03d}.txt"
        path.write_text(f"Report number {number}\n\n{body}\n", encoding="utf-8")
        paths.append(path)
    return paths


def team_project(
    url: str,
    directory: Path,
    *,
    articles: int = 3,
    paragraphs: int = 3,
    annotators: tuple[str, ...] = ("alice", "bob", "carol"),
    leads: tuple[str, ...] = ("lee",),
) -> tuple[Project, dict[str, int]]:
    """An initialised project with a corpus imported, annotators and leads; returns their ids."""
    initialise(url, None)
    project = open_project(url)
    report = import_paths(project.engine, write_corpus(directory, articles, paragraphs))
    assert report.ok, report.errors
    with write_session(project.engine) as session:
        ids = {name: add_annotator(session, name).id for name in annotators}
        ids |= {name: add_annotator(session, name, "lead").id for name in leads}
    return project, ids


def passage_ids(project: Project) -> list[int]:
    """Every annotatable passage id, in order."""
    with read_session(project.engine) as session:
        return list(session.scalars(select(Passage.id).where(Passage.annotatable.is_(True)).order_by(Passage.id)))


def passage(project: Project, passage_id: int) -> Passage:
    """One passage row."""
    with read_session(project.engine) as session:
        return session.get(Passage, passage_id)


def label_and_finish(project: Project, annotator_id: int, passage_id: int, labels: list[tuple]) -> Workbench:
    """Label a passage as one annotator (through the Workbench) and mark it done.

    `labels` holds (layer, label) for passage layers or (layer, label, start, end) with offsets
    relative to the passage for span layers.
    """
    bench = Workbench(project.engine, annotator_id, project.active)
    start = passage(project, passage_id).start
    for spec in labels:
        layer, label, *span = spec
        content = LabelContent(layer, label, start + span[0], start + span[1]) if span else LabelContent(layer, label)
        bench.add(passage_id, content)
    bench.set_status(passage_id, "done")
    return bench


def work_rows(project: Project) -> list[Assignment]:
    """Every assignment row."""
    with read_session(project.engine) as session:
        return list(session.scalars(select(Assignment).order_by(Assignment.id)))
