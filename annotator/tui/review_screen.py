"""The review screen: a lead compares annotators' labels on a passage and decides the gold layer.

Passages come most disputed first. For the active layer every distinct label is one row, with
a column per annotator (● gave it) and the gold column; rows not everyone gave are highlighted.
Decisions act on the active layer, or on the whole passage after `w`: a digit takes that
annotator's version, `m` the majority, and space/enter make the lead's own pick among the rows.
Each decision asks for an optional rationale. Earlier decisions on the same dispute are shown
as precedent. Database work runs on the app's serial database worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from annotator.adjudication import (
    Item,
    ItemKey,
    PassageReview,
    Precedent,
    ReviewSummary,
    accept_items,
    accept_majority,
    accept_version,
    load_review,
    precedents,
    review_list,
)
from annotator.codebook import Codebook, Layer
from annotator.tui.modals import PromptScreen
from annotator.tui.widgets import TextLine
from annotator.visible_text import visible

if TYPE_CHECKING:
    from textual import getters

    from annotator.tui.review_app import ReviewApp  # which imports this module

DISPUTED = "bold yellow"


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
    ]

    DEFAULT_CSS = """
    ReviewScreen #title { height: 1; background: $primary-background; padding: 0 1; }
    ReviewScreen #main { height: 1fr; }
    ReviewScreen #reading { width: 1fr; padding: 0 1; overflow-y: auto; }
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

    def compose(self) -> ComposeResult:
        yield TextLine(id="title")
        with Horizontal(id="main"):
            with Vertical(id="reading"):
                yield Static(id="passage")
            with Vertical(id="queue"):
                yield Static(id="list")
        yield Static(id="items")
        yield Static(id="precedent")
        yield TextLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
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

    def items(self) -> list[Item]:
        """The distinct labels of the active layer."""
        return self.review.items(self.active_layer.id) if self.loaded else []

    def scope_layers(self) -> list[str]:
        """The layers a decision applies to now."""
        return [layer.id for layer in self.codebook.layers] if self.whole_passage else [self.active_layer.id]

    # -- loading -----------------------------------------------------------------------------------

    def _show_list(self, summaries: list[ReviewSummary]) -> None:
        self.summaries = summaries
        if not summaries:
            self.query_one("#passage", Static).update(
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
            disputed = [i for i, layer in enumerate(self.codebook.layers) if loaded.review.dispute(layer.id)]
            if disputed:  # open a new passage on its first layer in dispute
                self.layer_index = disputed[0]
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
        """The passage text; spans of the active layer underlined, the one at the cursor reversed."""
        review = self.review
        text = Text(visible(review.text))
        for index, item in enumerate(items):
            if item.content.span_start is not None and item.content.span_end is not None:
                start, end = review.window.local(item.content.span_start, item.content.span_end)
                text.stylize("reverse" if index == self.cursor else "underline", start, end)
        self.query_one("#passage", Static).update(text)

    def _draw_list(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("score  passage\n", style="bold")
        first = max(0, self.position - 5)
        for index, summary in enumerate(self.summaries[first : first + 30], start=first):
            line = Text(f"{summary.score:.2f}  {summary.passage_id} §{summary.index} ")
            line.append(visible(summary.article_title)[:18], style="dim")
            if summary.decided_layers:
                line.append(" ✓", style="green")
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
                self._describe(item),
                *(Text("●" if coder.id in item.holders else "·") for coder in review.coders),
                Text("✓" if item.key in gold else ""),
            ]
            table.add_row(*cells, style=DISPUTED if disputed else None)
        if not items:
            blank = [Text("")] * (len(review.coders) + 2)
            table.add_row(Text(""), Text("nobody labelled this layer", style="italic"), *blank)
        self.query_one("#items", Static).update(table)

    def _describe(self, item: Item) -> Text:
        """The labelled text (span layers) or target, and the attributes."""
        content, review = item.content, self.review
        text = Text(no_wrap=True, overflow="ellipsis")
        if content.span_start is not None and content.span_end is not None:
            snippet = review.window.slice(content.span_start, content.span_end)
            text.append(f"“{visible(snippet)}” ")
        if content.target:
            text.append(f"→ {visible(content.target)} ")
        for attribute, value in sorted(content.attributes.items()):
            text.append(f"{attribute}={visible(str(value))} ", style="italic")
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
                "edit": "own pick",
            }[decision.method]
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
        status.append("  m majority")
        if self.pick is not None:
            status.append("  PICKING: space toggles, enter saves, escape drops", style="bold")
        self.query_one("#status", TextLine).show(status)

    # -- actions -------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide keys that do nothing now, so the footer shows what works."""
        if self.loaded is None:
            return action not in ("accept", "majority", "pick", "save_pick", "drop_pick", "cursor")
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
