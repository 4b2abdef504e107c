"""`import-labels`: JSONL and PTC files, every bad-line reason, all or nothing, --skip-bad."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select

from annotator.cli.annotate_commands import sample_corpus_dir
from annotator.cli.main import main
from annotator.db.engine import read_session
from annotator.db.models import Annotation, Article, Passage
from annotator.errors import AnnotatorError
from annotator.importing.importer import import_paths
from annotator.importing.labels_import import import_labels
from tests.export.conftest import PEOPLE, add_people, annotatable_passages, write_jsonl

PTC_TEXT = (
    "Leaders vow to crush the rebels\n\n"
    "The so-called liberators are nothing but cowards hiding in the hills. "
    "Either we fight now or we lose everything.\n\n"
    "What about the villages their army burned? Enough talk: it is what it is."
)


@pytest.fixture
def corpus(project, tmp_path):
    """The sample corpus, a PTC-style article file, and the people who label."""
    (tmp_path / "ptc").mkdir()
    (tmp_path / "ptc" / "article111.txt").write_text(PTC_TEXT, encoding="utf-8")
    assert import_paths(project.engine, [sample_corpus_dir(), tmp_path / "ptc"]).ok
    add_people(project, *PEOPLE)
    return project


def rows(project) -> list[Annotation]:
    with read_session(project.engine) as session:
        return list(session.scalars(select(Annotation).order_by(Annotation.id)))


def span_of(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def good_lines(project) -> list[dict]:
    passage = annotatable_passages(project)[0]
    start = passage.start + passage.text.index(passage.text.split()[0])
    return [
        {
            "article": passage.article,
            "annotator": "alice",
            "layer": "actors",
            "label": "civilians",
            "start": start,
            "end": start + len(passage.text.split()[0].rstrip(".,")),
            "attributes": {"role": "target"},
        },
        {
            "article": passage.article,
            "passage": passage.index,
            "annotator": "alice",
            "layer": "event_type",
            "label": "protests",
            "attributes": {"realis": "claimed"},
        },
        {
            "article": passage.article,
            "passage": passage.index,
            "annotator": "bob",
            "layer": "stance",
            "label": "against",
            "value": -1,
            "target": "government",
            "attributes": {"quoted": True},
        },
    ]


def test_jsonl_labels_are_imported_with_origin_import(corpus, tmp_path):
    lines = good_lines(corpus)
    report = import_labels(corpus.engine, write_jsonl(tmp_path / "l.jsonl", lines))
    assert (report.imported, report.errors) == (3, [])
    stored = rows(corpus)
    assert [row.origin for row in stored] == ["import"] * 3
    assert [(row.layer, row.label, row.attributes) for row in stored] == [
        ("actors", "civilians", {"role": "target"}),
        ("event_type", "protests", {"realis": "claimed"}),
        ("stance", "against", {"quoted": True}),
    ]
    assert (stored[0].span_start, stored[0].span_end) == (lines[0]["start"], lines[0]["end"])
    assert stored[2].target == "government"


def test_annotator_option_overrides_the_file_and_sha256_names_the_article(corpus, tmp_path):
    line = good_lines(corpus)[1]
    with read_session(corpus.engine) as session:
        text = session.scalar(select(Article.text).where(Article.external_id == line["article"]))
    line = line | {"article": hashlib.sha256(text.encode()).hexdigest(), "annotator": "nobody"}
    report = import_labels(corpus.engine, write_jsonl(tmp_path / "l.jsonl", [line]), annotator="carol")
    assert report.imported == 1
    with read_session(corpus.engine) as session:
        assert session.scalar(select(Annotation.annotator_id)) == 3


def test_ptc_spans_map_techniques_to_the_rhetoric_layer(corpus, tmp_path):
    spans = {
        "Name_Calling,Labeling": span_of(PTC_TEXT, "so-called liberators"),
        "Black-and-White_Fallacy": span_of(PTC_TEXT, "Either we fight now or we lose everything"),
        "Whataboutism,Straw_Men,Red_Herring": span_of(PTC_TEXT, "What about the villages their army burned?"),
        "Thought-terminating_Cliches": span_of(PTC_TEXT, "it is what it is"),
        "Loaded_Language": span_of(PTC_TEXT, "cowards"),
    }
    lines = [f"111\t{technique}\t{start}\t{end}" for technique, (start, end) in spans.items()]
    path = tmp_path / "article111.task-flc-tc.labels"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_labels(corpus.engine, path, fmt="ptc", annotator="alice")
    assert (report.imported, report.errors) == (5, [])
    assert [(row.layer, row.label) for row in rows(corpus)] == [
        ("rhetoric", "name_calling_labeling"),
        ("rhetoric", "false_dilemma_no_choice"),
        ("rhetoric", "other_unsure"),
        ("rhetoric", "conversation_killer"),
        ("rhetoric", "loaded_language"),
    ]


def test_ptc_mapping_file_replaces_default_entries(corpus, tmp_path):
    start, end = span_of(PTC_TEXT, "What about the villages their army burned?")
    path = tmp_path / "spans.txt"
    path.write_text(f"111\tWhataboutism,Straw_Men,Red_Herring\t{start}\t{end}\n111\tDoubt\t{start}\t{end}\n")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("Whataboutism,Straw_Men,Red_Herring: whataboutism\nDoubt: null\n", encoding="utf-8")
    report = import_labels(corpus.engine, path, fmt="ptc", annotator="alice", mapping_path=mapping, skip_bad=True)
    assert report.imported == 1
    assert report.errors == [f"{path}:2: technique 'Doubt' is mapped to nothing"]
    assert rows(corpus)[0].label == "whataboutism"


def test_ptc_needs_an_annotator_and_a_readable_mapping(corpus, tmp_path):
    path = tmp_path / "spans.txt"
    path.write_text("111\tDoubt\t0\t5\n")
    with pytest.raises(AnnotatorError, match="give --annotator"):
        import_labels(corpus.engine, path, fmt="ptc")
    bad = tmp_path / "mapping.yaml"
    bad.write_text("- just a list\n")
    with pytest.raises(AnnotatorError, match="mapping.yaml: expected a mapping"):
        import_labels(corpus.engine, path, fmt="ptc", annotator="alice", mapping_path=bad)


def bad_jsonl_cases(project) -> dict[str, dict | str]:
    """Bad line -> the reason it must be reported with."""
    passages = annotatable_passages(project)
    first, second = passages[0], passages[1]
    assert second.article == first.article and second.index == first.index + 1
    with read_session(project.engine) as session:
        title = session.execute(
            select(Article.external_id, Passage.index, Passage.kind)
            .join(Passage, Passage.article_id == Article.id)
            .where(Passage.annotatable.is_(False))
            .order_by(Passage.id)
        ).first()
    base = {"article": first.article, "annotator": "alice"}
    event = base | {"layer": "event_type", "label": "battles", "passage": first.index}
    actor = base | {"layer": "actors", "label": "civilians", "start": first.start, "end": first.start + 3}
    stance = base | {"passage": first.index, "layer": "stance", "label": "against", "target": "government"}
    return {
        "not JSON": "{oops",
        "expected a JSON object": "[1, 2]",
        "missing 'layer'": base | {"label": "battles", "passage": first.index},
        "'start' must be an integer": actor | {"start": "1"},
        "unknown article 'nope'": event | {"article": "nope"},
        "unknown layer 'colour'": event | {"layer": "colour"},
        "unknown label 'brawls' in layer 'event_type'": event | {"label": "brawls"},
        "unknown annotator 'zed'": event | {"annotator": "zed"},
        "is out of range": actor | {"start": 0, "end": 10**6},
        f"crosses passages {first.index}, {second.index}; re-import the articles (into a new database) "
        "with --passages lines --keep-spans FILE or --passages article": actor | {"end": second.start + 2},
        "is not inside a passage": actor | {"start": second.start - 1, "end": second.start},
        f"passage {title.index} is not annotatable ({title.kind}); re-import the articles (into a new database) "
        "with --annotate-headings to label it": event | {"article": title.external_id, "passage": title.index},
        "has no passage 999": event | {"passage": 999},
        'labels passages: give "passage"': base | {"layer": "event_type", "label": "battles"},
        "labels spans: give start and end": base | {"layer": "actors", "label": "civilians"},
        "attribute 'realis' has no value 'maybe'": event | {"attributes": {"realis": "maybe"}},
        "value 2 does not match label 'against' (-1)": stance | {"value": 2},
        "unknown target 'the moon'": stance | {"target": "the moon"},
        "takes no target": event | {"target": "x"},
        "layer 'actors' allows no overlaps": actor | {"label": "rebel_group", "end": first.start + 5},
        "duplicate label: 'civilians' is already there (line 1)": actor,
    }


def test_every_bad_line_is_reported_and_nothing_is_imported(corpus, tmp_path):
    cases = bad_jsonl_cases(corpus)
    first = annotatable_passages(corpus)[0]
    good = {
        "article": first.article,
        "annotator": "alice",
        "layer": "actors",
        "label": "civilians",
        "start": first.start,
        "end": first.start + 3,
    }
    path = tmp_path / "bad.jsonl"
    lines = [good, *cases.values()]
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    report = import_labels(corpus.engine, path)
    assert report.imported == 0 and rows(corpus) == []
    assert len(report.errors) == len(cases)
    for number, (reason, error) in enumerate(zip(cases, report.errors, strict=True), start=2):
        assert error.startswith(f"{path}:{number}: "), error
        assert reason in error, (reason, error)

    report = import_labels(corpus.engine, path, skip_bad=True)
    assert report.imported == 1 and len(report.errors) == len(cases)
    assert len(rows(corpus)) == 1


def test_a_label_already_in_the_database_is_a_duplicate(corpus, tmp_path):
    path = write_jsonl(tmp_path / "l.jsonl", good_lines(corpus)[:1])
    assert import_labels(corpus.engine, path).imported == 1
    report = import_labels(corpus.engine, path)
    assert report.imported == 0
    assert report.errors == [f"{path}:1: duplicate label: 'civilians' is already there (already in the database)"]


def test_ptc_bad_lines(corpus, tmp_path):
    path = tmp_path / "spans.txt"
    path.write_text("111\tDoubt\t0\n111\tDoubt\tx\t5\n111\tNo_Such_Thing\t40\t50\n999\tDoubt\t40\t50\n")
    report = import_labels(corpus.engine, path, fmt="ptc", annotator="alice")
    assert [error.split(": ", 1)[1] for error in report.errors] == [
        "expected article_id<TAB>technique<TAB>start<TAB>end",
        "start and end must be integers",
        "unknown technique 'No_Such_Thing' (not in the mapping)",
        "unknown article '999'",
    ]


def test_cli_prints_each_bad_line_and_exits_nonzero(corpus, tmp_path, capsys, db_url):
    path = write_jsonl(tmp_path / "l.jsonl", good_lines(corpus) + [{"article": "nope", "layer": "x", "label": "y"}])
    assert main(["import-labels", str(path), "--db", db_url]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f'annotator: error: {path}:4: no annotator: give --annotator or an "annotator" field'
    assert err[1].startswith("annotator: nothing imported: 1 of 4 lines are bad")
    assert main(["import-labels", str(path), "--skip-bad", "--db", db_url]) == 0
    assert "imported 3 labels" in capsys.readouterr().out


def test_hostile_strings_in_a_file_are_reported_escaped(corpus, tmp_path, capsys, db_url):
    hostile = ["[/foo]", "[bold]x", "[@click=app.quit]", "[[3]]", "\x1b[31m", "trailing\\"]
    lines = [
        {"article": text, "annotator": "alice", "layer": "event_type", "label": "battles", "passage": 0}
        for text in hostile
    ]
    path = write_jsonl(tmp_path / "hostile.jsonl", lines)
    assert main(["import-labels", str(path), "--db", db_url]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert [line.split(": unknown article ")[1] for line in errors[:-1]] == [repr(text) for text in hostile]
    assert "\x1b" not in "".join(errors)
