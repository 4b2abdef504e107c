"""MASI and Jaccard distances between set-valued labels."""

from __future__ import annotations

import itertools

import pytest
from nltk.metrics import jaccard_distance as nltk_jaccard_distance
from nltk.metrics import masi_distance as nltk_masi_distance

from annotator.agreement import jaccard_distance, masi_distance

SETS = [frozenset(s) for s in ({"a"}, {"b"}, {"a", "b"}, {"a", "c"}, {"a", "b", "c"}, {"d", "e"})]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ({"a", "b"}, {"a", "b"}, 0.0),  # identity: J = 1, M = 1
        ({"a"}, {"a", "b"}, 1 - 1 / 2 * 2 / 3),  # subset: J = 1/2, M = 2/3
        ({"a", "b"}, {"b", "c"}, 1 - 1 / 3 * 1 / 3),  # overlap: J = 1/3, M = 1/3
        ({"a"}, {"b"}, 1.0),  # disjoint: M = 0
        (set(), set(), 0.0),
        (set(), {"a"}, 1.0),
    ],
)
def test_masi_distance_after_passonneau(a, b, expected):
    assert masi_distance(a, b) == pytest.approx(expected, abs=1e-12)
    assert masi_distance(b, a) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("a", "b"), itertools.product(SETS, repeat=2))
def test_masi_distance_against_nltk(a, b):
    # NLTK rounds M to 0.67 / 0.33: equal where M is 1 or 0, within 0.005 otherwise.
    ours, theirs = masi_distance(a, b), nltk_masi_distance(set(a), set(b))
    exact = a == b or not a & b
    assert ours == pytest.approx(theirs, abs=1e-12 if exact else 0.005)


@pytest.mark.parametrize(("a", "b"), itertools.product(SETS, repeat=2))
def test_jaccard_distance_against_nltk(a, b):
    assert jaccard_distance(a, b) == pytest.approx(nltk_jaccard_distance(set(a), set(b)), abs=1e-12)


def test_distances_take_any_collection_and_ignore_order():
    assert masi_distance(("b", "a"), ["a", "b", "a"]) == 0.0
    assert jaccard_distance(("a", "b"), ["b", "c"]) == pytest.approx(2 / 3, abs=1e-12)
    assert jaccard_distance([], []) == 0.0
