"""Text is data: markup, escapes, tabs and very long words show as the characters they are."""

from __future__ import annotations

import pytest

from annotator.tui.app import AnnotatorApp
from tests.tui.harness import current, make_project, screen_lines, screen_text, settle, span_text, write_article

HOSTILE = {
    "citation": "[[3]] and [[2], [19]]",
    "placeholder": "[INTERNAL_LINK:some-slug]",
    "rich_markup": "[bold]x[/]",
    "closing_tag": "[/foo]",
    "action_link": "[@click=app.quit]",
    "ansi_escape": "\x1b[31mred\x1b[0m",
    "tab": "a\tb",
    "long_word": "W" * 300,
    "trailing_backslash": "ends with \\",
}


@pytest.fixture(params=sorted(HOSTILE))
def case(request):
    return request.param


async def test_hostile_text_is_shown_literally_and_never_restyles_or_crashes(case, tmp_path):
    value = HOSTILE[case]
    body = "According to the statement released on Monday evening in the capital, the report contains"
    article = f"Title {value}\n\n{body} {value}.\n\n{body} {value}"
    project, people = make_project(f"sqlite:///{tmp_path / 'h.db'}", [write_article(tmp_path, "h.txt", article)])
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.is_running
        lines = screen_lines(app)
        text = "\n".join(lines)
        assert "\x1b" not in text
        shown = value.replace("\x1b", "\u241b").replace("\t", " ")
        if case == "long_word":
            assert sum(line.count("W") for line in lines) >= 250  # wrapped, not cut or crashed
        elif case == "tab":
            assert "a" in text and "b" in text
        else:
            assert shown in text, f"{case!r} not shown literally"
        # label the whole passage as an actor: the label list shows the snippet literally too
        passage_text = app.screen.passage.text
        app.screen.view.select_range(0, len(passage_text))
        await pilot.press("u")
        await settle(pilot)
        if case in ("citation", "placeholder"):
            # the passage ends in a marker: a span may not (guidelines/spans.md), so nothing is written
            assert current(project, people["alice"]) == []
        else:
            (row,) = current(project, people["alice"])
            if case not in ("tab", "trailing_backslash", "long_word"):
                assert span_text(project, row).endswith(value.rstrip("\\").rstrip())
        await pilot.press("#", *"[/bold] [@click=app.quit]", "enter")
        await settle(pilot)
        assert app.is_running
        assert "[/bold] [@click=app.quit]" in screen_text(app)
