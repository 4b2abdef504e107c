"""Inter-annotator agreement statistics: pure functions over plain Python, numpy and pandas data.

Reliability data for the coefficients is a units x coders table (rows = units,
columns = coders) with None or NaN for missing values; spans are tuples of offsets.
"""

from __future__ import annotations

from annotator.agreement.alpha import LEVELS, Level, interpret_alpha, krippendorff_alpha
from annotator.agreement.bootstrap import AlphaInterval, BootstrapInterval, bootstrap_alpha, bootstrap_ci
from annotator.agreement.distances import jaccard_distance, masi_distance
from annotator.agreement.kappa import cohen_kappa, fleiss_kappa, percent_agreement, scott_pi
from annotator.agreement.spans import Scores, SpanAgreement, span_f1
from annotator.agreement.unitizing import character_alpha, unitizing_alpha

__all__ = [
    "LEVELS",
    "AlphaInterval",
    "BootstrapInterval",
    "Level",
    "Scores",
    "SpanAgreement",
    "bootstrap_alpha",
    "bootstrap_ci",
    "character_alpha",
    "cohen_kappa",
    "fleiss_kappa",
    "interpret_alpha",
    "jaccard_distance",
    "krippendorff_alpha",
    "masi_distance",
    "percent_agreement",
    "scott_pi",
    "span_f1",
    "unitizing_alpha",
]
