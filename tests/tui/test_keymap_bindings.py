"""The keymap checker's picture of the UI (annotator.codebook.keymap) matches what Textual binds."""

from __future__ import annotations

import string

from textual.binding import Binding
from textual.keys import _character_to_key
from textual.widgets import TextArea

from annotator.codebook.keymap import BINDINGS, CURSOR_KEYS, PASSAGE_VIEW_KEYS, normalise_key, punctuation_key
from annotator.tui.annotate_screen import AnnotateScreen
from annotator.tui.app import AnnotatorApp, load_keymap
from tests.tui.harness import first_annotatable, make_project, settle, work_row, write_article


def textual_keys(keys: str) -> tuple[str, ...]:
    return tuple(_character_to_key(key) if len(key) == 1 else key for key in (k.strip() for k in keys.split(",")))


def test_the_declared_bindings_are_the_screens_and_the_apps():
    declared = {binding.id: (binding.keys, binding.priority) for binding in BINDINGS}
    actual = {
        binding.id: (textual_keys(binding.key), binding.priority)
        for binding in [*AnnotateScreen.BINDINGS, *AnnotatorApp.BINDINGS]
        if isinstance(binding, Binding)
    }
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


def test_punctuation_names_are_textuals():
    for character in string.punctuation:
        assert punctuation_key(character) == _character_to_key(character)
        assert normalise_key(character) == _character_to_key(character)


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
