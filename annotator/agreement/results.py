"""The corpus agreement report as plain data: measures, matrices and rankings, JSON and CSV ready.

Every number is a Python float or int (NaN for an undefined coefficient); `to_json_dict`
turns NaN into null, and `to_csv_rows` flattens the measures into one dict per row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from annotator.core.kinds import KINDS

CSV_COLUMNS = (
    "layer",
    "measure",
    "scope",
    "item",
    "coefficient",
    "low",
    "high",
    "n_units",
    "n_pairable",
    "interpretation",
    "verdict",
)
DISAGREEMENT_COLUMNS = (
    "layer",
    "rank",
    "article",
    "passage_number",
    "passage_id",
    "score",
    "coder",
    "chose",
    "excerpt",
)
DEFAULT_N_BOOT = 200
"""Bootstrap resamples for the confidence intervals, unless a command says otherwise."""

MAIN_MEASURES = {kind.value: rules.main_measure for kind, rules in KINDS.items()}
"""The measure of each layer kind shown in the pairwise matrix and over time."""
GOLD = "(gold)"
"""The pseudo-coder made of the labels a lead adjudicated (origin "adjudication")."""
RELIABLE, TENTATIVE = 0.800, 0.667
"""Krippendorff's thresholds, applied to the lower bound of the interval in `verdict`."""
MIN_UNITS = 10
"""Below this many pairable units (`n_units`) a coefficient's verdict is "too few data"."""
SIDE_BY_SIDE = {
    "passage_single": ("label", ("alpha_binary",)),
    "passage_multi": ("label", ("alpha_binary",)),
    "target_ordinal": ("target", ("alpha_nominal", "alpha_ordinal")),
    "span": ("label", ("f1_overlap", "alpha_unitizing")),
}
"""Per layer kind: the scope of the per-item comparison and the measures shown side by side."""


def verdict(measure: str, coefficient: float, low: float, n_units: int) -> str:
    """What a lead may conclude from an alpha or kappa, judged by its interval, not its point.

    "too few data" under `MIN_UNITS` pairable units; else "reliable" when the interval's
    lower bound is >= 0.800, "tentative" when it is >= 0.667, otherwise "unreliable";
    "undefined" when the coefficient is NaN and "no interval" for a defined coefficient
    without one (unitizing alpha). Empty for F1 and percentages (not on Krippendorff's scale).
    """
    if not measure.startswith(("alpha", "kappa")):
        return ""
    if math.isnan(coefficient):
        return "undefined"
    if n_units < MIN_UNITS:
        return "too few data"
    if math.isnan(low):
        return "no interval"
    if low >= RELIABLE:
        return "reliable"
    return "tentative" if low >= TENTATIVE else "unreliable"


@dataclass(frozen=True)
class Measure:
    """One coefficient, e.g. ordinal alpha of one stance target, or span F1 of one pair.

    `scope` says what `item` is: "overall" (item ""), a "label", "target" or "category" id,
    an "attribute" ("label.attribute"), a "pair" of coders ("a|b"), an "annotator" (that
    annotator against all the others pooled) or an "article" (its id as text). `low`/`high` are the bootstrap interval (NaN
    when the measure has none). `n_units` counts the units compared and `n_pairable` the
    values in them (for alphas: Krippendorff's pairable units and values).
    """

    measure: str
    scope: str
    item: str
    coefficient: float
    low: float = math.nan
    high: float = math.nan
    n_units: int = 0
    n_pairable: int = 0

    @property
    def interpretation(self) -> str:
        """`interpret_alpha` for alphas and kappas; empty for F1 and percentages."""
        if self.measure.startswith(("alpha", "kappa")):
            from annotator.agreement.alpha import interpret_alpha  # numpy: only once a number is shown

            return interpret_alpha(self.coefficient)
        return ""

    @property
    def verdict(self) -> str:
        """`verdict` of this measure (from its interval and n)."""
        return verdict(self.measure, self.coefficient, self.low, self.n_units)

    def to_dict(self) -> dict[str, Any]:
        """The measure as JSON-ready data (NaN as None)."""
        return {
            "measure": self.measure,
            "scope": self.scope,
            "item": self.item,
            "coefficient": _finite(self.coefficient),
            "low": _finite(self.low),
            "high": _finite(self.high),
            "n_units": self.n_units,
            "n_pairable": self.n_pairable,
            "interpretation": self.interpretation,
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class PairMatrix:
    """A symmetric coders x coders matrix of one measure (the diagonal is NaN), with the
    units each pair was compared on."""

    measure: str
    coders: list[str]
    values: list[list[float]]
    n_units: list[list[int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "measure": self.measure,
            "coders": self.coders,
            "values": [[_finite(value) for value in row] for row in self.values],
            "n_units": self.n_units,
        }


@dataclass(frozen=True)
class Confusion:
    """How often coder `first` chose the row label where coder `second` chose the column label."""

    first: str
    second: str
    labels: list[str]
    counts: list[list[int]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"coders": [self.first, self.second], "labels": self.labels, "counts": self.counts}


@dataclass(frozen=True)
class Disagreement:
    """A passage where the coders disagree, with what each of them said.

    `marks` (span layers) holds each coder's spans as (label, start, end) relative to the
    passage; once the passage text is known, `coders` quotes them (see `corpus`).
    `article` and `number` (1-based, in its article) say where the passage is.
    """

    passage_id: int
    score: float
    coders: dict[str, str]
    excerpt: str = ""
    article: str = ""
    number: int = 0
    marks: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)

    @property
    def where(self) -> str:
        """The passage as a lead finds it: 'article title, passage N'."""
        return f"{self.article or '(untitled)'}, passage {self.number}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "passage_id": self.passage_id,
            "article": self.article,
            "passage_number": self.number,
            "score": round(self.score, 6),
            "coders": self.coders,
            "excerpt": self.excerpt,
        }


