"""Span boundaries: snap a rough selection to whole words and trim what a span never holds.

The rule (shared with the PTC corpus): a span never starts or ends with whitespace or
`. , : ;`. Offsets are code points, `[start, end)`, relative to the string given.

Text is handled as user-perceived characters, the extended grapheme clusters of Unicode
UAX #29 (`\\X` of the `regex` package): a letter with its combining marks (a decomposed `é`,
Arabic harakat, Devanagari vowel signs), a Hangul syllable made of jamo, an emoji ZWJ
sequence, a regional-indicator flag. Every offset these functions return is a cluster
boundary, so a span never cuts a character in two. A cluster is a word cluster when its
first (base) code point is a letter, number, mark or connector, or one of `_ - ' ’`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import lru_cache

import regex

TRIMMED = frozenset(" \t\n\r\f\v\u00a0.,:;")

_GRAPHEME = regex.compile(r"\X", regex.DOTALL)
_WORD_BASE = regex.compile(r"[\p{L}\p{N}\p{M}\p{Pc}_\-'’]")


@lru_cache(maxsize=256)
def grapheme_boundaries(text: str) -> tuple[int, ...]:
    """Every grapheme cluster boundary of `text`, ascending: 0, ..., len(text)."""
    return (0, *(match.end() for match in _GRAPHEME.finditer(text)))


def is_grapheme_boundary(text: str, offset: int) -> bool:
    """True when `offset` does not fall inside a grapheme cluster."""
    boundaries = grapheme_boundaries(text)
    index = bisect_left(boundaries, offset)
    return index < len(boundaries) and boundaries[index] == offset


def previous_grapheme(text: str, offset: int) -> int:
    """The start of the cluster before `offset` (of the cluster holding it, inside one); 0 at 0."""
    boundaries = grapheme_boundaries(text)
    return boundaries[max(0, bisect_left(boundaries, offset) - 1)]


def next_grapheme(text: str, offset: int) -> int:
    """The end of the cluster at `offset` (of the cluster holding it, inside one); len(text) at the end."""
    boundaries = grapheme_boundaries(text)
    return boundaries[min(len(boundaries) - 1, bisect_right(boundaries, offset))]


def grapheme_start(text: str, offset: int) -> int:
    """The boundary at `offset`, or the start of the cluster `offset` falls inside."""
    boundaries = grapheme_boundaries(text)
    return boundaries[max(0, bisect_right(boundaries, offset) - 1)]


def grapheme_end(text: str, offset: int) -> int:
    """The boundary at `offset`, or the end of the cluster `offset` falls inside."""
    boundaries = grapheme_boundaries(text)
    return boundaries[min(len(boundaries) - 1, bisect_left(boundaries, offset))]


def graphemes(text: str) -> list[str]:
    """The grapheme clusters of `text`, in order."""
    return _GRAPHEME.findall(text)


def is_word_grapheme(cluster: str) -> bool:
    """True when the cluster's base code point is a letter, number, mark, connector or `_ - ' ’`."""
    return bool(cluster) and _WORD_BASE.match(cluster) is not None


def _word_before(text: str, offset: int) -> bool:
    """Is the cluster ending at boundary `offset` a word cluster?"""
    return offset > 0 and is_word_grapheme(text[previous_grapheme(text, offset) : offset])


def _word_after(text: str, offset: int) -> bool:
    """Is the cluster starting at boundary `offset` a word cluster?"""
    return offset < len(text) and is_word_grapheme(text[offset : next_grapheme(text, offset)])


def _trimmed_after(text: str, offset: int) -> bool:
    """Is the cluster starting at boundary `offset` whitespace or `. , : ;` (with any marks on it)?"""
    return offset < len(text) and text[offset] in TRIMMED


def _trimmed_before(text: str, offset: int) -> bool:
    """Is the cluster ending at boundary `offset` whitespace or `. , : ;` (with any marks on it)?"""
    return offset > 0 and text[previous_grapheme(text, offset)] in TRIMMED


def snap_to_graphemes(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen `[start, end)` to whole grapheme clusters (clamped to the text, ends in order)."""
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    return grapheme_start(text, start), grapheme_end(text, end)


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen `[start, end)` so it cuts neither a grapheme cluster nor a word in two at either end."""
    start, end = snap_to_graphemes(text, start, end)
    while 0 < start < len(text) and _word_before(text, start) and _word_after(text, start):
        start = previous_grapheme(text, start)
    while 0 < end < len(text) and _word_before(text, end) and _word_after(text, end):
        end = next_grapheme(text, end)
    return start, end


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow `[start, end)` past leading and trailing whitespace and `. , : ;`.

    The ends are first widened to whole grapheme clusters; a cluster is trimmed when its base
    character is whitespace or `. , : ;`, together with any marks on it."""
    start, end = snap_to_graphemes(text, start, end)
    while start < end and _trimmed_after(text, start):
        start = next_grapheme(text, start)
    while end > start and _trimmed_before(text, end):
        end = previous_grapheme(text, end)
    return start, end


def clean_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Snap to words, then trim; None when nothing labelable is left."""
    start, end = snap_to_words(text, start, end)
    start, end = trim_span(text, start, end)
    return (start, end) if start < end else None


def word_at(text: str, offset: int) -> tuple[int, int] | None:
    """The word around `offset` (or just before it, at a word's end), or None on a gap."""
    if not text:
        return None
    offset = grapheme_start(text, max(0, min(offset, len(text))))
    if not _word_after(text, offset):
        if _word_before(text, offset):
            offset = previous_grapheme(text, offset)
        else:
            return None
    return snap_to_words(text, offset, next_grapheme(text, offset))
