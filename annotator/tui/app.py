"""The Textual app: one annotator, one database worker, the annotate and queue screens.

All database calls run, in order, on one worker thread (`run_db`), so the UI never waits on
the database and label actions are written in the order they were made. A failed call, for
whatever reason, is shown as a notification and the queue goes on; everything that
succeeded is already committed. Quitting waits a bounded time for queued writes and says
what is still pending.
"""

from __future__ import annotations

import asyncio
import dataclasses
import queue
import traceback
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

QUIT_WAIT_SECONDS = 10.0
"""How long quitting waits for queued database jobs before it asks what to do."""


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
        keep_layer: bool = False,
    ) -> None:
        super().__init__()
        self.keep_layer = keep_layer
        """Open each new passage on the layer in use (else on the first layer)."""
        self._quit_asked = False
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
                self._run_job(*item)
            finally:
                self._jobs.task_done()

    def _run_job(self, job: Callable[[], Any], then: Callable[[Any], None] | None) -> None:
        """Run one job and its answer; any failure becomes a notification, never the end of the loop."""
        try:
            result = job()
            if then is not None:
                self.call_from_thread(then, result)
        except Exception as error:  # any failure: the loop must outlive one job
            if not isinstance(error, (AnnotatorError, SQLAlchemyError, OSError)):
                self.log.error(traceback.format_exc())
            self.call_from_thread(self._report, error)

    def _report(self, error: Exception) -> None:
        cause = getattr(error, "orig", None) or error
        lines = str(cause).strip().splitlines()
        message = lines[0] if lines else type(cause).__name__
        if not isinstance(error, (AnnotatorError, SQLAlchemyError, OSError)):
            message = f"internal error ({type(error).__name__}): {message}"
        self.notify(message, title="Not saved", severity="error", timeout=8, markup=False)

    def _load_own_names(self) -> None:
        """Read this annotator's tagged names for suggestions, beside the database queue."""
        own = SuggestionIndex()
        workbench = self.workbench
        load_own_names(own, workbench.engine, workbench.annotator_id, workbench.active.codebook)
        self.call_from_thread(self.suggestions.update, own)

    @property
    def pending_jobs(self) -> int:
        """How many queued database jobs have not finished yet."""
        return self._jobs.unfinished_tasks

    async def wait_for_database(self, timeout: float | None = None) -> bool:
        """Wait until every queued database job has run and answered, or `timeout` seconds
        have passed; True when nothing is pending."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._jobs.unfinished_tasks:
            if deadline is not None and loop.time() >= deadline:
                return False
            await asyncio.sleep(0.002)
        return True

    async def action_quit(self) -> None:
        """Quit once queued writes are stored; if they take too long, say so, and quit
        anyway on a second ctrl+q."""
        screen = self.screen
        if isinstance(screen, AnnotateScreen):
            screen.flush_time()
        if not self._quit_asked and not await self.wait_for_database(QUIT_WAIT_SECONDS):
            self._quit_asked = True
            self.notify(
                f"{self.pending_jobs} database job(s) still waiting (the database is slow or unreachable). "
                "ctrl+q again quits now and drops them.",
                title="Still saving",
                severity="warning",
                timeout=30,
                markup=False,
            )
            return
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


def run_app(
    project: Project,
    annotator_id: int,
    *,
    gazetteer: Path | None = None,
    keymap: Path | None = None,
    keep_layer: bool = False,
) -> int:
    """Run the app in the terminal until the annotator quits (bad option files fail first)."""
    suggestions = SuggestionIndex()
    if gazetteer is not None:
        load_gazetteer(suggestions, gazetteer, project.codebook)
    app = AnnotatorApp(
        project,
        annotator_id,
        suggestions=suggestions,
        keymap=load_keymap(keymap, project.codebook) if keymap else None,
        keep_layer=keep_layer,
    )
    app.run()
    return app.return_code or 0
