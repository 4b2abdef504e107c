"""The passage being labelled: literal text, label colours, suggestions, a cursor and selection.

A read-only `TextArea` gives cursor movement by character and word, shift-selection, mouse
drag selection and soft wrapping; this subclass paints spans over it and converts between
the widget's (row, column) locations and offsets into the passage text. The cursor moves by
grapheme cluster (a letter with its combining marks, an emoji sequence, a flag is one step)
and never stops inside one, whatever moved it: keys, the mouse or `move_cursor`.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import regex
from rich.style import Style
from rich.text import Text
from textual import events
from textual.widgets import TextArea
from textual.widgets.text_area import Location, Selection

from annotator.spans import grapheme_boundaries, grapheme_start, next_grapheme, previous_grapheme
from annotator.visible_text import visible

_WORD_CLUSTER = regex.compile(r"\w")
"""A word cluster for `ctrl+←/→`: its base is a word character (a letter, digit, mark or
connector), as in TextArea's own word stops; hyphens and apostrophes separate words there,
unlike in span snapping."""


def _is_word_cluster(cluster: str) -> bool:
    return _WORD_CLUSTER.match(cluster) is not None


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

    # -- cursor movement by grapheme cluster ----------------------------------------------------

    def _snap_location(self, location: Location) -> Location:
        """`location`, moved back to the start of the grapheme cluster it falls inside."""
        row, column = location
        if 0 <= row < self.document.line_count:
            column = grapheme_start(self.document[row], column)
        return row, column

    def move_cursor(
        self, location: Location, select: bool = False, center: bool = False, record_width: bool = True
    ) -> None:
        """Move the cursor (up, down, page, home, end and all), never into a grapheme cluster."""
        super().move_cursor(self._snap_location(location), select=select, center=center, record_width=record_width)

    def get_target_document_location(self, event: events.MouseEvent) -> Location:
        """Where a click or drag lands, at a grapheme cluster boundary."""
        return self._snap_location(super().get_target_document_location(event))

    def get_cursor_left_location(self) -> Location:
        """One grapheme cluster left (at a line start: the end of the line above)."""
        row, column = self.cursor_location
        if column == 0:
            return super().get_cursor_left_location()
        return row, previous_grapheme(self.document[row], column)

    def get_cursor_right_location(self) -> Location:
        """One grapheme cluster right (at a line end: the start of the line below)."""
        row, column = self.cursor_location
        line = self.document[row]
        if column >= len(line):
            return super().get_cursor_right_location()
        return row, next_grapheme(line, column)

    def get_cursor_word_left_location(self) -> Location:
        """TextArea's word-left stop (the last word/non-word change before the cursor, past
        trailing whitespace), counted in grapheme clusters."""
        row, column = self.cursor_location
        if row > 0 and column == 0:
            return row - 1, len(self.document[row - 1])
        line = self.document[row][:column]
        bounds = grapheme_boundaries(line)
        count = len(bounds) - 1
        while count > 0 and line[bounds[count - 1]].isspace():
            count -= 1
        for index in range(count - 1, 0, -1):
            before, after = line[bounds[index - 1] : bounds[index]], line[bounds[index] : bounds[index + 1]]
            if _is_word_cluster(before) != _is_word_cluster(after):
                return row, bounds[index]
        return row, 0

    def get_cursor_word_right_location(self) -> Location:
        """TextArea's word-right stop (the first word/non-word change after the cursor, past
        leading whitespace), counted in grapheme clusters."""
        row, column = self.selection.end
        line = self.document[row]
        if row < self.document.line_count - 1 and column == len(line):
            return row + 1, 0
        bounds = [column, *(bound for bound in grapheme_boundaries(line) if bound > column)]
        first = 0
        while first < len(bounds) - 1 and line[bounds[first]].isspace():
            first += 1
        for index in range(first + 1, len(bounds) - 1):
            before, after = line[bounds[index - 1] : bounds[index]], line[bounds[index] : bounds[index + 1]]
            if _is_word_cluster(before) != _is_word_cluster(after):
                return row, bounds[index]
        return row, len(line)

    def _watch_selection(self, previous_selection: Selection, selection: Selection) -> None:
        """While anchored, every cursor move extends the selection from the anchor."""
        if self.selection_anchor is not None and selection.start == selection.end:
            anchor_location = self.offset_to_location(self.selection_anchor)
            if anchor_location != selection.end:
                self.selection = Selection(anchor_location, selection.end)
                return
        super()._watch_selection(previous_selection, selection)
