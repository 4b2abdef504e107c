"""Passage modes: one passage per article, lines packed up to max_chars, kept spans, headings."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.importing.segment import segment

TEXT = (
    "Rebels vow to fight on\n\n"
    "The rebels said on Monday that they would\n"
    "fight on until the capital falls, and that\n"
    "no truce was possible.\n\n"
    "A second paragraph here.\n"
    "It has two lines.\n\n"
    "Short heading\n\n"
    "Final words of the piece."
)


def pieces(text, **options):
    return [(seg.kind, seg.annotatable, text[seg.start : seg.end]) for seg in segment(text, **options)]


def test_article_mode_is_one_trimmed_body_passage():
    assert pieces("\n  " + TEXT + "\n\n", passages="article", max_chars=10) == [("body", True, TEXT)]


def test_paragraph_mode_is_the_default_and_keeps_each_line_of_a_sentence_list_apart():
    assert pieces(TEXT, max_chars=60) == pieces(TEXT, max_chars=60, passages="paragraphs")
    assert pieces(TEXT, max_chars=60) == [
        ("title", False, "Rebels vow to fight on"),
        (
            "body",
            True,
            "The rebels said on Monday that they would\nfight on until the capital falls, and that\nno truce was possible.",
        ),
        ("body", True, "A second paragraph here."),
        ("body", True, "It has two lines."),
        ("heading", False, "Short heading"),
        ("body", True, "Final words of the piece."),
    ]


def test_lines_mode_packs_lines_of_body_paragraphs_up_to_max_chars_cutting_only_at_line_breaks():
    assert pieces(TEXT, max_chars=60, passages="lines") == [
        ("title", False, "Rebels vow to fight on"),
        ("body", True, "The rebels said on Monday that they would"),
        ("body", True, "fight on until the capital falls, and that"),
        ("body", True, "no truce was possible.\n\nA second paragraph here."),
        ("body", True, "It has two lines."),
        ("heading", False, "Short heading"),
        ("body", True, "Final words of the piece."),
    ]
    # Body runs go up to the next other kind; a heading or title never joins them.
    assert pieces(TEXT, max_chars=1000, passages="lines") == [
        ("title", False, "Rebels vow to fight on"),
        ("body", True, TEXT[TEXT.index("The rebels") : TEXT.index("\n\nShort")]),
        ("heading", False, "Short heading"),
        ("body", True, "Final words of the piece."),
    ]


def test_a_line_longer_than_max_chars_stays_whole():
    long_line = "word " * 40 + "end."
    assert pieces("Title\n\n" + long_line, max_chars=30, passages="lines")[1] == ("body", True, long_line)


def test_kept_spans_are_never_cut_even_beyond_max_chars():
    start, end = TEXT.index("would"), TEXT.index("fight on until") + len("fight on")
    result = pieces(TEXT, max_chars=60, passages="lines", keep_spans=[(start, end)])
    assert (
        "body",
        True,
        "The rebels said on Monday that they would\nfight on until the capital falls, and that",
    ) in result
    three = (TEXT.index("said"), TEXT.index("no truce") + 2)
    result = pieces(TEXT, max_chars=60, passages="lines", keep_spans=[three])
    assert result[1] == ("body", True, TEXT[TEXT.index("The rebels") : TEXT.index("possible.") + 9])
    assert len(result[1][2]) > 60


def test_a_kept_span_from_a_heading_into_the_body_makes_one_body_passage():
    span = (TEXT.index("Short"), TEXT.index("Final words") + 5)
    result = pieces(TEXT, max_chars=60, passages="lines", keep_spans=[span])
    assert result[-1] == ("body", True, "Short heading\n\nFinal words of the piece.")


def test_annotate_headings_makes_titles_headings_and_bylines_annotatable_and_keeps_their_kind():
    text = "Rebels vow to fight on\n\nBy Jane Doe\n\nThe rebels said so on Monday.\n\nShort heading\n\nMore text here."
    for mode in ("paragraphs", "lines"):
        plain = pieces(text, passages=mode)
        marked = pieces(text, passages=mode, annotate_headings=True)
        assert (
            [kind for kind, _, _ in plain]
            == [kind for kind, _, _ in marked]
            == [
                "title",
                "byline",
                "body",
                "heading",
                "body",
            ]
        )
        assert [annotatable for _, annotatable, _ in plain] == [False, False, True, False, True]
        assert all(annotatable for _, annotatable, _ in marked)
    text = "Title here\n\nContents\n- One\n- Two\n\nOne\n\nBody text of the piece.\n\nSources\n- a source"
    marked = segment(text, annotate_headings=True)
    assert {seg.kind for seg in marked if not seg.annotatable} == {"toc", "references"}


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="unknown passages mode"):
        segment(TEXT, passages="sentences")
    with pytest.raises(ValueError, match="keep_spans needs"):
        segment(TEXT, keep_spans=[(0, 3)])


# ---------------------------------------------------------------------------- properties

WORDS = ["rebels", "army", "café", "cafe\u0301", "الجيش", "فوج", "𝐀lpha", "fire😀", "war\ufeffzone", "Hill", "x"]


@st.composite
def articles(draw):
    """A text of lines of words (various line breaks and blank lines), and spans over whole words."""
    words: list[tuple[int, int]] = []
    parts: list[str] = []
    length = 0
    for number in range(draw(st.integers(1, 12))):
        if number:
            parts.append(draw(st.sampled_from(["\n", "\n", "\n\n", "\n  \n", " \n"])))
            length += len(parts[-1])
        for index, word in enumerate(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=7))):
            if index:
                parts.append(" ")
                length += 1
            parts.append(word)
            words.append((length, length + len(word)))
            length += len(word)
    text = "".join(parts)
    spans = []
    for _ in range(draw(st.integers(0, 6))):
        first = draw(st.integers(0, len(words) - 1))
        last = draw(st.integers(first, min(len(words) - 1, first + 8)))
        spans.append((words[first][0], words[last][1]))
    return text, spans


@settings(max_examples=300, deadline=None, database=None)
@given(articles(), st.integers(1, 120), st.booleans())
def test_property_lines_mode_keeps_every_span_in_one_passage_and_cuts_only_at_line_breaks(article, max_chars, headings):
    text, spans = article
    segments = segment(text, max_chars, passages="lines", keep_spans=spans, annotate_headings=headings)
    assert text[: segments[0].start].strip() == "" and text[segments[-1].end :].strip() == ""
    for seg, after in zip(segments, segments[1:]):
        assert seg.end <= after.start and "\n" in text[seg.end : after.start]
        assert text[seg.end : after.start].strip() == ""
    for seg in segments:
        piece = text[seg.start : seg.end]
        assert piece and piece == piece.strip()
        assert seg.annotatable == (seg.kind == "body" or (headings and seg.kind in ("title", "heading", "byline")))
        if len(piece) > max_chars and "\n" in piece:
            # Only a kept span running over one of its line breaks may make a passage this long.
            breaks = [seg.start + m.start() for m in re.finditer(r"\n", piece)]
            assert any(start < position < end for start, end in spans for position in breaks), piece
    for start, end in spans:
        assert [seg for seg in segments if seg.start <= start and end <= seg.end], (start, end)
