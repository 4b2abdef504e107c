"""Modal screens: key help, guidelines, and a one-line text prompt."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Markdown, OptionList, Static
from textual.widgets.option_list import Option


class KeysScreen(ModalScreen[None]):
    """Every key binding of the annotate screen, and the active layer's label keys."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="keys.close")]
    DEFAULT_CSS = """
    KeysScreen { align: center middle; }
    KeysScreen > VerticalScroll { width: 90%; height: 90%; border: round $accent; background: $surface; }
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
        with VerticalScroll():
            yield Static(table)
            yield Static(Text("escape closes", style="dim"))


class GuidelinesScreen(ModalScreen[None]):
    """The guidelines section for a label or a layer, as Markdown (the files are ours)."""

    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="guidelines.close")]
    DEFAULT_CSS = """
    GuidelinesScreen { align: center middle; }
    GuidelinesScreen > VerticalScroll { width: 95%; height: 95%; border: round $accent; background: $surface; }
    """

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self._markdown = markdown

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(self._markdown)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; enter returns it, escape returns None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]
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

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one item from a list (e.g. a sub-type); enter returns its id, escape returns None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]
    DEFAULT_CSS = """
    ChoiceScreen { align: center middle; }
    ChoiceScreen > Vertical { width: 60; height: auto; max-height: 80%; border: round $accent; background: $surface; }
    ChoiceScreen OptionList { height: auto; max-height: 20; }
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

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [choice_id for choice_id, _ in self._choices]
        options.highlighted = ids.index(self._current) if self._current in ids else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
