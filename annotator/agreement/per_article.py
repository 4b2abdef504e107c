"""Agreement per article: a layer's main measure on the units of each article (scope "article").

The item of a per-article `Measure` is the article id as text; the report maps it to the
article's title (`AgreementReport.articles`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from annotator.agreement.alpha import Level, coincidences
from annotator.agreement.results import Measure


def article_alphas(
    measure: str,
    values: np.ndarray,
    passages: np.ndarray,
    articles: pd.Series,
    level: Level,
) -> list[Measure]:
    """Alpha of `values` (units x annotators) per article; `passages` gives each unit's passage
    id and `articles` each passage id's article id. Articles by id.

    The units are grouped by one sort (not a scan per article). A per-article alpha has its
    n but no bootstrap interval: a corpus has thousands of articles, and a bootstrap each
    cost more than the rest of the report (13,834 bootstraps, 10 s of 43 s, on 1,000,000
    labels). The list is for finding the articles to look at, lowest first.
    """
    article_of = articles.reindex(passages).to_numpy()
    found = ~pd.isna(article_of)
    ids, rows = article_of[found].astype(np.int64), values[found]
    order = np.argsort(ids, kind="stable")
    ids, rows = ids[order], rows[order]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.array([], dtype=np.int64)
    measures = []
    for start, end in zip(starts, [*starts[1:], len(ids)]):
        tally = coincidences(rows[start:end], level)
        article = str(int(ids[start]))
        measures.append(
            Measure(
                measure, "article", article, tally.alpha(), n_units=tally.pairable_units, n_pairable=tally.n_pairable
            )
        )
    return measures


def article_f1(
    measure: str,
    passage_ids: np.ndarray,
    shared: np.ndarray,
    spans: np.ndarray,
    matched: np.ndarray,
    articles: pd.Series,
) -> list[Measure]:
    """F1 per article from per-passage sums over annotator pairs: `shared` pairs that both
    covered the passage, `spans` their spans and `matched` their matched spans (one per match).
    Articles without spans are left out; n_units counts (passage, pair)s with spans."""
    frame = pd.DataFrame(
        {"article": articles.reindex(passage_ids).to_numpy(), "shared": shared, "spans": spans, "matched": matched}
    )
    totals = frame[frame["spans"] > 0].dropna(subset=["article"]).groupby("article").sum()
    return [
        Measure(
            measure,
            "article",
            str(int(article)),
            2 * row.matched / row.spans if row.spans else float("nan"),
            n_units=int(row.shared),
            n_pairable=int(row.spans),
        )
        for article, row in totals.iterrows()
    ]
