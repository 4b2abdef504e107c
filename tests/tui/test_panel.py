"""The annotate screen's side panel, label list and header at 80x24 and 120x40, as a person sees them."""

from __future__ import annotations

import json
import re

import pytest
from textual.containers import VerticalScroll

from annotator.codebook import load_default_codebook
from annotator.db.engine import write_session
from annotator.db.models import Annotation
from annotator.tui.app import AnnotatorApp
from tests.tui.harness import current, make_project, screen_lines, screen_text, settle, span_text, write_article

ARTICLE = """Army retakes Kesh Marra bridge

The Ostrel Liberation Front attacked the bridge at Kesh Marra on Monday, the army said, and police held many young men near the old market of Velisk until night fell.

Government forces later retook it. The Ostrel Liberation Front denied any losses.

Residents said shelling continued into the night.
"""

SMALL, LARGE = (80, 24), (120, 40)

RAW_IDS = ("state_forces", "rebel_group", "civilians", "euphemism", "initiator", "realis", "battles", "government")


@pytest.fixture
def setup(db_url, tmp_path):
    (tmp_path / "bridge.json").write_text(
        json.dumps({"title": "Army retakes Kesh Marra bridge", "published": "2024-05-03", "source": "Ledger"}),
        encoding="utf-8",
    )
    project, people = make_project(db_url, [write_article(tmp_path, "bridge.txt", ARTICLE)])
    yield project, people
    project.engine.dispose()


def panel_lines(app: AnnotatorApp) -> list[str]:
    """The characters of the side panel (palette and target), line by line."""
    region = app.screen.query_one("#side").region
    return [line[region.x : region.right] for line in screen_lines(app)[region.y : region.bottom]]


def panel_text(app: AnnotatorApp) -> str:
    """The side panel's words as one line (wrapped names joined again)."""
    return " ".join(" ".join(line.strip(" │") for line in panel_lines(app)).split())


def label_rows(app: AnnotatorApp) -> list[str]:
    """The rows of the label list on screen, its heading first."""
    region = app.screen.query_one("#labels").region
    return [line.strip() for line in screen_lines(app)[region.y : region.bottom]]


def palette_marks(app: AnnotatorApp) -> dict[tuple[str, str], bool]:
    """(key, first word of its name) of every palette entry on screen now -> whether it is marked."""
    found = {}
    for line in panel_lines(app):
        found |= {(key, word): mark == "●" for key, mark, word in re.findall(r" (\S) ([ ●])(\S+)", line)}
    return found


def shown_keys(app: AnnotatorApp) -> set[tuple[str, str]]:
    """(key, first word of its name) of every palette entry on screen now."""
    return set(palette_marks(app))


def palette_entries(layer) -> set[tuple[str, str]]:
    """(key, first word of the name) of every label key, attribute value key and flag key of `layer`."""
    entries = {(label.key, label.name.split()[0]) for label in layer.active_labels}
    for attribute in layer.attributes:
        if attribute.kind == "flag" and attribute.key:
            entries.add((attribute.key, attribute.name.split()[0]))
        entries |= {(value.key, value.name.split()[0]) for value in attribute.values if value.key}
    return entries


async def tag_words(pilot, key: str, count: int) -> None:
    """Tag `count` words, every other word from the cursor on, with a label key."""
    for _ in range(count):
        await pilot.press("ctrl+right", "ctrl+right", key)
        await settle(pilot)


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_header_shows_the_date_first_and_what_the_position_counts(setup, size):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        title = screen_lines(app)[0]
        assert title.startswith(" 2024-05-03 │ §")
        assert re.search(r"§\d+ · article 0/\d+ done", title)
        assert "Army retakes" in title


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_a_label_row_names_layer_label_span_and_attributes(setup, size):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press(*["ctrl+right"] * 6, "s")  # "bridge": state forces
        await settle(pilot)
        await pilot.press("1", "e")  # role: initiator; the euphemism flag on
        await settle(pilot)
        rows = label_rows(app)
        assert rows[0] == "Your labels (1)"
        assert rows[1] == "Actors State forces “bridge” · Role: Initiator · Euphemistic reference"
        marks = palette_marks(app)
        assert marks[("s", "State")] and marks[("1", "Initiator")] and marks[("e", "Euphemistic")]
        assert not marks[("2", "Target")] and not marks[("r", "Rebel")]
        await pilot.press("e")  # the flag off: it is not shown at all
        await settle(pilot)
        assert label_rows(app)[1] == "Actors State forces “bridge” · Role: Initiator"
        text = screen_text(app)
        assert not any(raw in text for raw in RAW_IDS)
        assert "=False" not in text and "[" not in "".join(label_rows(app))


