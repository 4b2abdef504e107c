"""Segmentation: kinds on the sample corpus, sentence splitting, and the offset property."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from annotator.importing.readers import read_articles
from annotator.importing.segment import (
    BOILERPLATE_PATTERNS,
    KINDS,
    Segment,
    is_boilerplate,
    segment,
    sentence_boundaries,
)

SAMPLE_CORPUS = Path(__file__).resolve().parents[2] / "annotator" / "sample_corpus"


def sample_texts() -> list[tuple[str, str]]:
    out = []
    for path in sorted(SAMPLE_CORPUS.iterdir()):
        if path.suffix in {".txt", ".md", ".jsonl"}:
            out.extend((record.origin, record.text) for record in read_articles(path))
    return out


def sample(name: str) -> str:
    [record] = read_articles(SAMPLE_CORPUS / name)
    return record.text


def pieces(text: str, max_chars: int = 1000) -> list[tuple[str, str]]:
    return [(seg.kind, text[seg.start : seg.end]) for seg in segment(text, max_chars)]


def kind_of(text: str, passage: str, max_chars: int = 1000) -> list[str]:
    return [kind for kind, piece in pieces(text, max_chars) if piece == passage]


def check_invariants(text: str, segments: list[Segment], max_chars: int) -> None:
    """Offsets exact, in order, trimmed, gaps are whitespace, kinds valid; pieces short where possible."""
    position = 0
    for seg in segments:
        assert isinstance(seg.start, int) and isinstance(seg.end, int)
        assert position <= seg.start < seg.end <= len(text), (seg, position)
        assert text[position : seg.start].strip() == "", repr(text[position : seg.start])
        piece = text[seg.start : seg.end]
        assert piece == piece.strip() and piece, repr(piece)
        assert seg.kind in KINDS
        assert seg.annotatable == (seg.kind == "body")
        if len(piece) > max_chars:
            # Only a single sentence may exceed max_chars.
            assert sentence_boundaries(text, seg.start, seg.end) == [], repr(piece)
        position = seg.end
    assert text[position:].strip() == ""
    rebuilt = (
        "".join(
            text[previous.end if previous else 0 : seg.start] + text[seg.start : seg.end]
            for previous, seg in zip([None, *segments[:-1]], segments)
        )
        + text[segments[-1].end if segments else 0 :]
    )
    assert rebuilt == text


# ---------------------------------------------------------------------------- sample corpus


def test_analysis_piece_kinds():
    text = sample("ostrel-insurgency-analysis.md")
    result = pieces(text)
    title = "The Long War in the Ostrel Highlands: How the OLF Survived a Decade of Offensives"
    assert result[0] == ("title", title)
    assert result[1] == ("title", title)
    assert result[2] == ("byline", "BY: MIRELA DANOVSKA")
    toc = [piece for kind, piece in result if kind == "toc"]
    assert toc[0] == "Table of Contents"
    assert toc[1:] == [
        "- Introduction",
        "- Origins of the Ostrel Liberation Front",
        "- The 2019 Offensive and Its Aftermath",
        "- Financing the Insurgency",
        "- What Comes Next",
        "- Sources",
    ]
    headings = [piece for kind, piece in result if kind == "heading"]
    assert headings == [item[2:] for item in toc[1:-1]]  # the ToC repeats the later headings
    assert kind_of(text, "Sources") == ["references"]
    references = [piece for kind, piece in result if kind == "references"]
    assert len(references) == 18 and references[1].startswith("1. Karvessan Ministry of Defence")
    assert references[-1].startswith("19. Highland Watch")
    assert kind_of(text, "Scroll to Top") == ["boilerplate"]
    assert kind_of(text, "Share this article") == ["boilerplate"]
    assert result[-1] == ("boilerplate", "Scroll to Top")

    segments = segment(text)
    not_annotatable = {text[s.start : s.end] for s in segments if not s.annotatable}
    assert set(toc) <= not_annotatable and "Introduction" in not_annotatable
    body = [text[s.start : s.end] for s in segments if s.annotatable]
    assert all(text[s.start : s.end] in body for s in segments if s.kind == "body")
    assert len(body) == 12
    marked = next(piece for piece in body if "[[3]]" in piece)
    assert marked.startswith("This article examines") and marked.endswith("project.[[3]]")
    assert any("fighters who were children when the war began.[[2], [19]]" in piece for piece in body)
    assert any("[INTERNAL_LINK:haldor-vesk-profile]" in piece for piece in body)
    assert any("goverment" in piece and "–" in piece for piece in body)  # typo and en dash kept


def test_news_report_kinds():
    text = sample("tavrin-checkpoint-attack.txt")
    result = pieces(text)
    assert result[0][0] == "title" and result[0][1].startswith("Gunmen kill soldiers")
    assert result[1] == ("byline", "By Petra Lindqvar, Security Correspondent")
    assert kind_of(text, "Advertisement") == ["boilerplate"]
    assert kind_of(text, "Related: Who are the Ostrel Liberation Front? A short guide") == ["boilerplate"]
    assert result[-1] == ("boilerplate", "© 2024 The Meridan Ledger. All rights reserved.")
    body = [piece for kind, piece in result if kind == "body"]
    assert len(body) == 11
    assert body[0].startswith("TAVRIN, Upper Ostrel — At least nine soldiers")
    assert any("unknown gunmen on motorcycles" in piece for piece in body)
    assert any(piece.startswith("OLF spokesman Yarin Dashet") for piece in body)


def test_opinion_piece_kinds():
    text = sample("no-surrender-to-the-mountain-wolves.txt")
    result = pieces(text)
    assert result[0] == ("title", "No Surrender to the Mountain Wolves: Karvessa Must Finish the Job")
    assert result[1] == ("byline", "Written by Dragan Ostrovy, Editor-at-Large")
    assert result[2] == ("heading", "OPINION")
    assert kind_of(text, "One nation. One flag. One future. No surrender.") == ["body"]
    assert [kind for kind, _ in result[-3:]] == ["boilerplate"] * 3
    assert result[-1][1].startswith("Tags:")
    assert sum(kind == "body" for kind, _ in result) == 10


def test_no_blank_line_wire_story():
    text = sample("velisk-market-blast-wire.txt")
    assert "\n\n" not in text
    result = pieces(text)
    assert result[0] == ("title", "Blast at Velisk market kills 6, wounds dozens; no claim of responsibility")
    assert result[-1] == ("byline", "(Reporting by Anton Vey; Editing by Liesl Marrow)")
    lines = text.strip().split("\n")
    long_line = max(lines, key=len)
    assert len(long_line) > 1200
    body = [piece for kind, piece in result if kind == "body"]
    assert len(body) == len(lines) - 2 + 2  # every line a paragraph; the long one in three pieces
    split = [piece for piece in body if piece in long_line]
    assert len(split) == 3 and " ".join(split) == long_line
    for piece in split:
        assert len(piece) <= 1000
        assert piece[-1] in '."'
    starts = [piece.split()[0] for piece in split[1:]]
    assert starts == ["He", "The"]
    # no cut after an abbreviation or initial
    for abbreviation in ("Dr.", "St.", "Gen.", "No.", "Mr.", "Mrs.", "Sgt.", "M.", "R.", "Lt.", "Col.", "e.g."):
        assert not any(piece.endswith(abbreviation) for piece in split)


def test_jsonl_articles_start_with_title():
    for origin, text in sample_texts():
        if ".jsonl:" in origin:
            result = pieces(text)
            assert result[0][0] == "title"
            assert all(kind == "body" for kind, _ in result[1:])


@pytest.mark.parametrize("max_chars", [1000, 300, 80, 1])
def test_offsets_on_every_sample_article(max_chars):
    texts = sample_texts()
    assert len(texts) == 7
    for _, text in texts:
        check_invariants(text, segment(text, max_chars), max_chars)


# ---------------------------------------------------------------------------- rules


def test_repeated_title_in_one_paragraph_is_split():
    text = "  The Siege of Orran Ford\nTHE SIEGE  OF ORRAN FORD \nBy Anna Vell\n\nFighting went on all night."
    assert pieces(text) == [
        ("title", "The Siege of Orran Ford"),
        ("title", "THE SIEGE  OF ORRAN FORD"),
        ("byline", "By Anna Vell"),
        ("body", "Fighting went on all night."),
    ]


def test_title_only_when_first_line_looks_like_one():
    text = "Gunmen killed four people near the border on Sunday, police said.\n\nNo group has claimed it."
    assert [kind for kind, _ in pieces(text)] == ["body", "body"]
    text = "A short first paragraph that cites a source [[12]]\n\nSecond [[2], [3]]"
    assert [kind for kind, _ in pieces(text)] == ["body", "body"]
    text = "Advertisement\n\n# Ceasefire talks collapse\n\nBy: Staff Reporter\n\nTalks ended."
    assert [kind for kind, _ in pieces(text)] == ["boilerplate", "title", "byline", "body"]


def test_byline_only_near_the_top():
    text = "Title\n\n" + "Body sentence one. Body two.\n\n" + "By Anna Vell\n\nMore text."
    assert kind_of(text, "By Anna Vell") == ["heading"]
    assert [kind for kind, _ in pieces("BYZANTINE RUINS SHELLED\n\nBy: Jo Vell\n\nText.")] == [
        "title",
        "byline",
        "body",
    ]
    text = "Title\n\nBy the time the army arrived, the village was empty."
    assert kind_of(text, "By the time the army arrived, the village was empty.") == ["body"]


def test_headings():
    text = "Title\n\nIntro paragraph here.\n\n## A long markdown heading that has quite a lot of words in it, really\n\nWhat Happened Next\n\nHe said:\n\nThe end."
    result = dict((piece, kind) for kind, piece in pieces(text))
    assert result["## A long markdown heading that has quite a lot of words in it, really"] == "heading"
    assert result["What Happened Next"] == "heading"
    assert result["He said:"] == "body"


def test_toc_with_bare_lines_ends_at_first_repeat():
    text = (
        "Title\n\nContents:\nBackground\nThe Offensive\nOutlook\n\n"
        "Background\n\nIt began in 2013.\n\nThe Offensive\n\nIt failed.\n\nOutlook\n\nBleak."
    )
    kinds = [kind for kind, _ in pieces(text)]
    assert kinds == ["title", "toc", "toc", "toc", "toc", "heading", "body", "heading", "body", "heading", "body"]


def test_a_toc_item_named_notes_does_not_start_the_references():
    text = "Title\n\nContents\nBackground\nNotes\n\nBackground\n\nIt began in 2013.\n\nThe end."
    assert [kind for kind, _ in pieces(text)] == ["title", "toc", "toc", "toc", "heading", "body", "body"]
    text += "\n\nNotes\n\n1. A note."
    assert [kind for kind, _ in pieces(text)][-2:] == ["references", "references"]


def test_references_are_the_trailing_block_only():
    text = (
        "Title\n\nNotes\n\nEarlier notes heading is just a heading.\n\nBody.\n\n"
        "References:\nSmith, J. (2020). A book.\n- Another entry without a period\n\nSubscribe to our newsletter"
    )
    kinds = [kind for kind, _ in pieces(text)]
    assert kinds == ["title", "heading", "body", "body", "references", "references", "references", "boilerplate"]


@pytest.mark.parametrize(
    "line",
    [
        "Scroll to Top",
        "Back to top ↑",
        "Share this",
        "Share this article",
        "SHARE THIS STORY:",
        "Share on WhatsApp",
        "Subscribe to our newsletter",
        "Sign up for our daily briefing",
        "Get the Highland Brief newsletter in your inbox",
        "Advertisement",
        "Related: Five things to know about the OLF",
        "Read more: The long war",
        "We use cookies to improve your experience.",
        "Accept all cookies",
        "© 2023 Meridan Ledger",
        "Copyright 2021 Highland Wire Service. All rights reserved.",
        "All rights reserved.",
        "Tags: Ostrel, army",
        "* * *",
        "Follow us on Telegram",
    ],
)
def test_boilerplate_lines(line):
    assert is_boilerplate(line)
    assert kind_of(f"Title\n\nBody text.\n\n{line}\n\nMore body.", line) == ["boilerplate"]


@pytest.mark.parametrize(
    "line",
    [
        "Share prices fell in Meridan after the attack.",
        "Related groups have denied any role in the bombing.",
        "The army advertised new posts for volunteers.",
        "Copyright lawyers were not involved.",
    ],
)
def test_not_boilerplate(line):
    assert not is_boilerplate(line)
    assert kind_of(f"Title\n\nBody text.\n\n{line}", line) == ["body"]


def test_boilerplate_patterns_are_one_configurable_constant():
    assert isinstance(BOILERPLATE_PATTERNS, tuple) and len(BOILERPLATE_PATTERNS) >= 10


def test_markers_and_placeholders_are_kept_verbatim():
    text = "Title\n\nFour were killed.[[3]] Police disagreed [[2], [19]]. See [INTERNAL_LINK:olf-profile] here."
    [_, body] = segment(text)
    assert body.kind == "body" and body.annotatable
    assert text[body.start : body.end] == text.split("\n\n")[1]


# ---------------------------------------------------------------------------- paragraphs and sentences


def test_no_blank_lines_means_one_paragraph_per_line():
    text = "Headline of the day\nFirst paragraph here.\n  Second paragraph, indented.  \nThird.\n"
    assert pieces(text) == [
        ("title", "Headline of the day"),
        ("body", "First paragraph here."),
        ("body", "Second paragraph, indented."),
        ("body", "Third."),
    ]


def test_hard_wrapped_prose_stays_one_paragraph():
    text = "Title\n\nThe convoy left Tavrin at dawn and\nreached the pass by noon, where it was\nstopped by armed men.\n\nEnd."
    assert pieces(text)[1] == (
        "body",
        "The convoy left Tavrin at dawn and\nreached the pass by noon, where it was\nstopped by armed men.",
    )


def test_lines_that_end_sentences_are_paragraphs():
    text = "Title\n\nFirst short paragraph.\nSecond short paragraph.\nThird one"
    assert [piece for _, piece in pieces(text)][1:] == [
        "First short paragraph.",
        "Second short paragraph.",
        "Third one",
    ]


def test_bullet_continuation_lines_join_their_item():
    text = "Intro sentence here.\n- first item\n  continues here\n- second item"
    assert [piece for _, piece in pieces(text)][1:] == ["- first item\n  continues here", "- second item"]


def test_sentence_split_respects_max_chars_and_abbreviations():
    sentences = [
        "Gen. Ardo Kelmis met Mr. Vesk and Dr. Sorvan at St. Anselm's.",
        "Sgt. M. R. Dovak of No. 4 Brigade was killed on Jan. 5 near the market.",
        "Militants, e.g. the Black Pass, use nails; the U.N.-style monitors counted 31 wounded.",
        '"We used every bed!" a doctor said.',
        "Was it remote-controlled?",
        "Police said it was.[[3]]",
        "A second device was found [[2], [19]].",
        "12 people were detained.",
        "“Nobody is safe,” one trader said.",
    ]
    paragraph = " ".join(sentences)
    text = "Title\n\n" + paragraph
    for max_chars in (60, 100, 150, 400):
        body = [piece for kind, piece in pieces(text, max_chars) if kind == "body"]
        assert " ".join(body) == paragraph
        for piece in body:
            assert len(piece) <= max_chars or piece in sentences
            assert any(piece.endswith(sentence) for sentence in sentences)
    assert [piece for kind, piece in pieces(text, 1) if kind == "body"] == sentences


def test_no_split_before_lowercase_or_inside_numbers():
    paragraph = "It was 3.5 km away. the next word is lowercase... and so on. Version 2.0 was used."
    cut = paragraph.index(" Version")
    assert sentence_boundaries(paragraph) == [(cut, cut + 1)]


def test_single_long_sentence_stays_whole():
    sentence = "The " + "very " * 300 + "long sentence ends here."
    text = "Title\n\n" + sentence + " Short one."
    assert [piece for _, piece in pieces(text, 200)][1:] == [sentence, "Short one."]


def test_max_chars_must_be_positive():
    with pytest.raises(ValueError):
        segment("text", 0)


def test_empty_and_whitespace_text():
    assert segment("") == []
    assert segment(" \n\n\t\n  ") == []


# ---------------------------------------------------------------------------- random text


FRAGMENTS = [
    "word",
    "Word",
    "Mr.",
    "Dr.",
    "e.g.",
    "U.S.",
    "Gen.",
    "A.",
    "No.",
    "4",
    "1999.",
    "end.",
    "end!",
    "why?",
    "“quoted.”",
    '"Said."',
    "[[3]]",
    "[[2], [19]]",
    "[INTERNAL_LINK:slug]",
    "—",
    "–",
    "#",
    "##",
    "-",
    "*",
    "1.",
    "By",
    "BY:",
    "Sources",
    "References",
    "Table of Contents",
    "Contents",
    "Scroll to Top",
    "Share this article",
    "Advertisement",
    "©",
    "2024",
    "Related:",
    "…",
    "...",
    "é",
    "\u00a0",
    "\t",
    "(c)",
    "Notes",
    ")",
    "(",
    "'",
    "’",
]
SEPARATORS = [" ", " ", " ", " ", "\n", "\n\n", "\n \n", "\n\t\n\n", "  ", "\n  ", "\r", "\u2028", "\x0c"]


@pytest.mark.parametrize("seed", range(300))
def test_offset_property_on_random_text(seed):
    rng = random.Random(seed)
    parts = []
    for _ in range(rng.randint(0, 120)):
        parts.append(rng.choice(FRAGMENTS))
        parts.append(rng.choice(SEPARATORS))
    text = "".join(parts)
    if rng.random() < 0.3:
        text = text.strip()
    max_chars = rng.choice([1, 5, 20, 80, 1000])
    check_invariants(text, segment(text, max_chars), max_chars)


def test_segmentation_is_fast():
    text = sample("ostrel-insurgency-analysis.md")  # 6.6 KB, 47 passages
    segment(text)
    started = time.perf_counter()
    for _ in range(100):
        segment(text)
    per_article = (time.perf_counter() - started) / 100
    assert per_article < 0.003, f"{per_article * 1e6:.0f} µs per article"


def test_list_number_is_not_a_sentence_end():
    text = "7. T. Marrow, Iron Ridge. Journal of Highland Studies 12, 2021.\n8. Another entry."
    assert sentence_boundaries(text, 0, text.index("\n")) == [(25, 26)]
    assert [piece for _, piece in pieces(text, 30)] == [
        "7. T. Marrow, Iron Ridge.",
        "Journal of Highland Studies 12, 2021.",
        "8. Another entry.",
    ]
