"""Static assignment with overlap, dynamic claims, and the queues they make (both backends)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from annotator.assignment import ClaimLostError, assign_static, claim_next, start_dynamic
from annotator.db.engine import read_session, write_session
from annotator.db.models import Assignment, Passage, utcnow
from annotator.errors import AnnotatorError
from annotator.labels import LabelContent
from annotator.workbench import Workbench
from tests.workflow.team import label_and_finish, passage_ids, team_project, work_rows


@pytest.fixture
def team(db_url, tmp_path):
    project, people = team_project(db_url, tmp_path, articles=4, paragraphs=3)
    yield project, people
    project.engine.dispose()


def bench(project, annotator_id) -> Workbench:
    return Workbench(project.engine, annotator_id, project.active)


def holders(project) -> dict[int, set[int]]:
    """Passage id -> the annotators with a row on it."""
    found: dict[int, set[int]] = defaultdict(set)
    for row in work_rows(project):
        found[row.passage_id].add(row.annotator_id)
    return found


def article_of(project) -> dict[int, int]:
    """Annotatable passage id -> article id."""
    with read_session(project.engine) as session:
        return dict(session.execute(select(Passage.id, Passage.article_id).where(Passage.annotatable.is_(True))).all())


def test_before_any_assignment_every_queue_is_every_passage(team):
    project, people = team
    counts = bench(project, people["alice"]).queue_counts()
    assert counts["total"] == counts["todo"] == len(passage_ids(project)) == 12


def test_static_overlap_gives_each_passage_k_annotators_with_whole_articles_balanced(team):
    project, people = team
    report = assign_static(project.engine, overlap=2)
    assert report.passages == 12 and report.short == 0
    assert sum(report.new.values()) == 24 and set(report.new) == {"alice", "bob", "carol"}  # not the lead
    assert max(report.new.values()) - min(report.new.values()) <= 3  # at most one article apart
    found = holders(project)
    assert all(len(found[pid]) == 2 for pid in passage_ids(project))
    by_article: dict[int, set[frozenset]] = defaultdict(set)
    for pid, article_id in article_of(project).items():
        if pid in found:
            by_article[article_id].add(frozenset(found[pid]))
    assert all(len(pairs) == 1 for pairs in by_article.values())  # the same two people per article
    assert all(row.assigned_at is not None and row.status == "todo" for row in work_rows(project))

    alice = bench(project, people["alice"])
    mine = sorted(pid for pid, ids in found.items() if people["alice"] in ids)
    assert alice.queue_counts()["total"] == len(mine)
    assert [item.passage_id for item in alice.queue_page()] == mine
    assert alice.resume_passage() == mine[0]
    assert alice.neighbour(mine[0], 1) == mine[1] and alice.neighbour(mine[0], -1) is None
    assert bench(project, people["lee"]).queue_counts()["total"] == 0  # assigned project, nothing for lee

    again = assign_static(project.engine, overlap=2)
    assert sum(again.new.values()) == 0 and again.totals == report.totals


def test_overlap_share_doubles_a_seeded_share_of_articles(team):
    project, people = team
    report = assign_static(project.engine, overlap=1, overlap_share=0.5, seed=7)
    assert report.doubled_articles == 2
    per_article = defaultdict(set)
    found = holders(project)
    for pid, article_id in article_of(project).items():
        if pid in found:
            per_article[article_id].add(len(found[pid]))
    assert sorted(tuple(sizes) for sizes in per_article.values()) == [(1,), (1,), (2,), (2,)]
    doubled = sorted(a for a, sizes in per_article.items() if sizes == {2})

    # the same seed picks the same articles in another project with the same corpus
    with write_session(project.engine) as session:
        session.query(Assignment).delete()
    assign_static(project.engine, overlap=1, overlap_share=0.5, seed=7)
    found = holders(project)
    assert sorted({a for pid, a in article_of(project).items() if len(found.get(pid, ())) == 2}) == doubled


def test_limit_articles_and_earlier_work_are_respected(team):
    project, people = team
    pids = passage_ids(project)
    label_and_finish(project, people["alice"], pids[0], [("event_type", "battles")])  # before assignment
    first = assign_static(project.engine, overlap=1, limit=4)
    assert first.passages == 4  # four more: the first passage already has alice
    found = holders(project)
    assert sorted(found) == pids[:5]
    assert found[pids[1]] == found[pids[2]] == {people["alice"]}  # the rest of her article
    assert all(row.assigned_at is not None for row in work_rows(project))  # alice's done row is in her queue
    assert bench(project, people["alice"]).queue_counts()["done"] == 1

    articles = sorted(set(article_of(project).values()))
    assign_static(project.engine, overlap=2, article_ids=[articles[-1]])
    found = holders(project)
    last_article = [pid for pid, a in article_of(project).items() if a == articles[-1]]
    assert all(len(found[pid]) == 2 for pid in last_article)
    assert all(len(found.get(pid, ())) <= 1 for pid in pids if pid not in last_article)

    with pytest.raises(AnnotatorError, match="unknown article"):
        assign_static(project.engine, overlap=1, article_ids=[9999])
    with pytest.raises(AnnotatorError, match="unknown annotator"):
        assign_static(project.engine, overlap=1, annotator_names=["alice", "nobody"])
    with pytest.raises(AnnotatorError, match="at least 4 annotators"):
        assign_static(project.engine, overlap=4)
    with pytest.raises(AnnotatorError, match="between 0 and 1"):
        assign_static(project.engine, overlap=1, overlap_share=1.5)


def test_named_annotators_only_and_leads_when_named(team):
    project, people = team
    report = assign_static(project.engine, overlap=2, annotator_names=["alice", "lee"])
    assert report.new == {"alice": 12, "lee": 12}
    assert bench(project, people["bob"]).queue_counts()["total"] == 0


def test_dynamic_claims_never_exceed_k_and_never_repeat_a_passage(team):
    project, people = team
    pids = passage_ids(project)
    assert start_dynamic(project.engine, overlap=2) == 12
    alice, bob, carol = (bench(project, people[name]) for name in ("alice", "bob", "carol"))
    assert alice.resume_passage() == pids[0]  # nothing held: claims the first passage
    assert alice.claim_next() == pids[0]  # one open claim at a time
    assert bob.claim_next() == pids[0]
    assert carol.claim_next() == pids[1]  # pids[0] has its two people
    alice.add(pids[0], LabelContent("event_type", "battles"))
    alice.set_status(pids[0], "done")
    assert alice.neighbour(pids[0], 1) == pids[1]  # same article, still has a place
    assert alice.queue_counts()["total"] == 2
    assert [item.passage_id for item in alice.queue_page()] == pids[:2]

    carol.set_status(pids[1], "skipped")  # a skip frees the place, and carol never gets it again
    assert carol.neighbour(pids[1], 1) == pids[2]
    assert pids[1] not in [item.passage_id for item in carol.queue_page()]
    bob.set_status(pids[0], "done")
    assert bob.neighbour(pids[0], 1) == pids[1]
    counts = Counter(row.passage_id for row in work_rows(project) if row.status != "skipped")
    assert max(counts.values()) <= 2


def test_dynamic_queue_runs_dry_when_everything_has_k(team):
    project, people = team
    start_dynamic(project.engine, overlap=1)
    alice, bob = bench(project, people["alice"]), bench(project, people["bob"])
    seen = []
    current = alice.resume_passage()
    while current is not None:
        seen.append(current)
        (alice if len(seen) % 2 else bob).set_status(current, "done")
        current = (bob if len(seen) % 2 else alice).claim_next()
    assert sorted(seen) == passage_ids(project)
    assert claim_next(project.engine, people["carol"]) is None
    assert bench(project, people["carol"]).neighbour(seen[0], 1) is None


def walk_away(project, annotator_id) -> None:
    """Make the annotator's rows look untouched for an hour."""
    with write_session(project.engine) as session:
        session.execute(
            update(Assignment)
            .where(Assignment.annotator_id == annotator_id)
            .values(updated_at=utcnow() - timedelta(hours=1))
        )


