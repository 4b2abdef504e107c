"""Each failure the CLI can meet is one line on stderr, exit 1, no traceback, nothing half written.

One test per bug found (on SQLite and PostgreSQL where a database is involved); the random
search over every input file type is `tests/cli/test_fuzz_inputs.py`.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import ProgrammingError

from annotator.cli import main as cli_main
from annotator.cli.main import main
from annotator.db.engine import make_engine, read_session, resolve_url
from annotator.db.models import Annotation, Article, Passage
from tests.conftest import PG_URL

DEEP = 100_000
# A stderr line is `annotator: ...` or a `path:line: reason` line (codebook problems after the first).
STDERR_LINE = re.compile(r"^(annotator: |\S.*?:\d+: \S)")


def deep_json() -> str:
    return "[" * DEEP + "]" * DEEP


def counts(db_url: str) -> tuple[int, int, int]:
    engine = make_engine(resolve_url(db_url))
    try:
        with read_session(engine) as session:
            return tuple(
                session.scalar(select(func.count()).select_from(table)) for table in (Article, Passage, Annotation)
            )  # type: ignore[return-value]
    finally:
        engine.dispose()


def external_ids(db_url: str) -> list[str]:
    engine = make_engine(resolve_url(db_url))
    try:
        with read_session(engine) as session:
            return sorted(session.scalars(select(Article.external_id)))
    finally:
        engine.dispose()


def run(capsys, *argv: str) -> tuple[int, str, list[str]]:
    """Exit code, stdout and the stderr lines of one in-process run; checks the stderr rule."""
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert all(STDERR_LINE.match(line) for line in lines), captured.err
    return code, captured.out, lines


def good_jsonl(path: Path, article_id: str) -> Path:
    path.write_text(
        json.dumps({"id": article_id, "text": f"A good article {article_id}.\n\nIts second paragraph."}) + "\n"
    )
    return path


@pytest.fixture
def initialised(db_url, capsys) -> str:
    assert main(["init", "--db", db_url]) == 0
    capsys.readouterr()
    return db_url


@pytest.fixture
def no_ui(monkeypatch):
    """`annotate` checks its option files, then would start Textual: stop there."""
    import annotator.tui.app

    monkeypatch.setattr(annotator.tui.app, "run_app", lambda *args, **kwargs: 0)


def test_deeply_nested_json_in_every_import_is_one_line(initialised, tmp_path, capsys):
    db = initialised
    (tmp_path / "deep.jsonl").write_text('{"text": "x", "meta": ' + deep_json() + "}\n")
    (tmp_path / "side.txt").write_text("A text with a sidecar.\n")
    (tmp_path / "side.json").write_text(deep_json())
    (tmp_path / "meta.jsonl").write_text(
        json.dumps({"text": "Nested metadata.", "m": json.loads("[" * 150 + "]" * 150)}) + "\n"
    )
    good = good_jsonl(tmp_path / "z-good.jsonl", "good")
    code, _out, err = run(capsys, "import", str(tmp_path), "--db", db)
    assert code == 1
    assert err == [
        f"annotator: error: {tmp_path / 'deep.jsonl'}:1: malformed JSON: nested too deeply",
        f"annotator: error: {tmp_path / 'meta.jsonl'}:1: malformed JSON: nested too deeply (more than 100 levels)",
        f"annotator: error: {tmp_path / 'side.json'}:1: malformed JSON: nested too deeply",
    ]
    assert external_ids(db) == ["good"]
    before = counts(db)
    (tmp_path / "labels.jsonl").write_text('{"article": "good", "layer": ' + deep_json() + "}\n")
    code, _out, err = run(capsys, "import-labels", str(tmp_path / "labels.jsonl"), "--db", db)
    assert code == 1 and err[0] == f"annotator: error: {tmp_path / 'labels.jsonl'}:1: not JSON (nested too deeply)"
    code, _out, err = run(
        capsys, "import", str(good), "--keep-spans", str(tmp_path / "labels.jsonl"), "--passages", "lines", "--db", db
    )
    assert code == 1 and err == [f"annotator: error: {tmp_path / 'labels.jsonl'}:1: not JSON (nested too deeply)"]
    assert counts(db) == before


def test_deeply_nested_yaml_codebook_keymap_and_mapping_are_one_line(db_url, tmp_path, capsys, no_ui):
    deep = tmp_path / "deep.yaml"
    deep.write_text(deep_json())
    code, _out, err = run(capsys, "init", "--codebook", str(deep), "--db", db_url)
    assert code == 1 and err == [f"annotator: error: {deep}:1: YAML nested too deeply"]
    assert run(capsys, "init", "--db", db_url)[0] == 0
    for argv in (["codebook", "apply", str(deep)], ["codebook", "apply", str(deep), "--dry-run"]):
        code, _out, err = run(capsys, *argv, "--db", db_url)
        assert code == 1 and err == [f"annotator: error: {deep}:1: YAML nested too deeply"]
    assert run(capsys, "codebook", "validate", str(deep))[0] == 1
    assert run(capsys, "annotators", "add", "alice", "--db", db_url)[0] == 0
    code, _out, err = run(capsys, "annotate", "--annotator", "alice", "--keymap", str(deep), "--db", db_url)
    assert (
        code == 1 and len(err) == 1 and err[0].startswith(f"annotator: error: {deep}") and "nested too deeply" in err[0]
    )
    (tmp_path / "date.yaml").write_text("passage.done: 2001-13-45\n")  # PyYAML: ValueError, month 13
    code, _out, err = run(
        capsys, "annotate", "--annotator", "alice", "--keymap", str(tmp_path / "date.yaml"), "--db", db_url
    )
    assert code == 1 and len(err) == 1 and err[0].startswith(f"annotator: error: {tmp_path / 'date.yaml'}")
    (tmp_path / "spans.txt").write_text("1\tLoaded_Language\t0\t3\n")
    code, _out, err = run(
        capsys, "import-labels", str(tmp_path / "spans.txt"), "--format", "ptc", "--annotator", "alice",
        "--mapping", str(deep), "--db", db_url,
    )  # fmt: skip
    assert code == 1 and err == [f"annotator: error: {deep}: cannot read mapping (YAML nested too deeply)"]


@pytest.mark.parametrize("value", ["0", "-5"])
def test_max_chars_below_one_is_one_line(initialised, tmp_path, capsys, value):
    good = good_jsonl(tmp_path / "good.jsonl", "a")
    code, _out, err = run(capsys, "import", str(good), "--max-chars", value, "--db", initialised)
    assert code == 1 and err == [f"annotator: error: --max-chars must be at least 1; got {value}"]
    assert counts(initialised) == (0, 0, 0)


@pytest.mark.parametrize("command", [["status"], ["init"], ["import", "PATH"], ["annotators", "list"]])
def test_a_text_file_as_db_is_one_line(tmp_path, capsys, command):
    not_db = tmp_path / "notes.txt"
    not_db.write_text("these are my notes, not a database\n" * 100)
    argv = [str(good_jsonl(tmp_path / "a.jsonl", "a")) if part == "PATH" else part for part in command]
    for db in (str(not_db), f"sqlite:///{not_db}"):
        code, _out, err = run(capsys, *argv, "--db", db)
        assert code == 1 and err == ["annotator: error: database: file is not a database"]
    assert not_db.read_text() == "these are my notes, not a database\n" * 100


def test_export_to_an_unwritable_place_is_one_line(initialised, tmp_path, capsys):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    for out in ("/proc/x", str(a_file / "x")):
        code, _out, err = run(capsys, "export", "--out", out, "--db", initialised)
        assert (
            code == 1
            and len(err) == 1
            and err[0].startswith(f"annotator: error: {out}: cannot create the export there:")
        )
    assert not [path for path in tmp_path.rglob("*") if "partial" in path.name]


def test_a_gazetteer_field_over_128_kib_is_one_line(initialised, tmp_path, capsys, no_ui):
    assert run(capsys, "annotators", "add", "alice", "--db", initialised)[0] == 0
    gazetteer = tmp_path / "names.csv"
    gazetteer.write_text(
        "text,layer,label\nAl-Shabaab,actors,rebel_groups\n" + "x" * 200_000 + ",actors,rebel_groups\n"
    )
    code, _out, err = run(
        capsys, "annotate", "--annotator", "alice", "--gazetteer", str(gazetteer), "--db", initialised
    )
    assert code == 1 and len(err) == 1 and err[0].startswith(f"annotator: error: {gazetteer}:3: ")
    assert "field larger than field limit" in err[0]
    (tmp_path / "deep.jsonl").write_text(deep_json() + "\n")
    code, _out, err = run(
        capsys, "annotate", "--annotator", "alice", "--gazetteer", str(tmp_path / "deep.jsonl"), "--db", initialised
    )
    assert code == 1 and len(err) == 1 and err[0].startswith(f"annotator: error: {tmp_path / 'deep.jsonl'}:1: ")
    assert "nested too deeply" in err[0]


def test_nul_characters_and_long_ids_are_refused_per_record_and_the_rest_imports(initialised, tmp_path, capsys):
    db = initialised
    nul = "text contains a NUL character (U+0000), which the database cannot store"
    (tmp_path / "a-nul-text.jsonl").write_text(json.dumps({"id": "n1", "text": "before\u0000after"}) + "\n")
    (tmp_path / "b-nul-title.jsonl").write_text(
        json.dumps({"id": "n2", "text": "Fine text."})
        + "\n"
        + json.dumps({"id": "n3", "title": "a\u0000", "text": "More."})
        + "\n"
    )
    (tmp_path / "c-nul-meta.jsonl").write_text(json.dumps({"text": "Fine.", "extra": {"k": ["\u0000"]}}) + "\n")
    (tmp_path / "d-nul.csv").write_text('id,title,text\nc1,"x","fine"\n')  # a clean CSV (a raw NUL byte is binary)
    (tmp_path / "e-side.txt").write_text("A text whose sidecar has a NUL.\n")
    (tmp_path / "e-side.json").write_text('{\n  "title": "ok",\n  "author": "x\\u0000y"\n}\n')
    (tmp_path / "f-long-id.jsonl").write_text(json.dumps({"id": "i" * 256, "text": "Long id."}) + "\n")
    (tmp_path / "g-long-id.txt").write_text("Sidecar with a long id.\n")
    (tmp_path / "g-long-id.json").write_text(json.dumps({"id": "j" * 300}))
    (tmp_path / "h-max-id.jsonl").write_text(json.dumps({"id": "k" * 255, "text": "Longest id allowed."}) + "\n")
    good_jsonl(tmp_path / "z-good.jsonl", "z")
    code, out, err = run(capsys, "import", str(tmp_path), "--db", db)
    assert code == 1
    assert err == [
        f"annotator: error: {tmp_path / 'a-nul-text.jsonl'}:1: {nul}",
        f"annotator: error: {tmp_path / 'b-nul-title.jsonl'}:2: {nul}",
        f"annotator: error: {tmp_path / 'c-nul-meta.jsonl'}:1: {nul}",
        f"annotator: error: {tmp_path / 'e-side.json'}:3: {nul}",
        f"annotator: error: {tmp_path / 'f-long-id.jsonl'}:1: field 'id' is 256 characters long (at most 255)",
        f"annotator: error: {tmp_path / 'g-long-id.json'}:1: field 'id' is 300 characters long (at most 255)",
    ]
    assert "; 6 files failed" in out
    assert external_ids(db) == ["c1", "k" * 255, "z"]
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "l.jsonl").write_text(
        json.dumps({"article": "z", "annotator": "a\u0000", "layer": "x", "label": "y"}) + "\n"
    )
    code, _out, err = run(capsys, "import-labels", str(labels / "l.jsonl"), "--db", db)
    assert code == 1 and err[0] == f"annotator: error: {labels / 'l.jsonl'}:1: {nul}"
    (labels / "p.tsv").write_text("z\x00\tLoaded_Language\t0\t3\nz\tLoaded_Language\t²\t3\n")
    code, _out, err = run(
        capsys, "import-labels", str(labels / "p.tsv"), "--format", "ptc", "--annotator", "p", "--db", db
    )
    assert code == 1 and err[:2] == [
        f"annotator: error: {labels / 'p.tsv'}:1: {nul}",
        f"annotator: error: {labels / 'p.tsv'}:2: start and end must be integers",
    ]


def test_a_database_error_rolls_back_only_its_file(initialised, tmp_path, capsys, monkeypatch):
    from annotator.importing import importer

    real = importer._ids_by_hash

    def broken_for_b(session, hashes):
        found = real(session, hashes)
        titles = dict(
            session.execute(select(Article.sha256, Article.external_id).where(Article.sha256.in_(hashes))).all()
        )
        # Article b is inserted, then its passages point at no article: a foreign-key violation.
        return {sha: (10**9 if titles.get(sha) == "b" else article_id) for sha, article_id in found.items()}

    monkeypatch.setattr(importer, "_ids_by_hash", broken_for_b)
    for name in ("a", "b", "c"):
        good_jsonl(tmp_path / f"{name}.jsonl", name)
    code, out, err = run(capsys, "import", str(tmp_path), "--db", initialised)
    assert code == 1 and len(err) == 1
    assert err[0].startswith(f"annotator: error: {tmp_path / 'b.jsonl'}: database error: ")
    assert "2 articles" in out and "1 files failed" in out
    assert external_ids(initialised) == ["a", "c"]
    assert counts(initialised)[1] == 4


def test_database_message_names_permission_denied():
    denied = ProgrammingError("INSERT ...", {}, _Orig("permission denied for table articles\nmore", "42501"))
    other = ProgrammingError("SELECT ...", {}, _Orig('relation "x" does not exist', "42P01"))
    assert cli_main.database_message(denied) == "database: permission denied: table articles"
    assert cli_main.database_message(other) == 'database: relation "x" does not exist'


class _Orig(Exception):
    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.fixture
def no_rights(pg_schema_url, capsys):
    """An initialised PostgreSQL project with bob, and the login role of alice (a lead, who may not change people)."""
    role = f"alice_{uuid.uuid4().hex[:8]}"
    assert main(["init", "--db", pg_schema_url]) == 0
    assert main(["annotators", "add", "bob", "--db", pg_schema_url]) == 0
    assert main(["db", "grant", "alice", "--role", "lead", "--db-role", role, "--db", pg_schema_url]) == 0
    capsys.readouterr()
    yield pg_schema_url, pg_schema_url.replace("//postgres@", f"//{role}@", 1)
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'DROP OWNED BY "{role}"'))
        connection.execute(text(f'DROP ROLE "{role}"'))
    admin.dispose()


def test_permission_denied_on_postgresql_is_one_line_and_nothing_claims_success(no_rights, tmp_path, capsys):
    owner, alice = no_rights
    code, out, err = run(capsys, "annotators", "remove", "bob", "--db", alice)
    assert code == 1 and "removed" not in out
    assert len(err) == 1 and err[0].startswith("annotator: error: database: permission denied: "), err
    code, out, err = run(capsys, "annotators", "add", "carol", "--db", alice)
    assert code == 1 and "added" not in out and err[0].startswith("annotator: error: database: permission denied: ")
    good = good_jsonl(tmp_path / "a.jsonl", "a")
    code, out, err = run(capsys, "import", str(good), "--db", alice)
    assert code == 1 and err == [f"annotator: error: {good}: database error: permission denied for table articles"]
    assert counts(owner) == (0, 0, 0)
    listed = run(capsys, "annotators", "list", "--db", owner)[1]
    assert listed.count("active") == 2 and "bob" in listed and "carol" not in listed
