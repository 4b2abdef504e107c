"""Adjudication core: disagreement ordering, gold revisions with provenance, precedent (both backends)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from annotator.adjudication import (
    accept_items,
    accept_majority,
    accept_version,
    delete_gold,
    disagreement,
    load_review,
    precedents,
    press_gold_attribute,
    press_gold_label,
    respan_gold,
    restore_gold,
    review_list,
)
from annotator.codebook import load_default_codebook
from annotator.db.engine import read_session
from annotator.db.models import Adjudication, Annotation
from annotator.errors import AnnotatorError
from annotator.labels import current_labels_query
from annotator.workbench import Workbench
from tests.workflow.team import label_and_finish, passage, passage_ids, team_project

LAYERS = ["actors", "event_type", "stance", "rhetoric"]


@pytest.fixture
def team(db_url, tmp_path):
    project, people = team_project(db_url, tmp_path, articles=2, paragraphs=3)
    yield project, people
    project.engine.dispose()


def gold(project, passage_id, layer=None) -> list[Annotation]:
    with read_session(project.engine) as session:
        query = current_labels_query(passage_ids=[passage_id], layer=layer).where(Annotation.origin == "adjudication")
        return list(session.scalars(query))


def decisions(project) -> list[Adjudication]:
    with read_session(project.engine) as session:
        return list(session.scalars(select(Adjudication).order_by(Adjudication.id)))


def disputed_pair(project, people, passage_id):
    """alice says rebel group, bob says political militia, both say battles."""
    label_and_finish(
        project, people["alice"], passage_id, [("actors", "rebel_group", 4, 30), ("event_type", "battles")]
    )
    label_and_finish(
        project, people["bob"], passage_id, [("actors", "political_militia", 4, 30), ("event_type", "battles")]
    )


def test_disagreement_score_is_one_minus_mean_pairwise_jaccard(team):
    project, people = team
    pids = passage_ids(project)
    disputed_pair(project, people, pids[0])
    for name in ("alice", "bob"):
        label_and_finish(project, people[name], pids[1], [("event_type", "battles")])
    label_and_finish(project, people["alice"], pids[2], [("event_type", "protests")])
    label_and_finish(project, people["bob"], pids[2], [("event_type", "riots")])
    label_and_finish(project, people["alice"], pids[3], [("event_type", "riots")])  # only one finished

    summaries = review_list(project.engine, LAYERS)
    assert [(s.passage_id, round(s.score, 2)) for s in summaries] == [(pids[2], 1.0), (pids[0], 0.5), (pids[1], 0.0)]
    review = load_review(project.engine, pids[0])
    assert [coder.name for coder in review.coders] == ["alice", "bob"]
    assert review.agreement("actors") == 0.0 and review.agreement("event_type") == 1.0
    assert review.agreement("stance") is None
    assert review.dispute("actors") == ("political_militia", "rebel_group") and review.dispute("event_type") == ()
    assert disagreement(load_default_codebook(), {}, [1, 2], LAYERS) == 0.0


def test_accepting_a_version_writes_gold_with_provenance_and_revises_it_later(team):
    project, people = team
    pid = passage_ids(project)[0]
    disputed_pair(project, people, pid)
    (decision,) = accept_version(
        project.engine,
        lead_id=people["lee"],
        passage_id=pid,
        annotator_id=people["alice"],
        layers=["actors"],
        rationale="  the Front is a rebel group  ",
    )
    (row,) = gold(project, pid, "actors")
    assert (row.label, row.annotator_id, row.origin) == ("rebel_group", people["lee"], "adjudication")
    alice_row = next(r for r in load_review(project.engine, pid).labels[people["alice"]] if r.layer == "actors")
    stored = decisions(project)[-1]
    assert stored.id == decision.id
    assert (stored.method, stored.lead_id, stored.chosen_annotator_id) == ("annotator", people["lee"], people["alice"])
    assert stored.rationale == "the Front is a rebel group"
    assert stored.source_revision_ids == [alice_row.id] and stored.gold_revision_ids == [row.id]
    assert stored.dispute_key == "political_militia|rebel_group" and stored.decided_at is not None

    accept_version(project.engine, lead_id=people["lee"], passage_id=pid, annotator_id=people["bob"], layers=["actors"])
    (row,) = gold(project, pid, "actors")
    assert row.label == "political_militia"
    review = load_review(project.engine, pid)
    assert (
        review.decisions["actors"].chosen_annotator_id == people["bob"] and review.decisions["actors"].rationale is None
    )
    assert len(decisions(project)) == 2  # the first decision stays in the history

    # annotators never see gold or each other's labels in their workbench
    alice = Workbench(project.engine, people["alice"], project.active).load_passage(pid)
    assert {(r.annotator_id, r.origin) for r in alice.labels} == {(people["alice"], "manual")}


def test_whole_passage_majority_and_own_pick(team):
    project, people = team
    pid = passage_ids(project)[0]
    label_and_finish(project, people["alice"], pid, [("actors", "rebel_group", 4, 30), ("event_type", "battles")])
    label_and_finish(project, people["bob"], pid, [("actors", "rebel_group", 4, 30), ("event_type", "riots")])
    label_and_finish(project, people["carol"], pid, [("actors", "state_forces", 4, 30), ("event_type", "battles")])
    made = accept_majority(
        project.engine, lead_id=people["lee"], passage_id=pid, layers=LAYERS, rationale="two of three"
    )
    assert [d.layer for d in made] == LAYERS and {d.method for d in made} == {"majority"}
    assert sorted((r.layer, r.label) for r in gold(project, pid)) == [
        ("actors", "rebel_group"),
        ("event_type", "battles"),
    ]
    majority_actors = decisions(project)[0]
    assert len(majority_actors.source_revision_ids) == 2  # alice's and bob's rebel_group

    review = load_review(project.engine, pid)
    keys = [item.key for item in review.items("event_type")]  # battles and riots: take both
    accept_items(project.engine, lead_id=people["lee"], passage_id=pid, layer="event_type", keys=keys, rationale="both")
    assert sorted(r.label for r in gold(project, pid, "event_type")) == ["battles", "riots"]
    assert decisions(project)[-1].method == "edit"

    with pytest.raises(AnnotatorError, match="changed since"):
        accept_items(project.engine, lead_id=people["lee"], passage_id=pid, layer="event_type", keys=[("protests",)])


def test_only_leads_decide_and_only_on_passages_two_finished(team):
    project, people = team
    pids = passage_ids(project)
    disputed_pair(project, people, pids[0])
    with pytest.raises(AnnotatorError, match="'alice' is not a lead"):
        accept_majority(project.engine, lead_id=people["alice"], passage_id=pids[0], layers=["actors"])
    label_and_finish(project, people["alice"], pids[1], [("event_type", "battles")])
    with pytest.raises(AnnotatorError, match="needs two finished annotators"):
        accept_majority(project.engine, lead_id=people["lee"], passage_id=pids[1], layers=["actors"])
    with pytest.raises(AnnotatorError, match="did not finish"):
        accept_version(
            project.engine, lead_id=people["lee"], passage_id=pids[0], annotator_id=people["carol"], layers=["actors"]
        )
    assert decisions(project) == [] and gold(project, pids[0]) == []


def test_precedent_is_an_earlier_decision_on_the_same_dispute(team):
    project, people = team
    pids = passage_ids(project)
    for pid in pids[:2]:
        disputed_pair(project, people, pid)
    label_and_finish(project, people["alice"], pids[2], [("actors", "rebel_group", 4, 30)])
    label_and_finish(project, people["bob"], pids[2], [("actors", "state_forces", 4, 30)])
    accept_version(
        project.engine,
        lead_id=people["lee"],
        passage_id=pids[0],
        annotator_id=people["alice"],
        layers=["actors"],
        rationale="named armed opposition",
    )
    (found,) = precedents(project.engine, "actors", ("political_militia", "rebel_group"), pids[1])
    assert (found.passage_id, found.chosen, found.lead, found.method) == (pids[0], "alice", "lee", "annotator")
    assert found.rationale == "named armed opposition" and found.gold_labels == ("rebel_group",)
    assert precedents(project.engine, "actors", ("rebel_group", "state_forces"), pids[2]) == []
    assert precedents(project.engine, "actors", ("political_militia", "rebel_group"), pids[0]) == []  # not itself


def test_gold_edits_follow_the_label_keys_and_the_rules(team):
    project, people = team
    pid = passage_ids(project)[0]
    disputed_pair(project, people, pid)
    lee = people["lee"]
    added = press_gold_label(project.engine, lead_id=lee, passage_id=pid, layer="event_type", label="riots")
    assert [row.label for row in gold(project, pid, "event_type")] == ["riots"] and added.before is None
    press_gold_label(project.engine, lead_id=lee, passage_id=pid, layer="event_type", label="riots")  # toggles off
    assert gold(project, pid, "event_type") == []
    start = passage(project, pid).start
    span = (start + 4, start + 27)
    made = press_gold_label(project.engine, lead_id=lee, passage_id=pid, layer="actors", label="rebel_group", span=span)
    attributed = press_gold_attribute(
        project.engine, lead_id=lee, passage_id=pid, revision_id=made.head_id, attribute="role", value="initiator"
    )
    relabelled = press_gold_label(
        project.engine, lead_id=lee, passage_id=pid, layer="actors", label="political_militia", span=span
    )
    (row,) = gold(project, pid, "actors")
    assert (row.label, row.attributes, row.supersedes_id) == (
        "political_militia",
        {"role": "initiator"},
        attributed.head_id,
    )
    assert relabelled.replaced_id == row.supersedes_id
    with pytest.raises(AnnotatorError, match="cannot make that gold"):  # a span ending on a space
        respan_gold(
            project.engine,
            lead_id=lee,
            passage_id=pid,
            revision_id=row.id,
            label="rebel_group",
            span=(start + 4, start + 28),
        )
    with pytest.raises(AnnotatorError, match="not a lead"):
        delete_gold(project.engine, lead_id=people["alice"], passage_id=pid, revision_id=row.id)
    undone = restore_gold(project.engine, lead_id=lee, passage_id=pid, head_id=row.id, content=relabelled.before)
    assert [(r.label, r.attributes) for r in gold(project, pid, "actors")] == [("rebel_group", {"role": "initiator"})]
    assert undone.after == relabelled.before
    assert {d.method for d in decisions(project)} == {"edit"}
    sources = decisions(project)[-1].source_revision_ids
    assert sources == []  # no annotator gave rebel_group on exactly that span
