"""Tokens and BIO tags for the token-classification columns of an export.

The tokenizer is a handful of documented rules on top of the `regex` module (its `\\w` keeps
combining marks in their word). A citation marker or placeholder (`annotator.core.rules.MARKUP`:
`[[3]]`, `[[2], [19]]`, `[INTERNAL_LINK:slug]`) is always one token, cut out before any other
rule runs; `Tokens.markup` marks those tokens. Between them, at each position, the first rule
that matches gives the next token:

1. a URL: `http://`, `https://`, `ftp://` or `www.` and everything up to whitespace, a bracket,
   `<`, `>` or `"`, less trailing `. , ; : ! ? ' ’ ” ) }` (so a URL ending in `)` loses it);
2. an e-mail address, `name@host.domain`;
3. an abbreviation of single letters with periods: `a.m.`, `U.S.`, `e.g.`;
4. a word: a run of letters, digits, marks and `_`, where a number keeps `.`, `,` or `:` between
   digits (`1,200`, `3.5`, `4:30`) and parts joined by a hyphen (`-`, U+2010 or U+2011) stay one
   word (`Kesh-Marra`, `20-year-old`, `1,200-strong`);
5. an emoji with its modifiers and zero-width-joined parts, or a flag;
6. any other single character (punctuation, a symbol) with the combining marks after it.

Whitespace is what `str.isspace` says. Offsets are code points `[start, end)` into the passage
text, `text[start:end]` is the token, tokens never overlap, every other character is
whitespace, and only a markup token can hold whitespace (`[[2], [19]]`).

BIO cannot hold overlapping spans. Spans are placed longest first (ties: the label's codebook
order, then the earlier start); a span that would share a token with a span already placed is
left out of the tags (it stays in the spans column). A span covers every token it overlaps, a
marker inside it included (or, with the markup dropped, the tokens either side of the marker).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, compress

import regex

from annotator.core.rules import MARKUP

_SPACE = r"\s\x1c-\x1f"  # the regex module's \s lacks these four; str.isspace has them
_NUMBER = r"\d+(?:[.,:]\d+)+"
_EMOJI = r"\p{Extended_Pictographic}[\p{Emoji_Modifier}\ufe0f\u20e3]*"
RULES = {
    "url": rf"(?i:https?://|ftp://|www\.)[^{_SPACE}\[\]<>\"]*[^{_SPACE}\[\]<>\".,;:!?'’”)}}]",
    "email": r"\w[\w.+-]*@\w[\w-]*(?:\.\w[\w-]*)+",
    "abbreviation": r"\p{L}(?:\.\p{L})+\.(?!\w)",
    "word": rf"(?:{_NUMBER}|\w+)(?:[-\u2010\u2011](?:{_NUMBER}|\w+))*",
    "emoji": rf"{_EMOJI}(?:\u200d{_EMOJI})*|\p{{Regional_Indicator}}{{2}}",
    "other": rf"[^\w{_SPACE}]\p{{M}}*",
}
"""The rules between markup tokens, in the order they are tried."""
TOKEN_PATTERN = regex.compile("|".join(f"(?:{rule})" for rule in RULES.values()))
_SPLITTER = regex.compile(f"({TOKEN_PATTERN.pattern})")
OUTSIDE = "O"


@dataclass(frozen=True)
class Tokens:
    """A passage's tokens with their offsets: `words[i] == text[starts[i]:ends[i]]`; `markup[i]`
    says whether token i is a citation marker or placeholder."""

    words: list[str]
    starts: list[int]
    ends: list[int]
    markup: list[bool]

    def covering(self, start: int, end: int) -> range:
        """Indices of the tokens that overlap `[start, end)`."""
        return range(bisect_right(self.ends, start), bisect_left(self.starts, end))

    def without_markup(self) -> Tokens:
        """These tokens less the citation markers and placeholders."""
        if not any(self.markup):
            return self
        keep = [not marked for marked in self.markup]
        return Tokens(
            list(compress(self.words, keep)),
            list(compress(self.starts, keep)),
            list(compress(self.ends, keep)),
            [False] * sum(keep),
        )


def tokenize(text: str) -> Tokens:
    """The tokens of `text` (see the module docstring) and their offsets."""
    words: list[str] = []
    starts: list[int] = []
    markup: list[bool] = []
    position = 0
    for marker in MARKUP.finditer(text):
        _add_rule_tokens(text[position : marker.start()], position, words, starts, markup)
        words.append(marker.group())
        starts.append(marker.start())
        markup.append(True)
        position = marker.end()
    _add_rule_tokens(text[position:], position, words, starts, markup)
    return Tokens(words, starts, [start + len(word) for start, word in zip(starts, words)], markup)


def _add_rule_tokens(gap: str, offset: int, words: list[str], starts: list[int], markup: list[bool]) -> None:
    """Add the rule tokens of `gap`, text without markup that starts at `offset` in the passage."""
    parts = _SPLITTER.split(gap)  # space, token, space, token, ..., space
    words += parts[1::2]
    starts += list(accumulate(map(len, parts), initial=offset))[1:-1:2]
    markup += [False] * (len(parts) // 2)


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
