"""Krippendorff's alpha: published examples, reference implementations, input forms, edge cases."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pandas as pd
import pytest
from nltk.metrics import masi_distance as nltk_masi_distance
from nltk.metrics.agreement import AnnotationTask

from annotator.agreement import LEVELS, interpret_alpha, krippendorff_alpha, masi_distance
from annotator.agreement import alpha as alpha_module
from annotator.errors import AnnotatorError
from tests.agreement.data import (
    HAYES_KRIPPENDORFF_2007,
    KRIPPENDORFF_2011,
    WIKIPEDIA_ALPHA,
    random_ratings,
)


def reference_alpha(table: np.ndarray, level: str) -> float:
    """The `krippendorff` package's alpha; it takes coders x units."""
    return float(krippendorff.alpha(reliability_data=table.T, level_of_measurement=level))


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_published_values(level, published):
    value = krippendorff_alpha(KRIPPENDORFF_2011, level)
    assert round(value, 3) == published
    assert value == pytest.approx(reference_alpha(KRIPPENDORFF_2011, level), abs=1e-9)


def test_wikipedia_example():
    assert round(krippendorff_alpha(WIKIPEDIA_ALPHA, "nominal"), 3) == 0.691
    assert round(krippendorff_alpha(WIKIPEDIA_ALPHA, "interval"), 3) == 0.811


def test_hayes_krippendorff_2007_ordinal():
    assert round(krippendorff_alpha(HAYES_KRIPPENDORFF_2007, "ordinal"), 4) == 0.7598


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", range(5))
def test_matches_krippendorff_package_on_random_data(level, seed):
    table = random_ratings(seed, units=300, coders=2 + seed, categories=3 + 2 * seed) + 1
    assert krippendorff_alpha(table, level) == pytest.approx(reference_alpha(table, level), abs=1e-9)


@pytest.mark.parametrize("level", LEVELS)
def test_matches_krippendorff_package_with_uneven_numeric_values(level):
    rng = np.random.default_rng(7)
    values = np.array([0.5, 1.0, 2.5, 4.0, 10.0])
    table = values[rng.integers(0, 5, size=(200, 4))]
    table[rng.random(table.shape) < 0.3] = np.nan
    assert krippendorff_alpha(table, level) == pytest.approx(reference_alpha(table, level), abs=1e-9)


def test_chunked_tally_equals_single_pass(monkeypatch):
    table = random_ratings(11, units=5000, coders=6, categories=7)
    whole = krippendorff_alpha(table)
    monkeypatch.setattr(alpha_module, "_CHUNK_CELLS", 64)
    assert krippendorff_alpha(table) == pytest.approx(whole, abs=1e-12)
    assert whole == pytest.approx(reference_alpha(table, "nominal"), abs=1e-9)


def test_input_forms_agree():
    expected = krippendorff_alpha(KRIPPENDORFF_2011, "ordinal")
    rows = [[None if math.isnan(v) else int(v) for v in row] for row in KRIPPENDORFF_2011]
    frame = pd.DataFrame(KRIPPENDORFF_2011, columns=list("ABCD"))
    assert krippendorff_alpha(rows, "ordinal") == pytest.approx(expected, abs=1e-12)
    assert krippendorff_alpha(frame, "ordinal") == pytest.approx(expected, abs=1e-12)
    assert krippendorff_alpha(frame.astype("Int64"), "ordinal") == pytest.approx(expected, abs=1e-12)


def test_string_labels_give_the_same_nominal_and_ordinal_alpha_as_their_codes():
    names = {1: "a-lowest", 2: "b-low", 3: "c-mid", 4: "d-high", 5: "e-highest"}
    labelled = [[None if math.isnan(v) else names[int(v)] for v in row] for row in KRIPPENDORFF_2011]
    for level in ("nominal", "ordinal"):
        assert krippendorff_alpha(labelled, level) == pytest.approx(
            krippendorff_alpha(KRIPPENDORFF_2011, level), abs=1e-12
        )


def test_ordinal_uses_rank_order_not_distances():
    stretched = np.where(KRIPPENDORFF_2011 == 5, 500, KRIPPENDORFF_2011)
    assert krippendorff_alpha(stretched, "ordinal") == pytest.approx(
        krippendorff_alpha(KRIPPENDORFF_2011, "ordinal"), abs=1e-12
    )
    assert krippendorff_alpha(stretched, "interval") != pytest.approx(
        krippendorff_alpha(KRIPPENDORFF_2011, "interval"), abs=1e-3
    )


