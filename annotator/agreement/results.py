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
)
DEFAULT_N_BOOT = 200
"""Bootstrap resamples for the confidence intervals, unless a command says otherwise."""

MAIN_MEASURES = {kind.value: rules.main_measure for kind, rules in KINDS.items()}
"""The measure of each layer kind shown in the pairwise matrix and over time."""
GOLD = "(gold)"
"""The pseudo-coder made of the labels a lead adjudicated (origin "adjudication")."""


@dataclass(frozen=True)
class Measure:
    """One coefficient, e.g. ordinal alpha of one stance target, or span F1 of one pair.

    `scope` says what `item` is: "overall" (item ""), a "label", "target" or "category" id,
    an "attribute" ("label.attribute"), a "pair" of coders ("a|b") or an "annotator" (that
    annotator against all the others pooled). `low`/`high` are the bootstrap interval (NaN
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
        }


@dataclass(frozen=True)
class PairMatrix:
    """A symmetric coders x coders matrix of one measure (the diagonal is NaN)."""

    measure: str
    coders: list[str]
    values: list[list[float]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "measure": self.measure,
            "coders": self.coders,
            "values": [[_finite(value) for value in row] for row in self.values],
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
    """A passage where the coders disagree, with what each of them said."""

    passage_id: int
    score: float
    coders: dict[str, str]
    excerpt: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "passage_id": self.passage_id,
            "score": round(self.score, 6),
            "coders": self.coders,
            "excerpt": self.excerpt,
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
    period: str = "day"
    over_time: list[TimePoint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def find(self, measure: str, scope: str = "overall", item: str = "") -> Measure | None:
        """The measure with this name, scope and item, if it was computed."""
        return next((m for m in self.measures if (m.measure, m.scope, m.item) == (measure, scope, item)), None)

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
            "thresholds": {"reliable": 0.800, "tentative": 0.667},
            "layers": [layer.to_dict() for layer in self.layers],
        }

    def to_csv_rows(self) -> list[dict[str, Any]]:
        """Every measure of every layer as a flat dict with the `CSV_COLUMNS` keys."""
        return [{"layer": layer.layer, **measure.to_dict()} for layer in self.layers for measure in layer.measures]


def _finite(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)
