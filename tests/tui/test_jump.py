"""Jump to any word on screen (`;`, then its hint) and word stops for `ctrl+←/→`.

The pure logic (annotator.tui.jump) first, then the real app at 80x24, counting the keys a
user presses to tag a word or two.
"""

from __future__ import annotations

import re

import pytest
from textual.app import App, ComposeResult

from annotator.tui.app import AnnotatorApp
from annotator.tui.jump import HINT_ORDER, Jump, PassageWords, Step, hint_alphabet, hint_strings, overlay_hints
from annotator.tui.passage_view import PassageView
from tests.tui.harness import current, first_annotatable, make_project, screen_text, settle, view, write_article

PASSAGE = (
    "Rebels of the Ostrel Liberation Front shelled Kesh Marra on Monday [[3]], the army said. "
    "Government forces later retook the bridge and two villages near the river. Residents said the "
    "fighting continued into the night, and aid groups asked both sides to let civilians leave the town."
)
WORDS = [match.span() for match in re.finditer(r"[A-Za-z]+", PASSAGE)]  # the marker's 3 is no word
ARTICLE = f"Fighting near Kesh Marra\n\n{PASSAGE}\n"


def surfaces(text: str, spans) -> list[str]:
    return [text[start:end] for start, end in spans]


def stops(words: PassageWords, forward: bool) -> list[int]:
    """Every offset ctrl+→ (or ctrl+←) visits from one end of the text to the other."""
    offset, end = (0, len(words.text)) if forward else (len(words.text), 0)
    visited = []
    while offset != end:
        offset = words.next_start(offset) if forward else words.previous_start(offset)
        visited.append(offset)
    return visited


# -- words -------------------------------------------------------------------------------------


def test_words_skip_markers_placeholders_and_punctuation():
    text = "[[3]] The army, [[2], [19]] said [INTERNAL_LINK:some-slug] Kesh-Marra's -- René 12."
    words = PassageWords(text)
    assert surfaces(text, words.starting_in(0, len(text))) == [
        "The",
        "army",
        "said",
        "Kesh-Marra's",  # one word, as a label snaps it (spans.word_at)
        "René",
        "12",
    ]


def test_only_words_starting_in_the_stretch_count_and_a_word_runs_to_its_end():
    text = "alpha beta gamma delta"
    words = PassageWords(text)
    assert surfaces(text, words.starting_in(3, 12)) == ["beta", "gamma"]  # "alpha" starts before
    assert words.starting_in(6, 7) == [(6, 10)]


def test_word_stops_are_word_starts_both_ways():
    text = "The army [[2], [19]] said, [INTERNAL_LINK:x] that\n\n  Kesh-Marra fell."
    words = PassageWords(text)
    starts = [text.index(word) for word in ("army", "said", "that", "Kesh", "fell")]
    assert stops(words, forward=True) == [*starts, len(text)]
    assert stops(words, forward=False) == [*reversed(starts), 0]


def test_word_stops_keep_grapheme_clusters_whole():
    text = "Rene\u0301 met \U0001f1eb\U0001f1f7 \u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f ok"
    words = PassageWords(text)
    muhammad = text.index("\u0645")
    assert surfaces(text, words.starting_in(0, len(text))) == ["Rene\u0301", "met", text[muhammad:-3], "ok"]
    starts = [text.index("met"), muhammad, text.index("ok")]
    assert stops(words, forward=True) == [*starts, len(text)]  # the flag is no word
    assert stops(words, forward=False) == [*reversed(starts), 0]


def test_word_stops_find_a_distant_word_in_a_long_text():
    text = "a" + " ." * 5000 + " b"
    words = PassageWords(text)
    assert words.next_start(0) == len(text) - 1
    assert words.previous_start(len(text) - 1) == 0


# -- hints -------------------------------------------------------------------------------------


def test_the_alphabet_starts_on_the_home_row_and_leaves_out_reserved_keys():
    alphabet = hint_alphabet({"s", "r", "1", "e"})
    assert alphabet.startswith("adfghjkl")
    assert not {"s", "r", "1", "e"} & set(alphabet)
    assert len(alphabet) == len(HINT_ORDER) - 4 and len(set(HINT_ORDER)) == 62


def test_hints_are_single_characters_while_the_alphabet_lasts():
    assert hint_strings(3, "abcd") == ["a", "b", "c"]
    assert hint_strings(4, "abcd") == ["a", "b", "c", "d"]


def test_more_words_than_characters_take_as_few_two_character_hints_as_needed():
    hints = hint_strings(6, "abcd")
    assert hints == ["a", "b", "c", "da", "db", "dc"]
    many = hint_strings(100, hint_alphabet(set()))
    assert len(set(many)) == 100
    assert not any(a != b and b.startswith(a) for a in many for b in many)  # no hint begins another
    assert sum(len(hint) == 1 for hint in many) == 61  # only one character became a prefix


