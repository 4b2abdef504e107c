"""The model's look-ups, the content hash, and the UI's reserved keys."""

from __future__ import annotations

import string

import pytest
import yaml

from annotator.codebook import (
    UI_RESERVED_KEYS,
    is_reserved_key,
    load_codebook_text,
    load_default_codebook,
)
from annotator.codebook.colors import contrast_ratio
from annotator.codebook.paths import default_codebook_path


@pytest.fixture(scope="module")
def default_text() -> str:
    return default_codebook_path().read_text(encoding="utf-8")


def test_hash_is_stable_under_reformatting(default_text):
    original = load_codebook_text(default_text, "a.yaml")
    reformatted = yaml.safe_dump(yaml.safe_load(default_text), sort_keys=True, default_flow_style=True, width=60)
    assert reformatted != default_text
    again = load_codebook_text(reformatted, "b.yaml")
    assert again == original
    assert again.content_hash() == original.content_hash()


def test_hash_ignores_comments_and_line_folding():
    base = load_codebook_text(TEXT, "t.yaml")
    folded = TEXT.replace("definition: Quiet and even.", "definition: >-\n          Quiet and\n          even.")
    commented = "# a comment\n" + TEXT.replace("key: c", "key: c   # shortcut")
    assert load_codebook_text(folded, "t.yaml").content_hash() == base.content_hash()
    assert load_codebook_text(commented, "t.yaml").content_hash() == base.content_hash()


def test_hash_changes_with_a_definition(default_text):
    original = load_codebook_text(default_text, "a.yaml")
    changed_text = default_text.replace(
        "Armed bodies acting for a recognised government", "Armed bodies serving a government", 1
    )
    assert changed_text != default_text
    changed = load_codebook_text(changed_text, "a.yaml")
    assert changed.content_hash() != original.content_hash()
    assert len(original.content_hash()) == 64


def test_hash_changes_with_label_order():
    swapped = TEXT.replace("id: calm", "id: tmp").replace("id: angry", "id: calm").replace("id: tmp", "id: angry")
    assert load_codebook_text(swapped, "t.yaml").content_hash() != load_codebook_text(TEXT, "t.yaml").content_hash()


def test_lookups():
    codebook = load_default_codebook()
    with pytest.raises(KeyError):
        codebook.layer("nope")
    actors = codebook.layer("actors")
    assert actors.label("civilians").name == "Civilians"
    assert actors.guidelines == "actors"
    assert codebook.layer("event_type").label("battles").subtype("armed_clash").name == "Armed clash"
    assert codebook.layer("rhetoric").category("call").name == "Call"
    assert actors.null_label is None and actors.collapsed("civilians") is None
    assert codebook.target("government").name
    assert codebook.license is None and codebook.language == "en"


def test_codebook_is_immutable():
    codebook = load_default_codebook()
    with pytest.raises(AttributeError):
        codebook.name = "x"  # type: ignore[misc]
    assert isinstance(codebook.layers, tuple) and isinstance(codebook.layers[0].labels, tuple)


def test_reserved_keys():
    assert set(string.punctuation) <= UI_RESERVED_KEYS
    assert {"tab", "enter", "escape", "space", "f1", "f12", "pageup"} <= UI_RESERVED_KEYS
    assert {"ctrl+z", "shift+tab", "alt+1", "ctrl+f5"} <= UI_RESERVED_KEYS
    assert not set(string.ascii_letters + string.digits) & UI_RESERVED_KEYS
    assert is_reserved_key("ctrl+shift+x")
    assert is_reserved_key("ctrl+z") and is_reserved_key("shift+tab") and is_reserved_key("alt+1")
    assert is_reserved_key(" ") and is_reserved_key("+")
    assert not is_reserved_key("a") and not is_reserved_key("Q") and not is_reserved_key("7")


def test_default_colours_read_on_dark_and_light_terminals():
    for layer in load_default_codebook().layers:
        for label in layer.labels:
            assert contrast_ratio(label.color, "#1e1e1e") >= 2.5, label.id
            assert contrast_ratio(label.color, "#fafafa") >= 3.0, label.id


TEXT = """\
name: T
layers:
  - id: tone
    name: Tone
    kind: passage_single
    labels:
      - id: calm
        name: Calm
        key: c
        color: "#2b74da"
        definition: Quiet and even.
        examples: [a]
        near_misses: [b]
      - id: angry
        name: Angry
        key: a
        color: "#db3636"
        definition: Loud.
        examples: [c]
        near_misses: [d]
"""
