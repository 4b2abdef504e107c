"""Pre-annotation: spans worth labelling, from this annotator's own labels and a gazetteer.

Suggestions come only from the annotator's own confirmed labels elsewhere in the corpus and
from an optional gazetteer file, never from other people's labels (annotation is blind).
A suggestion is not a label: it becomes one only when accepted.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from annotator.codebook import Codebook
from annotator.codebook.problems import CodebookError
from annotator.core.kinds import rules_of
from annotator.db.engine import read_session
from annotator.db.models import Article, Passage
from annotator.errors import InputError
from annotator.labels import current_labels_query


@dataclass(frozen=True)
class Suggestion:
    """A proposed span label; offsets relative to the passage."""

    layer: str
    label: str
    start: int
    end: int

    def key(self) -> tuple:
        """How a rejection of this suggestion is remembered."""
        return (self.layer, self.label, self.start, self.end)


class SuggestionIndex:
    """Known names per span layer, matched as whole words in a passage.

    Names are filed under their first word, so adding a name is O(1) and matching a passage
    costs one dictionary look-up per word: no pattern to rebuild as the annotator works.
    """

    def __init__(self) -> None:
        self._labels: dict[str, dict[str, str]] = {}
        self._by_first_word: dict[str, dict[str, list[str]]] = {}

    def add(self, layer: str, surface: str, label: str) -> None:
        """Remember that `surface` is a `label` in `layer` (later calls win)."""
        surface = surface.strip()
        first = _WORD.match(surface)
        if len(surface) < 2 or first is None or first.end() == 0:
            return
        labels = self._labels.setdefault(layer, {})
        if surface not in labels:
            candidates = self._by_first_word.setdefault(layer, {}).setdefault(first.group(), [])
            candidates.append(surface)
            candidates.sort(key=len, reverse=True)
        labels[surface] = label

    def update(self, other: SuggestionIndex) -> None:
        """Add every name of `other` (names already here keep their label)."""
        for layer, labels in other._labels.items():
            for surface, label in labels.items():
                if surface not in self._labels.get(layer, {}):
                    self.add(layer, surface, label)

    def __len__(self) -> int:
        return sum(len(labels) for labels in self._labels.values())

    def suggest(self, text: str, layer: str, taken: set[tuple[int, int]], rejected: set[tuple]) -> list[Suggestion]:
        """Whole-word matches in `text`, longest first, not overlapping each other or a
        `taken` span (one already labelled in the layer), not rejected."""
        by_first_word = self._by_first_word.get(layer)
        if not by_first_word:
            return []
        labels = self._labels[layer]
        found: list[Suggestion] = []
        covered_until = 0
        for word in _WORD.finditer(text):
            if word.start() < covered_until:
                continue
            for surface in by_first_word.get(word.group(), ()):
                end = word.start() + len(surface)
                if text.startswith(surface, word.start()) and not (end < len(text) and _is_word_char(text[end])):
                    suggestion = Suggestion(layer, labels[surface], word.start(), end)
                    overlaps = any(start < end and word.start() < stop for start, stop in taken)
                    if not overlaps and suggestion.key() not in rejected:
                        found.append(suggestion)
                    covered_until = end
                    break
        return found


_WORD = re.compile(r"\w+")


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def load_own_names(index: SuggestionIndex, engine: Engine, annotator_id: int, codebook: Codebook) -> None:
    """Add the surface text of the annotator's current span labels to `index`."""
    span_layers = [layer.id for layer in codebook.layers if rules_of(layer).spans]
    labels = current_labels_query(annotator_ids=[annotator_id]).subquery()
    query = (
        select(
            labels.c.layer,
            labels.c.label,
            func.substr(Article.text, labels.c.span_start + 1, labels.c.span_end - labels.c.span_start),
        )
        .join(Passage, Passage.id == labels.c.passage_id)
        .join(Article, Article.id == Passage.article_id)
        .where(labels.c.layer.in_(span_layers), labels.c.span_start.is_not(None))
        .order_by(labels.c.id)
    )
    with read_session(engine) as session:
        for layer, label, surface in session.execute(query):
            index.add(layer, surface, label)


def load_gazetteer(index: SuggestionIndex, path: Path, codebook: Codebook) -> None:
    """Add a gazetteer: CSV with columns `text,layer,label`, or JSONL objects with those keys."""
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(str(path), f"cannot read gazetteer: {error}") from None
    rows: list[tuple[int, Any]] = []
    if path.suffix == ".jsonl":
        for number, line in enumerate(content.splitlines(), start=1):
            if line.strip():
                try:
                    rows.append((number, json.loads(line)))
                except json.JSONDecodeError as error:
                    raise InputError(f"{path}:{number}", f"malformed JSON: {error.msg}") from None
                except ValueError as error:  # e.g. an integer of more than 4300 digits
                    raise InputError(f"{path}:{number}", f"malformed JSON: {error}") from None
                except RecursionError:
                    raise InputError(f"{path}:{number}", "malformed JSON: nested too deeply") from None
    else:
        reader = csv.DictReader(io.StringIO(content, newline=""))
        try:
            reader.fieldnames  # noqa: B018 - reads the header, so line numbers count from it
        except csv.Error as error:
            raise InputError(f"{path}:1", f"malformed CSV: {error}") from None
        rows_read = iter(reader)
        while True:
            start = reader.line_num + 1  # the line the next row starts on
            try:
                row = next(rows_read)
            except StopIteration:
                break
            except csv.Error as error:  # e.g. a field over csv.field_size_limit() (128 KiB)
                raise InputError(f"{path}:{start}", f"malformed CSV: {error}") from None
            rows.append((start, row))
    problems: list[str] = []
    for number, row in rows:
        problem = _gazetteer_problem(row, codebook)
        if problem is not None:
            problems.append(f"{path}:{number}: {problem}")
        elif not problems:
            index.add(row["layer"], row["text"], row["label"])
    if problems:
        raise GazetteerError(str(path), problems)


class GazetteerError(CodebookError):
    """A gazetteer has bad rows; `messages` lists each as `file:line: what`."""

    def __init__(self, source: str, messages: list[str]) -> None:
        count = len(messages)
        InputError.__init__(self, source, f"{count} bad row{'s' if count != 1 else ''} in the gazetteer")
        self.messages = list(messages)


def _gazetteer_problem(row: Any, codebook: Codebook) -> str | None:
    """What is wrong with one gazetteer row, or None."""
    if not isinstance(row, dict):
        return "need an object with text, layer and label"
    for key in ("text", "layer", "label"):
        if not isinstance(row.get(key), str) or not row[key].strip():
            return f"need non-empty text, layer and label ({key} is {'missing' if key not in row else 'empty'})"
    try:
        layer = codebook.layer(row["layer"])
    except KeyError:
        return f"unknown layer {row['layer']!r}"
    try:
        label = layer.label(row["label"])
    except KeyError:
        return f"unknown label {row['label']!r} in layer {layer.id!r}"
    if label.retired:
        return f"label {label.id!r} of layer {layer.id!r} is retired"
    if not rules_of(layer).spans:
        return f"layer {layer.id!r} is not a span layer"
    name = row["text"].strip()
    if len(name) < 2:
        return f"name {name!r} is too short to suggest (2 characters at least)"
    if _WORD.match(name) is None:
        return f"name {name!r} must start with a letter or digit"
    return None
