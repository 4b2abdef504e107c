"""Corpus agreement: every coefficient of every layer, driven by the codebook's layer kinds.

`corpus_agreement` reads the current labels (as of a watermark) once, then measures each
layer by its kind: `passage_layers` for passage_single, passage_multi and target_ordinal,
`span_layers` for span. Labels a lead adjudicated form the gold pseudo-coder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pandas as pd
from sqlalchemy import Engine

from annotator.agreement.collect import (
    PassageContext,
    article_titles,
    covered_in,
    done_frame,
    label_frames,
    passage_articles,
    passage_contexts,
    passage_extents,
    require_layers,
    select_labels,
)
from annotator.agreement.pairs import Resampling
from annotator.agreement.passage_layers import (
    NO_LABEL,
    LayerData,
    label_set_agreement,
    ordinal_agreement,
    single_label_agreement,
)
from annotator.agreement.results import (
    DEFAULT_N_BOOT,
    GOLD,
    MAIN_MEASURES,
    AgreementReport,
    ConfusedPair,
    Disagreement,
    LayerAgreement,
)
from annotator.agreement.span_layers import span_agreement
from annotator.codebook import Codebook, Layer
from annotator.codebook.store import load_active_codebook
from annotator.core.kinds import rules_of
from annotator.errors import AnnotatorError

EXCERPT_WIDTH = 240
"""Characters of a passage's text quoted beside its disagreement."""


def corpus_agreement(
    engine: Engine,
    *,
    as_of: int | None = None,
    layers: Sequence[str] | None = None,
    annotators: Sequence[str] | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = 0,
    ci: float = 0.95,
    codebook: Codebook | None = None,
    display_names: Mapping[int, str] | None = None,
) -> AgreementReport:
    """Agreement of the annotators on each layer, as of label revision `as_of` (default: now).

    `layers` and `annotators` (names) narrow the report (default: all; unknown ones are a
    one-line `AnnotatorError`); `codebook` is the one to read the labels with (default: the
    active one; pass a release's own); `display_names` (annotator id -> name) replaces the
    annotators' names in the report, e.g. with `annotator.export.pseudonyms` for a published
    dataset. Alphas get bootstrap intervals of `n_boot` resamples (seeded: the same
    arguments give the same report) at level `ci`.
    """
    if n_boot < 1:
        raise AnnotatorError(f"the number of bootstrap resamples must be at least 1; got {n_boot}")
    if not 0 < ci < 1:
        raise AnnotatorError(f"the confidence level must be between 0 and 1; got {ci}")
    codebook = codebook or load_active_codebook(engine).codebook
    chosen = require_layers(codebook.layers, layers)
    resampling = Resampling(n_boot, seed, ci)
    with engine.connect() as connection:
        selection = select_labels(connection, as_of=as_of, names=annotators, display_names=display_names)
        labels = label_frames(connection, chosen, selection)
        covered = done_frame(connection, selection)
        extents = passage_extents(connection) if any(rules_of(layer).spans for layer in chosen) else None
        articles = passage_articles(connection)
        results = [
            _measure(
                layer,
                labels[layer.id],
                covered,
                list(selection.coders.values()),
                codebook,
                extents,
                articles,
                resampling,
            )
            for layer in chosen
        ]
        shown = {passage.passage_id for result in results for passage in _passages(result)}
        contexts = passage_contexts(connection, shown)
        measured = {int(m.item) for result in results for m in result.measures if m.scope == "article"}
        titles = {str(article): title for article, title in article_titles(connection, measured).items()}
    for result in results:
        result.disagreements = [_placed(passage, contexts) for passage in result.disagreements]
        result.top_confusions = _placed_pairs(result.top_confusions, contexts)
        result.annotator_confusions = {
            name: _placed_pairs(pairs, contexts) for name, pairs in result.annotator_confusions.items()
        }
    present = {coder for result in results if result.pairwise for coder in result.pairwise.coders}
    coders = [name for name in [*selection.coders.values(), GOLD] if name in present]
    return AgreementReport(selection.as_of, codebook.name, coders, n_boot, seed, ci, results, titles)


def _passages(result: LayerAgreement) -> list[Disagreement]:
    """The passages a layer's results show: its disagreements and the confusions' examples."""
    pairs = [*result.top_confusions, *(pair for pairs in result.annotator_confusions.values() for pair in pairs)]
    return result.disagreements + [example for pair in pairs for example in pair.examples]


def _placed_pairs(pairs: list[ConfusedPair], contexts: Mapping[int, PassageContext]) -> list[ConfusedPair]:
    return [replace(pair, examples=[_placed(example, contexts) for example in pair.examples]) for pair in pairs]


def _placed(passage: Disagreement, contexts: Mapping[int, PassageContext]) -> Disagreement:
    """The passage with its article title, § number and excerpt, and its spans quoted."""
    context = contexts.get(passage.passage_id)
    if context is None:
        return passage
    coders = passage.coders
    if passage.marks:
        coders = {
            coder: "; ".join(f'{label} "{context.text[start:end]}"' for label, start, end in marks) or NO_LABEL
            for coder, marks in passage.marks.items()
        }
    cut = len(context.text) > EXCERPT_WIDTH
    excerpt = (context.text[:EXCERPT_WIDTH] + ("..." if cut else "")).strip()
    return replace(passage, coders=coders, excerpt=excerpt, article=context.title, number=context.number)


def _measure(
    layer: Layer,
    labels: pd.DataFrame,
    covered: pd.DataFrame,
    names: list[str],
    codebook: Codebook,
    extents: pd.DataFrame | None,
    articles: pd.Series,
    resampling: Resampling,
) -> LayerAgreement:
    covered = covered_in(covered, layer.id)
    data = LayerData(layer, labels, covered, _coders(layer, labels, covered, names), articles)
    if not data.coders:
        return LayerAgreement(layer.id, layer.name, layer.kind, MAIN_MEASURES[layer.kind], notes=["No labels."])
    if layer.kind == "passage_single":
        return single_label_agreement(data, resampling)
    if layer.kind == "passage_multi":
        return label_set_agreement(data, resampling)
    if rules_of(layer).needs_target:
        return ordinal_agreement(data, codebook, resampling)
    return span_agreement(data, extents, resampling)


def _coders(layer: Layer, labels: pd.DataFrame, covered: pd.DataFrame, names: list[str]) -> list[str]:
    """The annotators with labels on the layer (or, where it counts, a completed passage),
    in `names` order, then gold if it has labels on the layer."""
    present = set(labels["coder"])
    if rules_of(layer).empty_is_answer:
        present |= set(covered["coder"])
    return [name for name in names if name in present] + ([GOLD] if GOLD in present else [])
