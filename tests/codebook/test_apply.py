"""`annotator codebook apply` on a project with labels in use, one test per kind of change.

The labels are made as people make them (`Workbench`, and `add_label` for a lead's
adjudication) on the sample corpus; the new codebooks are the default one edited as YAML.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from annotator.annotators import add_annotator
from annotator.cli.annotate_commands import sample_corpus_dir
from annotator.cli.main import main
from annotator.codebook import default_codebook_path
from annotator.codebook.store import ActiveCodebook
from annotator.db.engine import read_session, write_session
from annotator.db.models import Annotation, CodebookVersion, Passage
from annotator.errors import AnnotatorError
from annotator.importing.importer import import_paths
from annotator.labels import LabelContent, add_label, current_labels_query
from annotator.project import Project, open_project
from annotator.workbench import Workbench

LAYER = "event_type"
RIOTS_IN_USE = 4
"""Current riots labels: alice on two passages, bob (an edit of battles), lena's adjudication."""


@dataclass
class InUse:
    """A project whose event-type labels use `riots`, and where they are."""

    project: Project
    url: str
    people: dict[str, int]
    passages: list[int]


@pytest.fixture
def in_use(project, db_url) -> InUse:
    assert import_paths(project.engine, [sample_corpus_dir()]).ok
    with write_session(project.engine) as session:
        people = {name: add_annotator(session, name).id for name in ("alice", "bob")}
        people["lena"] = add_annotator(session, "lena", "lead").id
        passages = list(
            session.scalars(select(Passage.id).where(Passage.annotatable.is_(True)).order_by(Passage.id).limit(3))
        )
    first, second, third = passages
    alice = Workbench(project.engine, people["alice"], project.active)
    bob = Workbench(project.engine, people["bob"], project.active)
    alice.add(first, LabelContent(LAYER, "riots"))
    alice.add(first, LabelContent(LAYER, "protests"))
    alice.add(second, LabelContent(LAYER, "riots", attributes={"realis": "claimed"}))
    alice.delete(alice.add(third, LabelContent(LAYER, "riots")))  # not current: left alone
    bob.edit(bob.add(first, LabelContent(LAYER, "battles")), LabelContent(LAYER, "riots"))
    with write_session(project.engine) as session:
        add_label(
            session,
            passage_id=first,
            annotator_id=people["lena"],
            codebook_version_id=project.active.version_id,
            content=LabelContent(LAYER, "riots"),
            origin="adjudication",
        )
    assert len(_current(project, "riots")) == RIOTS_IN_USE
    return InUse(project, db_url, people, passages)


def _current(project: Project, label: str) -> list[Annotation]:
    with read_session(project.engine) as session:
        query = current_labels_query(layer=LAYER).where(Annotation.label == label)
        return list(session.scalars(query))


def _revisions(project: Project) -> list[tuple]:
    with read_session(project.engine) as session:
        rows = session.scalars(select(Annotation).order_by(Annotation.id))
        return [(r.id, r.annotator_id, r.label, r.origin, r.supersedes_id, r.deleted, r.needs_review) for r in rows]


def _active(url: str) -> ActiveCodebook:
    """The active codebook as a new process would see it."""
    project = open_project(url)
    try:
        return project.active
    finally:
        project.engine.dispose()


def _codebook() -> dict:
    return yaml.safe_load(Path(default_codebook_path()).read_text(encoding="utf-8"))


def _labels(codebook: dict, layer: str = LAYER) -> list[dict]:
    return next(item for item in codebook["layers"] if item["id"] == layer)["labels"]


def _label(codebook: dict, label_id: str, layer: str = LAYER) -> dict:
    return next(label for label in _labels(codebook, layer) if label["id"] == label_id)


def _new_label(codebook: dict, label_id: str, key: str, **fields) -> None:
    """A copy of `riots` with another id, name and key, appended to the layer."""
    riots = {field: value for field, value in _label(codebook, "riots").items() if field not in ("subtypes", "retired")}
    _labels(codebook).append(copy.deepcopy(riots) | {"id": label_id, "name": label_id.title(), "key": key} | fields)


