"""Inter-annotator agreement statistics: pure functions over plain Python, numpy and pandas data.

Reliability data for the coefficients is a units x coders table (rows = units,
columns = coders) with None or NaN for missing values; spans are tuples of offsets.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Re-exported lazily (PEP 562), so that importing a light module of this package (e.g. the
# results' data classes) does not load numpy for commands that never compute a statistic.
_EXPORTS = {
    "LEVELS": "alpha",
    "Level": "alpha",
    "interpret_alpha": "alpha",
    "krippendorff_alpha": "alpha",
    "AlphaInterval": "bootstrap",
    "BootstrapInterval": "bootstrap",
    "bootstrap_alpha": "bootstrap",
    "bootstrap_ci": "bootstrap",
    "jaccard_distance": "distances",
    "masi_distance": "distances",
    "cohen_kappa": "kappa",
    "fleiss_kappa": "kappa",
    "percent_agreement": "kappa",
    "scott_pi": "kappa",
    "Scores": "spans",
    "SpanAgreement": "spans",
    "span_f1": "spans",
    "character_alpha": "unitizing",
    "unitizing_alpha": "unitizing",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)


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
