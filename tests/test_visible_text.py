"""visible(): every control, bidi control or misleading invisible character shows as one symbol."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from annotator.visible_text import visible

BIDI_CONTROLS = {
    "\u200e": "⇢",
    "\u200f": "⇠",
    "\u061c": "↜",
    "\u202a": "⇾",
    "\u202b": "⇽",
    "\u202d": "⇛",
    "\u202e": "⇚",
    "\u202c": "⇓",
    "\u2066": "⇥",
    "\u2067": "⇤",
    "\u2068": "⇹",
    "\u2069": "↧",
}
INVISIBLE_FORMAT = {"\u200b": "¦", "\u2060": "⁀", "\ufeff": "⁀", "\u00ad": "¬"}
HIDDEN = {chr(code) for code in [*range(0x20), 0x7F, *range(0x80, 0xA0)]} - {"\n", "\t"}
HIDDEN |= set(BIDI_CONTROLS) | set(INVISIBLE_FORMAT) | {"\u2028", "\u2029"}


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS | INVISIBLE_FORMAT))
def test_each_bidi_control_and_invisible_format_character_has_its_documented_symbol(control):
    shown = (BIDI_CONTROLS | INVISIBLE_FORMAT)[control]
    assert visible(f"a{control}b") == f"a{shown}b"


@pytest.mark.parametrize("shown", sorted(set(BIDI_CONTROLS.values()) | set(INVISIBLE_FORMAT.values())))
def test_the_symbols_take_one_cell_and_have_no_direction_of_their_own(shown):
    assert cell_len(shown) == 1 and shown.isprintable()
    assert unicodedata.bidirectional(shown) == "ON"  # "other neutral": it reorders nothing


def test_an_override_cannot_reverse_what_is_read():
    assert visible("pay \u202eoj\u202c 100") == "pay ⇚oj⇓ 100"


def test_control_characters_still_show_as_control_pictures():
    assert visible("\x1b[31mred\x00\x7f\x85") == "␛[31mred␀␡�"
    assert visible("line\nnext\ttab") == "line\nnext\ttab"


@pytest.mark.parametrize(
    "text",
    [
        "Rene\u0301",  # e + combining acute accent
        "\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f",  # Arabic with vowel marks
        "\U0001f469\u200d\U0001f469\u200d\U0001f467 family",  # emoji joined by ZWJ U+200D
        "\U0001f44d\U0001f3fd and \u2764\ufe0f",  # skin tone modifier, variation selector
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian zero width non-joiner U+200C
    ],
)
def test_combining_marks_and_joiners_are_left_alone(text):
    assert visible(text) == text


@given(st.text())
def test_offsets_never_shift_and_nothing_hidden_reaches_the_screen(text):
    shown = visible(text)
    assert len(shown) == len(text)
    assert not HIDDEN & set(shown)
