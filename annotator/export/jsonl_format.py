"""`annotator export --format jsonl`: every annotator's labels as an `import-labels` JSONL file.

One line per current label of a person (adjudications left out: the format has no place for
them, and a lead's decisions re-imported as a person's labels would become votes), exactly as
`import-labels` reads it (see `annotator.importing.labels_import`):

    {"article": ID, "annotator": NAME, "layer": L, "label": X, "start": N, "end": N}      span layers
    {"article": ID, "passage": INDEX, "annotator": NAME, "layer": L, "label": X}        passage layers

with "target" and "value" for stance layers and "attributes" (keys sorted) when the label has
any. Span offsets are source offsets (into the original article file, as `import-labels`
takes them); ID is the article's external id, or its sha256 when that is missing or shared.
Annotators are pseudonymised as in the dataset's `raw` config. Lines go by article, then
annotator, layer (codebook order), passage, offsets, target and label, so importing the
articles and the file into a new database (with the pseudonyms added as annotators, in order)
and exporting again gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from annotator.codebook import Codebook
from annotator.core.kinds import rules_of
from annotator.errors import AnnotatorError
from annotator.export.label_files import (
    LabelFileResult,
    exported_articles,
    known_label_ids,
    snapshot_session,
    write_atomically,
)
from annotator.export.pseudonyms import pseudonyms
from annotator.export.source import ADJUDICATION, LabelRow, PassageRecord, resolve_snapshot


def export_jsonl(engine: Engine, out: Path, *, release: str | None = None, force: bool = False) -> LabelFileResult:
    """Write the labels of release `release` (None: the current labels) to the JSONL file `out`."""
    with snapshot_session(engine) as session:
        result = LabelFileResult(resolve_snapshot(session, release))
        names = pseudonyms(session)
        result.lines = write_atomically(out, _lines(session, result, names), force=force)
    return result


def _lines(session: Session, result: LabelFileResult, names: Mapping[int, str]) -> Iterator[str]:
    codebook = result.snapshot.codebook
    known = known_label_ids(codebook)
    order = {layer.id: rank for rank, layer in enumerate(codebook.layers)}
    for article in exported_articles(session, result.snapshot):
        lines: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        for passage in article.passages:
            for row in passage.labels:
                if row.origin == ADJUDICATION:
                    continue
                if row.label not in known.get(row.layer, ()):
                    result.skipped_labels += 1
                    continue
                line = _label_line(codebook, article.ref, names[row.annotator_id], passage, row)
                key = (line["annotator"], order[row.layer], passage.index, line.get("start", -1), line.get("end", -1))
                lines.append(((*key, row.target or "", row.label), line))
        result.articles += bool(lines)
        for _key, line in sorted(lines, key=lambda item: item[0]):
            yield json.dumps(line, ensure_ascii=False) + "\n"
    if not result.articles:
        raise AnnotatorError(f"nothing to export: no labels of annotators as of revision {result.snapshot.watermark}")


def _label_line(
    codebook: Codebook, article: str, annotator: str, passage: PassageRecord, row: LabelRow
) -> dict[str, Any]:
    layer = codebook.layer(row.layer)
    rules = rules_of(layer)
    line: dict[str, Any] = {"article": article}
    if not rules.spans:
        line["passage"] = passage.index
    line |= {"annotator": annotator, "layer": row.layer, "label": row.label}
    if rules.spans and row.start is not None and row.end is not None:
        line["start"], line["end"] = passage.source_map.span_to_source(row.start, row.end)
    if rules.needs_target:
        line |= {"target": row.target, "value": layer.label(row.label).value}
    if row.attributes:
        line["attributes"] = dict(sorted(row.attributes.items()))
    return line
