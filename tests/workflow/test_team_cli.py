"""`annotator assign` and the team part of `annotator status` (both backends)."""

from __future__ import annotations

import json

import pytest

from annotator.cli.main import main
from annotator.workbench import Workbench
from tests.workflow.team import label_and_finish, passage_ids, team_project


@pytest.fixture
def team(db_url, tmp_path):
    project, people = team_project(db_url, tmp_path, articles=3, paragraphs=2)
    yield project, people, db_url
    project.engine.dispose()


def status(url, capsys) -> dict:
    assert main(["status", "--json", "--db", url]) == 0
    out = capsys.readouterr().out
    return json.loads(out[out.index("{") :])


def test_assign_prints_per_annotator_counts_and_status_shows_progress(team, capsys):
    project, people, url = team
    assert status(url, capsys)["assignment"] == {
        "mode": "open",
        "overlap": 1,
        "claim_minutes": None,
        "passages_needing_annotators": 6,
    }
    assert main(["assign", "--overlap", "2", "--annotators", "alice,bob", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "assigned 12 rows over 6 passages, 2 per passage" in out
    assert [line.split()[:3] for line in out.splitlines()[-2:]] == [["alice", "6", "6"], ["bob", "6", "6"]]

    pid = passage_ids(project)[0]
    bench = label_and_finish(project, people["alice"], pid, [("event_type", "battles")])
    bench.add_active_time(pid, 1800)
    data = status(url, capsys)
    assert data["assignment"]["mode"] == "static" and data["assignment"]["passages_needing_annotators"] == 0
    alice = next(person for person in data["annotators"] if person["name"] == "alice")
    assert (alice["assigned"], alice["waiting"], alice["done"], alice["done_per_active_hour"]) == (6, 5, 1, 2.0)
    carol = next(person for person in data["annotators"] if person["name"] == "carol")
    assert (carol["assigned"], carol["waiting"], carol["done_per_active_hour"]) == (0, 0, None)

    assert main(["status", "--db", url]) == 0
    text = capsys.readouterr().out
    assert "assignment: static, 2 per passage; passages needing annotators 0; adjudicated passages 0" in text
    assert "done/hour" in text and "2.0" in text


def test_dynamic_assignment_from_the_command_line(team, capsys):
    project, people, url = team
    assert main(["assign", "--dynamic", "--overlap", "2", "--claim-minutes", "10", "--db", url]) == 0
    assert "6 passages still need annotators" in capsys.readouterr().out
    Workbench(project.engine, people["bob"], project.active).claim_next()
    data = status(url, capsys)
    assert data["assignment"] == {
        "mode": "dynamic",
        "overlap": 2,
        "claim_minutes": 10,
        "passages_needing_annotators": 6,
    }
    label_and_finish(
        project, people["alice"], Workbench(project.engine, people["alice"], project.active).claim_next(), []
    )
    assert status(url, capsys)["assignment"]["passages_needing_annotators"] == 5

    assert main(["assign", "--dynamic", "--overlap", "2", "--limit", "3", "--db", url]) == 1
    assert "--dynamic takes only --overlap and --claim-minutes, not --limit" in capsys.readouterr().err
    assert main(["assign", "--overlap", "0", "--db", url]) == 1
    assert main(["assign", "--overlap", "1", "--articles", "1,x", "--db", url]) == 1
    assert capsys.readouterr().err.count("\n") == 2
