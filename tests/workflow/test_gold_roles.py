"""On a shared PostgreSQL, bulk acceptance and gold edits work through a lead's own login role,
and an annotator's role can reach neither (PostgreSQL only; raw SQL as the attacker)."""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from annotator.adjudication import accept_unanimous, delete_gold, press_gold_label
from annotator.cli.main import main
from annotator.db.engine import make_engine
from tests.conftest import PG_URL, pg_unavailable_reason
from tests.workflow.team import label_and_finish, passage, passage_ids, team_project

DENIED = "42501"


@pytest.fixture
def roles(tmp_path):
    """alice and bob agree on two passages; alice and bob have annotator roles, lee a lead's."""
    reason = pg_unavailable_reason()
    if reason:
        if os.environ.get("ANNOTATOR_REQUIRE_PG") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    schema, suffix = f"t_{uuid.uuid4().hex[:12]}", uuid.uuid4().hex[:8]
    names = {name: f"{name}_{suffix}" for name in ("alice", "bob", "lee")}
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    project, engines = None, {}
    try:
        project, people = team_project(url, tmp_path, articles=1, paragraphs=2)
        pids = passage_ids(project)
        for pid in pids[:2]:
            for name in ("alice", "bob"):
                label_and_finish(project, people[name], pid, [("event_type", "battles")])
        urls = {}
        for name, role in names.items():
            kind = "lead" if name == "lee" else "annotator"
            assert main(["db", "grant", name, "--role", kind, "--db-role", role, "--db", url]) == 0
            urls[name] = url.replace("//postgres@", f"//{role}@", 1)
            engines[name] = make_engine(urls[name])
        yield {"project": project, "people": people, "pids": pids, "engines": engines, "urls": urls}
    finally:
        for engine in engines.values():
            engine.dispose()
        if project is not None:
            project.engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            for role in names.values():
                if connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
                    connection.execute(text(f'DROP OWNED BY "{role}"'))
                    connection.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


def count(roles, table: str) -> int:
    with roles["project"].engine.connect() as connection:
        return connection.scalar(text(f"SELECT count(*) FROM {table}"))


def test_an_annotator_role_cannot_accept_in_bulk(roles, capsys):
    people, pids = roles["people"], roles["pids"]
    assert main(["review", "--accept-unanimous", "--db", roles["urls"]["alice"]]) == 1
    assert "not a lead" in capsys.readouterr().err
    with pytest.raises(Exception, match="not a lead"):
        accept_unanimous(roles["engines"]["alice"], lead_id=people["alice"], layers=["event_type"])
    with pytest.raises(Exception, match="does not exist|permission|privilege"):  # posing as the lead
        accept_unanimous(roles["engines"]["alice"], lead_id=people["lee"], layers=["event_type"])
    before = (count(roles, "adjudications"), count(roles, "annotations"))
    attacks = [
        (
            "INSERT INTO adjudications (passage_id, layer, lead_id, method, dispute_key, source_revision_ids, "
            "gold_revision_ids, decided_at) VALUES (:pid, 'event_type', :lead, 'unanimous', '', '[]', '[]', now())",
            {"pid": pids[0], "lead": people["lee"]},
        ),
        (
            "INSERT INTO adjudications (passage_id, layer, lead_id, method, dispute_key, source_revision_ids, "
            "gold_revision_ids, decided_at) VALUES (:pid, 'event_type', :lead, 'unanimous', '', '[]', '[]', now())",
            {"pid": pids[0], "lead": people["alice"]},
        ),
        (
            "INSERT INTO annotations (passage_id, annotator_id, layer, label, attributes, codebook_version_id, "
            "deleted, origin, needs_review, created_at) VALUES (:pid, :me, 'event_type', 'battles', "
            "CAST('{}' AS json), 1, false, 'adjudication', false, now())",
            {"pid": pids[0], "me": people["alice"]},
        ),
    ]
    for statement, params in attacks:
        with roles["engines"]["alice"].connect() as connection:
            with pytest.raises(DBAPIError) as refused:
                connection.execute(text(statement), params)
                connection.commit()
            connection.rollback()
        assert refused.value.orig.sqlstate == DENIED, str(refused.value.orig)
    assert (count(roles, "adjudications"), count(roles, "annotations")) == before


def test_a_lead_role_accepts_in_bulk_and_edits_gold_under_their_own_name(roles, capsys):
    people, pids, lee = roles["people"], roles["pids"], roles["engines"]["lee"]
    assert main(["review", "--accept-unanimous", "--layer", "event_type", "--db", roles["urls"]["lee"]]) == 0
    assert "accepted 2 passage layer(s) as gold (2 labels)" in capsys.readouterr().out
    start = passage(roles["project"], pids[0]).start
    added = press_gold_label(
        lee,
        lead_id=people["lee"],
        passage_id=pids[0],
        layer="actors",
        label="state_forces",
        span=(start + 4, start + 10),
    )
    removed = delete_gold(lee, lead_id=people["lee"], passage_id=pids[0], revision_id=added.head_id)
    assert removed.replaced_id == added.head_id and removed.decision.gold_revision_ids == []
    with roles["project"].engine.connect() as connection:
        writers = set(
            connection.scalars(text("SELECT DISTINCT annotator_id FROM annotations WHERE origin = 'adjudication'"))
        )
        methods = list(connection.scalars(text("SELECT method FROM adjudications ORDER BY id")))
    assert writers == {people["lee"]}
    assert methods == ["unanimous", "unanimous", "edit", "edit"]
