"""Bootstrap intervals: Krippendorff's algorithm for alpha and the percentile bootstrap over units."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from annotator.agreement import bootstrap_alpha, bootstrap_ci, cohen_kappa, fleiss_kappa, krippendorff_alpha
from annotator.errors import AnnotatorError
from tests.agreement.data import HAYES_KRIPPENDORFF_2007, random_ratings


def test_alpha_interval_on_hayes_krippendorff_2007():
    result = bootstrap_alpha(HAYES_KRIPPENDORFF_2007, "ordinal", n_boot=2000, seed=1)
    assert result.alpha == pytest.approx(krippendorff_alpha(HAYES_KRIPPENDORFF_2007, "ordinal"), abs=1e-12)
    # The paper resamples 239 pairs of judgments; 40 units, 159 pairable values.
    assert (result.n_units, result.n_pairable, result.n_pairs) == (40, 159, 239)
    assert result.low < result.alpha < result.high
    assert 0.05 < result.high - result.low < 0.25


def test_alpha_interval_is_reproducible_per_seed():
    table = random_ratings(0, units=150, coders=3, categories=4)
    first = bootstrap_alpha(table, n_boot=500, seed=42)
    assert bootstrap_alpha(table, n_boot=500, seed=42) == first
    assert bootstrap_alpha(table, n_boot=500, seed=43) != first


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_interval_contains_alpha_and_narrows_with_more_data(level):
    small = bootstrap_alpha(random_ratings(1, 100, 3, 5) + 1, level, n_boot=1000)
    large = bootstrap_alpha(random_ratings(1, 2000, 3, 5) + 1, level, n_boot=1000)
    for result in (small, large):
        assert result.low <= result.alpha <= result.high
    assert large.high - large.low < (small.high - small.low) / 2


def test_higher_ci_gives_a_wider_interval():
    table = random_ratings(2, 200, 3, 4)
    narrow, wide = bootstrap_alpha(table, ci=0.8), bootstrap_alpha(table, ci=0.99)
    assert wide.low < narrow.low and narrow.high < wide.high


def test_perfect_agreement_on_several_values_stays_one():
    table = np.repeat(np.arange(30) % 3, 2).reshape(30, 2)
    result = bootstrap_alpha(table)
    assert (result.alpha, result.low, result.high) == (1.0, 1.0, 1.0)


def test_resamples_without_variation_count_as_zero():
    # Perfect agreement, but 40 of the 42 paired values are 0: about a third of the
    # resamples draw only (0, 0) pairs, have no variation and count as 0; the rest are 1.
    table = [[0, 0]] * 20 + [[1, 1]]
    result = bootstrap_alpha(table, n_boot=2000, seed=3)
    assert (result.alpha, result.low, result.high) == (1.0, 0.0, 1.0)
    assert bootstrap_alpha(table, ci=0.5).low == 0.0


def test_resampled_alpha_is_floored_at_minus_one():
    # One (0, 10) pair among six: a resample drawing it k times has alpha* = 1 - k.
    result = bootstrap_alpha([[0, 0]] * 5 + [[0, 10]], "interval", n_boot=2000)
    assert result.alpha == pytest.approx(0.0, abs=1e-12)
    assert result.low == -1.0


def test_undefined_alpha_gives_nan_bounds():
    result = bootstrap_alpha([[1, 1], [1, 1]])
    assert math.isnan(result.alpha) and math.isnan(result.low) and math.isnan(result.high)


def test_generic_bootstrap_for_cohen_kappa():
    table = random_ratings(5, units=300, coders=2, categories=4, missing=0)
    a, b = table[:, 0], table[:, 1]
    result = bootstrap_ci(cohen_kappa, a, b, n_boot=500, seed=7)
    assert result.estimate == pytest.approx(cohen_kappa(a, b))
    assert result.low < result.estimate < result.high
    same_units = [
        bootstrap_ci(cohen_kappa, list(a), list(b), n_boot=500, seed=7),
        bootstrap_ci(cohen_kappa, pd.Series(a), pd.Series(b), n_boot=500, seed=7),
    ]
    for other in same_units:
        assert (other.low, other.high) == pytest.approx((result.low, result.high), abs=1e-12)


def test_generic_bootstrap_resamples_whole_units_of_a_table():
    table = random_ratings(6, units=200, coders=4, categories=3, missing=0)
    result = bootstrap_ci(fleiss_kappa, table, n_boot=300, seed=1)
    assert result.estimate == pytest.approx(fleiss_kappa(table))
    assert result.low < result.estimate < result.high
    assert result.n_undefined == 0


def test_generic_bootstrap_leaves_out_undefined_resamples():
    # Most resamples of two items contain a single label, where kappa is undefined.
    result = bootstrap_ci(cohen_kappa, ["x", "y"], ["x", "y"], n_boot=200, seed=0)
    assert 0 < result.n_undefined < 200
    assert result.low == result.high == 1.0


def test_bootstrap_settings_are_checked():
    with pytest.raises(AnnotatorError, match="different numbers of units"):
        bootstrap_ci(cohen_kappa, [1, 2], [1, 2, 3])
    with pytest.raises(AnnotatorError, match="ci must be between 0 and 1"):
        bootstrap_alpha([[1, 2]], ci=95)
    with pytest.raises(AnnotatorError, match="n_boot must be at least 1"):
        bootstrap_ci(cohen_kappa, [1], [1], n_boot=0)
    with pytest.raises(AnnotatorError, match="at least one sample"):
        bootstrap_ci(cohen_kappa)
