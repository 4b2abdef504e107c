"""`annotator export --format jsonl|ptc`: label files that `import-labels` reads back unchanged.

Import articles and labels, export the labels, import the articles and that file into a fresh
database, export again: the same bytes.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from annotator.adjudication import accept_version
from annotator.cli.annotate_commands import sample_corpus_dir
from annotator.cli.db_commands import initialise
from annotator.cli.main import main
from annotator.codebook import Codebook
from annotator.db.engine import read_session
from annotator.db.models import Annotator
from annotator.errors import AnnotatorError
from annotator.export.jsonl_format import export_jsonl
from annotator.export.ptc_format import export_ptc, ptc_techniques
from annotator.importing.importer import import_paths
from annotator.importing.keep_spans import read_keep_spans
from annotator.importing.labels_import import import_labels
from annotator.project import Project, open_project
from tests.conftest import PG_URL
from tests.export.conftest import PEOPLE, add_people, annotatable_passages, label_lines, write_jsonl
from tests.export.test_source_fidelity import ARTICLES, ptc_lines, write_corpus, write_ptc

PSEUDONYMS = {person: f"annotator_{rank:02d}" for rank, person in enumerate(PEOPLE, start=1)}


@pytest.fixture
def fresh(db_url, tmp_path):
    """A second, empty project on the same backend as `project`."""
    if db_url.startswith("sqlite"):
        url, schema = f"sqlite:///{tmp_path / 'fresh.db'}", None
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(PG_URL)
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    initialise(url, None)
    project = open_project(url)
    yield project
    project.engine.dispose()
    if schema is not None:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def with_attributes(codebook: Codebook, lines: list[dict]) -> list[dict]:
    """Every other line gets a value for each attribute that applies to its label (subtypes aside)."""
    out = []
    for number, line in enumerate(lines):
        attributes = {}
        for attribute in codebook.layer(line["layer"]).attributes:
            if number % 2 and attribute.id != "subtype" and attribute.applies(line["label"]):
                attributes[attribute.id] = True if attribute.kind == "flag" else attribute.values[-1].id
        out.append(line | ({"attributes": attributes} if attributes else {}))
    return out


def sample_labels(project: Project, tmp_path: Path) -> list[dict]:
    """Import the sample corpus and label three articles in every layer, with attributes."""
    assert import_paths(project.engine, [sample_corpus_dir()]).ok
    add_people(project, *PEOPLE)
    add_people(project, "lena", role="lead")
    passages = annotatable_passages(project)
    chosen = list(dict.fromkeys(p.article for p in passages))[:3]
    lines = with_attributes(
        project.codebook, label_lines(project.codebook, [p for p in passages if p.article in chosen])
    )
    assert not import_labels(project.engine, write_jsonl(tmp_path / "labels.jsonl", lines)).errors
    return lines


def canonical(lines: list[dict]) -> list[str]:
    return sorted(json.dumps(line, sort_keys=True) for line in lines)


def test_jsonl_export_is_the_import_format_and_round_trips_byte_for_byte(project, fresh, tmp_path):
    given = sample_labels(project, tmp_path)
    first = tmp_path / "out" / "labels.jsonl"
    result = export_jsonl(project.engine, first)
    exported = [json.loads(line) for line in first.read_text(encoding="utf-8").splitlines()]
    assert result.lines == len(exported) == len(given) and result.articles == 3
    stance = {layer.id for layer in project.codebook.layers if layer.kind == "target_ordinal"}
    for line in exported:
        if line["layer"] in stance:
            assert line.pop("value") == project.codebook.layer(line["layer"]).label(line["label"]).value
    assert canonical(exported) == canonical([line | {"annotator": PSEUDONYMS[line["annotator"]]} for line in given])
    assert any("attributes" in line for line in exported) and any("target" in line for line in exported)

    assert import_paths(fresh.engine, [sample_corpus_dir()]).ok
    add_people(fresh, *PSEUDONYMS.values())
    report = import_labels(fresh.engine, first)
    assert not report.errors and report.imported == len(given)
    second = tmp_path / "again.jsonl"
    export_jsonl(fresh.engine, second)
    assert second.read_bytes() == first.read_bytes()


def test_jsonl_export_leaves_adjudications_out(project, tmp_path):
    given = sample_labels(project, tmp_path)
    with read_session(project.engine) as session:
        people = dict(session.execute(select(Annotator.name, Annotator.id)).all())
    passage = annotatable_passages(project)[0]
    accept_version(
        project.engine, lead_id=people["lena"], passage_id=passage.id, annotator_id=people["carol"], layers=["actors"]
    )
    out = tmp_path / "labels-out.jsonl"
    export_jsonl(project.engine, out)
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(exported) == len(given) and {line["annotator"] for line in exported} == set(PSEUDONYMS.values())


def import_ptc_corpus(project: Project, tmp_path: Path, labels: Path, annotator: str) -> None:
    """The PTC-like corpus (a BOM, \\r\\n line ends, spans in titles and across lines), cut so that
    every span of `labels` fits, and the spans of `labels` as `annotator`'s."""
    write_corpus(tmp_path / "ptc")
    keep = read_keep_spans([labels])
    assert import_paths(
        project.engine, [tmp_path / "ptc"], max_chars=60, passages="lines", annotate_headings=True, keep_spans=keep
    ).ok
    add_people(project, annotator)
    report = import_labels(project.engine, labels, fmt="ptc", annotator=annotator)
    assert not report.errors, report.errors


