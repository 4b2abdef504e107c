"""Source fidelity, segmentation that fits the data, and coverage, on a PTC-like corpus.

Label offsets are into the original article files (a BOM and the \\r of each \\r\\n count);
`import-labels` maps them onto the stored text exactly or refuses them, the `import` options
place every span in one annotatable passage, and the export gives every span's offsets in the
passage, the stored article text and the source file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from annotator.adjudication import review_list
from annotator.agreement.corpus import corpus_agreement
from annotator.cli.main import main
from annotator.core.source_map import SourceMap
from annotator.db.engine import read_session, write_session
from annotator.db.models import Annotation, Annotator, Article, Assignment, Passage
from annotator.export.exporter import export_dataset
from annotator.importing.importer import import_paths
from annotator.importing.keep_spans import read_keep_spans
from annotator.importing.labels_import import DEFAULT_PTC_MAPPING, import_labels
from tests.export.conftest import add_people, write_jsonl

# A PTC-like corpus: a title line, a blank line, hard-wrapped body lines. Article 702 starts
# with a BOM, article 703 has \r\n line ends. Spans run over line breaks and sit in titles
# and headings.
ARTICLES = {
    "701": (
        "Rebels vow to crush the army\n\n"
        "The rebels said on Monday that the cowardly\n"  # hard-wrapped: one paragraph passage
        "army would be crushed before the rains came.\n\n"
        "Their leader called the soldiers traitors.\n"  # a sentence a line: a passage a line
        "Thieves who had sold the nation will pay.\n"
        "No truce was ever possible with such men.\n"
    ),
    "702": "\ufeffThe enemy is at the gates\n\nOur brave fighters will never surrender.\nThe invaders and their puppets will fall.\n",
    "703": (
        "Heading of the third piece\r\n\r\n"
        "The regime's thugs burned the village.\r\nThey left nothing standing, witnesses said.\r\n\r\n"
        "A Short Heading\r\n\r\n"
        "Everybody knows the truth about them.\r\n"
    ),
}
SPANS = {
    "701": [
        ("Loaded_Language", "crush the army"),  # in the title
        ("Name_Calling,Labeling", "cowardly\narmy"),  # over a line break inside a paragraph
        ("Name_Calling,Labeling", "traitors.\nThieves"),  # over a line break between passages
        ("Flag-Waving", "sold the nation"),
        ("Thought-terminating_Cliches", "No truce"),
    ],
    "702": [
        ("Appeal_to_fear-prejudice", "The enemy is at the gates"),  # the title, after the BOM
        ("Flag-Waving", "never surrender.\nThe invaders"),
        ("Name_Calling,Labeling", "puppets"),
    ],
    "703": [
        ("Name_Calling,Labeling", "thugs burned the village.\r\nThey left nothing standing"),
        ("Doubt", "Short Heading"),  # a heading
        ("Bandwagon", "Everybody knows the truth"),
    ],
}
OPTIONS = ["--passages", "lines", "--annotate-headings"]


def write_corpus(directory: Path) -> dict[str, str]:
    """Write the article files (exact bytes); returns id -> the decoded source, nothing removed."""
    directory.mkdir(parents=True, exist_ok=True)
    for ident, source in ARTICLES.items():
        (directory / f"article{ident}.txt").write_bytes(source.encode("utf-8"))
    sources = {}
    for ident in ARTICLES:
        with open(directory / f"article{ident}.txt", encoding="utf-8", newline="") as handle:
            sources[ident] = handle.read()
    assert sources == ARTICLES
    return sources


def ptc_lines(spans=SPANS) -> list[tuple[str, str, int, int]]:
    lines = []
    for ident, items in spans.items():
        for technique, phrase in items:
            start = ARTICLES[ident].index(phrase)
            lines.append((ident, technique, start, start + len(phrase)))
    return lines


def write_ptc(path: Path, lines) -> Path:
    path.write_text("".join(f"{i}\t{t}\t{s}\t{e}\n" for i, t, s, e in lines), encoding="utf-8", newline="")
    return path


def stored_spans(project) -> list[tuple[str, str, int, int, str, list[int], str]]:
    """(external id, annotator, span start, span end, label, source gaps, stored text) of every current label."""
    with read_session(project.engine) as session:
        rows = session.execute(
            select(
                Article.external_id,
                Annotator.name,
                Annotation.span_start,
                Annotation.span_end,
                Annotation.label,
                Article.source_gaps,
                Article.text,
            )
            .join(Passage, Passage.id == Annotation.passage_id)
            .join(Article, Article.id == Passage.article_id)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .order_by(Annotation.id)
        ).all()
    return [tuple(row) for row in rows]


def normalised(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def test_articles_keep_where_the_bom_and_crlf_were(project, tmp_path):
    sources = write_corpus(tmp_path / "ptc")
    assert import_paths(project.engine, [tmp_path / "ptc"]).ok
    with read_session(project.engine) as session:
        stored = {
            ext: (text, gaps)
            for ext, text, gaps in session.execute(select(Article.external_id, Article.text, Article.source_gaps))
        }
    for ident, source in sources.items():
        text, gaps = stored[f"article{ident}"]
        assert text == normalised(source)
        assert gaps == [
            i for i, char in enumerate(source) if (char == "\ufeff" and i == 0) or source[i : i + 2] == "\r\n"
        ]
    assert stored["article701"][1] == [] and stored["article702"][1] == [0] and len(stored["article703"][1]) == 8


def test_default_import_refuses_the_spans_it_cannot_hold_and_says_which_option_would(project, tmp_path):
    write_corpus(tmp_path / "ptc")
    assert import_paths(project.engine, [tmp_path / "ptc"]).ok
    add_people(project, "ptc")
    path = write_ptc(tmp_path / "spans.txt", ptc_lines())
    report = import_labels(project.engine, path, fmt="ptc", annotator="ptc", skip_bad=True)
    crossing = [e for e in report.errors if "crosses passages" in e]
    headings = [e for e in report.errors if "is not annotatable" in e]
    assert (len(crossing), len(headings), len(report.errors)) == (3, 3, 6), report.errors
    assert all(
        e.endswith(
            "; re-import the articles (into a new database) with --passages lines --keep-spans FILE or --passages article"
        )
        for e in crossing
    )
    assert all(
        "; re-import the articles (into a new database) with --annotate-headings to label it" in e for e in headings
    )
    phrase = "traitors.\nThieves"
    start = ARTICLES["701"].index(phrase)
    assert crossing[0].startswith(f"{path}:3: span {start}-{start + len(phrase)} crosses passages 2, 3;")
    assert headings[0].startswith(f"{path}:1: passage 0 is not annotatable (title)")
    # Every span that did import sits where the file says, the BOM and \r\n notwithstanding.
    assert report.imported == 5
    imported = {(f"article{i}", s, e) for i, _t, s, e in ptc_lines()}
    for ext, _who, start, end, _label, gaps, text in stored_spans(project):
        source_start, source_end = SourceMap(gaps).span_to_source(start, end)
        assert (ext, source_start, source_end) in imported
        assert text[start:end] == normalised(ARTICLES[ext.removeprefix("article")][source_start:source_end])


@pytest.mark.parametrize("options", [OPTIONS, ["--passages", "article"]], ids=["lines", "article"])
def test_the_documented_options_import_every_span_unchanged(project, db_url, tmp_path, options, capsys):
    sources = write_corpus(tmp_path / "ptc")
    path = write_ptc(tmp_path / "spans.txt", ptc_lines())
    keep = ["--keep-spans", str(path)] if "lines" in options else []
    assert main(["import", str(tmp_path / "ptc"), "--max-chars", "60", *options, *keep, "--db", db_url]) == 0
    add_people(project, "ptc")
    capsys.readouterr()
    assert main(["import-labels", str(path), "--format", "ptc", "--annotator", "ptc", "--db", db_url]) == 0
    out = capsys.readouterr().out
    lines = ptc_lines()
    assert f"imported {len(lines)} labels" in out and "passages marked done" in out
    stored = stored_spans(project)
    assert len(stored) == len(lines)
    for (ident, _technique, start, end), (ext, _who, span_start, span_end, _label, gaps, text) in zip(lines, stored):
        assert ext == f"article{ident}"
        assert text[span_start:span_end] == normalised(sources[ident][start:end])  # not a character moved
        assert SourceMap(gaps).span_to_source(span_start, span_end) == (start, end)


def test_spans_on_characters_the_stored_text_dropped_are_refused_not_moved(project, tmp_path):
    write_corpus(tmp_path / "ptc")
    assert import_paths(project.engine, [tmp_path / "ptc"], passages="article").ok
    add_people(project, "ptc")
    village = ARTICLES["703"].index("village.\r\n")
    lines = [("702", "Doubt", 0, 4), ("703", "Doubt", village, village + len("village.\r")), ("702", "Doubt", 1, 4)]
    path = write_ptc(tmp_path / "spans.txt", lines)
    report = import_labels(project.engine, path, fmt="ptc", annotator="ptc", skip_bad=True)
    assert report.errors == [
        f"{path}:1: span 0-4 starts on the byte-order mark the article text does not keep",
        f"{path}:2: span {village}-{village + 9} ends on the \\r of a \\r\\n line break the article text does not keep",
    ]
    ((_, _, start, end, _, _, text),) = stored_spans(project)
    assert text[start:end] == "The"


def test_jsonl_labels_use_source_offsets_too(project, tmp_path):
    write_corpus(tmp_path / "ptc")
    assert import_paths(project.engine, [tmp_path / "ptc"], passages="article").ok
    add_people(project, "alice")
    source = ARTICLES["703"]
    start = source.index("witnesses said")
    line = {"article": "article703", "annotator": "alice", "layer": "rhetoric", "label": "doubt"}
    path = write_jsonl(tmp_path / "l.jsonl", [line | {"start": start, "end": start + 14}])
    assert import_labels(project.engine, path).imported == 1
    ((_, _, span_start, span_end, _, _, text),) = stored_spans(project)
    assert text[span_start:span_end] == "witnesses said" and span_start == start - source[:start].count("\r\n")
    assert source[:start].count("\r\n") == 3


def test_keep_spans_needs_lines_or_article_and_bad_files_are_named(project, db_url, tmp_path, capsys):
    write_corpus(tmp_path / "ptc")
    path = write_ptc(tmp_path / "spans.txt", ptc_lines())
    assert main(["import", str(tmp_path / "ptc"), "--keep-spans", str(path), "--db", db_url]) == 1
    assert "--keep-spans needs --passages lines" in capsys.readouterr().err
    bad = tmp_path / "bad.txt"
    bad.write_text("701\tDoubt\t3\n")
    assert main(["import", str(tmp_path / "ptc"), *OPTIONS, "--keep-spans", str(bad), "--db", db_url]) == 1
    assert f"{bad}:1: expected article_id<TAB>technique<TAB>start<TAB>end" in capsys.readouterr().err
    keep = read_keep_spans(
        [write_jsonl(tmp_path / "k.jsonl", [{"article": "a", "start": 1, "end": 4}, {"article": "a", "passage": 0}])]
    )
    assert keep.spans_for(["a", None]) == [(1, 4)] and keep.spans_for(["b"]) == []


# ---------------------------------------------------------------------------- coverage


def two_annotators(project, db_url, tmp_path, coverage: str) -> dict[str, Path]:
    """Alice labels articles 701 and 702, Bob 701 (other passages) and 703."""
    write_corpus(tmp_path / "ptc")
    alice = {"701": SPANS["701"][1:3], "702": SPANS["702"][1:]}
    bob = {"701": [SPANS["701"][0], SPANS["701"][4]], "703": SPANS["703"]}
    files = {
        name: write_ptc(tmp_path / f"{name}.txt", ptc_lines(spans)) for name, spans in (("alice", alice), ("bob", bob))
    }
    keep = [arg for path in files.values() for arg in ("--keep-spans", str(path))]
    assert main(["import", str(tmp_path / "ptc"), "--max-chars", "60", *OPTIONS, *keep, "--db", db_url]) == 0
    add_people(project, "alice", "bob")
    for name, path in files.items():
        argv = ["import-labels", str(path), "--format", "ptc", "--annotator", name, "--coverage", coverage]
        assert main([*argv, "--db", db_url]) == 0
    return files


def annotatable_of(project, *idents) -> set[int]:
    with read_session(project.engine) as session:
        return set(
            session.scalars(
                select(Passage.id)
                .join(Article, Article.id == Passage.article_id)
                .where(Passage.annotatable.is_(True), Article.external_id.in_([f"article{i}" for i in idents]))
            )
        )


def done_rows(project) -> dict[str, set[int]]:
    with read_session(project.engine) as session:
        rows = session.execute(
            select(Annotator.name, Assignment.passage_id)
            .join(Annotator, Annotator.id == Assignment.annotator_id)
            .where(Assignment.status == "done")
        ).all()
    out: dict[str, set[int]] = {}
    for name, passage_id in rows:
        out.setdefault(name, set()).add(passage_id)
    return out


def labelled_by(project, name: str) -> set[int]:
    with read_session(project.engine) as session:
        return set(
            session.scalars(
                select(Annotation.passage_id)
                .join(Annotator, Annotator.id == Annotation.annotator_id)
                .where(Annotator.name == name)
            )
        )


def test_imported_annotators_cover_the_articles_they_labelled_for_agreement_and_review(
    project, db_url, tmp_path, capsys
):
    two_annotators(project, db_url, tmp_path, "articles")
    shared = annotatable_of(project, "701")
    assert done_rows(project) == {
        "alice": annotatable_of(project, "701", "702"),
        "bob": annotatable_of(project, "701", "703"),
    }
    assert "passages marked done" in capsys.readouterr().out
    alice, bob = labelled_by(project, "alice"), labelled_by(project, "bob")
    assert shared - alice and shared - bob and not alice & bob  # each has passages of 701 without spans
    rhetoric = corpus_agreement(project.engine, layers=["rhetoric"], n_boot=1).layer("rhetoric")
    assert rhetoric.find("f1_exact").n_units == len(shared)  # every passage of 701, spans or not
    assert {summary.passage_id for summary in review_list(project.engine, ["rhetoric"])} == shared


def test_coverage_labelled_and_none(project, db_url, tmp_path):
    two_annotators(project, db_url, tmp_path, "labelled")
    assert done_rows(project) == {"alice": labelled_by(project, "alice"), "bob": labelled_by(project, "bob")}
    assert review_list(project.engine, ["rhetoric"]) == []  # no passage both labelled


def test_coverage_none_marks_nothing_and_existing_rows_become_done(project, db_url, tmp_path):
    two_annotators(project, db_url, tmp_path, "none")
    assert done_rows(project) == {}
    passage = min(annotatable_of(project, "702"))
    with write_session(project.engine) as session:
        alice = session.scalar(select(Annotator.id).where(Annotator.name == "alice"))
        session.add(
            Assignment(
                passage_id=passage, annotator_id=alice, status="skipped", active_seconds=4.0, rejected_suggestions=[]
            )
        )
    start = ARTICLES["702"].index("puppets")
    path = write_ptc(tmp_path / "more.txt", [("702", "Doubt", start, start + 7)])
    report = import_labels(project.engine, path, fmt="ptc", annotator="alice")
    assert report.covered == len(annotatable_of(project, "702"))
    with read_session(project.engine) as session:
        row = session.scalar(
            select(Assignment).where(Assignment.passage_id == passage, Assignment.annotator_id == alice)
        )
    assert (row.status, row.active_seconds) == ("done", 4.0)
    assert done_rows(project) == {"alice": annotatable_of(project, "702")}


# ---------------------------------------------------------------------------- export


def test_export_gives_passage_article_and_source_offsets(project, db_url, tmp_path):
    sources = write_corpus(tmp_path / "ptc")
    path = write_ptc(tmp_path / "spans.txt", ptc_lines())
    assert (
        main(
            ["import", str(tmp_path / "ptc"), "--max-chars", "60", *OPTIONS, "--keep-spans", str(path), "--db", db_url]
        )
        == 0
    )
    add_people(project, "ptc")
    assert import_labels(project.engine, path, fmt="ptc", annotator="ptc").imported == len(ptc_lines())
    out = tmp_path / "export"
    result = export_dataset(project.engine, out, labels="raw", split="train=1.0")
    rows = pq.read_table(out / "raw" / "train.parquet").to_pylist()
    assert result.rows["raw"]["train"] == len(rows)
    found = check_exported_spans(rows, project, {f"article{i}": s for i, s in sources.items()})
    assert sorted(found) == sorted((f"article{i}", s, e) for i, _t, s, e in ptc_lines())
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "source_start" in card and "passage_start" in card and "article_title" in card


def check_exported_spans(rows, project, sources: dict[str, str]) -> list[tuple[str, int, int]]:
    """Check every exported span's three sets of offsets; returns (article, source_start, source_end)."""
    with read_session(project.engine) as session:
        stored = {
            ext: (text, title)
            for ext, text, title in session.execute(select(Article.external_id, Article.text, Article.title))
        }
    found = []
    for row in rows:
        text, title = stored[row["article_id"]]
        assert row["article_title"] == title
        assert text[row["passage_start"] : row["passage_start"] + len(row["text"])] == row["text"]
        for span in row["rhetoric"]:
            assert span["text"] == row["text"][span["start"] : span["end"]]
            assert (span["article_start"], span["article_end"]) == (
                row["passage_start"] + span["start"],
                row["passage_start"] + span["end"],
            )
            assert text[span["article_start"] : span["article_end"]] == span["text"]
            source = sources[row["article_id"]]
            assert normalised(source[span["source_start"] : span["source_end"]]) == span["text"]
            found.append((row["article_id"], span["source_start"], span["source_end"]))
    return found


