"""A shared PostgreSQL: one login role per person, row-level security, no spoofing (PostgreSQL only)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from annotator.adjudication import accept_version
from annotator.annotators import add_annotator
from annotator.assignment import start_dynamic
from annotator.cli.main import main
from annotator.db.engine import make_engine, read_session, write_session
from annotator.errors import AnnotatorError
from annotator.labels import LabelContent
from annotator.project import open_project
from annotator.security import grant_access, session_annotator
from annotator.workbench import Workbench
from tests.conftest import PG_URL
from tests.workflow.team import label_and_finish, passage_ids, team_project


@pytest.fixture
def secured(pg_schema_url, tmp_path):
    """A project on PostgreSQL, with alice and bob (annotators) and lee (lead) granted roles."""
    project, people = team_project(pg_schema_url, tmp_path, articles=2, paragraphs=2)
    suffix = uuid.uuid4().hex[:8]
    roles = {name: f"{name}_{suffix}" for name in ("alice", "bob", "lee")}
    engines = {}
    try:
        for name, role in roles.items():
            kind = "lead" if name == "lee" else "annotator"
            assert main(["db", "grant", name, "--role", kind, "--db-role", role, "--db", pg_schema_url]) == 0
            engines[name] = make_engine(pg_schema_url.replace("//postgres@", f"//{role}@", 1))
        yield project, people, engines, roles
    finally:
        for engine in engines.values():
            engine.dispose()
        project.engine.dispose()
        admin = create_engine(PG_URL)
        with admin.begin() as connection:
            for role in roles.values():
                if connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
                    connection.execute(text(f'DROP OWNED BY "{role}"'))
                    connection.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


def as_person(engines, name):
    """The project opened through `name`'s own login role."""
    return open_project(engines[name].url.render_as_string(hide_password=False))


def test_an_annotator_reads_and_writes_only_their_own_labels(secured):
    project, people, engines, roles = secured
    pids = passage_ids(project)
    label_and_finish(project, people["bob"], pids[0], [("event_type", "riots")])
    alice_project = as_person(engines, "alice")
    alice = Workbench(alice_project.engine, people["alice"], alice_project.active)
    alice.add(pids[0], LabelContent("event_type", "battles"))
    alice.set_status(pids[0], "done")

    with engines["alice"].connect() as connection:
        labels = connection.execute(text("SELECT annotator_id, label FROM annotations")).all()
        assert labels == [(people["alice"], "battles")]
        assert connection.execute(text("SELECT DISTINCT annotator_id FROM assignments")).scalars().all() == [
            people["alice"]
        ]
        assert connection.scalar(text("SELECT count(*) FROM adjudications")) == 0
    with engines["bob"].connect() as connection:
        assert connection.execute(text("SELECT label FROM annotations")).scalars().all() == ["riots"]
    with engines["lee"].connect() as connection:
        assert sorted(connection.execute(text("SELECT label FROM annotations")).scalars()) == ["battles", "riots"]

    forged = (
        "INSERT INTO annotations (passage_id, annotator_id, layer, label, attributes, codebook_version_id, "
        "deleted, origin, needs_review, created_at) VALUES (:p, :a, 'event_type', 'riots', '{}', 1, false, "
        "'manual', false, now())"
    )
    for statement, values in (
        (forged, {"p": pids[0], "a": people["bob"]}),
        (forged.replace("'manual'", "'adjudication'"), {"p": pids[0], "a": people["alice"]}),  # no gold
        ("UPDATE passages SET annotatable = false", {}),
        ("UPDATE assignments SET status = 'todo' WHERE annotator_id = :a", {"a": people["bob"]}),
        ("DELETE FROM annotations", {}),
        ("INSERT INTO settings (key, value) VALUES ('x', 'y')", {}),
    ):
        with engines["alice"].begin() as connection:
            try:
                result = connection.execute(text(statement), values)
            except DBAPIError:
                continue
            assert result.rowcount == 0, statement  # filtered out by the policy: nothing changed

    alice_project.engine.dispose()