def test_ptc_export_gives_back_the_imported_spans_at_their_source_offsets(project, fresh, tmp_path):
    given = write_ptc(tmp_path / "given.labels", ptc_lines())
    import_ptc_corpus(project, tmp_path, given, "ptc")
    first = tmp_path / "first.labels"
    result = export_ptc(project.engine, first)
    expected = sorted(ptc_lines(), key=lambda line: (line[0], line[2], line[3], line[1]))
    assert first.read_text(encoding="utf-8") == "".join(f"{i}\t{t}\t{s}\t{e}\n" for i, t, s, e in expected)
    assert (result.lines, result.articles, result.left_out) == (len(expected), 3, {})
    for ident, _technique, start, end in expected:  # offsets into the files as written, BOM and \r\n included
        assert ARTICLES[ident][start:end]

    import_ptc_corpus(fresh, tmp_path / "fresh", first, "someone")
    second = tmp_path / "second.labels"
    export_ptc(fresh.engine, second)
    assert second.read_bytes() == first.read_bytes()

    as_jsonl = tmp_path / "ptc.jsonl"  # the JSONL export has the same source offsets
    export_jsonl(project.engine, as_jsonl)
    spans = {(line["article"], line["start"], line["end"]) for line in map(json.loads, as_jsonl.open(encoding="utf-8"))}
    assert spans == {(f"article{i}", s, e) for i, _t, s, e in expected}


def test_ptc_export_leaves_out_labels_without_a_technique(project, tmp_path):
    sample_labels(project, tmp_path)
    out = tmp_path / "gold.labels"
    result = export_ptc(project.engine, out)
    techniques = ptc_techniques()
    written = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(written) == result.lines > 0 and {fields[1] for fields in written} <= set(techniques.values())
    assert result.left_out and not set(result.left_out) & set(techniques)
    assert "other_unsure" not in techniques  # two merged PTC classes import as it: no way back


def test_bad_output_paths_fail_and_leave_nothing(project, tmp_path):
    sample_labels(project, tmp_path)
    directory = tmp_path / "a-directory"
    directory.mkdir()
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me\n", encoding="utf-8")
    cases = {
        directory: "is a directory: give a file name",
        blocker: "already exists: use --force to replace it",
        blocker / "labels.jsonl": f"cannot write the file: {blocker} is not a directory",
    }
    for export in (export_jsonl, export_ptc):
        for out, message in cases.items():
            with pytest.raises(AnnotatorError, match=message):
                export(project.engine, out)
    with pytest.raises(AnnotatorError, match="no gold spans with a PTC technique"):
        export_ptc(project.engine, tmp_path / "gold.labels", labels="gold")  # nothing adjudicated
    with pytest.raises(AnnotatorError, match="unknown release 'v9'"):
        export_jsonl(project.engine, tmp_path / "v9.jsonl", release="v9")
    assert blocker.read_text(encoding="utf-8") == "keep me\n" and not any(directory.iterdir())
    assert not (tmp_path / "gold.labels").exists() and not (tmp_path / "v9.jsonl").exists()
    assert not list(tmp_path.rglob("*.partial-*"))
    export_jsonl(project.engine, blocker, force=True)
    assert blocker.read_text(encoding="utf-8").startswith('{"article": ')


def test_the_export_command_writes_label_files_and_names_a_bad_path_in_one_line(project, db_url, tmp_path, capsys):
    sample_labels(project, tmp_path)
    out = tmp_path / "out.jsonl"
    assert main(["export", "--format", "jsonl", "--out", str(out), "--db", db_url]) == 0
    assert f"to {out}" in capsys.readouterr().out and out.read_text(encoding="utf-8").startswith('{"article": ')
    ptc = tmp_path / "out.labels"
    assert main(["export", "--format", "ptc", "--out", str(ptc), "--db", db_url]) == 0
    captured = capsys.readouterr()
    assert "their labels have no PTC technique" in captured.err and ptc.read_text(encoding="utf-8")
    before = sorted(path.name for path in tmp_path.iterdir())
    cases = {
        str(tmp_path): "is a directory: give a file name",
        str(out): "already exists: use --force",
        str(out / "x.jsonl"): "is not a directory",
    }
    for fmt in ("jsonl", "ptc"):
        for target, message in cases.items():
            assert main(["export", "--format", fmt, "--out", target, "--db", db_url]) == 1
            errors = capsys.readouterr().err.splitlines()
            assert len(errors) == 1 and message in errors[0], (fmt, target, errors)
    assert sorted(path.name for path in tmp_path.iterdir()) == before
    assert main(["export", "--format", "jsonl", "--out", str(out), "--force", "--db", db_url]) == 0
