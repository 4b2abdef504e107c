"""Span snapping on grapheme clusters (UAX #29): unit tests and Hypothesis properties."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.spans import (
    TRIMMED,
    clean_span,
    grapheme_boundaries,
    graphemes,
    is_grapheme_boundary,
    is_word_grapheme,
    next_grapheme,
    previous_grapheme,
    snap_to_graphemes,
    snap_to_words,
    trim_span,
    word_at,
)

RENE = "Rene\u0301"  # decomposed: e + COMBINING ACUTE ACCENT
MUHAMMAD = "مُحَمَّد"  # with damma, fatha, shadda
MUSHARRAF = "مُشرّف"  # Urdu, damma and shadda
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
FLAGS = "\U0001f1eb\U0001f1f7\U0001f1e9\U0001f1ea"  # FR DE


# -- examples -------------------------------------------------------------------------------


def test_ascii_behaviour_is_unchanged():
    text = "The Ostrel Liberation Front attacked, on Monday."
    ostrel, comma, monday = text.index("Ostrel"), text.index(","), text.index("Monday")
    assert snap_to_words(text, ostrel + 2, ostrel + 9) == (ostrel, text.index(" Front"))  # "Ostrel Liberation"
    assert clean_span(text, comma, len(text)) == (comma + 2, len(text) - 1)  # ", on Monday." -> "on Monday"
    assert trim_span(text, comma - 1, comma + 3) == (comma - 1, comma + 3)  # "d, o": nothing at the ends
    assert trim_span(text, comma, comma + 3) == (comma + 2, comma + 3)
    assert word_at(text, 1) == (0, 3)
    assert word_at(text, 3) == (0, 3)  # just after a word's end
    assert word_at(text, comma + 1) is None  # the space after "attacked," is a gap
    assert word_at(text, monday + 6) == (monday, monday + 6)
    assert clean_span(text, comma, comma + 2) is None
    assert word_at("", 0) is None
    assert word_at("al-Shabaab’s men", 4) == (0, 12)  # hyphens and apostrophes join words


def test_decomposed_rene_is_one_word_with_its_accent():
    text = f"Salut {RENE}, ça va"
    start = text.index("R")
    whole = (start, start + len(RENE))
    for offset in range(start, start + len(RENE) + 1):
        assert word_at(text, offset) == whole
    assert text[slice(*whole)] == RENE
    assert clean_span(text, start + 3, start + 4) == whole  # just the "e": the mark comes along
    assert clean_span(text, start, start + 4) == whole
    assert trim_span(text, start + 4, start + 5) == (start + 3, start + 5)  # the whole é
    assert snap_to_graphemes(text, start + 4, start + 4) == (start + 3, start + 5)


@pytest.mark.parametrize("name", [MUHAMMAD, MUSHARRAF, "عِمران", "بلۏچ", "ڈاکٹر\u200cصاحب"])
def test_arabic_script_names_with_marks_are_whole_words(name):
    text = f"قال {name}: نعم"
    start = text.index(name)
    for offset in range(start, start + len(name) + 1):
        assert word_at(text, offset) == (start, start + len(name))
    assert clean_span(text, start + 1, start + 2) == (start, start + len(name))
    assert clean_span(text, start - 1, start + len(name) + 2) == (start, start + len(name))  # space and colon trimmed


def test_cluster_boundaries():
    assert graphemes(RENE) == ["R", "e", "n", "e\u0301"]
    assert graphemes(MUHAMMAD) == ["مُ", "حَ", "مَّ", "د"]
    assert graphemes(f"a{FAMILY}b") == ["a", FAMILY, "b"]
    assert graphemes(FLAGS) == [FLAGS[:2], FLAGS[2:]]
    assert graphemes("\u1100\u1161\u11a8") == ["\u1100\u1161\u11a8"]  # one Hangul syllable from jamo
    assert graphemes("a\r\nb") == ["a", "\r\n", "b"]
    assert grapheme_boundaries("") == (0,)
    assert grapheme_boundaries(RENE) == (0, 1, 2, 3, 5)
    assert not is_grapheme_boundary(RENE, 4)
    assert is_grapheme_boundary(RENE, 5)
    assert next_grapheme(RENE, 3) == 5
    assert next_grapheme(RENE, 4) == 5  # inside é: to its end
    assert next_grapheme(RENE, 5) == 5  # at the end
    assert previous_grapheme(RENE, 5) == 3
    assert previous_grapheme(RENE, 4) == 3  # inside é: to its start
    assert previous_grapheme(RENE, 0) == 0


def test_emoji_flags_and_hangul_are_never_cut():
    text = f"x {FAMILY} {FLAGS} \u1100\u1161\u11a8 y"
    family = text.index(FAMILY)
    assert clean_span(text, family + 1, family + 2) == (family, family + len(FAMILY))
    flags = text.index(FLAGS)
    assert clean_span(text, flags + 1, flags + 3) == (flags, flags + 4)
    hangul = text.index("\u1100")
    assert word_at(text, hangul + 1) == (hangul, hangul + 3)
    assert not is_word_grapheme(FAMILY)
    assert is_word_grapheme("\u1100\u1161\u11a8")


# -- properties ---------------------------------------------------------------------------------

PIECES = [
    "a",
    "R",
    "n",
    "Z",
    "7",
    "é",
    "e\u0301",
    "\u0301",
    "\u0308",
    "\u0327",
    "م",
    "ح",
    "د",
    "ے",
    "ڈ",
    "\u064f",  # damma
    "\u064e",  # fatha
    "\u0651",  # shadda
    "\u200c",  # ZWNJ
    MUHAMMAD,
    MUSHARRAF,
    FAMILY,
    "\U0001f44d\U0001f3fd",  # thumbs up, skin tone
    "\u2764\ufe0f",
    "\u200d",
    FLAGS,
    "\U0001f1eb",  # a lone regional indicator
    "\u1100",
    "\u1161",
    "\u11a8",
    "क्षि",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\u00a0",
    ".",
    ",",
    ":",
    ";",
    "-",
    "'",
    "’",
    "!",
    "(",
    "_",
]

texts = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@st.composite
def text_and_range(draw):
    text = draw(texts)
    offsets = st.integers(min_value=-2, max_value=len(text) + 2)
    return text, draw(offsets), draw(offsets)


def words(text: str) -> list[tuple[int, int]]:
    """Maximal runs of word clusters, worked out independently from the boundaries."""
    bounds = grapheme_boundaries(text)
    runs: list[tuple[int, int]] = []
    for left, right in zip(bounds, bounds[1:], strict=False):
        if not is_word_grapheme(text[left:right]):
            continue
        if runs and runs[-1][1] == left:
            runs[-1] = (runs[-1][0], right)
        else:
            runs.append((left, right))
    return runs


def clamp(text: str, start: int, end: int) -> tuple[int, int]:
    return max(0, min(start, end)), min(len(text), max(start, end))


@settings(max_examples=300, deadline=None)
@given(texts)
def test_boundaries_partition_the_text(text):
    bounds = grapheme_boundaries(text)
    assert bounds[0] == 0 and bounds[-1] == len(text)
    assert list(bounds) == sorted(set(bounds))
    assert "".join(graphemes(text)) == text
    assert [len(cluster) for cluster in graphemes(text)] == [b - a for a, b in zip(bounds, bounds[1:], strict=False)]
    # a combining mark never starts a cluster unless it opens the text or follows a control/newline
    for left in bounds[1:-1]:
        if unicodedata.category(text[left]).startswith("M"):
            assert unicodedata.category(text[left - 1]) == "Cc"


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(min_value=-2, max_value=40))
def test_stepping_moves_over_one_whole_cluster(text, offset):
    bounds = grapheme_boundaries(text)
    after, before = next_grapheme(text, offset), previous_grapheme(text, offset)
    assert after in bounds and before in bounds
    clamped = max(0, min(offset, len(text)))
    assert before <= clamped <= after
    if clamped in bounds and 0 < clamped < len(text):
        index = bounds.index(clamped)
        assert (before, after) == (bounds[index - 1], bounds[index + 1])


@settings(max_examples=500, deadline=None)
@given(text_and_range())
def test_snapping_lands_on_boundaries_and_never_shrinks_a_word(case):
    text, start, end = case
    bounds = set(grapheme_boundaries(text))
    low, high = clamp(text, start, end)
    snapped = snap_to_words(text, start, end)
    assert set(snapped) <= bounds
    assert snapped[0] <= low and high <= snapped[1]
    for word in words(text):
        if word[0] < high and low < word[1]:  # the word overlaps the range: it is kept whole
            assert snapped[0] <= word[0] and word[1] <= snapped[1]
    trimmed = trim_span(text, start, end)
    assert set(trimmed) <= bounds
    cleaned = clean_span(text, start, end)
    if cleaned is not None:
        assert set(cleaned) <= bounds
        assert snapped[0] <= cleaned[0] < cleaned[1] <= snapped[1]
        assert text[cleaned[0]] not in TRIMMED
        assert text[previous_grapheme(text, cleaned[1])] not in TRIMMED
        for word in words(text):
            if word[0] < high and low < word[1]:
                assert cleaned[0] <= word[0] and word[1] <= cleaned[1]


@settings(max_examples=500, deadline=None)
@given(texts, st.integers(min_value=-2, max_value=40))
def test_word_at_is_a_whole_word_on_boundaries(text, offset):
    found = word_at(text, offset)
    bounds = grapheme_boundaries(text)
    clamped = max(0, min(offset, len(text)))
    cluster_start = max(bound for bound in bounds if bound <= clamped)  # offset inside a cluster: that cluster
    around = [word for word in words(text) if word[0] <= cluster_start <= word[1]]
    if found is None:
        assert around == []
    else:
        assert set(found) <= set(bounds)
        assert found in around  # a maximal run of word clusters touching the offset
