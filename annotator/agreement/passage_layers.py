"""Agreement on passage-level layers: single label, label sets, and ordinal stance per target.

- passage_single: nominal alpha on the label; unit = passage.
- passage_multi: alpha with the MASI distance on each coder's label set; unit = passage. A
  coder counts on a passage if they have a label of the layer on it or marked the passage
  done (then their set is empty). Also binary alpha per label (chose it or not) and nominal
  alpha of each attribute per label, on the passages where two or more coders chose it.
- target_ordinal: unit = (passage, target). Ordinal alpha on the scale values; the label
  with no value ("no stance expressed") is not on the scale, so it counts as missing there,
  and a nominal alpha over all labels (it included) is reported beside it, as is a nominal
  alpha over the coarse classes of `layer.collapse`. A target a coder gave no label is
  missing for that coder (the guidelines ask for labels only on targets the passage touches).
  Per target: the codebook's targets one by one, other targets (actor mentions) pooled.

Everywhere the overall coefficients compare the annotators; the gold pseudo-coder appears in
pairs (annotator vs gold) only.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from annotator.agreement.coded import MISSING, CodedTable, label_set_table, single_value_table
from annotator.agreement.confused import Confusions, annotator_confusions, team_confusions
from annotator.agreement.distances import masi_distance
from annotator.agreement.pairs import (
    Resampling,
    alpha_measure,
    coder_comparisons,
    kappa_measures,
    periods_of,
    time_points,
)
from annotator.agreement.per_article import article_alphas
from annotator.agreement.results import GOLD, MAIN_MEASURES, Confusion, Disagreement, LayerAgreement
from annotator.codebook import Codebook, Layer

OTHER_TARGETS = "(other targets)"
NO_LABEL = "(none)"


@dataclass(frozen=True)
class LayerData:
    """One layer's labels and coverage, with the coders to compare."""

    layer: Layer
    labels: pd.DataFrame
    """`collect.label_frames` rows of this layer."""
    covered: pd.DataFrame
    """(passage_id, coder) of passages coders completed (see `collect.done_frame`)."""
    coders: list[str]
    """Annotators, then `GOLD` if present."""
    articles: pd.Series | None = None
    """The article id of each passage id, for agreement per article (None: not measured)."""

    @property
    def annotators(self) -> list[int]:
        """Column indexes of the real annotators (everyone but gold)."""
        return [index for index, coder in enumerate(self.coders) if coder != GOLD]


def single_label_agreement(data: LayerData, resampling: Resampling) -> LayerAgreement:
    """Nominal alpha on a passage_single layer (see the module docstring)."""
    layer = data.layer
    table = single_value_table(data.labels, data.coders, _label_ids(layer), ["passage_id"])
    result = LayerAgreement(layer.id, layer.name, layer.kind, MAIN_MEASURES[layer.kind])
    _compare(result, table, table.code_view(), "nominal", data, resampling)
    _per_label(result, table, lambda category, label: category == label, data, resampling)
    result.confusions = _confusions(table)
    result.disagreements = _ranked(table, 1.0 - np.eye(len(table.categories)), str, data)
    _top_confusions(result, table, _one_pair, str, data)
    return result


def label_set_agreement(data: LayerData, resampling: Resampling) -> LayerAgreement:
    """MASI alpha on a passage_multi layer, with per-label and attribute alphas."""
    layer = data.layer
    table = label_set_table(data.labels, data.covered, data.coders, _label_ids(layer))
    size = len(table.categories)
    distances = np.array([[masi_distance(a, b) for b in table.categories] for a in table.categories]).reshape(
        size, size
    )

    def masi(a: float, b: float) -> float:
        return distances[int(a), int(b)]

    result = LayerAgreement(layer.id, layer.name, layer.kind, MAIN_MEASURES[layer.kind])
    result.notes.append("A coder counts on a passage if they labelled this layer on it or marked it done (empty set).")
    _compare(result, table, table.code_view(), masi, data, resampling)
    _per_label(result, table, lambda category, label: label in category, data, resampling)
    _attributes(result, data, resampling)
    result.confusions = _set_confusions(table, _label_ids(layer))
    result.disagreements = _ranked(table, distances, _describe_set, data)
    _top_confusions(result, table, _set_differences, _describe_set, data)
    return result


