"""Offsets in an article's original source text versus its stored text.

The importer stores an article's text with a leading byte-order mark dropped and each `\\r\\n`
made `\\n` (a lone `\\r` becomes `\\n` one for one). `Article.source_gaps` lists, sorted, the
offsets in the original decoded text (code points, the BOM included) of every character it
removed: the BOM (offset 0) and the `\\r` of each `\\r\\n`. For JSONL and CSV records the
original text is the record's `text` value.

`SourceMap(gaps)` converts between the two, each way in O(log n) with `bisect`:

- `to_stored(offset)`: a source boundary offset (between characters) as a stored one; a
  boundary just after a removed character lands where that character was.
- `span_to_stored(start, end)`: a source `[start, end)` as a stored one, or `SpanNotPlaced`
  when its first (`start`) or last (`end - 1`) character is a removed one, which the stored
  text cannot hold; removed characters inside the span are fine (they just are not there).
- `span_to_source(start, end)`: the exact inverse, stored to source; `to_source(offset)` is
  where the stored character at `offset` is in the source.

`normalise(raw, bom=...)` makes the stored text and its gaps from the decoded source.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable

BOM = "\ufeff"


class SpanNotPlaced(ValueError):
    """A source span that cannot be placed exactly on the stored text; `str()` says why
    ("span starts on ..."), `what` the same without "span "."""

    def __init__(self, what: str) -> None:
        super().__init__(f"span {what}")
        self.what = what


def normalise(raw: str, *, bom: bool = False) -> tuple[str, list[int]]:
    """The stored text of `raw` and its gaps; `bom`: the source had a BOM before `raw`.

    `raw` is the decoded source without its BOM (if any). `\\r\\n` becomes `\\n` (the `\\r` is
    a gap) and a lone `\\r` becomes `\\n` (no gap); nothing else changes, U+FEFF inside the
    text included.
    """
    shift = 1 if bom else 0
    gaps = [0] if bom else []
    if "\r" not in raw:
        return raw, gaps
    find = raw.find
    position = find("\r\n")
    while position >= 0:
        gaps.append(position + shift)
        position = find("\r\n", position + 2)
    return raw.replace("\r\n", "\n").replace("\r", "\n"), gaps


class SourceMap:
    """Converts offsets between an article's source text and its stored text (see the module)."""

    __slots__ = ("_shifted", "gaps", "stored_text")

    def __init__(self, gaps: Iterable[int] = (), stored_text: str | None = None) -> None:
        self.gaps: tuple[int, ...] = tuple(gaps)
        """The removed characters' source offsets, sorted."""
        self.stored_text = stored_text
        """The stored text, if known: it only makes some refusal reasons more precise."""
        previous = -1
        for gap in self.gaps:
            if not isinstance(gap, int) or gap <= previous:
                raise ValueError(f"source gaps must be increasing non-negative integers, got {list(self.gaps)}")
            previous = gap
        # The stored offset of the character after each gap: source offset minus the gaps before it.
        self._shifted = [gap - index for index, gap in enumerate(self.gaps)]

    def __bool__(self) -> bool:
        return bool(self.gaps)

    def __repr__(self) -> str:
        return f"SourceMap({list(self.gaps)!r})"

    def source_length(self, stored_length: int) -> int:
        """The length of the source text whose stored text has `stored_length` characters."""
        return stored_length + len(self.gaps)

    def removed(self, source_offset: int) -> bool:
        """Whether the source character at `source_offset` is not in the stored text."""
        gaps = self.gaps
        index = bisect_left(gaps, source_offset)
        return index < len(gaps) and gaps[index] == source_offset

    def to_stored(self, source_offset: int) -> int:
        """The stored boundary offset of a source boundary offset."""
        return source_offset - bisect_left(self.gaps, source_offset)

    def to_source(self, stored_offset: int) -> int:
        """Where the stored character at `stored_offset` is in the source (a length maps to a length)."""
        return stored_offset + bisect_right(self._shifted, stored_offset)

    def span_to_stored(self, start: int, end: int) -> tuple[int, int]:
        """The stored `[start, end)` of a source span; `SpanNotPlaced` if an end is a removed character."""
        if not self.gaps:
            return start, end
        if start < end:
            if self.removed(start):
                raise SpanNotPlaced(f"starts on {self._what(start)} the article text does not keep")
            if self.removed(end - 1):
                raise SpanNotPlaced(f"ends on {self._what(end - 1)} the article text does not keep")
        return self.to_stored(start), self.to_stored(end)

    def span_to_source(self, start: int, end: int) -> tuple[int, int]:
        """The source `[start, end)` of a stored span (the inverse of `span_to_stored`)."""
        if not self.gaps:
            return start, end
        if start >= end:
            position = self.to_source(start)
            return position, position
        return self.to_source(start), self.to_source(end - 1) + 1

    def _what(self, source_offset: int) -> str:
        """Which removed character is at `source_offset`."""
        if source_offset != 0:
            return "the \\r of a \\r\\n line break"
        # Offset 0 is a BOM, or the \r of a text that starts with \r\n (or, only with a BOM
        # before it, a gap at 1). A text starting with "\n" could be either without a BOM gap at 1.
        if len(self.gaps) > 1 and self.gaps[1] == 1:
            return "the byte-order mark"
        if self.stored_text is not None and not self.stored_text.startswith("\n"):
            return "the byte-order mark"
        return "a character (the byte-order mark or the \\r of a \\r\\n line break)"
