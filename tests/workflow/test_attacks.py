"""Attacks on a shared PostgreSQL set up as the README says, by annotator and lead roles (PostgreSQL only).

Each attack is raw SQL sent through the attacker's own login role (made with `annotator db
grant`), in a transaction of its own. Every one must be refused with an error whose SQLSTATE
says why, and leave every table, as the owner reads it, exactly as it was. Reads an attacker
may not make return only the attacker's own rows.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from annotator.adjudication import accept_version
from annotator.assignment import start_dynamic
from annotator.cli.main import main
from annotator.db.engine import make_engine
from annotator.labels import LabelContent
from annotator.project import open_project
from annotator.releases import create_release
from annotator.workbench import Workbench
from tests.conftest import PG_URL, pg_unavailable_reason
from tests.workflow.team import passage_ids, team_project

DENIED = "42501"  # insufficient_privilege (also: permission denied, row-level security)
CHECK = "23514"  # check_violation
SNAPSHOT_TABLES = (
    "annotations",
    "assignments",
    "annotators",
    "passages",
    "articles",
    "adjudications",
    "settings",
    "releases",
    "codebook_versions",
)


@pytest.fixture(scope="module")
def arena(tmp_path_factory):
    """A dynamic project (overlap 2) in a schema of its own: alice and bob finished passage 0,
    lee adjudicated it (bob's version), alice holds a claim on passage 1, release v1 is cut."""
    reason = pg_unavailable_reason()
    if reason:
        if os.environ.get("ANNOTATOR_REQUIRE_PG") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    suffix = uuid.uuid4().hex[:8]
    roles = {name: f"{name}_{suffix}" for name in ("alice", "bob", "lee", "lena")}
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    engines = {}
    project = None
    try:
        project, people = team_project(
            url, tmp_path_factory.mktemp("arena"), articles=2, paragraphs=2, leads=("lee", "lena")
        )
        for name, role in roles.items():
            kind = "lead" if name in ("lee", "lena") else "annotator"
            assert main(["db", "grant", name, "--role", kind, "--db-role", role, "--db", url]) == 0
            engines[name] = make_engine(url.replace("//postgres@", f"//{role}@", 1))
        start_dynamic(project.engine, overlap=2)
        pids = passage_ids(project)
        own = {name: open_project(engines[name].url.render_as_string(hide_password=False)) for name in roles}
        revisions = {}
        for name, label in (("alice", "battles"), ("bob", "riots")):
            bench = Workbench(own[name].engine, people[name], own[name].active)
            assert bench.resume_passage() == pids[0]
            revisions[name] = bench.add(pids[0], LabelContent("event_type", label)).id
            bench.set_status(pids[0], "done")
        decision = accept_version(
            own["lee"].engine,
            lead_id=people["lee"],
            passage_id=pids[0],
            annotator_id=people["bob"],
            layers=["event_type"],
        )
        revisions["gold"] = decision[0].gold_revision_ids[0]
        alice = Workbench(own["alice"].engine, people["alice"], own["alice"].active)
        assert alice.claim_next() == pids[1]
        create_release(project.engine, "v1")
        for opened in own.values():
            opened.engine.dispose()
        yield {"project": project, "people": people, "engines": engines, "pids": pids, "revisions": revisions}
    finally:
        for engine in engines.values():
            engine.dispose()
        if project is not None:
            project.engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            for role in roles.values():
                if connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
                    connection.execute(text(f'DROP OWNED BY "{role}"'))
                    connection.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


def snapshot(arena) -> dict[str, list]:
    """Every row of every table, as the owner reads them."""
    with arena["project"].engine.connect() as connection:
        return {
            table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
            for table in SNAPSHOT_TABLES
        }


def label_row(arena, attacker: str, **overrides) -> tuple[str, dict]:
    """An INSERT of a label revision by `attacker`, honest unless `overrides` change it."""
    people, pids = arena["people"], arena["pids"]
    values = {
        "passage_id": pids[0],
        "annotator_id": people[attacker],
        "layer": "event_type",
        "label": "protests",
        "attributes": "{}",
        "codebook_version_id": 1,
        "deleted": False,
        "origin": "manual",
        "needs_review": False,
        "supersedes_id": None,
    }
    values.update(overrides)
    columns = ", ".join(values)
    created = ", created_at" if "created_at" not in values else ""
    now = ", now()" if created else ""
    placeholders = ", ".join(f"CAST(:{key} AS json)" if key == "attributes" else f":{key}" for key in values)
    return f"INSERT INTO annotations ({columns}{created}) VALUES ({placeholders}{now})", values


def work_row(arena, attacker: str, passage: int, **overrides) -> tuple[str, dict]:
    """An INSERT of a work row (assignment) by `attacker`."""
    values = {
        "passage_id": arena["pids"][passage],
        "annotator_id": arena["people"][attacker],
        "status": "done",
        "active_seconds": 0.0,
        "assigned_at": "2026-12-01T00:00:00Z",
        "claimed_at": None,
    }
    values.update(overrides)
    placeholders = ", ".join(f":{key}" for key in values)
    return (
        f"INSERT INTO assignments ({', '.join(values)}, rejected_suggestions, created_at, updated_at) "
        f"VALUES ({placeholders}, CAST('[]' AS json), now(), now())",
        values,
    )


# (attacker, description, builder(arena) -> (sql, params), SQLSTATEs that count as refused)
LABEL_ATTACKS = [
    (
        "alice",
        "tombstone over bob's label",
        lambda a: label_row(a, "alice", deleted=True, supersedes_id=a["revisions"]["bob"]),
        {DENIED},
    ),
    ("alice", "edit over bob's label", lambda a: label_row(a, "alice", supersedes_id=a["revisions"]["bob"]), {DENIED}),
    (
        "alice",
        "tombstone over a gold label",
        lambda a: label_row(a, "alice", deleted=True, supersedes_id=a["revisions"]["gold"]),
        {DENIED},
    ),
    (
        "alice",
        "gold-origin tombstone over gold",
        lambda a: label_row(a, "alice", deleted=True, origin="adjudication", supersedes_id=a["revisions"]["gold"]),
        {DENIED},
    ),
    ("alice", "label in bob's name", lambda a: label_row(a, "bob"), {DENIED}),
    ("alice", "gold label as an annotator", lambda a: label_row(a, "alice", origin="adjudication"), {DENIED}),
    ("alice", "origin import", lambda a: label_row(a, "alice", origin="import"), {DENIED}),
    ("alice", "origin codebook_migration", lambda a: label_row(a, "alice", origin="codebook_migration"), {DENIED}),
    ("alice", "explicit id inside the frozen release", lambda a: label_row(a, "alice", id=-1), {DENIED}),
    (
        "alice",
        "explicit id inside the frozen release, superseding",
        lambda a: label_row(a, "alice", id=-2, deleted=True, supersedes_id=a["revisions"]["alice"]),
        {DENIED},
    ),
    ("alice", "backdated created_at", lambda a: label_row(a, "alice", created_at="2020-01-01T00:00:00Z"), {CHECK}),
    ("alice", "unknown layer", lambda a: label_row(a, "alice", layer="mood"), {CHECK}),
    ("alice", "unknown label", lambda a: label_row(a, "alice", label="heroic_deeds"), {CHECK}),
    ("alice", "regex in the label", lambda a: label_row(a, "alice", label=".*"), {CHECK}),
    (
        "alice",
        "a codebook version that is not active",
        lambda a: label_row(a, "alice", codebook_version_id=999),
        {CHECK},
    ),
    (
        "alice",
        "a span outside the passage",
        lambda a: label_row(a, "alice", layer="actors", label="state_forces", span_start=0, span_end=100000),
        {CHECK},
    ),
    ("alice", "a tombstone of nothing", lambda a: label_row(a, "alice", deleted=True), {CHECK}),
    (
        "alice",
        "probe a revision id that does not exist",
        lambda a: label_row(a, "alice", supersedes_id=987654),
        {DENIED},
    ),
    (
        "alice",
        "own revision moved to another passage",
        lambda a: label_row(a, "alice", passage_id=a["pids"][1], supersedes_id=a["revisions"]["alice"]),
        {DENIED},
    ),
    ("lee", "gold in another lead's name", lambda a: label_row(a, "lena", origin="adjudication"), {DENIED}),
    (
        "lee",
        "gold over an annotator's label",
        lambda a: label_row(a, "lee", origin="adjudication", deleted=True, supersedes_id=a["revisions"]["bob"]),
        {DENIED},
    ),
    (
        "lee",
        "manual tombstone over an annotator's label",
        lambda a: label_row(a, "lee", deleted=True, supersedes_id=a["revisions"]["bob"]),
        {DENIED},
    ),
    (
        "lee",
        "manual tombstone over gold",
        lambda a: label_row(a, "lee", deleted=True, supersedes_id=a["revisions"]["gold"]),
        {DENIED},
    ),
    ("lee", "origin import as a lead", lambda a: label_row(a, "lee", origin="import"), {DENIED}),
    ("lee", "explicit id as a lead", lambda a: label_row(a, "lee", id=-1, origin="adjudication"), {DENIED}),
]

TABLE_COLUMN = {
    "annotations": "label",
    "assignments": "passage_id",
    "annotators": "role",
    "passages": "annotatable",
    "articles": "title",
    "adjudications": "rationale",
    "settings": "value",
    "releases": "note",
    "codebook_versions": "content",
    "alembic_version": "version_num",
}
SQL_ATTACKS = [
    *(
        (who, f"UPDATE {table}", f"UPDATE {table} SET {column} = {column}", {DENIED})
        for who in ("alice", "lee")
        for table, column in TABLE_COLUMN.items()
        if (who, table) not in {("lee", "settings")}
    ),
    *(
        (who, f"DELETE FROM {table}", f"DELETE FROM {table}", {DENIED})
        for who in ("alice", "lee")
        for table in TABLE_COLUMN
    ),
    *(
        (who, f"TRUNCATE {table}", f"TRUNCATE {table} CASCADE", {DENIED})
        for who in ("alice", "lee")
        for table in TABLE_COLUMN
    ),
    *(
        (who, f"LOCK {table}", f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE", {DENIED})
        for who in ("alice", "lee")
        for table in TABLE_COLUMN
    ),
    ("alice", "LOCK passages (share)", "LOCK TABLE passages IN SHARE MODE", {DENIED}),
    ("alice", "row locks on every passage", "SELECT id FROM passages FOR UPDATE", {DENIED}),
    ("alice", "key-share locks on every passage", "SELECT id FROM passages FOR KEY SHARE", {DENIED}),
    ("lee", "row locks on every passage (lead)", "SELECT id FROM passages FOR UPDATE", {DENIED}),
    (
        "alice",
        "setting the assignment mode",
        "INSERT INTO settings (key, value) VALUES ('assignment.overlap', '9')",
        {DENIED},
    ),
    ("alice", "rewind the label sequence", "SELECT setval('annotations_id_seq', 1)", {DENIED}),
    ("alice", "read the label sequence", "SELECT last_value FROM annotations_id_seq", {DENIED}),
    ("alice", "call the trigger function", "SELECT annotations_guard()", {DENIED, "0A000"}),
    ("alice", "claim for someone else", "SELECT claim_next_passage((SELECT id FROM annotator_self) + 1)", {DENIED}),
    (
        "alice",
        "lock passages through the place count",
        "SELECT passage_places(id) FROM passages WHERE annotatable",
        {DENIED},
    ),
    ("alice", "move a work row to another passage", "UPDATE assignments SET passage_id = passage_id + 1", {DENIED}),
    ("alice", "give a work row to bob", "UPDATE assignments SET annotator_id = annotator_id + 1", {DENIED}),
    ("alice", "stamp a row as assigned", "UPDATE assignments SET assigned_at = now()", {DENIED}),
    ("alice", "renew a claim by hand", "UPDATE assignments SET claimed_at = now()", {DENIED}),
    (
        "alice",
        "a decision",
        "INSERT INTO adjudications (passage_id, layer, lead_id, method, dispute_key, source_revision_ids, gold_revision_ids, decided_at) SELECT min(id), 'event_type', 1, 'edit', '', '[]', '[]', now() FROM passages",
        {DENIED},
    ),
    (
        "alice",
        "a new annotator",
        "INSERT INTO annotators (name, role, active, created_at) VALUES ('mallory', 'lead', true, now())",
        {DENIED},
    ),
]


def test_the_attack_lists_are_distinct():
    names = [(who, name) for who, name, *_ in [*LABEL_ATTACKS, *SQL_ATTACKS]]
    assert len(names) == len(set(names))


def _refused(arena, attacker: str, statement: str, params: dict, codes: set[str]) -> str:
    before = snapshot(arena)
    with arena["engines"][attacker].connect() as connection:
        with pytest.raises(DBAPIError) as refused:
            connection.execute(text(statement), params)
            connection.commit()  # a deferred check would fail here
        connection.rollback()
    assert refused.value.orig.sqlstate in codes, str(refused.value.orig)
    assert snapshot(arena) == before
    message = str(refused.value.orig)
    assert message.splitlines()[0].strip()
    return message


@pytest.mark.parametrize(("attacker", "name", "build", "codes"), LABEL_ATTACKS, ids=[row[1] for row in LABEL_ATTACKS])
def test_label_writes_outside_the_rules_are_refused(arena, attacker, name, build, codes):
    statement, params = build(arena)
    _refused(arena, attacker, statement, params, codes)


@pytest.mark.parametrize(
    ("attacker", "name", "statement", "codes"), SQL_ATTACKS, ids=[f"{row[0]}: {row[1]}" for row in SQL_ATTACKS]
)
def test_other_writes_and_locks_are_refused(arena, attacker, name, statement, codes):
    _refused(arena, attacker, statement, {}, codes)


WORK_ATTACKS = [
    ("self-assigned done row past the overlap", lambda a: work_row(a, "alice", 2)),
    ("unassigned row in dynamic mode", lambda a: work_row(a, "alice", 3, status="in_progress", assigned_at=None)),
    (
        "claimed row made by hand",
        lambda a: work_row(a, "alice", 3, status="todo", assigned_at=None, claimed_at="2026-12-01T00:00:00Z"),
    ),
    ("row for bob", lambda a: work_row(a, "bob", 3, assigned_at=None)),
]


@pytest.mark.parametrize(("name", "build"), WORK_ATTACKS, ids=[row[0] for row in WORK_ATTACKS])
def test_self_assignment_is_refused(arena, name, build):
    statement, params = build(arena)
    _refused(arena, "alice", statement, params, {DENIED})


def test_a_hidden_revision_and_a_missing_one_give_the_same_answer(arena):
    hidden, missing = (
        _refused(arena, "alice", *label_row(arena, "alice", supersedes_id=revision), {DENIED})
        for revision in (arena["revisions"]["bob"], 987654)
    )
    assert hidden == missing


FILTERED_WRITES = [
    ("alice", "UPDATE assignments SET status = 'todo' WHERE annotator_id <> (SELECT id FROM annotator_self)"),
    ("alice", "UPDATE assignments SET note = 'mine now' WHERE annotator_id <> (SELECT id FROM annotator_self)"),
]


@pytest.mark.parametrize(("attacker", "statement"), FILTERED_WRITES)
def test_writes_to_other_peoples_work_rows_change_nothing(arena, attacker, statement):
    before = snapshot(arena)
    with arena["engines"][attacker].begin() as connection:
        assert connection.execute(text(statement)).rowcount == 0
    assert snapshot(arena) == before


def test_annotators_read_only_their_own_rows(arena):
    people = arena["people"]
    with arena["engines"]["alice"].connect() as connection:
        assert connection.execute(text("SELECT id FROM annotators")).scalars().all() == [people["alice"]]
        assert connection.execute(text("SELECT DISTINCT annotator_id FROM annotations")).scalars().all() == [
            people["alice"]
        ]
        assert connection.execute(text("SELECT DISTINCT annotator_id FROM assignments")).scalars().all() == [
            people["alice"]
        ]
        workload = connection.execute(text("SELECT count(*) FROM passage_workload")).scalar_one()
        own = connection.execute(text("SELECT count(*) FROM assignments")).scalar_one()
        assert workload == own == 2  # passage 0 done, passage 1 claimed: nobody else's rows or times
        assert connection.scalar(text("SELECT count(*) FROM adjudications")) == 0
        assert connection.scalar(text("SELECT count(*) FROM annotations WHERE origin = 'adjudication'")) == 0
    with arena["engines"]["lee"].connect() as connection:  # leads read everyone
        assert connection.scalar(text("SELECT count(*) FROM annotators")) == len(people)
        assert connection.scalar(text("SELECT count(*) FROM passage_workload")) == 3


def test_roles_get_session_timeouts(arena):
    for name in ("alice", "lee"):
        with arena["engines"][name].connect() as connection:
            assert connection.scalar(text("SHOW idle_in_transaction_session_timeout")) == "1min"
            assert connection.scalar(text("SHOW lock_timeout")) == "10s"


def test_work_row_times_are_the_servers(arena):
    with arena["engines"]["alice"].begin() as connection:  # a claim that would never lapse
        connection.execute(text("UPDATE assignments SET updated_at = '2099-01-01T00:00:00Z'"))
    with arena["project"].engine.connect() as connection:
        latest = connection.scalar(
            text("SELECT max(updated_at) FROM assignments WHERE annotator_id = :a"), {"a": arena["people"]["alice"]}
        )
        assert latest <= connection.scalar(text("SELECT now()"))
