"""Modal screens: key help, guidelines, a one-line text prompt and a pick-one list.

Each dialog ends with a dim hint line naming the keys that work in it.
"""

from __future__ import annotations

from functools import lru_cache

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

SCROLL_HINT = "↑↓ pgup pgdn scroll"


def key_hint(text: str) -> Static:
    """The dim line at the foot of a dialog that names its keys, e.g. "enter save · escape cancel"."""
    return Static(Text(text, style="dim"), classes="key-hint")


@lru_cache(maxsize=64)
def rendered_markdown(markdown: str, width: int, console: Console) -> tuple[Strip, ...]:
    """`markdown` drawn by Rich at `width` columns, one strip per line (kept for the next open)."""
    lines = console.render_lines(Markdown(markdown, hyperlinks=False), console.options.update_width(width))
    return tuple(Strip(line, width) for line in lines)


class MarkdownLines(ScrollView, can_focus=True):
    """Markdown drawn once per width and shown a screenful of lines at a time.

    Textual's Markdown widget mounts a widget per block: seconds for a layer's guidelines.
    """

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown
        """The Markdown source shown."""
        self._lines: tuple[Strip, ...] = ()

    def on_resize(self, event: events.Resize) -> None:
        width = self.scrollable_content_region.width
        self._lines = rendered_markdown(self.markdown, width, self.app.console)
        self.virtual_size = Size(width, len(self._lines))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        """The line `y` rows below the top of the scrolled view."""
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        return self._lines[index].crop_extend(0, width, self.rich_style).apply_style(self.rich_style)


class KeysScreen(ModalScreen[None]):
    """Every key binding of the annotate screen, and the active layer's label keys."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="keys.close")]
    HINT = f"escape ? q close · {SCROLL_HINT}"
    DEFAULT_CSS = """
    KeysScreen { align: center middle; }
    KeysScreen > Vertical { width: 90%; height: 90%; border: round $accent; background: $surface; }
    KeysScreen VerticalScroll { height: 1fr; }
    KeysScreen .key-hint { height: 1; padding: 0 1; }
    """

    def __init__(self, rows: list[tuple[str, str]], title: str) -> None:
        super().__init__()
        self._rows = rows
        self._title = title

    def compose(self) -> ComposeResult:
        table = Table(title=self._title, expand=True, show_edge=False)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("does")
        for key, description in self._rows:
            table.add_row(Text(key), Text(description))
        with Vertical():
            with VerticalScroll():
                yield Static(table)
            yield key_hint(self.HINT)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()


class GuidelinesScreen(ModalScreen[None]):
    """The guidelines section for a label or a layer, as Markdown (the files are ours)."""

    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="guidelines.close")]
    HINT = f"escape f1 q close · {SCROLL_HINT}"
    DEFAULT_CSS = """
    GuidelinesScreen { align: center middle; }
    GuidelinesScreen > Vertical { width: 95%; height: 95%; border: round $accent; background: $surface; }
    GuidelinesScreen MarkdownLines { height: 1fr; padding: 0 1; background: $surface; scrollbar-gutter: stable; }
    GuidelinesScreen .key-hint { height: 1; padding: 0 1; }
    """

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self._markdown = markdown

    def compose(self) -> ComposeResult:
        with Vertical():
            yield MarkdownLines(self._markdown)
            yield key_hint(self.HINT)

    def on_mount(self) -> None:
        self.query_one(MarkdownLines).focus()


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; enter returns it, escape returns None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]
    HINT = "enter save · escape cancel"
    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    PromptScreen > Vertical { width: 70; height: auto; border: round $accent; background: $surface; padding: 0 1; }
    """

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self._question = question
        self._value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self._question))
            yield Input(value=self._value)
            yield key_hint(self.HINT)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one item from a list (e.g. a sub-type); enter returns its id, escape returns None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]
    HINT = "↑↓ choose · enter pick · escape cancel"
    DEFAULT_CSS = """
    ChoiceScreen { align: center middle; }
    ChoiceScreen > Vertical { width: 60; height: auto; max-height: 80%; border: round $accent; background: $surface; }
    ChoiceScreen OptionList { height: auto; max-height: 20; }
    ChoiceScreen .key-hint { height: 1; padding: 0 1; }
    """

    def __init__(self, question: str, choices: list[tuple[str, str]], current: str | None = None) -> None:
        super().__init__()
        self._question = question
        self._choices = choices
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self._question))
            yield OptionList(*(Option(Text(name), id=choice_id) for choice_id, name in self._choices))
            yield key_hint(self.HINT)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [choice_id for choice_id, _ in self._choices]
        options.highlighted = ids.index(self._current) if self._current in ids else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
