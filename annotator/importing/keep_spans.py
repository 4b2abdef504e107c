"""`annotator import --keep-spans FILE`: the spans of label files that no passage boundary may cut.

Each file is a label file as `import-labels` reads it, told apart by its suffix: `.jsonl` (our
JSONL format; lines without "start" and "end" are passage labels and are ignored) or else PTC
(`article_id<TAB>technique<TAB>start<TAB>end`). Offsets are into the original source file,
as for `import-labels`; the importer maps them onto each article's stored text.

Articles are matched as `import-labels` matches them: by external id (a .txt file's stem) or
sha256, and for PTC also by "article" + id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from annotator.errors import InputError
from annotator.importing.readers import is_offset, parse_json_line, read_nonblank_lines


@dataclass
class KeepSpans:
    """Source-offset spans per article reference, from one or more label files."""

    paths: tuple[Path, ...] = ()
    by_name: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def spans_for(self, names: Iterable[str | None]) -> list[tuple[int, int]]:
        """The spans of the article known by any of `names` (external id, sha256)."""
        found: list[tuple[int, int]] = []
        for name in dict.fromkeys(name for name in names if name):
            found.extend(self.by_name.get(name, ()))
        return found


def read_keep_spans(paths: Iterable[Path]) -> KeepSpans:
    """The spans of the label files at `paths`; the first bad line is an `InputError`."""
    paths = tuple(paths)
    by_name: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for path in paths:
        _read_file(path, by_name)
    return KeepSpans(paths, dict(by_name))


def _read_file(path: Path, by_name: dict[str, list[tuple[int, int]]]) -> None:
    jsonl = path.suffix.lower() == ".jsonl"
    for where, line in read_nonblank_lines(path):
        parsed = _jsonl_span(where, line) if jsonl else _ptc_span(where, line)
        if parsed is None:
            continue
        reference, start, end = parsed
        for name in [reference] if jsonl else [reference, f"article{reference}"]:
            by_name[name].append((start, end))


def _jsonl_span(where: str, line: str) -> tuple[str, int, int] | None:
    data = parse_json_line(where, line)
    if not isinstance(data, dict):
        raise InputError(where, "expected a JSON object")
    if "article" not in data:
        raise InputError(where, "missing 'article'")
    if data.get("start") is None and data.get("end") is None:
        return None
    start, end = data.get("start"), data.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        raise InputError(where, "'start' and 'end' must be integers")
    return str(data["article"]), start, end


def _ptc_span(where: str, line: str) -> tuple[str, int, int]:
    fields = [value.strip() for value in line.split("\t")]
    if len(fields) != 4:
        raise InputError(where, "expected article_id<TAB>technique<TAB>start<TAB>end")
    article, _technique, start, end = fields
    if not (is_offset(start) and is_offset(end)):
        raise InputError(where, "start and end must be integers")
    return article, int(start), int(end)
