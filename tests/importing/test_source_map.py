"""Source offsets versus stored offsets: `normalise` and `SourceMap`, by example and by property."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.source_map import SourceMap, SpanNotPlaced, normalise


def test_normalise_drops_the_bom_and_the_cr_of_crlf_only():
    text, gaps = normalise("A\r\nB\rC\r\n\r\nD\ufeffE", bom=True)
    assert text == "A\nB\nC\n\nD\ufeffE"
    source = "\ufeffA\r\nB\rC\r\n\r\nD\ufeffE"
    assert gaps == [0, 2, 7, 9]
    assert [source[gap] for gap in gaps] == ["\ufeff", "\r", "\r", "\r"]
    assert normalise("plain\ntext") == ("plain\ntext", [])
    assert normalise("\r\r\n") == ("\n\n", [1])


def test_spans_map_to_the_stored_text_and_back():
    source = "\ufeffTitle\r\n\r\nBody one\r\ntwo."
    text, gaps = normalise(source[1:], bom=True)
    mapping = SourceMap(gaps, text)
    for phrase in ("Title", "Body one\r\ntwo.", "one\r\ntwo", "two."):
        start = source.index(phrase)
        stored = mapping.span_to_stored(start, start + len(phrase))
        assert text[stored[0] : stored[1]] == phrase.replace("\r\n", "\n")
        assert mapping.span_to_source(*stored) == (start, start + len(phrase))
    assert mapping.source_length(len(text)) == len(source)


@pytest.mark.parametrize(
    ("source", "start", "end", "reason"),
    [
        ("\ufeffWord", 0, 5, "span starts on the byte-order mark the article text does not keep"),
        ("\ufeff\r\nWord", 1, 7, "span starts on the \\r of a \\r\\n line break the article text does not keep"),
        ("One\r\nTwo", 0, 4, "span ends on the \\r of a \\r\\n line break the article text does not keep"),
        ("One\r\nTwo", 3, 8, "span starts on the \\r of a \\r\\n line break the article text does not keep"),
        ("\ufeff\r\nx", 0, 4, "span starts on the byte-order mark the article text does not keep"),
    ],
)
def test_a_span_on_a_removed_character_is_refused_with_what_it_is(source, start, end, reason):
    bom = source.startswith("\ufeff")
    text, gaps = normalise(source[1:] if bom else source, bom=bom)
    with pytest.raises(SpanNotPlaced) as refused:
        SourceMap(gaps, text).span_to_stored(start, end)
    assert str(refused.value) == reason


def test_offset_zero_is_named_honestly_when_it_could_be_either():
    # "\ufeff\nx" and "\r\nx" both store "\nx" with one gap at 0.
    assert normalise("\nx", bom=True)[1] == normalise("\r\nx")[1] == [0]
    with pytest.raises(SpanNotPlaced, match=r"the byte-order mark or the \\r of a \\r\\n"):
        SourceMap([0], "\nx").span_to_stored(0, 3)


def test_gaps_must_be_increasing():
    with pytest.raises(ValueError, match="increasing"):
        SourceMap([3, 1])
    with pytest.raises(ValueError, match="increasing"):
        SourceMap([2, 2])


def test_no_gaps_is_the_identity():
    mapping = SourceMap()
    assert not mapping
    assert mapping.span_to_stored(3, 9) == (3, 9) == mapping.span_to_source(3, 9)
    assert mapping.to_stored(7) == mapping.to_source(7) == 7


# ---------------------------------------------------------------------------- properties

PIECES = st.sampled_from(["a", "Z", " ", "\n", "\r", "\r\n", "\ufeff", "é", "e\u0301", "😀", "\U0001d400", "ش", "ے"])


@st.composite
def sources(draw) -> tuple[str, bool]:
    """A decoded source (BOM included when `bom`) and whether it starts with a BOM."""
    bom = draw(st.booleans())
    body = "".join(draw(st.lists(PIECES, max_size=40)))
    return ("\ufeff" + body if bom else body), bom


@settings(max_examples=500, deadline=None, database=None)
@given(sources())
def test_property_gaps_are_exactly_the_removed_characters(item):
    source, bom = item
    text, gaps = normalise(source[1:] if bom else source, bom=bom)
    mapping = SourceMap(gaps, text)
    assert len(source) == mapping.source_length(len(text))
    assert all(source[gap] == ("\ufeff" if bom and gap == 0 else "\r") for gap in gaps)
    kept = [index for index in range(len(source)) if not mapping.removed(index)]
    assert "".join(source[index] for index in kept).replace("\r", "\n") == text
    for stored, index in enumerate(kept):  # every stored character, where it is in the source
        assert mapping.to_source(stored) == index
        assert mapping.to_stored(index) == stored
    assert mapping.to_source(len(text)) == len(source) == mapping.to_stored(len(source)) + len(gaps)


@settings(max_examples=500, deadline=None, database=None)
@given(sources(), st.data())
def test_property_span_mapping_is_exact_or_refused_and_inverts(item, data):
    source, bom = item
    text, gaps = normalise(source[1:] if bom else source, bom=bom)
    mapping = SourceMap(gaps, text)
    if not source:
        return
    start = data.draw(st.integers(0, len(source) - 1))
    end = data.draw(st.integers(start + 1, len(source)))
    removed = set(gaps)
    try:
        stored = mapping.span_to_stored(start, end)
    except SpanNotPlaced:
        assert start in removed or end - 1 in removed
        return
    assert start not in removed and end - 1 not in removed
    expected = "".join(source[i] for i in range(start, end) if i not in removed).replace("\r", "\n")
    assert text[stored[0] : stored[1]] == expected
    assert mapping.span_to_source(*stored) == (start, end)


@settings(max_examples=300, deadline=None, database=None)
@given(sources(), st.data())
def test_property_every_stored_span_has_a_source_span_that_maps_back(item, data):
    source, bom = item
    text, gaps = normalise(source[1:] if bom else source, bom=bom)
    if not text:
        return
    mapping = SourceMap(gaps, text)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    source_start, source_end = mapping.span_to_source(start, end)
    assert mapping.span_to_stored(source_start, source_end) == (start, end)
    assert source[source_start:source_end].replace("\r\n", "\n").replace("\r", "\n") == text[start:end]


def test_mapping_is_fast_on_a_long_crlf_text():
    import time

    source = "a line of text\r\n" * 200_000
    started = time.perf_counter()
    text, gaps = normalise(source)
    mapping = SourceMap(gaps, text)
    for offset in range(0, len(source) - 20, 997):
        if not mapping.removed(offset) and not mapping.removed(offset + 9):
            mapping.span_to_source(*mapping.span_to_stored(offset, offset + 10))
    assert time.perf_counter() - started < 2.0
