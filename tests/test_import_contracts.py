"""The import contracts of pyproject.toml hold, cover every module, and catch a violation."""

from __future__ import annotations

import os
import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UI_ONLY = "Only annotator.tui imports Textual and Rich"
UI_ENTRY = "Only the commands that start the UI import annotator.tui"
CORE = "The core never reaches the UI or the command line, not even indirectly"
OUTSIDE_THE_CORE = {"tui", "cli", "__main__"}


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the package and pyproject.toml found in `cwd`."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
            "--no-cache",
            "--no-logo",
        ],
        cwd=cwd,
        env=os.environ | {"PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    assert config["root_packages"] == ["annotator"]
    return {contract["name"]: contract for contract in config["contracts"]}


def test_the_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in (UI_ONLY, UI_ENTRY, CORE):
        assert f"{name} KEPT" in result.stdout


def test_the_core_contract_lists_every_module_outside_the_ui_and_the_cli():
    listed = {module.removeprefix("annotator.") for module in contracts()[CORE]["source_modules"]}
    present = {module.name for module in pkgutil.iter_modules([str(ROOT / "annotator")])}
    assert listed == present - OUTSIDE_THE_CORE
    assert set(contracts()[CORE]["forbidden_modules"]) == {"annotator.tui", "annotator.cli", "textual", "rich"}
    assert contracts()[UI_ONLY]["allowed_importers"] == ["annotator.tui"]


VIOLATIONS = {
    "the core imports Textual": ("annotator/spans.py", "import textual\n", {UI_ONLY, CORE}),
    "the core starts the UI from inside a function": (
        "annotator/status.py",
        "\n\ndef _show():\n    from annotator.tui.app import run_app\n\n    return run_app\n",
        {UI_ENTRY, CORE},
    ),
    "a command that is no UI imports a widget": (
        "annotator/cli/export_commands.py",
        "\nfrom annotator.tui.widgets import *\n",
        {UI_ENTRY},
    ),
}


@pytest.mark.parametrize("case", list(VIOLATIONS))
def test_a_violation_breaks_its_contracts(case, tmp_path):
    path, added, broken = VIOLATIONS[case]
    shutil.copytree(ROOT / "annotator", tmp_path / "annotator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / path).open("a", encoding="utf-8") as handle:
        handle.write(added)
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    for name in (UI_ONLY, UI_ENTRY, CORE):
        assert f"{name} {'BROKEN' if name in broken else 'KEPT'}" in result.stdout, result.stdout
