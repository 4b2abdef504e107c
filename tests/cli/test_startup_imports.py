"""Start-up: a command loads only the libraries it needs, so the quick ones start quickly.

Each command runs in a fresh process, which then lists the heavy libraries it has imported:
data frames, datasets, the Hugging Face hub, Alembic (needed only to change the schema), the
PostgreSQL driver (a SQLite project never needs it) and the terminal UI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli.main import COMMANDS, build_parser, main
from annotator.db import migrate

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "numpy", "pyarrow", "datasets", "huggingface_hub", "alembic", "psycopg", "textual", "rich")
CHILD = f"""
import json, sys
from annotator.cli.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
loaded = sorted({{name.split(".")[0] for name in sys.modules}} & set({HEAVY!r}))
print(json.dumps({{"code": code, "loaded": loaded}}))
"""


def heavy_imports(*argv: str) -> list[str]:
    """The heavy libraries `annotator ARGV` imports, run in a fresh process; it must succeed."""
    result = subprocess.run([sys.executable, "-c", CHILD, *argv], cwd=ROOT, capture_output=True, text=True, check=True)
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert outcome["code"] == 0, result
    return outcome["loaded"]


@pytest.fixture
def sqlite_project(tmp_path) -> str:
    """An initialised SQLite project (the default codebook, no articles yet)."""
    db = str(tmp_path / "annotator.db")
    assert main(["init", "--db", db]) == 0
    return db


def test_version_imports_no_heavy_library():
    assert heavy_imports("--version") == []


@pytest.mark.parametrize("command", [["status"], ["status", "--json"], ["history", "1"], ["annotators", "list"]])
def test_read_only_commands_on_sqlite_import_no_heavy_library(sqlite_project, command):
    assert heavy_imports(*command, "--db", sqlite_project) == []


def test_every_command_is_routed_to_the_module_that_registers_it(capsys):
    (commands,) = [action for action in build_parser()._actions if action.dest == "command"]
    assert list(commands.choices) == list(COMMANDS)  # `annotator -h` lists every command, in this order
    for name in COMMANDS:
        with pytest.raises(SystemExit) as stop:
            main([name, "--help"])
        assert stop.value.code == 0 and capsys.readouterr().out.startswith(f"usage: annotator {name} "), name


def test_schema_check_without_alembic_agrees_with_alembic():
    scripts = migrate.script_directory()
    assert set(migrate.known_revisions()) == {script.revision for script in scripts.walk_revisions()}
    assert [migrate.head_revision()] == scripts.get_heads()
