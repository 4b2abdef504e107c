"""The export tokenizer, its markup mask and BIO tagging (no database)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotator.core.rules import MARKUP
from annotator.export.tokens import Tokens, bio_marks, bio_names, tokenize


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
    assert [text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)] == tokens.words
    assert tokens.words[:6] == ["«", "Bandits", "in", "uniform", "»", "patrol"]
    assert "café" in tokens.words and "4th" in tokens.words
    assert tokenize("").words == [] and tokenize("  \n ").words == []


def test_times_numbers_abbreviations_urls_emails_and_hyphenated_words_stay_whole():
    text = (
        "At 4:30 a.m. on 3 May, 1,200 fighters of the U.S.-backed Kesh-Marra brigade moved 3.5 km "
        "(see https://example.org/report?id=7&lang=en). Write to press.office@un.org, or www.reliefweb.int."
    )
    words = tokenize(text).words
    for whole in ("4:30", "a.m.", "1,200", "3.5", "Kesh-Marra", "U.S.", "press.office@un.org", "www.reliefweb.int"):
        assert whole in words
    assert "https://example.org/report?id=7&lang=en" in words  # the ")" and "." after it are tokens of their own
    assert words[-3:] == ["or", "www.reliefweb.int", "."]
    assert tokenize("a 20-year-old, 1,200-strong unit; at 10:15 p.m.").words == [
        "a", "20-year-old", ",", "1,200-strong", "unit", ";", "at", "10:15", "p.m.",
    ]  # fmt: skip


def test_sentence_punctuation_and_clitics_are_still_split():
    assert tokenize("the end. Then 5. Kesh’s men said “no”…").words == [
        "the", "end", ".", "Then", "5", ".", "Kesh", "’", "s", "men", "said", "“", "no", "”", "…",
    ]  # fmt: skip


def test_accents_emoji_and_flags_are_not_cut():
    text = "e\u0301te\u0301 مُحَمَّد 👍🏽 👨\u200d👩\u200d👧 🇸🇩 ❤\ufe0f"
    assert tokenize(text).words == ["e\u0301te\u0301", "مُحَمَّد", "👍🏽", "👨\u200d👩\u200d👧", "🇸🇩", "❤\ufe0f"]


def test_citation_markers_and_placeholders_are_one_masked_token_each():
    text = "Shelling resumed[[3]] near [INTERNAL_LINK:kesh-marra-district] on Friday [[2], [19]]."
    tokens = tokenize(text)
    assert tokens.words == [
        "Shelling", "resumed", "[[3]]", "near", "[INTERNAL_LINK:kesh-marra-district]", "on", "Friday",
        "[[2], [19]]", ".",
    ]  # fmt: skip
    assert [word for word, marked in zip(tokens.words, tokens.markup) if marked] == [
        "[[3]]",
        "[INTERNAL_LINK:kesh-marra-district]",
        "[[2], [19]]",
    ]
    assert len(tokens.markup) == len(tokens.words)


def test_without_markup_drops_marker_tokens_and_their_offsets():
    text = "Shelling resumed[[3]] near Tavrin [[2], [19]]."
    dropped = tokenize(text).without_markup()
    assert dropped.words == ["Shelling", "resumed", "near", "Tavrin", "."]
    assert [text[s:e] for s, e in zip(dropped.starts, dropped.ends)] == dropped.words
    assert dropped.markup == [False] * 5
    plain = tokenize("no markers here")
    assert plain.without_markup() == plain


def test_a_span_with_a_marker_inside_is_tagged_through_it_and_stays_one_span_without_it():
    text = "the Tavrin [[4]] checkpoint fell"
    span = (4, 27, 0)  # "Tavrin [[4]] checkpoint": a clean span, the marker inside
    names = bio_names(["place"])
    kept = tokenize(text)
    assert [names[tag] for tag in tags_of(kept, [span])] == ["O", "B-place", "I-place", "I-place", "O"]
    dropped = kept.without_markup()
    assert [names[tag] for tag in tags_of(dropped, [span])] == ["O", "B-place", "I-place", "O"]
    assert spans_from_tags(dropped, tags_of(dropped, [span])) == [(4, 27, 0)]


FRAGMENTS = [
    "[[3]]", "[[2], [19]]", "[INTERNAL_LINK:a b]", "[[", "]]", "[X:", "a.m.", "4:30", "1,200", "3.5",
    "http://x.org/a(b)", "www.", "j@x.org", "@", "-", "‐", "—", "–", "’", "“", "”", "«", "\u00a0",
    "\u0301", "\u200d", "\ufe0f", "👍🏽", "🇸", "\u0600", "\x1c", "\r\n", " ", "Kesh", "7",
]  # fmt: skip
"""Markup, its near misses, the kept-whole cases, dashes, quotes, marks, joiners, odd spaces."""
MESSY = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.characters()), max_size=40).map("".join)


@given(MESSY)
def test_tokens_slice_back_never_overlap_and_leave_only_whitespace(text):
    tokens = tokenize(text)
    assert len(tokens.words) == len(tokens.starts) == len(tokens.ends) == len(tokens.markup)
    assert [text[s:e] for s, e in zip(tokens.starts, tokens.ends)] == tokens.words
    assert all(start < end for start, end in zip(tokens.starts, tokens.ends))
    assert all(end <= start for end, start in zip(tokens.ends, tokens.starts[1:]))
    gaps = zip([0, *tokens.ends], [*tokens.starts, len(text)])
    assert all(text[start:end].isspace() for start, end in gaps if start < end)
    assert not any(char.isspace() for word, marked in zip(tokens.words, tokens.markup) if not marked for char in word)
    assert [w for w, marked in zip(tokens.words, tokens.markup) if marked] == MARKUP.findall(text)


@given(
    st.lists(st.sampled_from(["Tavrin", "fell", "[[3]]", "[[2], [19]]", "[X:y]", ",", "4:30"]), min_size=1),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 2)), max_size=6),
)
def test_dropping_markup_drops_exactly_the_marker_tags(parts, picks):
    text = " ".join(parts)
    kept = tokenize(text)
    plain = [index for index, marked in enumerate(kept.markup) if not marked]
    spans = []  # clean spans: from a token that is not markup to another, markers inside allowed
    for first, last, label in picks:
        if plain:
            first, last = sorted((plain[first % len(plain)], plain[last % len(plain)]))
            spans.append((kept.starts[first], kept.ends[last], label))
    dropped = kept.without_markup()
    assert tags_of(dropped, spans) == [tag for tag, marked in zip(tags_of(kept, spans), kept.markup) if not marked]


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
