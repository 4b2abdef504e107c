"""Span precision, recall and F1 between two coders."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from annotator.agreement import span_f1
from annotator.errors import AnnotatorError

A = [(0, 10, "actor"), (20, 30, "actor"), (40, 50, "place")]
B = [(0, 10, "actor"), (22, 35, "actor"), (60, 70, "place"), (80, 90, "date")]


def test_exact_matching():
    result = span_f1(A, B, match="exact")
    actor = result.per_label["actor"]
    assert (actor.matched, actor.precision, actor.recall, actor.f1) == (1, 0.5, 0.5, 0.5)
    assert result.per_label["place"].f1 == 0.0
    assert result.per_label["date"].recall == 0.0  # coder A has no date span
    assert (result.micro.matched, result.micro.spans_a, result.micro.spans_b) == (1, 3, 4)
    assert result.micro.precision == pytest.approx(1 / 4)
    assert result.micro.recall == pytest.approx(1 / 3)
    assert result.micro.f1 == pytest.approx(2 / 7)
    assert result.macro_f1 == pytest.approx((0.5 + 0 + 0) / 3)


def test_overlap_matching_counts_overlapping_spans_of_the_same_label():
    result = span_f1(A, B, match="overlap")
    assert result.per_label["actor"].f1 == 1.0
    assert result.per_label["place"].f1 == 0.0  # 40-50 and 60-70 do not touch
    assert result.micro.matched == 2
    assert result.micro.f1 == pytest.approx(4 / 7)


def test_touching_spans_do_not_overlap_and_labels_must_agree():
    assert span_f1([(0, 5, "x")], [(5, 9, "x")], match="overlap").micro.matched == 0
    assert span_f1([(0, 5, "x")], [(0, 5, "y")], match="overlap").micro.matched == 0


def test_overlap_matching_is_one_to_one_and_maximal():
    # The long span overlaps both short ones but pairs with only one of them; greedy by
    # earliest end must still find the pairing of size 2.
    a = [(0, 100, "x"), (0, 10, "x")]
    b = [(5, 15, "x"), (50, 60, "x")]
    assert span_f1(a, b, match="overlap").micro.matched == 2
    assert span_f1([(0, 100, "x")], b, match="overlap").micro.matched == 1
    # 0-10 may take 0-50 or 5-8, but only 0-50 reaches 40-60.
    assert span_f1([(0, 10, "x"), (40, 60, "x")], [(0, 50, "x"), (5, 8, "x")], "overlap").micro.matched == 2


def brute_force_matching(a, b) -> int:
    """The largest number of disjoint overlapping pairs, by trying every pairing."""
    for size in range(min(len(a), len(b)), 0, -1):
        for chosen in itertools.combinations(a, size):
            for partners in itertools.permutations(b, size):
                if all(s[0] < t[1] and t[0] < s[1] for s, t in zip(chosen, partners)):
                    return size
    return 0


@pytest.mark.parametrize("seed", range(200))
def test_overlap_matching_equals_brute_force_maximum(seed):
    rng = random.Random(seed)

    def spans(n):
        return [(s, s + rng.randint(1, 8), "x") for s in (rng.randint(0, 15) for _ in range(n))]

    a, b = spans(rng.randint(0, 5)), spans(rng.randint(0, 5))
    expected = brute_force_matching([s[:2] for s in a], [s[:2] for s in b])
    assert span_f1(a, b, match="overlap").micro.matched == expected


def test_f1_is_symmetric_and_precision_recall_swap():
    forward, backward = span_f1(A, B, "overlap"), span_f1(B, A, "overlap")
    assert forward.micro.f1 == backward.micro.f1
    assert (forward.micro.precision, forward.micro.recall) == (backward.micro.recall, backward.micro.precision)


def test_exact_matching_counts_duplicates_once_each():
    assert span_f1([(0, 5, "x")] * 2, [(0, 5, "x")], "exact").micro.matched == 1


def test_empty_inputs_and_errors():
    empty = span_f1([], [], "exact")
    assert empty.per_label == {}
    assert math.isnan(empty.micro.f1) and math.isnan(empty.macro_f1)
    assert span_f1([], [(0, 1, "x")], "overlap").micro.f1 == 0.0
    with pytest.raises(AnnotatorError, match="unknown span match 'fuzzy'"):
        span_f1(A, B, match="fuzzy")
    with pytest.raises(AnnotatorError, match="must start before it ends"):
        span_f1([(5, 5, "x")], B)
