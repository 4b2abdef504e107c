"""Agreement on span layers: span F1, unitizing alpha, and labels of matched spans.

A coder counts on a passage if they have a span of the layer on it or marked it done; two
coders are compared on the passages both counted on.

- f1_exact / f1_overlap: spans match with the same label and the same offsets, or the same
  label and overlapping offsets (one to one, maximum matching). Per pair of coders (micro
  over labels), per label and overall (counts pooled over all pairs of annotators), per
  annotator (pooled over their pairs with the other annotators), per category of the layer.
  n_units counts the passages compared (summed over the pairs), n_pairable their spans.
- alpha_unitizing: Krippendorff's u-alpha per label, per category and pooled, with the
  passages as the continuum (see `unitizing_corpus`).
- percent_matched / alpha_matched: spans first matched with an overlapping span of the same
  label, then leftovers with any overlapping span; on those pairs (pooled over annotator
  pairs), the share with the same label and nominal alpha of the labels (and of their
  categories: *_category). The confusion matrices count the same pairs, with "(none)" for
  a span the other coder has nothing overlapping.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np
import pandas as pd

from annotator.agreement.confused import Confusions, annotator_confusions, team_confusions
from annotator.agreement.pairs import Resampling, alpha_measure, pair_name, periods_of
from annotator.agreement.passage_layers import NO_LABEL, LayerData
from annotator.agreement.per_article import article_f1
from annotator.agreement.results import (
    MAIN_MEASURES,
    Confusion,
    Disagreement,
    LayerAgreement,
    Measure,
    PairMatrix,
    TimePoint,
)
from annotator.agreement.span_match import exact_match_counts, one_to_one, overlap_candidates
from annotator.agreement.unitizing_corpus import corpus_unitizing_alpha

MAIN_MEASURE = MAIN_MEASURES["span"]


@dataclass(frozen=True)
class _Spans:
    """A layer's spans as arrays, one entry per span."""

    passage: np.ndarray
    """Index into `passage_ids`."""
    coder: np.ndarray
    label: np.ndarray
    category: np.ndarray
    """Index into the layer's categories, -1 for a label without one."""
    start: np.ndarray
    end: np.ndarray
    day: np.ndarray
    passage_ids: np.ndarray
    covered: np.ndarray
    """``covered[passage, coder]``."""


@dataclass(frozen=True)
class _Tally:
    """Span counts per pair of coders (i < j) and per key (label or category)."""

    spans_first: dict[tuple[int, int], np.ndarray]
    spans_second: dict[tuple[int, int], np.ndarray]
    exact: dict[tuple[int, int], np.ndarray]
    overlap: dict[tuple[int, int], np.ndarray]
    shared: dict[tuple[int, int], int]
    """Passages both coders counted on."""


def span_agreement(data: LayerData, extents: pd.DataFrame, resampling: Resampling) -> LayerAgreement:
    """Span F1, u-alpha and matched-label agreement on a span layer (see the module docstring)."""
    layer = data.layer
    labels = [label.id for label in layer.labels]
    labels += sorted(set(data.labels["label"]) - set(labels))
    categories = [category.id for category in layer.categories]
    spans = _spans(data, labels, categories)
    result = LayerAgreement(layer.id, layer.name, layer.kind, MAIN_MEASURE)
    result.notes.append("A coder counts on a passage if they marked a span of this layer on it or marked it done.")
    n_coders = len(data.coders)
    a, b = overlap_candidates(spans.passage, spans.coder, spans.start, spans.end)
    same = spans.label[a] == spans.label[b]
    label_a, label_b = one_to_one(a[same], b[same], spans.coder, spans.end, n_coders)
    by_label = _tally(spans, spans.label, len(labels), label_a, label_b, n_coders)
    _f1_measures(result, "label", labels, by_label, data)
    matched_a, matched_b = _all_matched(spans, a, b, label_a, label_b, n_coders)
    result.measures.extend(_matched_measures("", spans.label, matched_a, matched_b, spans, data, resampling))
    _unitizing(result, "label", labels, spans.label, spans, extents, data)
    if categories:
        same_category = (spans.category[a] == spans.category[b]) & (spans.category[a] >= 0)
        category_a, category_b = one_to_one(a[same_category], b[same_category], spans.coder, spans.end, n_coders)
        by_category = _tally(spans, spans.category, len(categories), category_a, category_b, n_coders)
        _f1_measures(result, "category", categories, by_category, data, overall=False)
        result.measures.extend(
            _matched_measures("_category", spans.category, matched_a, matched_b, spans, data, resampling)
        )
        _unitizing(result, "category", categories, spans.category, spans, extents, data, overall=False)
    result.pairwise = _pair_matrix(by_label, data.coders)
    result.confusions = _confusions(spans, labels, matched_a, matched_b, by_label, data.coders)
    per_passage = _per_passage_counts(spans, label_a, label_b, n_coders)
    if data.articles is not None:
        result.measures.extend(_article_f1(spans, per_passage, data.articles, data))
    said = _said(spans, labels, extents, data)
    result.disagreements = _ranked(spans, per_passage, said, data)
    events = _confusion_events(spans, labels, matched_a, matched_b, data)
    result.top_confusions = team_confusions(events, said)
    result.annotator_confusions = annotator_confusions(events, [data.coders[i] for i in data.annotators], said)
    result.period, periods = periods_of(spans.day)
    result.over_time = _time_points(spans, per_passage, periods, data)
    return result


