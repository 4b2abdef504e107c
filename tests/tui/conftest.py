"""Fixtures of the screen tests."""

from __future__ import annotations

import pytest

from tests.tui.harness import BRIDGE_ARTICLE, make_project, write_article


@pytest.fixture
def setup(db_url, tmp_path):
    """A project on each backend with `BRIDGE_ARTICLE` imported and alice and bob added."""
    project, people = make_project(db_url, [write_article(tmp_path, "bridge.txt", BRIDGE_ARTICLE)])
    yield project, people
    project.engine.dispose()
