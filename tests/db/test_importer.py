"""Importing articles into the database: exact text, passages that map back, all-or-nothing files."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from annotator.cli.annotate_commands import sample_corpus_dir
from annotator.db.engine import read_session
from annotator.db.models import Article, Passage
from annotator.importing.importer import import_paths


def _articles(project) -> list[Article]:
    with read_session(project.engine) as session:
        return list(session.scalars(select(Article).order_by(Article.id)))


def test_sample_corpus_passages_map_back_to_the_exact_article_text(project):
    report = import_paths(project.engine, [sample_corpus_dir()])
    assert report.ok and report.articles >= 5
    with read_session(project.engine) as session:
        for article in session.scalars(select(Article)):
            source = article.origin.split(":")[0]
            passages = session.scalars(
                select(Passage).where(Passage.article_id == article.id).order_by(Passage.index)
            ).all()
            assert passages, f"{source} has no passages"
            for passage in passages:
                piece = article.text[passage.start : passage.end]
                assert piece and piece == piece.strip()
            assert [p.index for p in passages] == list(range(len(passages)))
        kinds = set(session.scalars(select(Passage.kind)))
    assert {"title", "byline", "toc", "references", "boilerplate", "body"} <= kinds


def test_text_is_stored_exactly_as_decoded_with_only_newlines_normalised(project, tmp_path):
    raw = "Title\r\n\r\n“Curly” — dashes,  double  spaces,\ttabs [[3]] [INTERNAL_LINK:some-slug] typo teh.\r\n"
    (tmp_path / "a.txt").write_bytes(raw.encode("utf-8"))
    import_paths(project.engine, [tmp_path / "a.txt"])
    (article,) = _articles(project)
    assert article.text == raw.replace("\r\n", "\n")


def test_reimporting_the_same_text_is_a_no_op_that_says_so(project):
    first = import_paths(project.engine, [sample_corpus_dir()])
    second = import_paths(project.engine, [sample_corpus_dir()])
    assert second.articles == 0 and second.duplicates == first.articles
    assert len(_articles(project)) == first.articles


def test_a_bad_record_imports_nothing_from_its_file_but_other_files_import(project, tmp_path):
    good = {"id": "g1", "title": "Good", "text": "A good article.\n\nWith two paragraphs."}
    (tmp_path / "a_good.jsonl").write_text(json.dumps(good) + "\n", encoding="utf-8")
    lines = [json.dumps({"id": f"b{i}", "text": f"Article number {i}."}) for i in range(2)]
    (tmp_path / "b_bad.jsonl").write_text("\n".join(lines + ["{not json"]) + "\n", encoding="utf-8")
    report = import_paths(project.engine, [tmp_path])
    assert len(report.errors) == 1 and report.errors[0].startswith(f"{tmp_path / 'b_bad.jsonl'}:3:")
    assert [a.external_id for a in _articles(project)] == ["g1"]


def test_strict_stops_at_the_first_bad_file(project, tmp_path):
    (tmp_path / "a.txt").write_bytes(b"\xff\xfe broken")
    (tmp_path / "b.txt").write_text("Fine article.", encoding="utf-8")
    report = import_paths(project.engine, [tmp_path], strict=True)
    assert len(report.errors) == 1 and report.files == 1
    assert _articles(project) == []


def test_metadata_and_published_date_are_kept(project, tmp_path):
    record = {
        "id": "x",
        "title": "T",
        "text": "Body text here.",
        "url": "https://e.org/x",
        "source": "Wire",
        "author": "A. Writer",
        "published": "2025-03-04T10:00:00Z",
        "desk": "east",
        "tags": ["a"],
    }
    bad_date = {"id": "y", "text": "Another body.", "published": "last Tuesday"}
    (tmp_path / "c.jsonl").write_text(json.dumps(record) + "\n" + json.dumps(bad_date) + "\n", encoding="utf-8")
    import_paths(project.engine, [tmp_path / "c.jsonl"])
    first, second = _articles(project)
    assert (first.external_id, first.url, first.source, first.author) == ("x", "https://e.org/x", "Wire", "A. Writer")
    assert first.published.isoformat() == "2025-03-04"
    assert first.meta == {"desk": "east", "tags": ["a"]}
    assert second.published is None and second.meta["published_raw"] == "last Tuesday"


def test_non_annotatable_passages_are_counted_apart(project):
    report = import_paths(project.engine, [sample_corpus_dir()])
    with read_session(project.engine) as session:
        annotatable = session.scalar(select(func.count()).where(Passage.annotatable.is_(True)))
    assert report.annotatable == annotatable < report.passages
