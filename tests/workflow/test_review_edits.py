"""The lead corrects the gold layer in the review screen with the annotate screen's keys (both backends)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from annotator.db.engine import read_session
from annotator.db.models import Adjudication, Annotation, Article
from annotator.labels import current_labels_query
from annotator.tui.passage_view import PassageView
from annotator.tui.review_app import ReviewApp
from tests.tui.harness import screen_text, settle, span_text
from tests.workflow.team import label_and_finish, passage, passage_ids, team_project


@pytest.fixture
def team(db_url, tmp_path):
    """alice says rebel group, bob political militia, on a sloppy span; nobody tagged the army."""
    project, people = team_project(db_url, tmp_path, articles=1, paragraphs=2)
    pid = passage_ids(project)[0]
    label_and_finish(project, people["alice"], pid, [("actors", "rebel_group", 4, 30), ("event_type", "battles")])
    label_and_finish(project, people["bob"], pid, [("actors", "political_militia", 4, 30), ("event_type", "battles")])
    yield project, people, pid
    project.engine.dispose()


def gold(project, passage_id, layer="actors") -> list[Annotation]:
    with read_session(project.engine) as session:
        query = current_labels_query(passage_ids=[passage_id], layer=layer).where(Annotation.origin == "adjudication")
        return list(session.scalars(query))


def gold_spans(project, passage_id) -> list[tuple[str, str]]:
    return [(row.label, span_text(project, row)) for row in gold(project, passage_id)]


def decisions(project) -> list[Adjudication]:
    with read_session(project.engine) as session:
        return list(session.scalars(select(Adjudication).order_by(Adjudication.id)))


def local_word(project, passage_id, word: str) -> tuple[int, int]:
    """Where `word` is in the passage text."""
    p = passage(project, passage_id)
    with read_session(project.engine) as session:
        text = session.get(Article, p.article_id).text[p.start : p.end]
    start = text.index(word)
    return start, start + len(word)


async def accept_alice(pilot) -> None:
    await pilot.press("1")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def test_lead_adds_the_span_everybody_missed(team):
    project, people, pid = team
    app = ReviewApp(project, people["lee"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await accept_alice(pilot)
        await pilot.press("ctrl+e")
        assert "EDITING GOLD" in screen_text(app)
        view = app.screen.query_one(PassageView)
        await pilot.press("semicolon")
        army = local_word(project, pid, "army")
        hint = next(hint for hint, span in view.jump_hints.items() if span == army)
        await pilot.press(*hint, "s")  # jump to "army", tag it State forces
        await settle(pilot)
        assert sorted(gold_spans(project, pid)) == [
            ("rebel_group", "Ostrel Liberation Front at"),
            ("state_forces", "army"),
        ]
        added = next(row for row in gold(project, pid) if row.label == "state_forces")
        assert (added.annotator_id, added.origin, added.supersedes_id) == (people["lee"], "adjudication", None)
        decision = decisions(project)[-1]
        assert (decision.layer, decision.method, decision.lead_id) == ("actors", "edit", people["lee"])
        assert sorted(decision.gold_revision_ids) == sorted(row.id for row in gold(project, pid))
        text = screen_text(app)
        assert "State forces" in text and "“army”" in text
        assert "Decided: own labels by lee" in text


async def test_lead_fixes_a_boundary_everybody_got_wrong(team):
    project, people, pid = team
    app = ReviewApp(project, people["lee"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await accept_alice(pilot)
        (first,) = gold(project, pid)
        await pilot.press("ctrl+e", "}")  # the row cursor to rebel groups (militias come first)
        await pilot.press("=", "ctrl+left", "=")  # select the gold span, end it a word earlier, save
        await settle(pilot)
        (fixed,) = gold(project, pid)
        assert (fixed.label, span_text(project, fixed)) == ("rebel_group", "Ostrel Liberation Front")
        assert fixed.supersedes_id == first.id and fixed.annotator_id == people["lee"]
        assert decisions(project)[-1].method == "edit"
        text = screen_text(app)
        assert "“Ostrel Liberation Front”" in text  # a row of its own: no annotator gave that span
        assert "“Ostrel Liberation Front at”" in text


async def test_lead_deletes_a_wrong_label_and_undoes_it(team):
    project, people, pid = team
    app = ReviewApp(project, people["lee"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await accept_alice(pilot)
        (wrong,) = gold(project, pid)
        await pilot.press("ctrl+e", "}", "delete")
        await settle(pilot)
        assert gold(project, pid) == []
        assert decisions(project)[-1].gold_revision_ids == []
        assert "✓" not in screen_text(app).split("Actors")[1].split("Decided")[0]
        await pilot.press("ctrl+z")
        await settle(pilot)
        (back,) = gold(project, pid)
        assert (back.label, back.span_start, back.span_end) == (wrong.label, wrong.span_start, wrong.span_end)
        assert "✓" in screen_text(app).split("Actors")[1].split("Decided")[0]
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert gold(project, pid) == []


async def test_core_rules_apply_to_the_leads_edits(team):
    project, people, pid = team
    app = ReviewApp(project, people["lee"])
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await accept_alice(pilot)
        await pilot.press("ctrl+e")
        view = app.screen.query_one(PassageView)
        start, _ = local_word(project, pid, "Liberation")
        view.move_cursor(view.offset_to_location(start))
        await pilot.press("s")  # "Liberation" overlaps the gold rebel span: actors allow no overlap
        await settle(pilot)
        assert [row.label for row in gold(project, pid)] == ["rebel_group"]
        assert len(decisions(project)) == 1
        shown = " ".join(screen_text(app).split())
        assert "Not saved" in shown and "cannot make" in shown
        await pilot.press("ctrl+e")  # leaving: the review keys work again
        assert "EDITING GOLD" not in screen_text(app)


async def test_attribute_keys_typed_fast_all_land_on_the_gold_label(team):
    project, people, pid = team
    app = ReviewApp(project, people["lee"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await accept_alice(pilot)
        await pilot.press("ctrl+e", "}", "1", "e")  # role: initiator, euphemism on, before either write answers
        await settle(pilot)
        (row,) = gold(project, pid)
        assert (row.label, row.attributes) == ("rebel_group", {"role": "initiator", "euphemism": True})
        assert "gold: euphemism=True role=initiator" in screen_text(app)


async def test_lead_adds_a_stance_on_a_target_nobody_gave(team):
    project, people, pid = team
    app = ReviewApp(project, people["lee"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e", "tab", "tab")  # stance
        first = app.screen.targets()[0]
        assert f"target ([ ]): {first[1]}" in screen_text(app)
        await pilot.press("1")  # strongly against the first target
        await settle(pilot)
        await pilot.press("q")  # quoted, on the gold stance just made
        await settle(pilot)
        (row,) = gold(project, pid, "stance")
        assert (row.label, row.target, row.attributes) == ("strongly_against", first[0], {"quoted": True})
        assert "Strongly against" in screen_text(app)
