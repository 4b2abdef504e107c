"""`annotator review --accept-unanimous`: what everybody agrees on becomes gold in one go (both backends)."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from annotator import adjudication
from annotator.adjudication import accept_unanimous, accept_version, review_list
from annotator.cli.main import main
from annotator.db.engine import read_session
from annotator.db.models import Adjudication, Annotation
from annotator.errors import AnnotatorError
from annotator.export.exporter import export_dataset
from annotator.labels import LabelContent, current_labels_query
from tests.workflow.team import label_and_finish, passage, passage_ids, team_project

LAYERS = ["actors", "event_type", "stance", "rhetoric"]
REBELS = ("actors", "rebel_group", 4, 30)


@pytest.fixture
def team(db_url, tmp_path):
    """Three annotators on four passages: p0 unanimous everywhere; p1 disputed actors; p2 the
    same actors with another role attribute; p3 finished by alice only; p4 decided by lee."""
    project, people = team_project(db_url, tmp_path, articles=2, paragraphs=3)
    pids = passage_ids(project)
    for name in ("alice", "bob", "carol"):
        label_and_finish(project, people[name], pids[0], [REBELS, ("event_type", "battles")])
        actors = ("actors", "political_militia", 4, 30) if name == "carol" else REBELS
        label_and_finish(project, people[name], pids[1], [actors, ("event_type", "battles")])
        bench = label_and_finish(project, people[name], pids[2], [("event_type", "battles")])
        start = passage(project, pids[2]).start
        attributes = {"role": "initiator" if name == "alice" else "target"}
        bench.add(pids[2], LabelContent("actors", "rebel_group", start + 4, start + 30, attributes=attributes))
    label_and_finish(project, people["alice"], pids[3], [("event_type", "riots")])
    for name in ("alice", "bob"):
        label_and_finish(project, people[name], pids[4], [("event_type", "riots")])
    accept_version(
        project.engine, lead_id=people["lee"], passage_id=pids[4], annotator_id=people["alice"], layers=["actors"]
    )
    yield project, people, pids
    project.engine.dispose()


def gold(project, passage_id) -> list[tuple[str, str, int | None]]:
    with read_session(project.engine) as session:
        query = current_labels_query(passage_ids=[passage_id]).where(Annotation.origin == "adjudication")
        return sorted((row.layer, row.label, row.annotator_id) for row in session.scalars(query))


def decisions(project) -> list[tuple[int, str, str]]:
    with read_session(project.engine) as session:
        rows = session.scalars(select(Adjudication).order_by(Adjudication.id))
        return [(row.passage_id, row.layer, row.method) for row in rows]


def test_unanimous_layers_become_gold_and_the_rest_waits(team):
    project, people, pids = team
    counts = {count.layer: count for count in accept_unanimous(project.engine, lead_id=people["lee"], layers=LAYERS)}
    lee = people["lee"]
    assert (counts["actors"].accepted, counts["actors"].labels, counts["actors"].left) == (1, 1, 2)
    assert (counts["event_type"].accepted, counts["event_type"].labels, counts["event_type"].left) == (3, 3, 0)
    assert (counts["stance"].accepted, counts["stance"].labels) == (3, 0)  # everybody agreed: no stance
    assert all(count.decided == 1 for count in counts.values())  # p4: lee decided it by hand
    assert gold(project, pids[0]) == [("actors", "rebel_group", lee), ("event_type", "battles", lee)]
    assert gold(project, pids[1]) == gold(project, pids[2]) == [("event_type", "battles", lee)]
    assert gold(project, pids[3]) == [] and gold(project, pids[4]) == []  # p4's decision: alice's empty actors
    made = [decision for decision in decisions(project) if decision[2] == "unanimous"]
    assert {(pid, layer) for pid, layer, _ in made} == {
        *((pids[0], layer) for layer in LAYERS),
        *((pid, layer) for pid in pids[1:3] for layer in ("event_type", "stance", "rhetoric")),
    }
    # the disputed passages still wait for a lead, first in the list
    assert [summary.passage_id for summary in review_list(project.engine, LAYERS)][:2] == [pids[1], pids[2]]

    again = accept_unanimous(project.engine, lead_id=lee, layers=LAYERS)
    assert sum(count.accepted for count in again) == 0 and len(decisions(project)) == len(made) + 1


def test_all_or_nothing_and_leads_only(team, monkeypatch):
    project, people, pids = team
    with pytest.raises(AnnotatorError, match="not a lead"):
        accept_unanimous(project.engine, lead_id=people["alice"], layers=LAYERS)
    with pytest.raises(AnnotatorError, match="unknown layer 'nonsense'"):
        accept_unanimous(project.engine, lead_id=people["lee"], layers=["event_type", "nonsense"])
    checked = []
    real_check = adjudication._check_gold

    def refuse_the_fifth(*args):
        checked.append(args)
        if len(checked) == 5:
            raise AnnotatorError("passage refused by the rule check")
        real_check(*args)

    monkeypatch.setattr(adjudication, "_check_gold", refuse_the_fifth)
    with pytest.raises(AnnotatorError, match="refused by the rule check"):
        accept_unanimous(project.engine, lead_id=people["lee"], layers=LAYERS)
    assert len(decisions(project)) == 1 and gold(project, pids[0]) == []  # nothing of the first four stayed


def test_command_prints_per_layer_counts_and_export_gold_includes_them(team, tmp_path, capsys):
    project, people, pids = team
    url = project.engine.url.render_as_string(hide_password=False)
    assert main(["review", "--accept-unanimous", "--layer", "event_type", "--annotator", "lee", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "accepted 3 passage layer(s) as gold (3 labels); 0 left for review" in out
    assert "event_type" in out and "actors" not in out
    assert {layer for _, layer, _ in decisions(project)} == {"actors", "event_type"}
    assert main(["review", "--accept-unanimous", "--annotator", "lee", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "accepted 7 passage layer(s) as gold (1 labels); 2 left for review" in out
    assert main(["review", "--accept-unanimous", "--annotator", "alice", "--db", url]) == 1
    assert "not a lead" in capsys.readouterr().err

    export_dataset(project.engine, tmp_path / "out", labels="gold")
    rows = {
        row["passage_id"]: row
        for file in sorted((tmp_path / "out").rglob("gold/*.parquet"))
        for row in pq.read_table(file).to_pylist()
    }
    assert set(rows) == {pids[0], pids[1], pids[2], pids[4]}
    assert rows[pids[0]]["adjudicated_layers"] == sorted(LAYERS)
    assert rows[pids[1]]["adjudicated_layers"] == ["event_type", "rhetoric", "stance"]
    assert rows[pids[1]]["actors"] is None and rows[pids[1]]["disputed_layers"] == ["actors"]
