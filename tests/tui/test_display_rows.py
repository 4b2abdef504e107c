"""A long line is shown as several TextArea rows without moving a single offset."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotator.spans import is_grapheme_boundary
from annotator.tui.passage_view import display_rows

TEXT = st.lists(st.sampled_from(["a", "b", " ", "\n", "\t", "\u0301", "é", "👩\u200d👩", "\u00a0"]), max_size=300).map(
    "".join
)


@given(TEXT, st.integers(min_value=1, max_value=60))
def test_rows_are_the_text_cut_at_cluster_boundaries_and_newlines(text, limit):
    rows, starts = display_rows(text, limit)
    assert len(rows) == len(starts) and starts[0] == 0
    rebuilt = ""
    for row, start in zip(rows, starts):
        assert text[start : start + len(row)] == row and "\n" not in row
        assert is_grapheme_boundary(text, start)
        rebuilt += ("\n" if len(rebuilt) < start else "") + row
        assert len(rebuilt) == start + len(row)
    assert rebuilt == text


def test_a_long_line_is_cut_after_whitespace_and_a_short_one_is_left_alone():
    rows, starts = display_rows("one two three four", 9)
    assert rows == ["one two ", "three ", "four"]
    assert starts == [0, 8, 14]
    assert display_rows("short\nlines", 9) == (["short", "lines"], [0, 6])
