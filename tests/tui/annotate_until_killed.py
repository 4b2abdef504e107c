"""Annotate in a loop until killed; after each label the screen shows, print `SHOWN n`.

Run by `test_kill.py` in a subprocess: `python annotate_until_killed.py DB_URL ANNOTATOR_ID`.
"""

from __future__ import annotations

import asyncio
import sys

from annotator.project import open_project
from annotator.tui.app import AnnotatorApp
from tests.tui.harness import settle


async def main(url: str, annotator_id: int) -> None:
    app = AnnotatorApp(open_project(url), annotator_id)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        while True:
            for key in ("ctrl+right", "r", "ctrl+right", "tab", "b", "shift+tab"):
                await pilot.press(key)
            await settle(pilot)
            print(f"SHOWN {len(app.screen.passage.labels)}", flush=True)
            await pilot.press("enter")
            await settle(pilot)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