async def test_a_passage_label_shows_its_realis_and_the_palette_marks_it(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("tab", "b")  # event type: battles
        await settle(pilot)
        assert label_rows(app)[1] == "Event type Battles · Realis: Actual"  # the codebook's default
        await pilot.press("c")  # claimed
        await settle(pilot)
        assert label_rows(app)[1] == "Event type Battles · Realis: Claimed"
        marks = palette_marks(app)
        assert marks[("b", "Battles")] and marks[("c", "Claimed")] and not marks[("a", "Actual")]


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_eight_label_rows_show_and_the_highlighted_one_stays_in_view(setup, size):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await tag_words(pilot, "c", 11)
        rows = label_rows(app)
        shown = [row for row in rows if row.startswith("Actors Civilians “")]
        assert len(shown) >= 8
        assert rows[0].startswith("Your labels (11)")
        newest = current(project, people["alice"])[-1]
        assert shown[-1] == f"Actors Civilians “{span_text(project, newest)}”"  # highlighted, in view
        if len(shown) < 11:
            assert "more above" in rows[0] and "more below" not in rows[0]
            await pilot.press(*["{"] * 10)  # up to the first label
            await settle(pilot)
            rows = label_rows(app)
            assert "more above" not in rows[0] and "more below" in rows[0]
        assert rows[1] == "Actors Civilians “Liberation”"


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_the_stance_target_is_shown_in_full_with_its_position(setup, size):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("tab", "tab")
        await settle(pilot)
        targets = load_default_codebook().targets
        panel = panel_text(app)
        assert f"Target (1/{len(targets)})" in panel
        assert targets[0].name in panel
        longest = max(range(len(targets)), key=lambda index: len(targets[index].name))
        await pilot.press(*["]"] * longest)
        await settle(pilot)
        panel = panel_text(app)
        assert f"Target ({longest + 1}/{len(targets)})" in panel and targets[longest].name in panel
        assert not any("…" in line for line in panel_lines(app))  # nothing truncated


async def test_a_stance_on_an_actor_no_longer_tagged_is_marked(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press(*["ctrl+right"] * 2, "r")  # "Liberation": a rebel group
        await settle(pilot)
        await pilot.press("tab", "tab", "[")  # stance, on the last target: the tagged actor
        await settle(pilot)
        assert "(actor)" in panel_text(app)
        await pilot.press("2")  # against
        await settle(pilot)
        row = next(row for row in label_rows(app) if row.startswith("Stance"))
        assert row == "Stance Against → “Liberation”"
    stale_stance(project, people["alice"], "Velisk")  # as older data can have it
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        rows = label_rows(app)
        assert "Stance Against → “Liberation”" in rows
        assert "Stance In favour → “Velisk” ⚠ target no longer tagged" in rows


def stale_stance(project, annotator_id: int, target: str) -> None:
    """Store a stance label on an actor's words that no actor label holds (the app refuses to make one)."""
    (stance,) = current(project, annotator_id, layer="stance")
    with write_session(project.engine) as session:
        session.add(
            Annotation(
                passage_id=stance.passage_id,
                annotator_id=annotator_id,
                layer="stance",
                label="favour",
                target=target,
                attributes={},
                codebook_version_id=stance.codebook_version_id,
            )
        )


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_every_palette_key_of_every_layer_is_on_screen_or_scrolls_into_view(setup, size):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        side = app.screen.query_one("#side", VerticalScroll)
        for layer in load_default_codebook().layers:
            seen = shown_keys(app)
            while side.scroll_y < side.max_scroll_y:
                side.scroll_to(y=side.scroll_y + side.size.height, animate=False)
                await pilot.pause()
                seen |= shown_keys(app)
            assert palette_entries(layer) <= seen, layer.id
            if size == LARGE:
                assert side.max_scroll_y == 0, layer.id  # all of it at once
            side.scroll_home(animate=False)
            await pilot.press("tab")
            await settle(pilot)


async def test_a_key_scrolled_out_of_the_palette_still_works(setup):
    project, people = setup
    app = AnnotatorApp(project, people["alice"])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("tab", "tab", "tab")  # rhetoric: more keys than rows at 80x24
        await settle(pilot)
        assert ("u", "Other") not in shown_keys(app)
        side = app.screen.query_one("#side", VerticalScroll)
        side.scroll_end(animate=False)
        await pilot.pause()
        assert ("u", "Other") in shown_keys(app)
        await pilot.press("ctrl+right", "u")
        await settle(pilot)
        assert [row.label for row in current(project, people["alice"])] == ["other_unsure"]
        assert label_rows(app)[1].startswith("Rhetoric Other / unsure “")