def _spans(data: LayerData, labels: list[str], categories: list[str]) -> _Spans:
    frame = data.labels[data.labels["span_start"].notna() & data.labels["coder"].isin(data.coders)]
    covered = data.covered[data.covered["coder"].isin(data.coders)]
    passage_ids = np.union1d(frame["passage_id"].to_numpy(), covered["passage_id"].to_numpy()).astype(np.int64)
    passage = np.searchsorted(passage_ids, frame["passage_id"].to_numpy())
    coder = pd.Categorical(frame["coder"], categories=data.coders).codes.astype(np.intp)
    matrix = np.zeros((len(passage_ids), len(data.coders)), dtype=bool)
    matrix[passage, coder] = True
    matrix[
        np.searchsorted(passage_ids, covered["passage_id"].to_numpy()),
        pd.Categorical(covered["coder"], categories=data.coders).codes,
    ] = True
    label = pd.Categorical(frame["label"], categories=labels).codes.astype(np.intp)
    category_of = {each.id: each.category for each in data.layer.labels}
    category = np.array(
        [categories.index(found) if (found := category_of.get(name)) in categories else -1 for name in labels],
        dtype=np.intp,
    )
    return _Spans(
        passage,
        coder,
        label,
        category[label],
        frame["span_start"].to_numpy(dtype=np.int64),
        frame["span_end"].to_numpy(dtype=np.int64),
        frame["day"].to_numpy(dtype=object),
        passage_ids,
        matrix,
    )


def _all_matched(
    spans: _Spans, a: np.ndarray, b: np.ndarray, label_a: np.ndarray, label_b: np.ndarray, n_coders: int
) -> tuple[np.ndarray, np.ndarray]:
    """Same-label matches, then leftovers matched with any overlapping span."""
    used_a = np.isin(a * n_coders + spans.coder[b], label_a * n_coders + spans.coder[label_b])
    used_b = np.isin(b * n_coders + spans.coder[a], label_b * n_coders + spans.coder[label_a])
    free = ~used_a & ~used_b
    other_a, other_b = one_to_one(a[free], b[free], spans.coder, spans.end, n_coders)
    return np.r_[label_a, other_a], np.r_[label_b, other_b]


def _tally(
    spans: _Spans, key: np.ndarray, n_keys: int, matched_a: np.ndarray, matched_b: np.ndarray, n_coders: int
) -> _Tally:
    """Span counts per pair of coders and per key, on the passages both coders counted on."""
    keyed = key >= 0
    rows = np.column_stack([spans.passage, spans.start, spans.end, key])[keyed]
    _, exact_keys = np.unique(rows, axis=0, return_inverse=True)
    exact_keys = exact_keys.ravel()
    counts = exact_match_counts(exact_keys, spans.coder[keyed], n_coders)
    key_of_exact = np.zeros(len(counts), dtype=np.intp)
    key_of_exact[exact_keys] = key[keyed]
    tally = _Tally({}, {}, {}, {}, {})
    for first, second in combinations(range(n_coders), 2):
        mine = keyed & (spans.coder == first) & spans.covered[spans.passage, second]
        theirs = keyed & (spans.coder == second) & spans.covered[spans.passage, first]
        pair = (spans.coder[matched_a] == first) & (spans.coder[matched_b] == second)
        tally.spans_first[first, second] = np.bincount(key[mine], minlength=n_keys)
        tally.spans_second[first, second] = np.bincount(key[theirs], minlength=n_keys)
        tally.exact[first, second] = np.bincount(
            key_of_exact, np.minimum(counts[:, first], counts[:, second]), minlength=n_keys
        )
        tally.overlap[first, second] = np.bincount(key[matched_a[pair]], minlength=n_keys)
        tally.shared[first, second] = int((spans.covered[:, first] & spans.covered[:, second]).sum())
    return tally


