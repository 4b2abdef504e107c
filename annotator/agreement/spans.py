"""Pairwise precision, recall and F1 between two coders' labelled spans."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from annotator.errors import AnnotatorError

Span = tuple[int, int, Hashable]
MATCHES = ("exact", "overlap")


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 of coder B's spans against coder A's.

    ``precision = matched / spans_b``, ``recall = matched / spans_a`` (0 when there are no
    spans to divide by) and ``f1 = 2 * matched / (spans_a + spans_b)``, which is their
    harmonic mean and NaN only when neither coder has a span.
    """

    precision: float
    recall: float
    f1: float
    matched: int
    spans_a: int
    spans_b: int

    @classmethod
    def from_counts(cls, matched: int, spans_a: int, spans_b: int) -> Scores:
        """Scores for `matched` pairs out of `spans_a` and `spans_b` spans."""
        return cls(
            precision=matched / spans_b if spans_b else 0.0,
            recall=matched / spans_a if spans_a else 0.0,
            f1=2 * matched / (spans_a + spans_b) if spans_a + spans_b else math.nan,
            matched=matched,
            spans_a=spans_a,
            spans_b=spans_b,
        )


@dataclass(frozen=True)
class SpanAgreement:
    """Span F1 per label, micro-averaged (pooled counts) and macro-averaged (mean over labels)."""

    per_label: dict[Hashable, Scores]
    micro: Scores
    macro_precision: float
    macro_recall: float
    macro_f1: float


def span_f1(spans_a: Iterable[Span], spans_b: Iterable[Span], match: str = "exact") -> SpanAgreement:
    """Compare two coders' spans, each a ``(start, end, label)`` tuple with `end` exclusive.

    Coder A is the reference for recall, coder B for precision; F1 is symmetric.
    ``match="exact"`` pairs spans with the same start, end and label. ``match="overlap"``
    pairs spans with the same label whose ranges overlap (share at least one position),
    one to one, choosing the matching with the most pairs (maximum bipartite matching).
    Labels are those used by either coder; macro averages are NaN when there are none.
    """
    if match not in MATCHES:
        raise AnnotatorError(f"unknown span match {match!r}: use 'exact' or 'overlap'")
    by_label_a, by_label_b = _by_label(spans_a), _by_label(spans_b)
    count_matches = _exact_matches if match == "exact" else _overlap_matches
    per_label = {
        label: Scores.from_counts(
            count_matches(by_label_a[label], by_label_b[label]),
            len(by_label_a[label]),
            len(by_label_b[label]),
        )
        for label in {**by_label_a, **by_label_b}
    }
    micro = Scores.from_counts(
        sum(scores.matched for scores in per_label.values()),
        sum(scores.spans_a for scores in per_label.values()),
        sum(scores.spans_b for scores in per_label.values()),
    )
    return SpanAgreement(
        per_label=per_label,
        micro=micro,
        macro_precision=_mean(scores.precision for scores in per_label.values()),
        macro_recall=_mean(scores.recall for scores in per_label.values()),
        macro_f1=_mean(scores.f1 for scores in per_label.values()),
    )


def _by_label(spans: Iterable[Span]) -> defaultdict[Hashable, list[tuple[int, int]]]:
    grouped: defaultdict[Hashable, list[tuple[int, int]]] = defaultdict(list)
    for start, end, label in spans:
        if not start < end:
            raise AnnotatorError(f"span ({start}, {end}, {label!r}) must start before it ends")
        grouped[label].append((start, end))
    return grouped


def _exact_matches(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    return sum((Counter(a) & Counter(b)).values())


def _overlap_matches(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """Size of a maximum one-to-one matching between overlapping ranges.

    Greedy is optimal here: take A's ranges by increasing end and give each the unmatched
    overlapping B range that ends first. A later A range that overlaps that B range also
    overlaps every other B range the current one could take, so an exchange argument
    shows the choice never blocks a larger matching.
    """
    unmatched = sorted(b, key=lambda span: span[1])
    matched = 0
    for start, end in sorted(a, key=lambda span: span[1]):
        for index, (other_start, other_end) in enumerate(unmatched):
            if start < other_end and other_start < end:
                del unmatched[index]
                matched += 1
                break
    return matched


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else math.nan
