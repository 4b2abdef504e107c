"""`db downgrade` refuses to lose data (tables and columns the target schema drops) unless `--yes`."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from annotator.adjudication import accept_version
from annotator.assignment import assign_static
from annotator.cli.main import main
from annotator.db import migrate
from annotator.db.engine import make_engine, read_session
from annotator.db.models import Assignment
from annotator.errors import AnnotatorError
from tests.workflow.team import label_and_finish, passage_ids, team_project

TEAM = "1f79b923c7d1"  # the team-workflow revision
INITIAL = "f0262f383a45"
TABLES = ("articles", "passages", "annotators", "annotations", "assignments", "adjudications", "settings")


def snapshot(engine) -> dict[str, object]:
    """Row counts, the revision and the team-workflow values a downgrade would drop."""
    with engine.connect() as connection:
        counts: dict[str, object] = {
            table: connection.scalar(select(func.count()).select_from(text(table))) for table in TABLES
        }
        counts["db_role"] = connection.scalar(text("SELECT count(*) FROM annotators WHERE db_role IS NOT NULL"))
        counts["assigned_at"] = connection.scalar(
            text("SELECT count(*) FROM assignments WHERE assigned_at IS NOT NULL")
        )
    counts["revision"] = migrate.current_revision(engine)
    return counts


def team_data(db_url, tmp_path):
    """A project at head with assignments, a decision, the assignment mode and a role mapping."""
    project, people = team_project(db_url, tmp_path, articles=2, paragraphs=2)
    engine = project.engine
    assign_static(engine, overlap=2)
    pid = passage_ids(project)[0]
    with read_session(engine) as session:
        pair = list(session.scalars(select(Assignment.annotator_id).where(Assignment.passage_id == pid)))
    for annotator_id in pair:
        label_and_finish(project, annotator_id, pid, [("event_type", "battles")])
    accept_version(engine, lead_id=people["lee"], passage_id=pid, annotator_id=pair[0], layers=["event_type"])
    with engine.begin() as connection:
        connection.execute(text("UPDATE annotators SET db_role = 'alice_role' WHERE name = 'alice'"))
    return engine


def test_every_declared_check_runs_on_the_head_schema(db_url):
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    assert {"b664ac418178", TEAM, INITIAL} <= set(migrate.DOWNGRADE_LOSSES)
    with engine.connect() as connection:
        for checks in migrate.DOWNGRADE_LOSSES.values():
            for _what, query in checks:
                assert connection.execute(text(query)).scalar() == 0
    engine.dispose()


def one_step_down() -> str:
    """The revision just below head."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    down = script.get_revision(migrate.head_revision()).down_revision
    assert isinstance(down, str)
    return down


def steps_down_to(target: str) -> int:
    """How many revisions `db downgrade -N` goes down from head to reach `target`."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    return [revision.revision for revision in script.walk_revisions()].index(target)


def test_downgrade_refuses_to_drop_team_data_without_yes(db_url, tmp_path, capsys):
    engine = team_data(db_url, tmp_path)
    before = snapshot(engine)
    assert before["adjudications"] and before["settings"] and before["db_role"] and before["assigned_at"]

    assert main(["db", "downgrade", INITIAL, "--db", db_url]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert error.startswith(f"annotator: error: downgrading to {INITIAL} would lose ")
    assert f"{before['adjudications']} adjudication" in error
    assert f"{before['settings']} setting" in error
    assert "1 role mapping," in error
    assert f"{before['assigned_at']} assignment time" in error
    assert error.rstrip().endswith("back up, then rerun with --yes")
    assert snapshot(engine) == before  # nothing changed

    assert main(["db", "downgrade", f"-{steps_down_to(INITIAL)}", "--db", db_url]) == 1  # by a relative target
    assert f"downgrading to {INITIAL} would lose" in capsys.readouterr().err
    assert snapshot(engine) == before

    assert main(["db", "downgrade", INITIAL, "--yes", "--db", db_url]) == 0
    assert migrate.current_revision(engine) == INITIAL
    assert main(["db", "upgrade", "--db", db_url]) == 0
    after = snapshot(engine)
    assert after["revision"] == migrate.head_revision()
    assert after["adjudications"] == after["settings"] == after["db_role"] == after["assigned_at"] == 0
    assert {table: after[table] for table in TABLES[:5]} == {table: before[table] for table in TABLES[:5]}
    engine.dispose()


def test_downgrade_base_refuses_a_database_with_labels_and_articles(db_url, tmp_path, capsys):
    engine = team_data(db_url, tmp_path)
    before = snapshot(engine)
    assert main(["db", "downgrade", "base", "--db", db_url]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "downgrading to base would lose" in error
    assert f"{before['annotations']} label revision" in error and f"{before['articles']} article" in error
    assert snapshot(engine) == before

    assert main(["db", "downgrade", "base", "--yes", "--db", db_url]) == 0
    assert migrate.current_revision(engine) is None
    assert main(["init", "--db", db_url]) == 0
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_source_gaps_are_counted_and_an_empty_database_downgrades_without_asking(db_url, tmp_path, capsys):
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    assert main(["db", "downgrade", "base", "--db", db_url]) == 0  # nothing to lose
    migrate.upgrade(engine)
    (tmp_path / "crlf.txt").write_bytes(b"Title\r\n\r\nBody text.\r\n")
    (tmp_path / "plain.txt").write_bytes(b"Title\n\nBody text here.\n")
    assert main(["import", str(tmp_path / "crlf.txt"), str(tmp_path / "plain.txt"), "--db", db_url]) == 0
    capsys.readouterr()
    assert main(["db", "downgrade", TEAM, "--db", db_url]) == 1
    error = capsys.readouterr().err
    assert error == f"annotator: error: downgrading to {TEAM} would lose 1 article source-offset map; " + (
        "back up, then rerun with --yes\n"
    )
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert main(["db", "downgrade", TEAM, "--yes", "--db", db_url]) == 0
    assert migrate.current_revision(engine) == TEAM
    assert main(["db", "upgrade", "--db", db_url]) == 0
    engine.dispose()


def test_a_revision_without_a_declared_check_needs_yes(db_url, monkeypatch):
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    head = migrate.head_revision()
    monkeypatch.delitem(migrate.DOWNGRADE_LOSSES, head, raising=False)
    with engine.connect() as connection:
        target, losses = migrate.downgrade_losses(connection, "-1")
    assert target == one_step_down() and losses == [f"what revision {head} holds (it declares no loss check)"]
    with pytest.raises(AnnotatorError, match=f"would lose what revision {head} holds"):
        migrate.downgrade(engine, "-1")
    assert migrate.current_revision(engine) == head
    engine.dispose()