def test_a_hint_moves_then_a_second_selects_through_its_word_either_way():
    words = [(0, 3), (4, 8), (9, 13)]
    jump = Jump(words, "ab")  # three words, two characters: a, ba, bb
    assert jump.targets == {"a": (0, 3), "ba": (4, 8), "bb": (9, 13)}
    assert jump.press("b") == Step()  # half a hint: wait for the rest
    assert jump.shown() == [(4, "a"), (9, "b")]
    assert jump.press("b") == Step(cursor=9)
    assert jump.press("a") == Step(cursor=0, anchor=13)  # backwards: from the end of the first word
    assert jump.finished
    forward = Jump(words, "abc")
    forward.press("a")
    assert forward.press("c") == Step(cursor=13, anchor=0)


def test_a_key_that_is_no_hint_ends_jump_mode():
    jump = Jump([(0, 3)], "ab")
    assert jump.press("z") is None
    assert jump.press("a") == Step(cursor=0)
    assert jump.press("z") is None


def test_hints_overlay_the_word_starts_without_changing_lengths_or_widths():
    line = "ab \u6f22\u5b57 e\u0301x\tz"
    drawn, covered = overlay_hints(line, [(0, "q"), (3, "zz"), (6, "kl"), (10, "mn")])
    assert len(drawn) == len(line)
    assert drawn == "qb \uff5a\uff5a k\u0301l\tm"  # full-width over wide characters, the accent kept
    assert covered == [(0, 1), (3, 5), (6, 9), (10, 11)]  # a hint stops at the line's end
    assert overlay_hints("a\tb", [(0, "xy")]) == ("x\tb", [(0, 1)])  # and never covers a tab


# -- the app --------------------------------------------------------------------------------------


@pytest.fixture
def setup(db_url, tmp_path):
    project, people = make_project(db_url, [write_article(tmp_path, "kesh.txt", ARTICLE)])
    yield project, people
    project.engine.dispose()


def local_spans(project, annotator_id) -> list[tuple[int, int]]:
    """The annotator's labels as offsets into the test passage."""
    start = first_annotatable(project).start
    return [(row.span_start - start, row.span_end - start) for row in current(project, annotator_id)]


def hint_for(passage_view, word: tuple[int, int]) -> str:
    return next(hint for hint, span in passage_view.jump_hints.items() if span == word)


def visual_row(passage_view, offset: int) -> int:
    return passage_view.wrapped_document.location_to_offset(passage_view.offset_to_location(offset)).y


