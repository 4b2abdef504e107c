"""One meaning of "the same label": review's majority and the export's majority fallback give
the same gold on the same data; a lead's empty-layer decision is gold "empty" everywhere; ties
are visible in the export."""

from __future__ import annotations

import random
import re

import pytest
from sqlalchemy import select

from annotator.adjudication import accept_items, load_review, majority
from annotator.agreement.corpus import corpus_agreement
from annotator.db.engine import read_session
from annotator.db.models import Passage
from annotator.export.rows import PassageVotes
from annotator.export.source import passages_of, resolve_snapshot
from annotator.labels import LabelContent
from annotator.workbench import Workbench
from tests.workflow.team import passage_ids, team_project

ACTORS = ("rebel_group", "state_forces", "civilians")
EVENTS = ("battles", "protests", "riots")
REALIS = ("actual", "claimed")
STANCES = ("against", "neutral", "favour")


@pytest.fixture
def team(db_url, tmp_path):
    project, people = team_project(db_url, tmp_path, articles=3, paragraphs=3)
    yield project, people
    project.engine.dispose()


def random_labels(rng: random.Random, start: int, text: str) -> list[LabelContent]:
    """A random but valid set of one annotator's labels on a passage: at most one actor label
    per word (so no overlaps), event types with a random realis, a stance on the government."""
    labels = []
    for word in re.finditer(r"\w+", text):
        if rng.random() < 0.25:
            labels.append(LabelContent("actors", rng.choice(ACTORS), start + word.start(), start + word.end()))
    for event in EVENTS:
        if rng.random() < 0.5:
            labels.append(LabelContent("event_type", event, attributes={"realis": rng.choice(REALIS)}))
    if rng.random() < 0.7:
        labels.append(LabelContent("stance", rng.choice(STANCES), target="government"))
    return labels


def content_set(rows) -> set[tuple]:
    return {
        (row.layer, row.label, row.span_start, row.span_end, row.target, tuple(sorted(row.attributes.items())))
        for row in rows
    }


def export_gold(project, mode: str = "majority") -> dict[int, PassageVotes]:
    """The export's view of every passage: its votes (the same reader the exporter uses)."""
    with read_session(project.engine) as session:
        snapshot = resolve_snapshot(session, None)
        article_ids = list(session.scalars(select(Passage.article_id).distinct()))
        return {
            record.id: PassageVotes.of(
                snapshot.codebook, record.labels, finished=record.finished, decided=record.decided
            )
            for record in passages_of(session, snapshot.watermark, article_ids)
        }


def test_review_majority_and_export_majority_pick_the_same_gold(team):
    project, people = team
    rng = random.Random(20261201)
    coders = [people["alice"], people["bob"], people["carol"]]
    with read_session(project.engine) as session:
        passages = {pid: session.get(Passage, pid) for pid in passage_ids(project)}
        texts = {pid: passage.article.text[passage.start : passage.end] for pid, passage in passages.items()}
    for number, (pid, passage) in enumerate(passages.items()):
        for coder in coders:
            bench = Workbench(project.engine, coder, project.active)
            for content in random_labels(rng, passage.start, texts[pid]):
                bench.add(pid, content)
            if coder != people["carol"] or number % 2 == 0:  # carol leaves every other passage open
                bench.set_status(pid, "done")
    exported = export_gold(project)
    compared = 0
    for pid in passages:
        review = load_review(project.engine, pid)
        gold = exported[pid].gold("majority")
        for layer in ("actors", "event_type", "stance"):
            review_gold = content_set(item.content for item in majority(review, layer))
            export_rows = [
                LabelContent(row.layer, row.label, row.start, row.end, row.target, row.attributes)
                for row in gold[layer]
            ]
            assert review_gold == content_set(export_rows), (pid, layer)
            compared += len(review_gold)
            assert review.tally(layer).disputed == (layer in exported[pid].disputed_layers())
    assert compared > 10  # the random data did produce majorities to compare


def test_an_empty_layer_decision_is_gold_empty_everywhere(team):
    project, people = team
    pid = passage_ids(project)[0]
    with read_session(project.engine) as session:
        start = session.get(Passage, pid).start
    alice = Workbench(project.engine, people["alice"], project.active)
    alice.add(pid, LabelContent("actors", "rebel_group", start + 4, start + 27))  # "Ostrel Liberation Front"
    alice.set_status(pid, "done")
    Workbench(project.engine, people["bob"], project.active).set_status(pid, "done")  # bob: no actors
    # the lead decides: no actors here (bob's empty version)
    accept_items(project.engine, lead_id=people["lee"], passage_id=pid, layer="actors", keys=[])
    votes = export_gold(project)[pid]
    assert votes.adjudicated == {"actors": []}
    for mode in ("majority", "raw", "gold"):
        assert votes.gold(mode)["actors"] == [], mode
    # agreement against gold counts the decision: gold is a coder with an empty answer, so
    # alice's span is a miss against it
    report = corpus_agreement(project.engine, layers=["actors"], n_boot=10)
    (actors,) = report.layers
    coders = actors.pairwise.coders
    assert "(gold)" in coders
    assert actors.pairwise.values[coders.index("alice")][coders.index("(gold)")] == 0.0


def test_a_tie_is_visible_in_the_export(team):
    project, people = team
    pid = passage_ids(project)[0]
    alice = Workbench(project.engine, people["alice"], project.active)
    bob = Workbench(project.engine, people["bob"], project.active)
    alice.add(pid, LabelContent("event_type", "battles"))
    bob.add(pid, LabelContent("event_type", "protests"))
    for bench in (alice, bob):
        bench.set_status(pid, "done")
    votes = export_gold(project)[pid]
    assert votes.gold("majority")["event_type"] == []
    assert votes.undecided_layers() == ["event_type"]
    assert "event_type" in votes.disputed_layers()
    # the same layer with agreement is neither disputed nor undecided
    other = passage_ids(project)[1]
    for bench in (alice, bob):
        bench.add(other, LabelContent("event_type", "battles"))
        bench.set_status(other, "done")
    votes = export_gold(project)[other]
    assert votes.undecided_layers() == [] and votes.disputed_layers() == []
    assert [row.label for row in votes.gold("majority")["event_type"]] == ["battles"]
