"""Read article files (.txt, .md, .jsonl, .csv) into `ArticleRecord`s.

Every user error is raised as `InputError("path:line", reason)`, one line, so that the
importer can report the file and go on with the next one. Records are yielded lazily;
the importer treats a file as one transaction.

Text is decoded as strict UTF-8 (a leading BOM is dropped) and its line endings are
normalised to `\\n` (`\\r\\n` and lone `\\r`); nothing else is changed. Each record keeps
`source_gaps`, where the dropped characters were in its source (see
`annotator.core.source_map`): the file's decoded text for .txt/.md, the `text` value of a
JSONL or CSV record.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.source_map import normalise
from annotator.errors import InputError

TEXT_SUFFIXES = frozenset({".txt", ".md"})
RECORD_SUFFIXES = frozenset({".jsonl", ".csv"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | RECORD_SUFFIXES
SIDECAR_SUFFIX = ".json"

# Fields with a place of their own in `ArticleRecord`; anything else goes to `metadata`.
_STRING_FIELDS = ("title", "url", "source", "author", "published")
MAX_EXTERNAL_ID_CHARS = 255  # the `articles.external_id` column
MAX_JSON_DEPTH = 100  # metadata nesting kept (deeper values could not be stored back as JSON reliably)
NUL_IN_TEXT = "text contains a NUL character (U+0000), which the database cannot store"


@dataclass(frozen=True)
class ArticleRecord:
    """One article as read from a file, before it is stored."""

    external_id: str | None
    title: str | None
    text: str
    url: str | None = None
    source: str | None = None
    author: str | None = None
    published: str | None = None  # as given; the importer parses it
    metadata: dict[str, Any] = field(default_factory=dict)
    origin: str = ""  # "path:line" of the record, for messages
    source_gaps: tuple[int, ...] = ()
    """Source offsets of the characters the stored `text` dropped (see `annotator.core.source_map`)."""


# ---------------------------------------------------------------------------- paths


def collect_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Article files named by `paths`, directories expanded recursively.

    A directory's files are sorted and only supported suffixes are kept; hidden files and
    directories (name starting with ".") are skipped. Argument order is kept and a file
    named twice is listed once. A `.json` sidecar named explicitly is skipped (it belongs to
    the `.txt`/`.md` of the same stem); any other unsupported file named explicitly, or a
    path that does not exist, is an `InputError`.
    """
    result: list[Path] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            result.append(path)

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in _walk(path):
                add(found)
        elif path.is_file():
            suffix = path.suffix.lower()
            if suffix in SUPPORTED_SUFFIXES:
                add(path)
            elif suffix == SIDECAR_SUFFIX and _is_sidecar(path):
                continue
            else:
                raise InputError(str(path), _unsupported(path))
        elif path.exists():
            raise InputError(str(path), "not a regular file or directory")
        else:
            raise InputError(str(path), "no such file or directory")
    return result


