"""The annotate screen in an assigned project: its queue is the assignment, done+next claims."""

from __future__ import annotations

import pytest

from annotator.assignment import assign_static, start_dynamic
from annotator.tui.app import AnnotatorApp
from tests.tui.harness import screen_text, settle
from tests.workflow.team import passage_ids, team_project, work_rows


@pytest.fixture
def team(db_url, tmp_path):
    project, people = team_project(db_url, tmp_path, articles=2, paragraphs=2)
    yield project, people
    project.engine.dispose()


async def test_done_and_next_claims_the_next_passage_in_dynamic_mode(team):
    project, people = team
    pids = passage_ids(project)
    start_dynamic(project.engine, overlap=1)
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Filed as report 0-0" in app.screen.shown_passage.text  # opening claimed the first passage
        await pilot.press("tab", "b", "enter")  # a label, then done+next
        await settle(pilot)
        assert "Filed as report 0-1" in app.screen.shown_passage.text
        rows = {row.passage_id: row for row in work_rows(project)}
        assert rows[pids[0]].status == "done" and rows[pids[1]].claimed_at is not None
        assert set(rows) == set(pids[:2])


async def test_queue_screen_lists_only_assigned_passages(team):
    project, people = team
    assign_static(project.engine, overlap=1)
    mine = sorted(row.passage_id for row in work_rows(project) if row.annotator_id == people["alice"])
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert f"{len(mine)} passages in your queue: 0 done" in screen_text(app)
