"""Small display widgets of the annotate screen: the label palette and the list of own labels.

Everything shown is built as `rich.text.Text` from data, never as markup strings.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from annotator.codebook import Layer
from annotator.core.kinds import rules_of
from annotator.core.rules import PassageText
from annotator.db.models import Annotation
from annotator.visible_text import visible


def readable_on(color: str) -> str:
    """Black or white, whichever reads better on a `#rrggbb` background."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "black" if (0.299 * red + 0.587 * green + 0.114 * blue) > 140 else "white"


class LabelPalette(Static):
    """The active layer's labels with their keys, grouped by category; chosen ones marked."""

    DEFAULT_CSS = """
    LabelPalette { width: 100%; height: auto; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def show_layer(self, layer: Layer, chosen: set[str], extra: Text | None = None) -> None:
        """Render `layer`'s palette; `chosen` label ids get a mark (passage-level layers)."""
        text = Text()
        text.append(f"{layer.name}", style="bold")
        text.append(f"  ({layer.kind.replace('_', ' ')})\n", style="dim")
        if extra is not None:
            text.append_text(extra)
            text.append("\n")
        groups: list[tuple[str | None, list]] = []
        for label in layer.active_labels:
            if not groups or groups[-1][0] != label.category:
                groups.append((label.category, []))
            groups[-1][1].append(label)
        for category, labels in groups:
            if category and layer.categories:
                text.append(layer.category(category).name + "\n", style="bold dim")
            for label in labels:
                text.append(f" {label.key} ", style=f"bold {readable_on(label.color)} on {label.color}")
                mark = "●" if label.id in chosen and not rules_of(layer).spans else " "
                text.append(f"{mark}{label.name}\n")
        for attribute in layer.attributes:
            text.append(f"{attribute.name}\n", style="bold dim")
            if attribute.kind == "flag" and attribute.key:
                text.append(f" {attribute.key} ", style="reverse")
                text.append(f" toggle {attribute.name}\n")
            keyed = [value for value in attribute.values if value.key]
            for value in keyed:
                text.append(f" {value.key} ", style="reverse")
                text.append(f" {value.name}\n")
            if attribute.kind == "choice" and not keyed:
                text.append(" / ", style="reverse")
                text.append(" choose from a list\n")
        if text != self._shown:
            self._shown = text
            self.update(text)

    _shown: Text | None = None


class TextLine(Widget):
    """A fixed-size piece of text; changing it repaints without a layout pass (unlike Static)."""

    DEFAULT_CSS = """
    TextLine { height: 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._text = Text()

    def show(self, text: Text) -> None:
        """Display `text` (a no-op when it is what is shown already)."""
        if text != self._text:
            self._text = text
            self.refresh()

    def render(self) -> Text:
        return self._text


class LabelList(Widget):
    """This annotator's labels on the passage; the highlighted one is what edits act on.

    A plain widget rather than an OptionList: it repaints in place as labels change, which
    keeps a labelling key press free of layout passes.
    """

    DEFAULT_CSS = """
    LabelList { height: 5; border: round $primary-darken-2; padding: 0 1; }
    """

    highlighted: reactive[int | None] = reactive(None)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._lines: list[Text] = []
        self._ids: list[int] = []
        self._newest = 0

    def show_labels(self, rows: list[Annotation], window: PassageText, names: dict) -> None:
        """List `rows`; `names` maps (layer, label) to a display name.

        A label written since the last call (the newest revision) gets the highlight, so
        attribute keys and edits act on what was just made; otherwise the highlight stays.
        """
        keep = self.highlighted
        newest_before = self._newest
        self._newest = max((row.id for row in rows), default=0)
        self._lines = [_label_line(row, window, names) for row in rows]
        self._ids = [row.id for row in rows]
        if not rows:
            self.highlighted = None
        elif self._newest > newest_before:
            self.highlighted = self._ids.index(self._newest)
        else:
            self.highlighted = min(keep if keep is not None else len(rows) - 1, len(rows) - 1)
        self.refresh()

    def forget_newest(self) -> None:
        """Start afresh for another passage."""
        self._newest = 0

    @property
    def option_count(self) -> int:
        """How many labels are listed."""
        return len(self._ids)

    @property
    def highlighted_id(self) -> int | None:
        """The revision id of the highlighted label, if any."""
        if self.highlighted is None or not self._ids:
            return None
        return self._ids[self.highlighted]

    def render(self) -> Text:
        if not self._lines:
            return Text("no labels yet on this passage", style="dim italic")
        height = max(self.content_size.height, 1)
        chosen = self.highlighted or 0
        first = min(max(0, chosen - height + 1), max(0, len(self._lines) - height))
        text = Text(no_wrap=True, overflow="ellipsis")
        for index in range(first, min(len(self._lines), first + height)):
            line = self._lines[index].copy()
            if index == self.highlighted:
                line.stylize("reverse")
            text.append_text(line)
            text.append("\n")
        text.rstrip()
        if len(self._lines) > height:
            text.append(f"  ({len(self._lines)} labels)", style="dim")
        return text


def _label_line(row: Annotation, window: PassageText, names: dict) -> Text:
    """One label as a line of the list: layer, name, target, quoted span, attributes."""
    line = Text()
    line.append(f"{row.layer}: ", style="dim")
    line.append(names.get((row.layer, row.label), row.label), style="bold")
    if row.target:
        line.append(f" → {visible(row.target)}")
    if row.span_start is not None and row.span_end is not None:
        snippet = window.slice(row.span_start, row.span_end)
        line.append(f" “{visible(snippet)}”")
    for attribute, value in sorted(row.attributes.items()):
        line.append(f" [{attribute}={value}]", style="italic")
    if row.origin != "manual":
        line.append(f" ({row.origin})", style="dim")
    if row.needs_review:
        line.append(" needs review", style="bold red")
    return line