def _f1(matched: float, spans: float) -> float:
    return 2 * matched / spans if spans else math.nan


def _f1_measures(
    result: LayerAgreement,
    scope: str,
    keys: list[str],
    tally: _Tally,
    data: LayerData,
    *,
    overall: bool = True,
) -> None:
    """F1 (exact and overlap) overall, per key, per pair and per annotator."""
    annotators = data.annotators
    annotator_pairs = [pair for pair in tally.shared if pair[0] in annotators and pair[1] in annotators]

    def pooled(pairs, index=slice(None)):
        spans = sum(float(tally.spans_first[p][index].sum() + tally.spans_second[p][index].sum()) for p in pairs)
        shared = sum(tally.shared[p] for p in pairs)
        return spans, shared

    for kind, matches in (("exact", tally.exact), ("overlap", tally.overlap)):
        name = f"f1_{kind}"
        if overall:
            spans, shared = pooled(annotator_pairs)
            matched = sum(float(matches[p].sum()) for p in annotator_pairs)
            result.measures.append(
                Measure(name, "overall", "", _f1(matched, spans), n_units=shared, n_pairable=int(spans))
            )
        for index, key in enumerate(keys):
            spans, shared = pooled(annotator_pairs, index)
            matched = sum(float(matches[p][index]) for p in annotator_pairs)
            result.measures.append(
                Measure(name, scope, key, _f1(matched, spans), n_units=shared, n_pairable=int(spans))
            )
        if not overall:
            continue
        for pair in tally.shared:
            spans, shared = pooled([pair])
            result.measures.append(
                Measure(
                    name,
                    "pair",
                    pair_name(data.coders[pair[0]], data.coders[pair[1]]),
                    _f1(float(matches[pair].sum()), spans),
                    n_units=shared,
                    n_pairable=int(spans),
                )
            )
        for coder in annotators:
            pairs = [pair for pair in annotator_pairs if coder in pair]
            spans, shared = pooled(pairs)
            matched = sum(float(matches[p].sum()) for p in pairs)
            result.measures.append(
                Measure(
                    name,
                    "annotator",
                    data.coders[coder],
                    _f1(matched, spans),
                    n_units=shared,
                    n_pairable=int(spans),
                )
            )


def _matched_measures(
    suffix: str,
    key: np.ndarray,
    matched_a: np.ndarray,
    matched_b: np.ndarray,
    spans: _Spans,
    data: LayerData,
    resampling: Resampling,
) -> list[Measure]:
    """Share of matched span pairs (between annotators) with the same key, and nominal alpha."""
    annotators = data.annotators
    between = np.isin(spans.coder[matched_a], annotators) & np.isin(spans.coder[matched_b], annotators)
    table = np.column_stack([key[matched_a[between]], key[matched_b[between]]]).astype(float)
    table[table < 0] = np.nan
    both = ~np.isnan(table).any(axis=1)
    percent = float(np.mean(table[both, 0] == table[both, 1])) if both.any() else math.nan
    return [
        Measure(
            f"percent_matched{suffix}",
            "overall",
            "",
            percent,
            n_units=int(both.sum()),
            n_pairable=2 * int(both.sum()),
        ),
        alpha_measure(f"alpha_matched{suffix}", "overall", "", table, "nominal", resampling),
    ]


def _unitizing(
    result: LayerAgreement,
    scope: str,
    keys: list[str],
    key: np.ndarray,
    spans: _Spans,
    extents: pd.DataFrame,
    data: LayerData,
    *,
    overall: bool = True,
) -> None:
    """u-alpha per key (and pooled) among the annotators."""
    annotators = data.annotators
    column = np.full(len(data.coders), -1)
    column[annotators] = np.arange(len(annotators))
    rows = (key >= 0) & (column[spans.coder] >= 0)
    frame = pd.DataFrame(
        {
            "passage_id": spans.passage_ids[spans.passage[rows]],
            "coder": column[spans.coder[rows]],
            "category": key[rows],
            "start": spans.start[rows],
            "end": spans.end[rows],
        }
    )
    per_key, pooled = corpus_unitizing_alpha(frame, extents, spans.covered[:, annotators], spans.passage_ids, len(keys))
    if overall:
        result.measures.append(
            Measure(
                "alpha_unitizing",
                "overall",
                "",
                float(pooled.alpha),
                n_units=pooled.n_passages,
                n_pairable=pooled.n_units,
            )
        )
    for name, value in zip(keys, per_key, strict=True):
        result.measures.append(
            Measure(
                "alpha_unitizing",
                scope,
                name,
                float(value.alpha),
                n_units=value.n_passages,
                n_pairable=value.n_units,
            )
        )


