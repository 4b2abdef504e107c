"""Split specs, the grouped multi-label stratified split assignment, and the strata read from the database."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping

import pytest

from annotator.db.engine import read_session
from annotator.db.models import Annotation
from annotator.errors import AnnotatorError
from annotator.export.source import article_strata
from annotator.export.splits import DEFAULT_SPLIT, ArticleStrata, assign_splits, parse_split_spec
from annotator.labels import current_labels_query
from annotator.releases import latest_revision

EVENTS, EVENT_WEIGHTS = ["event_type:battles", "event_type:protests", "event_type:no_event"], [5, 2, 3]
STANCES = ["stance:support", "stance:oppose", "stance:neutral", "stance:hostile"]
RHETORIC = ["rhetoric:dehumanising", "rhetoric:victimhood", "rhetoric:threat"]
RARE = "stance:hostile"


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


def synthetic_passages(articles: int = 600) -> dict[int, list[set[str]]]:
    """Articles of 1-12 passages; each article leans to one stance and one rhetoric category
    (labels cluster by article, as in real news), and the hostile stance is in 15 articles only."""
    rng = random.Random(5)
    hostile = set(rng.sample(range(articles), 20))
    corpus = {}
    for article in range(articles):
        stance = rng.choices(STANCES[:3], weights=[6, 3, 1])[0]
        rhetoric = rng.choices(RHETORIC, weights=[1, 4, 2])[0]
        passages = []
        for _ in range(rng.randint(1, 12)):
            labels = set(rng.choices(EVENTS, weights=EVENT_WEIGHTS))
            if rng.random() < 0.7:
                labels.add(RARE if article in hostile and rng.random() < 0.5 else stance)
            if rng.random() < 0.4:
                labels.add(rhetoric)
            passages.append(labels)
        corpus[article * 7] = passages
    return corpus


def strata_of(corpus: Mapping[int, list[set[str]]]) -> dict[int, ArticleStrata]:
    return {
        article: ArticleStrata(len(passages), Counter(key for labels in passages for key in labels))
        for article, passages in corpus.items()
    }


def event_type_only(corpus: Mapping[int, list[set[str]]], fractions: Mapping[str, float], seed: int) -> dict[int, str]:
    """The assignment before multi-label stratification (kept to measure against): one stratum
    per passage, its event type; articles largest first to the split that needs them most."""
    strata = {
        article: Counter(key for labels in passages for key in labels if key in EVENTS)
        for article, passages in corpus.items()
    }
    articles = sorted(strata)
    random.Random(seed).shuffle(articles)
    articles.sort(key=lambda article: -sum(strata[article].values()))
    totals: Counter[str] = Counter()
    for counts in strata.values():
        totals.update(counts)
    total = sum(totals.values())
    have: dict[str, Counter[str]] = {name: Counter() for name in fractions}
    sizes = dict.fromkeys(fractions, 0)

    def need(name: str, counts: Counter[str], size: int) -> float:
        share = fractions[name]
        by_stratum = sum(n * (share * totals[k] - have[name][k]) / totals[k] for k, n in counts.items())
        return by_stratum + size * (share * total - sizes[name]) / total

    assignment = {}
    for article in articles:
        counts = strata[article]
        size = sum(counts.values())
        best = max(fractions, key=lambda name: need(name, counts, size))
        assignment[article] = best
        have[best].update(counts)
        sizes[best] += size
    return assignment


def proportion_error(corpus: Mapping[int, list[set[str]]], assignment: Mapping[int, str]) -> float:
    """Mean over splits and labels of |share of the split's passages with the label - the same
    share in the whole corpus| (the label distribution measure of Sechidis et al.)."""
    strata = strata_of(corpus)
    totals, passages = Counter(), Counter()
    per_split: dict[str, Counter[str]] = {}
    for article, counts in strata.items():
        name = assignment[article]
        totals.update(counts.labels)
        per_split.setdefault(name, Counter()).update(counts.labels)
        passages[name] += counts.passages
    corpus_passages = sum(passages.values())
    errors = [
        abs(per_split[name][key] / passages[name] - totals[key] / corpus_passages)
        for name in per_split
        for key in totals
    ]
    return sum(errors) / len(errors)


def test_assignment_is_deterministic_per_seed_and_covers_every_article():
    strata = strata_of(synthetic_passages())
    fractions = parse_split_spec(DEFAULT_SPLIT)
    first = assign_splits(strata, fractions, seed=1)
    assert first == assign_splits(dict(reversed(strata.items())), fractions, seed=1)
    assert first != assign_splits(strata, fractions, seed=2)
    assert set(first) == set(strata) and set(first.values()) == set(fractions)


def test_assignment_follows_the_fractions_overall_and_per_label():
    strata = strata_of(synthetic_passages())
    fractions = parse_split_spec(DEFAULT_SPLIT)
    assignment = assign_splits(strata, fractions, seed=0)
    totals, per_split, sizes = Counter(), {name: Counter() for name in fractions}, Counter()
    for article, counts in strata.items():
        totals.update(counts.labels)
        per_split[assignment[article]].update(counts.labels)
        sizes[assignment[article]] += counts.passages
    for name, share in fractions.items():
        assert abs(sizes[name] / sum(sizes.values()) - share) < 0.01
        for key, total in totals.items():
            if key != RARE:  # 38 passages in 15 articles: tested below
                assert abs(per_split[name][key] / total - share) < 0.03, (name, key)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_split_gets_the_rare_label_and_proportions_beat_event_type_only(seed):
    corpus = synthetic_passages()
    fractions = parse_split_spec(DEFAULT_SPLIT)
    assignment = assign_splits(strata_of(corpus), fractions, seed)
    with_rare = Counter(assignment[article] for article, passages in corpus.items() if any(RARE in p for p in passages))
    assert set(with_rare) == set(fractions), with_rare  # in 15 articles
    new, old = proportion_error(corpus, assignment), proportion_error(corpus, event_type_only(corpus, fractions, seed))
    assert new < 0.003 and new < old / 3, (new, old)


def test_an_article_is_in_one_split_and_unlabelled_articles_are_assigned():
    strata = strata_of(synthetic_passages(50)) | {1: ArticleStrata(3), 2: ArticleStrata(1)}
    assignment = assign_splits(strata, parse_split_spec(DEFAULT_SPLIT), seed=4)
    assert sorted(assignment) == sorted(strata)  # a dict: one split per article


def test_article_strata_key_every_layer_and_span_labels_by_category(labelled):
    codebook = labelled.codebook
    with read_session(labelled.engine) as session:
        strata = article_strata(session, latest_revision(session), codebook)
        current = session.execute(
            current_labels_query().with_only_columns(Annotation.passage_id, Annotation.layer, Annotation.label)
        ).all()
    rhetoric = {
        label.id: label.category for label in next(layer for layer in codebook.layers if layer.id == "rhetoric").labels
    }
    expected = {
        f"{layer}:{rhetoric[label] or label}" if layer == "rhetoric" else f"{layer}:{label}"
        for _passage, layer, label in current
    }
    assert set().union(*(article.labels for article in strata.values())) == expected
    assert sum(article.passages for article in strata.values()) == len({passage for passage, _, _ in current})
    assert all(n <= article.passages for article in strata.values() for n in article.labels.values())
