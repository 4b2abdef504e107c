"""Split an article's text into passages and say what each passage is.

`segment(text)` returns `Segment`s: code-point offsets into `text` (never a copy of it), in
order, non-overlapping, never empty, without leading or trailing whitespace inside. The
text between segments is whitespace only, so segments plus gaps give back the text.

How the text is cut into units:

* Paragraphs are separated by blank lines where the text has any, else by single newlines.
* A blank-line paragraph of several lines is cut into its lines when it looks like a list
  or a page furniture block rather than hard-wrapped prose: when one of its lines is a
  bullet or numbered item, a `#` heading, boilerplate, a byline or a "Contents"/"Sources"
  heading; when every line but the last ends a sentence; or, for the first paragraph, when
  its first line looks like a title and the next line does not continue it in lower case.
  An indented line after a bullet continues that bullet.
* A unit longer than `max_chars` is cut at sentence boundaries into pieces of at most
  `max_chars` where possible; a single sentence longer than that stays whole.

How units are classified (`kind`; only "body" is annotatable, unless `annotate_headings`):

* boilerplate: a unit of at most 200 characters that matches one of `BOILERPLATE_PATTERNS`
  completely or contains one of `BOILERPLATE_PHRASES` (checked first, also inside the
  references and ToC).
* references: the last "Sources"/"References"/"Notes"/"Further reading"/... heading and
  every unit after it (each entry is its own segment when entries are on separate lines);
  not when that heading is only an item of a table of contents.
* title: the first unit, if it is one title-like line (a `#` heading, or at most 250
  characters not ending in `. , ; :`), and the unit after it if it repeats it (same after
  collapsing whitespace, ignoring case).
* byline: `BY: NAME`, `By Name Surname`, `Written by ...` before the first body paragraph
  (within the first 8 units); a wire credit such as `(Reporting by ...; Editing by ...)`
  anywhere.
* toc: a "Table of Contents"/"Contents"/"In this article" heading and the lines after it
  (one segment per line) while they are bullets, or short heading-like lines that do not
  repeat an item already listed (the first repeat is the real section heading).
* heading: a `#` line, or a short bare line: one line, at most 80 characters and 12 words,
  not ending in sentence punctuation and not a bullet.
* body: everything else. Citation markers (`[[3]]`, `[[2], [19]]`) and placeholders
  (`[INTERNAL_LINK:slug]`) are left in the text.

With `annotate_headings`, title, heading and byline passages are annotatable too (their kind
stays). Other ways to cut (`passages`):

* "paragraphs" (the default): the units above, long ones cut at sentence ends.
* "article": one body passage per article, the whole text without leading and trailing
  whitespace.
* "lines": the units above are classified as usual, then cut into their lines, and runs of
  lines are packed into passages of at most `max_chars`, cut only at line breaks: the lines
  of one unit, and of consecutive body units, go together while they fit; other kinds never
  share a passage with a different unit. A line longer than `max_chars` stays whole. No cut
  is placed inside any of `keep_spans` (`[start, end)` offsets into `text`): lines that a
  span runs across stay in one passage even beyond `max_chars` (body if any of its lines is
  body, else the kind of its first line).

Whatever the mode, no passage is longer than `max_passage_chars` (`MAX_PASSAGE_CHARS`,
20,000 code points, by default; a `max_chars` above it counts as it, so paragraphs are cut
at sentence ends and lines packed within it first): a passage still longer (one huge
sentence or line, a whole article) is cut into pieces of at most that, at the last
sentence end that fits, else the last whitespace, else the last grapheme-cluster boundary
(`\\X`), so a character is never cut in two. The pieces keep the passage's kind. No cut is
placed inside a kept span: a passage exceeds the cap only where one of `keep_spans` (or one
grapheme cluster) is itself longer, and then ends at the first place after it that may be cut.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import regex

TITLE = "title"
BYLINE = "byline"
HEADING = "heading"
TOC = "toc"
REFERENCES = "references"
BOILERPLATE = "boilerplate"
BODY = "body"
KINDS = (TITLE, BYLINE, HEADING, TOC, REFERENCES, BOILERPLATE, BODY)

DEFAULT_MAX_CHARS = 1000
MAX_PASSAGE_CHARS = 20_000
"""No passage is longer (unless a kept span is): the UI draws a passage whole."""
PARAGRAPHS = "paragraphs"
ARTICLE = "article"
LINES = "lines"
PASSAGE_MODES = (PARAGRAPHS, ARTICLE, LINES)
HEADING_KINDS = frozenset({TITLE, HEADING, BYLINE})
"""The kinds `annotate_headings` makes annotatable."""


@dataclass(frozen=True, slots=True)
class Segment:
    """A passage: `text[start:end]`, what kind of passage it is, and whether to annotate it."""

    start: int
    end: int
    kind: str
    annotatable: bool


# Site furniture: a unit (one line, at most _BOILERPLATE_MAX_CHARS) that matches one of these
# completely, case-insensitively, is boilerplate. Add patterns here.
BOILERPLATE_PATTERNS: tuple[str, ...] = (
    r"(?:scroll|back|return|go|jump)\s+to\s+(?:the\s+)?top\W*",
    r"skip\s+to\s+(?:the\s+)?(?:main\s+)?(?:content|navigation)",
    r"share(?:\s+(?:this|the))?(?:\s+(?:article|story|post|page|report|link))?(?:\s+(?:on|via)\s+[\w.]+)?\s*[:!]?",
    r"(?:facebook|twitter|x|whatsapp|telegram|linkedin|reddit|email|e-mail|print|copy\s+link|tweet)",
    r"(?:subscribe|sign\s+up|register)\b.*",
    r"(?:advertisement|advertising|sponsored(?:\s+content)?|ad|promoted)\W*",
    r"(?:related(?:\s+(?:articles?|stories|posts|content|coverage|reading))?|see\s+also"
    r"|read\s+(?:more|also|next)|more\s+on\s+this(?:\s+story)?|recommended(?:\s+for\s+you)?|most\s+read"
    r"|trending(?:\s+now)?)(?:\s*[:›»>→|–—-].*)?",
    r"read\s+more\s+(?:about|on|from|at)\b.*",
    r"(?:we\s+use\s+)?cookies?\b.*|(?:accept|reject|manage)\b.*\bcookies?\b.*",
    r"(?:©|\(c\)|copyright)\s*(?:\d{4}|©).*",
    r"follow\s+us\b.*",
    r"tags?\s*:.*|filed\s+under\s*:.*|topics?\s*:.*",
    r"(?:leave\s+a\s+(?:comment|reply)|\d*\s*comments?|comments?\s*\(\d+\)|show\s+comments)",
    r"(?:previous|next)(?:\s+(?:article|post|story|page))?\W*",
    r"click\s+here\b.*",
    r"loading\W*|…",
    r"[\W_]+",  # separators such as *** or ----
)
# ... and so is a unit of at most _BOILERPLATE_MAX_CHARS that contains one of these phrases
# (plain lower-case substrings, matched against the lower-cased unit).
BOILERPLATE_PHRASES: tuple[str, ...] = (
    "newsletter",
    "all rights reserved",
    "cookie policy",
    "cookie settings",
    "cookie preferences",
    "cookie consent",
    "use cookies",
    "uses cookies",
    "©",
)
_BOILERPLATE_MAX_CHARS = 200
_BOILERPLATE_LINE = re.compile("|".join(f"(?:{p})" for p in BOILERPLATE_PATTERNS), re.IGNORECASE)


def is_boilerplate(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether `text[start:end]` (already trimmed) is site furniture."""
    if end is None:
        end = len(text)
    return end - start <= _BOILERPLATE_MAX_CHARS and (
        _BOILERPLATE_LINE.fullmatch(text, start, end) is not None or _contains_phrase(text[start:end].lower())
    )


