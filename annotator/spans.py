"""Span boundaries: snap a rough selection to whole words and trim what a span never holds.

The rule (shared with the PTC corpus): a span never starts or ends with whitespace or
`. , : ;`. Offsets are code points, `[start, end)`, relative to the string given.
"""

from __future__ import annotations

TRIMMED = frozenset(" \t\n\r\f\v\u00a0.,:;")


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char in "_-'’"


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen `[start, end)` so it does not cut a word in two at either end."""
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    while start > 0 and start < len(text) and _is_word_char(text[start - 1]) and _is_word_char(text[start]):
        start -= 1
    while 0 < end < len(text) and _is_word_char(text[end - 1]) and _is_word_char(text[end]):
        end += 1
    return start, end


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow `[start, end)` past leading and trailing whitespace and `. , : ;`."""
    while start < end and text[start] in TRIMMED:
        start += 1
    while end > start and text[end - 1] in TRIMMED:
        end -= 1
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
    offset = max(0, min(offset, len(text)))
    if offset == len(text) or not _is_word_char(text[offset]):
        if offset > 0 and _is_word_char(text[offset - 1]):
            offset -= 1
        else:
            return None
    return snap_to_words(text, offset, offset + 1)
