"""Kill the app mid-work: every label the screen showed is in the database, which is intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from annotator.cli.annotate_commands import sample_corpus_dir
from tests.tui.harness import current, make_project

ROOT = Path(__file__).resolve().parents[2]


def test_sigkill_loses_nothing_the_screen_showed(tmp_path):
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    project, people = make_project(url, [sample_corpus_dir()])
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/tui/annotate_until_killed.py"), url, str(people["alice"])],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    shown_total = 0
    passages = 0
    deadline = time.monotonic() + 60
    try:
        for line in process.stdout:
            shown_total += int(line.split()[1])
            passages += 1
            if passages == 6 or time.monotonic() > deadline:
                break
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert passages == 6, "the app never got going"
    saved = current(project, people["alice"])
    assert len(saved) >= shown_total >= 6
    with project.engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert connection.execute(text("PRAGMA foreign_key_check")).fetchall() == []