async def test_every_word_on_screen_is_tagged_in_three_keys(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        passage_view = view(app)
        assert passage_view.text == PASSAGE
        await pilot.press("semicolon")
        assert sorted(passage_view.jump_hints.values()) == WORDS  # the whole passage is on screen
        shown = screen_text(app)
        for word in WORDS[:3]:
            surface = PASSAGE[word[0] : word[1]]
            assert hint_for(passage_view, word) + surface[1:] in shown  # the hint is drawn over the word
        await pilot.press("escape")
        counts = []
        for word in WORDS:
            passage_view.move_cursor((0, 0))  # from the passage start
            await pilot.press("semicolon")
            keys = ["semicolon", *hint_for(passage_view, word), "u"]
            await pilot.press(*keys[1:])
            await settle(pilot)
            counts.append(len(keys))
            assert local_spans(project, people["alice"])[-1] == word, PASSAGE[word[0] : word[1]]
        assert max(counts) <= 3
        assert sorted(local_spans(project, people["alice"])) == WORDS


async def test_two_word_spans_take_four_keys_even_across_a_line_wrap_and_backwards(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        passage_view = view(app)
        wrap = next(i for i in range(len(WORDS) - 1) if visual_row(passage_view, WORDS[i + 1][0]) > 0)
        pairs = [(0, 1), (wrap, wrap + 1), (wrap + 4, wrap + 3), (wrap + 7, wrap + 8)]
        assert visual_row(passage_view, WORDS[wrap][0]) < visual_row(passage_view, WORDS[wrap + 1][0])
        for first, second in pairs:
            passage_view.move_cursor((0, 0))
            await pilot.press("semicolon")
            hints = [hint_for(passage_view, WORDS[first]), hint_for(passage_view, WORDS[second])]
            keys = ["semicolon", *hints[0], *hints[1], "r"]
            await pilot.press(*keys[1:])
            await settle(pilot)
            assert len(keys) <= 4
            low, high = sorted((first, second))
            assert local_spans(project, people["alice"])[-1] == (WORDS[low][0], WORDS[high][1])


async def test_escape_cancels_jump_mode_and_writes_nothing(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        passage_view = view(app)
        await pilot.press("semicolon")
        assert passage_view.jump_hints
        assert "Rebels of the Ostrel" not in screen_text(app)  # hints are drawn over the words
        await pilot.press("escape")
        await settle(pilot)
        assert passage_view.jump_hints == {}
        assert "Rebels of the Ostrel" in screen_text(app)
        await pilot.press("f")  # was a hint: now nothing
        await settle(pilot)
        assert (passage_view.cursor_offset, passage_view.selected_range) == (0, None)
        assert current(project, people["alice"]) == []


async def test_hints_never_take_a_label_key_so_it_still_tags(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        passage_view = view(app)
        layer = app.screen.active_layer
        reserved = {label.key for label in layer.active_labels}
        for attribute in layer.attributes:
            reserved |= {attribute.key, *(value.key for value in attribute.values)} - {None}
        assert {"r", "s", "1", "e"} <= reserved  # the actors' labels, roles and "euphemistic"
        await pilot.press("semicolon")
        assert not reserved & set("".join(passage_view.jump_hints))
        await pilot.press("r")  # Rebel groups, on the word at the cursor
        await settle(pilot)
        assert passage_view.jump_hints == {}
        assert local_spans(project, people["alice"]) == [WORDS[0]]
        (row,) = current(project, people["alice"])
        assert row.label == "rebel_group"


async def test_a_first_hint_then_a_label_key_tags_that_word_after_an_anchor_too(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        passage_view = view(app)
        await pilot.press("space", "semicolon")  # anchored at the start: the jump extends the selection
        await pilot.press(*hint_for(passage_view, WORDS[2]))
        assert passage_view.selected_range == (0, WORDS[2][0])
        assert passage_view.jump_hints  # still up, now meaning "extend"
        await pilot.press("r")
        await settle(pilot)
        assert local_spans(project, people["alice"]) == [(0, WORDS[1][1])]  # "Rebels of": the space is trimmed


async def test_ctrl_arrows_stop_at_word_starts_and_select_with_shift(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        passage_view = view(app)
        monday = PASSAGE.index("Monday")
        passage_view.move_cursor(passage_view.offset_to_location(monday))
        await pilot.press("ctrl+right")  # over " [[3]], " to "the"
        assert passage_view.cursor_offset == PASSAGE.index("the army")
        await pilot.press("ctrl+left")
        assert passage_view.cursor_offset == monday
        await pilot.press("ctrl+shift+right", "ctrl+shift+right")
        assert passage_view.selected_range == (monday, PASSAGE.index("army"))
        await pilot.press("u")
        await settle(pilot)
        assert local_spans(project, people["alice"]) == [(monday, PASSAGE.index("the army") + 3)]


LONG_BODY = " ".join(f"word{index} of the long report, [[{index}]]" for index in range(1600))
"""Some 50,000 characters in one line: no sentence end, so the importer keeps it whole up to its
limit on a passage (20,000 code points)."""


async def test_hints_cover_only_the_rows_on_screen_of_the_longest_passage(db_url, tmp_path):
    project, people = make_project(db_url, [write_article(tmp_path, "long.txt", f"A long one\n\n{LONG_BODY}\n")])
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        passage_view = view(app)
        length = len(app.screen.shown_passage.text)
        assert length > 19_000
        passage_view.move_cursor(passage_view.offset_to_location(length))  # scrolled to the end
        await pilot.press("semicolon")
        start, end = passage_view.visible_range()
        hinted = sorted(passage_view.jump_hints.values())
        assert start > length - 1000 and end == length
        assert hinted and all(start <= word_start < end for word_start, _ in hinted)
        first = hinted[0]
        await pilot.press(*hint_for(passage_view, first), "u")
        await settle(pilot)
        assert local_spans(project, people["alice"]) == [first]
    project.engine.dispose()


class OneView(App[None]):
    """Just a passage view, to show a passage longer than any the importer makes."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield PassageView()

    def on_mount(self) -> None:
        self.query_one(PassageView).show_passage(self.text)


async def test_a_50000_character_passage_jumps_and_stops_by_words_on_screen():
    app = OneView(LONG_BODY)
    async with app.run_test(size=(80, 24)) as pilot:
        passage_view = app.query_one(PassageView)
        length = len(LONG_BODY)
        assert length > 50_000
        passage_view.focus()
        passage_view.move_cursor(passage_view.offset_to_location(length))
        await pilot.pause()
        passage_view.start_jump({"u"})
        start, end = passage_view.visible_range()
        hinted = sorted(passage_view.jump_hints.values())
        assert start > length - 2000 and end == length
        assert hinted and all(start <= word_start < end for word_start, _ in hinted)
        await pilot.press(*hint_for(passage_view, hinted[-1]))
        assert passage_view.cursor_offset == LONG_BODY.rindex("report")
        await pilot.press("escape", "ctrl+right", "ctrl+left", "ctrl+left")  # "[[1599]]" is no stop
        assert passage_view.cursor_offset == LONG_BODY.rindex("long")
