"""Releases: watermark, codebook version, concurrency with label writers, and release diffs."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from annotator.cli.db_commands import initialise
from annotator.cli.main import main
from annotator.db.engine import read_session, write_session
from annotator.db.models import Annotation, Annotator
from annotator.errors import AnnotatorError
from annotator.labels import LabelContent, add_label, current_labels_query, delete_label, revise_label
from annotator.project import open_project
from annotator.releases import create_release, diff_releases, list_releases
from tests.export.test_export import TINY_CODEBOOK


def person(session, name: str) -> int:
    return session.scalar(select(Annotator.id).where(Annotator.name == name))


def test_release_freezes_the_highest_revision_and_the_codebook_version(labelled):
    with read_session(labelled.engine) as session:
        highest = session.scalar(select(func.max(Annotation.id)))
    release = create_release(labelled.engine, "v1.0", "first cut")
    assert (release.last_annotation_id, release.codebook_version_id) == (highest, labelled.active.version_id)
    create_release(labelled.engine, "v1.1")
    assert [(r.tag, r.note) for r in list_releases(labelled.engine)] == [("v1.0", "first cut"), ("v1.1", None)]


@pytest.mark.parametrize("tag", ["", "has space", "-dash-first", "x" * 101, "a/b"])
def test_bad_tags_are_refused(project, tag):
    with pytest.raises(AnnotatorError, match="bad release tag"):
        create_release(project.engine, tag)


def test_duplicate_and_unknown_tags_are_one_line_errors(labelled, db_url, capsys):
    assert main(["release", "create", "v1", "--license", "unknown", "--db", db_url]) == 0
    assert main(["release", "create", "v1", "--license", "unknown", "--db", db_url]) == 1
    assert main(["release", "diff", "v1", "v9", "--db", db_url]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert errors == [
        "annotator: error: release 'v1' already exists",
        "annotator: error: unknown release 'v9' (see `annotator release list`)",
    ]


def test_release_create_needs_a_licence_unless_the_codebook_states_one(labelled, db_url, capsys):
    assert labelled.codebook.license is None
    assert main(["release", "create", "v1", "--db", db_url]) == 1
    assert "--license is required" in capsys.readouterr().err
    rights = "Texts (c) their publishers;  shared for research only."
    assert main(["release", "create", "v1", "--license", "CC-BY-4.0", "--text-rights", rights, "--db", db_url]) == 0
    assert "licence cc-by-4.0" in capsys.readouterr().out
    (release,) = list_releases(labelled.engine)
    assert (release.license, release.text_rights) == (
        "cc-by-4.0",
        "Texts (c) their publishers; shared for research only.",
    )
    with pytest.raises(AnnotatorError, match="bad licence"):
        create_release(labelled.engine, "v2", license="cc by")


def test_a_release_defaults_to_the_codebook_licence(db_url):
    initialise(db_url, TINY_CODEBOOK)
    project = open_project(db_url)
    assert main(["release", "create", "v1", "--db", db_url]) == 0
    assert [release.license for release in list_releases(project.engine)] == ["cc0-1.0"]
    project.engine.dispose()


def test_a_release_waits_for_a_label_writer_in_flight(labelled):
    """The writer's revision id is taken before the release starts; the release must include it."""
    made: list = []
    with write_session(labelled.engine) as session:
        label = session.scalars(current_labels_query()).first()
        row = add_label(
            session,
            passage_id=label.passage_id,
            annotator_id=label.annotator_id,
            codebook_version_id=labelled.active.version_id,
            content=LabelContent("event_type", "riots"),
        )
        releaser = threading.Thread(target=lambda: made.append(create_release(labelled.engine, "during")))
        releaser.start()
        time.sleep(0.5)
        assert releaser.is_alive(), "the release did not wait for the open label transaction"
    releaser.join(timeout=30)
    assert made and made[0].last_annotation_id == row.id


def test_diff_counts_added_removed_and_changed_per_layer(labelled, db_url, capsys):
    create_release(labelled.engine, "v1")
    version = labelled.active.version_id
    with write_session(labelled.engine) as session:
        alice, bob, carol = (person(session, name) for name in ("alice", "bob", "carol"))
        current = list(session.scalars(current_labels_query()))
        event = next(row for row in current if row.layer == "event_type" and row.annotator_id == alice)
        actor = next(row for row in current if row.layer == "actors" and row.annotator_id == bob)
        stance = next(row for row in current if row.layer == "stance" and row.annotator_id == carol)
        add_label(
            session,
            passage_id=event.passage_id,
            annotator_id=alice,
            codebook_version_id=version,
            content=LabelContent("event_type", "riots" if event.label != "riots" else "protests"),
        )
        delete_label(session, revision=actor, annotator_id=bob, codebook_version_id=version)
        revised = revise_label(
            session,
            revision=stance,
            annotator_id=carol,
            codebook_version_id=version,
            content=LabelContent.of(stance).with_changes(label="strongly_favour"),
        )
        revise_label(
            session,
            revision=revised,
            annotator_id=carol,
            codebook_version_id=version,
            content=LabelContent.of(revised).with_changes(label="favour"),
        )
    create_release(labelled.engine, "v2")
    diff = diff_releases(labelled.engine, "v1", "v2")
    counts = {c.layer: (c.counts["added"], c.counts["removed"], c.counts["changed"]) for c in diff.layers}
    assert counts == {"actors": (0, 1, 0), "event_type": (1, 0, 0), "rhetoric": (0, 0, 0), "stance": (0, 0, 1)}
    stance_changes = next(c for c in diff.layers if c.layer == "stance")
    assert stance_changes.examples["changed"] == [
        f"passage {stance.passage_id}, annotator_03: {stance.label} target='government' -> favour target='government'"
    ]
    assert diff_releases(labelled.engine, "v2", "v1").layers[0].counts["added"] == 1  # the deleted actor

    assert main(["release", "diff", "v1", "v2", "--db", db_url]) == 0
    out = capsys.readouterr().out
    table = {line.split()[0]: line.split()[1:4] for line in out.splitlines()[1:7]}
    assert table["actors"] == ["0", "1", "0"] and table["stance"] == ["0", "0", "1"]
    assert f"stance changed: passage {stance.passage_id}, annotator_03:" in out
