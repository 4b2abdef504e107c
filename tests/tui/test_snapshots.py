"""How the main screens look at 80x24 and 120x40, on the dark and the light theme (SVG snapshots).

Update the snapshots after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import pytest

from annotator.tui.app import AnnotatorApp
from tests.tui.harness import BRIDGE_ARTICLE, make_project, settle, write_article


@pytest.fixture
def app(tmp_path):
    project, people = make_project(
        f"sqlite:///{tmp_path / 'snap.db'}", [write_article(tmp_path, "bridge.txt", BRIDGE_ARTICLE)]
    )
    yield AnnotatorApp(project, people["alice"])
    project.engine.dispose()


async def _labelled(pilot) -> None:
    await settle(pilot)
    await pilot.press("space", "ctrl+right", "ctrl+right", "ctrl+right", "ctrl+right", "r", "2")
    await pilot.press(*["ctrl+right"] * 3, "s")  # "at"
    await pilot.press("semicolon")  # jump hints up, as an annotator sees them
    await settle(pilot)


SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@SIZES
def test_annotate_screen_dark(app, snap_compare, size):
    assert snap_compare(app, terminal_size=size, run_before=_labelled)


@SIZES
def test_annotate_screen_light(app, snap_compare, size):
    async def light(pilot) -> None:
        pilot.app.theme = "textual-light"
        await _labelled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=light)


def test_queue_screen(app, snap_compare):
    async def queue(pilot) -> None:
        await _labelled(pilot)
        await pilot.press("escape", "enter")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=queue)


@SIZES
def test_stance_layer(app, snap_compare, size):
    async def stance(pilot) -> None:
        await _labelled(pilot)
        await pilot.press("escape", "tab", "tab", "4")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=stance)
