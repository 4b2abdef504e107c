"""Fast typing on a slow database: every key does what it meant when it was pressed.

The database thread is held back by a job that waits on a gate, as a slow PostgreSQL over a
network would; keys pressed meanwhile are queued and must land where they were aimed.
"""

from __future__ import annotations

import threading

from annotator.db.engine import write_session
from annotator.labels import LabelContent, add_label
from annotator.tui import app as app_module
from annotator.tui.app import AnnotatorApp
from annotator.tui.modals import ChoiceScreen
from tests.tui.harness import (
    all_revisions,
    current,
    first_annotatable,
    screen_text,
    settle,
    span_text,
    view,
    work_row,
)


def cursor_to(app: AnnotatorApp, word: str, nth: int = 0) -> None:
    """Put the cursor on the `nth` occurrence of `word` in the passage shown."""
    text, offset = app.screen.shown_passage.text, -1
    for _ in range(nth + 1):
        offset = text.index(word, offset + 1)
    passage = view(app)
    passage.move_cursor(passage.offset_to_location(offset))


def hold_database(app: AnnotatorApp) -> threading.Event:
    """Block the database thread until the returned gate is set."""
    gate = threading.Event()
    app.run_db(lambda: gate.wait(20))
    return gate


async def test_a_label_key_then_tab_before_the_database_answers_lands_in_the_layer_it_was_pressed_in(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        cursor_to(app, "Ostrel")
        gate = hold_database(app)
        await pilot.press("s", "tab")  # state forces, then at once the event-type layer
        gate.set()
        await settle(pilot)
        (row,) = current(project, people["alice"])
        assert (row.layer, row.label, span_text(project, row)) == ("actors", "state_forces", "Ostrel")
        assert "Not saved" not in screen_text(app)


async def test_an_event_type_key_pressed_twice_quickly_toggles_it_off(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        gate = hold_database(app)
        await pilot.press("b", "b")
        gate.set()
        await settle(pilot)
        assert current(project, people["alice"]) == []
        assert len(all_revisions(project)) == 2  # added, then removed: no duplicate


async def test_an_attribute_key_right_after_a_label_key_sets_it_on_the_new_label(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("r")  # "The": rebel group, written at once
        await settle(pilot)
        cursor_to(app, "bridge")
        gate = hold_database(app)
        await pilot.press("c", "1")  # civilians, and at once role: initiator
        gate.set()
        await settle(pilot)
        rows = {row.label: row for row in current(project, people["alice"])}
        assert rows["civilians"].attributes == {"role": "initiator"}
        assert rows["rebel_group"].attributes == {}


async def test_a_failing_job_is_reported_and_later_labels_are_still_saved(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)

        def broken() -> None:
            raise TypeError("unsupported operand")

        app.run_db(broken)
        await settle(pilot)
        assert "internal error (TypeError): unsupported" in screen_text(app)
        await pilot.press("s")
        await settle(pilot)
        assert [row.label for row in current(project, people["alice"])] == ["state_forces"]


async def test_quit_waits_a_bounded_time_then_says_what_is_pending(setup, monkeypatch):
    project, people = setup
    monkeypatch.setattr(app_module, "QUIT_WAIT_SECONDS", 0.2)
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        gate = hold_database(app)
        await pilot.press("ctrl+q")
        await pilot.pause(0.5)
        assert app.is_running
        assert "1 database job(s) still waiting" in screen_text(app)
        gate.set()
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_an_undone_label_is_not_suggested_again_and_accept_never_overlaps(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        passage = view(app)
        passage.select_range(0, len("The Ostrel Liberation Front"))
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert current(project, people["alice"]) == []
        assert "suggestion" not in screen_text(app)  # the undone span is not offered back
        await pilot.press("+")
        await settle(pilot)
        assert current(project, people["alice"]) == []


async def test_equals_on_a_passage_label_explains_instead_of_editing(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("tab", "b")
        await settle(pilot)
        await pilot.press("=")
        await settle(pilot)
        text = screen_text(app)
        assert "EDITING" not in text
        assert "A passage label has no span to edit" in text
        await pilot.press("v")
        await settle(pilot)
        assert sorted(row.label for row in current(project, people["alice"])) == [
            "battles",
            "violence_against_civilians",
        ]


async def test_the_quoted_flag_lands_on_the_stance_of_the_target_on_screen(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("tab", "tab")  # stance: codebook targets first
        await pilot.press("2")  # against the first target
        await settle(pilot)
        await pilot.press("]", "4")  # favour of the second
        await settle(pilot)
        await pilot.press("[", "q")  # back to the first: quoted
        await settle(pilot)
        rows = {row.label: row for row in current(project, people["alice"])}
        assert rows["against"].attributes == {"quoted": True}
        assert rows["favour"].attributes == {}


async def test_a_stance_whose_actor_is_gone_is_reachable_and_marked(setup):
    project, people = setup
    passage = first_annotatable(project)
    with write_session(project.engine) as session:  # as an older version or an import could leave it
        add_label(
            session,
            passage_id=passage.id,
            annotator_id=people["alice"],
            codebook_version_id=project.active.version_id,
            content=LabelContent("stance", "against", target="Ostrel Liberation Front"),
        )
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "tab", "[")  # the last target: the orphan
        await settle(pilot)
        text = screen_text(app)
        assert "Target (7/7)" in text  # after the six codebook targets
        assert "(actor)" not in text  # the panel does not pass it off as a tagged actor
        assert "⚠ target no longer tagged" in text
        await pilot.press("2")  # its own key removes it (a new stance on it would need the actor)
        await settle(pilot)
        assert current(project, people["alice"]) == []


async def test_done_on_the_last_passage_goes_round_to_the_first_one_still_to_do(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n", "ctrl+n")  # the last passage
        await settle(pilot)
        await pilot.press("tab", "n", "enter")  # no event; done
        await settle(pilot)
        assert "Every passage" not in screen_text(app)
        assert app.screen.shown_passage.passage_id == first_annotatable(project).id


async def test_enter_on_a_passage_with_no_labels_asks_first_and_a_double_enter_does_not_finish(setup):
    project, people = setup
    passage = first_annotatable(project)
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert work_row(project, people["alice"], passage.id) is None  # not finished
        assert not isinstance(app.screen, ChoiceScreen)  # the second enter answered "No"
        await pilot.press("enter")
        await settle(pilot)
        assert "Mark done with no labels?" in screen_text(app)
        await pilot.press("down", "enter")  # yes
        await settle(pilot)
        assert work_row(project, people["alice"], passage.id).status == "done"


async def test_each_new_passage_opens_on_the_first_layer_unless_asked_to_keep_it(setup):
    project, people = setup
    for keep_layer, expected in ((False, "layer 1/4"), (True, "layer 2/4")):
        app = AnnotatorApp(project, people["alice"], keep_layer=keep_layer)
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("tab", "ctrl+n")
            await settle(pilot)
            assert expected in screen_text(app)