def _write(tmp_path: Path, codebook: dict) -> Path:
    path = tmp_path / "new-codebook.yaml"
    path.write_text(yaml.safe_dump(codebook, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _apply(in_use: InUse, path: Path, capsys, *extra: str) -> list[str]:
    capsys.readouterr()
    assert main(["codebook", "apply", str(path), "--db", in_use.url, *extra]) == 0
    return capsys.readouterr().out.splitlines()


def _dry_run_then_apply(in_use: InUse, path: Path, capsys, expected: list[str], merged: int, flagged: int) -> int:
    """Apply `path` with `--dry-run` (nothing changes), then for real; returns the new version id."""
    before = _revisions(in_use.project)
    assert _apply(in_use, path, capsys, "--dry-run") == [*expected, "dry run: nothing applied"]
    assert _revisions(in_use.project) == before
    assert _active(in_use.url).version_id == in_use.project.active.version_id
    printed = _apply(in_use, path, capsys, "--note", "test change")
    version = _active(in_use.url)
    assert printed == [
        *expected,
        f"applied as codebook version {version.version_id}: {merged} labels merged, {flagged} flagged for review",
    ]
    assert version.version_id > in_use.project.active.version_id
    after = _revisions(in_use.project)
    assert after[: len(before)] == before  # every old revision is still there, unchanged
    with read_session(in_use.project.engine) as session:
        assert session.get(CodebookVersion, version.version_id).note == "test change"
        assert session.get(CodebookVersion, in_use.project.active.version_id) is not None
    again = _apply(in_use, path, capsys)
    assert again == ["no label changes", f"the codebook is already version {version.version_id}: nothing applied"]
    return version.version_id


def _history(in_use: InUse, passage_id: int, capsys) -> list[str]:
    capsys.readouterr()
    assert main(["history", str(passage_id), "--db", in_use.url]) == 0
    return capsys.readouterr().out.splitlines()


def _history_row(lines: list[str], revision: int) -> list[str]:
    (line,) = [line for line in lines if line.split() and line.split()[0] == str(revision)]
    return line.split()


def test_added_label_is_offered_and_nothing_is_migrated(in_use, tmp_path, capsys):
    codebook = _codebook()
    _new_label(codebook, "ceasefire", "f")
    before = _revisions(in_use.project)
    version = _dry_run_then_apply(
        in_use, _write(tmp_path, codebook), capsys, ["layer event_type:", "  added: ceasefire"], 0, 0
    )
    assert _revisions(in_use.project) == before
    active = _active(in_use.url)
    assert [label.id for label in active.codebook.layer(LAYER).active_labels][-1] == "ceasefire"
    row = Workbench(in_use.project.engine, in_use.people["bob"], active).add(
        in_use.passages[1], LabelContent(LAYER, "ceasefire")
    )
    assert row.codebook_version_id == version


def test_renamed_label_keeps_its_id_and_labels(in_use, tmp_path, capsys):
    codebook = _codebook()
    _label(codebook, "riots")["name"] = "Riots and mob violence [bold]"
    before = _revisions(in_use.project)
    _dry_run_then_apply(
        in_use,
        _write(tmp_path, codebook),
        capsys,
        ["layer event_type:", "  renamed: riots 'Riots' -> 'Riots and mob violence [bold]'"],
        0,
        0,
    )
    assert _revisions(in_use.project) == before
    assert _active(in_use.url).codebook.layer(LAYER).label("riots").name == "Riots and mob violence [bold]"
    assert len(_current(in_use.project, "riots")) == RIOTS_IN_USE


def test_retired_label_stays_readable_but_is_no_longer_offered(in_use, tmp_path, capsys):
    codebook = _codebook()
    _label(codebook, "riots")["retired"] = True
    before = _revisions(in_use.project)
    _dry_run_then_apply(
        in_use,
        _write(tmp_path, codebook),
        capsys,
        ["layer event_type:", f"  retired: riots ({RIOTS_IN_USE} labels affected)"],
        0,
        0,
    )
    assert _revisions(in_use.project) == before
    current = _current(in_use.project, "riots")
    assert len(current) == RIOTS_IN_USE and not any(row.needs_review for row in current)
    first = in_use.passages[0]
    riots = [row.id for row in current if row.passage_id == first]
    history = _history(in_use, first, capsys)
    assert all(_history_row(history, revision)[5] == "riots" for revision in riots)
    active = _active(in_use.url)
    assert "riots" not in {label.id for label in active.codebook.layer(LAYER).active_labels}
    with pytest.raises(AnnotatorError, match="retired"):
        Workbench(in_use.project.engine, in_use.people["bob"], active).add(
            in_use.passages[1], LabelContent(LAYER, "riots")
        )


def test_merged_labels_get_new_revisions_and_keep_their_history(in_use, tmp_path, capsys):
    codebook = _codebook()
    _label(codebook, "riots")["retired"] = True
    _label(codebook, "protests")["replaces"] = ["riots"]
    old = {row.id: row for row in _current(in_use.project, "riots")}
    version = _dry_run_then_apply(
        in_use,
        _write(tmp_path, codebook),
        capsys,
        ["layer event_type:", f"  merged: riots + protests -> protests ({RIOTS_IN_USE} labels affected)"],
        RIOTS_IN_USE,
        0,
    )
    assert _current(in_use.project, "riots") == []
    with read_session(in_use.project.engine) as session:
        migrated = list(session.scalars(select(Annotation).where(Annotation.supersedes_id.in_(list(old)))))
    assert sorted(row.supersedes_id for row in migrated) == sorted(old)
    assert all(row.codebook_version_id == version and not row.needs_review for row in migrated)
    first, second = in_use.passages[:2]
    people = in_use.people
    by_source = {(old[row.supersedes_id].annotator_id, row.passage_id): row for row in migrated}
    # alice already had protests on the first passage: her riots label there becomes a tombstone
    assert by_source[(people["alice"], first)].deleted
    for source in ((people["bob"], first), (people["alice"], second)):
        row = by_source[source]
        assert (row.label, row.origin, row.deleted) == ("protests", "codebook_migration", False)
    assert by_source[(people["alice"], second)].attributes == {"realis": "claimed"}
    lead = by_source[(people["lena"], first)]
    assert (lead.label, lead.origin) == ("protests", "adjudication")  # still the gold label
    protests = {(row.annotator_id, row.origin, row.passage_id) for row in _current(in_use.project, "protests")}
    assert protests == {
        (people["alice"], "manual", first),
        (people["bob"], "codebook_migration", first),
        (people["lena"], "adjudication", first),
        (people["alice"], "codebook_migration", second),
    }
    history = _history(in_use, first, capsys)
    for row in migrated:
        if row.passage_id == first:
            cells = _history_row(history, row.id)
            assert str(row.supersedes_id) in cells and ("delete" if row.deleted else "edit") in cells
            assert _history_row(history, row.supersedes_id)[5] == "riots"


def test_split_label_is_flagged_for_review_and_not_reassigned(in_use, tmp_path, capsys):
    codebook = _codebook()
    _label(codebook, "riots")["retired"] = True
    _new_label(codebook, "violent_demonstration", "m", split_from="riots")
    _new_label(codebook, "mob_violence", "w", split_from="riots")
    old = {row.id for row in _current(in_use.project, "riots")}
    version = _dry_run_then_apply(
        in_use,
        _write(tmp_path, codebook),
        capsys,
        [
            "layer event_type:",
            f"  split: riots -> violent_demonstration, mob_violence ({RIOTS_IN_USE} labels flagged for review)",
        ],
        0,
        RIOTS_IN_USE,
    )
    current = _current(in_use.project, "riots")
    assert len(current) == RIOTS_IN_USE and {row.supersedes_id for row in current} == old
    assert all(row.needs_review and row.codebook_version_id == version for row in current)
    assert {row.origin for row in current} == {"codebook_migration", "adjudication"}
    assert [row.attributes for row in current if row.passage_id == in_use.passages[1]] == [{"realis": "claimed"}]
    history = _history(in_use, in_use.passages[0], capsys)
    for row in current:
        if row.passage_id == in_use.passages[0]:
            cells = _history_row(history, row.id)
            assert cells[5] == "riots" and "edit" in cells and str(row.supersedes_id) in cells
    assert _current(in_use.project, "protests")[0].supersedes_id is None  # other labels untouched


def test_the_same_codebook_again_changes_nothing(in_use, capsys):
    before = _revisions(in_use.project)
    assert _apply(in_use, Path(default_codebook_path()), capsys) == [
        "no label changes",
        f"the codebook is already version {in_use.project.active.version_id}: nothing applied",
    ]
    assert _revisions(in_use.project) == before
