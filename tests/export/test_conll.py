"""Token columns, `--drop-markup`, and the CoNLL and spaCy formats of `annotator export`."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from annotator.cli.main import main
from annotator.core.rules import MARKUP
from annotator.export.conll_format import write_conll
from annotator.export.converted import export_converted
from annotator.export.exporter import export_dataset
from annotator.export.spacy_format import write_spacy
from annotator.export.tokens import Tokens, bio_names
from tests.export.test_tokens import spans_from_tags


def gold_rows(out: Path) -> dict[str, list[dict]]:
    """Split -> the gold rows of a dataset export."""
    return {file.stem: pq.read_table(file).to_pylist() for file in sorted((out / "gold").glob("*.parquet"))}


def tokens_of(row: dict) -> Tokens:
    return Tokens(row["tokens"], row["token_starts"], row["token_ends"], row["token_is_markup"])


def read_conll(path: Path) -> tuple[list[str], list[list[list[tuple[str, ...]]]]]:
    """The column names and the articles of a CoNLL file: articles of passages of token lines."""
    lines = path.read_text(encoding="utf-8").split("\n")
    header, body = lines[0], lines[1:]
    assert header.startswith("# columns: ")
    columns = header.removeprefix("# columns: ").split(" ")
    articles: list[list[list[tuple[str, ...]]]] = []
    passage: list[tuple[str, ...]] = []
    for line in body:
        if line.startswith("-DOCSTART-"):
            assert line.split(" ") == ["-DOCSTART-"] + ["O"] * (len(columns) - 1)
            articles.append([])
        elif line:
            fields = tuple(line.split(" "))
            assert len(fields) == len(columns)
            passage.append(fields)
        elif passage:
            articles[-1].append(passage)
            passage = []
    assert not passage and body[-1] == ""
    return columns, articles


def test_tokens_carry_offsets_and_a_markup_mask(labelled, tmp_path):
    out = tmp_path / "ds"
    export_dataset(labelled.engine, out, seed=3)
    markers = 0
    for rows in gold_rows(out).values():
        for row in rows:
            text = row["text"]
            assert [text[s:e] for s, e in zip(row["token_starts"], row["token_ends"])] == row["tokens"]
            marked = [token for token, mark in zip(row["tokens"], row["token_is_markup"]) if mark]
            assert marked == MARKUP.findall(text)
            markers += len(marked)
    assert markers > 0  # the sample's analysis article cites its sources


def test_drop_markup_removes_markers_from_tokens_offsets_and_tags(labelled, tmp_path):
    kept, dropped = tmp_path / "kept", tmp_path / "dropped"
    export_dataset(labelled.engine, kept, seed=3)
    export_dataset(labelled.engine, dropped, seed=3, drop_markup=True)
    kept_rows, dropped_rows = gold_rows(kept), gold_rows(dropped)
    assert kept_rows.keys() == dropped_rows.keys()
    for split, rows in kept_rows.items():
        for before, after in zip(rows, dropped_rows[split], strict=True):
            keep = [not mark for mark in before["token_is_markup"]]
            assert after["tokens"] == [t for t, k in zip(before["tokens"], keep) if k]
            assert after["token_starts"] == [s for s, k in zip(before["token_starts"], keep) if k]
            assert not any(after["token_is_markup"]) and len(after["token_is_markup"]) == len(after["tokens"])
            for layer in ("actors", "rhetoric"):
                assert after[layer] == before[layer]  # the spans are unaffected
                assert after[f"{layer}_tags"] == [tag for tag, k in zip(before[f"{layer}_tags"], keep) if k]


@pytest.mark.parametrize("drop_markup", [False, True])
def test_conll_files_hold_the_gold_tokens_and_rebuild_the_gold_spans(labelled, tmp_path, drop_markup):
    out, reference = tmp_path / "conll", tmp_path / "ds"
    result = export_converted(labelled.engine, out, write_conll, seed=3, drop_markup=drop_markup)
    export_dataset(labelled.engine, reference, seed=3, drop_markup=drop_markup)
    gold = gold_rows(reference)
    assert sorted(path.name for path in out.iterdir()) == sorted([".annotator-export", *(f"{s}.conll" for s in gold)])
    assert {split: len(rows) for split, rows in gold.items()} == result.rows["gold"]
    layers = [layer for layer in labelled.codebook.layers if layer.kind == "span"]
    names = {layer.id: bio_names([label.id for label in layer.labels]) for layer in layers}
    markers = spans = 0
    for split, rows in gold.items():
        columns, articles = read_conll(out / f"{split}.conll")
        assert columns == ["token", *(f"{layer.id}_tags" for layer in layers)]
        assert len(articles) == len({row["article_id"] for row in rows})
        passages = [passage for article in articles for passage in article]
        assert len(passages) == len(rows)
        for passage, row in zip(passages, rows):
            tokens = tokens_of(row)
            assert [line[0] for line in passage] == ["_".join(token.split()) for token in row["tokens"]]
            markers += sum(bool(MARKUP.fullmatch(line[0].replace("_", " "))) for line in passage)
            for column, layer in enumerate(layers, start=1):
                codes = [names[layer.id].index(line[column]) for line in passage]
                rebuilt = set(spans_from_tags(tokens, codes))
                expected = token_spans(tokens, row[layer.id])
                assert rebuilt <= expected
                alone = {span for span in expected if not any(overlap(span, other) for other in expected - {span})}
                assert alone <= rebuilt  # only a span sharing a token with another can be left out of BIO
                spans += len(rebuilt)
    assert spans > 50
    assert (markers == 0) == drop_markup


def token_spans(tokens: Tokens, spans: list[dict]) -> set[tuple[int, int, int]]:
    """`(start, end, label)` of the tokens each span covers."""
    covered = [(tokens.covering(span["start"], span["end"]), span["label"]) for span in spans]
    return {(tokens.starts[c.start], tokens.ends[c.stop - 1], label) for c, label in covered}


def overlap(one: tuple[int, int, int], other: tuple[int, int, int]) -> bool:
    return one[0] < other[1] and other[0] < one[1]


def test_conll_export_is_byte_identical_for_the_same_seed(labelled, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    export_converted(labelled.engine, first, write_conll, seed=5)
    export_converted(labelled.engine, second, write_conll, seed=5)
    files = sorted(first.glob("*.conll"))
    assert files and [file.read_bytes() for file in files] == [(second / f.name).read_bytes() for f in files]


@pytest.mark.parametrize("drop_markup", [False, True])
def test_spacy_docbins_hold_the_passages_and_their_gold_spans(labelled, tmp_path, drop_markup):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    out, reference = tmp_path / "spacy", tmp_path / "ds"
    export_converted(labelled.engine, out, write_spacy, seed=3, drop_markup=drop_markup)
    export_dataset(labelled.engine, reference, seed=3, drop_markup=drop_markup)
    vocab = spacy.blank("en").vocab
    for split, rows in gold_rows(reference).items():
        docs = list(DocBin().from_bytes((out / f"{split}.spacy").read_bytes()).get_docs(vocab))
        assert len(docs) == len(rows)
        for doc, row in zip(docs, rows):
            assert doc.text == (MARKUP.sub("", row["text"]) if drop_markup else row["text"])
            assert [token.text for token in doc if not token.is_space] == row["tokens"]
            assert doc.user_data["passage_id"] == row["passage_id"]
            for layer in ("actors", "rhetoric"):
                labels = [label.id for label in labelled.codebook.layer(layer).labels]
                tokens = tokens_of(row)
                covered = [(tokens.covering(span["start"], span["end"]), span["label"]) for span in row[layer]]
                expected = [(tokens.starts[c.start], tokens.ends[c.stop - 1], labels[label]) for c, label in covered]
                assert sorted((s.start_char, s.end_char, s.label_) for s in doc.spans[layer]) == sorted(expected)
    again = tmp_path / "again"
    export_converted(labelled.engine, again, write_spacy, seed=3, drop_markup=drop_markup)
    assert [f.read_bytes() for f in sorted(out.glob("*.spacy"))] == [
        f.read_bytes() for f in sorted(again.glob("*.spacy"))
    ]


def test_cli_exports_conll_without_markup(labelled, db_url, tmp_path, capsys):
    out = tmp_path / "conll"
    argv = ["export", "--format", "conll", "--drop-markup", "--out", str(out), "--seed", "3", "--db", db_url]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    files = sorted(out.glob("*.conll"))
    assert files and all(file.name in printed for file in files)
    tokens = [line[0] for file in files for article in read_conll(file)[1] for passage in article for line in passage]
    assert tokens and not [token for token in tokens if MARKUP.fullmatch(token.replace("_", " "))]
    assert main(argv) == 1 and "already exists" in capsys.readouterr().err


def test_cli_spacy_format_without_spacy_is_a_one_line_error(labelled, db_url, tmp_path, capsys, monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "spacy" else real_find_spec(name, *a)
    )
    out = tmp_path / "spacy"
    assert main(["export", "--format", "spacy", "--out", str(out), "--db", db_url]) == 1
    error = capsys.readouterr().err
    assert "spaCy" in error and error.count("\n") == 1
    assert not out.exists()
