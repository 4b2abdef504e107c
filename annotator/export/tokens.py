"""Tokens and BIO tags for the token-classification columns of an export.

The tokenizer is deliberately simple so that anyone can reproduce it: a token is a run of
word characters or a single other non-space character, `re.finditer(r"\\w+|[^\\w\\s]", text)`,
with code-point offsets `[start, end)` into the passage text.

BIO cannot hold overlapping spans. Spans are placed longest first (ties: the label's codebook
order, then the earlier start); a span that would share a token with a span already placed is
left out of the tags (it stays in the spans column). A span covers every token it overlaps.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")
_SPLITTER = re.compile(f"({TOKEN_PATTERN.pattern})")
OUTSIDE = "O"


@dataclass(frozen=True)
class Tokens:
    """A passage's tokens with their offsets: `words[i] == text[starts[i]:ends[i]]`."""

    words: list[str]
    starts: list[int]
    ends: list[int]

    def covering(self, start: int, end: int) -> range:
        """Indices of the tokens that overlap `[start, end)`."""
        return range(bisect_right(self.ends, start), bisect_left(self.starts, end))


def tokenize(text: str) -> Tokens:
    """The `TOKEN_PATTERN` matches of `text` and their offsets."""
    parts = _SPLITTER.split(text)  # gap, token, gap, token, ..., gap
    ends = list(accumulate(map(len, parts)))
    return Tokens(parts[1::2], ends[0:-1:2], ends[1::2])


def bio_names(label_ids: Sequence[str]) -> list[str]:
    """Tag names of a span layer: "O", then "B-<label>" and "I-<label>" in codebook order."""
    names = [OUTSIDE]
    for label_id in label_ids:
        names += [f"B-{label_id}", f"I-{label_id}"]
    return names


def bio_marks(tokens: Tokens, spans: Sequence[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """The tagged tokens for `spans`, each `(start, end, label index)`: `(token index, tag code)`
    pairs, codes indexing `bio_names`; every other token is "O" (code 0)."""
    taken: set[int] = set()
    marks: list[tuple[int, int]] = []
    for start, end, label_index in sorted(spans, key=lambda span: (span[0] - span[1], span[2], span[0])):
        covered = tokens.covering(start, end)
        if not covered or not taken.isdisjoint(covered):
            continue
        taken.update(covered)
        marks.append((covered.start, 1 + 2 * label_index))
        marks += [(index, 2 + 2 * label_index) for index in covered[1:]]
    return marks
