"""Pre-annotation: spans worth labelling, from this annotator's own labels and a gazetteer.

Suggestions come only from the annotator's own confirmed labels elsewhere in the corpus and
from an optional gazetteer file, never from other people's labels (annotation is blind).
A suggestion is not a label: it becomes one only when accepted.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select

from annotator.codebook import Codebook
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
        """Whole-word matches in `text`, longest first, not overlapping, not labelled, not rejected."""
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
                    if (word.start(), end) not in taken and suggestion.key() not in rejected:
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
    if path.suffix == ".jsonl":
        rows = []
        for number, line in enumerate(content.splitlines(), start=1):
            if line.strip():
                try:
                    rows.append((number, json.loads(line)))
                except json.JSONDecodeError as error:
                    raise InputError(f"{path}:{number}", f"malformed JSON: {error.msg}") from None
    else:
        reader = csv.DictReader(content.splitlines())
        rows = [(number, row) for number, row in enumerate(reader, start=2)]
    for number, row in rows:
        if not isinstance(row, dict) or not all(
            isinstance(row.get(k), str) and row.get(k) for k in ("text", "layer", "label")
        ):
            raise InputError(f"{path}:{number}", "need non-empty text, layer and label")
        try:
            layer = codebook.layer(row["layer"])
            layer.label(row["label"])
        except KeyError:
            raise InputError(f"{path}:{number}", f"unknown layer or label {row['layer']}/{row['label']}") from None
        if not rules_of(layer).spans:
            raise InputError(f"{path}:{number}", f"layer {layer.id!r} is not a span layer")
        index.add(row["layer"], row["text"], row["label"])
