"""Words of a passage for the cursor: word stops for `ctrl+←/→` and jump hints ("easymotion").

A word is a maximal run of word clusters (the grapheme clusters of `annotator.spans`: a
letter, digit, mark or connector, or `- ' ’`) holding at least one letter or digit, so it is
exactly what a label key tags when the cursor is at its start (`spans.word_at`). Citation
markers and placeholders (`[[3]]`, `[[2], [19]]`, `[INTERNAL_LINK:slug]`, the `MARKUP` of
`annotator.core.rules`) hold no words: a span may not start or end inside one, so the text
inside a placeholder gets neither a hint nor a stop.

Words are found around an offset on demand, never over the whole text at once: the cost of
a call is the length of the stretch asked about (the visible rows, the gap to the next word).
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import regex

from annotator.core.rules import MARKUP
from annotator.spans import is_word_grapheme

Span = tuple[int, int]
"""`[start, end)` offsets into the passage."""

_HOME_ROW, _OTHER_LETTERS = "asdfghjkl", "qwertyuiopzxcvbnm"
HINT_ORDER = _HOME_ROW + _OTHER_LETTERS + _HOME_ROW.upper() + _OTHER_LETTERS.upper() + "1234567890"
"""Hint characters, easiest first: the home row, the other letters, capitals, digits."""

_CONTEXT = 32
"""Code points read before a stretch so its grapheme clusters line up with the whole text's."""

_STRETCH = 64
"""Code points looked through first for the next or previous word start (doubled until found)."""

_GRAPHEME = regex.compile(r"\X", regex.DOTALL)
_LETTER_OR_DIGIT = regex.compile(r"[\p{L}\p{N}]")


class PassageWords:
    """The words of one passage text; the markers are found once, words on demand."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._markers = [match.span() for match in MARKUP.finditer(text)]
        self._marker_starts = [start for start, _ in self._markers]

    def in_marker(self, offset: int) -> bool:
        """True when `offset` falls inside a citation marker or placeholder."""
        index = bisect_right(self._marker_starts, offset) - 1
        return index >= 0 and offset < self._markers[index][1]

    def starting_in(self, low: int, high: int) -> list[Span]:
        """Every word starting in `[low, high)`, in reading order (a word may end past `high`)."""
        words: list[Span] = []
        start: int | None = None
        has_letter = False
        for at, cluster in self._clusters(max(0, low - _CONTEXT)):
            if start is None and at >= high:
                return words
            if is_word_grapheme(cluster) and not self.in_marker(at):
                start = at if start is None else start
                has_letter = has_letter or _LETTER_OR_DIGIT.match(cluster) is not None
                continue
            if start is not None and start >= low and has_letter:
                words.append((start, at))
            start, has_letter = None, False
        if start is not None and low <= start < high and has_letter:
            words.append((start, len(self.text)))
        return words

    def next_start(self, offset: int) -> int:
        """The first word start after `offset`, or the end of the text."""
        low, width = offset + 1, _STRETCH
        while low < len(self.text):
            found = self.starting_in(low, low + width)
            if found:
                return found[0][0]
            low, width = low + width, width * 2
        return len(self.text)

    def previous_start(self, offset: int) -> int:
        """The last word start before `offset`, or 0."""
        high, width = offset, _STRETCH
        while high > 0:
            found = self.starting_in(max(0, high - width), high)
            if found:
                return found[-1][0]
            high, width = max(0, high - width), width * 2
        return 0

    def _clusters(self, begin: int) -> Iterator[tuple[int, str]]:
        """(offset, cluster) from `begin` on, lazily."""
        for match in _GRAPHEME.finditer(self.text, begin):
            yield match.start(), match.group()


def hint_alphabet(reserved: set[str]) -> str:
    """The hint characters in order of preference, without the `reserved` keys."""
    return "".join(character for character in HINT_ORDER if character not in reserved)


def hint_strings(count: int, alphabet: str) -> list[str]:
    """`count` hints, none a prefix of another: one character each while the alphabet lasts;
    beyond it, the last characters become prefixes of two-character hints (as few as needed).
    Fewer than `count` when even that is not enough."""
    size = len(alphabet)
    if count <= size or size < 2:
        return list(alphabet[:count])
    prefixes = min(size, -(-(count - size) // (size - 1)))
    singles = list(alphabet[: size - prefixes])
    doubles = [prefix + second for prefix in alphabet[size - prefixes :] for second in alphabet]
    return (singles + doubles)[:count]


@dataclass(frozen=True)
class Step:
    """What a key typed in jump mode does: nothing yet (the first half of a two-character
    hint), move the cursor to `cursor`, or select from `anchor` to `cursor`."""

    cursor: int | None = None
    anchor: int | None = None


class Jump:
    """Jump mode: a hint per word. The first hint typed moves to its word; the second selects
    from the first word through the second (either way round) and ends the mode."""

    def __init__(self, words: Sequence[Span], alphabet: str) -> None:
        self.targets: dict[str, Span] = dict(zip(hint_strings(len(words), alphabet), words))
        self.first: Span | None = None
        """The word the first hint moved to; set, the hints extend a selection from it."""
        self.typed = ""
        """The first character of a two-character hint, typed so far."""
        self.finished = False

    def shown(self) -> list[tuple[int, str]]:
        """(word start, what is left to type) for every hint still possible."""
        return [
            (start, hint[len(self.typed) :]) for hint, (start, _) in self.targets.items() if hint.startswith(self.typed)
        ]

    def press(self, character: str) -> Step | None:
        """Take a typed character; None when it is not (part of) a hint: jump mode should end."""
        typed = self.typed + character
        word = self.targets.get(typed)
        if word is None:
            if any(hint.startswith(typed) for hint in self.targets):
                self.typed = typed
                return Step()
            return None
        self.typed = ""
        if self.first is None:
            self.first = word
            return Step(cursor=word[0])
        self.finished = True
        if word[0] < self.first[0]:
            return Step(cursor=word[0], anchor=self.first[1])
        return Step(cursor=word[1], anchor=self.first[0])


def overlay_hints(line: str, hints: Sequence[tuple[int, str]]) -> tuple[str, list[Span]]:
    """`line` with each hint written over the clusters from its column on, and the columns it
    covers. The line keeps its length and its cell widths: a hint character replaces a
    cluster's first code point (full-width over a wide one) and keeps its marks; a hint never
    covers a tab or runs past the line."""
    characters = list(line)
    covered: list[Span] = []
    for column, hint in hints:
        end = column
        for (at, cluster), character in zip(_line_clusters(line, column), hint):
            if cluster == "\t":
                break
            characters[at] = _same_width(character, cluster[0])
            end = at + len(cluster)
        if end > column:
            covered.append((column, end))
    return "".join(characters), covered


def _line_clusters(line: str, column: int) -> Iterator[tuple[int, str]]:
    for match in _GRAPHEME.finditer(line, column):
        yield match.start(), match.group()


def _same_width(character: str, replaced: str) -> str:
    """`character`, in its full-width form when `replaced` takes two cells."""
    if unicodedata.east_asian_width(replaced) in ("W", "F") and "!" <= character <= "~":
        return chr(ord(character) + 0xFEE0)
    return character
