"""The export tokenizer and BIO tagging (no database)."""

from __future__ import annotations

from annotator.export.tokens import TOKEN_PATTERN, Tokens, bio_marks, bio_names, tokenize


def tags_of(tokens: Tokens, spans) -> list[int]:
    """Full tag list from the tagged tokens."""
    tags = [0] * len(tokens.words)
    for index, code in bio_marks(tokens, spans):
        tags[index] = code
    return tags


def spans_from_tags(tokens: Tokens, tags) -> list[tuple[int, int, int]]:
    """Read BIO back into `(start, end, label index)` spans at token granularity."""
    spans: list[list[int]] = []
    for index, tag in enumerate(tags):
        if tag and tag % 2 == 0 and spans and spans[-1][2] == (tag - 1) // 2 and spans[-1][3] == index - 1:
            spans[-1][1], spans[-1][3] = tokens.ends[index], index
        elif tag:
            spans.append([tokens.starts[index], tokens.ends[index], (tag - 1) // 2, index])
    return [(start, end, label) for start, end, label, _last in spans]


def test_tokens_carry_their_code_point_offsets():
    text = "«Bandits in uniform» patrol Kesh-Marra’s streets… [/foo] 4th\tcafé\n\nend."
    tokens = tokenize(text)
    assert tokens.words == [m.group() for m in TOKEN_PATTERN.finditer(text)]
    assert [text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)] == tokens.words
    assert tokens.words[:6] == ["«", "Bandits", "in", "uniform", "»", "patrol"]
    assert "café" in tokens.words and "4th" in tokens.words
    assert tokenize("").words == [] and tokenize("  \n ").words == []


def test_tag_names_are_o_then_b_and_i_per_label_in_codebook_order():
    assert bio_names(["x", "y"]) == ["O", "B-x", "I-x", "B-y", "I-y"]


def test_spans_survive_bio_and_back_when_they_do_not_overlap():
    text = "Soldiers of the 4th Highland Brigade reopened the road to Kesh Marra."
    tokens = tokenize(text)
    spans = [(0, 36, 0), (58, 68, 1)]  # "Soldiers ... Brigade", "Kesh Marra"
    tags = tags_of(tokens, spans)
    assert [bio_names(["a", "b"])[tag] for tag in tags[:7]] == ["B-a", "I-a", "I-a", "I-a", "I-a", "I-a", "O"]
    assert spans_from_tags(tokens, tags) == spans


def test_a_span_covers_every_token_it_overlaps():
    tokens = tokenize("unbelievable claims")
    assert spans_from_tags(tokens, tags_of(tokens, [(2, 5, 0)])) == [(0, 12, 0)]


def test_overlaps_longest_span_wins_then_codebook_order_then_start():
    tokens = tokenize("one two three four five")
    longest, inner, tie_later_label, tie_earlier_label = (0, 13, 3), (4, 7, 0), (14, 23, 2), (14, 23, 1)
    tags = tags_of(tokens, [inner, tie_later_label, longest, tie_earlier_label])
    assert spans_from_tags(tokens, tags) == [(0, 13, 3), (14, 23, 1)]
    adjacent = [(0, 3, 0), (4, 7, 0)]
    assert spans_from_tags(tokens, tags_of(tokens, adjacent)) == adjacent
