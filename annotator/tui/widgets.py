"""Small display widgets of the annotate screen: the label palette and the list of own labels.

Everything shown is built as `rich.text.Text` from data, never as markup strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.text import Text
from textual import events
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

from annotator.codebook import Attribute, Codebook, Label, Layer
from annotator.core.identity import attribute_value
from annotator.core.kinds import rules_of
from annotator.core.rules import PassageText
from annotator.db.models import Annotation
from annotator.visible_text import visible

MARK = "●"
"""Marks a chosen label, and the chosen attribute values of the label that attribute keys act on."""

COLUMN_WIDTH = 20
"""The narrowest a palette column gets; a wider panel shows its keys in more columns."""

COLUMN_GAP = 2

SPAN_MIN = 12
"""The fewest cells a quoted span gets in a label row, however much else the row shows."""

SPAN_MAX = 40


def readable_on(color: str) -> str:
    """Black or white, whichever reads better on a `#rrggbb` background."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "black" if (0.299 * red + 0.587 * green + 0.114 * blue) > 140 else "white"


# -- the palette -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaletteEntry:
    """One item of the palette: a heading (no key), or a key with its name and maybe a mark."""

    name: Text
    key: Text | None = None
    marked: bool = False

    def lines(self, console: Console, width: int) -> list[Text]:
        """The entry wrapped to `width` cells; a name's later lines are indented past the key."""
        if self.key is None:
            return list(self.name.wrap(console, width))
        prefix = self.key + Text(MARK if self.marked else " ", style="bold")
        indent = prefix.cell_len
        wrapped = self.name.wrap(console, max(1, width - indent))
        return [(prefix if index == 0 else Text(" " * indent)) + line for index, line in enumerate(wrapped)]


PaletteBlock = tuple[PaletteEntry, ...]
"""Entries kept together in one column (a category with its labels, an attribute with its values)."""