def ordinal_agreement(data: LayerData, codebook: Codebook, resampling: Resampling) -> LayerAgreement:
    """Ordinal alpha per (passage, target) on a target_ordinal layer, with its variants."""
    layer = data.layer
    labels = data.labels.assign(target=data.labels["target"].fillna(""))
    table = single_value_table(labels, data.coders, _label_ids(layer), ["passage_id", "target"])
    scale = [_value(layer, category) for category in table.categories]
    ordinal, nominal = table.view(scale), table.code_view()
    annotators = data.annotators
    result = LayerAgreement(layer.id, layer.name, layer.kind, MAIN_MEASURES[layer.kind])
    result.notes.append(
        "Unit = passage x target. The label without a scale value is missing in alpha_ordinal and "
        "a category in alpha_nominal; a target a coder did not label is missing for that coder."
    )
    result.measures.append(alpha_measure("alpha_ordinal", "overall", "", ordinal[:, annotators], "ordinal", resampling))
    result.measures.append(alpha_measure("alpha_nominal", "overall", "", nominal[:, annotators], "nominal", resampling))
    if layer.collapse:
        classes = [collapsed.id for collapsed in layer.collapse]
        lookup = [_collapsed_index(layer, classes, category) for category in table.categories]
        result.measures.append(
            alpha_measure("alpha_collapsed", "overall", "", table.view(lookup)[:, annotators], "nominal", resampling)
        )
    known = [target.id for target in codebook.targets_for(layer.id)]
    scopes = [(target, table.items == target) for target in known]
    scopes.append((OTHER_TARGETS, ~np.isin(table.items, known)))
    for target, rows in scopes:
        if rows.any():
            result.measures.append(
                alpha_measure("alpha_ordinal", "target", target, ordinal[rows][:, annotators], "ordinal", resampling)
            )
            result.measures.append(
                alpha_measure("alpha_nominal", "target", target, nominal[rows][:, annotators], "nominal", resampling)
            )
    _compare(result, table, ordinal, "ordinal", data, resampling, overall=False)
    if data.articles is not None:  # the nominal problems (e.g. "no stance") the ordinal scale leaves out
        result.measures.extend(
            article_alphas("alpha_nominal", nominal[:, annotators], table.passages, data.articles, "nominal")
        )
    result.measures.extend(kappa_measures(ordinal, data.coders, resampling))
    result.confusions = _confusions(table)
    result.disagreements = _ranked(table, _stance_distances(scale), str, data)
    _top_confusions(result, table, _one_pair, str, data)
    return result


def _compare(
    result: LayerAgreement,
    table: CodedTable,
    values: np.ndarray,
    level,
    data: LayerData,
    resampling: Resampling,
    *,
    overall: bool = True,
) -> None:
    """Overall (optional), pairwise, annotator-vs-rest and over-time coefficients of `values`."""
    annotators = data.annotators
    if overall:
        result.measures.append(
            alpha_measure(result.main_measure, "overall", "", values[:, annotators], level, resampling)
        )
    if data.articles is not None:
        result.measures.extend(
            article_alphas(result.main_measure, values[:, annotators], table.passages, data.articles, level)
        )
    measures, result.pairwise = coder_comparisons(
        result.main_measure, values, data.coders, annotators, level, resampling
    )
    result.measures.extend(measures)
    result.period, periods = periods_of(table.days)
    result.over_time = time_points(values, periods, data.coders, annotators, level)


