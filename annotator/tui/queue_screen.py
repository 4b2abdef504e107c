"""The queue: this annotator's passages with their status, progress, filters and jump-to."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, ProgressBar, Static

from annotator.workbench import QueueItem, Workbench

PAGE = 500
FILTERS = (None, "todo", "in_progress", "done", "skipped", "flagged")


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

    def __init__(self, workbench: Workbench) -> None:
        super().__init__()
        self.workbench = workbench
        self.filter_index = 0
        self.loaded = 0

    def compose(self) -> ComposeResult:
        yield Static(id="queue-summary")
        yield ProgressBar(show_eta=False, id="queue-progress")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("status", "passage", "article", "starts with")
        table.focus()
        self.reload()

    @property
    def status_filter(self) -> str | None:
        """The status shown, or None for all."""
        return FILTERS[self.filter_index]

    def reload(self) -> None:
        """Start again from the first page of the current filter."""
        self.query_one(DataTable).clear()
        self.loaded = 0
        self.load_page()

    @work(thread=True, exclusive=True, group="queue", exit_on_error=False)
    def load_page(self) -> None:
        counts = self.workbench.queue_counts()
        items = self.workbench.queue_page(self.status_filter, self.loaded, PAGE)
        self.app.call_from_thread(self._show, counts, items)

    def _show(self, counts: dict[str, int], items: list[QueueItem]) -> None:
        finished = counts["done"] + counts["skipped"]
        summary = Text()
        summary.append(f"{finished} of {counts['total']} finished", style="bold")
        summary.append(
            f"  todo {counts['todo']} · in progress {counts['in_progress']} · done {counts['done']} · "
            f"skipped {counts['skipped']} · flagged {counts['flagged']}"
        )
        summary.append(f"   showing: {self.status_filter or 'all'}", style="italic")
        self.query_one("#queue-summary", Static).update(summary)
        self.query_one(ProgressBar).update(total=max(counts["total"], 1), progress=finished)
        table = self.query_one(DataTable)
        for item in items:
            table.add_row(
                Text(item.status.replace("_", " ")),
                Text(f"{item.passage_id} (§{item.index})"),
                Text(item.article_title[:40]),
                Text(item.preview),
                key=str(item.passage_id),
            )
        self.loaded += len(items)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:  # every row is added with its passage id as key
            self.dismiss(int(event.row_key.value))

    def action_cycle_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self.reload()

    def action_more(self) -> None:
        self.load_page()

    def action_resume(self) -> None:
        self.dismiss(self.workbench.resume_passage())

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
