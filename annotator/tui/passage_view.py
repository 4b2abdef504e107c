"""The passage being labelled: literal text, label colours, suggestions, a cursor and selection.

A read-only `TextArea` gives cursor movement by character and word, shift-selection, mouse
drag selection and soft wrapping; this subclass paints spans over it and converts between
the widget's (row, column) locations and offsets into the passage text. The cursor moves by
grapheme cluster (a letter with its combining marks, an emoji sequence, a flag is one step)
and never stops inside one, whatever moved it: keys, the mouse or `move_cursor`.

`ctrl+←/→` stop at word starts (`annotator.tui.jump`), and jump mode (`start_jump`) puts a
hint over every visible word: typing one moves there, typing a second selects through it.
Only what is on screen is ever scanned for words, so a very long passage stays quick.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Offset
from textual.widgets import TextArea
from textual.widgets.text_area import Location, Selection

from annotator.spans import grapheme_boundaries, grapheme_start, next_grapheme, previous_grapheme
from annotator.tui.jump import Jump, PassageWords, Span, Step, hint_alphabet, overlay_hints
from annotator.visible_text import visible

HINT_STYLE = Style(bold=True, color="black", bgcolor="#ffd75f")
"""A jump hint waiting for its first key."""

EXTEND_STYLE = Style(bold=True, color="black", bgcolor="#5fd7ff")
"""A jump hint after the first: typing it selects from the first word through its word."""


ROW_CHARS = 600
"""The longest document row: a longer line is cut into rows after whitespace. TextArea
wraps a whole row again for every screen line it draws, so a key press on one 50,000
character line would cost a second; rows of this size keep it to a normal passage's."""


def display_rows(text: str, limit: int = ROW_CHARS) -> tuple[list[str], list[int]]:
    """`text` as TextArea rows and the passage offset where each row starts.

    A newline ends a row (and is not in it); a line longer than `limit` is cut into rows
    after a run of whitespace where a grapheme cluster starts (else hard, at a cluster
    boundary), and those cuts take no character: joined again, the rows are the text.
    """
    rows: list[str] = []
    starts: list[int] = []
    offset = 0
    for line in text.split("\n"):
        for piece in _cut(line, limit):
            rows.append(piece)
            starts.append(offset)
            offset += len(piece)
        offset += 1  # the newline
    return rows, starts


def _cut(line: str, limit: int) -> list[str]:
    if len(line) <= limit:
        return [line]
    bounds = grapheme_boundaries(line)
    pieces, start = [], 0
    while len(line) - start > limit:
        first, last = bisect_right(bounds, start), bisect_right(bounds, start + limit) - 1
        cut = next(
            (
                bounds[i]
                for i in range(last, first - 1, -1)
                if line[bounds[i] - 1].isspace() and not line[bounds[i]].isspace()
            ),
            bounds[last] if last >= first else bounds[first],  # a cluster longer than a row stays whole
        )
        pieces.append(line[start:cut])
        start = cut
    pieces.append(line[start:])
    return pieces


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
        self._words = PassageWords("")
        self._jump: Jump | None = None
        self._hints_by_row: dict[int, list[tuple[int, str]]] = {}
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
        self.selection_anchor = None
        self._jump = None
        self._hints_by_row = {}
        rows, self._line_starts = display_rows(shown)
        self.load_text("\n".join(rows))
        self._words = PassageWords(shown)
        self.move_cursor((0, 0))

    def paint(self, spans: list[PaintedSpan]) -> None:
        """Set the spans to colour and redraw; the styles per line are worked out once, here."""
        self._line_styles = self._styles_by_line(spans)
        self._redraw_lines()

    def _redraw_lines(self) -> None:
        """Redraw every line: `notify_style_update` is TextArea's public way to drop the lines
        it has rendered, which it would otherwise reuse as long as the text is the same."""
        self.notify_style_update()
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
        """The line with the styles `paint` worked out, and any jump hints written over it."""
        line = super().get_line(line_index)
        for start, end, style in self._line_styles.get(line_index, ()):
            line.stylize(style, start, end)
        hints = self._hints_by_row.get(line_index)
        if hints:
            line.plain, covered = overlay_hints(line.plain, hints)
            style = EXTEND_STYLE if self._jump is not None and self._jump.first is not None else HINT_STYLE
            for start, end in covered:
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
        """The start of the word before the cursor (punctuation, markers and line ends are
        passed over), or the start of the passage."""
        return self.offset_to_location(self._words.previous_start(self.cursor_offset))

    def get_cursor_word_right_location(self) -> Location:
        """The start of the next word after the cursor, or the end of the passage."""
        return self.offset_to_location(self._words.next_start(self.location_to_offset(self.selection.end)))

    def validate_selection(self, selection: Selection) -> Selection:
        """While anchored, every cursor move extends the selection from the anchor."""
        if self.selection_anchor is None or selection.start != selection.end:
            return selection
        return Selection(self.offset_to_location(self.selection_anchor), selection.end)

    # -- jump mode ------------------------------------------------------------------------------

    @property
    def jump_hints(self) -> dict[str, Span]:
        """The hints on screen and the word each stands for (empty outside jump mode)."""
        return dict(self._jump.targets) if self._jump is not None else {}

    def visible_range(self) -> Span:
        """The passage offsets on the rows on screen, from the top row's start to the bottom's end."""
        wrapped = self.wrapped_document
        top = self.scroll_offset.y
        bottom = top + self.scrollable_content_region.height
        start = self.location_to_offset(wrapped.offset_to_location(Offset(0, top)))
        if bottom >= wrapped.height:
            return start, len(self._words.text)
        return start, self.location_to_offset(wrapped.offset_to_location(Offset(0, bottom)))

    def start_jump(self, reserved: set[str]) -> None:
        """Put a hint over every word on screen (never one of the `reserved` keys)."""
        self._jump = Jump(self._words.starting_in(*self.visible_range()), hint_alphabet(reserved))
        self._draw_hints()

    def stop_jump(self) -> None:
        """Take the hints away (nothing happens outside jump mode)."""
        if self._jump is not None:
            self._jump = None
            self._draw_hints()

    def on_key(self, event: events.Key) -> None:
        """In jump mode a hint key is used up here; any other key ends the mode and goes on."""
        if self._jump is None:
            return
        step = self._jump.press(event.character) if event.character else None
        if step is None:
            self.stop_jump()
            return
        event.stop()
        event.prevent_default()
        self._take_step(step)

    def _take_step(self, step: Step) -> None:
        """Move or select as a typed hint says, then redraw the hints still up."""
        if step.cursor is not None and step.anchor is not None:
            self.selection = Selection(self.offset_to_location(step.anchor), self.offset_to_location(step.cursor))
        elif step.cursor is not None:
            self.move_cursor(self.offset_to_location(step.cursor))
        if self._jump is not None and self._jump.finished:
            self._jump = None
        self._draw_hints()

    def on_blur(self) -> None:
        """Leaving the passage (a dialog, a click elsewhere) ends jump mode."""
        self.stop_jump()

    def on_mouse_down(self) -> None:
        """A click ends jump mode."""
        self.stop_jump()

    def _draw_hints(self) -> None:
        """Group the hints still up by document line, for `get_line`, and redraw."""
        rows: dict[int, list[tuple[int, str]]] = {}
        for start, hint in self._jump.shown() if self._jump is not None else ():
            row, column = self.offset_to_location(start)
            rows.setdefault(row, []).append((column, hint))
        self._hints_by_row = rows
        self._redraw_lines()
