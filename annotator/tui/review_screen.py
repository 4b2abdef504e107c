"""The review screen: a lead compares annotators' labels on a passage and decides the gold layer.

Passages come most disputed first. For the active layer every distinct label is one row, with
a column per annotator (● gave it) and the gold column; rows not everyone gave are highlighted.
Decisions act on the active layer, or on the whole passage after `w`: a digit takes that
annotator's version, `m` the majority, and space/enter make the lead's own pick among the rows.
Each decision asks for an optional rationale. Earlier decisions on the same dispute are shown
as precedent. Database work runs on the app's serial database worker.

`ctrl+e` edits the gold labels of the active layer with the annotate screen's keys: space and
shift+arrows select, `;` jumps, a label key tags the selection (or the word at the cursor),
relabels or removes what fills its place, attribute keys change the gold label at the row
cursor (`{`/`}` move it), `=` re-spans it, delete removes it, ctrl+z/ctrl+y undo and redo.
Each edit is a gold revision with a decision (`edit`); gold labels nobody gave get rows of
their own. `escape` clears the selection, then leaves editing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from annotator.adjudication import (
    GoldChange,
    Item,
    ItemKey,
    PassageReview,
    Precedent,
    ReviewSummary,
    accept_items,
    accept_majority,
    accept_version,
    delete_gold,
    load_review,
    precedents,
    press_gold_attribute,
    press_gold_label,
    respan_gold,
    restore_gold,
    review_list,
)
from annotator.codebook import Attribute, AttributeValue, Codebook, Label, Layer
from annotator.core.kinds import rules_of
from annotator.db.models import Annotation
from annotator.labels import LabelContent
from annotator.spans import clean_span, word_at
from annotator.tui.annotate_screen import key_target
from annotator.tui.modals import PromptScreen
from annotator.tui.passage_view import PaintedSpan, PassageView
from annotator.tui.widgets import TextLine
from annotator.visible_text import visible

if TYPE_CHECKING:
    from textual import getters

    from annotator.tui.review_app import ReviewApp  # which imports this module

DISPUTED = "bold yellow"
NOT_GOLD = "#8a8a8a"
"""The colour of a label the annotators gave that is not gold, under the cursor."""

REVIEW_ONLY = ("accept", "majority", "pick", "save_pick", "drop_pick", "cursor", "passage", "scope")
"""Actions whose keys belong to the codebook's label keys while the gold is being edited."""
EDIT_ONLY = ("anchor", "jump", "row", "respan", "delete_gold", "undo", "redo", "edit_escape", "target")


@dataclass(frozen=True)
class Step:
    """An undoable gold edit: the revision now heading the label, and the content to put back."""

    passage_id: int
    head_id: int
    restore: LabelContent | None


@dataclass(frozen=True)
class Loaded:
    """A passage's review data with the precedent for each disputed layer."""

    review: PassageReview
    precedent: dict[str, list[Precedent]]