def test_a_lapsed_claim_frees_its_place_and_leaves_the_queue(team):
    project, people = team
    pids = passage_ids(project)
    start_dynamic(project.engine, overlap=1, claim_minutes=30)
    alice, bob = bench(project, people["alice"]), bench(project, people["bob"])
    assert alice.claim_next() == pids[0]
    assert bob.claim_next() == pids[1]
    walk_away(project, people["alice"])  # an hour ago
    assert alice.queue_counts()["total"] == 0
    assert alice.claim_next() == pids[0]  # her own lapsed claim is renewed while its place is free
    walk_away(project, people["alice"])
    bob.set_status(pids[1], "done")
    assert bob.neighbour(pids[1], 1) == pids[0]  # alice's lapsed place went to bob
    assert alice.claim_next() == pids[2]


def test_a_write_on_a_lapsed_claim_that_was_taken_over_is_refused(team):
    project, people = team
    pids = passage_ids(project)
    start_dynamic(project.engine, overlap=1, claim_minutes=1)
    alice, bob = bench(project, people["alice"]), bench(project, people["bob"])
    assert alice.claim_next() == pids[0]
    start = passage_start(project, pids[0])
    alice.add(pids[0], LabelContent("actors", "rebel_group", start + 4, start + 27))  # while the claim holds
    walk_away(project, people["alice"])  # alice idles past the claim time ...
    assert bob.claim_next() == pids[0]  # ... and bob takes the passage
    before = len(current_rows(project))
    with pytest.raises(
        ClaimLostError, match="claim lapsed after 1 idle minutes and another annotator has taken it since"
    ):
        alice.add(pids[0], LabelContent("event_type", "battles"))
    with pytest.raises(ClaimLostError):
        alice.set_status(pids[0], "done")
    with pytest.raises(ClaimLostError):
        alice.undo()  # undoing her earlier label is a write too
    assert alice.can_undo  # the refused undo stays available
    assert len(current_rows(project)) == before
    statuses = {(row.annotator_id, row.passage_id): row.status for row in work_rows(project)}
    assert statuses[(people["alice"], pids[0])] != "done"  # one person finished it, as K = 1 says
    bob.set_status(pids[0], "done")


