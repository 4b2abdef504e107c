"""Random and broken input files of every type, through the real command line, in-process.

For each input the CLI reads (articles .txt, .md with a .json sidecar, .jsonl and .csv;
`import-labels` JSONL and PTC; a codebook; a keymap; a gazetteer as CSV or JSONL), Hypothesis
writes random bytes, random JSON/YAML structures, mutations of valid files and pathological
cases (nesting 100,000 deep, NUL characters, huge fields, huge numbers), runs
`annotator.cli.main.main([...])` and checks the one-line error guarantee:

- the exit code is 0 or 1, and no traceback is printed;
- every stderr line starts with `annotator:` (errors, warnings, summaries) or is a
  `path:line: reason` line (the second and later problems of a codebook);
- when the command failed, the articles, passages and annotations tables are unchanged.

SQLite only (fast); the bugs found have tests on both backends in `test_one_line_errors.py`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from annotator.cli.main import main
from annotator.codebook import default_codebook_path, load_default_codebook
from annotator.db.engine import make_engine, read_session, resolve_url
from annotator.db.models import Annotation, Article, Passage
from annotator.importing.labels_import import DEFAULT_PTC_MAPPING

STDERR_LINE = re.compile(r"^(annotator: |\S.*?:\d+: \S)")
TINY_CODEBOOK = (Path(str(default_codebook_path())).parent / "examples" / "tiny-codebook.yaml").read_text("utf-8")
CODEBOOK = load_default_codebook()
LAYERS = [layer.id for layer in CODEBOOK.layers]
LABELS = [label.id for layer in CODEBOOK.layers for label in layer.labels]
BINDING_IDS = ["passage.done", "passage.skip", "label.undo", "layer.next", "app.quit", "help.keys"]

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ---------------------------------------------------------------------------- strategies

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)
depths = st.sampled_from([1, 50, 99, 100, 101, 400, 1000, 3000, 100_000])
deep_json = st.one_of(
    depths.map(lambda n: "[" * n + "]" * n),
    depths.map(lambda n: '{"a": ' * n + "1" + "}" * n),
    depths.map(lambda n: '{"text": "x", "m": ' + "[" * n + "]" * n + "}"),
)
awkward_text = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from("ab \n\r\t\x00\ufeff.,\u0301[]{}\"':#-")),
    st.just("x" * 140_000),  # over csv.field_size_limit()
    st.just("9" * 5000),  # over Python's int-from-string digit limit
    st.just("\x00"),
)


def encoded(texts: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """Text as UTF-8 (sometimes with a BOM or CRLF line ends), or random bytes, or UTF-16."""
    return st.one_of(
        texts.map(lambda text: text.encode("utf-8")),
        texts.map(lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")),
        texts.map(lambda text: text.encode("utf-16")),
        st.binary(max_size=400),
    )


def jsonl(lines: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(lines, max_size=4).map(lambda items: "\n".join(items) + "\n")


def dumped(values: st.SearchStrategy) -> st.SearchStrategy[str]:
    return st.tuples(values, st.booleans()).map(lambda pair: json.dumps(pair[0], ensure_ascii=pair[1]))


article_objects = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=300), st.integers(), json_values, st.just("i" * 256)),
        "text": st.one_of(awkward_text, json_values),
        "title": st.one_of(st.text(), json_values),
        "published": st.one_of(st.text(), st.just("2024-02-30"), json_values),
        "url": st.text(),
        "extra": json_values,
    },
)
article_lines = st.one_of(dumped(article_objects), dumped(json_values), deep_json, st.text())

label_objects = st.fixed_dictionaries(
    {
        "article": st.one_of(st.sampled_from(["a1", "nope"]), json_values),
        "layer": st.one_of(st.sampled_from(LAYERS), st.text(max_size=5)),
        "label": st.one_of(st.sampled_from(LABELS), st.text(max_size=5)),
    },
    optional={
        "annotator": st.one_of(st.sampled_from(["alice", "fuzzer"]), st.text(), json_values),
        "start": st.one_of(st.integers(-3, 60), json_values, st.just(10**30)),
        "end": st.one_of(st.integers(-3, 60), json_values),
        "passage": st.one_of(st.integers(-2, 4), json_values),
        "target": st.one_of(st.text(max_size=8), json_values),
        "value": json_values,
        "attributes": json_values,
    },
)
label_lines = st.one_of(dumped(label_objects), dumped(json_values), deep_json, st.text())

offsets = st.one_of(st.integers(0, 80).map(str), st.text(max_size=4), st.just("²"), st.just("9" * 5000))
ptc_lines = st.one_of(
    st.tuples(
        st.one_of(st.sampled_from(["a1", "1", "article1"]), st.text(max_size=5)),
        st.one_of(st.sampled_from(sorted(DEFAULT_PTC_MAPPING)), st.text(max_size=5)),
        offsets,
        offsets,
    ).map("\t".join),
    st.text(),
)


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


header_names = st.sampled_from(
    ["id", "text", "title", "url", "published", "extra", "", "TEXT", " text ", "x\ny", "x\ny"]
)
csv_articles = st.one_of(
    st.lists(header_names, min_size=1, max_size=4).flatmap(
        lambda header: st.lists(st.lists(awkward_text, min_size=len(header), max_size=len(header)), max_size=3).map(
            lambda rows: csv_text([header, *rows])
        )
    ),
    st.lists(st.lists(awkward_text, max_size=4), max_size=4).map(csv_text),
    st.text(),
)


@st.composite
def mutated(draw, original: str) -> str:
    """A valid file with a slice cut out, random text put in, or cut short."""
    text = original
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["cut", "insert", "truncate"]))
        if action == "cut":
            text = text[:where] + text[where + draw(st.integers(1, 200)) :]
        elif action == "insert":
            text = (
                text[:where]
                + draw(st.one_of(st.text(max_size=20), st.sampled_from(["\n  - ", ": [", "\x00", "\t"])))
                + text[where:]
            )
        else:
            text = text[:where]
    return text


yaml_documents = st.one_of(
    json_values.map(lambda value: yaml.safe_dump(value, allow_unicode=True)),
    deep_json,
    st.text(),
    st.sampled_from(["a: 2001-13-45\n", "a: !!python/object:os.system {}\n", "&a [*a]\n", "a: &x 1\nb: *y\n"]),
)
codebooks = st.one_of(mutated(TINY_CODEBOOK), yaml_documents)
keymaps = st.one_of(
    st.dictionaries(
        st.one_of(st.sampled_from(BINDING_IDS), st.text(max_size=8)),
        st.one_of(st.text(max_size=8), json_values),
        max_size=4,
    ).map(lambda value: yaml.safe_dump(value, allow_unicode=True)),
    yaml_documents,
)
gazetteer_rows = st.lists(
    st.lists(
        st.one_of(st.sampled_from(["actors", "state_forces", "Tavrin", "text", "layer", "label"]), awkward_text),
        max_size=4,
    ),
    max_size=4,
)
gazetteer_csv = st.one_of(
    gazetteer_rows.map(lambda rows: csv_text([["text", "layer", "label"], *rows])),
    gazetteer_rows.map(csv_text),
    st.text(),
)
gazetteer_jsonl = jsonl(
    st.one_of(
        dumped(
            st.fixed_dictionaries(
                {}, optional={"text": json_values, "layer": st.sampled_from(LAYERS), "label": st.sampled_from(LABELS)}
            )
        ),
        dumped(json_values),
        deep_json,
        st.text(),
    )
)

# ---------------------------------------------------------------------------- the harness


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory):
    """One SQLite project for the whole module: default codebook, alice, article `a1`."""
    root = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{root / 'fuzz.db'}"
    article = root / "a1.jsonl"
    article.write_text(json.dumps({"id": "a1", "text": "Tavrin forces attacked the checkpoint.\n\nTwo died."}) + "\n")
    assert main(["init", "--db", url]) == 0
    assert main(["annotators", "add", "alice", "--db", url]) == 0
    assert main(["import", str(article), "--db", url]) == 0
    engine = make_engine(resolve_url(url))
    yield url, root, engine
    engine.dispose()


@pytest.fixture
def app_loaders(monkeypatch):
    """`annotate` stops where Textual would start (the option files are checked before that);
    returns the calls that got that far."""
    import annotator.tui.app as app

    calls: list[dict] = []

    def fake_run_app(project, annotator_id, **options):
        calls.append(options)
        return 0

    monkeypatch.setattr(app, "run_app", fake_run_app)
    return calls


def counts(engine) -> tuple[int, ...]:
    with read_session(engine) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table)) for table in (Article, Passage, Annotation)
        )


def write(root: Path, files: dict[str, bytes]) -> Path:
    """The files in a fresh directory under `root`; returns the directory."""
    directory = Path(tempfile.mkdtemp(dir=root))
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return directory


def check(capsys, engine, argv: list[str]) -> int:
    before = counts(engine)
    code = main(argv)
    captured = capsys.readouterr()
    assert code in (0, 1), (argv, code, captured.err)
    assert "Traceback" not in captured.err and "Traceback" not in captured.out
    for line in captured.err.splitlines():
        if line.strip():
            assert STDERR_LINE.match(line), (argv, line)
    if code == 1:
        assert counts(engine) == before, (argv, captured.err)
    return code


# ---------------------------------------------------------------------------- one test per input type


@FUZZ
@given(data=encoded(st.one_of(awkward_text, st.text())), suffix=st.sampled_from([".txt", ".md", ".TXT"]))
def test_text_articles(fuzz_db, capsys, data, suffix):
    url, root, engine = fuzz_db
    directory = write(root, {f"article{suffix}": data})
    check(capsys, engine, ["import", str(directory / f"article{suffix}"), "--db", url])


@FUZZ
@given(
    text=encoded(st.text(min_size=1)),
    sidecar=encoded(st.one_of(dumped(article_objects), dumped(json_values), deep_json, st.text())),
    max_chars=st.sampled_from(["1", "5", "1000"]),
)
def test_markdown_with_sidecar(fuzz_db, capsys, text, sidecar, max_chars):
    url, root, engine = fuzz_db
    directory = write(root, {"article.md": text, "article.json": sidecar})
    check(capsys, engine, ["import", str(directory), "--max-chars", max_chars, "--db", url])


@FUZZ
@given(data=encoded(jsonl(article_lines)), passages=st.sampled_from(["paragraphs", "lines", "article"]))
def test_jsonl_articles(fuzz_db, capsys, data, passages):
    url, root, engine = fuzz_db
    directory = write(root, {"articles.jsonl": data})
    check(capsys, engine, ["import", str(directory / "articles.jsonl"), "--passages", passages, "--db", url])


@FUZZ
@given(data=encoded(csv_articles))
def test_csv_articles(fuzz_db, capsys, data):
    url, root, engine = fuzz_db
    directory = write(root, {"articles.csv": data})
    check(capsys, engine, ["import", str(directory / "articles.csv"), "--db", url])


@FUZZ
@given(data=encoded(jsonl(label_lines)), coverage=st.sampled_from(["articles", "none"]))
def test_label_jsonl(fuzz_db, capsys, data, coverage):
    url, root, engine = fuzz_db
    directory = write(root, {"labels.jsonl": data})
    check(capsys, engine, ["import-labels", str(directory / "labels.jsonl"), "--coverage", coverage, "--db", url])


@FUZZ
@given(
    data=encoded(st.lists(ptc_lines, max_size=4).map(lambda lines: "\n".join(lines) + "\n")),
    mapping=st.none() | yaml_documents,
)
def test_label_ptc_and_mapping(fuzz_db, capsys, data, mapping):
    url, root, engine = fuzz_db
    files = {"spans.tsv": data} | ({} if mapping is None else {"map.yaml": mapping.encode("utf-8")})
    directory = write(root, files)
    argv = ["import-labels", str(directory / "spans.tsv"), "--format", "ptc", "--annotator", "ptc", "--db", url]
    check(capsys, engine, argv + ([] if mapping is None else ["--mapping", str(directory / "map.yaml")]))


@FUZZ
@given(data=encoded(jsonl(label_lines)))
def test_keep_spans_file(fuzz_db, capsys, data):
    url, root, engine = fuzz_db
    directory = write(root, {"spans.jsonl": data, "a.txt": b"Some text to cut.\nAnother line.\n"})
    argv = ["import", str(directory / "a.txt"), "--passages", "lines", "--keep-spans", str(directory / "spans.jsonl")]
    check(capsys, engine, [*argv, "--db", url])


@FUZZ
@given(data=encoded(codebooks))
def test_codebook_yaml(fuzz_db, capsys, data):
    url, root, engine = fuzz_db
    directory = write(root, {"codebook.yaml": data})
    check(capsys, engine, ["codebook", "apply", str(directory / "codebook.yaml"), "--dry-run", "--db", url])
    check(capsys, engine, ["codebook", "validate", str(directory / "codebook.yaml")])


@FUZZ
@given(data=encoded(keymaps))
def test_keymap_yaml(fuzz_db, capsys, app_loaders, data):
    url, root, engine = fuzz_db
    directory = write(root, {"keys.yaml": data})
    code = check(
        capsys, engine, ["annotate", "--annotator", "alice", "--keymap", str(directory / "keys.yaml"), "--db", url]
    )
    assert len(app_loaders) == (1 if code == 0 else 0)
    app_loaders.clear()


@FUZZ
@given(data=encoded(gazetteer_csv | gazetteer_jsonl), suffix=st.sampled_from([".csv", ".jsonl"]))
def test_gazetteer(fuzz_db, capsys, app_loaders, data, suffix):
    url, root, engine = fuzz_db
    directory = write(root, {f"names{suffix}": data})
    argv = ["annotate", "--annotator", "alice", "--gazetteer", str(directory / f"names{suffix}"), "--db", url]
    code = check(capsys, engine, argv)
    assert len(app_loaders) == (1 if code == 0 else 0)
    app_loaders.clear()
