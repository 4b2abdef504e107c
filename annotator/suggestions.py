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
    """Known names per span layer, matched as whole words in a passage."""

    def __init__(self) -> None:
        self._names: dict[str, dict[str, str]] = {}
        self._patterns: dict[str, re.Pattern[str] | None] = {}

    def add(self, layer: str, surface: str, label: str) -> None:
        """Remember that `surface` is a `label` in `layer` (later calls win)."""
        surface = surface.strip()
        if len(surface) < 2:
            return
        names = self._names.setdefault(layer, {})
        if names.get(surface) != label:
            names[surface] = label
            self._patterns.pop(layer, None)

    def __len__(self) -> int:
        return sum(len(names) for names in self._names.values())

    def _pattern(self, layer: str) -> re.Pattern[str] | None:
        if layer not in self._patterns:
            names = sorted(self._names.get(layer, {}), key=len, reverse=True)
            self._patterns[layer] = (
                re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)") if names else None
            )
        return self._patterns[layer]

    def suggest(self, text: str, layer: str, taken: set[tuple[int, int]], rejected: set[tuple]) -> list[Suggestion]:
        """Matches in `text` not already labelled (`taken` spans) and not rejected."""
        pattern = self._pattern(layer)
        if pattern is None:
            return []
        names = self._names[layer]
        found = []
        for match in pattern.finditer(text):
            suggestion = Suggestion(layer, names[match.group()], match.start(), match.end())
            if (match.start(), match.end()) not in taken and suggestion.key() not in rejected:
                found.append(suggestion)
        return found


def load_own_names(index: SuggestionIndex, engine: Engine, annotator_id: int, codebook: Codebook) -> None:
    """Add the surface text of the annotator's current span labels to `index`."""
    span_layers = [layer.id for layer in codebook.layers if layer.kind == "span"]
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
        if not isinstance(row, dict) or not all(isinstance(row.get(k), str) and row.get(k) for k in ("text", "layer", "label")):
            raise InputError(f"{path}:{number}", "need non-empty text, layer and label")
        try:
            layer = codebook.layer(row["layer"])
            layer.label(row["label"])
        except KeyError:
            raise InputError(f"{path}:{number}", f"unknown layer or label {row['layer']}/{row['label']}") from None
        if layer.kind != "span":
            raise InputError(f"{path}:{number}", f"layer {layer.id!r} is not a span layer")
        index.add(row["layer"], row["text"], row["label"])
