"""A plain (non-editable) install finds its migrations, codebook, guidelines and sample corpus."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("annotator-*.whl")
    return built


def test_wheel_carries_the_data_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for wanted in (
        "annotator/_migrations/env.py",
        "annotator/_migrations/script.py.mako",
        "annotator/_guidelines/codebook.yaml",
        "annotator/_guidelines/examples/tiny-codebook.yaml",
        "annotator/_guidelines/index.md",
        "annotator/sample_corpus/sample.jsonl",
    ):
        assert wanted in names, f"{wanted} missing from the wheel"
    revisions = [name for name in names if name.startswith("annotator/_migrations/versions/2") and name.endswith(".py")]
    assert len(revisions) == len(list((ROOT / "migrations/versions").glob("2*.py")))


def test_installed_copy_works_from_another_directory(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    env = os.environ | {"PYTHONPATH": str(target)}
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()

    def run(*argv: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "annotator", *argv], cwd=workdir, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    where = subprocess.run(
        [sys.executable, "-c", "import annotator; print(annotator.__file__)"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(target))
    run("init")
    corpus = target / "annotator" / "sample_corpus"
    assert "imported" in run("import", str(corpus))
    assert "ok" in run("codebook", "validate")
    assert (workdir / "annotator.db").exists()
