"""Every dialog names the keys that work in it, on a line that stays on screen."""

from __future__ import annotations

import pytest

from annotator.tui.app import AnnotatorApp
from annotator.tui.modals import ChoiceScreen, GuidelinesScreen, KeysScreen, PromptScreen
from tests.tui.harness import make_project, screen_text, settle, write_article

ARTICLE = """Army retakes Kesh Marra bridge

The Ostrel Liberation Front attacked the bridge at Kesh Marra on Monday, the army said.
"""


@pytest.fixture
def app(db_url, tmp_path):
    project, people = make_project(db_url, [write_article(tmp_path, "bridge.txt", ARTICLE)])
    yield AnnotatorApp(project, people["alice"])
    project.engine.dispose()


async def test_guidelines_show_their_keys_scroll_and_close(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, GuidelinesScreen)
        first_page = screen_text(app)
        assert "escape f1 q close · ↑↓ pgup pgdn scroll" in first_page
        assert "Actors" in first_page  # the layer's card heads the guidelines
        await pilot.press("pagedown")
        await pilot.pause()
        scrolled = screen_text(app)
        assert scrolled != first_page
        assert "escape f1 q close" in scrolled  # the hint stays while the text scrolls
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, GuidelinesScreen)


async def test_key_help_shows_how_to_close_it(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        assert "escape ? q close · ↑↓ pgup pgdn scroll" in screen_text(app)
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, KeysScreen)


async def test_prompt_shows_save_and_cancel_keys(app):
    answers: list[str | None] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(PromptScreen("Comment on this passage:"), answers.append)
        await pilot.pause()
        assert "enter save · escape cancel" in screen_text(app)
        await pilot.press("o", "k", "enter")
        await pilot.pause()
    assert answers == ["ok"]


async def test_choice_shows_choose_pick_and_cancel_keys(app):
    answers: list[str | None] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(ChoiceScreen("Sub-type:", [("air", "Air strike"), ("shelling", "Shelling")]), answers.append)
        await pilot.pause()
        assert "↑↓ choose · enter pick · escape cancel" in screen_text(app)
        await pilot.press("down", "enter")
        await pilot.pause()
        app.push_screen(ChoiceScreen("Sub-type:", [("air", "Air strike")]), answers.append)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert answers == ["shelling", None]
