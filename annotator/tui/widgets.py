"""Small display widgets of the annotate screen: the label palette and the list of own labels.

Everything shown is built as `rich.text.Text` from data, never as markup strings.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from annotator.codebook import Layer
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
                mark = "●" if label.id in chosen and layer.kind != "span" else " "
                text.append(f"{mark}{label.name}\n")
        for attribute in layer.attributes:
            text.append(f"{attribute.name}\n", style="bold dim")
            if attribute.kind == "flag" and attribute.key:
                text.append(f" {attribute.key} ", style="reverse")
                text.append(f" toggle {attribute.name}\n")
            for value in attribute.values:
                text.append(f" {value.key} ", style="reverse")
                text.append(f" {value.name}\n")
        self.update(text)


class LabelList(OptionList):
    """This annotator's labels on the passage; the highlighted one is what edits act on."""

    DEFAULT_CSS = """
    LabelList { height: auto; max-height: 7; border: round $primary-darken-2; }
    LabelList:focus { border: round $accent; }
    """

    _newest = 0

    def show_labels(self, rows: list[Annotation], passage_text: str, passage_start: int, names: dict) -> None:
        """List `rows`; `names` maps (layer, label) to a display name.

        A label written since the last call (the newest revision) gets the highlight, so
        attribute keys and edits act on what was just made; otherwise the highlight stays.
        """
        keep = self.highlighted
        newest_before = self._newest
        self._newest = max((row.id for row in rows), default=0)
        self.clear_options()
        for row in rows:
            line = Text()
            line.append(f"{row.layer}: ", style="dim")
            line.append(names.get((row.layer, row.label), row.label), style="bold")
            if row.target:
                line.append(f" → {visible(row.target)}")
            if row.span_start is not None:
                snippet = passage_text[row.span_start - passage_start : row.span_end - passage_start]
                line.append(f" “{visible(snippet)}”")
            for attribute, value in sorted(row.attributes.items()):
                line.append(f" [{attribute}={value}]", style="italic")
            if row.origin != "manual":
                line.append(f" ({row.origin})", style="dim")
            if row.needs_review:
                line.append(" needs review", style="bold red")
            self.add_option(Option(line, id=str(row.id)))
        if not rows:
            return
        if self._newest > newest_before:
            self.highlighted = next(i for i, row in enumerate(rows) if row.id == self._newest)
        else:
            self.highlighted = min(keep if keep is not None else len(rows) - 1, len(rows) - 1)

    def forget_newest(self) -> None:
        """Start afresh for another passage."""
        self._newest = 0

    @property
    def highlighted_id(self) -> int | None:
        """The revision id of the highlighted label, if any."""
        if self.highlighted is None or self.option_count == 0:
            return None
        return int(self.get_option_at_index(self.highlighted).id)
