"""The annotate screen: one passage, the active layer's palette, and this annotator's labels.

Keys come in two kinds: the screen's own bindings (each with an id, remappable through the
app's keymap) and the codebook's label and attribute keys for the active layer. Database
work goes through the app's serial database worker; the screen redraws when it answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer

from annotator.codebook import Attribute, AttributeValue, Codebook, Label, Layer, guideline_section
from annotator.codebook.guidelines import has_guidelines
from annotator.codebook.model import SUBTYPE_ATTRIBUTE
from annotator.core.kinds import rules_of
from annotator.db.models import Annotation
from annotator.label_keys import accept_suggestion, press_attribute, press_label, remove, respan
from annotator.labels import LabelContent
from annotator.spans import clean_span, word_at
from annotator.suggestions import Suggestion
from annotator.tui.modals import ChoiceScreen, GuidelinesScreen, KeysScreen, PromptScreen
from annotator.tui.passage_view import PaintedSpan, PassageView
from annotator.tui.queue_screen import QueueScreen
from annotator.tui.widgets import LabelList, LabelPalette, PalettePanel, TextLine
from annotator.visible_text import visible
from annotator.workbench import PassageData, Workbench

if TYPE_CHECKING:
    from textual import getters

    from annotator.tui.app import AnnotatorApp  # which imports this module

IDLE_SECONDS = 60.0
"""A gap between two key presses longer than this is idle time, not work."""

SUGGESTION_COLOR = "#8a8a8a"

clock = time.monotonic
"""The clock active time is measured with (a module attribute so tests can replace it)."""


class AnnotateScreen(Screen[None]):
    """Label one passage at a time, by keyboard (or mouse selection)."""

    BINDINGS = [
        Binding("tab", "layer(1)", "Next layer", priority=True, id="layer.next"),
        Binding("shift+tab", "layer(-1)", "Prev layer", priority=True, show=False, id="layer.previous"),
        Binding("semicolon", "jump", "Jump", id="select.jump"),
        Binding("space", "toggle_anchor", "Select", id="select.anchor"),
        Binding("escape", "clear", "Clear", show=False, id="select.clear"),
        Binding("enter", "finish('done')", "Done+next", priority=True, id="passage.done"),
        Binding(">", "finish('skipped')", "Skip", show=False, id="passage.skip"),
        Binding("<", "go(-1)", "Back", show=False, id="passage.back"),
        Binding("ctrl+n", "go(1)", "Next", show=False, id="passage.next"),
        Binding("ctrl+p", "go(-1)", "Previous", show=False, id="passage.previous"),
        Binding("!", "flag", "Flag", show=False, id="passage.flag"),
        Binding("#", "comment", "Comment", show=False, id="passage.comment"),
        Binding("ctrl+z", "undo", "Undo", priority=True, id="label.undo"),
        Binding("ctrl+y", "redo", "Redo", priority=True, show=False, id="label.redo"),
        Binding("{", "focus_label(-1)", "Prev label", show=False, id="label.previous"),
        Binding("}", "focus_label(1)", "Next label", show=False, id="label.next"),
        Binding("=", "edit_label", "Edit", show=False, id="label.edit"),
        Binding("delete,backspace", "delete_label", "Delete", priority=True, show=False, id="label.delete"),
        Binding("+", "accept_suggestion", "Accept sugg.", show=False, id="suggestion.accept"),
        Binding("-", "reject_suggestion", "Reject sugg.", show=False, id="suggestion.reject"),
        Binding("slash", "subtype", "Sub-type", show=False, id="label.subtype"),
        Binding("[", "target(-1)", "Prev target", show=False, id="stance.previous_target"),
        Binding("]", "target(1)", "Next target", show=False, id="stance.next_target"),
        Binding("f1", "guidelines", "Guide", show=False, id="help.guidelines"),
        Binding("question_mark", "keys", "Keys", id="help.keys"),
        Binding("f2", "queue", "Queue", show=False, id="queue.open"),
    ]

    DEFAULT_CSS = """
    AnnotateScreen #title { height: 1; background: $primary-background; padding: 0 1; }
    AnnotateScreen #main { height: 1fr; }
    AnnotateScreen #reading { width: 3fr; min-width: 48; }
    AnnotateScreen .context { color: $text-muted; height: 1; padding: 0 2; }
    AnnotateScreen #side { width: 2fr; min-width: 30; max-width: 44; border-left: solid $primary-darken-2; }
    AnnotateScreen #status { height: 1; padding: 0 1; background: $boost; }
    """

    if TYPE_CHECKING:  # the app this screen runs in (Textual's typed `app`; nothing changes at run time)
        app = getters.app(AnnotatorApp)

    def __init__(self) -> None:
        super().__init__()
        self.passage: PassageData | None = None
        self.layer_index = 0
        self.target_index = 0
        self.editing_id: int | None = None
        self.picked_id: int | None = None
        """The label the annotator moved the highlight to with `{`/`}` since their last write
        (None: keys act on the newest label when their write runs)."""
        self.suggestions: list[Suggestion] = []
        self._last_activity: float | None = None
        self._pending_seconds = 0.0

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TextLine(id="title")
        with Horizontal(id="main"):
            with Vertical(id="reading"):
                yield TextLine(classes="context", id="previous")
                yield PassageView(id="passage")
                yield TextLine(classes="context", id="next")
            with PalettePanel(id="side"):
                yield LabelPalette(id="palette")
        yield LabelList(id="labels")
        yield TextLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(PassageView).focus()
        self.set_interval(30, self.flush_time)
        self.app.run_db(self.app.workbench.resume_passage, self._open_or_queue)

    def _update(self, selector: str, content: Text) -> None:
        self.query_one(selector, TextLine).show(content)

    @property
    def shown_passage(self) -> PassageData:
        """The passage on screen, for code that only runs once one is shown (`passage` is set)."""
        if self.passage is None:
            raise RuntimeError("no passage is shown yet")
        return self.passage

    @property
    def codebook(self) -> Codebook:
        return self.app.workbench.active.codebook

    @property
    def active_layer(self) -> Layer:
        """The layer whose keys are live (not `layer`: that is the widget's CSS layer)."""
        return self.codebook.layers[self.layer_index]

    @property
    def view(self) -> PassageView:
        return self.query_one(PassageView)

    # -- loading and drawing -----------------------------------------------------------------------

    def _open_or_queue(self, passage_id: int | None) -> None:
        if passage_id is None:
            self.notify("Nothing left to do in your queue.", title="Queue")
            self.action_queue()
        else:
            self.open_passage(passage_id)

    def open_passage(self, passage_id: int) -> None:
        """Load a passage (in the database worker) and show it."""
        self.flush_time()
        self.app.run_db(lambda: self.app.workbench.load_passage(passage_id), self.show_passage)

    def show_passage(self, data: PassageData) -> None:
        """Show freshly loaded passage data; the text is reloaded only for a new passage."""
        new_passage = self.passage is None or self.passage.passage_id != data.passage_id
        self.passage = data
        for row in data.labels:
            if row.span_start is not None:
                self.app.suggestions.add(row.layer, data.surface(row), row.label)
        if new_passage:
            self.editing_id = None
            self.picked_id = None
            self.target_index = 0
            if not self.app.keep_layer:
                self.layer_index = 0
                self.refresh_bindings()
            self.view.show_passage(data.text)
            self.query_one(LabelList).forget_newest()
            self._update("#previous", _context(data.previous_text, "…", ""))
            self._update("#next", _context(data.next_text, "", "…"))
        self.redraw()

    def redraw(self) -> None:
        """Draw everything that depends on the labels, the layer or the cursor."""
        data = self.passage
        if data is None:
            return
        self.suggestions = self._compute_suggestions(data)
        self.query_one(LabelList).show_labels(list(data.labels), data.window, self.codebook)
        focused = self.focused_label()
        painted = [
            PaintedSpan(*local, self._color(row), focused=focused is not None and row.id == focused.id)
            for row in data.labels
            if (local := data.local_span(row)) is not None
        ]
        painted += [PaintedSpan(s.start, s.end, SUGGESTION_COLOR, suggestion=True) for s in self.suggestions]
        self.view.paint(painted)
        chosen = {row.label for row in data.labels if row.layer == self.active_layer.id}
        if rules_of(self.active_layer).needs_target:
            chosen = {
                row.label
                for row in data.labels
                if row.layer == self.active_layer.id and row.target == self.current_target()
            }
        self.query_one(LabelPalette).show_layer(self.active_layer, chosen, self._layer_extra(), self._label_in_layer())
        self._draw_title()
        self._draw_status()

    def _draw_title(self) -> None:
        """The date first (a narrow screen cuts the end), the place in the article, title, source."""
        data = self.shown_passage
        title = Text(no_wrap=True, overflow="ellipsis")
        if data.published:
            title.append(data.published.isoformat(), style="bold")
            title.append(" │ ", style="dim")
        title.append(f"§{data.index} · article {data.article_done}/{data.article_total} done")
        title.append(" │ ", style="dim")
        title.append(visible(data.article_title), style="bold")
        if data.source:
            title.append(f" · {visible(data.source)}", style="dim")
        self._update("#title", title)

    def _draw_status(self) -> None:
        data = self.shown_passage
        status = Text(no_wrap=True, overflow="ellipsis")
        status.append(f" {data.status.replace('_', ' ')} ", style="reverse")
        status.append(f" layer {self.layer_index + 1}/{len(self.codebook.layers)}: {visible(self.active_layer.name)}")
        if self.view.selection_anchor is not None:
            status.append("  SELECTING (space stops)", style="bold")
        if self.editing_id is not None:
            status.append("  EDITING: press a label key or = to save the new span", style="bold")
        if self.suggestions:
            status.append(f"  {len(self.suggestions)} suggestion(s): + accept, - reject", style="italic")
        if data.note:
            status.append(f"  flag: {visible(data.note)}", style="italic")
        if data.comment:
            status.append(f"  comment: {visible(data.comment)}", style="italic")
        self._update("#status", status)

    def _color(self, row: Annotation) -> str:
        try:
            return self.codebook.layer(row.layer).label(row.label).color
        except KeyError:
            return "#888888"

    def _layer_extra(self) -> Text | None:
        """The stance target that label keys act on: its place among the targets, its full name."""
        if not rules_of(self.active_layer).needs_target:
            return None
        targets = self.targets()
        text = Text("Target", style="bold")
        if not targets:
            text.append("  none: tag actors first", style="italic")
            return text
        position = self.target_index % len(targets)
        target_id, target_name = targets[position]
        text.append(f" ({position + 1}/{len(targets)})", style="bold")
        text.append("  [ ] change", style="dim")
        if target_id in {target.id for target in self.codebook.targets}:
            text.append(f"\n{visible(target_name)}", style="bold reverse")
        else:
            text.append(f"\n“{visible(target_name)}”", style="bold reverse")
            text.append(" (actor)" if target_id in self._tagged_actors() else " (actor no longer tagged)", style="dim")
        return text

    def _compute_suggestions(self, data: PassageData) -> list[Suggestion]:
        if not rules_of(self.active_layer).spans:
            return []
        taken = {local for row in data.labels if row.layer == self.active_layer.id and (local := data.local_span(row))}
        rejected = {tuple(item) for item in data.rejected_suggestions}
        found = self.app.suggestions.suggest(data.text, self.active_layer.id, taken, rejected)
        removed = data.removed_spans  # what the annotator took away here is not offered again
        return [s for s in found if (s.layer, *data.window.to_article(s.start, s.end)) not in removed]

    # -- helpers ------------------------------------------------------------------------------------

    def targets(self) -> list[tuple[str, str]]:
        """Stance targets: the codebook's, then the actors this annotator tagged in the passage."""
        targets = [(t.id, t.name) for t in self.codebook.targets_for(self.active_layer.id)]
        if self.active_layer.target_layer and self.passage:
            seen = {target_id for target_id, _ in targets}
            for row in self.passage.labels:
                if row.layer == self.active_layer.target_layer and row.span_start is not None:
                    surface = self.passage.surface(row)
                    if surface not in seen:
                        seen.add(surface)
                        targets.append((surface, surface))
        if self.passage:  # a stance whose actor span is gone stays reachable, marked
            for row in self.passage.labels:
                if row.layer == self.active_layer.id and row.target and row.target not in seen:
                    seen.add(row.target)
                    targets.append((row.target, row.target))
        return targets

    def _tagged_actors(self) -> set[str]:
        """The surfaces of the actor spans (the stance layer's target layer) tagged here."""
        layer, data = self.active_layer.target_layer, self.passage
        if not layer or data is None:
            return set()
        return {data.surface(row) for row in data.labels if row.layer == layer and row.span_start is not None}

    def current_target(self) -> str | None:
        targets = self.targets()
        return targets[self.target_index % len(targets)][0] if targets else None

    def focused_label(self) -> Annotation | None:
        """The label highlighted in the list, if any."""
        if self.passage is None:
            return None
        revision_id = self.query_one(LabelList).highlighted_id
        return next((row for row in self.passage.labels if row.id == revision_id), None)

    def picked_label(self) -> Annotation | None:
        """The label picked with `{`/`}` since the last write, if it is still shown."""
        if self.passage is None or self.picked_id is None:
            return None
        return next((row for row in self.passage.labels if row.id == self.picked_id), None)

    def _label_in_layer(self) -> Annotation | None:
        """The highlighted label if it is in the active layer, else the newest one there (on
        the target shown, for a stance layer)."""
        if self.passage is None:
            return None
        focused = self.focused_label()
        if focused is not None and focused.layer == self.active_layer.id:
            return focused
        rows = [row for row in self.passage.labels if row.layer == self.active_layer.id]
        if rules_of(self.active_layer).needs_target:
            rows = [row for row in rows if row.target == self.current_target()]
        return rows[-1] if rows else None

    def _write(self, job: Callable[[Workbench], object]) -> None:
        """Queue a label write, then reload the passage and redraw.

        `job` gets the workbench and must carry everything it needs from key time (passage,
        layer, label, span, target, picked label) in its own variables: it runs later, on the
        database thread, after the writes queued before it (see `annotator.label_keys`).
        """
        shown = self.shown_passage
        workbench = self.app.workbench
        self.picked_id = None  # the label the write makes or changes gets the highlight

        def write_then_reload() -> PassageData:
            job(workbench)
            return workbench.reload_work(shown)

        self.app.run_db(write_then_reload, self.show_passage)

    # -- the codebook's keys ---------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        self._note_activity()
        if self.passage is None or event.character is None or len(event.character) != 1:
            return
        target = key_target(self.active_layer, event.character)
        if target is None:
            return
        event.stop()
        event.prevent_default()
        if isinstance(target, Label):
            self.apply_label(target)
        else:
            attribute, value = target
            self.apply_attribute(attribute, value)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self._note_activity()

    def apply_label(self, label: Label) -> None:
        """A label key: on a span layer it tags the selection (or the word at the cursor);
        elsewhere it sets, toggles or changes the passage's (or the stance target's) label."""
        layer = self.active_layer
        if rules_of(layer).spans:
            self._apply_span_label(label)
            return
        target = None
        if rules_of(layer).needs_target:
            target = self.current_target()
            if target is None:
                self.notify("No stance target: tag an actor or add targets to the codebook.", severity="warning")
                return
        passage_id = self.shown_passage.passage_id
        self._write(lambda workbench: press_label(workbench, passage_id, layer, label.id, target=target))

    def _apply_span_label(self, label: Label) -> None:
        data, view, layer = self.shown_passage, self.view, self.active_layer
        editing = next((row for row in data.labels if row.id == self.editing_id), None)
        rough = view.selected_range or (None if editing else word_at(data.text, view.cursor_offset))
        if rough is None and editing is not None:
            rough = data.local_span(editing)
        cleaned = clean_span(data.text, *rough) if rough else None
        if cleaned is None:
            self.notify("Select some text first (space, then move; or shift+arrows).", severity="warning")
            return
        span = data.window.to_article(*cleaned)
        view.clear_selection()
        self.editing_id = None
        passage_id = data.passage_id
        if editing is not None:
            edited = editing.id
            self._write(lambda workbench: respan(workbench, edited, layer, label.id, span))
        else:  # a label key on a span you already tagged changes it, or (same label) removes it
            self._write(lambda workbench: press_label(workbench, passage_id, layer, label.id, span=span))

    def apply_attribute(self, attribute: Attribute, value: AttributeValue | None) -> None:
        """Set or clear a choice, or toggle a flag, on the picked label of the active layer,
        else on its newest label (on the target shown, for a stance layer) when the write runs."""
        layer, passage_id = self.active_layer, self.shown_passage.passage_id
        picked = self.picked_label()
        revision_id = picked.id if picked is not None and picked.layer == layer.id else None
        target = self.current_target() if rules_of(layer).needs_target and revision_id is None else None
        value_id = value.id if value is not None else None
        self._write(
            lambda workbench: press_attribute(
                workbench, passage_id, layer, attribute, value_id, revision_id=revision_id, target=target
            )
        )

    # -- actions ---------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide keys that do nothing now, so the footer shows what works."""
        if action in ("target",):
            return rules_of(self.active_layer).needs_target
        if action in ("accept_suggestion", "reject_suggestion"):
            return bool(self.suggestions)
        return True

    def action_layer(self, step: int) -> None:
        self.layer_index = (self.layer_index + step) % len(self.codebook.layers)
        self.view.stop_jump()  # its hints avoided the old layer's keys, not the new one's
        self.editing_id = None
        self.refresh_bindings()
        self.redraw()

    def action_jump(self) -> None:
        """Show a hint on every visible word; typing one moves there, a second extends to it."""
        self.view.start_jump(self.active_layer.bound_keys())

    def action_toggle_anchor(self) -> None:
        self.view.toggle_anchor()
        if self.passage:
            self._draw_status()

    def action_clear(self) -> None:
        self.view.clear_selection()
        self.editing_id = None
        if self.passage:
            self._draw_status()

    def action_finish(self, status: str) -> None:
        """Mark the passage done (or skipped) and open the next one still to do. Done on a
        passage with no label in any layer asks first, so a double enter cannot finish it."""
        if self.passage is None:
            return
        passage_id, workbench = self.passage.passage_id, self.app.workbench
        if status != "done":
            self._finish(passage_id, status)
            return

        def confirmed(answer: str | None) -> None:
            if answer == "yes":
                self._finish(passage_id, status)

        def ask_if_empty(labels: list[Annotation]) -> None:
            if labels:
                self._finish(passage_id, status)
            else:
                choices = [("no", "No: keep labelling"), ("yes", "Yes: done, nothing to label here")]
                self.app.push_screen(ChoiceScreen("Mark done with no labels?", choices, "no"), confirmed)

        self.app.run_db(lambda: workbench.current_labels(passage_id), ask_if_empty)

    def _finish(self, passage_id: int, status: str, note: str | None = None) -> None:
        workbench = self.app.workbench
        self.flush_time()

        def finish() -> int | None:
            workbench.set_status(passage_id, status, note)
            return workbench.next_unfinished(passage_id)

        self.app.run_db(finish, self._after_finish)

    def _after_finish(self, next_id: int | None) -> None:
        if next_id is None:
            self.notify("Every passage in your queue is finished or skipped (F2: the queue).", title="Queue")
            self.open_passage(self.shown_passage.passage_id)
        else:
            self.open_passage(next_id)

    def action_go(self, step: int) -> None:
        if self.passage is None:
            return
        passage_id = self.passage.passage_id
        self.app.run_db(lambda: self.app.workbench.neighbour(passage_id, step), self._go_to)

    def _go_to(self, passage_id: int | None) -> None:
        if passage_id is None:
            self.notify("No more passages that way.")
        else:
            self.open_passage(passage_id)

    def action_flag(self) -> None:
        if self.passage is None:
            return
        passage_id = self.passage.passage_id

        def flagged(note: str | None) -> None:
            if note is not None:
                self._finish(passage_id, "flagged", note)

        self.app.push_screen(PromptScreen("Flag as uncertain: what is unclear?", self.passage.note or ""), flagged)

    def action_comment(self) -> None:
        if self.passage is None:
            return
        passage_id = self.passage.passage_id

        def commented(comment: str | None) -> None:
            if comment is None:
                return
            workbench = self.app.workbench

            def comment_then_reload() -> PassageData:
                workbench.set_comment(passage_id, comment)
                return workbench.load_passage(passage_id)

            self.app.run_db(comment_then_reload, self.show_passage)

        self.app.push_screen(PromptScreen("Comment on this passage:", self.passage.comment or ""), commented)

    def action_undo(self) -> None:
        self._replay(self.app.workbench.undo, "Nothing to undo.")

    def action_redo(self) -> None:
        self._replay(self.app.workbench.redo, "Nothing to redo.")

    def _replay(self, step: Callable[[], int | None], nothing: str) -> None:
        workbench = self.app.workbench

        def replay() -> PassageData | None:
            passage_id = step()
            return None if passage_id is None else workbench.load_passage(passage_id)

        def shown(data: PassageData | None) -> None:
            if data is None:
                self.notify(nothing)
            else:
                self.show_passage(data)

        self.app.run_db(replay, shown)

    def action_focus_label(self, step: int) -> None:
        labels = self.query_one(LabelList)
        if labels.option_count:
            current = labels.highlighted if labels.highlighted is not None else -step
            labels.highlighted = (current + step) % labels.option_count
            self.picked_id = labels.highlighted_id
            self.redraw()

    def action_edit_label(self) -> None:
        row = self.focused_label()
        if row is None:
            self.notify("No label to edit: add one, or pick one with { and }.", severity="warning")
            return
        if row.span_start is None:
            self.notify(
                "A passage label has no span to edit: press another label key to change it, delete to remove it.",
                severity="warning",
            )
            return
        if self.editing_id == row.id:
            label = self.codebook.layer(row.layer).label(row.label)
            self.layer_index = [layer.id for layer in self.codebook.layers].index(row.layer)
            self._apply_span_label(label)
            return
        self.layer_index = [layer.id for layer in self.codebook.layers].index(row.layer)
        self.editing_id = row.id
        local = self.shown_passage.local_span(row)
        if local is not None:
            self.view.select_range(*local)
            self.view.selection_anchor = local[0]
        self.redraw()

    def action_delete_label(self) -> None:
        """Delete the label picked with `{`/`}`, else the newest one (as it is when the write runs)."""
        if self.focused_label() is None:
            self.notify("No label to delete on this passage.", severity="warning")
            return
        picked = self.picked_label()
        passage_id, revision_id = self.shown_passage.passage_id, picked.id if picked else None
        self._write(lambda workbench: remove(workbench, passage_id, revision_id=revision_id))

    def _suggestion_at_cursor(self) -> Suggestion | None:
        cursor = self.view.cursor_offset
        return next((s for s in self.suggestions if s.start <= cursor <= s.end), None) or (
            self.suggestions[0] if self.suggestions else None
        )

    def action_accept_suggestion(self) -> None:
        suggestion = self._suggestion_at_cursor()
        if suggestion is None:
            return
        data = self.shown_passage
        content = LabelContent(
            suggestion.layer, suggestion.label, *data.window.to_article(suggestion.start, suggestion.end)
        )
        passage_id = data.passage_id
        self._write(lambda workbench: accept_suggestion(workbench, passage_id, content))

    def action_reject_suggestion(self) -> None:
        suggestion = self._suggestion_at_cursor()
        if suggestion is None:
            return
        passage_id, key = self.shown_passage.passage_id, suggestion.key()
        self._write(lambda workbench: workbench.reject_suggestion(passage_id, key))

    def action_subtype(self) -> None:
        """Pick the sub-type of the highlighted label (of the active layer) from its list."""
        row, layer = self._label_in_layer(), self.active_layer
        if row is None:
            self.notify(f"No {layer.name} label here yet: tag one, then / picks its sub-type.", severity="warning")
            return
        label = layer.label(row.label)
        if not label.subtypes:
            self.notify(f"{label.name} has no sub-types.", severity="warning", markup=False)
            return
        attribute = layer.attribute(SUBTYPE_ATTRIBUTE)
        choices = [(subtype.id, subtype.name) for subtype in label.subtypes]
        passage_id, revision_id = self.shown_passage.passage_id, row.id

        def chosen(subtype_id: str | None) -> None:
            if subtype_id is not None:
                self._write(
                    lambda workbench: press_attribute(
                        workbench, passage_id, layer, attribute, subtype_id, revision_id=revision_id
                    )
                )

        self.app.push_screen(
            ChoiceScreen(f"Sub-type of {label.name}:", choices, row.attributes.get(SUBTYPE_ATTRIBUTE)), chosen
        )

    def action_target(self, step: int) -> None:
        self.target_index += step
        self.redraw()

    def action_guidelines(self) -> None:
        self.app.push_screen(GuidelinesScreen(self._guidelines_markdown()))

    def _guidelines_markdown(self) -> str:
        """The card of the label under the cursor (or highlighted), else of the whole layer,
        followed by the matching section of the manual in `guidelines/` when there is one."""
        row = self._label_under_cursor() or self._label_in_layer()
        layer = self.codebook.layer(row.layer) if row else self.active_layer
        manual_name = layer.guidelines or layer.id
        manual = guideline_section(manual_name, row.label if row else None) if has_guidelines(manual_name) else ""
        labels = [layer.label(row.label)] if row else list(layer.active_labels)
        cards = [f"# {layer.name}\n\n{layer.description}"] if row is None else []
        for label in labels:
            examples = "\n".join(f"- {example}" for example in label.examples)
            misses = "\n".join(f"- {miss}" for miss in label.near_misses)
            cards.append(
                f"{'#' if row else '##'} {label.name} (`{label.id}`, key `{label.key}`)\n\n{label.definition}\n\n"
                f"**Examples**\n\n{examples}\n\n**Not this when**\n\n{misses}"
            )
        return "\n\n".join(cards) + (f"\n\n---\n\n{manual}" if manual else "")

    def _label_under_cursor(self) -> Annotation | None:
        if self.passage is None:
            return None
        cursor = self.view.cursor_offset
        return next(
            (
                row
                for row in self.passage.labels
                if (local := self.passage.local_span(row)) is not None and local[0] <= cursor < local[1]
            ),
            None,
        )

    def action_keys(self) -> None:
        rows = [(self.app.key_display(binding), binding.description) for binding in self._visible_bindings()]
        rows += [
            ("ctrl+left/right", "to the previous / next word start (shift: extend selection)"),
            ("left/right", "move by character (shift: extend selection)"),
            ("mouse drag", "select text"),
        ]
        for label in self.active_layer.active_labels:
            rows.append((label.key, f"{self.active_layer.name}: {label.name}"))
        for attribute in self.active_layer.attributes:
            if attribute.key:
                rows.append((attribute.key, f"toggle {attribute.name}"))
            rows += [(value.key, f"{attribute.name}: {value.name}") for value in attribute.values if value.key]
        self.app.push_screen(KeysScreen(rows, f"Keys (layer: {self.active_layer.name})"))

    def _visible_bindings(self) -> list[Binding]:
        """This screen's own bindings as currently mapped (after any keymap), and quit."""
        own = [binding.id for binding in self.BINDINGS if isinstance(binding, Binding)] + ["app.quit"]
        active = {item.binding.id: item.binding for item in self.active_bindings.values()}
        bindings = [active[binding_id] for binding_id in own if binding_id in active]
        if not any(rules_of(layer).needs_target for layer in self.codebook.layers):
            bindings = [binding for binding in bindings if not binding.action.startswith("target(")]
        return bindings

    def action_queue(self) -> None:
        def chosen(passage_id: int | None) -> None:
            if passage_id is not None:
                self.open_passage(passage_id)

        self.app.push_screen(QueueScreen(self.app.workbench), chosen)

    # -- time ---------------------------------------------------------------------------------------------

    def _note_activity(self) -> None:
        now = clock()
        if self._last_activity is not None and now - self._last_activity <= IDLE_SECONDS:
            self._pending_seconds += now - self._last_activity
        self._last_activity = now

    def flush_time(self) -> None:
        """Store the active seconds gathered on the current passage."""
        if self.passage is None or self._pending_seconds <= 0:
            return
        seconds, self._pending_seconds = self._pending_seconds, 0.0
        passage_id = self.passage.passage_id
        self.app.run_db(lambda: self.app.workbench.add_active_time(passage_id, seconds))


def key_target(layer: Layer, character: str) -> Label | tuple[Attribute, AttributeValue | None] | None:
    """What a printable key means in `layer`: a label, an attribute value or flag, or nothing."""
    for label in layer.active_labels:
        if label.key == character:
            return label
    for attribute in layer.attributes:
        if attribute.kind == "flag" and attribute.key == character:
            return attribute, None
        for value in attribute.values:
            if value.key == character:
                return attribute, value
    return None


def _context(text: str | None, before: str, after: str) -> Text:
    """A neighbouring passage, shown dim and cut to a line or two."""
    if not text:
        return Text("")
    flat = " ".join(visible(text).split())
    return Text(f"{before}{flat[-160:] if before else flat[:160]}{after}")
