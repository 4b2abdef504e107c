"""The queue: this annotator's passages with their status, progress, filters and jump-to.

The summary counts the passages of the whole queue (every article) by status, each passage in
exactly one status; the progress bar is the share that is done (skipped is not done). Every
database read goes through the app's one database thread (`run_db`); the screen only draws
the answers. Every text that comes from the data is drawn through `visible()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, ProgressBar, Static

from annotator.visible_text import visible
from annotator.workbench import QueueItem, Workbench

if TYPE_CHECKING:
    from textual import getters

    from annotator.tui.app import AnnotatorApp  # which imports this module

PAGE = 500
FILTERS = (None, "todo", "in_progress", "done", "skipped", "flagged")
STATUS_WORDS = {
    "todo": "to do",
    "in_progress": "in progress",
    "done": "done",
    "skipped": "skipped",
    "flagged": "flagged",
}
"""How each status is written on the screen."""
SUMMARY_ORDER = ("done", "skipped", "flagged", "in_progress", "todo")
"""The order of the statuses in the summary: what is finished with first."""


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue as read from the database, with what was asked for."""

    status: str | None
    offset: int
    counts: dict[str, int]
    items: list[QueueItem]


def summary_text(counts: dict[str, int]) -> str:
    """What the queue holds, e.g. "52 passages in your queue: 1 done, 1 skipped, ...".

    It counts the passages of the whole queue (every article), each in exactly one status."""
    parts = ", ".join(f"{counts[status]} {STATUS_WORDS[status]}" for status in SUMMARY_ORDER)
    noun = "passage" if counts["total"] == 1 else "passages"
    return f"{counts['total']} {noun} in your queue: {parts}"


class QueueTable(DataTable):
    """The queue's rows: Home and End go to the first and last row (not sideways)."""

    BINDINGS = [
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]


class QueueScreen(Screen[int | None]):
    """Pick a passage: enter opens it (dismisses with its id), escape goes back."""

    BINDINGS = [
        Binding("escape", "dismiss_none", "Back", id="queue.back"),
        Binding("f", "cycle_filter", "Filter", id="queue.filter"),
        Binding("r", "resume", "Resume", id="queue.resume"),
        Binding("m", "more", "More rows", id="queue.more"),
    ]
    DEFAULT_CSS = """
    QueueScreen #queue-summary { height: auto; padding: 0 1; }
    QueueScreen ProgressBar { padding: 0 1; }
    QueueScreen DataTable { height: 1fr; }
    """

    if TYPE_CHECKING:  # the app this screen runs in (Textual's typed `app`; nothing changes at run time)
        app = getters.app(AnnotatorApp)

    def __init__(self, workbench: Workbench) -> None:
        super().__init__()
        self.workbench = workbench
        self.filter_index = 0
        self.loaded = 0

    def compose(self) -> ComposeResult:
        yield Static(id="queue-summary")
        yield ProgressBar(show_eta=False, id="queue-progress")
        yield QueueTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(QueueTable)
        table.add_columns("status", "passage", "article", "starts with")
        table.focus()
        self.reload()

    @property
    def status_filter(self) -> str | None:
        """The status shown, or None for all."""
        return FILTERS[self.filter_index]

    def reload(self) -> None:
        """Start again from the first page of the current filter."""
        self.query_one(QueueTable).clear()
        self.loaded = 0
        self.load_page()

    def load_page(self) -> None:
        """Ask the database thread for the next page of the current filter."""
        status, offset, workbench = self.status_filter, self.loaded, self.workbench

        def read() -> QueuePage:
            return QueuePage(status, offset, workbench.queue_counts(), workbench.queue_page(status, offset, PAGE))

        self.app.run_db(read, self.show_page)

    def show_page(self, page: QueuePage) -> None:
        """Draw a page read by `load_page`, unless the screen has moved on since it was asked for."""
        if not self.is_mounted or (page.status, page.offset) != (self.status_filter, self.loaded):
            return
        table = self.query_one(QueueTable)
        for item in page.items:
            table.add_row(*self.row_cells(item), key=str(item.passage_id))
        self.loaded += len(page.items)
        self.show_summary(page.counts)
        self.query_one(ProgressBar).update(total=max(page.counts["total"], 1), progress=page.counts["done"])

    def show_summary(self, counts: dict[str, int]) -> None:
        """What the queue holds, which rows are shown and how many of them are loaded."""
        status = self.status_filter
        matching = counts["total"] if status is None else counts[status]
        shown = f"showing: {STATUS_WORDS[status] if status else 'all'}"
        if self.loaded < matching:
            shown += f" (first {self.loaded} of {matching}; m for more)"
        summary = Text(summary_text(counts), style="bold")
        summary.append(f"   {shown}", style="italic")
        self.query_one("#queue-summary", Static).update(summary)

    @staticmethod
    def row_cells(item: QueueItem) -> tuple[Text, Text, Text, Text]:
        """One table row, every text from the data made visible."""
        return (
            Text(STATUS_WORDS.get(item.status, visible(item.status))),
            Text(f"{item.passage_id} (§{item.index})"),
            Text(visible(item.article_title)[:40]),
            Text(visible(item.preview)),
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:  # every row is added with its passage id as key
            self.dismiss(int(event.row_key.value))

    def action_cycle_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self.reload()

    def action_more(self) -> None:
        self.load_page()

    def action_resume(self) -> None:
        self.app.run_db(self.workbench.resume_passage, self.resume_at)

    def resume_at(self, passage_id: int | None) -> None:
        """Open the passage to resume at (found on the database thread), if still on this screen."""
        if self.is_current:
            self.dismiss(passage_id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
