"""`export --force` replaces only an export (it has the `.annotator-export` marker) or an empty directory."""

from __future__ import annotations

import pytest

from annotator.cli.main import main
from annotator.errors import AnnotatorError
from annotator.export.exporter import export_dataset
from annotator.export.writer import MARKER_NAME, MARKER_TEXT
from tests.export.test_export import load


def files_of(path) -> dict[str, bytes]:
    return {str(file.relative_to(path)): file.read_bytes() for file in sorted(path.rglob("*")) if file.is_file()}


def test_every_export_has_a_deterministic_marker_and_still_loads(labelled, tmp_path, no_network):
    for name in ("a", "b"):
        export_dataset(labelled.engine, tmp_path / name, seed=5)
    assert (tmp_path / "a" / MARKER_NAME).read_text(encoding="utf-8") == MARKER_TEXT
    first, second = files_of(tmp_path / "a"), files_of(tmp_path / "b")
    assert first == second  # marker and data: byte-identical for the same labels and seed
    gold = load(tmp_path / "a", "gold", no_network)
    assert sum(split.num_rows for split in gold.values()) > 0


def test_force_refuses_a_directory_that_is_not_an_export(labelled, db_url, tmp_path, capsys):
    thesis = tmp_path / "thesis"
    (thesis / "figures").mkdir(parents=True)
    (thesis / "thesis.tex").write_text("\\chapter{Introduction}\n")
    (thesis / "figures" / "one.pdf").write_bytes(b"%PDF")
    before = files_of(thesis)
    with pytest.raises(AnnotatorError, match="is not an annotator export"):
        export_dataset(labelled.engine, thesis, force=True)
    capsys.readouterr()
    assert main(["export", "--out", str(thesis), "--force", "--db", db_url]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"annotator: error: {thesis} is not an annotator export (no .annotator-export marker); refusing to replace it"
    ]
    assert files_of(thesis) == before
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".thesis")]  # no partial export left


def test_force_replaces_an_export_or_an_empty_directory(labelled, db_url, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["export", "--out", str(empty), "--force", "--db", db_url]) == 0
    assert (empty / MARKER_NAME).is_file() and (empty / "README.md").is_file()
    (empty / "stale.parquet").write_bytes(b"old")  # inside an export: replaced with it
    assert main(["export", "--out", str(empty), "--force", "--db", db_url]) == 0
    assert not (empty / "stale.parquet").exists() and (empty / MARKER_NAME).is_file()
    assert main(["export", "--out", str(empty), "--db", db_url]) == 1
    assert "already exists: use --force" in capsys.readouterr().err