# ---------------------------------------------------------------------------- end to end, by property

WORDS = [
    "rebels",
    "army",
    "café",
    "cafe\u0301",
    "الجيش",
    "فوج",
    "حملہ",
    "𝐀lpha",
    "fire😀",
    "war\ufeffzone",
    "Hill",
    "x",
]
BREAKS = ["\n", "\r\n", "\r", "\n\n", "\r\n\r\n", " \n"]
TECHNIQUES = ["Loaded_Language", "Doubt", "Flag-Waving", "Repetition"]


@st.composite
def corpus_article(draw):
    """A source text (BOM or not) of lines of words, and spans on whole words (source offsets)."""
    bom = draw(st.booleans())
    parts = ["\ufeff"] if bom else []
    length = len(parts)
    words: list[tuple[int, int]] = []
    for number in range(draw(st.integers(1, 8))):
        if number:
            parts.append(draw(st.sampled_from(BREAKS)))
            length += len(parts[-1])
        for index, word in enumerate(draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=6))):
            if index:
                parts.append(" ")
                length += 1
            parts.append(word)
            words.append((length, length + len(word)))
            length += len(word)
    spans = set()
    for _ in range(draw(st.integers(1, 5))):
        first = draw(st.integers(0, len(words) - 1))
        last = draw(st.integers(first, min(len(words) - 1, first + 6)))
        spans.add((draw(st.sampled_from(TECHNIQUES)), words[first][0], words[last][1]))
    return "".join(parts), sorted(spans)


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(corpus_article(), min_size=1, max_size=3, unique_by=lambda article: normalised(article[0])),
    st.integers(20, 200),
)
def test_property_imported_spans_export_with_exact_source_offsets(articles, max_chars):
    from annotator.cli.db_commands import initialise
    from annotator.project import open_project

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        url = f"sqlite:///{tmp_path / 'a.db'}"
        initialise(url, None)
        project = open_project(url)
        try:
            (tmp_path / "txt").mkdir()
            sources: dict[str, str] = {}
            ptc, jsonl, records = [], [], []
            for number, (source, spans) in enumerate(articles):
                (tmp_path / "txt" / f"article{number}.txt").write_bytes(source.encode("utf-8"))
                sources[f"article{number}"] = source
                # The same text as a JSONL record: its source is the `text` value (a leading U+FEFF is text there).
                value = source + " j" * (number + 1)  # no .txt article has a "j": another text
                records.append({"id": f"j{number}", "text": value})
                sources[f"j{number}"] = value
                for technique, start, end in spans:
                    ptc.append((str(number), technique, start, end))
                    label = DEFAULT_PTC_MAPPING[technique]
                    jsonl.append(
                        {
                            "article": f"j{number}",
                            "annotator": "jay",
                            "layer": "rhetoric",
                            "label": label,
                            "start": start,
                            "end": end,
                        }
                    )
            ptc_file = write_ptc(tmp_path / "spans.txt", ptc)
            jsonl_file = write_jsonl(tmp_path / "spans.jsonl", jsonl)
            write_jsonl(tmp_path / "records.jsonl", records)
            keep = read_keep_spans([ptc_file, jsonl_file])
            report = import_paths(
                project.engine,
                [tmp_path / "txt", tmp_path / "records.jsonl"],
                max_chars=max_chars,
                passages="lines",
                keep_spans=keep,
                annotate_headings=True,
            )
            assert report.ok, report.errors
            add_people(project, "ptc", "jay")
            first = import_labels(project.engine, ptc_file, fmt="ptc", annotator="ptc")
            second = import_labels(project.engine, jsonl_file)
            assert (first.errors, second.errors) == ([], [])
            assert first.imported == len(set(ptc)) and second.imported == len(jsonl)
            out = tmp_path / "export"
            export_dataset(project.engine, out, labels="raw", split="train=1.0")
            rows = pq.read_table(out / "raw" / "train.parquet").to_pylist()
            found = check_exported_spans(rows, project, sources)
            expected = [(f"article{n}", s, e) for n, _t, s, e in ptc] + [
                (line["article"], line["start"], line["end"]) for line in jsonl
            ]
            assert sorted(found) == sorted(expected)
        finally:
            project.engine.dispose()
