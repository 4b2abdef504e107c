"""The label pairs the annotators confuse most, each with a few passages where it happened.

A confusion is one unit on which two annotators chose different labels (a span layer's
span the other annotator has nothing overlapping counts against "(none)"). Over the whole
team pairs are unordered and counted over every pair of annotators; for one annotator they
are ordered (their label, the other's label) and counted over their pairs with the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from annotator.agreement.results import ConfusedPair, Disagreement

EXAMPLES = 5
"""Example passages kept per confused pair: those with most of its confusions, then by id."""


@dataclass(frozen=True)
class Confusions:
    """One entry per confusion: the passage id, each coder's label and the coders' names."""

    passages: np.ndarray
    first: np.ndarray
    second: np.ndarray
    first_coder: np.ndarray
    second_coder: np.ndarray

    @classmethod
    def of(cls, rows: Sequence[tuple[int, str, str, str, str]]) -> Confusions:
        """From (passage id, first label, second label, first coder, second coder) rows."""
        columns = list(zip(*rows, strict=True)) if rows else [(), (), (), (), ()]
        return cls(np.array(columns[0], dtype=np.int64), *(np.array(c, dtype=object) for c in columns[1:]))


def team_confusions(confusions: Confusions, said: Callable[[int], Disagreement]) -> list[ConfusedPair]:
    """Every confused label pair, unordered, most frequent first (see `rank_confusions`)."""
    swap = confusions.first > confusions.second
    low = np.where(swap, confusions.second, confusions.first)
    high = np.where(swap, confusions.first, confusions.second)
    return rank_confusions(confusions.passages, low, high, said)


def annotator_confusions(
    confusions: Confusions, annotators: Sequence[str], said: Callable[[int], Disagreement]
) -> dict[str, list[ConfusedPair]]:
    """Per annotator: (their label, the other annotator's label) pairs, most frequent first."""
    feedback = {}
    for name in annotators:
        mine, theirs = confusions.first_coder == name, confusions.second_coder == name
        feedback[name] = rank_confusions(
            np.r_[confusions.passages[mine], confusions.passages[theirs]],
            np.r_[confusions.first[mine], confusions.second[theirs]],
            np.r_[confusions.second[mine], confusions.first[theirs]],
            said,
        )
    return feedback


def rank_confusions(
    passages: np.ndarray, first: np.ndarray, second: np.ndarray, said: Callable[[int], Disagreement]
) -> list[ConfusedPair]:
    """The (first, second) label pairs by count, most first (ties by label), with `EXAMPLES`
    passages each. `said(passage_id)` gives the passage with what each coder chose on it (an
    example's score is how many of the pair's confusions it holds)."""
    if len(passages) == 0:
        return []
    frame = pd.DataFrame({"first": first, "second": second, "passage": np.asarray(passages, dtype=np.int64)})
    totals = frame.groupby(["first", "second"]).size().reset_index(name="count")
    totals = totals.sort_values(["count", "first", "second"], ascending=[False, True, True], kind="stable")
    per_passage = frame.groupby(["first", "second", "passage"]).size().reset_index(name="count")
    per_passage = per_passage.sort_values(["count", "passage"], ascending=[False, True], kind="stable")
    examples = {key: group.head(EXAMPLES) for key, group in per_passage.groupby(["first", "second"], sort=False)}
    return [
        ConfusedPair(
            (a, b),
            int(count),
            [
                replace(said(int(passage)), score=float(times))
                for passage, times in zip(examples[a, b]["passage"], examples[a, b]["count"], strict=True)
            ],
        )
        for a, b, count in totals.itertuples(index=False)
    ]
