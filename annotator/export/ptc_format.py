"""`annotator export --format ptc`: the gold spans as a SemEval-2020 Task 11 (PTC) technique file.

One file, one span a line, `article_id<TAB>technique<TAB>start<TAB>end` (the layout of the
task's technique-classification label files, and what `import-labels --format ptc` reads).
The spans are those of the dataset's `gold` config (`labels` decides layers nobody
adjudicated, as for the dataset), in the span layers that have a label of the PTC mapping
(the rhetoric layer of the default codebook). A label becomes the technique the import maps to
it (`DEFAULT_PTC_MAPPING`, inverted); a label no technique maps to, or more than one (the
merged classes that import as `other_unsure`), has no PTC name: its spans are left out and
counted. Offsets are source offsets, as PTC's own; an article imported from PTC's
`article<ID>.txt` is written as `<ID>`. Lines go by article, then start, end and technique.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from annotator.core.kinds import rules_of
from annotator.errors import AnnotatorError
from annotator.export.label_files import (
    LabelFileResult,
    exported_articles,
    known_label_ids,
    snapshot_session,
    write_atomically,
)
from annotator.export.rows import LABEL_MODES, PassageVotes
from annotator.export.source import resolve_snapshot
from annotator.importing.labels_import import DEFAULT_PTC_MAPPING

PTC_ARTICLE_PREFIX = "article"


def ptc_techniques(mapping: Mapping[str, str | None] = DEFAULT_PTC_MAPPING) -> dict[str, str]:
    """Label id -> technique: the inverse of the import mapping, for labels exactly one technique maps to."""
    techniques: dict[str, list[str]] = defaultdict(list)
    for technique, label in mapping.items():
        if label is not None:
            techniques[label].append(technique)
    return {label: names[0] for label, names in techniques.items() if len(names) == 1}


def ptc_article_id(ref: str) -> str:
    """PTC's numeric id for an article imported from `article<ID>.txt`, else its reference."""
    number = ref.removeprefix(PTC_ARTICLE_PREFIX)
    return number if number != ref and number.isascii() and number.isdigit() else ref


def export_ptc(
    engine: Engine, out: Path, *, release: str | None = None, labels: str = "majority", force: bool = False
) -> LabelFileResult:
    """Write the gold spans of release `release` (None: the current labels) to the PTC file `out`."""
    if labels not in LABEL_MODES:
        raise AnnotatorError(f"unknown --labels {labels!r} (choose from {', '.join(LABEL_MODES)})")
    with snapshot_session(engine) as session:
        result = LabelFileResult(resolve_snapshot(session, release))
        result.lines = write_atomically(out, _lines(session, result, labels), force=force)
    return result


def _lines(session: Session, result: LabelFileResult, mode: str) -> Iterator[str]:
    codebook = result.snapshot.codebook
    techniques = ptc_techniques()
    layers = {
        layer.id
        for layer in codebook.layers
        if rules_of(layer).spans and any(label.id in techniques for label in layer.labels)
    }
    if not layers:
        raise AnnotatorError("nothing to export in PTC format: no span layer of the codebook has a PTC technique")
    known = known_label_ids(codebook)
    left_out: Counter[str] = Counter()
    for article in exported_articles(session, result.snapshot):
        spans: list[tuple[int, int, str]] = []
        for passage in article.passages:
            kept = [row for row in passage.labels if row.label in known.get(row.layer, ())]
            result.skipped_labels += len(passage.labels) - len(kept)
            votes = PassageVotes.of(codebook, kept, finished=passage.finished, decided=passage.decided)
            gold = votes.gold(mode) or {}
            for layer_id in sorted(layers):
                for row in gold.get(layer_id) or ():
                    if row.label not in techniques:
                        left_out[row.label] += 1
                    elif row.start is not None and row.end is not None:
                        start, end = passage.source_map.span_to_source(row.start, row.end)
                        spans.append((start, end, techniques[row.label]))
        result.articles += bool(spans)
        name = ptc_article_id(article.ref)
        for start, end, technique in sorted(spans):
            yield f"{name}\t{technique}\t{start}\t{end}\n"
    result.left_out = dict(sorted(left_out.items()))
    if not result.articles:
        raise AnnotatorError("nothing to export in PTC format: no gold spans with a PTC technique")
