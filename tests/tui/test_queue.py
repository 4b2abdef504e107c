"""The queue screen: moving through it by keyboard, what its summary says, and how it reads."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import DataTable

from annotator.tui.app import AnnotatorApp
from annotator.tui.queue_screen import QueueScreen
from tests.tui.harness import first_annotatable, make_project, screen_text, settle, view, write_article

PASSAGES = 40


def numbered_article(count: int, title: str = "Clashes along the river") -> str:
    """An article whose passages say which one they are."""
    body = "\n\n".join(
        f"Passage number {n} reports that fighting went on near the river crossing." for n in range(1, count + 1)
    )
    return f"{title}\n\n{body}\n"


@pytest.fixture
def setup(db_url, tmp_path):
    project, people = make_project(db_url, [write_article(tmp_path, "river.txt", numbered_article(PASSAGES))])
    yield project, people
    project.engine.dispose()


async def open_queue(pilot) -> None:
    """Open the queue from the annotate screen and wait for its rows."""
    await pilot.press("f2")
    await settle(pilot)
    assert isinstance(pilot.app.screen, QueueScreen)


async def open_row(pilot) -> int:
    """Open the highlighted row; the number of the passage that opens."""
    await pilot.press("enter")
    await settle(pilot)
    text = view(pilot.app).text
    return int(text.split("Passage number ")[1].split()[0])


async def test_end_goes_to_the_last_row_and_home_to_the_first(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        await pilot.press("end")
        assert await open_row(pilot) == PASSAGES
        await open_queue(pilot)
        await pilot.press("end", "home")
        assert await open_row(pilot) == 1


async def test_page_down_and_page_up_move_a_screenful_of_rows(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        await pilot.press("pagedown")
        await pilot.pause()
        highlighted = await open_row(pilot)
        assert 10 < highlighted < PASSAGES  # a page of a 30-line screen, not one row, not the end
        await open_queue(pilot)
        await pilot.press("pagedown", "pageup")
        await pilot.pause()
        assert await open_row(pilot) == 1


async def test_the_summary_says_what_it_counts_in_words(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    first = first_annotatable(project).id
    for offset, status in enumerate(("done", "skipped", "in_progress")):
        app.workbench.set_status(first + offset, status)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        text = screen_text(app)
        assert "40 passages in your queue: 1 done, 1 skipped, 0 flagged, 1 in progress, 37 to do" in text
        assert "showing: all" in text
        await pilot.press("f", "f")
        await settle(pilot)
        text = screen_text(app)
        assert "showing: in progress" in text and "in_progress" not in text
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        assert str(table.get_row_at(0)[0]) == "in progress"


async def test_titles_and_previews_show_control_and_bidi_characters_as_symbols(db_url, tmp_path):
    title = "Title \x1b[31mred\x1b[0m \u202eevil\u202c"
    body = "\u2067Preview\u2069 with a \x07bell and the same \u202eoverride\u202c in the fighting report."
    project, people = make_project(db_url, [write_article(tmp_path, "h.txt", f"{title}\n\n{body}\n")])
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        text = screen_text(app)
        assert not {"\x1b", "\x07", "\u202e", "\u202c", "\u2067", "\u2069"} & set(text)
        assert "Title ␛[31mred␛[0m ⇚evil⇓" in text
        assert "⇤Preview↧ with a ␇bell" in text
    project.engine.dispose()


async def test_the_queue_reads_the_database_only_on_the_database_thread(setup, monkeypatch):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    threads: set[threading.Thread] = set()

    def recorded(method):
        def call(*args, **kwargs):
            threads.add(threading.current_thread())
            return method(*args, **kwargs)

        return call

    for name in ("queue_counts", "queue_page", "resume_passage", "add"):
        monkeypatch.setattr(app.workbench, name, recorded(getattr(app.workbench, name)))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+right", "s")  # a label: written on the database thread
        await settle(pilot)
        await open_queue(pilot)
        await pilot.press("f", "f", "f")
        await settle(pilot)
        await pilot.press("r")  # resume: back to the passage in progress
        await settle(pilot)
        assert not isinstance(app.screen, QueueScreen)
        assert "Passage number 1 " in view(app).text
    assert len(threads) == 1 and threading.main_thread() not in threads
