"""The keymap checker's picture of the UI (annotator.codebook.keymap) matches what Textual binds."""

from __future__ import annotations

import string

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.widgets import TextArea

from annotator.codebook.keymap import BINDINGS, CURSOR_KEYS, PASSAGE_VIEW_KEYS, normalise_key, punctuation_key
from annotator.tui.annotate_screen import AnnotateScreen
from annotator.tui.app import AnnotatorApp, load_keymap
from tests.tui.harness import first_annotatable, make_project, settle, work_row, write_article


class KeyRecorder(App[None]):
    """An app that notes the key name of every key event it gets."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def on_key(self, event: events.Key) -> None:
        self.names.append(event.key)


async def typed_names(characters: set[str]) -> dict[str, str]:
    """The key name Textual gives each character when it is typed."""
    app = KeyRecorder()
    ordered = sorted(characters)
    async with app.run_test() as pilot:
        for character in ordered:
            await pilot.press(character)
    return dict(zip(ordered, app.names, strict=True))


def textual_keys(keys: str, names: dict[str, str]) -> tuple[str, ...]:
    return tuple(names.get(key, key) for key in (k.strip() for k in keys.split(",")))


async def test_the_declared_bindings_are_the_screens_and_the_apps():
    declared = {binding.id: (binding.keys, binding.priority) for binding in BINDINGS}
    bindings = [
        binding for binding in [*AnnotateScreen.BINDINGS, *AnnotatorApp.BINDINGS] if isinstance(binding, Binding)
    ]
    names = await typed_names({key.strip() for b in bindings for key in b.key.split(",") if len(key.strip()) == 1})
    actual = {binding.id: (textual_keys(binding.key, names), binding.priority) for binding in bindings}
    assert declared == actual


def test_the_passage_view_keys_are_the_text_areas():
    bound = {
        key.strip()
        for cls in TextArea.__mro__
        for binding in cls.__dict__.get("BINDINGS", [])
        if isinstance(binding, Binding)
        for key in binding.key.split(",")
    }
    assert bound == set(PASSAGE_VIEW_KEYS)
    assert CURSOR_KEYS <= PASSAGE_VIEW_KEYS


async def test_punctuation_names_are_textuals():
    names = await typed_names(set(string.punctuation))
    for character in string.punctuation:
        assert punctuation_key(character) == names[character]
        assert normalise_key(character) == names[character]


async def test_a_punctuation_key_in_a_keymap_works(db_url, tmp_path):
    project, people = make_project(db_url, [write_article(tmp_path, "a.txt", "A title\n\nSome body text here.\n")])
    keymap = tmp_path / "keys.yaml"
    keymap.write_text("passage.skip: '~'\n", encoding="utf-8")  # Textual's event key is `tilde`
    app = AnnotatorApp(project, people["alice"], keymap=load_keymap(keymap, project.codebook))
    first = first_annotatable(project)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("tilde")
        await settle(pilot)
        assert work_row(project, people["alice"], first.id).status == "skipped"
    project.engine.dispose()