def _pair_matrix(tally: _Tally, coders: list[str]) -> PairMatrix:
    values = np.full((len(coders), len(coders)), math.nan)
    units = np.zeros((len(coders), len(coders)), dtype=int)
    for first, second in tally.shared:
        spans = float(tally.spans_first[first, second].sum() + tally.spans_second[first, second].sum())
        values[first, second] = values[second, first] = _f1(float(tally.overlap[first, second].sum()), spans)
        units[first, second] = units[second, first] = tally.shared[first, second]
    return PairMatrix(MAIN_MEASURE, list(coders), values.tolist(), units.tolist())


def _confusions(
    spans: _Spans,
    labels: list[str],
    matched_a: np.ndarray,
    matched_b: np.ndarray,
    tally: _Tally,
    coders: list[str],
) -> list[Confusion]:
    """Label x label counts of matched spans per pair, with "(none)" for unmatched spans."""
    size = len(labels) + 1
    confusions = []
    for first, second in tally.shared:
        pair = (spans.coder[matched_a] == first) & (spans.coder[matched_b] == second)
        cells = spans.label[matched_a[pair]] * size + spans.label[matched_b[pair]]
        counts = np.bincount(cells, minlength=size * size).reshape(size, size)
        counts[:-1, -1] = tally.spans_first[first, second] - counts[:-1, :-1].sum(axis=1)
        counts[-1, :-1] = tally.spans_second[first, second] - counts[:-1, :-1].sum(axis=0)
        confusions.append(Confusion(coders[first], coders[second], [*labels, NO_LABEL], counts.tolist()))
    return confusions


@dataclass(frozen=True)
class _PassageCounts:
    spans: np.ndarray
    """``spans[passage, coder]``: spans of the coder on the passage."""
    matched: dict[tuple[int, int], np.ndarray]
    """Same-label overlap matches per pair of coders, per passage."""


def _per_passage_counts(spans: _Spans, label_a: np.ndarray, label_b: np.ndarray, n_coders: int) -> _PassageCounts:
    n_passages = len(spans.passage_ids)
    counts = np.zeros((n_passages, n_coders), dtype=np.int64)
    np.add.at(counts, (spans.passage, spans.coder), 1)
    matched = {}
    for first, second in combinations(range(n_coders), 2):
        pair = (spans.coder[label_a] == first) & (spans.coder[label_b] == second)
        matched[first, second] = np.bincount(spans.passage[label_a[pair]], minlength=n_passages)
    return _PassageCounts(counts, matched)


def _article_f1(spans: _Spans, counts: _PassageCounts, articles: pd.Series, data: LayerData) -> list[Measure]:
    """Overlap F1 per article, pooled over the pairs of annotators."""
    shared_pairs = np.zeros(len(spans.passage_ids), dtype=np.int64)
    total = np.zeros(len(spans.passage_ids), dtype=np.int64)
    matched_spans = np.zeros(len(spans.passage_ids), dtype=np.int64)
    for (first, second), matched in counts.matched.items():
        if first in data.annotators and second in data.annotators:
            shared = spans.covered[:, first] & spans.covered[:, second]
            shared_pairs += shared
            total += np.where(shared, counts.spans[:, first] + counts.spans[:, second], 0)
            matched_spans += np.where(shared, matched, 0)
    return article_f1(MAIN_MEASURE, spans.passage_ids, shared_pairs, total, matched_spans, articles)


def _ranked(
    spans: _Spans, counts: _PassageCounts, said: Callable[[int], Disagreement], data: LayerData
) -> list[Disagreement]:
    """Every passage with spans lacking a same-label overlapping match (over annotator pairs),
    most such spans first."""
    scores = np.zeros(len(spans.passage_ids))
    for (first, second), matched in counts.matched.items():
        if first in data.annotators and second in data.annotators:
            shared = spans.covered[:, first] & spans.covered[:, second]
            unmatched = counts.spans[:, first] + counts.spans[:, second] - 2 * matched
            scores += np.where(shared, unmatched, 0)
    candidates = np.flatnonzero(scores > 0)
    ranked = candidates[np.lexsort((spans.passage_ids[candidates], -scores[candidates]))]
    return [replace(said(int(spans.passage_ids[passage])), score=float(scores[passage])) for passage in ranked]