def _contains_phrase(unit: str) -> bool:
    return any(phrase in unit for phrase in BOILERPLATE_PHRASES)


_TOC_HEAD = re.compile(
    r"(?:#{1,6}\s*)?(?:table\s+of\s+contents?|contents|in\s+this\s+(?:article|story|piece|report)"
    r"|on\s+this\s+page|jump\s+to)\s*:?",
    re.IGNORECASE,
)
_REFS_HEAD = re.compile(
    r"(?:#{1,6}\s*)?(?:sources?|references?|notes|end\s*notes|foot\s*notes|further\s+reading"
    r"|bibliography|works\s+cited|citations|sources\s+and\s+notes|notes\s+and\s+(?:sources|references))\s*:?",
    re.IGNORECASE,
)
_HEAD_MAX = 40  # the ToC and references headings above are short
_BYLINE = re.compile(
    r"(?:written\s+by|words\s+by|reported\s+by|story\s+by|by|authors?)(?:\s*[:\-–—]\s*|\s+)(?=[^\W\d_])",
    re.IGNORECASE,
)
_CREDIT = re.compile(r"\((?:additional\s+)?(?:reporting|writing|editing)\s+by\b[^()]*\)", re.IGNORECASE)
_BULLET = re.compile(r"(?:[-*+•·▪◦‣–—]|\d{1,3}[.)])\s+")
_MD_HEADING = re.compile(r"#{1,6}\s+\S")
_BLANK_SEP = re.compile(r"\n[^\S\n]*\n(?:[^\S\n]*\n)*")
_LINE = re.compile(r"\S(?:[^\n]*\S)?")  # a line without its leading and trailing whitespace
_TRAILING_CITATION = re.compile(r"(?:\s*\[\[[^\[\]\n]*\](?:\s*,\s*\[[^\[\]\n]*\])*\])+$")

