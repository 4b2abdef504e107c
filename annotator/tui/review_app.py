"""The review app: a lead adjudicates, with the labelling app's serial database worker."""

from __future__ import annotations

from textual import events

from annotator.adjudication import require_lead
from annotator.db.engine import read_session
from annotator.project import Project
from annotator.tui.app import AnnotatorApp
from annotator.tui.review_screen import ReviewScreen


class ReviewApp(AnnotatorApp):
    """Review passages several annotators finished and decide their gold labels (leads only)."""

    TITLE = "annotator review"

    def __init__(self, project: Project, lead_id: int) -> None:
        with read_session(project.engine) as session:
            require_lead(session, lead_id)
        super().__init__(project, lead_id)

    def on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # instead of the labelling app's start, not after it
        self.run_worker(self._database_loop, thread=True, name="database", group="database", exit_on_error=False)
        self.push_screen(ReviewScreen())


def run_review_app(project: Project, lead_id: int) -> int:
    """Run the review app in the terminal until the lead quits."""
    app = ReviewApp(project, lead_id)
    app.run()
    return app.return_code or 0