def _said(spans: _Spans, labels: list[str], extents: pd.DataFrame, data: LayerData) -> Callable[[int], Disagreement]:
    """A passage (by id) with each covering coder's spans as `marks` (offsets relative to the
    passage; `coders` says "label@start-end" until the passage text quotes them)."""
    offsets = dict(zip(extents["passage_id"], extents["start"], strict=True))
    rows_of = pd.Series(np.arange(len(spans.passage))).groupby(spans.passage).indices
    empty = np.empty(0, dtype=np.intp)

    def said(passage_id: int) -> Disagreement:
        passage = int(np.searchsorted(spans.passage_ids, passage_id))
        base = offsets.get(passage_id, 0)
        rows = rows_of.get(passage, empty)
        rows = rows[np.lexsort((spans.end[rows], spans.start[rows]))]
        marks = {}
        for coder in np.flatnonzero(spans.covered[passage]):
            mine = rows[spans.coder[rows] == coder]
            marks[data.coders[coder]] = [
                (labels[spans.label[row]], int(spans.start[row] - base), int(spans.end[row] - base)) for row in mine
            ]
        coders = {
            coder: "; ".join(f"{label}@{start}-{end}" for label, start, end in chosen) or NO_LABEL
            for coder, chosen in marks.items()
        }
        return Disagreement(passage_id, 0.0, coders, marks=marks)

    return said


def _confusion_events(
    spans: _Spans, labels: list[str], matched_a: np.ndarray, matched_b: np.ndarray, data: LayerData
) -> Confusions:
    """Label pairs of matched spans between annotators, and "(none)" for a span on a passage
    both covered that the other annotator has nothing matched with."""
    names = np.array([*labels, NO_LABEL], dtype=object)
    coders = np.array(data.coders, dtype=object)
    parts: list[tuple[np.ndarray, ...]] = []
    for one, other in combinations(data.annotators, 2):
        pair = (spans.coder[matched_a] == one) & (spans.coder[matched_b] == other)
        a, b = matched_a[pair], matched_b[pair]
        differ = spans.label[a] != spans.label[b]
        a, b = a[differ], b[differ]
        parts.append(
            (
                spans.passage[a],
                names[spans.label[a]],
                names[spans.label[b]],
                coders[spans.coder[a]],
                coders[spans.coder[b]],
            )
        )
        for coder, partner, used in ((one, other, matched_a[pair]), (other, one, matched_b[pair])):
            alone = (spans.coder == coder) & spans.covered[spans.passage, partner]
            alone[used] = False
            none = np.full(int(alone.sum()), NO_LABEL, dtype=object)
            partners = np.full(len(none), data.coders[partner], dtype=object)
            mine = np.full(len(none), data.coders[coder], dtype=object)
            parts.append((spans.passage[alone], names[spans.label[alone]], none, mine, partners))
    if not parts:
        return Confusions.of([])
    passage, first, second, first_coder, second_coder = (np.concatenate(column) for column in zip(*parts, strict=True))
    return Confusions(spans.passage_ids[passage], first, second, first_coder, second_coder)


def _time_points(spans: _Spans, counts: _PassageCounts, periods: np.ndarray, data: LayerData) -> list[TimePoint]:
    """Each annotator's overlap F1 against the others, per period of their own spans."""
    latest = pd.Series(periods).groupby([spans.passage, spans.coder]).max()
    points = []
    for coder in data.annotators:
        when = np.full(len(spans.passage_ids), "", dtype=object)
        mine = latest[latest.index.get_level_values(1) == coder]
        when[mine.index.get_level_values(0)] = mine.to_numpy()
        matched = np.zeros(len(when))
        total = np.zeros(len(when))
        for other in data.annotators:
            if other == coder:
                continue
            shared = spans.covered[:, coder] & spans.covered[:, other]
            pair_matched = counts.matched[min(coder, other), max(coder, other)]
            matched += np.where(shared, pair_matched, 0)
            total += np.where(shared, counts.spans[:, coder] + counts.spans[:, other], 0)
        for period in sorted(set(when) - {""}):
            rows = (when == period) & (total > 0)
            if rows.any():
                points.append(
                    TimePoint(
                        data.coders[coder],
                        period,
                        _f1(matched[rows].sum(), total[rows].sum()),
                        int(rows.sum()),
                    )
                )
    return points
