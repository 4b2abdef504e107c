"""Labelling by keyboard (and mouse), asserting on the database and on the screen."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Static

from annotator.tui.app import AnnotatorApp
from annotator.tui.modals import GuidelinesScreen, KeysScreen, MarkdownLines, PromptScreen
from annotator.tui.queue_screen import QueueScreen
from tests.tui.harness import (
    BRIDGE_ARTICLE,
    all_revisions,
    current,
    first_annotatable,
    screen_text,
    settle,
    span_text,
    view,
    work_row,
)


def app_for(project, annotator_id, **kwargs) -> AnnotatorApp:
    return AnnotatorApp(project, annotator_id, **kwargs)


def guidelines_markdown(app: AnnotatorApp) -> str:
    """The Markdown source the open guidelines screen draws."""
    return app.screen.query_one(MarkdownLines).markdown


def keys_rows(app: AnnotatorApp) -> dict[str, str]:
    """The open keys screen's table: what each key does."""
    table = app.screen.query_one(VerticalScroll).query_one(Static).content
    keys, does = (column.cells for column in table.columns)
    return {str(key): str(description) for key, description in zip(keys, does)}


async def test_opens_the_first_passage_with_title_and_context(setup):
    project, people = setup
    app = app_for(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Army retakes Kesh Marra bridge" in text
        assert "The Ostrel Liberation Front attacked the bridge" in text
        assert "Government forces later retook it" in text  # next passage, as context
        assert "Actors" in text and "Rebel groups" in text  # the palette of the first layer


async def test_word_under_cursor_is_tagged_by_its_label_key(setup):
    project, people = setup
    app = app_for(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press(*["ctrl+right"] * 6)  # to the start of "bridge"
        await pilot.press("s")  # state forces on the word under the cursor
        await settle(pilot)
        (row,) = current(project, people["alice"])
        assert (row.layer, row.label, row.origin) == ("actors", "state_forces", "manual")
        assert span_text(project, row) == "bridge"
        assert "State forces “bridge”" in screen_text(app)
        assert work_row(project, people["alice"], row.passage_id).status == "in_progress"


async def test_a_label_key_on_a_tagged_span_relabels_it_and_the_same_key_removes_it(setup):
    project, people = setup
    app = app_for(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press(*["ctrl+right"] * 6, "s")  # "bridge": state forces
        await settle(pilot)
        await pilot.press("c")  # the same word: civilians instead (actors may not overlap)
        await settle(pilot)
        (row,) = current(project, people["alice"])
        assert (row.label, span_text(project, row)) == ("civilians", "bridge")
        assert len(all_revisions(project)) == 2  # an edit: a new revision, nothing lost
        await pilot.press("c")  # again: removed
        await settle(pilot)
        assert current(project, people["alice"]) == []
        assert len(all_revisions(project)) == 3


async def test_keyboard_selection_snaps_to_words_and_trims_punctuation(setup):
    project, people = setup
    app = app_for(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("right")  # cursor inside "The": the selection snaps back to its start
        await pilot.press("space", "ctrl+right", "ctrl+right", "ctrl+right", "ctrl+right", "r")
        await settle(pilot)
        (row,) = current(project, people["alice"])
        assert span_text(project, row) == "The Ostrel Liberation Front"
        # shift-selection by character, ending after a comma: the comma is trimmed
        passage = first_annotatable(project)
        text = BRIDGE_ARTICLE[passage.start : passage.end]
        start = text.index("Monday")
        view(app).select_range(start + 2, start + len("Monday,"))
        await pilot.press("shift+right", "shift+left")
        await pilot.press("x")
        await settle(pilot)
        rows = current(project, people["alice"])
        assert span_text(project, rows[-1]) == "Monday"


async def test_mouse_drag_selects_text_to_tag(setup):
    project, people = setup
    app = app_for(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        passage_view = view(app)
        region = passage_view.content_region
        # "The Ostrel" starts the first line of the passage: drag across its first 9 cells
        await pilot.mouse_down(
            passage_view, offset=(region.x - passage_view.region.x + 0, region.y - passage_view.region.y)
        )
        await pilot.hover(passage_view, offset=(region.x - passage_view.region.x + 9, region.y - passage_view.region.y))
        await pilot.mouse_up(
            passage_view, offset=(region.x - passage_view.region.x + 9, region.y - passage_view.region.y)
        )
        await pilot.pause()
        assert passage_view.selected_range is not None
        await pilot.press("r")
        await settle(pilot)
        (row,) = current(project, people["alice"])
        assert span_text(project, row) == "The Ostrel"


async def test_passage_layers_toggle_and_take_attributes(setup):
    project, people = setup
    app = app_for(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("tab")  # event types
        await pilot.press("b", "s")
        await settle(pilot)
        assert sorted(r.label for r in current(project, people["alice"], "event_type")) == [
            "battles",
            "strategic_developments",
        ]
        await pilot.press("c")  # realis "claimed" on the highlighted (newest) event label
        await settle(pilot)
        labelled = {r.label: r.attributes for r in current(project, people["alice"], "event_type")}
        assert labelled["strategic_developments"] == {"realis": "claimed"}
        await pilot.press("b")  # toggles battles off again
        await settle(pilot)
        assert [r.label for r in current(project, people["alice"], "event_type")] == ["strategic_developments"]
        assert any(r.deleted and r.label == "battles" for r in all_revisions(project))


async def test_stance_per_target_from_codebook_and_tagged_actors(setup):
    project, people = setup
    app = app_for(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space", "ctrl+right", "ctrl+right", "ctrl+right", "ctrl+right", "r")
        await settle(pilot)
        await pilot.press("tab", "tab")  # stance
        await pilot.press("2")  # "against" toward the first codebook target
        await pilot.press("[")  # the last target: the actor tagged in this passage
        await pilot.press("5", "q")
        await settle(pilot)
        stances = {r.target: (r.label, r.attributes) for r in current(project, people["alice"], "stance")}
        assert stances["government"] == ("against", {})
        assert stances["The Ostrel Liberation Front"] == ("strongly_favour", {"quoted": True})
        assert "The Ostrel Liberation Front" in screen_text(app)


async def test_undo_and_redo_are_revisions(setup):
    project, people = setup
    app = app_for(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+right", "r")
        await settle(pilot)
        assert len(current(project, people["alice"])) == 1
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert current(project, people["alice"]) == []
        await pilot.press("ctrl+y")
        await settle(pilot)
        (row,) = current(project, people["alice"])
        revisions = all_revisions(project)
        assert len(revisions) == 3 and revisions[1].deleted and revisions[2].supersedes_id == revisions[1].id
        assert row.label == "rebel_group"


async def test_select_edit_and_delete_a_label_from_the_list(setup):
    project, people = setup
    app = app_for(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")  # "The"
        await settle(pilot)
        await pilot.press("=", "shift+right", "ctrl+shift+right", "u")  # widen to "The Ostrel", relabel
        await settle(pilot)
        (row,) = current(project, people["alice"])
        assert (row.label, span_text(project, row)) == ("unidentified_actor", "The Ostrel")
        assert row.supersedes_id is not None
        await pilot.press("}", "delete")
        await settle(pilot)
        assert current(project, people["alice"]) == []
        assert len(all_revisions(project)) == 3


async def test_done_skip_back_flag_and_comment(setup):
    project, people = setup
    app = app_for(project, people["alice"])
    first = first_annotatable(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("#")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"odd [bold]phrase[/]", "enter")
        await settle(pilot)
        assert work_row(project, people["alice"], first.id).comment == "odd [bold]phrase[/]"
        assert "odd [bold]phrase[/]" in screen_text(app)
        await pilot.press("enter", "down", "enter")  # done (yes: with no labels), next
        await settle(pilot)
        assert work_row(project, people["alice"], first.id).status == "done"
        assert "Government forces later retook it" in view(app).text
        await pilot.press(">")  # skip
        await settle(pilot)
        assert work_row(project, people["alice"], first.id + 1).status == "skipped"
        await pilot.press("!")
        await pilot.press(*"unclear who shelled", "enter")
        await settle(pilot)
        flagged = work_row(project, people["alice"], first.id + 2)
        assert (flagged.status, flagged.note) == ("flagged", "unclear who shelled")
        assert "Residents said shelling" in view(app).text  # the last passage stays open
        await pilot.press("<")
        await settle(pilot)
        assert "Government forces later retook it" in view(app).text


async def test_guidelines_and_keys_are_one_key_away(setup):
    project, people = setup
    app = app_for(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+right", "r", "home")
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, GuidelinesScreen)
        assert "Rebel groups (`rebel_group`)" in guidelines_markdown(app)
        assert "Not this when" in guidelines_markdown(app)
        await pilot.press("escape", "tab", "f1")
        await pilot.pause()
        assert isinstance(app.screen, GuidelinesScreen)  # the event-type layer's guidelines
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        await pilot.pause()
        assert "Keys (layer: Event type)" in screen_text(app)
        rows = keys_rows(app)
        assert rows["⏎"] == "Done+next" and "Battles" in rows["b"] and "Claimed" in rows["c"]


async def test_queue_shows_status_counts_filters_and_jumps(setup):
    project, people = setup
    app = app_for(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "down", "enter")  # done with no labels
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        text = screen_text(app)
        assert "3 passages in your queue: 1 done" in text and "2 to do" in text
        await pilot.press("f")  # todo only
        await settle(pilot)
        assert "showing: to do" in screen_text(app)
        await pilot.press("down", "enter")  # the second todo passage
        await settle(pilot)
        assert "Residents said shelling" in view(app).text


async def test_active_time_excludes_idle_gaps(setup, monkeypatch):
    project, people = setup
    ticks = [100.0, 110.0, 400.0, 405.0]  # then the clock stands still

    def clock() -> float:
        return ticks.pop(0) if len(ticks) > 1 else ticks[0]

    monkeypatch.setattr("annotator.tui.annotate_screen.clock", clock)
    app = app_for(project, people["alice"])
    first = first_annotatable(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("right", "right", "right", "right")  # 10 s active, 290 s idle, 5 s active
        await pilot.press("enter", "down", "enter")
        await settle(pilot)
    assert work_row(project, people["alice"], first.id).active_seconds == pytest.approx(15.0)


async def test_annotation_is_blind(setup):
    project, people = setup
    alice = app_for(project, people["alice"])
    async with alice.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space", "ctrl+right", "ctrl+right", "ctrl+right", "ctrl+right", "r")
        await settle(pilot)
    bob = app_for(project, people["bob"])
    async with bob.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert bob.screen.passage.labels == ()
        assert "Rebel groups “" not in screen_text(bob)
        assert bob.screen.suggestions == []  # alice's names are not suggested to bob


async def test_own_names_are_suggested_elsewhere_and_accepted_or_rejected(setup):
    project, people = setup
    app = app_for(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space", "ctrl+right", "ctrl+right", "ctrl+right", "ctrl+right", "r", "enter")
        await settle(pilot)
        (suggestion,) = app.screen.suggestions
        assert (suggestion.label, app.screen.passage.text[suggestion.start : suggestion.end]) == (
            "rebel_group",
            "The Ostrel Liberation Front",
        )
        assert "1 suggestion(s)" in screen_text(app)
        assert current(project, people["alice"])[-1].passage_id != app.screen.passage.passage_id
        await pilot.press("+")
        await settle(pilot)
        accepted = current(project, people["alice"])[-1]
        assert (accepted.origin, accepted.label) == ("suggestion", "rebel_group")
        assert app.screen.suggestions == []
        await pilot.press("ctrl+z")  # the accepted label goes, and is not offered again here
        await settle(pilot)
        assert current(project, people["alice"])[-1].passage_id != app.screen.passage.passage_id
        assert app.screen.suggestions == []


async def test_a_rejected_suggestion_stays_rejected_on_its_passage(setup):
    project, people = setup
    app = app_for(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space", "ctrl+right", "ctrl+right", "ctrl+right", "ctrl+right", "r", "enter")
        await settle(pilot)
        assert len(app.screen.suggestions) == 1
        await pilot.press("-")
        await settle(pilot)
        assert app.screen.suggestions == []
        passage_id = app.screen.passage.passage_id
        await pilot.press("<", "ctrl+n")
        await settle(pilot)
        assert app.screen.passage.passage_id == passage_id and app.screen.suggestions == []
        assert work_row(project, people["alice"], passage_id).rejected_suggestions


async def test_gazetteer_names_are_suggested(setup, tmp_path):
    from annotator.suggestions import SuggestionIndex, load_gazetteer

    project, people = setup
    gazetteer = tmp_path / "names.csv"
    gazetteer.write_text("text,layer,label\nKesh Marra,actors,civilians\n", encoding="utf-8")
    index = SuggestionIndex()
    load_gazetteer(index, gazetteer, project.codebook)
    app = app_for(project, people["alice"], suggestions=index)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        (suggestion,) = app.screen.suggestions
        assert app.screen.passage.text[suggestion.start : suggestion.end] == "Kesh Marra"
        await pilot.press("+")
        await settle(pilot)
        (row,) = current(project, people["alice"])
        assert (row.label, row.origin, span_text(project, row)) == ("civilians", "suggestion", "Kesh Marra")


async def test_keys_can_be_remapped_with_a_keymap(setup, tmp_path):
    from annotator.errors import InputError
    from annotator.tui.app import load_keymap

    project, people = setup
    keymap = tmp_path / "keys.yaml"
    keymap.write_text("passage.done: ctrl+d\n", encoding="utf-8")
    app = app_for(project, people["alice"], keymap=load_keymap(keymap))
    first = first_annotatable(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+d")
        await settle(pilot)
        await pilot.press("down", "enter")  # yes: done with no labels
        await settle(pilot)
        assert work_row(project, people["alice"], first.id).status == "done"
        await pilot.press("question_mark")
        await pilot.pause()
        rows = keys_rows(app)
        assert "Done+next" in rows.values() and rows.get("⏎") != "Done+next", rows
    keymap.write_text("- not a mapping\n", encoding="utf-8")
    with pytest.raises(InputError, match="keys.yaml: a keymap is a mapping"):
        load_keymap(keymap)


async def test_a_failed_write_is_a_notification_not_a_crash(setup, monkeypatch):
    from sqlalchemy.exc import OperationalError

    project, people = setup
    app = app_for(project, people["alice"])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)

        def broken(*args, **kwargs):
            raise OperationalError("INSERT", {}, Exception("could not connect to server: timeout"))

        monkeypatch.setattr(app.workbench, "add", broken)
        await pilot.press("ctrl+right", "r")
        await settle(pilot)
        assert app.is_running
        assert "could not connect to server" in screen_text(app)
        assert current(project, people["alice"]) == []
        monkeypatch.undo()
        await pilot.press("r")
        await settle(pilot)
        assert len(current(project, people["alice"])) == 1


def test_undo_walks_back_through_several_edits_of_one_label(setup):
    from annotator.labels import LabelContent
    from annotator.workbench import Workbench

    project, people = setup
    workbench = Workbench(project.engine, people["alice"], project.active)
    passage = first_annotatable(project)
    content = LabelContent("actors", "rebel_group", passage.start, passage.start + 3)
    first = workbench.add(passage.id, content)
    second = workbench.edit(first, content.with_changes(label="state_forces"))
    workbench.edit(second, content.with_changes(label="civilians"))
    workbench.undo()
    assert [row.label for row in current(project, people["alice"])] == ["state_forces"]
    workbench.undo()
    assert [row.label for row in current(project, people["alice"])] == ["rebel_group"]
    workbench.undo()
    assert current(project, people["alice"]) == []
    workbench.redo()
    workbench.redo()
    assert [row.label for row in current(project, people["alice"])] == ["state_forces"]
    assert len(all_revisions(project)) == 8  # add, 2 edits, 3 undos, 2 redos: each one revision


async def test_sub_event_type_is_picked_from_a_list(setup):
    from annotator.tui.modals import ChoiceScreen

    project, people = setup
    app = app_for(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "b")
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("down", "enter")
        await settle(pilot)
        (row,) = current(project, people["alice"], "event_type")
        assert row.attributes == {"subtype": "government_regains_territory"}
        assert "Sub-type: Government regains territory" in screen_text(app)