@dataclass(frozen=True)
class ConfusedPair:
    """Two labels the annotators mixed up: how often (units x pairs of annotators) and where."""

    labels: tuple[str, str]
    count: int
    examples: list[Disagreement]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "labels": list(self.labels),
            "count": self.count,
            "examples": [example.to_dict() for example in self.examples],
        }


@dataclass(frozen=True)
class TimePoint:
    """One annotator's agreement with the others on the units they labelled in one period."""

    coder: str
    period: str
    coefficient: float
    n_units: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "coder": self.coder,
            "period": self.period,
            "coefficient": _finite(self.coefficient),
            "n_units": self.n_units,
        }


@dataclass
class LayerAgreement:
    """Everything measured on one layer. `main_measure` is the one in `pairwise` and `over_time`."""

    layer: str
    name: str
    kind: str
    main_measure: str
    measures: list[Measure] = field(default_factory=list)
    pairwise: PairMatrix | None = None
    confusions: list[Confusion] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    """Every passage with disagreement, most first."""
    top_confusions: list[ConfusedPair] = field(default_factory=list)
    """Label pairs the annotators confused, most first."""
    annotator_confusions: dict[str, list[ConfusedPair]] = field(default_factory=dict)
    """Per annotator: (their label, another annotator's label) pairs, most first."""
    period: str = "day"
    over_time: list[TimePoint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def find(self, measure: str, scope: str = "overall", item: str = "") -> Measure | None:
        """The measure with this name, scope and item, if it was computed."""
        return next((m for m in self.measures if (m.measure, m.scope, m.item) == (measure, scope, item)), None)

    def per_article(self, measure: str | None = None) -> list[Measure]:
        """The per-article measures (of one `measure`, default all), by measure (the main one
        first), then lowest agreement first (undefined last), then by article id."""
        found = [m for m in self.measures if m.scope == "article" and measure in (None, m.measure)]
        return sorted(
            found,
            key=lambda m: (
                m.measure != self.main_measure,
                m.measure,
                math.isnan(m.coefficient),
                m.coefficient,
                int(m.item),
            ),
        )

    def side_by_side(self) -> tuple[str, list[str], list[tuple[str, list[Measure | None]]]]:
        """The per-item comparison of `SIDE_BY_SIDE`: (scope, measure names, rows of
        (item, one measure or None per name)), items in report order, skipping items none of
        the measures could be computed on."""
        scope, names = SIDE_BY_SIDE.get(self.kind, ("", ()))
        items = dict.fromkeys(m.item for m in self.measures if m.scope == scope and m.measure in names)
        rows = []
        for item in items:
            found = [self.find(name, scope, item) for name in names]
            if any(m is not None and not math.isnan(m.coefficient) for m in found):
                rows.append((item, found))
        return scope, list(names), rows

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "layer": self.layer,
            "name": self.name,
            "kind": self.kind,
            "main_measure": self.main_measure,
            "measures": [measure.to_dict() for measure in self.measures],
            "pairwise": self.pairwise.to_dict() if self.pairwise else None,
            "confusions": [confusion.to_dict() for confusion in self.confusions],
            "disagreements": [passage.to_dict() for passage in self.disagreements],
            "top_confusions": [pair.to_dict() for pair in self.top_confusions],
            "annotator_confusions": {
                name: [pair.to_dict() for pair in pairs] for name, pairs in self.annotator_confusions.items()
            },
            "over_time": {"period": self.period, "points": [point.to_dict() for point in self.over_time]},
            "notes": self.notes,
        }


@dataclass
class AgreementReport:
    """Corpus agreement per layer, as of one label revision watermark."""

    as_of: int
    codebook: str
    coders: list[str]
    n_boot: int
    seed: int
    ci: float
    layers: list[LayerAgreement] = field(default_factory=list)
    articles: dict[str, str] = field(default_factory=dict)
    """Article id (the item of scope "article" measures) -> title."""

    def layer(self, layer_id: str) -> LayerAgreement:
        """The results of one layer (KeyError if it was not measured)."""
        for layer in self.layers:
            if layer.layer == layer_id:
                return layer
        raise KeyError(layer_id)

    def to_json_dict(self) -> dict[str, Any]:
        """The whole report as JSON-ready data with stable keys (NaN becomes null)."""
        return {
            "as_of_revision": self.as_of,
            "codebook": self.codebook,
            "coders": self.coders,
            "gold": GOLD if GOLD in self.coders else None,
            "bootstrap": {"n_boot": self.n_boot, "seed": self.seed, "ci": self.ci},
            "thresholds": {"reliable": RELIABLE, "tentative": TENTATIVE, "min_units": MIN_UNITS},
            "layers": [layer.to_dict() for layer in self.layers],
            "articles": self.articles,
        }

    def to_csv_rows(self) -> list[dict[str, Any]]:
        """Every measure of every layer as a flat dict with the `CSV_COLUMNS` keys."""
        return [{"layer": layer.layer, **measure.to_dict()} for layer in self.layers for measure in layer.measures]

    def disagreement_rows(self) -> list[dict[str, Any]]:
        """Every passage with disagreement of every layer, one row per coder on it, with the
        `DISAGREEMENT_COLUMNS` keys."""
        return [
            {
                "layer": layer.layer,
                "rank": rank,
                "article": passage.article,
                "passage_number": passage.number,
                "passage_id": passage.passage_id,
                "score": round(passage.score, 6),
                "coder": coder,
                "chose": chose,
                "excerpt": passage.excerpt,
            }
            for layer in self.layers
            for rank, passage in enumerate(layer.disagreements, 1)
            for coder, chose in passage.coders.items()
        ]


def _finite(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)
