"""The team-workflow revision: a round trip with assignments, decisions and settings in place."""

from __future__ import annotations

from sqlalchemy import func, inspect, select, text

from annotator.adjudication import accept_version
from annotator.assignment import assign_static
from annotator.db import migrate
from annotator.db.engine import read_session
from annotator.db.models import Adjudication, Assignment, Setting
from tests.workflow.team import label_and_finish, passage_ids, team_project

BEFORE = "f0262f383a45"
KEPT = ("articles", "passages", "annotators", "annotations", "assignments")


def counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table: connection.scalar(select(func.count()).select_from(text(table))) for table in KEPT}


def test_downgrade_and_upgrade_with_team_data(db_url, tmp_path):
    project, people = team_project(db_url, tmp_path, articles=2, paragraphs=2)
    engine = project.engine
    assign_static(engine, overlap=2)
    pid = passage_ids(project)[0]
    with read_session(engine) as session:
        pair = list(session.scalars(select(Assignment.annotator_id).where(Assignment.passage_id == pid)))
    for annotator_id in pair:
        label_and_finish(project, annotator_id, pid, [("event_type", "battles")])
    accept_version(engine, lead_id=people["lee"], passage_id=pid, annotator_id=pair[0], layers=["event_type"])
    before = counts(engine)

    migrate.downgrade(engine, BEFORE, confirmed=True)
    inspector = inspect(engine)
    assert {"adjudications", "settings"}.isdisjoint(inspector.get_table_names())
    assert "passage_workload" not in inspector.get_view_names()
    assert {"assigned_at", "claimed_at"}.isdisjoint(c["name"] for c in inspector.get_columns("assignments"))
    assert "db_role" not in {c["name"] for c in inspector.get_columns("annotators")}
    assert counts(engine) == before
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM pg_policies WHERE schemaname = current_schema()")) == 0
            assert not connection.scalar(
                text(
                    "SELECT bool_or(relrowsecurity) FROM pg_class WHERE relname = 'annotations' "
                    "AND relnamespace = current_schema()::regnamespace"
                )
            )

    migrate.upgrade(engine)
    assert counts(engine) == before
    with read_session(engine) as session:
        assert (
            session.scalar(select(func.count(Adjudication.id))) == 0
            and session.scalar(select(func.count(Setting.key))) == 0
        )
    engine.dispose()