@dataclass(frozen=True)
class PaletteColumns:
    """A renderable: a full-width heading, then blocks of keys in columns.

    One column when that fits in `rows` lines, else the fewest that fit (at most as many as
    the width allows, columns no narrower than COLUMN_WIDTH).
    """

    heading: Text
    blocks: tuple[PaletteBlock, ...]
    rows: int = 0

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        yield self.heading
        room = self.rows - len(self.heading.wrap(console, width))
        most = max(1, (width + COLUMN_GAP) // (COLUMN_WIDTH + COLUMN_GAP)) if self.rows > 0 else 1
        for count in range(1, most + 1):
            column_width = (width - COLUMN_GAP * (count - 1)) // count
            columns = _balance([_wrap(block, console, column_width) for block in self.blocks], count)
            if max(len(column) for column in columns) <= room:
                break
        for row in range(max(len(column) for column in columns)):
            line = Text(no_wrap=True)
            for index, column in enumerate(columns):
                cell = column[row].copy() if row < len(column) else Text()
                if index < len(columns) - 1:
                    cell.align("left", column_width + COLUMN_GAP)
                line.append_text(cell)
            yield line


def _wrap(block: PaletteBlock, console: Console, width: int) -> list[Text]:
    """A block's entries as lines of `width` cells."""
    return [line for entry in block for line in entry.lines(console, width)]


def _balance(blocks: list[list[Text]], count: int) -> list[list[Text]]:
    """Lay `blocks` of lines into `count` columns in order, each about as long as the others."""
    total = sum(len(block) for block in blocks)
    target = -(-total // count)
    columns: list[list[Text]] = [[]]
    for block in blocks:
        if columns[-1] and len(columns[-1]) + len(block) > target and len(columns) < count:
            columns.append([])
        columns[-1].extend(block)
    return columns


def _key(key: str, color: str | None = None) -> Text:
    """A key as a badge: on the label's colour, or reversed for attribute keys."""
    style = f"bold {readable_on(color)} on {color}" if color else "reverse"
    return Text(f" {visible(key)} ", style=style)


def _label_blocks(layer: Layer, chosen: set[str]) -> list[PaletteBlock]:
    """The active labels: one block per category (its heading first), else one per label."""
    blocks: list[PaletteBlock] = []
    category: str | None = None
    for label in layer.active_labels:
        entry = PaletteEntry(Text(visible(label.name)), _key(label.key, label.color), label.id in chosen)
        if layer.categories and label.category and label.category != category:
            heading = PaletteEntry(Text(visible(layer.category(label.category).name), style="bold dim"))
            blocks.append((heading, entry))
        elif layer.categories and label.category:
            blocks[-1] = (*blocks[-1], entry)
        else:
            blocks.append((entry,))
        category = label.category
    return blocks


def _attribute_block(attribute: Attribute, focus: Annotation | None) -> PaletteBlock:
    """An attribute's keys; the focused label's value (default filled in) is marked."""
    value = attribute_value(attribute, focus.label, focus.attributes) if focus is not None else None
    name = Text(visible(attribute.name))
    if attribute.kind == "flag":
        return (PaletteEntry(name, _key(attribute.key) if attribute.key else None, value is True),)
    heading = PaletteEntry(Text(visible(attribute.name), style="bold dim"))
    keyed = [PaletteEntry(Text(visible(v.name)), _key(v.key), v.id == value) for v in attribute.values if v.key]
    if keyed:
        return (heading, *keyed)
    chosen = next((v.name for v in attribute.values if v.id == value), None)
    return (heading, PaletteEntry(Text(visible(chosen) if chosen else "choose from a list"), _key("/"), bool(chosen)))


class LabelPalette(Widget):
    """The active layer's keys: labels grouped by category, then attributes; chosen ones marked.

    The keys flow into as many columns as the panel's width allows. A plain widget rather
    than a Static: a changed mark repaints in place, with a layout pass only when the
    palette's height changes.
    """

    DEFAULT_CSS = """
    LabelPalette { width: 100%; height: auto; padding: 0 1; }
    """

    def show_layer(
        self, layer: Layer, chosen: set[str], extra: Text | None = None, focus: Annotation | None = None
    ) -> None:
        """Render `layer`'s keys, with `extra` (e.g. the stance target) under the layer's name.

        On a span layer only `focus`'s label is marked, on other layers the `chosen` label ids;
        attribute values are marked as `focus` (the label attribute keys act on) has them.
        """
        if focus is not None and focus.layer != layer.id:
            focus = None
        if rules_of(layer).spans:
            chosen = {focus.label} if focus is not None else set()
        heading = Text(visible(layer.name), style="bold")
        heading.append(f"  {layer.kind.replace('_', ' ')}", style="dim")
        if extra is not None:
            heading.append("\n")
            heading.append_text(extra)
        blocks = _label_blocks(layer, chosen) + [_attribute_block(attribute, focus) for attribute in layer.attributes]
        self._show(PaletteColumns(heading, tuple(blocks), self._rows))

    def fit_rows(self, rows: int) -> None:
        """Lay the keys out for a panel `rows` lines high (more columns when one is too long)."""
        self._rows = rows
        if self._shown is not None:
            self._show(replace(self._shown, rows=rows))

    def _show(self, palette: PaletteColumns) -> None:
        if palette == self._shown:
            return
        width = self.content_size.width
        before = self._height(self._shown, width)
        self._shown = palette
        self.refresh(layout=width == 0 or self._height(palette, width) != before)

    def _height(self, palette: PaletteColumns | None, width: int) -> int:
        """How many lines `palette` takes at `width` cells."""
        if palette is None or width <= 0:
            return 0
        console = self.app.console
        return len(console.render_lines(palette, console.options.update_width(width), pad=False))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The palette's lines at this width."""
        return self._height(self._shown, width)

    def render(self) -> RenderableType:
        return self._shown if self._shown is not None else Text("")

    _shown: PaletteColumns | None = None
    _rows = 0


class PalettePanel(VerticalScroll):
    """The scrolling side panel that holds the palette; tells it how many lines it has."""

    def on_resize(self, event: events.Resize) -> None:
        """Re-lay the palette for the panel's new height."""
        self.query_one(LabelPalette).fit_rows(self.scrollable_content_region.height)


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


# -- the list of own labels ------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelRows:
    """What a label row needs besides the label: the codebook, the passage, the tagged actors."""

    codebook: Codebook
    window: PassageText
    tagged: frozenset[tuple[str, str]]
    """(layer id, surface text) of every span label listed, to tell a target still tagged."""

    def line(self, row: Annotation, width: int, layer_width: int) -> Text:
        """One label as a row of at most `width` cells: layer, label, “span”, → target, attributes."""
        layer = self._layer(row.layer)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(self.layer_name(row.layer).ljust(layer_width) + " ", style="dim")
        line.append(visible(self._label_name(layer, row.label)), style="bold")
        tail = self._tail(layer, row)
        if row.span_start is not None and row.span_end is not None:
            room = min(SPAN_MAX, max(SPAN_MIN, width - line.cell_len - tail.cell_len - 3))
            line.append(f" “{_shorten(self.window.slice(row.span_start, row.span_end), room)}”")
        line.append_text(tail)
        return line

    def layer_name(self, layer_id: str) -> str:
        """A layer's display name (its id, made visible, if the codebook has no such layer)."""
        layer = self._layer(layer_id)
        return visible(layer.name if layer else layer_id)

    def _layer(self, layer_id: str) -> Layer | None:
        try:
            return self.codebook.layer(layer_id)
        except KeyError:
            return None

    @staticmethod
    def _label_name(layer: Layer | None, label_id: str) -> str:
        label: Label | None = next((label for label in layer.labels if label.id == label_id), None) if layer else None
        return label.name if label else label_id

    def _tail(self, layer: Layer | None, row: Annotation) -> Text:
        """Everything after the span: target, attributes, origin, review and warnings."""
        tail = Text()
        if row.target:
            tail.append(" → ")
            tail.append_text(self._target(layer, row.target))
        for part in _attribute_parts(layer, row) if layer else ():
            tail.append(" · ", style="dim")
            tail.append(part, style="italic")
        if row.origin != "manual":
            tail.append(f" ({visible(row.origin)})", style="dim")
        if row.needs_review:
            tail.append(" needs review", style="bold red")
        return tail

    def _target(self, layer: Layer | None, target: str) -> Text:
        """A stance target by its codebook name, or the actor's words, warned when untagged."""
        try:
            return Text(visible(self.codebook.target(target).name))
        except KeyError:
            pass
        text = Text(f"“{_shorten(target, SPAN_MAX)}”")
        if layer and layer.target_layer and (layer.target_layer, target) not in self.tagged:
            text.append(" ⚠ target no longer tagged", style="bold yellow")
        return text


def _tagged(rows: list[Annotation], window: PassageText) -> frozenset[tuple[str, str]]:
    """(layer id, surface text) of every span label in `rows`."""
    return frozenset(
        (row.layer, window.slice(row.span_start, row.span_end))
        for row in rows
        if row.span_start is not None and row.span_end is not None
    )


def _attribute_parts(layer: Layer, row: Annotation) -> Iterator[str]:
    """`Name: Value` for each choice that has a value and each flag's name when it is on."""
    for attribute in layer.attributes:
        value = attribute_value(attribute, row.label, row.attributes)
        if attribute.kind == "flag":
            if value:
                yield visible(attribute.name)
        elif value is not None:
            name = next((choice.name for choice in attribute.values if choice.id == value), str(value))
            yield f"{visible(attribute.name)}: {visible(name)}"


def _shorten(text: str, cells: int) -> str:
    """`text` on one line, visible, cut to `cells` characters with an ellipsis."""
    flat = visible(" ".join(text.split()))
    return flat if len(flat) <= cells else flat[: max(1, cells - 1)].rstrip() + "…"


class LabelList(Widget):
    """This annotator's labels on the passage; the highlighted one is what edits act on.

    A heading line, then one row per label. The list grows with the labels up to its maximum
    height, then scrolls to keep the highlighted label in view. A plain widget rather than an
    OptionList: it repaints in place as labels change, with a layout pass only when its height changes.
    """

    DEFAULT_CSS = """
    LabelList { height: auto; min-height: 2; max-height: 40%; padding: 0 1; background: $boost; }
    """

    highlighted: reactive[int | None] = reactive(None)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rows: list[Annotation] = []
        self._naming: LabelRows | None = None
        self._newest = 0
        self._first = 0

    def show_labels(self, rows: list[Annotation], window: PassageText, codebook: Codebook) -> None:
        """List `rows`, named from `codebook`, their spans quoted from `window`.

        A label written since the last call (the newest revision) gets the highlight, so
        attribute keys and edits act on what was just made; otherwise the highlight stays.
        """
        keep = self.highlighted
        newest_before = self._newest
        needed_before, needed, shown = 1 + max(1, len(self._rows)), 1 + max(1, len(rows)), self.content_size.height
        clipped = shown > 0 and needed_before > shown and needed > shown  # at its maximum height already
        resize = needed != needed_before and not clipped
        self._newest = max((row.id for row in rows), default=0)
        self._rows = list(rows)
        self._naming = LabelRows(codebook, window, _tagged(rows, window))
        ids = [row.id for row in rows]
        if not rows:
            self.highlighted = None
        elif self._newest > newest_before:
            self.highlighted = ids.index(self._newest)
        else:
            self.highlighted = min(keep if keep is not None else len(rows) - 1, len(rows) - 1)
        self.refresh(layout=resize)

    def forget_newest(self) -> None:
        """Start afresh for another passage."""
        self._newest = 0
        self._first = 0

    @property
    def option_count(self) -> int:
        """How many labels are listed."""
        return len(self._rows)

    @property
    def highlighted_id(self) -> int | None:
        """The revision id of the highlighted label, if any."""
        if self.highlighted is None or not self._rows:
            return None
        return self._rows[self.highlighted].id

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """A heading line and a line per label (one saying there are none, when there are none)."""
        return 1 + max(1, len(self._rows))

    def render(self) -> Text:
        if not self._rows or self._naming is None:
            text = Text("Your labels", style="bold dim")
            text.append("\nno labels yet on this passage", style="dim italic")
            return text
        width, height = self.content_size.width, max(1, self.content_size.height - 1)
        first = self._scroll(height)
        shown = range(first, min(len(self._rows), first + height))
        text = self._heading(first, len(shown))
        layer_width = max(len(self._naming.layer_name(row.layer)) for row in self._rows)
        for index in shown:
            line = self._naming.line(self._rows[index], width, layer_width)
            line.truncate(width, overflow="ellipsis", pad=index == self.highlighted)
            if index == self.highlighted:
                line.stylize("reverse")
            text.append("\n")
            text.append_text(line)
        return text

    def _scroll(self, height: int) -> int:
        """The first row shown: moved as little as keeps the highlighted row in view."""
        chosen = self.highlighted or 0
        first = min(self._first, chosen)
        first = max(first, chosen - height + 1)
        self._first = max(0, min(first, len(self._rows) - height))
        return self._first

    def _heading(self, first: int, shown: int) -> Text:
        """`Your labels (12)`, with how many are above and below the rows shown."""
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"Your labels ({len(self._rows)})", style="bold dim")
        below = len(self._rows) - first - shown
        if first:
            text.append(f"  ↑ {first} more above", style="dim")
        if below:
            text.append(f"  ↓ {below} more below", style="dim")
        return text