# A sentence ends at `. ! ? …` and any closing quotes, brackets or citation markers after
# it, followed by whitespace (group 1); the word before is checked for abbreviations.
# The lookahead keeps only candidates followed by an ASCII capital, a digit, an opening quote
# or bracket, or any non-ASCII character (checked with `str.isupper` afterwards).
_SENTENCE_END = re.compile(
    r"[.!?…][.!?…]*(?:[\"'”’»)\]]|\[\[[^\[\]\n]*\](?:\s*,\s*\[[^\[\]\n]*\])*\])*(\s+)"
    r"(?=[A-Z0-9\"'“‘«(\[¿¡]|[^\x00-\x7f])"
)
_OPENERS = "\"'“‘«([¿¡"
_TOKEN_OPENERS = "\"'“‘«(["
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # e.g, i.e, U.S, a.m
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "mx",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "cpt",
        "sgt",
        "cpl",
        "pte",
        "pvt",
        "adm",
        "brig",
        "cmdr",
        "cdr",
        "gov",
        "sen",
        "rep",
        "pres",
        "supt",
        "insp",
        "det",
        "st",
        "mt",
        "jr",
        "sr",
        "rev",
        "fr",
        "hon",
        "amb",
        "vs",
        "cf",
        "approx",
        "est",
        "dept",
        "univ",
        "inc",
        "ltd",
        "corp",
        "co",
        "bros",
        "messrs",
        "mme",
        "mlle",
        "gov't",
    ]
)
# Abbreviations that only stay abbreviations before a number ("No. 4", "Jan. 12", "p. 7").
NUMERIC_ABBREVIATIONS = frozenset(
    [
        "no",
        "nos",
        "vol",
        "vols",
        "p",
        "pp",
        "fig",
        "figs",
        "art",
        "arts",
        "ch",
        "para",
        "sec",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)
_TERMINAL = frozenset(".!?;:,…")
_CLOSERS = "\"'”’»)]"

_TITLE_MAX = 250
_HEADING_MAX = 80
_HEADING_MAX_WORDS = 12
_BYLINE_MAX = 120
_BYLINE_MAX_WORDS = 12
_TOP_UNITS = 8


def segment(
    text: str,
    max_chars: int = DEFAULT_MAX_CHARS,
    *,
    passages: str = PARAGRAPHS,
    keep_spans: Sequence[tuple[int, int]] = (),
    annotate_headings: bool = False,
    max_passage_chars: int = MAX_PASSAGE_CHARS,
) -> list[Segment]:
    """Passages of `text` with their kind; "body" passages (and with `annotate_headings` title,
    heading and byline ones) are annotatable. See the module for `passages`, `keep_spans` and
    `max_passage_chars`."""
    if max_chars < 1 or max_passage_chars < 1:
        raise ValueError("max_chars and max_passage_chars must be positive")
    # Cut (at sentence ends, or lines) within the cap first; the cap then only cuts what is left.
    segments = _segment(text, min(max_chars, max_passage_chars), passages, keep_spans, annotate_headings)
    if all(seg.end - seg.start <= max_passage_chars for seg in segments):
        return segments
    kept = _merged_spans(keep_spans)
    out: list[Segment] = []
    for seg in segments:
        if seg.end - seg.start <= max_passage_chars:
            out.append(seg)
            continue
        for start, end in _cap(text, seg.start, seg.end, max_passage_chars, kept):
            out.append(Segment(start, end, seg.kind, seg.annotatable))
    return out


def _segment(
    text: str,
    max_chars: int,
    passages: str,
    keep_spans: Sequence[tuple[int, int]],
    annotate_headings: bool,
) -> list[Segment]:
    """The passages of the chosen mode, before the `max_passage_chars` cap."""
    if passages not in PASSAGE_MODES:
        raise ValueError(f"unknown passages mode {passages!r} (choose from {', '.join(PASSAGE_MODES)})")
    if keep_spans and passages == PARAGRAPHS:
        raise ValueError("keep_spans needs passages 'lines' (or 'article')")
    if passages == ARTICLE:
        start, end = _trim(text, 0, len(text))
        return [Segment(start, end, BODY, True)] if start < end else []
    annotatable_kinds = HEADING_KINDS | {BODY} if annotate_headings else frozenset({BODY})
    units = _units(text)
    kinds = _classify(text, units)
    if passages == LINES:
        return _pack_lines(text, units, kinds, max_chars, keep_spans, annotatable_kinds)
    out: list[Segment] = []
    append = out.append
    for (start, end), kind in zip(units, kinds):
        annotatable = kind in annotatable_kinds
        if end - start > max_chars:
            for piece_start, piece_end in _split_sentences(text, start, end, max_chars):
                append(Segment(piece_start, piece_end, kind, annotatable))
        else:
            append(Segment(start, end, kind, annotatable))
    return out


def _pack_lines(
    text: str,
    units: list[tuple[int, int]],
    kinds: list[str],
    max_chars: int,
    keep_spans: Sequence[tuple[int, int]],
    annotatable_kinds: frozenset[str],
) -> list[Segment]:
    """The "lines" passages (see the module): lines packed up to `max_chars`, never cut inside a kept span."""
    lines: list[tuple[int, int, str, int]] = []  # start, end, kind, unit index
    for index, ((start, end), kind) in enumerate(zip(units, kinds)):
        if text.find("\n", start, end) < 0:
            lines.append((start, end, kind, index))
        else:
            lines.extend((m.start(), m.end(), kind, index) for m in _LINE.finditer(text, start, end))
    if not lines:
        return []
    # Blocks: lines joined where a kept span runs from one line into the next. A span lands in
    # one passage when it ends by the end of a line or starts at or after the next line.
    spans = sorted(keep_spans)
    blocks: list[list[tuple[int, int, str, int]]] = [[lines[0]]]
    position, reach = 0, -1  # the spans starting before the next line reach up to `reach`
    for previous, line in zip(lines, lines[1:]):
        while position < len(spans) and spans[position][0] < line[0]:
            reach = max(reach, spans[position][1])
            position += 1
        if reach > previous[1]:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    out: list[Segment] = []
    current: list[tuple[int, int, str, int]] = []
    for block in blocks:
        if current:
            last, first = current[-1], block[0]
            joinable = last[3] == first[3] or (last[2] == BODY and first[2] == BODY)
            if joinable and block[-1][1] - current[0][0] <= max_chars:
                current.extend(block)
                continue
            out.append(_packed(current, annotatable_kinds))
        current = list(block)
    out.append(_packed(current, annotatable_kinds))
    return out


def _packed(lines: list[tuple[int, int, str, int]], annotatable_kinds: frozenset[str]) -> Segment:
    kind = BODY if any(line[2] == BODY for line in lines) else lines[0][2]
    return Segment(lines[0][0], lines[-1][1], kind, kind in annotatable_kinds)


# ---------------------------------------------------------------------------- units


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    if start < end and not text[start].isspace() and not text[end - 1].isspace():
        return start, end
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return start, start
    left = start + len(chunk) - len(chunk.lstrip())
    return left, left + len(stripped)


def _units(text: str) -> list[tuple[int, int]]:
    if _BLANK_SEP.search(text) is None:
        lines = [match.span() for match in _LINE.finditer(text)]
        return _join_continuations(text, lines) if "\n " in text or "\n\t" in text else lines
    units: list[tuple[int, int]] = []
    position = 0
    first = True
    for match in _BLANK_SEP.finditer(text):
        first = _add_block(text, position, match.start(), units, first)
        position = match.end()
    _add_block(text, position, len(text), units, first)
    return units


def _add_block(text: str, start: int, end: int, units: list[tuple[int, int]], first: bool) -> bool:
    """Add one blank-line paragraph (as one unit or as its lines); return whether still first."""
    start, end = _trim(text, start, end)
    if start == end:
        return first
    if text.find("\n", start, end) < 0:
        units.append((start, end))
        return False
    lines = [match.span() for match in _LINE.finditer(text, start, end)]
    if _is_list_like(text, lines, first):
        units.extend(_join_continuations(text, lines))
    else:
        units.append((start, end))
    return False


def _join_continuations(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Lines as units, an indented line after a bullet item joined to that item."""
    units: list[tuple[int, int]] = []
    previous_bullet = False
    for line_start, line_end in lines:
        bullet = _BULLET.match(text, line_start, line_end) is not None
        if previous_bullet and not bullet and line_start > 0 and text[line_start - 1] != "\n":
            units[-1] = (units[-1][0], line_end)
            continue
        units.append((line_start, line_end))
        previous_bullet = bullet
    return units


def _is_list_like(text: str, lines: list[tuple[int, int]], first: bool) -> bool:
    for start, end in lines:
        if _is_structural(text, start, end):
            return True
    if first and len(lines) > 1:
        start, end = lines[0]
        following = text[lines[1][0]]
        if _is_title_like(text, start, end) and not following.islower():
            return True
    return all(_ends_sentence(text[start:end]) for start, end in lines[:-1])


def _is_structural(text: str, start: int, end: int) -> bool:
    if _BULLET.match(text, start, end) or _MD_HEADING.match(text, start, end):
        return True
    length = end - start
    if length <= _HEAD_MAX and (_TOC_HEAD.fullmatch(text, start, end) or _REFS_HEAD.fullmatch(text, start, end)):
        return True
    if is_boilerplate(text, start, end):
        return True
    return _is_byline(text, start, end) or _CREDIT.fullmatch(text, start, end) is not None


# ---------------------------------------------------------------------------- classification


def _final_char(unit: str) -> str:
    """The last character of `unit` before closing quotes, brackets and citation markers."""
    if unit.endswith("]") and _TRAILING_CITATION.search(unit):
        return "."  # a citation marker ends a sentence, never a title or heading
    unit = unit.rstrip(_CLOSERS)
    return unit[-1] if unit else ""


def _ends_sentence(unit: str) -> bool:
    return _final_char(unit) in _TERMINAL


def _is_title_like(text: str, start: int, end: int) -> bool:
    if end - start > _TITLE_MAX or text.find("\n", start, end) >= 0:
        return False
    if _MD_HEADING.match(text, start, end):
        return True
    if _BULLET.match(text, start, end):
        return False
    final = _final_char(text[start:end])
    return bool(final) and final not in ".,;:"


def _is_heading(text: str, start: int, end: int) -> bool:
    if _MD_HEADING.match(text, start, end):
        return True
    if end - start > _HEADING_MAX or text.find("\n", start, end) >= 0:
        return False
    unit = text[start:end]
    if len(unit.split()) > _HEADING_MAX_WORDS or _BULLET.match(unit) or _ends_sentence(unit):
        return False
    return any(char.isalpha() for char in unit)


def _is_byline(text: str, start: int, end: int) -> bool:
    if end - start > _BYLINE_MAX or text.find("\n", start, end) >= 0:
        return False
    match = _BYLINE.match(text, start, end)
    if match is None:
        return False
    rest = text[match.end() : end]
    if not rest[0].isupper() or rest.rstrip(_CLOSERS)[-1:] in (".", "!", "?", ";"):
        return False
    return len(rest.split()) <= _BYLINE_MAX_WORDS


def _normalised(unit: str) -> str:
    return " ".join(unit.lstrip("#").split()).casefold()


def _toc_item(unit: str) -> str:
    bullet = _BULLET.match(unit)
    return _normalised(unit[bullet.end() :] if bullet else unit)


def _classify(text: str, units: list[tuple[int, int]]) -> list[str]:
    count = len(units)
    references_from = count
    for index in range(count - 1, -1, -1):
        start, end = units[index]
        if end - start <= _HEAD_MAX and _REFS_HEAD.fullmatch(text, start, end):
            references_from = index
            break

    kinds: list[str] = []
    append = kinds.append
    seen_content = False  # a unit other than boilerplate
    seen_body = False
    title_key: str | None = None
    title_index = -1
    in_toc = False
    toc_bullets: bool | None = None
    toc_items: set[str] = set()

    for index, (start, end) in enumerate(units):
        length = end - start
        if length <= _BOILERPLATE_MAX_CHARS and is_boilerplate(text, start, end):
            append(BOILERPLATE)
            continue
        if index >= references_from:
            if index == references_from and in_toc and _toc_item(text[start:end]).rstrip(":") not in toc_items:
                # A bare "Sources" line inside a table of contents, and no such section after it.
                references_from = count
                toc_items.add(_toc_item(text[start:end]))
                append(TOC)
                continue
            append(REFERENCES)
            continue
        if length > _TITLE_MAX and not in_toc:
            # Long units are prose (the common case): skip the short-line checks.
            seen_content = seen_body = True
            append(BODY)
            continue
        if not seen_content:
            seen_content = True
            if not _is_byline(text, start, end) and _is_title_like(text, start, end):
                title_key = _normalised(text[start:end])
                title_index = index
                append(TITLE)
                continue
        elif index == title_index + 1 and title_key is not None and _normalised(text[start:end]) == title_key:
            append(TITLE)
            continue
        if not seen_body and index < _TOP_UNITS and _is_byline(text, start, end):
            append(BYLINE)
            continue
        if _CREDIT.fullmatch(text, start, end):
            append(BYLINE)
            continue
        if length <= _HEAD_MAX and _TOC_HEAD.fullmatch(text, start, end):
            in_toc, toc_bullets, toc_items = True, None, set()
            append(TOC)
            continue
        if in_toc:
            bullet = _BULLET.match(text, start, end) is not None
            if toc_bullets is None:
                toc_bullets = bullet
            if bullet and toc_bullets:
                toc_items.add(_toc_item(text[start:end]))
                append(TOC)
                continue
            if not bullet and not toc_bullets and _is_heading(text, start, end):
                item = _toc_item(text[start:end])
                if item not in toc_items:
                    toc_items.add(item)
                    append(TOC)
                    continue
            in_toc = False
        if _is_heading(text, start, end):
            append(HEADING)
            continue
        seen_body = True
        append(BODY)
    return kinds


# ---------------------------------------------------------------------------- sentences


def sentence_boundaries(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence boundaries in `text[start:end]` as (end of sentence, start of next sentence)."""
    if end is None:
        end = len(text)
    bounds = []
    marker = _BULLET.match(text, start, end)
    list_marker_end = marker.end() if marker else start
    for match in _SENTENCE_END.finditer(text, start, end):
        after = match.end()
        if after >= end:
            break
        following = text[after]
        if following > "\x7f" and not (following.isupper() or following in _OPENERS):
            continue
        dot = match.start()
        if dot < list_marker_end:
            continue  # "1. The first item": the number of a list item
        if text[dot] == "." and (text[dot + 1] not in ".!?…"):
            word_start = dot
            while word_start > start and not text[word_start - 1].isspace():
                word_start -= 1
            token = text[word_start:dot].lstrip(_TOKEN_OPENERS).lower()
            if (
                token in ABBREVIATIONS
                or (len(token) == 1 and token.isalpha())
                or (token in NUMERIC_ABBREVIATIONS and following.isdigit())
                or (len(token) > 2 and _DOTTED.fullmatch(token))
            ):
                continue
        bounds.append((match.start(1), after))
    return bounds


def _split_sentences(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut `text[start:end]` at sentence boundaries into pieces of at most `max_chars`."""
    pieces: list[tuple[int, int]] = []
    current = start
    best: tuple[int, int] | None = None  # the last boundary that keeps the piece short enough
    for sentence_end, next_start in sentence_boundaries(text, start, end):
        while True:
            if sentence_end - current <= max_chars:
                best = (sentence_end, next_start)
                break
            if best is None:  # one sentence longer than max_chars stays whole
                pieces.append((current, sentence_end))
                current = next_start
                break
            pieces.append((current, best[0]))
            current, best = best[1], None
    if end - current > max_chars and best is not None:
        pieces.append((current, best[0]))
        current = best[1]
    pieces.append((current, end))
    return pieces


# ---------------------------------------------------------------------------- the length cap

_GRAPHEME = regex.compile(r"\X", regex.DOTALL)
# Whitespace as `str.isspace` (and `re`'s `\s`) sees it, which the `regex` module's `\s` does not quite.
WHITESPACE = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_LAST_SPACE = regex.compile(f"[{WHITESPACE}]+", regex.REVERSE)
_SPACE = re.compile(r"\s*")


def _merged_spans(keep_spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-empty kept spans, sorted, overlapping ones merged (touching ones stay apart)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(span for span in keep_spans if span[0] < span[1]):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _crossing(kept: list[tuple[int, int]], cut: int, resume: int) -> tuple[int, int] | None:
    """The kept span that a cut ending a piece at `cut` and resuming at `resume` would break."""
    index = bisect_left(kept, (resume, resume)) - 1  # the last span starting before `resume`
    if index >= 0 and kept[index][1] > cut:
        return kept[index]
    return None


def _cap(text: str, start: int, end: int, cap: int, kept: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut the trimmed `text[start:end]` into pieces of at most `cap` (see the module)."""
    pieces: list[tuple[int, int]] = []
    current = start
    while end - current > cap:
        cut = _best_cut(text, current, min(current + cap, end - 1), kept)
        if cut is None:  # a kept span (or one grapheme cluster) longer than the room: cut after it
            cut = _cut_after(text, current, end, current + cap, kept)
            if cut is None:
                break
        piece_end, resume = cut
        pieces.append((current, piece_end))
        current = resume
    pieces.append((current, end))
    return pieces


def _best_cut(text: str, current: int, limit: int, kept: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The last allowed cut (piece end, next start) with `current < piece end <= limit`."""
    for sentence_end, next_start in reversed(sentence_boundaries(text, current, limit + 1)):
        if sentence_end <= limit and _crossing(kept, sentence_end, next_start) is None:
            return sentence_end, next_start
    right = limit + 1
    while True:  # the last whitespace run starting in (current, limit]
        match = _LAST_SPACE.search(text, current + 1, right)
        if match is None:
            break
        gap_start = match.start()
        gap_end = _space_end(text, gap_start)
        if _crossing(kept, gap_start, gap_end) is None:
            return gap_start, gap_end
        right = gap_start
    # The last grapheme boundary in (current, limit] outside the kept spans.
    bounds = [match.end() for match in _GRAPHEME.finditer(text, current, limit + 1)]
    index = bisect_right(bounds, limit) - 1
    while index >= 0 and bounds[index] > current:
        cut = _allowed_cut(text, current, bounds[index], kept)
        if cut is not None:
            return cut
        blocking = _crossing(kept, bounds[index], bounds[index])
        # Inside a kept span: go on from the last boundary at or before its start.
        index = bisect_right(bounds, blocking[0]) - 1 if blocking is not None else index - 1
    return None


def _cut_after(text: str, current: int, end: int, limit: int, kept: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The first allowed cut after `limit`, or None when the rest may not be cut at all."""
    position = current
    while position < end:
        for match in _GRAPHEME.finditer(text, position, end):
            boundary = match.end()
            if boundary <= limit:
                continue
            if boundary >= end:
                return None
            blocking = _crossing(kept, boundary, boundary)
            if blocking is not None:
                position = blocking[1]
                cut = _allowed_cut(text, current, position, kept) if position < end else None
                if cut is not None:
                    return cut
                break
            cut = _allowed_cut(text, current, boundary, kept)
            if cut is not None:
                return cut
        else:
            return None
    return None


def _allowed_cut(text: str, current: int, offset: int, kept: list[tuple[int, int]]) -> tuple[int, int] | None:
    """A cut at `offset` (the whitespace around it dropped), unless it breaks a kept span or ends the text."""
    piece_end = offset
    while piece_end > current and text[piece_end - 1].isspace():
        piece_end -= 1
    resume = _space_end(text, offset)
    if piece_end <= current or resume >= len(text) or _crossing(kept, piece_end, resume) is not None:
        return None
    return piece_end, resume


def _space_end(text: str, offset: int) -> int:
    """The end of the whitespace run at `offset` (`offset` itself when there is none)."""
    match = _SPACE.match(text, offset)
    return match.end() if match is not None else offset