def _per_label(
    result: LayerAgreement,
    table: CodedTable,
    chose: Callable[[Any, str], bool],
    data: LayerData,
    resampling: Resampling,
) -> None:
    """Binary alpha per label: whether each coder chose the label on the unit."""
    for label in _label_ids(data.layer):
        values = table.view([float(chose(category, label)) for category in table.categories])
        result.measures.append(
            alpha_measure("alpha_binary", "label", label, values[:, data.annotators], "nominal", resampling)
        )


def _attributes(result: LayerAgreement, data: LayerData, resampling: Resampling) -> None:
    """Nominal alpha of each attribute, per label and pooled, where coders chose the same label.

    An attribute left unset counts as its default value (missing when it has none).
    """
    for attribute in data.layer.attributes:
        column = data.labels[f"attribute:{attribute.id}"]
        if attribute.default is not None:
            column = column.fillna(attribute.default)
        chosen = data.labels.assign(target=data.labels["label"], label=column.astype(object))
        chosen = chosen[chosen["label"].notna() & chosen["target"].map(attribute.applies)]
        known: list[Hashable] = [str(value.id) for value in attribute.values] or [False, True]
        pooled = single_value_table(chosen, data.coders, known, ["passage_id", "target"])
        values = pooled.code_view()[:, data.annotators]
        result.measures.append(alpha_measure("alpha_nominal", "attribute", attribute.id, values, "nominal", resampling))
        for label in _label_ids(data.layer):
            rows = pooled.items == label
            if rows.any() and attribute.applies(label):
                result.measures.append(
                    alpha_measure(
                        "alpha_nominal",
                        "attribute",
                        f"{label}.{attribute.id}",
                        values[rows],
                        "nominal",
                        resampling,
                    )
                )


def _confusions(table: CodedTable) -> list[Confusion]:
    """Label x label counts for every pair of coders, on the units both labelled."""
    size = len(table.categories)
    confusions = []
    for first, second in combinations(range(len(table.coders)), 2):
        both = (table.codes[:, first] != MISSING) & (table.codes[:, second] != MISSING)
        cells = table.codes[both, first] * size + table.codes[both, second]
        counts = np.bincount(cells, minlength=size * size).reshape(size, size)
        confusions.append(
            Confusion(table.coders[first], table.coders[second], [str(c) for c in table.categories], counts.tolist())
        )
    return confusions


def _set_confusions(table: CodedTable, labels: list[str]) -> list[Confusion]:
    """Label co-occurrence for every pair of coders: passages where the first chose the row
    label and the second the column label (the diagonal counts agreements)."""
    labels = labels + sorted(set().union(*table.categories) - set(labels))
    membership = np.array([[label in category for label in labels] for category in table.categories], dtype=int)
    membership = membership.reshape(len(table.categories), len(labels))
    confusions = []
    for first, second in combinations(range(len(table.coders)), 2):
        both = (table.codes[:, first] != MISSING) & (table.codes[:, second] != MISSING)
        counts = membership[table.codes[both, first]].T @ membership[table.codes[both, second]]
        confusions.append(Confusion(table.coders[first], table.coders[second], labels, counts.tolist()))
    return confusions


def _ranked(
    table: CodedTable, distances: np.ndarray, describe: Callable[[Any], str], data: LayerData
) -> list[Disagreement]:
    """Every passage with disagreement among the annotators, most first.

    A unit scores the mean distance over its pairs of annotators' values (distances in
    [0, 1]); a passage scores the sum over its units. Ties go to the lower passage id.
    """
    scores, pairs = np.zeros(len(table.codes)), np.zeros(len(table.codes))
    for first, second in combinations(data.annotators, 2):
        both = (table.codes[:, first] != MISSING) & (table.codes[:, second] != MISSING)
        scores[both] += distances[table.codes[both, first], table.codes[both, second]]
        pairs[both] += 1
    unit_scores = np.divide(scores, pairs, out=np.zeros_like(scores), where=pairs > 0)
    per_passage = pd.Series(unit_scores).groupby(table.passages).sum()
    per_passage = per_passage[per_passage > 0]
    order = np.lexsort((per_passage.index.to_numpy(), -per_passage.to_numpy()))
    said = _said(table, describe)
    return [
        replace(said(int(passage_id)), score=float(score))
        for passage_id, score in zip(per_passage.index[order], per_passage.to_numpy()[order], strict=True)
    ]


