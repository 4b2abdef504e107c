"""A shared PostgreSQL: one login role per person, row-level security, no spoofing (PostgreSQL only)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from annotator.adjudication import accept_version
from annotator.annotators import add_annotator
from annotator.assignment import ClaimLostError, start_dynamic
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


def test_the_honest_path_works_through_an_annotator_role(secured):
    project, people, engines, roles = secured
    pids = passage_ids(project)
    own = as_person(engines, "alice")
    bench = Workbench(own.engine, people["alice"], own.active)
    assert bench.queue_counts()["total"] == len(pids)  # open mode: every annotatable passage
    row = bench.add(pids[0], LabelContent("event_type", "battles"))
    edited = bench.edit(row, LabelContent("event_type", "riots"))
    bench.delete(edited)
    assert bench.undo() == pids[0] and bench.undo() == pids[0]  # back to "battles"
    assert bench.redo() == pids[0]
    assert [label.label for label in bench.load_passage(pids[0]).labels] == ["riots"]
    bench.set_comment(pids[0], "hard one")
    bench.add_active_time(pids[0], 12.5)
    bench.reject_suggestion(pids[0], ("event_type", "protests"))
    bench.set_status(pids[0], "done")
    bench.set_status(pids[1], "done")  # nothing to label: the work row is made on first touch
    data = bench.load_passage(pids[0])
    assert (data.status, data.comment) == ("done", "hard one")
    assert bench.queue_counts()["done"] == 2
    assert [item.passage_id for item in bench.queue_page("done")] == pids[:2]
    with engines["alice"].connect() as connection:
        created = connection.execute(text("SELECT created_at FROM annotations ORDER BY id")).scalars().all()
        assert created == sorted(created)
    own.engine.dispose()


def test_a_second_lead_revises_gold_under_their_own_name(secured):
    project, people, engines, roles = secured
    pids = passage_ids(project)
    label_and_finish(project, people["alice"], pids[0], [("event_type", "battles")])
    label_and_finish(project, people["bob"], pids[0], [("event_type", "riots")])
    lee = as_person(engines, "lee")
    accept_version(
        lee.engine, lead_id=people["lee"], passage_id=pids[0], annotator_id=people["bob"], layers=["event_type"]
    )
    url = project.engine.url.render_as_string(hide_password=False)
    roles["lena"] = roles["lee"] + "_b"  # dropped with the others
    assert main(["db", "grant", "lena", "--role", "lead", "--db-role", roles["lena"], "--db", url]) == 0
    engines["lena"] = make_engine(url.replace("//postgres@", f"//{roles['lena']}@", 1))
    lena = as_person(engines, "lena")
    with read_session(lena.engine) as session:
        lena_id = session_annotator(session, None).id
    accept_version(
        lena.engine, lead_id=lena_id, passage_id=pids[0], annotator_id=people["alice"], layers=["event_type"]
    )
    with engines["lee"].connect() as connection:
        gold = connection.execute(
            text(
                "SELECT annotator_id, label FROM annotations a WHERE origin = 'adjudication' AND NOT deleted "
                "AND NOT EXISTS (SELECT 1 FROM annotations n WHERE n.supersedes_id = a.id)"
            )
        ).all()
    assert gold == [(lena_id, "battles")]
    lee.engine.dispose()
    lena.engine.dispose()


async def test_the_annotate_screen_claims_and_queues_through_an_annotator_role(secured):
    from annotator.tui.app import AnnotatorApp
    from tests.tui.harness import screen_text, settle

    project, people, engines, roles = secured
    pids = passage_ids(project)
    start_dynamic(project.engine, overlap=1)
    own = as_person(engines, "alice")
    app = AnnotatorApp(own, people["alice"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Filed as report 0-0" in app.screen.shown_passage.text
        await pilot.press("tab", "b", "enter")  # a label, then done+next: a claim through the database
        await settle(pilot)
        assert "Filed as report 0-1" in app.screen.shown_passage.text
        await pilot.press("f2")
        await settle(pilot)
        assert "2 passages in your queue: 1 done" in screen_text(app)
    with engines["alice"].connect() as connection:
        rows = dict(connection.execute(text("SELECT passage_id, status FROM assignments")).all())
    assert rows == {pids[0]: "done", pids[1]: "todo"}
    own.engine.dispose()


def test_upgrading_takes_old_privileges_away_until_granted_again(secured):
    from annotator.db import migrate

    project, people, engines, roles = secured
    pids = passage_ids(project)
    migrate.downgrade(project.engine, "b664ac418178")
    with project.engine.begin() as connection:  # what `db grant` gave before this revision
        connection.execute(text(f'GRANT INSERT, UPDATE ON annotations, assignments, passages TO "{roles["alice"]}"'))
    migrate.upgrade(project.engine)
    with engines["alice"].connect() as connection, pytest.raises(DBAPIError, match="permission denied"):
        connection.execute(text("LOCK TABLE passages IN ACCESS EXCLUSIVE MODE"))
    url = project.engine.url.render_as_string(hide_password=False)
    assert main(["db", "grant", "alice", "--db-role", roles["alice"], "--db", url]) == 0
    own = as_person(engines, "alice")
    Workbench(own.engine, people["alice"], own.active).add(pids[0], LabelContent("event_type", "battles"))
    own.engine.dispose()


def test_claims_through_the_database_lock_and_respect_the_overlap(secured):
    project, people, engines, roles = secured
    pids = passage_ids(project)
    start_dynamic(project.engine, overlap=1)
    claim = text("SELECT claim_next_passage(:a)")
    with engines["alice"].connect() as alice, engines["bob"].connect() as bob:
        assert alice.scalar(claim, {"a": people["alice"]}) == pids[0]  # locked until alice commits
        assert bob.scalar(claim, {"a": people["bob"]}) == pids[1]  # skips the locked passage
        bob.commit()
        alice.commit()
        assert alice.scalar(claim, {"a": people["alice"]}) == pids[0]  # her open claim comes first
        alice.commit()
    with engines["lee"].connect() as lee:  # a lead claims through the same function, only for themselves
        assert lee.scalar(claim, {"a": people["lee"]}) == pids[2]
        lee.rollback()
        with pytest.raises(DBAPIError, match="only for its own annotator"):
            lee.scalar(claim, {"a": people["alice"]})
    with project.engine.connect() as owner:
        held = owner.execute(text("SELECT passage_id, count(*) FROM assignments GROUP BY passage_id")).all()
    assert sorted(held) == [(pids[0], 1), (pids[1], 1)]


def test_a_skipped_passage_is_taken_back_only_while_it_has_a_free_place(secured):
    project, people, engines, roles = secured
    pids = passage_ids(project)
    start_dynamic(project.engine, overlap=1)
    benches = {}
    for name in ("alice", "bob"):
        own = as_person(engines, name)
        benches[name] = Workbench(own.engine, people[name], own.active)
    alice, bob = benches["alice"], benches["bob"]
    assert alice.claim_next() == pids[0]
    alice.set_status(pids[0], "skipped")
    alice.set_status(pids[0], "in_progress")  # nobody took it: back again
    alice.set_status(pids[0], "skipped")
    assert bob.claim_next() == pids[0]  # the freed place
    with pytest.raises(ClaimLostError, match="you skipped it and another annotator has taken it"):
        alice.set_status(pids[0], "done")  # the tool refuses, saying why ...
    with (
        pytest.raises(DBAPIError, match="already has all its annotators"),
        engines["alice"].begin() as raw,
    ):  # ... and so does the database, for the same write sent as raw SQL
        raw.execute(text("UPDATE assignments SET status = 'done' WHERE passage_id = :p"), {"p": pids[0]})
    with project.engine.connect() as owner:
        assert (
            owner.scalar(
                text("SELECT count(*) FROM passage_workload WHERE passage_id = :p AND status <> 'skipped'"),
                {"p": pids[0]},
            )
            == 1
        )
    for bench in benches.values():
        bench.engine.dispose()