class ReviewScreen(Screen[None]):
    """Adjudicate one passage at a time, by keyboard."""

    BINDINGS = [
        Binding("n", "passage(1)", "Next", id="review.next"),
        Binding("p", "passage(-1)", "Previous", id="review.previous"),
        Binding("tab", "layer(1)", "Next layer", priority=True, id="review.next_layer"),
        Binding("shift+tab", "layer(-1)", "Prev layer", priority=True, show=False, id="review.previous_layer"),
        Binding("w", "scope", "Layer/passage", id="review.scope"),
        *(
            Binding(str(n), f"accept({n})", "Accept annotator #", show=n == 1, id=f"review.accept_{n}")
            for n in range(1, 10)
        ),
        Binding("m", "majority", "Majority", id="review.majority"),
        Binding("up", "cursor(-1)", "Up", show=False, id="review.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="review.down"),
        Binding("space", "pick", "Pick", id="review.pick"),
        Binding("enter", "save_pick", "Save pick", priority=True, id="review.save_pick"),
        Binding("escape", "drop_pick", "Drop pick", show=False, id="review.drop_pick"),
        Binding("ctrl+e", "edit_gold", "Edit gold", priority=True, id="review.edit_gold"),
        Binding("space", "anchor", "Select", id="review.select"),
        Binding("semicolon", "jump", "Jump", id="review.jump"),
        Binding("{", "row(-1)", "Prev label", show=False, id="review.previous_label"),
        Binding("}", "row(1)", "Next label", show=False, id="review.next_label"),
        Binding("=", "respan", "Re-span", show=False, id="review.respan"),
        Binding("delete,backspace", "delete_gold", "Delete", priority=True, show=False, id="review.delete"),
        Binding("ctrl+z", "undo", "Undo", priority=True, id="review.undo"),
        Binding("ctrl+y", "redo", "Redo", priority=True, show=False, id="review.redo"),
        Binding("escape", "edit_escape", "Clear/stop", show=False, id="review.edit_escape"),
        Binding("[", "target(-1)", "Prev target", show=False, id="review.previous_target"),
        Binding("]", "target(1)", "Next target", show=False, id="review.next_target"),
    ]

    AUTO_FOCUS = ""
    """The passage takes the focus (and the arrow keys) only while the gold is being edited."""

    DEFAULT_CSS = """
    ReviewScreen #title { height: 1; background: $primary-background; padding: 0 1; }
    ReviewScreen #main { height: 1fr; }
    ReviewScreen #reading { width: 1fr; }
    ReviewScreen #queue { width: 34; border-left: solid $primary-darken-2; padding: 0 1; }
    ReviewScreen #items { height: auto; max-height: 14; border: round $primary-darken-2; }
    ReviewScreen #precedent { height: auto; max-height: 6; padding: 0 1; }
    ReviewScreen #status { height: 1; padding: 0 1; background: $boost; }
    """

    if TYPE_CHECKING:  # the app this screen runs in (Textual's typed `app`; nothing changes at run time)
        app = getters.app(ReviewApp)

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[ReviewSummary] = []
        self.position = 0
        self.loaded: Loaded | None = None
        self.layer_index = 0
        self.cursor = 0
        self.whole_passage = False
        self.pick: set[ItemKey] | None = None
        self.editing = False
        """Whether keys edit the gold labels (`ctrl+e`) rather than decide among versions."""
        self.respan_id: int | None = None
        """The gold label `=` is moving to a new span."""
        self.target_index = 0
        """Which stance target (`[`/`]`) label keys act on while editing a stance layer."""
        self.undo_steps: list[Step] = []
        self.redo_steps: list[Step] = []

    def compose(self) -> ComposeResult:
        yield TextLine(id="title")
        with Horizontal(id="main"):
            with Vertical(id="reading"):
                yield PassageView(id="passage")
            with Vertical(id="queue"):
                yield Static(id="list")
        yield Static(id="items")
        yield Static(id="precedent")
        yield TextLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.view.can_focus = False  # until `ctrl+e`: the arrow keys move the row cursor
        layers = [layer.id for layer in self.codebook.layers]
        self.app.run_db(lambda: review_list(self.engine, layers), self._show_list)

    # -- state -------------------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        return self.app.workbench.engine

    @property
    def lead_id(self) -> int:
        return self.app.workbench.annotator_id

    @property
    def codebook(self) -> Codebook:
        return self.app.workbench.active.codebook

    @property
    def active_layer(self) -> Layer:
        """The layer being reviewed (not `layer`: that is the widget's CSS layer)."""
        return self.codebook.layers[self.layer_index]

    @property
    def shown_passage(self) -> Loaded:
        """The passage on screen, for code that only runs once one is shown (`loaded` is set)."""
        if self.loaded is None:
            raise RuntimeError("no passage is shown yet")
        return self.loaded

    @property
    def review(self) -> PassageReview:
        """The review data of the passage on screen (see `shown_passage`)."""
        return self.shown_passage.review

    @property
    def view(self) -> PassageView:
        return self.query_one(PassageView)

    def items(self) -> list[Item]:
        """The distinct labels of the active layer: those given, and the gold labels nobody gave."""
        if not self.loaded:
            return []
        layer = self.active_layer.id
        return sorted([*self.review.items(layer), *self.review.gold_only(layer)], key=_reading_order)

    def gold_at_cursor(self) -> Annotation | None:
        """The gold label of the row at the cursor, if that row is gold."""
        items = self.items()
        if not items:
            return None
        return self.review.gold_row(self.active_layer.id, items[min(self.cursor, len(items) - 1)].key)

    def scope_layers(self) -> list[str]:
        """The layers a decision applies to now."""
        return [layer.id for layer in self.codebook.layers] if self.whole_passage else [self.active_layer.id]

    # -- loading -----------------------------------------------------------------------------------

    def _show_list(self, summaries: list[ReviewSummary]) -> None:
        self.summaries = summaries
        if not summaries:
            self.query_one("#items", Static).update(
                Text("Nothing to review yet: a passage comes here once two annotators finished it.", style="italic")
            )
            self._draw_list()
            return
        self.open(0)

    def open(self, position: int) -> None:
        """Load the passage at `position` of the list and show it."""
        self.position = position
        passage_id = self.summaries[position].passage_id
        self.app.run_db(lambda: self._load(passage_id), self._show)

    def _load(self, passage_id: int) -> Loaded:
        """(Database worker) The passage's review data and the precedent of its disputes."""
        review = load_review(self.engine, passage_id)
        precedent = {
            layer.id: precedents(self.engine, layer.id, dispute, passage_id)
            for layer in self.codebook.layers
            if (dispute := review.dispute(layer.id))
        }
        return Loaded(review, precedent)

    def _show(self, loaded: Loaded) -> None:
        if self.loaded is None or self.loaded.review.passage_id != loaded.review.passage_id:
            self.cursor = 0
            self.respan_id = None
            review = loaded.review
            disputed = [i for i, layer in enumerate(self.codebook.layers) if review.dispute(layer.id)]
            open_ = [i for i in disputed if self.codebook.layers[i].id not in review.decisions]
            if open_ or disputed:  # open a new passage on its first layer in dispute (undecided first)
                self.layer_index = (open_ or disputed)[0]
            self.view.show_passage(review.text)
        self.loaded = loaded
        self.pick = None
        self.redraw()

    # -- drawing -----------------------------------------------------------------------------------

    def redraw(self) -> None:
        """Draw everything that depends on the passage, the layer, the cursor or the pick."""
        if self.loaded is None:
            return
        items = self.items()
        self.cursor = min(self.cursor, max(len(items) - 1, 0))
        self._draw_title()
        self._draw_passage(items)
        self._draw_list()
        self._draw_items(items)
        self._draw_precedent()
        self._draw_status()
        self.refresh_bindings()

    def _draw_title(self) -> None:
        review, summary = self.review, self.summaries[self.position]
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f"Review {self.position + 1}/{len(self.summaries)} · ")
        title.append(f"passage {review.passage_id} §{review.index} · ")
        title.append(visible(review.article_title), style="bold")
        title.append(f" · {summary.coders} annotators · disagreement {summary.score:.2f}", style="dim")
        self.query_one("#title", TextLine).show(title)

    def _draw_passage(self, items: list[Item]) -> None:
        """The passage text; the active layer's gold spans in their label's colour, the other
        spans given underlined, the one at the cursor bold."""
        review, layer = self.review, self.active_layer
        gold = review.gold_keys(layer.id)
        colors = {label.id: label.color for label in layer.labels}
        painted = []
        for index, item in enumerate(items):
            content = item.content
            if content.span_start is None or content.span_end is None:
                continue
            start, end = review.window.local(content.span_start, content.span_end)
            color = colors.get(content.label, NOT_GOLD)
            if item.key in gold:
                painted.append(PaintedSpan(start, end, color, focused=index == self.cursor))
            elif index == self.cursor:
                painted.append(PaintedSpan(start, end, NOT_GOLD, focused=True))
            else:
                painted.append(PaintedSpan(start, end, color, suggestion=True))
        self.view.paint(painted)

    def _draw_list(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("score  passage\n", style="bold")
        first = max(0, self.position - 5)
        for index, summary in enumerate(self.summaries[first : first + 30], start=first):
            line = Text(f"{summary.score:.2f}  {summary.passage_id} §{summary.index} ")
            line.append(visible(summary.article_title)[:18], style="dim")
            if summary.decided_layers >= len(self.codebook.layers):
                line.append(" ✓", style="green")
            elif summary.decided_layers:
                line.append(f" {summary.decided_layers}/{len(self.codebook.layers)}", style="green")
            if index == self.position:
                line.stylize("reverse")
            text.append_text(line)
            text.append("\n")
        self.query_one("#list", Static).update(text)

    def _draw_items(self, items: list[Item]) -> None:
        review, layer = self.review, self.active_layer
        table = Table(expand=True, show_edge=False, pad_edge=False, title=Text(layer.name, style="bold"))
        table.add_column(Text(""), width=1, no_wrap=True)
        table.add_column(Text("label"), no_wrap=True)
        table.add_column(Text("text / target"), ratio=1, no_wrap=True, overflow="ellipsis")
        for number, coder in enumerate(review.coders, start=1):
            table.add_column(Text(f"{number} {visible(coder.name)}"), justify="center", no_wrap=True)
        table.add_column(Text("gold" if self.pick is None else "pick"), justify="center", no_wrap=True)
        gold = review.gold_keys(layer.id) if self.pick is None else self.pick
        names = {label.id: label.name for label in layer.labels}
        for index, item in enumerate(items):
            disputed = len(item.holders) < len(review.coders)
            cells = [
                Text("▶" if index == self.cursor else ""),
                Text(names.get(item.content.label, item.content.label)),
                self._describe(item, review.gold_row(layer.id, item.key)),
                *(Text("●" if coder.id in item.holders else "·") for coder in review.coders),
                Text("✓" if item.key in gold else ""),
            ]
            table.add_row(*cells, style=DISPUTED if disputed else None)
        if not items:
            blank = [Text("")] * (len(review.coders) + 2)
            table.add_row(Text(""), Text("nobody labelled this layer", style="italic"), *blank)
        self.query_one("#items", Static).update(table)

    def _describe(self, item: Item, gold: Annotation | None) -> Text:
        """The labelled text (span layers) or target, and the attributes (the gold label's
        after them where the lead gave it others)."""
        content, review = item.content, self.review
        text = Text(no_wrap=True, overflow="ellipsis")
        if content.span_start is not None and content.span_end is not None:
            snippet = review.window.slice(content.span_start, content.span_end)
            text.append(f"“{visible(snippet)}” ")
        if content.target:
            text.append(f"→ {visible(content.target)} ")
        for attribute, value in sorted(content.attributes.items()):
            text.append(f"{attribute}={visible(str(value))} ", style="italic")
        if gold is not None and dict(gold.attributes or {}) != dict(content.attributes):
            text.append("gold: ", style="bold")
            for attribute, value in sorted((gold.attributes or {}).items()):
                text.append(f"{attribute}={visible(str(value))} ", style="bold italic")
        return text

    def _draw_precedent(self) -> None:
        layer_id = self.active_layer.id
        text = Text()
        decision = self.review.decisions.get(layer_id)
        if decision is not None:
            names = self.review.names
            chosen_id = decision.chosen_annotator_id  # set for the "annotator" method
            how = {
                "annotator": f"{names.get(chosen_id, '?') if chosen_id is not None else '?'}'s version",
                "majority": "the majority",
                "edit": "own labels",
                "unanimous": "unanimous (accepted in bulk)",
            }.get(decision.method, decision.method)
            text.append("Decided: ", style="bold")
            text.append(visible(how))
            lead = visible(names.get(decision.lead_id, "?"))
            text.append(f" by {lead} at {decision.decided_at:%Y-%m-%d %H:%M}", style="dim")
            if decision.rationale:
                text.append(f" “{visible(decision.rationale)}”", style="italic")
            text.append("\n")
        dispute = self.review.dispute(layer_id)
        if dispute:
            text.append("Precedent ", style="bold")
            text.append(f"({', '.join(dispute)} in dispute): ", style="dim")
            shown = self.shown_passage.precedent.get(layer_id, [])
            if not shown:
                text.append("none yet", style="italic")
            for precedent in shown:
                text.append(f"\n passage {precedent.passage_id}: gold ")
                text.append(", ".join(precedent.gold_labels) or "(none)", style="bold")
                who = f"{precedent.chosen}'s version" if precedent.chosen else precedent.method
                text.append(f" — {visible(who)}, by {visible(precedent.lead)}", style="dim")
                if precedent.rationale:
                    text.append(f" “{visible(precedent.rationale)}”", style="italic")
        self.query_one("#precedent", Static).update(text)

    def _draw_status(self) -> None:
        status = Text(no_wrap=True, overflow="ellipsis")
        scope = "whole passage" if self.whole_passage else f"layer {self.layer_index + 1}/{len(self.codebook.layers)}"
        status.append(f" {scope} ", style="reverse")
        for number, coder in enumerate(self.review.coders, start=1):
            status.append(f"  {number} ")
            status.append(visible(coder.name), style="bold")
        if self.editing:
            status.append("  EDITING GOLD", style="bold reverse")
            if self.view.selection_anchor is not None:
                status.append("  SELECTING (space stops)", style="bold")
            if self.respan_id is not None:
                status.append("  RE-SPANNING: select, then a label key or =", style="bold")
            if rules_of(self.active_layer).needs_target:
                targets = self.targets()
                shown = targets[self.target_index % len(targets)][1] if targets else "none: tag actors first"
                status.append(f"  target ([ ]): {visible(shown)}", style="bold")
            status.append("  space/shift+arrows select, ; jump, label keys tag, { } row, = re-span, delete")
            status.append("  ctrl+e done", style="dim")
        else:
            status.append("  m majority  ctrl+e edit gold")
        if self.pick is not None:
            status.append("  PICKING: space toggles, enter saves, escape drops", style="bold")
        self.query_one("#status", TextLine).show(status)

    # -- actions -------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide keys that do nothing now, so the footer shows what works."""
        if self.loaded is None:
            return action not in (*REVIEW_ONLY, *EDIT_ONLY, "edit_gold")
        if action in EDIT_ONLY:
            if action == "undo":
                return self.editing and bool(self.undo_steps)
            if action == "redo":
                return self.editing and bool(self.redo_steps)
            return self.editing and (action != "target" or rules_of(self.active_layer).needs_target)
        if self.editing and action in REVIEW_ONLY:
            return False
        if action == "accept":
            number = parameters[0]  # accept(n): the annotator's number
            return isinstance(number, int) and number <= len(self.review.coders)
        if action in ("save_pick", "drop_pick"):
            return self.pick is not None
        if action == "pick":
            return not self.whole_passage and bool(self.items())
        return True

    def action_passage(self, step: int) -> None:
        if self.summaries and 0 <= self.position + step < len(self.summaries):
            self.open(self.position + step)
        else:
            self.notify("No more passages that way.", markup=False)

    def action_layer(self, step: int) -> None:
        self.layer_index = (self.layer_index + step) % len(self.codebook.layers)
        self.cursor = 0
        self.pick = None
        self.respan_id = None
        self.view.stop_jump()  # its hints avoided the old layer's keys, not the new one's
        self.redraw()

    def action_scope(self) -> None:
        self.whole_passage = not self.whole_passage
        self.pick = None
        self.redraw()

    def action_cursor(self, step: int) -> None:
        items = self.items()
        if items:
            self.cursor = (self.cursor + step) % len(items)
            self.redraw()

    def action_pick(self) -> None:
        items = self.items()
        if not items:
            return
        if self.pick is None:
            self.pick = set(self.review.gold_keys(self.active_layer.id))
        key = items[self.cursor].key
        self.pick ^= {key}
        self.redraw()

    def action_drop_pick(self) -> None:
        self.pick = None
        self.redraw()

    def action_save_pick(self) -> None:
        if self.pick is None:
            return
        keys, layer, passage_id = list(self.pick), self.active_layer.id, self.review.passage_id
        self._decide(
            f"Your pick for {self.active_layer.name}",
            lambda rationale: accept_items(
                self.engine, lead_id=self.lead_id, passage_id=passage_id, layer=layer, keys=keys, rationale=rationale
            ),
        )

    def action_accept(self, number: int) -> None:
        coder = self.review.coders[number - 1]
        layers, passage_id = self.scope_layers(), self.review.passage_id
        self._decide(
            f"{coder.name}'s version of {self._scope_name()}",
            lambda rationale: accept_version(
                self.engine,
                lead_id=self.lead_id,
                passage_id=passage_id,
                annotator_id=coder.id,
                layers=layers,
                rationale=rationale,
            ),
        )

    def action_majority(self) -> None:
        layers, passage_id = self.scope_layers(), self.review.passage_id
        self._decide(
            f"the majority for {self._scope_name()}",
            lambda rationale: accept_majority(
                self.engine, lead_id=self.lead_id, passage_id=passage_id, layers=layers, rationale=rationale
            ),
        )

    def _scope_name(self) -> str:
        return "the whole passage" if self.whole_passage else self.active_layer.name

    def _decide(self, what: str, write: Callable[[str], object]) -> None:
        """Ask for a rationale, then write the decision and show the passage again."""
        position = self.position
        passage_id = self.summaries[position].passage_id

        def answered(rationale: str | None) -> None:
            if rationale is None:
                return

            def decide_then_reload() -> Loaded:
                write(rationale)
                return self._load(passage_id)

            def shown(loaded: Loaded) -> None:
                decided = len(loaded.review.decisions)
                self.summaries[position] = replace(self.summaries[position], decided_layers=decided)
                self.notify(f"Gold: {what}.", title="Decided", markup=False)
                if self.position == position:
                    self._show(loaded)
                else:
                    self._draw_list()

            self.app.run_db(decide_then_reload, shown)

        self.app.push_screen(PromptScreen(f"Accept {what}. Rationale (optional; escape cancels):"), answered)

    # -- editing the gold labels ---------------------------------------------------------------------

    def action_edit_gold(self) -> None:
        """Start or stop editing the gold labels with the annotate screen's keys."""
        self.editing = not self.editing
        self.pick = None
        self.respan_id = None
        self.view.can_focus = self.editing
        if self.editing:
            self.whole_passage = False
            self.view.focus()
        else:
            self.view.stop_jump()
            self.view.clear_selection()
            self.set_focus(None)
        self.redraw()

    def action_edit_escape(self) -> None:
        """Clear the selection (or the re-span); with nothing to clear, stop editing."""
        if self.view.selected_range is not None or self.view.selection_anchor is not None or self.respan_id:
            self.view.clear_selection()
            self.respan_id = None
            self._draw_status()
        else:
            self.action_edit_gold()

    def action_anchor(self) -> None:
        self.view.toggle_anchor()
        self._draw_status()

    def action_jump(self) -> None:
        """Show a hint on every visible word; typing one moves there, a second extends to it."""
        self.view.start_jump(self.active_layer.bound_keys())

    def action_row(self, step: int) -> None:
        """Move the row cursor (what attribute keys, `=` and delete act on)."""
        items = self.items()
        if items:
            self.cursor = (self.cursor + step) % len(items)
            self.redraw()

    def on_key(self, event: events.Key) -> None:
        """While editing, the active layer's label and attribute keys act on the gold labels."""
        if not self.editing or self.loaded is None or event.character is None or len(event.character) != 1:
            return
        target = key_target(self.active_layer, event.character)
        if target is None:
            return
        event.stop()
        event.prevent_default()
        if isinstance(target, Label):
            self.apply_label(target)
        else:
            self.apply_attribute(*target)

    def apply_label(self, label: Label) -> None:
        """Tag the selection (or the word at the cursor) with `label` as gold, or re-span the
        gold label `=` picked; on a passage layer set, toggle or change the passage's label."""
        layer, review = self.active_layer, self.review
        passage_id, lead_id = review.passage_id, self.lead_id
        if not rules_of(layer).spans:
            target = None
            if rules_of(layer).needs_target:
                targets = self.targets()
                if not targets:
                    self.notify("No stance target: tag an actor first.", severity="warning")
                    return
                target = targets[self.target_index % len(targets)][0]
            self._write(
                lambda: press_gold_label(
                    self.engine, lead_id=lead_id, passage_id=passage_id, layer=layer.id, label=label.id, target=target
                )
            )
            return
        editing = next((row for row in review.gold if row.id == self.respan_id), None)
        rough = self.view.selected_range or (None if editing else word_at(review.text, self.view.cursor_offset))
        if rough is None and editing is not None and editing.span_start is not None and editing.span_end is not None:
            rough = review.window.local(editing.span_start, editing.span_end)
        cleaned = clean_span(review.text, *rough) if rough else None
        if cleaned is None:
            self.notify("Select some text first (space, then move; or shift+arrows).", severity="warning")
            return
        span = review.window.to_article(*cleaned)
        self.view.clear_selection()
        self.respan_id = None
        if editing is not None:
            edited = editing.id
            self._write(
                lambda: respan_gold(
                    self.engine, lead_id=lead_id, passage_id=passage_id, revision_id=edited, label=label.id, span=span
                )
            )
        else:
            self._write(
                lambda: press_gold_label(
                    self.engine, lead_id=lead_id, passage_id=passage_id, layer=layer.id, label=label.id, span=span
                )
            )

    def apply_attribute(self, attribute: Attribute, value: AttributeValue | None) -> None:
        """Set or clear a choice, or toggle a flag, on the gold label at the row cursor (else
        the newest gold label of the layer)."""
        row = self.gold_at_cursor() or next(reversed(self.review.gold_rows(self.active_layer.id)), None)
        if row is None:
            self.notify(f"No gold {self.active_layer.name} label yet: tag one first.", severity="warning")
            return
        passage_id, lead_id, revision_id = self.review.passage_id, self.lead_id, row.id
        value_id = value.id if value is not None else None
        self._write(
            lambda: press_gold_attribute(
                self.engine,
                lead_id=lead_id,
                passage_id=passage_id,
                revision_id=revision_id,
                attribute=attribute.id,
                value=value_id,
            )
        )

    def targets(self) -> list[tuple[str, str]]:
        """Stance targets of the active layer: the codebook's, then the actors tagged on the
        passage (gold first, then the annotators'), then targets the gold or annotators used."""
        layer, review = self.active_layer, self.review
        targets = [(target.id, target.name) for target in self.codebook.targets_for(layer.id)]
        seen = {target_id for target_id, _ in targets}
        rows = [*review.gold, *(row for rows in review.labels.values() for row in rows)]
        surfaces = [
            review.window.slice(row.span_start, row.span_end)
            for row in rows
            if row.layer == layer.target_layer and row.span_start is not None and row.span_end is not None
        ]
        used = [row.target for row in rows if row.layer == layer.id and row.target]
        for surface in (*surfaces, *used):
            if surface not in seen:
                seen.add(surface)
                targets.append((surface, surface))
        return targets

    def action_target(self, step: int) -> None:
        self.target_index += step
        self._draw_status()

    def action_respan(self) -> None:
        """`=` on a gold span: select it to move it; `=` again (or a label key) saves."""
        row = self.gold_at_cursor()
        if row is None or row.span_start is None or row.span_end is None:
            self.notify("Move the row cursor ({ }) to a gold span first.", severity="warning", markup=False)
            return
        if self.respan_id == row.id:
            self.apply_label(self.active_layer.label(row.label))
            return
        self.respan_id = row.id
        start, end = self.review.window.local(row.span_start, row.span_end)
        self.view.select_range(start, end)
        self.view.selection_anchor = start
        self._draw_status()

    def action_delete_gold(self) -> None:
        """Delete the gold label at the row cursor."""
        row = self.gold_at_cursor()
        if row is None:
            self.notify("The row at the cursor is not gold: nothing to delete.", severity="warning")
            return
        passage_id, lead_id, revision_id = self.review.passage_id, self.lead_id, row.id
        self._write(lambda: delete_gold(self.engine, lead_id=lead_id, passage_id=passage_id, revision_id=revision_id))

    def action_undo(self) -> None:
        self._replay(self.undo_steps, self.redo_steps)

    def action_redo(self) -> None:
        self._replay(self.redo_steps, self.undo_steps)

    def _replay(self, source: list[Step], target: list[Step]) -> None:
        """Undo (or redo) the newest gold edit of this session, by writing a revision."""
        step = source.pop()
        lead_id = self.lead_id

        def restore() -> GoldChange:
            return restore_gold(
                self.engine, lead_id=lead_id, passage_id=step.passage_id, head_id=step.head_id, content=step.restore
            )

        def then(change: GoldChange) -> None:
            target.append(Step(step.passage_id, change.head_id, change.before))

        self._write(restore, then, recorded=False)

    def _write(
        self, job: Callable[[], GoldChange], then: Callable[[GoldChange], None] | None = None, recorded: bool = True
    ) -> None:
        """Queue a gold edit, then reload the passage and show it (the edited row at the cursor)."""
        position = self.position
        passage_id = self.summaries[position].passage_id

        def write_then_reload() -> tuple[GoldChange, Loaded]:
            return job(), self._load(passage_id)

        def shown(result: tuple[GoldChange, Loaded]) -> None:
            change, loaded = result
            if change.replaced_id is not None:
                self._follow(change.replaced_id, change.head_id)
            if recorded:
                self.undo_steps.append(Step(passage_id, change.head_id, change.before))
                self.redo_steps.clear()
            if then is not None:
                then(change)
            self.summaries[position] = replace(self.summaries[position], decided_layers=len(loaded.review.decisions))
            if self.position == position:
                self._show(loaded)
                self._put_cursor_on(change.after)
            else:
                self._draw_list()

        self.app.run_db(write_then_reload, shown)

    def _follow(self, replaced: int, head: int) -> None:
        """Steps on a gold label now start from its newest revision."""
        for steps in (self.undo_steps, self.redo_steps):
            steps[:] = [replace(step, head_id=head) if step.head_id == replaced else step for step in steps]

    def _put_cursor_on(self, content: LabelContent | None) -> None:
        if content is None:
            return
        for index, item in enumerate(self.items()):
            if (item.content.label, item.content.span_start, item.content.span_end) == (
                content.label,
                content.span_start,
                content.span_end,
            ):
                self.cursor = index
                self.redraw()
                return


def _reading_order(item: Item) -> tuple:
    """Passage labels first, then spans by position; then by label and target."""
    content = item.content
    return (
        content.span_start is not None,
        content.span_start or 0,
        content.span_end or 0,
        content.label,
        str(content.target),
    )