def test_claims_and_adjudication_work_through_the_roles(secured):
    project, people, engines, roles = secured
    pids = passage_ids(project)
    start_dynamic(project.engine, overlap=2)
    benches = {}
    for name in ("alice", "bob"):
        own = as_person(engines, name)
        benches[name] = Workbench(own.engine, people[name], own.active)
    for name, label in (("alice", "battles"), ("bob", "riots")):
        bench = benches[name]
        passage_id = bench.resume_passage()
        assert passage_id == pids[0]  # both may hold it: they count places they cannot read
        bench.add(passage_id, LabelContent("event_type", label))
        bench.set_status(passage_id, "done")
        assert bench.neighbour(passage_id, 1) == pids[1]
    lee = as_person(engines, "lee")
    accept_version(
        lee.engine,
        lead_id=people["lee"],
        passage_id=pids[0],
        annotator_id=people["bob"],
        layers=["event_type"],
        rationale="riot",
    )
    with write_session(project.engine) as session:
        lena = add_annotator(session, "lena", "lead").id
    with pytest.raises(DBAPIError, match="row-level security"):  # no deciding in another lead's name
        accept_version(lee.engine, lead_id=lena, passage_id=pids[0], annotator_id=people["bob"], layers=["event_type"])
    with engines["alice"].connect() as connection:  # gold stays out of annotators' sight
        assert connection.execute(text("SELECT label FROM annotations")).scalars().all() == ["battles"]
    for bench in benches.values():
        bench.engine.dispose()
    lee.engine.dispose()


def test_the_connected_role_is_the_annotator_and_cannot_be_spoofed(secured, capsys):
    project, people, engines, roles = secured
    with read_session(engines["alice"]) as session:
        assert session_annotator(session, None).name == "alice"
        assert session_annotator(session, "alice").name == "alice"
        with pytest.raises(AnnotatorError, match="you cannot work as 'bob'"):
            session_annotator(session, "bob")
    with read_session(project.engine) as session:  # the owner names whoever they like
        assert session_annotator(session, "bob").name == "bob"
    alice_url = engines["alice"].url.render_as_string(hide_password=False)
    assert main(["status", "--db", alice_url]) == 0  # what a role may not read is left out, not an error
    capsys.readouterr()
    assert main(["review", "--annotator", "lee", "--db", alice_url]) == 1
    assert "you cannot work as 'lee'" in capsys.readouterr().err
    assert main(["review", "--db", alice_url]) == 1
    assert "only leads review" in capsys.readouterr().err


def test_leads_assign_work_through_their_role_and_annotators_cannot(secured, capsys):
    project, people, engines, roles = secured
    lee_url, alice_url = (engines[name].url.render_as_string(hide_password=False) for name in ("lee", "alice"))
    assert main(["assign", "--overlap", "2", "--annotators", "alice,bob", "--db", lee_url]) == 0
    assert "assigned 8 rows over 4 passages" in capsys.readouterr().out
    assert main(["assign", "--overlap", "1", "--db", alice_url]) == 1
    assert capsys.readouterr().err == "annotator: error: 'alice' is not a lead: only leads assign work\n"
    assert main(["status", "--json", "--db", lee_url]) == 0
    assert '"passages_needing_annotators": 0' in capsys.readouterr().out


def test_grant_is_idempotent_and_changes_roles(secured, capsys):
    project, people, engines, roles = secured
    url = project.engine.url.render_as_string(hide_password=False)
    assert main(["db", "grant", "alice", "--role", "lead", "--db-role", roles["alice"], "--db", url]) == 0
    assert "updated login role" in capsys.readouterr().out
    with engines["alice"].connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM adjudications")) == 0  # readable now
    report = grant_access(project.engine, "alice", db_role=roles["alice"], password="s3cret'; DROP TABLE x; --")
    assert (report.role, report.created_role) == ("annotator", False)
    with pytest.raises(AnnotatorError, match="already belongs to annotator 'alice'"):
        grant_access(project.engine, "bob", db_role=roles["alice"])
    with pytest.raises(AnnotatorError, match="not a usable database role name"):
        grant_access(project.engine, "Robert Tables")


def test_grant_needs_postgresql(tmp_path, capsys):
    project, _ = team_project(f"sqlite:///{tmp_path / 'team.db'}", tmp_path, articles=1, paragraphs=1)
    url = project.engine.url.render_as_string(hide_password=False)
    assert main(["db", "grant", "alice", "--db", url]) == 1
    assert "`db grant` is for PostgreSQL" in capsys.readouterr().err
    project.engine.dispose()
