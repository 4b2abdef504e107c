"""Cohen's kappa, Scott's pi, Fleiss' kappa and percent agreement."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from nltk.metrics.agreement import AnnotationTask
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss_kappa

from annotator.agreement import cohen_kappa, fleiss_kappa, krippendorff_alpha, percent_agreement, scott_pi
from annotator.errors import AnnotatorError
from tests.agreement.data import FLEISS_COUNTS, FLEISS_TABLE, random_ratings

# Wikipedia, "Cohen's kappa", first example: 50 applications, 20 yes/yes, 5 yes/no,
# 10 no/yes, 15 no/no. p_o = 0.7, p_e = 0.5, kappa = 0.4.
WIKIPEDIA_A = ["yes"] * 25 + ["no"] * 25
WIKIPEDIA_B = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15


def random_pair(seed: int, n: int = 300, categories: int = 5) -> tuple[np.ndarray, np.ndarray]:
    table = random_ratings(seed, units=n, coders=2, categories=categories, missing=0)
    return table[:, 0].astype(int), table[:, 1].astype(int)


def nltk_task(a, b) -> AnnotationTask:
    triples = [(coder, item, label) for item, pair in enumerate(zip(a, b)) for coder, label in enumerate(pair)]
    return AnnotationTask(data=triples)


def test_cohen_kappa_wikipedia_example():
    assert cohen_kappa(WIKIPEDIA_A, WIKIPEDIA_B) == pytest.approx(0.4, abs=1e-12)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
@pytest.mark.parametrize("seed", range(4))
def test_cohen_kappa_matches_sklearn(weights, seed):
    a, b = random_pair(seed, categories=3 + seed)
    assert cohen_kappa(a, b, weights) == pytest.approx(cohen_kappa_score(a, b, weights=weights), abs=1e-9)


@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_weighted_kappa_ranks_sorted_string_labels_like_sklearn(weights):
    a, b = random_pair(9, categories=6)
    names = np.array(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"])
    assert cohen_kappa(names[a], names[b], weights) == pytest.approx(
        cohen_kappa_score(names[a], names[b], weights=weights), abs=1e-9
    )


def test_cohen_kappa_leaves_out_items_with_a_missing_label():
    a, b = random_pair(3)
    with_gaps_a = [*a.tolist(), None, 4, np.nan]
    with_gaps_b = [*b.tolist(), 2, None, 9]
    for weights in (None, "quadratic"):
        assert cohen_kappa(with_gaps_a, with_gaps_b, weights) == pytest.approx(
            cohen_kappa_score(a, b, weights=weights), abs=1e-9
        )
    assert cohen_kappa(pd.Series(a), pd.Series(b)) == pytest.approx(cohen_kappa_score(a, b), abs=1e-9)


def test_cohen_kappa_errors_and_undefined_values():
    with pytest.raises(AnnotatorError, match="different numbers of items: 2 and 3"):
        cohen_kappa([1, 2], [1, 2, 3])
    with pytest.raises(AnnotatorError, match="unknown kappa weights"):
        cohen_kappa([1, 2], [1, 2], weights="cubic")
    assert math.isnan(cohen_kappa([None, 1], [2, None]))
    assert math.isnan(cohen_kappa(["x", "x"], ["x", "x"]))
    assert cohen_kappa([1, 2, 1], [1, 2, 1]) == 1.0


def test_scott_pi_wikipedia_data_by_hand():
    # Pooled shares: yes 55/100, no 45/100 -> p_e = 0.505; p_o = 0.7.
    assert scott_pi(WIKIPEDIA_A, WIKIPEDIA_B) == pytest.approx((0.7 - 0.505) / (1 - 0.505), abs=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_scott_pi_matches_nltk(seed):
    a, b = random_pair(seed)
    assert scott_pi(a, b) == pytest.approx(nltk_task(a, b).pi(), abs=1e-9)


def test_scott_pi_edge_cases():
    assert math.isnan(scott_pi([], []))
    assert math.isnan(scott_pi(["x", "x"], ["x", "x"]))
    assert scott_pi(["x", None, "y"], ["x", "y", "y"]) == 1.0


def test_fleiss_kappa_wikipedia_example():
    assert round(fleiss_kappa(FLEISS_TABLE), 3) == 0.210
    assert fleiss_kappa(FLEISS_TABLE) == pytest.approx(statsmodels_fleiss_kappa(FLEISS_COUNTS), abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_fleiss_kappa_matches_statsmodels(seed):
    table = random_ratings(seed, units=200, coders=3 + seed, categories=4, missing=0).astype(int)
    counts, _ = aggregate_raters(table)
    assert fleiss_kappa(table) == pytest.approx(statsmodels_fleiss_kappa(counts), abs=1e-9)


def test_fleiss_kappa_accepts_missing_cells_when_every_unit_has_as_many_ratings():
    table = [["a", "b", None], [None, "a", "a"], ["b", None, "b"]]
    complete = [["a", "b"], ["a", "a"], ["b", "b"]]
    assert fleiss_kappa(table) == pytest.approx(fleiss_kappa(complete), abs=1e-12)


def test_fleiss_kappa_rejects_uneven_ratings():
    with pytest.raises(AnnotatorError, match="same number of ratings for every unit; units have 2 to 3"):
        fleiss_kappa([["a", "b", "a"], ["a", None, "b"]])
    with pytest.raises(AnnotatorError, match="at least two ratings per unit"):
        fleiss_kappa([["a"], ["b"]])


def test_fleiss_kappa_undefined_cases():
    assert math.isnan(fleiss_kappa(np.empty((0, 3))))
    assert math.isnan(fleiss_kappa([["a", "a"], ["a", "a"]]))


def test_percent_agreement_by_hand():
    table = [
        ["a", "a", "a"],  # 3 of 3 pairs agree
        ["a", "a", "b"],  # 1 of 3
        ["a", "b", None],  # 0 of 1
        ["b", None, None],  # not pairable
    ]
    assert percent_agreement(table) == pytest.approx((1 + 1 / 3 + 0) / 3, abs=1e-12)
    assert percent_agreement(list(zip(WIKIPEDIA_A, WIKIPEDIA_B))) == pytest.approx(0.7, abs=1e-12)
    assert math.isnan(percent_agreement([["a", None], [None, "b"]]))


def test_two_coder_nominal_alpha_relates_to_scott_pi():
    # Krippendorff: alpha = 1 - (2n - 1) / (2n) * (1 - pi) for two coders and n complete items.
    a, b = random_pair(4)
    n = len(a)
    alpha = krippendorff_alpha(np.column_stack([a, b]))
    assert alpha == pytest.approx(1 - (2 * n - 1) / (2 * n) * (1 - scott_pi(a, b)), abs=1e-12)
