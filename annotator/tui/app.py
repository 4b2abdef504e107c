"""The Textual app: one annotator, one database worker, the annotate and queue screens.

All database calls run, in order, on one worker thread (`run_db`), so the UI never waits on
the database and label actions are written in the order they were made. A failed call is
shown as a notification; everything that succeeded is already committed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import queue
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.worker import get_current_worker

from annotator.codebook import Codebook
from annotator.codebook.keymap import read_keymap
from annotator.errors import AnnotatorError
from annotator.project import Project
from annotator.suggestions import SuggestionIndex, load_gazetteer, load_own_names
from annotator.tui.annotate_screen import AnnotateScreen
from annotator.workbench import Workbench

_STOP = object()


class AnnotatorApp(App[int]):
    """Label passages as one annotator."""

    TITLE = "annotator"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit")]

    def __init__(
        self,
        project: Project,
        annotator_id: int,
        *,
        suggestions: SuggestionIndex | None = None,
        keymap: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.workbench = Workbench(project.engine, annotator_id, project.active)
        self.suggestions = suggestions or SuggestionIndex()
        self._keymap = keymap or {}
        self._jobs: queue.Queue = queue.Queue()

    def on_mount(self, event: events.Mount) -> None:
        if self._keymap:
            self.set_keymap(self._keymap)
        self.run_worker(self._database_loop, thread=True, name="database", group="database", exit_on_error=False)
        self.run_worker(self._load_own_names, thread=True, name="suggestions", exit_on_error=False)
        self.push_screen(AnnotateScreen())

    # -- the database worker ---------------------------------------------------------------------

    def run_db(self, job: Callable[[], Any], then: Callable[[Any], None] | None = None) -> None:
        """Run `job` on the database thread after the jobs before it; pass its result to `then`."""
        self._jobs.put((job, then))

    def _database_loop(self) -> None:
        worker = get_current_worker()
        while not worker.is_cancelled:
            try:
                item = self._jobs.get(timeout=0.1)
            except queue.Empty:
                continue
            try:
                if item is _STOP:
                    return
                job, then = item
                try:
                    result = job()
                except (AnnotatorError, SQLAlchemyError, OSError) as error:
                    self.call_from_thread(self._report, error)
                    continue
                if then is not None:
                    self.call_from_thread(then, result)
            finally:
                self._jobs.task_done()

    def _report(self, error: Exception) -> None:
        message = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        self.notify(message, title="Not saved", severity="error", timeout=8, markup=False)

    def _load_own_names(self) -> None:
        """Read this annotator's tagged names for suggestions, beside the database queue."""
        own = SuggestionIndex()
        workbench = self.workbench
        load_own_names(own, workbench.engine, workbench.annotator_id, workbench.active.codebook)
        self.call_from_thread(self.suggestions.update, own)

    async def wait_for_database(self) -> None:
        """Wait until every queued database job has run and answered (for tests and quitting)."""
        while self._jobs.unfinished_tasks:
            await asyncio.sleep(0.002)

    async def action_quit(self) -> None:
        screen = self.screen
        if isinstance(screen, AnnotateScreen):
            screen.flush_time()
        await self.wait_for_database()
        self._jobs.put(_STOP)
        self.exit(0)

    def key_display(self, binding: Binding) -> str:
        """How a binding's key is shown in the help, after any remapping."""
        remapped = self._keymap.get(binding.id or "")
        if remapped:
            binding = dataclasses.replace(binding, key=remapped.split(",")[0].strip())
        return self.get_key_display(binding)


def load_keymap(path: Path, codebook: Codebook | None = None) -> dict[str, str]:
    """Read and check a YAML mapping of binding id to keys (e.g. `passage.done: ctrl+d`), with
    the keys as Textual names them (see `annotator.codebook.keymap`)."""
    return read_keymap(path, codebook)


def run_app(project: Project, annotator_id: int, *, gazetteer: Path | None = None, keymap: Path | None = None) -> int:
    """Run the app in the terminal until the annotator quits (bad option files fail first)."""
    suggestions = SuggestionIndex()
    if gazetteer is not None:
        load_gazetteer(suggestions, gazetteer, project.codebook)
    app = AnnotatorApp(
        project, annotator_id, suggestions=suggestions, keymap=load_keymap(keymap, project.codebook) if keymap else None
    )
    app.run()
    return app.return_code or 0
