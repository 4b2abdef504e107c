"""Split specs and the grouped, stratified split assignment (no database)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from annotator.errors import AnnotatorError
from annotator.export.splits import DEFAULT_SPLIT, assign_splits, parse_split_spec


def test_split_specs():
    assert parse_split_spec(DEFAULT_SPLIT) == {"train": 0.8, "validation": 0.1, "test": 0.1}
    assert parse_split_spec("train=1") == {"train": 1.0}
    for spec, reason in {
        "train=0.8,test=0.1": "add up to 0.9",
        "train=0.5,train=0.5": "given twice",
        "train=0.5,te st=0.5": "bad split name",
        "train=half,test=0.5": "not NAME=FRACTION",
        "train=1,test=0": "must be in (0, 1]",
    }.items():
        with pytest.raises(AnnotatorError, match=reason.replace("(", r"\(").replace("]", r"\]")):
            parse_split_spec(spec)


def synthetic_strata(articles: int = 600) -> dict[int, Counter]:
    rng = random.Random(5)
    strata = {}
    for article in range(articles):
        labels = rng.choices(["battles", "protests", "no_event", ""], weights=[5, 2, 3, 1], k=rng.randint(1, 12))
        strata[article * 7] = Counter(labels)
    return strata


def test_assignment_is_deterministic_per_seed_and_covers_every_article():
    strata = synthetic_strata()
    fractions = parse_split_spec(DEFAULT_SPLIT)
    first = assign_splits(strata, fractions, seed=1)
    assert first == assign_splits(dict(reversed(strata.items())), fractions, seed=1)
    assert first != assign_splits(strata, fractions, seed=2)
    assert set(first) == set(strata) and set(first.values()) == set(fractions)


def test_assignment_follows_the_fractions_overall_and_per_stratum():
    strata = synthetic_strata()
    fractions = parse_split_spec(DEFAULT_SPLIT)
    assignment = assign_splits(strata, fractions, seed=0)
    totals, per_split = Counter(), {name: Counter() for name in fractions}
    for article, counts in strata.items():
        totals.update(counts)
        per_split[assignment[article]].update(counts)
    for name, share in fractions.items():
        assert abs(sum(per_split[name].values()) / sum(totals.values()) - share) < 0.01
        for stratum, total in totals.items():
            assert abs(per_split[name][stratum] / total - share) < 0.03, (name, stratum)
