"""What a key means, resolved when its write runs (both backends, no UI): each call here is
one key press whose write runs after the ones before it."""

from __future__ import annotations

import pytest

from annotator.errors import AnnotatorError
from annotator.label_keys import LabelGoneError, accept_suggestion, press_attribute, press_label, remove, respan
from annotator.labels import LabelContent
from annotator.workbench import Workbench
from tests.workflow.team import passage, passage_ids, team_project


@pytest.fixture
def desk(db_url, tmp_path):
    project, people = team_project(db_url, tmp_path, articles=1, paragraphs=2)
    workbench = Workbench(project.engine, people["alice"], project.active)
    pid = passage_ids(project)[0]
    yield workbench, pid, passage(project, pid).start, project.codebook
    project.engine.dispose()


def labels(workbench: Workbench, pid: int) -> list[tuple]:
    return [
        (row.layer, row.label, row.span_start, row.span_end, row.target, dict(row.attributes))
        for row in workbench.current_labels(pid)
    ]


def test_a_multi_choice_key_toggles_against_what_is_stored(desk):
    workbench, pid, _, codebook = desk
    events = codebook.layer("event_type")
    press_label(workbench, pid, events, "battles")
    press_label(workbench, pid, events, "riots")
    press_label(workbench, pid, events, "battles")  # pressed again: off
    assert [row[1] for row in labels(workbench, pid)] == ["riots"]


def test_a_span_key_adds_relabels_then_removes_and_drops_attributes_not_asked_for(desk):
    workbench, pid, start, codebook = desk
    actors = codebook.layer("actors")
    span = (start + 4, start + 27)
    press_label(workbench, pid, actors, "rebel_group", span=span)
    press_attribute(workbench, pid, actors, actors.attribute("role"), "initiator")
    press_label(workbench, pid, actors, "civilians", span=span)  # same span, other label: relabelled
    assert labels(workbench, pid) == [("actors", "civilians", *span, None, {"role": "initiator"})]
    press_label(workbench, pid, actors, "civilians", span=span)
    assert labels(workbench, pid) == []


def test_a_stance_key_fills_one_place_per_target(desk):
    workbench, pid, _, codebook = desk
    stance = codebook.layer("stance")
    press_label(workbench, pid, stance, "against", target="government")
    press_label(workbench, pid, stance, "favour", target="insurgents")
    press_label(workbench, pid, stance, "neutral", target="government")
    assert sorted((row[4], row[1]) for row in labels(workbench, pid)) == [
        ("government", "neutral"),
        ("insurgents", "favour"),
    ]


def test_an_attribute_key_follows_the_label_through_edits_made_since_it_was_picked(desk):
    workbench, pid, start, codebook = desk
    actors = codebook.layer("actors")
    picked = press_label(workbench, pid, actors, "rebel_group", span=(start + 4, start + 27))
    press_attribute(workbench, pid, actors, actors.attribute("role"), "target", revision_id=picked.id)
    press_attribute(workbench, pid, actors, actors.attribute("euphemism"), None, revision_id=picked.id)
    press_attribute(workbench, pid, actors, actors.attribute("role"), "target", revision_id=picked.id)  # again: off
    ((*_, attributes),) = labels(workbench, pid)
    assert attributes == {"euphemism": True}


def test_keys_on_a_label_deleted_meanwhile_write_nothing(desk):
    workbench, pid, start, codebook = desk
    actors = codebook.layer("actors")
    picked = press_label(workbench, pid, actors, "rebel_group", span=(start + 4, start + 27))
    remove(workbench, pid, revision_id=picked.id)
    with pytest.raises(LabelGoneError):
        press_attribute(workbench, pid, actors, actors.attribute("euphemism"), None, revision_id=picked.id)
    with pytest.raises(LabelGoneError):
        respan(workbench, picked.id, actors, "rebel_group", (start + 8, start + 27))
    with pytest.raises(AnnotatorError, match="no label in Actors yet"):
        press_attribute(workbench, pid, actors, actors.attribute("euphemism"), None)
    assert labels(workbench, pid) == []


def test_a_suggestion_accepted_over_a_label_made_meanwhile_is_not_added(desk):
    workbench, pid, start, codebook = desk
    actors = codebook.layer("actors")
    press_label(workbench, pid, actors, "rebel_group", span=(start + 4, start + 10))
    suggestion = LabelContent("actors", "rebel_group", start + 4, start + 27)
    assert accept_suggestion(workbench, pid, suggestion) is None
    assert len(labels(workbench, pid)) == 1
