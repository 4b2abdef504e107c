"""Train/validation/test splits grouped by article and stratified, deterministic for a seed.

No article has passages in two splits. The splits are stratified on every layer at once by
iterative stratification for multi-label data (Sechidis, Tsoumakas and Vlahavas 2011, as in
scikit-multilearn's `IterativeStratification`), with articles as the samples: an article's
labels are the union of its passages' labels (see `source.article_strata`), each weighted by
the number of the article's passages that have it.

Each split wants its fraction of every label's passages and of all passages. Repeatedly, the
label with the fewest articles still unassigned is taken (ties: the label key); its unassigned
articles, shuffled with the seed and then taken largest first (a stable sort), each go to a
split that still wants at least half of the article's passages with that label, and among
those (or among all, when none does) to the one that needs the article most: the sum over its
label keys of passages x (what the split still wants of the key) / (the key's corpus total),
plus the same for its size (ties: the split named first). The split's wants then go down by
the article's counts. Sechidis et al. pick the split that wants most of the label, which fits
the rarest labels but lets the common ones drift; the combined need keeps them all close.
Articles without labels go last, each to the split that needs it most.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from annotator.errors import AnnotatorError

DEFAULT_SPLIT = "train=0.8,validation=0.1,test=0.1"
_SPLIT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


@dataclass(frozen=True)
class ArticleStrata:
    """An article's exported passages: how many, and how many of them have each label key."""

    passages: int
    labels: Counter[str] = field(default_factory=Counter)


def parse_split_spec(spec: str) -> dict[str, float]:
    """`train=0.8,validation=0.1,test=0.1` -> {name: fraction}; fractions > 0 summing to 1."""
    fractions: dict[str, float] = {}
    for part in spec.split(","):
        name, _, value = part.partition("=")
        name = name.strip()
        if not _SPLIT_NAME.fullmatch(name):
            raise AnnotatorError(f"--split: bad split name {name!r} in {spec!r} (letters, digits, _)")
        if name in fractions:
            raise AnnotatorError(f"--split: split {name!r} given twice")
        try:
            fraction = float(value)
        except ValueError:
            raise AnnotatorError(f"--split: {part.strip()!r} is not NAME=FRACTION") from None
        if not 0 < fraction <= 1:
            raise AnnotatorError(f"--split: fraction of {name!r} must be in (0, 1]")
        fractions[name] = fraction
    if not math.isclose(sum(fractions.values()), 1.0, abs_tol=1e-6):
        raise AnnotatorError(f"--split: fractions add up to {sum(fractions.values()):g}, not 1")
    return fractions


class _Wants:
    """What each split still wants: passages per label key, and passages overall."""

    def __init__(self, strata: Mapping[int, ArticleStrata], fractions: Mapping[str, float]) -> None:
        totals: Counter[str] = Counter()
        for article in strata.values():
            totals.update(article.labels)
        passages = sum(article.passages for article in strata.values())
        self.names = list(fractions)
        self.totals, self.total = totals, passages
        self.labels = {name: {key: share * n for key, n in totals.items()} for name, share in fractions.items()}
        self.passages = {name: share * passages for name, share in fractions.items()}

    def best(self, key: str | None, article: ArticleStrata) -> str:
        """The split for `article`, taken for label `key` (None: for no label)."""

        def score(name: str) -> tuple[bool, float]:
            fits = key is not None and self.labels[name][key] >= article.labels[key] / 2
            return fits, self.need(name, article)

        return max(self.names, key=score)

    def need(self, name: str, article: ArticleStrata) -> float:
        """How much split `name` needs `article`: over its label keys and its size, passages x
        what the split still wants / the corpus total."""
        by_label = sum(n * self.labels[name][key] / self.totals[key] for key, n in article.labels.items())
        return by_label + article.passages * self.passages[name] / self.total

    def take(self, name: str, article: ArticleStrata) -> None:
        """Split `name` got `article`."""
        for key, n in article.labels.items():
            self.labels[name][key] -= n
        self.passages[name] -= article.passages


def assign_splits(strata: Mapping[int, ArticleStrata], fractions: Mapping[str, float], seed: int) -> dict[int, str]:
    """Article id -> split name, by iterative stratification on the articles' label keys."""
    order = _processing_order(strata, seed)
    wants = _Wants(strata, fractions)
    by_label: dict[str, list[int]] = {}
    for article in order:
        for key in strata[article].labels:
            by_label.setdefault(key, []).append(article)
    remaining = {key: len(articles) for key, articles in by_label.items()}
    assignment: dict[int, str] = {}
    while remaining:
        key = min(remaining, key=lambda label: (remaining[label], label))
        for article in by_label[key]:
            if article not in assignment:
                _assign(article, wants.best(key, strata[article]), strata, wants, assignment, remaining)
        del remaining[key]
    for article in order:
        if article not in assignment:
            _assign(article, wants.best(None, strata[article]), strata, wants, assignment, remaining)
    return assignment


def _processing_order(strata: Mapping[int, ArticleStrata], seed: int) -> Sequence[int]:
    """Articles shuffled with the seed (from id order), then largest first (a stable sort)."""
    articles = sorted(strata)
    random.Random(seed).shuffle(articles)
    articles.sort(key=lambda article: -strata[article].passages)
    return articles


def _assign(
    article: int,
    name: str,
    strata: Mapping[int, ArticleStrata],
    wants: _Wants,
    assignment: dict[int, str],
    remaining: dict[str, int],
) -> None:
    assignment[article] = name
    wants.take(name, strata[article])
    for key in strata[article].labels:
        if key in remaining:
            remaining[key] -= 1
