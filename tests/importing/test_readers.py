"""Readers: every format, sidecar metadata, normalisation, and every user error as `path:line: reason`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.errors import InputError
from annotator.importing.readers import ArticleRecord, collect_paths, read_articles

SAMPLE_CORPUS = Path(__file__).resolve().parents[2] / "annotator" / "sample_corpus"


def read_all(path: Path) -> list[ArticleRecord]:
    return list(read_articles(path))


def error_of(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_all(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message == f"{caught.value.where}: {caught.value.reason}"
    return message


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def jsonl(path: Path, *objects) -> Path:
    return write(path, "".join(json.dumps(obj) + "\n" for obj in objects))


# ---------------------------------------------------------------------------- .txt / .md


def test_txt_without_sidecar_takes_title_from_first_line_and_id_from_stem(tmp_path):
    path = write(tmp_path / "raid-report.txt", "\n\n  Raid on the depot  \n\nBody text.\n")
    [record] = read_all(path)
    assert record == ArticleRecord(
        external_id="raid-report",
        title="Raid on the depot",
        text="\n\n  Raid on the depot  \n\nBody text.\n",
        url=None,
        source=None,
        author=None,
        published=None,
        metadata={},
        origin=f"{path}:1",
    )


def test_md_title_drops_leading_hashes(tmp_path):
    [record] = read_all(write(tmp_path / "a.md", "## The war in the hills\n\nText."))
    assert record.title == "The war in the hills"


def test_sidecar_metadata(tmp_path):
    path = write(tmp_path / "story.txt", "First line\n\nBody.")
    write(
        tmp_path / "story.json",
        json.dumps(
            {
                "id": 42,
                "title": "Sidecar title",
                "author": "A. Writer",
                "source": "The Ledger",
                "url": "https://example.org/story",
                "published": "14 March 2024",
                "section": "Security",
                "tags": ["a", "b"],
            }
        ),
    )
    [record] = read_all(path)
    assert record.external_id == "42"
    assert record.title == "Sidecar title"
    assert (record.author, record.source, record.url) == ("A. Writer", "The Ledger", "https://example.org/story")
    assert record.published == "14 March 2024"  # as given
    assert record.metadata == {"section": "Security", "tags": ["a", "b"]}
    assert record.text == "First line\n\nBody."


def test_sidecar_without_title_or_id_falls_back(tmp_path):
    path = write(tmp_path / "story.md", "# Heading title\nBody.")
    write(tmp_path / "story.json", '{"author": null, "desk": "x"}')
    [record] = read_all(path)
    assert (record.external_id, record.title, record.author) == ("story", "Heading title", None)
    assert record.metadata == {"desk": "x"}


def test_bom_is_stripped_and_line_endings_normalised_nothing_else(tmp_path):
    raw = "\ufeffTitle\r\n\r\nOne\ttab  and trailing  \rlone CR\u00a0nbsp e\u0301\r\n".encode()
    [record] = read_all(write(tmp_path / "a.txt", raw))
    assert record.text == "Title\n\nOne\ttab  and trailing  \nlone CR\u00a0nbsp e\u0301\n"
    assert record.title == "Title"
    source = raw.decode("utf-8")
    # The BOM and the \r of each \r\n, at their offsets in the decoded file; a lone \r is replaced, not dropped.
    assert record.source_gaps == (0, 6, 8, len(source) - 2)
    assert all(source[gap] in "\ufeff\r" for gap in record.source_gaps)


def test_a_bom_inside_the_text_is_text(tmp_path):
    [record] = read_all(write(tmp_path / "a.txt", "Title\n\nword\ufeffjoined\n".encode()))
    assert record.text == "Title\n\nword\ufeffjoined\n" and record.source_gaps == ()
    [record] = read_all(write(tmp_path / "b.jsonl", json.dumps({"text": "\ufeffStarts with U+FEFF"}) + "\n"))
    assert record.text == "\ufeffStarts with U+FEFF" and record.source_gaps == ()


def test_invalid_utf8_names_line_and_byte_offset(tmp_path):
    path = write(tmp_path / "bad.txt", b"line one\nline \xff two\n")
    assert error_of(path) == f"{path}:2: invalid UTF-8 at byte offset 14: invalid start byte"


def test_invalid_utf8_offset_counts_the_bom(tmp_path):
    path = write(tmp_path / "bad.md", b"\xef\xbb\xbfok\n\xc3(")
    assert error_of(path) == f"{path}:2: invalid UTF-8 at byte offset 6: invalid continuation byte"


def test_binary_file(tmp_path):
    path = write(tmp_path / "image.txt", b"PNG\n\x89\x00\x01")
    assert error_of(path) == f"{path}:2: binary file (NUL byte at byte offset 5)"


def test_utf16_file_is_named(tmp_path):
    path = write(tmp_path / "wide.txt", "Title".encode("utf-16"))
    assert error_of(path) == f"{path}:1: file is UTF-16 encoded; convert it to UTF-8"


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "empty file"), (b" \n\t\r\n  ", "file contains only whitespace"), (b"\xef\xbb\xbf", "empty file")],
)
def test_empty_text_file(tmp_path, data, reason):
    path = write(tmp_path / "empty.txt", data)
    assert error_of(path) == f"{path}:1: {reason}"


def test_malformed_sidecar(tmp_path):
    path = write(tmp_path / "a.txt", "Text")
    sidecar = write(tmp_path / "a.json", '{\n  "title": "x",\n  "author" "y"\n}')
    assert error_of(path) == f"{sidecar}:3: malformed JSON: Expecting ':' delimiter (column 12)"


def test_sidecar_not_an_object(tmp_path):
    path = write(tmp_path / "a.txt", "Text")
    sidecar = write(tmp_path / "a.json", '["title"]')
    assert error_of(path) == f"{sidecar}:1: sidecar metadata must be a JSON object, got array"


def test_sidecar_wrong_field_type_names_its_line(tmp_path):
    path = write(tmp_path / "a.txt", "Text")
    sidecar = write(tmp_path / "a.json", '{\n  "title": "x",\n  "published": 2024\n}')
    assert error_of(path) == f"{sidecar}:3: field 'published' must be a string, got number"


def test_sidecar_must_not_carry_text(tmp_path):
    path = write(tmp_path / "a.txt", "Text")
    sidecar = write(tmp_path / "a.json", '{"text": "other"}')
    assert error_of(path) == f"{sidecar}:1: sidecar metadata must not contain 'text' (the text is a.txt)"


def test_unsupported_suffix(tmp_path):
    path = write(tmp_path / "a.pdf", "x")
    with pytest.raises(InputError) as caught:
        read_articles(path)
    assert str(caught.value) == f"{path}: unsupported file type .pdf (expected .txt, .md, .jsonl or .csv)"


def test_missing_file(tmp_path):
    path = tmp_path / "gone.txt"
    assert error_of(path) == f"{path}: cannot read file: No such file or directory"


# ---------------------------------------------------------------------------- .jsonl


def test_jsonl_records(tmp_path):
    path = write(
        tmp_path / "a.jsonl",
        "\ufeff"
        + json.dumps({"id": 7, "title": "T", "text": "Line\r\ntwo", "lang": "en", "url": None})
        + "\n\n   \n"
        + json.dumps({"text": "Second", "author": "Z", "published": "2024-01-02", "extra": {"k": 1}})
        + "\r\n",
    )
    first, second = read_all(path)
    assert first == ArticleRecord(
        "7", "T", "Line\ntwo", None, None, None, None, {"lang": "en"}, f"{path}:1", source_gaps=(4,)
    )
    assert second.origin == f"{path}:4"
    assert (second.external_id, second.title, second.author, second.published) == (None, None, "Z", "2024-01-02")
    assert second.metadata == {"extra": {"k": 1}}


def test_jsonl_is_lazy(tmp_path):
    path = write(tmp_path / "a.jsonl", '{"text": "ok"}\n{broken\n')
    records = read_articles(path)
    assert next(records).text == "ok"
    with pytest.raises(InputError) as caught:
        next(records)
    assert str(caught.value).startswith(f"{path}:2: malformed JSON")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{broken", "malformed JSON: Expecting property name enclosed in double quotes (column 2)"),
        ('{"text": "a"} x', "malformed JSON: Extra data (column 15)"),
        ('{"text": "x", "score": NaN}', "malformed JSON: NaN is not valid JSON"),
        ('["text"]', "expected a JSON object, got array"),
        ('"text"', "expected a JSON object, got string"),
        ("null", "expected a JSON object, got null"),
        ('{"title": "no text"}', "missing required field 'text'"),
        ('{"text": null}', "missing required field 'text'"),
        ('{"text": "  \\n "}', "field 'text' is empty"),
        ('{"text": 5}', "field 'text' must be a string, got number"),
        ('{"text": "x", "title": 5}', "field 'title' must be a string, got number"),
        ('{"text": "x", "author": ["a"]}', "field 'author' must be a string, got array"),
        ('{"text": "x", "published": {"y": 1}}', "field 'published' must be a string, got object"),
        ('{"text": "x", "id": true}', "field 'id' must be a string or a number, got boolean"),
        ('{"text": "x", "id": [1]}', "field 'id' must be a string or a number, got array"),
    ],
)
def test_jsonl_errors_name_the_line(tmp_path, line, reason):
    path = write(tmp_path / "a.jsonl", '{"text": "fine"}\n\n' + line + "\n")
    assert error_of(path) == f"{path}:3: {reason}"


def test_jsonl_invalid_utf8(tmp_path):
    path = write(tmp_path / "a.jsonl", b'{"text": "ok"}\n{"text": "\xe9t\xe9"}\n')
    assert error_of(path) == f"{path}:2: invalid UTF-8 at byte offset 25: invalid continuation byte"


def test_jsonl_binary(tmp_path):
    path = write(tmp_path / "a.jsonl", b'{"text": "ok"}\n\x00\x01\x02')
    assert error_of(path) == f"{path}:2: binary file (NUL byte at byte offset 15)"


@pytest.mark.parametrize(("data", "reason"), [(b"", "empty file"), (b"\n  \n\n", "file contains only whitespace")])
def test_jsonl_empty(tmp_path, data, reason):
    path = write(tmp_path / "a.jsonl", data)
    assert error_of(path) == f"{path}:1: {reason}"


# ---------------------------------------------------------------------------- .csv


def test_csv_records_with_embedded_newlines(tmp_path):
    path = write(
        tmp_path / "a.csv",
        "\ufeffID,Title,text,url,desk\r\n"
        '1,First,"Para one.\r\n\r\nPara ""two"", quoted.",,news\r\n'
        "\r\n"
        '2,,"Single line",https://example.org/2,\r\n',
    )
    first, second = read_all(path)
    assert first == ArticleRecord(
        "1",
        "First",
        'Para one.\n\nPara "two", quoted.',
        None,
        None,
        None,
        None,
        {"desk": "news"},
        f"{path}:2",
        source_gaps=(9, 11),  # the \r of each \r\n in the field's value (the file's BOM is not in it)
    )
    assert second.origin == f"{path}:6"
    assert (second.title, second.url, second.metadata) == (None, "https://example.org/2", {"desk": None})


def test_csv_without_text_column(tmp_path):
    path = write(tmp_path / "a.csv", "id,title,body\n1,t,b\n")
    assert error_of(path) == f"{path}:1: no 'text' column in header"


def test_csv_row_with_wrong_number_of_fields(tmp_path):
    path = write(tmp_path / "a.csv", 'id,text\n1,"multi\nline"\n2,x,extra\n')
    assert error_of(path) == f"{path}:4: expected 2 fields, got 3"


def test_csv_row_with_empty_text(tmp_path):
    path = write(tmp_path / "a.csv", "id,text\n1,ok\n2,\n")
    assert error_of(path) == f"{path}:3: field 'text' is empty"


def test_csv_header_only(tmp_path):
    path = write(tmp_path / "a.csv", "id,text\n")
    assert error_of(path) == f"{path}:2: no rows after the header"


def test_csv_malformed_quoting(tmp_path):
    path = write(tmp_path / "a.csv", 'id,text\n1,"ok"\n2,"bad"x\n')
    assert error_of(path) == f"{path}:3: malformed CSV: ',' expected after '\"'"


def test_csv_duplicate_and_empty_columns(tmp_path):
    path = write(tmp_path / "a.csv", "text,Text\nx,y\n")
    assert error_of(path) == f"{path}:1: duplicate column 'text' in header"
    path = write(tmp_path / "b.csv", "text,,id\nx,,1\n")
    assert error_of(path) == f"{path}:1: header column 2 has no name"


def test_csv_invalid_utf8_and_empty(tmp_path):
    path = write(tmp_path / "a.csv", b"id,text\n1,caf\xe9\n")
    assert error_of(path) == f"{path}:2: invalid UTF-8 at byte offset 13: invalid continuation byte"
    path = write(tmp_path / "b.csv", b"")
    assert error_of(path) == f"{path}:1: empty file"


# ---------------------------------------------------------------------------- collect_paths


def test_collect_paths_recurses_sorted_and_skips_sidecars(tmp_path):
    root = tmp_path / "corpus"
    for name in [
        "b.txt",
        "b.json",
        "a.md",
        "sub/z.jsonl",
        "sub/deeper/c.csv",
        "notes.pdf",
        "x.json",
        ".hidden.txt",
        ".git/d.txt",
        "UPPER.TXT",
    ]:
        write(root / name, "Text")
    assert collect_paths([root]) == [
        root / "UPPER.TXT",
        root / "a.md",
        root / "b.txt",
        root / "sub" / "deeper" / "c.csv",
        root / "sub" / "z.jsonl",
    ]


def test_collect_paths_explicit_files(tmp_path):
    one = write(tmp_path / "one.txt", "x")
    two = write(tmp_path / "two.jsonl", '{"text": "x"}')
    sidecar = write(tmp_path / "one.json", "{}")
    assert collect_paths([two, one, sidecar, tmp_path]) == [two, one]


def test_collect_paths_errors(tmp_path):
    other = write(tmp_path / "report.docx", "x")
    with pytest.raises(InputError) as caught:
        collect_paths([other])
    assert str(caught.value) == f"{other}: unsupported file type .docx (expected .txt, .md, .jsonl or .csv)"
    with pytest.raises(InputError) as caught:
        collect_paths([tmp_path / "missing"])
    assert str(caught.value) == f"{tmp_path / 'missing'}: no such file or directory"


# ---------------------------------------------------------------------------- sample corpus


def test_sample_corpus_reads_cleanly():
    paths = collect_paths([SAMPLE_CORPUS])
    assert [path.name for path in paths] == [
        "no-surrender-to-the-mountain-wolves.txt",
        "ostrel-insurgency-analysis.md",
        "sample.jsonl",
        "tavrin-checkpoint-attack.txt",
        "velisk-market-blast-wire.txt",
    ]
    records = [record for path in paths for record in read_articles(path)]
    assert len(records) == 7
    for record in records:
        assert record.title and record.text.strip() and "\r" not in record.text
    news = next(record for record in records if record.external_id == "tavrin-checkpoint-attack")
    assert news.source == "The Meridan Ledger" and news.published.startswith("2024-03-14")
    assert news.metadata == {"section": "Security", "language": "en"}
    long_form = [r for r in records if r.origin.endswith(":1") and not r.origin.split(":")[0].endswith(".jsonl")]
    for record in long_form:
        assert 300 <= len(record.text.split()) <= 1200, record.origin
    jsonl_ids = [r.external_id for r in records if ".jsonl:" in r.origin]
    assert jsonl_ids == ["hw-2024-0415", "20240502", "olf-comm-0233"]
