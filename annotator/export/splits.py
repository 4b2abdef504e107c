"""Train/validation/test splits grouped by article and stratified, deterministic for a seed.

No article has passages in two splits. Articles are shuffled with the seed, then taken largest
first (a stable sort, so the shuffle breaks ties); each goes to the split that needs its
passages most: the sum over the article's strata of passages x (the split's fraction of the
stratum's total - what the split already has of it) / that total, plus the same for the
split's overall size. Ties go to the split named first.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Mapping

from annotator.errors import AnnotatorError

DEFAULT_SPLIT = "train=0.8,validation=0.1,test=0.1"
_SPLIT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


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


def assign_splits(strata: Mapping[int, Counter[str]], fractions: Mapping[str, float], seed: int) -> dict[int, str]:
    """Article id -> split name, for articles with passage counts per stratum."""
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
