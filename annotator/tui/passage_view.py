"""The passage being labelled: literal text, label colours, suggestions, a cursor and selection.

A read-only `TextArea` gives cursor movement by character and word, shift-selection, mouse
drag selection and soft wrapping; this subclass paints spans over it and converts between
the widget's (row, column) locations and offsets into the passage text.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from annotator.visible_text import visible


@dataclass(frozen=True)
class PaintedSpan:
    """A stretch of the passage to paint: `[start, end)` relative to the passage."""

    start: int
    end: int
    color: str
    suggestion: bool = False
    focused: bool = False


class PassageView(TextArea):
    """Shows one passage; offsets everywhere are relative to the passage's first character."""

    DEFAULT_CSS = """
    PassageView { height: 1fr; border: round $primary-darken-1; padding: 0 1; }
    PassageView:focus { border: round $accent; }
    """

    def __init__(self, **kwargs) -> None:
        self._line_starts: list[int] = [0]
        self._line_styles: dict[int, list[tuple[int, int, Style]]] = {}
        self.selection_anchor: int | None = None
        """Where a keyboard selection started (space), or None when not selecting."""
        super().__init__(
            "",
            read_only=True,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            **kwargs,
        )
        self.cursor_blink = False
        self.highlight_cursor_line = False
        self.match_cursor_bracket = False

    # -- content -------------------------------------------------------------------------

    def show_passage(self, text: str) -> None:
        """Replace the content with `text`, shown literally, cursor at the start."""
        shown = visible(text)
        self.load_text(shown)
        starts = [0]
        for line in shown.split("\n")[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        self._line_starts = starts
        self.selection_anchor = None
        self.move_cursor((0, 0))

    def paint(self, spans: list[PaintedSpan]) -> None:
        """Set the spans to colour and redraw; the styles per line are worked out once, here."""
        self._line_styles = self._styles_by_line(spans)
        self._line_cache.clear()
        self.refresh()

    def _styles_by_line(self, spans: list[PaintedSpan]) -> dict[int, list[tuple[int, int, Style]]]:
        """Label backgrounds (the focused label bold and italic), overlaps underlined,
        suggestions in italic underlined grey: (start, end, style) per line, line-relative."""
        styles: dict[int, list[tuple[int, int, Style]]] = {}
        painted: list[tuple[int, int]] = []
        for span in sorted(spans, key=lambda span: span.suggestion):
            if span.suggestion:
                style = Style(underline=True, italic=True, color=span.color)
            else:
                overlapped = any(start < span.end and span.start < end for start, end in painted)
                painted.append((span.start, span.end))
                style = Style(
                    bgcolor=span.color, color="black", bold=span.focused, italic=span.focused, underline=overlapped
                )
            first_row, _ = self.offset_to_location(span.start)
            last_row, _ = self.offset_to_location(max(span.start, span.end - 1))
            for row in range(first_row, last_row + 1):
                line_start = self._line_starts[row]
                next_start = self._line_starts[row + 1] if row + 1 < len(self._line_starts) else span.end
                start, end = max(span.start, line_start), min(span.end, next_start)
                if start < end:
                    styles.setdefault(row, []).append((start - line_start, end - line_start, style))
        return styles

    def get_line(self, line_index: int) -> Text:
        """The line with the styles `paint` worked out."""
        line = super().get_line(line_index)
        for start, end, style in self._line_styles.get(line_index, ()):
            line.stylize(style, start, end)
        return line

    # -- offsets and selection -------------------------------------------------------------------

    def location_to_offset(self, location: tuple[int, int]) -> int:
        """The passage offset of a (row, column) location."""
        row, column = location
        return self._line_starts[row] + column

    def offset_to_location(self, offset: int) -> tuple[int, int]:
        """The (row, column) location of a passage offset."""
        row = bisect_right(self._line_starts, offset) - 1
        return row, offset - self._line_starts[row]

    @property
    def cursor_offset(self) -> int:
        """The cursor's offset in the passage."""
        return self.location_to_offset(self.cursor_location)

    @property
    def selected_range(self) -> tuple[int, int] | None:
        """The selected `[start, end)` in passage offsets, or None when nothing is selected."""
        start, end = self.selection
        if start == end:
            return None
        a, b = self.location_to_offset(start), self.location_to_offset(end)
        return (min(a, b), max(a, b))

    def select_range(self, start: int, end: int) -> None:
        """Select `[start, end)` with the cursor at its end."""
        self.selection = Selection(self.offset_to_location(start), self.offset_to_location(end))

    def toggle_anchor(self) -> None:
        """Start a keyboard selection at the cursor, or stop extending the current one."""
        self.selection_anchor = self.cursor_offset if self.selection_anchor is None else None

    def clear_selection(self) -> None:
        """Drop the selection and the anchor, leaving the cursor where it is."""
        self.selection_anchor = None
        if self.selection.start != self.selection.end:  # an assignment repaints, even a no-op one
            self.selection = Selection.cursor(self.cursor_location)

    def _watch_selection(self, previous_selection: Selection, selection: Selection) -> None:
        """While anchored, every cursor move extends the selection from the anchor."""
        if self.selection_anchor is not None and selection.start == selection.end:
            anchor_location = self.offset_to_location(self.selection_anchor)
            if anchor_location != selection.end:
                self.selection = Selection(anchor_location, selection.end)
                return
        super()._watch_selection(previous_selection, selection)
