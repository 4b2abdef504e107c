"""The lead's review screen, driven by keyboard, asserting on the database and on the screen."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from annotator.cli.main import main
from annotator.db.engine import read_session, write_session
from annotator.db.models import Adjudication, Annotation, Annotator
from annotator.errors import AnnotatorError
from annotator.labels import current_labels_query
from annotator.tui.review_app import ReviewApp
from tests.tui.harness import screen_text, settle
from tests.workflow.team import label_and_finish, passage_ids, team_project

HOSTILE = "[bold]x [/foo] [@click=app.quit] \\"


@pytest.fixture
def team(db_url, tmp_path):
    project, people = team_project(db_url, tmp_path, articles=2, paragraphs=2)
    yield project, people
    project.engine.dispose()


def gold_labels(project, passage_id, layer) -> list[str]:
    with read_session(project.engine) as session:
        query = current_labels_query(passage_ids=[passage_id], layer=layer).where(Annotation.origin == "adjudication")
        return sorted(row.label for row in session.scalars(query))


def decisions(project) -> list[Adjudication]:
    with read_session(project.engine) as session:
        return list(session.scalars(select(Adjudication).order_by(Adjudication.id)))


def dispute(project, people, passage_id, third: str | None = None) -> None:
    label_and_finish(
        project, people["alice"], passage_id, [("actors", "rebel_group", 4, 30), ("event_type", "battles")]
    )
    label_and_finish(
        project, people["bob"], passage_id, [("actors", "political_militia", 4, 30), ("event_type", "battles")]
    )
    if third:
        label_and_finish(project, people["carol"], passage_id, [("actors", third, 4, 30), ("event_type", "riots")])


async def test_lead_sees_versions_side_by_side_and_accepts_one_with_a_rationale(team):
    project, people = team
    pid = passage_ids(project)[0]
    dispute(project, people, pid)
    app = ReviewApp(project, people["lee"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "1 alice" in text and "2 bob" in text and "gold" in text
        assert "Rebel groups" in text and "Political militias" in text
        assert "“Ostrel Liberation Front at”" in text
        assert "political_militia, rebel_group in dispute" in text and "none yet" in text
        await pilot.press("2")
        await settle(pilot)
        await pilot.press(*"militia by name", "enter")
        await settle(pilot)
        assert gold_labels(project, pid, "actors") == ["political_militia"]
        (decision,) = decisions(project)
        assert (decision.method, decision.chosen_annotator_id, decision.lead_id) == (
            "annotator",
            people["bob"],
            people["lee"],
        )
        assert decision.rationale == "militia by name"
        assert "Decided: bob's version by lee" in screen_text(app)
        assert "“militia by name”" in screen_text(app)


async def test_escape_at_the_rationale_prompt_decides_nothing(team):
    project, people = team
    dispute(project, people, passage_ids(project)[0])
    app = ReviewApp(project, people["lee"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert decisions(project) == []


async def test_majority_for_the_whole_passage(team):
    project, people = team
    pid = passage_ids(project)[0]
    dispute(project, people, pid, third="rebel_group")
    app = ReviewApp(project, people["lee"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "3 carol" in screen_text(app)
        await pilot.press("w")
        assert "whole passage" in screen_text(app)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert gold_labels(project, pid, "actors") == ["rebel_group"]
        assert gold_labels(project, pid, "event_type") == ["battles"]
        assert {(d.layer, d.method) for d in decisions(project)} == {
            (layer, "majority") for layer in ("actors", "event_type", "stance", "rhetoric")
        }
        assert all(d.rationale is None for d in decisions(project))


async def test_own_pick_among_the_labels_given(team):
    project, people = team
    pid = passage_ids(project)[0]
    dispute(project, people, pid, third="state_forces")
    app = ReviewApp(project, people["lee"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("tab")  # event types: battles (alice, bob), riots (carol)
        await pilot.press("space", "down", "space")  # both rows into the pick
        assert "PICKING" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"both happened", "enter")
        await settle(pilot)
        assert gold_labels(project, pid, "event_type") == ["battles", "riots"]
        (decision,) = decisions(project)
        assert (decision.layer, decision.method, decision.rationale) == ("event_type", "edit", "both happened")
        assert len(decision.source_revision_ids) == 3


async def test_precedent_from_an_earlier_passage_is_shown_with_its_rationale(team):
    project, people = team
    first, second = passage_ids(project)[:2]
    dispute(project, people, first)
    dispute(project, people, second)
    app = ReviewApp(project, people["lee"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert f"passage {first}" in screen_text(app)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press(*"armed opposition group", "enter")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        text = screen_text(app)
        assert f"passage {second}" in text
        assert f"passage {first}: gold rebel_group" in text
        assert "alice's version, by lee" in text and "“armed opposition group”" in text


async def test_hostile_names_and_rationales_are_shown_as_text(team):
    project, people = team
    pid = passage_ids(project)[0]
    with write_session(project.engine) as session:
        session.get(Annotator, people["alice"]).name = HOSTILE
    dispute(project, people, pid)
    app = ReviewApp(project, people["lee"])
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press(*HOSTILE, "enter")
        await settle(pilot)
        assert decisions(project)[0].rationale == HOSTILE.strip()
        text = screen_text(app)
        assert "1 [bold]x [/foo] [@click=app.quit]" in text  # the column header
        assert f"“{HOSTILE.strip()}”" in text  # the rationale
        assert app.is_running


def test_annotators_cannot_open_the_review(team, capsys):
    project, people = team
    with pytest.raises(AnnotatorError, match="'alice' is not a lead"):
        ReviewApp(project, people["alice"])
    url = project.engine.url.render_as_string(hide_password=False)
    assert main(["review", "--annotator", "alice", "--db", url]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "only leads review" in error


async def test_a_passage_opens_on_its_first_layer_in_dispute(team):
    project, people = team
    pid = passage_ids(project)[0]
    label_and_finish(project, people["alice"], pid, [("actors", "rebel_group", 4, 30), ("event_type", "battles")])
    label_and_finish(project, people["bob"], pid, [("actors", "rebel_group", 4, 30), ("event_type", "riots")])
    app = ReviewApp(project, people["lee"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.screen.active_layer.id == "event_type"
        assert "battles, riots in dispute" in screen_text(app)
