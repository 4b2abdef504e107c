"""The passage length cap: no passage is longer than MAX_PASSAGE_CHARS unless a kept span forces it."""

from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from annotator.db.engine import read_session
from annotator.db.models import Article, Passage
from annotator.importing.importer import import_paths
from annotator.importing.segment import MAX_PASSAGE_CHARS, PASSAGE_MODES, WHITESPACE, segment
from annotator.spans import grapheme_boundaries

ONE_MB = 1_000_000


def check_invariants(text, segments):
    """Segments in order, non-empty, trimmed, with whitespace-only gaps covering the text."""
    position = 0
    for seg in segments:
        assert position <= seg.start < seg.end <= len(text)
        assert text[position : seg.start].strip() == ""
        assert not text[seg.start].isspace() and not text[seg.end - 1].isspace()
        position = seg.end
    assert text[position:].strip() == ""


def test_whitespace_class_is_str_isspace():
    pattern = regex.compile(f"[{WHITESPACE}]")
    assert [c for c in range(0x110000) if bool(pattern.fullmatch(chr(c))) != chr(c).isspace()] == []


def test_a_one_megabyte_line_without_a_sentence_end_is_cut_at_whitespace():
    text = ("word " * (ONE_MB // 5)).rstrip()
    for mode in PASSAGE_MODES:
        segments = segment(text, passages=mode)
        check_invariants(text, segments)
        assert len(segments) == -(-len(text) // MAX_PASSAGE_CHARS)
        for seg in segments:
            assert seg.end - seg.start <= MAX_PASSAGE_CHARS and seg.kind == "body" and seg.annotatable
        assert all(text[seg.end] == " " for seg in segments[:-1])  # cut at whitespace


def test_a_one_megabyte_line_without_whitespace_is_cut_at_grapheme_boundaries():
    text = "e\u0301" * (ONE_MB // 2)  # decomposed é: a cut between e and its accent would be wrong
    segments = segment(text, passages="article")
    check_invariants(text, segments)
    assert all(seg.end - seg.start <= MAX_PASSAGE_CHARS for seg in segments)
    boundaries = set(grapheme_boundaries(text))
    assert all(seg.start in boundaries and seg.end in boundaries for seg in segments)
    assert [seg.end for seg in segments[:-1]] == [seg.start for seg in segments[1:]]


def test_long_passages_are_cut_at_sentence_ends_first():
    sentence = "The convoy reached the ridge after a long night on the road. "
    text = (sentence * 40).strip()  # one paragraph of 40 sentences, no cut needed by max_chars
    segments = segment(text, max_chars=100_000, max_passage_chars=500)
    check_invariants(text, segments)
    assert all(seg.end - seg.start <= 500 for seg in segments)
    assert all(text[seg.end - 1] == "." for seg in segments)
    assert len(segments) == -(-len(text) // (8 * len(sentence)))  # 8 whole sentences fit in 500


def test_a_kept_span_longer_than_the_cap_is_never_cut():
    text = " ".join(f"w{i:03d}" for i in range(300))  # 1499 characters, one line
    span = (text.index("w050"), text.index("w150") + 4)  # 504 characters
    segments = segment(text, passages="lines", keep_spans=[span], max_passage_chars=100)
    check_invariants(text, segments)
    holding = [seg for seg in segments if seg.start <= span[0] and span[1] <= seg.end]
    assert len(holding) == 1 and holding[0].start == span[0] and holding[0].end == span[1]
    assert all(seg.end - seg.start <= 100 for seg in segments if seg is not holding[0])
    # Spans that fit are kept whole too, and the pieces around them stay within the cap.
    spans = [(text.index("w010"), text.index("w025") + 4), (text.index("w200"), text.index("w210") + 4)]
    segments = segment(text, passages="article", keep_spans=spans, max_passage_chars=100)
    check_invariants(text, segments)
    assert all(seg.end - seg.start <= 100 for seg in segments)
    for start, end in spans:
        assert any(seg.start <= start and end <= seg.end for seg in segments)


def test_importing_a_one_megabyte_line_gives_passages_within_the_cap(project, tmp_path):
    text = ("insurgents " * (ONE_MB // 11)).strip()
    (tmp_path / "huge.txt").write_text(f"A title\n\n{text}\n", encoding="utf-8")
    report = import_paths(project.engine, [tmp_path / "huge.txt"])
    assert report.ok, report.errors
    with read_session(project.engine) as session:
        stored = session.scalar(select(Article.text))
        passages = session.execute(select(Passage.start, Passage.end).order_by(Passage.index)).all()
        longest = session.scalar(select(func.max(Passage.end - Passage.start)))
    assert stored == f"A title\n\n{text}\n" and longest <= MAX_PASSAGE_CHARS
    assert stored[slice(*passages[0])] == "A title"
    body = passages[1:]
    assert " ".join(stored[start:end] for start, end in body) == text  # cut at single spaces only
    assert all(end - start > MAX_PASSAGE_CHARS - len("insurgents ") for start, end in body[:-1])


ALPHABET = "ab .A\n\u0301\u200d👍"


@st.composite
def cases(draw):
    text = draw(st.text(alphabet=ALPHABET, max_size=200))
    mode = draw(st.sampled_from(PASSAGE_MODES))
    spans: list[tuple[int, int]] = []
    if mode != "paragraphs" and text:
        for _ in range(draw(st.integers(0, 4))):
            start = draw(st.integers(0, len(text) - 1))
            spans.append((start, draw(st.integers(start + 1, len(text)))))
    return text, mode, spans


@settings(max_examples=400, deadline=None, database=None)
@given(cases(), st.integers(1, 40), st.integers(1, 60))
def test_property_no_passage_exceeds_the_cap_unless_a_kept_span_forces_it(case, cap, max_chars):
    text, mode, spans = case
    segments = segment(text, max_chars=max_chars, passages=mode, keep_spans=spans, max_passage_chars=cap)
    check_invariants(text, segments)
    boundaries = set(grapheme_boundaries(text))
    for before, after in zip(segments, segments[1:]):  # no cut inside a kept span
        assert not any(start < after.start and end > before.end for start, end in spans)
    for seg in segments:
        if seg.end - seg.start <= cap:
            continue
        # Longer only where every place the cap could have cut lies inside a kept span.
        for offset in range(seg.start + 1, seg.start + cap + 1):
            if offset in boundaries and not text[offset - 1].isspace() and not text[offset].isspace():
                assert any(start < offset < end for start, end in spans), (seg, offset)


def test_a_max_chars_above_the_cap_counts_as_the_cap_so_lines_are_packed_within_it():
    text = "\n".join(f"Line {i:04d} " + "x" * 88 + "." for i in range(500))  # 99 characters a line
    segments = segment(text, max_chars=100_000, passages="lines", max_passage_chars=1000)
    check_invariants(text, segments)
    assert all(seg.end - seg.start <= 1000 for seg in segments)
    assert all(text[seg.end] == "\n" for seg in segments[:-1])  # cut at line breaks only
    assert len(segments) == 50  # 10 lines of 99 characters and their 9 breaks fit in 1000
