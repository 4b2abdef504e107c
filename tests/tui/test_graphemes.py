"""The passage cursor moves by grapheme cluster, and labels keep whole clusters (UAX #29)."""

from __future__ import annotations

import pytest

from annotator.tui.app import AnnotatorApp
from tests.tui.harness import current, make_project, settle, span_text, view, write_article

RENE = "Rene\u0301"  # decomposed: e + COMBINING ACUTE ACCENT
MUHAMMAD = "مُحَمَّد"  # with harakat
FLAG = "\U0001f1eb\U0001f1f7"

ARTICLE = f"""Talks in Kesh Marra

{RENE} met {MUHAMMAD} at the bridge {FLAG} on Monday, the army said.
"""


@pytest.fixture
def setup(db_url, tmp_path):
    project, people = make_project(db_url, [write_article(tmp_path, "talks.txt", ARTICLE)])
    yield project, people
    project.engine.dispose()


async def test_right_arrow_steps_over_e_with_its_accent_and_the_word_keeps_it(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        passage_view = view(app)
        assert passage_view.text.startswith(RENE)
        await pilot.press("right", "right", "right")
        assert passage_view.cursor_offset == 3  # before the decomposed é
        await pilot.press("right")
        assert passage_view.cursor_offset == 5  # over e and U+0301 in one step
        await pilot.press("left")
        assert passage_view.cursor_offset == 3
        await pilot.press("shift+right")
        assert passage_view.selected_range == (3, 5)
        await pilot.press("left")  # drops the selection, cursor at its start: inside "René"
        assert (passage_view.cursor_offset, passage_view.selected_range) == (3, None)
        await pilot.press("s")  # state forces on the word under the cursor
        await settle(pilot)
        (row,) = current(project, people["alice"])
        assert span_text(project, row) == RENE
        assert row.span_end - row.span_start == 5


async def test_word_and_flag_movement_never_stops_inside_a_cluster(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        passage_view = view(app)
        text = passage_view.text
        await pilot.press("ctrl+right")
        assert passage_view.cursor_offset == len(RENE) + 1  # word starts only: "met"
        await pilot.press("ctrl+right", "ctrl+right")  # the whole Arabic name is one stop, then "at"
        muhammad = text.index(MUHAMMAD)
        assert passage_view.cursor_offset == muhammad + len(MUHAMMAD) + 1
        await pilot.press("ctrl+left")
        assert passage_view.cursor_offset == muhammad
        await pilot.press("right")
        assert passage_view.cursor_offset == muhammad + 2  # meem with its damma
        flag = text.index(FLAG)
        passage_view.move_cursor(passage_view.offset_to_location(flag + 1))  # asked to stop inside the flag
        assert passage_view.cursor_offset == flag
        await pilot.press("right")
        assert passage_view.cursor_offset == flag + 2
        await pilot.press("ctrl+left")  # a flag is no word: back to "bridge"
        assert passage_view.cursor_offset == text.index("bridge")
        await pilot.press("ctrl+right", "ctrl+right")  # over the flag to "on", then "Monday"
        assert passage_view.cursor_offset == text.index("Monday")
        await pilot.press("x")  # the word under the cursor
        passage_view.move_cursor(passage_view.offset_to_location(text.index("met")))
        await pilot.press("space", "ctrl+right", "ctrl+right", "r")  # "met مُحَمَّد"
        await settle(pilot)
        labelled = sorted(span_text(project, row) for row in current(project, people["alice"]))
        assert labelled == ["Monday", f"met {MUHAMMAD}"]