@pytest.mark.parametrize("level", LEVELS)
def test_units_with_one_value_are_ignored(level):
    singletons = [[7, np.nan, np.nan, np.nan], [np.nan, np.nan, 9, np.nan]]
    with_singletons = np.vstack([KRIPPENDORFF_2011, singletons])
    assert krippendorff_alpha(with_singletons, level) == pytest.approx(
        krippendorff_alpha(KRIPPENDORFF_2011, level), abs=1e-12
    )


def random_set_labels(seed: int, units: int = 80, coders: int = 3) -> list[list[frozenset | None]]:
    rng = np.random.default_rng(seed)
    options = [frozenset(s) for s in ({"a"}, {"b"}, {"a", "b"}, {"a", "c"}, {"a", "b", "c"}, {"c"})]
    return [
        [None if rng.random() < 0.2 else options[rng.integers(0, len(options))] for _ in range(coders)]
        for _ in range(units)
    ]


def nltk_alpha(rows, distance) -> float:
    triples = [(coder, unit, label) for unit, row in enumerate(rows) for coder, label in enumerate(row) if label]
    return AnnotationTask(data=triples, distance=distance).alpha()


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("distance", [masi_distance, nltk_masi_distance])
def test_set_valued_alpha_matches_nltk(seed, distance):
    rows = random_set_labels(seed)
    assert krippendorff_alpha(rows, distance) == pytest.approx(nltk_alpha(rows, distance), abs=1e-9)


def test_set_valued_alpha_accepts_tuples_lists_and_sets():
    rows = random_set_labels(5)
    as_lists = [[None if label is None else sorted(label) for label in row] for row in rows]
    as_sets = [[None if label is None else set(label) for label in row] for row in rows]
    expected = krippendorff_alpha(rows, masi_distance)
    assert krippendorff_alpha(as_sets, masi_distance) == pytest.approx(expected, abs=1e-12)
    assert krippendorff_alpha(as_lists, lambda a, b: masi_distance(a, b)) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("level", LEVELS)
def test_identical_coding_gives_one(level):
    column = np.array([1, 2, 3, 4, 2, 1, 3], dtype=float)
    assert krippendorff_alpha(np.column_stack([column] * 3), level) == 1.0


def test_systematic_disagreement_is_negative():
    assert krippendorff_alpha([[1, 2], [2, 1], [1, 2], [2, 1]]) < 0


@pytest.mark.parametrize(
    "data",
    [
        pytest.param([[1], [2], [3]], id="one coder"),
        pytest.param([[1, None], [None, 2], [3, None]], id="no pairable unit"),
        pytest.param([[None, None], [None, None]], id="all missing"),
        pytest.param(np.full((4, 3), np.nan), id="all NaN"),
        pytest.param([[2, 2], [2, 2], [2, None]], id="one category"),
        pytest.param([], id="no units"),
    ],
)
@pytest.mark.parametrize("level", LEVELS)
def test_undefined_alpha_is_nan(data, level):
    assert math.isnan(krippendorff_alpha(data, level))


@pytest.mark.parametrize("level", ["interval", "ratio"])
def test_non_numeric_values_need_a_categorical_level(level):
    with pytest.raises(AnnotatorError, match=f"{level} alpha needs numeric values; got 'low'"):
        krippendorff_alpha([["low", "high"], ["high", "high"]], level)


def test_ratio_rejects_negative_values():
    with pytest.raises(AnnotatorError, match="ratio alpha needs values >= 0"):
        krippendorff_alpha([[-1, 2], [2, 2]], "ratio")


def test_ordinal_needs_sortable_values():
    with pytest.raises(AnnotatorError, match="no natural order"):
        krippendorff_alpha([["a", 1], [2, "b"]], "ordinal")


def test_unknown_level_and_bad_shapes_are_reported():
    with pytest.raises(AnnotatorError, match="unknown level of measurement 'nominl'"):
        krippendorff_alpha([[1, 2]], "nominl")
    with pytest.raises(AnnotatorError, match="every row"):
        krippendorff_alpha([[1, 2], [1]])
    for one_dimensional in (np.array([1, 2, 3]), [1, 2, 3], ["a", "b"], [1, None], pd.Series([1.0, 2.0])):
        with pytest.raises(AnnotatorError, match="units x coders table"):
            krippendorff_alpha(one_dimensional)


@pytest.mark.parametrize(
    ("value", "reading"),
    [
        (1.0, "reliable"),
        (0.8, "reliable"),
        (0.7999, "tentative"),
        (0.667, "tentative"),
        (0.6669, "unreliable"),
        (-0.2, "unreliable"),
        (math.nan, "undefined"),
    ],
)
def test_interpret_alpha(value, reading):
    assert interpret_alpha(value) == reading