def _said(table: CodedTable, describe: Callable[[Any], str]) -> Callable[[int], Disagreement]:
    """A passage with what each coder chose on it: "label" per unit ("target: label" for stance)."""
    rows_of = pd.Series(np.arange(len(table.passages))).groupby(table.passages).indices

    def said(passage_id: int) -> Disagreement:
        rows = rows_of[passage_id]
        chosen = {}
        for column, coder in enumerate(table.coders):
            parts = [
                (f"{table.items[row]}: " if table.items[row] else "")
                + describe(table.categories[table.codes[row, column]])
                for row in rows
                if table.codes[row, column] != MISSING
            ]
            if parts:
                chosen[coder] = "; ".join(parts)
        return Disagreement(passage_id, 0.0, chosen)

    return said


def _top_confusions(
    result: LayerAgreement,
    table: CodedTable,
    confused: Callable[[Any, Any], list[tuple[str, str]]],
    describe: Callable[[Any], str],
    data: LayerData,
) -> None:
    """The label pairs the annotators confused (`confused(a, b)` of two differing values),
    over the team and per annotator."""
    rows = []
    for one, other in combinations(data.annotators, 2):
        codes = table.codes[:, [one, other]]
        differ = np.flatnonzero((codes != MISSING).all(axis=1) & (codes[:, 0] != codes[:, 1]))
        for row in differ:
            for a, b in confused(table.categories[codes[row, 0]], table.categories[codes[row, 1]]):
                rows.append((int(table.passages[row]), a, b, table.coders[one], table.coders[other]))
    events, said = Confusions.of(rows), _said(table, describe)
    result.top_confusions = team_confusions(events, said)
    result.annotator_confusions = annotator_confusions(events, [data.coders[i] for i in data.annotators], said)


def _one_pair(a: Any, b: Any) -> list[tuple[str, str]]:
    return [(str(a), str(b))]


def _set_differences(a: frozenset, b: frozenset) -> list[tuple[str, str]]:
    """Each label only one coder chose against each only the other chose (or "(none)")."""
    only_a, only_b = sorted(a - b) or [NO_LABEL], sorted(b - a) or [NO_LABEL]
    return [(x, y) for x in only_a for y in only_b if x != y]


def _stance_distances(scale: list[float]) -> np.ndarray:
    """Distances for ranking stance disagreements: |value gap| / scale range between scale
    labels, 1 between a scale label and one without a value, 0/1 among labels without one."""
    values = np.array(scale, dtype=float)
    valued = ~np.isnan(values)
    span = np.ptp(values[valued]) if valued.sum() > 1 else 1.0
    distances = np.abs(values[:, None] - values[None, :]) / (span or 1.0)
    distances[valued[:, None] != valued[None, :]] = 1.0
    unvalued = ~valued[:, None] & ~valued[None, :]
    distances[unvalued] = 1.0 - np.eye(len(values))[unvalued]
    return distances


def _describe_set(category: frozenset) -> str:
    return "+".join(sorted(category)) or NO_LABEL


def _label_ids(layer: Layer) -> list[str]:
    return [label.id for label in layer.labels]


def _value(layer: Layer, label_id: Hashable) -> float:
    try:
        value = layer.label(str(label_id)).value
    except KeyError:
        return np.nan
    return np.nan if value is None else float(value)


def _collapsed_index(layer: Layer, classes: list[str], label_id: Hashable) -> float:
    collapsed = layer.collapsed(str(label_id))
    return np.nan if collapsed is None else float(classes.index(collapsed.id))
