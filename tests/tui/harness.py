"""Drive the labelling app in tests: build a project, run the app headless, read the screen."""

from __future__ import annotations

import html
import re
from pathlib import Path

from rich.cells import cell_len
from sqlalchemy import select

from annotator.annotators import add_annotator
from annotator.cli.db_commands import initialise
from annotator.db.engine import read_session, write_session
from annotator.db.models import Annotation, Assignment, Passage
from annotator.importing.importer import import_paths
from annotator.labels import current_labels_query
from annotator.project import Project, open_project
from annotator.tui.app import AnnotatorApp
from annotator.tui.passage_view import PassageView

BRIDGE_ARTICLE = """Army retakes Kesh Marra bridge

The Ostrel Liberation Front attacked the bridge at Kesh Marra on Monday, the army said.

Government forces later retook it. The Ostrel Liberation Front denied any losses.

Residents said shelling continued into the night.
"""
"""A three-paragraph article most screen tests label."""


def make_project(
    url: str, corpus: list[Path], people: tuple[str, ...] = ("alice", "bob"), codebook: Path | None = None
) -> tuple[Project, dict[str, int]]:
    """An initialised project with `corpus` imported and `people` added; returns their ids."""
    initialise(url, codebook)
    project = open_project(url)
    report = import_paths(project.engine, corpus)
    assert report.ok, report.errors
    with write_session(project.engine) as session:
        ids = {name: add_annotator(session, name).id for name in people}
    return project, ids


def write_article(directory: Path, name: str, text: str) -> Path:
    """Write one article file and return its path."""
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


async def settle(pilot) -> None:
    """Let every queued database job run and its answer reach the screen."""
    for _ in range(4):
        await pilot.app.wait_for_database()
        await pilot.pause()


_SVG_TEXT = re.compile(
    r'<text [^>]*?x="([0-9.]+)"[^>]*?textLength="([0-9.]+)"[^>]*?-line-([0-9]+)\)"[^>]*>(.*?)</text>'
)


def screen_lines(app: AnnotatorApp) -> list[str]:
    """The characters on the screen, line by line, as the terminal would get them (read from
    Textual's public SVG screenshot: each run of text is placed at its column on its line)."""
    runs: dict[int, list[tuple[int, str]]] = {}
    for x, length, line, content in _SVG_TEXT.findall(app.export_screenshot()):
        text = html.unescape(content.replace("&#160;", " "))
        column = round(float(x) * len(text) / float(length))  # x is column times the cell width
        runs.setdefault(int(line), []).append((column, text))
    return [_place(sorted(runs.get(line, []))) for line in range(app.size.height)]


def _place(runs: list[tuple[int, str]]) -> str:
    """One screen line from its runs of text and the columns they start at."""
    shown, width = "", 0
    for column, text in runs:
        shown += " " * (column - width) + text
        width = column + cell_len(text)
    return shown


def screen_text(app: AnnotatorApp) -> str:
    """The whole screen as one string."""
    return "\n".join(screen_lines(app))


def current(project: Project, annotator_id: int, layer: str | None = None) -> list[Annotation]:
    """An annotator's current labels, oldest first."""
    with read_session(project.engine) as session:
        return list(session.scalars(current_labels_query(annotator_ids=[annotator_id], layer=layer)))


def all_revisions(project: Project) -> list[Annotation]:
    """Every label row ever written."""
    with read_session(project.engine) as session:
        return list(session.scalars(select(Annotation).order_by(Annotation.id)))


def work_row(project: Project, annotator_id: int, passage_id: int) -> Assignment | None:
    """The annotator's status row for a passage."""
    with read_session(project.engine) as session:
        return session.scalar(
            select(Assignment).where(Assignment.annotator_id == annotator_id, Assignment.passage_id == passage_id)
        )


def first_annotatable(project: Project) -> Passage:
    """The first passage of every queue."""
    with read_session(project.engine) as session:
        return session.scalar(select(Passage).where(Passage.annotatable.is_(True)).order_by(Passage.id))


def view(app: AnnotatorApp) -> PassageView:
    """The passage widget."""
    return app.screen.query_one(PassageView)


def span_text(project: Project, row: Annotation) -> str:
    """The article text a span label covers."""
    from annotator.db.models import Article

    with read_session(project.engine) as session:
        passage = session.get(Passage, row.passage_id)
        article = session.get(Article, passage.article_id)
    return article.text[row.span_start : row.span_end]
