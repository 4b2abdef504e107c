"""The command line as a user meets it: one-line errors, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import select

from annotator.annotators import add_annotator
from annotator.cli.annotate_commands import sample_corpus_dir
from annotator.cli.main import main
from annotator.db.engine import write_session
from annotator.db.models import Passage
from annotator.importing.importer import import_paths
from annotator.labels import LabelContent
from annotator.workbench import Workbench


def run(*argv: str) -> subprocess.CompletedProcess:
    """Run the real command in a fresh process."""
    env = os.environ | {"PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "annotator", *argv], capture_output=True, text=True, env=env)


def test_init_import_status_history_on_both_backends(db_url, capsys):
    assert main(["init", "--db", db_url]) == 0
    assert main(["import", str(sample_corpus_dir()), "--db", db_url]) == 0
    assert "imported" in capsys.readouterr().out
    assert main(["annotators", "add", "alice", "--db", db_url]) == 0
    assert main(["status", "--json", "--db", db_url]) == 0
    status = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert status["articles"] >= 5
    assert status["passages"]["annotatable"] > 0 < status["passages"]["not_annotatable"]
    assert [person["name"] for person in status["annotators"]] == ["alice"]
    assert main(["history", "1", "--db", db_url]) == 0
    assert "no label revisions" in capsys.readouterr().out


def test_history_shows_what_each_revision_did_to_the_attributes(project, db_url, capsys):
    import_paths(project.engine, [sample_corpus_dir()])
    with write_session(project.engine) as session:
        alice = add_annotator(session, "alice").id
        passage = session.scalar(select(Passage.id).where(Passage.annotatable.is_(True)).order_by(Passage.id))
    bench = Workbench(project.engine, alice, project.active)
    added = bench.add(passage, LabelContent("event_type", "battles", attributes={"realis": "actual"}))
    claimed = bench.edit(added, LabelContent.of(added).with_changes(attributes={"realis": "claimed"}))
    relabelled = bench.edit(claimed, LabelContent.of(claimed).with_changes(label="protests"))
    deleted = bench.delete(relabelled)
    capsys.readouterr()
    assert main(["history", str(passage), "--db", db_url]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[2:]}
    assert lines[str(added.id)].endswith("  Realis: Actual")  # display names, not the ids realis/actual
    assert lines[str(claimed.id)].endswith("  Realis: Actual -> Claimed")
    assert "Realis" not in lines[str(relabelled.id)]  # the label changed, the attributes did not
    assert "Realis" not in lines[str(deleted.id)]


def test_bad_input_is_one_line_with_nonzero_exit_and_no_traceback(tmp_path):
    db = str(tmp_path / "a.db")
    assert run("init", "--db", db).returncode == 0
    (tmp_path / "bin.txt").write_bytes(b"abc\x00def")
    (tmp_path / "empty.md").write_text("", encoding="utf-8")
    cases = {
        ("import", str(tmp_path / "missing.txt"), "--db", db): "missing.txt: no such file or directory",
        ("import", str(tmp_path / "bin.txt"), "--db", db): "bin.txt",
        ("import", str(tmp_path / "empty.md"), "--db", db): "empty.md",
        ("annotate", "--annotator", "nobody", "--db", db): "unknown annotator 'nobody'",
        ("codebook", "validate", str(tmp_path / "bin.txt")): "bin.txt",
        ("codebook", "validate", str(tmp_path / "nothing.yaml")): "nothing.yaml",
        ("history", "1", "--db", "postgresql://nobody@127.0.0.1:1/none"): "database",
        ("status", "--db", "mysql://x@y/z"): "unsupported database",
    }
    for argv, expected in cases.items():
        result = run(*argv)
        assert result.returncode != 0, argv
        assert "Traceback" not in result.stderr, (argv, result.stderr)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and expected in lines[0], (argv, result.stderr)


def test_import_reports_each_bad_file_and_imports_the_good_ones(tmp_path):
    db = str(tmp_path / "a.db")
    run("init", "--db", db)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "good.txt").write_text("A title\n\nA body paragraph.", encoding="utf-8")
    (tmp_path / "corpus" / "bad.csv").write_text("title,text\nx\n", encoding="utf-8")
    result = run("import", str(tmp_path / "corpus"), "--db", db)
    assert result.returncode == 1
    assert "imported 1 articles" in result.stdout
    assert f"{tmp_path / 'corpus' / 'bad.csv'}:2:" in result.stderr


def test_python_dash_m_and_version():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("annotator ")