def _walk(directory: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            if os.path.splitext(name)[1].lower() in SUPPORTED_SUFFIXES:
                found.append(Path(root, name))
    found.sort()
    return found


def _is_sidecar(path: Path) -> bool:
    return any(path.with_suffix(suffix).is_file() for suffix in (".txt", ".md", ".TXT", ".MD"))


def _unsupported(path: Path) -> str:
    suffix = path.suffix or "(none)"
    return f"unsupported file type {suffix} (expected .txt, .md, .jsonl or .csv)"


# ---------------------------------------------------------------------------- dispatch


def read_articles(path: Path | str) -> Iterator[ArticleRecord]:
    """The articles in one file, chosen by its suffix (case-insensitive)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return _read_text_file(path)
    if suffix == ".jsonl":
        return _read_jsonl(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise InputError(str(path), _unsupported(path))


# ---------------------------------------------------------------------------- helpers


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(str(path), f"cannot read file: {error.strerror or error}") from None


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode_raw(path: Path, data: bytes) -> tuple[str, bool]:
    """Strict UTF-8 without its BOM (and whether it had one), line endings as in the file;
    binary and empty files refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"{path}:1", "file is UTF-16 encoded; convert it to UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(f"{path}:{_line_at(data, nul)}", f"binary file (NUL byte at byte offset {nul})")
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start + skip
        raise InputError(
            f"{path}:{_line_at(data, offset)}",
            f"invalid UTF-8 at byte offset {offset}: {error.reason}",
        ) from None
    if not text.strip():
        raise InputError(f"{path}:1", "empty file" if not text else "file contains only whitespace")
    return text, skip > 0


def normalise_newlines(text: str) -> str:
    """`\\r\\n` and lone `\\r` to `\\n`; nothing else."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _fields_from_mapping(data: dict[str, Any], where) -> dict[str, Any]:
    """Check and split a JSON object's fields: known ones by name, the rest in `metadata`.

    `where(key)` gives the "path:line" to blame for a bad field.
    """
    out: dict[str, Any] = {"metadata": {}}
    for key, value in data.items():
        if key == "text":
            continue
        if key == "id":
            if value is None:
                out["external_id"] = None
            elif isinstance(value, str):
                out["external_id"] = value
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                out["external_id"] = str(value)
            else:
                raise InputError(where(key), f"field 'id' must be a string or a number, got {_json_type(value)}")
            if out["external_id"] is not None and len(out["external_id"]) > MAX_EXTERNAL_ID_CHARS:
                raise InputError(
                    where(key),
                    f"field 'id' is {len(out['external_id'])} characters long (at most {MAX_EXTERNAL_ID_CHARS})",
                )
        elif key in _STRING_FIELDS:
            if value is not None and not isinstance(value, str):
                raise InputError(where(key), f"field '{key}' must be a string, got {_json_type(value)}")
            out[key] = value
        else:
            out["metadata"][key] = value
    problem = _value_problem(data)
    if problem is not None:
        key, reason = problem
        raise InputError(where(key), reason)
    return out


def _value_problem(data: dict[str, Any]) -> tuple[str, str] | None:
    """The first top-level key whose value (or the key itself) cannot be stored, and why:
    a NUL in any string, or nesting deeper than `MAX_JSON_DEPTH`."""
    for key, value in data.items():
        reason = unstorable(key) or unstorable(value)
        if reason is not None:
            return key, reason
    return None


def unstorable(value: Any) -> str | None:
    """Why a parsed JSON value cannot be stored (a NUL in a string, keys included, or nesting
    deeper than `MAX_JSON_DEPTH`), else None. Iterative: a deep value cannot exhaust the stack."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return NUL_IN_TEXT
        elif isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                return f"{JSON_TOO_DEEP} (more than {MAX_JSON_DEPTH} levels)"
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return None


def _checked_text(value: Any, where: str) -> tuple[str, list[int]]:
    """The stored text of a record's `text` value and its source gaps (the value is the source)."""
    if value is None:
        raise InputError(where, "missing required field 'text'")
    if not isinstance(value, str):
        raise InputError(where, f"field 'text' must be a string, got {_json_type(value)}")
    if not value.strip():
        raise InputError(where, "field 'text' is empty")
    if "\x00" in value:
        raise InputError(where, NUL_IN_TEXT)
    return normalise(value)


JSON_TOO_DEEP = "malformed JSON: nested too deeply"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _loads(raw: str, where_path: Path, line: int | None = None) -> Any:
    """Parse strict JSON (no NaN/Infinity); errors name the line and column."""
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise _json_error(where_path, error, line) from None
    except ValueError as error:
        raise InputError(f"{where_path}:{line or 1}", f"malformed JSON: {error}") from None
    except RecursionError:
        raise InputError(f"{where_path}:{line or 1}", JSON_TOO_DEEP) from None


def _json_error(where_path: Path, error: json.JSONDecodeError, line: int | None = None) -> InputError:
    return InputError(
        f"{where_path}:{line if line is not None else error.lineno}",
        f"malformed JSON: {error.msg} (column {error.colno})",
    )


def parse_json_line(where: str, line: str) -> Any:
    """One line of a label file as JSON; any failure (syntax, nesting, a huge number) is an
    `InputError` at `where`."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(where, f"not JSON ({error.msg})") from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise InputError(where, f"not JSON ({str(error).splitlines()[0]})") from None
    except RecursionError:
        raise InputError(where, "not JSON (nested too deeply)") from None


MAX_OFFSET_DIGITS = 18


def is_offset(text: str) -> bool:
    """Whether `text` is a non-negative integer offset in ASCII digits `int()` can read quickly."""
    return 0 < len(text) <= MAX_OFFSET_DIGITS and text.isascii() and text.isdigit()


# ---------------------------------------------------------------------------- .txt / .md


def _read_text_file(path: Path) -> Iterator[ArticleRecord]:
    raw, bom = _decode_raw(path, _read_bytes(path))
    text, gaps = normalise(raw, bom=bom)
    meta = _read_sidecar(path)
    title = meta.get("title")
    if title is None:
        title = _title_from_text(text)
    external_id = meta.get("external_id") or path.stem
    yield ArticleRecord(
        external_id=external_id,
        title=title,
        text=text,
        url=meta.get("url"),
        source=meta.get("source"),
        author=meta.get("author"),
        published=meta.get("published"),
        metadata=meta.get("metadata", {}),
        origin=f"{path}:1",
        source_gaps=tuple(gaps),
    )


def _title_from_text(text: str) -> str | None:
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            return stripped.lstrip("#").strip() or None
    return None


def _read_sidecar(path: Path) -> dict[str, Any]:
    sidecar = path.with_suffix(SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return {}
    data = _read_bytes(sidecar)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{sidecar}:{_line_at(data, error.start)}",
            f"invalid UTF-8 at byte offset {error.start}: {error.reason}",
        ) from None
    obj = _loads(raw, sidecar)
    if not isinstance(obj, dict):
        raise InputError(f"{sidecar}:1", f"sidecar metadata must be a JSON object, got {_json_type(obj)}")
    if "text" in obj:
        raise InputError(
            f"{sidecar}:{_key_line(raw, 'text')}",
            f"sidecar metadata must not contain 'text' (the text is {path.name})",
        )
    return _fields_from_mapping(obj, lambda key: f"{sidecar}:{_key_line(raw, key)}")


def _key_line(raw: str, key: str) -> int:
    """Line of the first `"key"` in a JSON document (1 if not found)."""
    index = raw.find(json.dumps(key))
    return raw.count("\n", 0, index) + 1 if index >= 0 else 1


# ---------------------------------------------------------------------------- .jsonl


def _read_jsonl(path: Path) -> Iterator[ArticleRecord]:
    try:
        handle = path.open("rb")
    except OSError as error:
        raise InputError(str(path), f"cannot read file: {error.strerror or error}") from None
    with handle:
        offset = 0
        any_content = False
        for lineno, raw in enumerate(handle, 1):
            where = f"{path}:{lineno}"
            line_offset = offset
            offset += len(raw)
            if lineno == 1:
                if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    raise InputError(where, "file is UTF-16 encoded; convert it to UTF-8")
                if raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8) :]
                    line_offset += len(codecs.BOM_UTF8)
            nul = raw.find(b"\x00")
            if nul >= 0:
                raise InputError(where, f"binary file (NUL byte at byte offset {line_offset + nul})")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise InputError(
                    where, f"invalid UTF-8 at byte offset {line_offset + error.start}: {error.reason}"
                ) from None
            if not line.strip():
                continue
            any_content = True
            obj = _loads(line, path, lineno)
            if not isinstance(obj, dict):
                raise InputError(where, f"expected a JSON object, got {_json_type(obj)}")
            text, gaps = _checked_text(obj.get("text"), where)
            fields = _fields_from_mapping(obj, lambda key, where=where: where)
            yield _record(fields, text, where, gaps)
        if not any_content:
            raise InputError(f"{path}:1", "empty file" if offset == 0 else "file contains only whitespace")


def _record(fields: dict[str, Any], text: str, where: str, gaps: list[int]) -> ArticleRecord:
    return ArticleRecord(
        external_id=fields.get("external_id"),
        title=fields.get("title"),
        text=text,
        url=fields.get("url"),
        source=fields.get("source"),
        author=fields.get("author"),
        published=fields.get("published"),
        metadata=fields["metadata"],
        origin=where,
        source_gaps=tuple(gaps),
    )


# ---------------------------------------------------------------------------- .csv


def _read_csv(path: Path) -> Iterator[ArticleRecord]:
    # Parsed with the file's own line endings (a quoted field keeps its \r\n, so the `text`
    # value is the record's source); every field is then normalised.
    text, _bom = _decode_raw(path, _read_bytes(path))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as error:
        raise InputError(f"{path}:{reader.line_num}", f"malformed CSV: {error}") from None
    names = [_csv_column_name(name) for name in header]
    for index, name in enumerate(names, 1):
        if not name:
            raise InputError(f"{path}:1", f"header column {index} has no name")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(f"{path}:1", f"duplicate column '{name}' in header")
        seen.add(name)
    if "text" not in names:
        raise InputError(f"{path}:1", "no 'text' column in header")
    width = len(names)
    previous_end = reader.line_num
    rows = 0
    while True:
        start = previous_end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise InputError(f"{path}:{start}", f"malformed CSV: {error}") from None
        previous_end = reader.line_num
        where = f"{path}:{start}"
        if not row or (len(row) == 1 and not row[0].strip() and width > 1):
            continue  # blank line
        if len(row) != width:
            raise InputError(where, f"expected {width} fields, got {len(row)}")
        rows += 1
        obj = {name: (value if value != "" else None) for name, value in zip(names, row)}
        text, gaps = _checked_text(obj["text"] or "", where)
        obj = {name: None if value is None else normalise_newlines(value) for name, value in obj.items()}
        fields = _fields_from_mapping(obj, lambda key, where=where: where)
        yield _record(fields, text, where, gaps)
    if not rows:
        raise InputError(f"{path}:{previous_end + 1}", "no rows after the header")


def _csv_column_name(name: str) -> str:
    """Header names are stripped; the known ones (text, id, title, ...) match in any case."""
    name = name.strip()
    lowered = name.lower()
    return lowered if lowered == "text" or lowered == "id" or lowered in _STRING_FIELDS else name


def read_nonblank_lines(path: Path) -> Iterator[tuple[str, str]]:
    """`(file:line, text)` for every non-blank line; a file that is not UTF-8 is one error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except (UnicodeDecodeError, IsADirectoryError) as error:
        raise InputError(str(path), f"cannot read as UTF-8 text ({error.__class__.__name__})") from None
    except OSError as error:
        raise InputError(str(path), f"cannot read file: {(error.strerror or str(error)).lower()}") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield f"{path}:{number}", line