def test_a_refused_write_is_kept_and_redo_writes_it_once_the_passage_is_free_again(team):
    project, people = team
    pids = passage_ids(project)
    start_dynamic(project.engine, overlap=1, claim_minutes=1)
    alice, bob = bench(project, people["alice"]), bench(project, people["bob"])
    assert alice.claim_next() == pids[0]
    walk_away(project, people["alice"])
    assert bob.claim_next() == pids[0]
    with pytest.raises(ClaimLostError):
        alice.add(pids[0], LabelContent("event_type", "battles"))
    assert alice.refused_count == 1  # what she typed is kept, not lost
    with pytest.raises(ClaimLostError):
        alice.redo()  # still bob's
    assert alice.refused_count == 1
    bob.set_status(pids[0], "skipped")  # bob gives the place back
    assert alice.redo() == pids[0]
    assert alice.refused_count == 0
    mine = [row for row in current_rows(project) if row.annotator_id == people["alice"]]
    assert [(row.passage_id, row.layer, row.label) for row in mine] == [(pids[0], "event_type", "battles")]
    assert alice.undo() == pids[0]  # and it is an ordinary step of her history now
    assert [row for row in current_rows(project) if row.annotator_id == people["alice"]] == []


def test_a_write_on_a_lapsed_claim_nobody_took_renews_it(team):
    project, people = team
    pids = passage_ids(project)
    start_dynamic(project.engine, overlap=1, claim_minutes=1)
    alice, bob = bench(project, people["alice"]), bench(project, people["bob"])
    assert alice.claim_next() == pids[0]
    walk_away(project, people["alice"])
    alice.add(pids[0], LabelContent("event_type", "battles"))  # the place was still free: saved, claim renewed
    assert bob.claim_next() == pids[1]


def passage_start(project, passage_id: int) -> int:
    with read_session(project.engine) as session:
        return session.get_one(Passage, passage_id).start


def current_rows(project) -> list:
    from annotator.labels import current_labels_query

    with read_session(project.engine) as session:
        return list(session.scalars(current_labels_query()))


def test_static_rows_come_first_in_dynamic_mode(team):
    project, people = team
    assign_static(project.engine, overlap=1, annotator_names=["alice"], limit=2)
    start_dynamic(project.engine, overlap=2)
    alice = bench(project, people["alice"])
    pids = passage_ids(project)
    assert alice.claim_next() == pids[0]
    alice.set_status(pids[0], "done")
    assert alice.neighbour(pids[0], 1) == pids[1]
    alice.set_status(pids[1], "done")
    assert alice.neighbour(pids[1], 1) == pids[2]  # then new claims
