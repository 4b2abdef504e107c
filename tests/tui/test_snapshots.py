"""How the main screens look at 80x24, on the dark and the light theme (SVG snapshots).

Update the snapshots after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import pytest

from annotator.tui.app import AnnotatorApp
from tests.tui.harness import make_project, settle, write_article
from tests.tui.test_annotate_flow import ARTICLE


@pytest.fixture
def app(tmp_path):
    project, people = make_project(
        f"sqlite:///{tmp_path / 'snap.db'}", [write_article(tmp_path, "bridge.txt", ARTICLE)]
    )
    yield AnnotatorApp(project, people["alice"])
    project.engine.dispose()


async def _labelled(pilot) -> None:
    await settle(pilot)
    await pilot.press("space", "ctrl+right", "ctrl+right", "ctrl+right", "ctrl+right", "r", "2")
    await pilot.press(*["ctrl+right"] * 4, "s")
    await settle(pilot)


def test_annotate_screen_dark(app, snap_compare):
    assert snap_compare(app, terminal_size=(80, 24), run_before=_labelled)


def test_annotate_screen_light(app, snap_compare):
    async def light(pilot) -> None:
        pilot.app.theme = "textual-light"
        await _labelled(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=light)


def test_queue_screen(app, snap_compare):
    async def queue(pilot) -> None:
        await _labelled(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=queue)


def test_stance_layer(app, snap_compare):
    async def stance(pilot) -> None:
        await _labelled(pilot)
        await pilot.press("tab", "tab", "4")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=stance)
