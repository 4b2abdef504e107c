"""Published reliability data sets used by the agreement tests, as units x coders tables."""

from __future__ import annotations

import numpy as np

nan = np.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 coders x 12
# units with missing values. Published: nominal .743, ordinal .815, interval .849, ratio .797.
KRIPPENDORFF_2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
).T

# Wikipedia, "Krippendorff's alpha", computational example: 3 coders x 15 units.
# Published: nominal .691, interval .811.
WIKIPEDIA_ALPHA = np.array(
    [
        [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
        [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
        [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
    ]
).T

# Hayes & Krippendorff (2007), Table 1: 5 observers x 40 units, ordinal. Published alpha .7598.
_HAYES_KRIPPENDORFF_2007 = """
1 1 2 . 2 | 1 1 0 1 . | 2 3 3 3 . | . 0 0 . 0 | 0 0 0 . 0 | 0 0 0 . 0 | 1 0 2 . 1 | 1 . 2 0 .
2 2 2 . 2 | 2 1 1 1 . | . 1 0 0 . | 0 0 0 0 . | 1 2 2 2 . | 3 3 2 2 3 | 1 1 1 . 1 | 1 1 1 . 1
2 1 2 . 2 | 1 2 3 3 . | 1 1 0 1 . | 0 0 0 . 0 | 0 0 1 1 . | 0 0 . 0 0 | 2 3 3 3 . | 0 0 0 0 .
1 2 . 2 2 | 0 1 1 1 . | 0 0 0 1 0 | 1 2 1 2 . | 1 1 2 2 . | 1 1 2 . 2 | 1 1 0 . 0 | 2 1 2 1 .
2 2 . 2 2 | 3 2 2 2 . | 2 2 2 . 2 | 2 2 3 . 2 | 2 2 2 . 2 | 2 2 . 1 2 | 2 2 2 2 . | 1 1 1 . 1
"""
HAYES_KRIPPENDORFF_2007 = np.array(
    [
        [nan if cell == "." else float(cell) for cell in unit.split()]
        for unit in _HAYES_KRIPPENDORFF_2007.replace("\n", "|").split("|")
        if unit.strip()
    ]
)

# Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories, as the
# number of raters per category. Published kappa 0.210.
FLEISS_COUNTS = np.array(
    [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
)
FLEISS_TABLE = np.array([np.repeat(np.arange(5), counts) for counts in FLEISS_COUNTS])

# Krippendorff (2004), Content Analysis 2nd ed., p. 254: two coders unitizing the continuum
# 150-450 into categories c and k, as (coder, start, end, category) with end exclusive.
UNITIZING_CONTINUUM = (150, 450)
UNITIZING_SPANS = [
    ("i", 225, 295, "c"),
    ("i", 370, 400, "c"),
    ("j", 220, 300, "c"),
    ("j", 355, 375, "c"),
    ("j", 400, 420, "c"),
    ("i", 180, 240, "k"),
    ("i", 300, 350, "k"),
    ("j", 180, 240, "k"),
    ("j", 300, 350, "k"),
]


def random_ratings(
    seed: int, units: int, coders: int, categories: int, missing: float = 0.2, agreement: float = 0.6
) -> np.ndarray:
    """A units x coders float table: each unit has a true category that coders copy with
    probability `agreement` (else they pick at random); a `missing` share of cells is NaN."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, categories, size=(units, 1))
    noise = rng.integers(0, categories, size=(units, coders))
    table = np.where(rng.random((units, coders)) < agreement, truth, noise).astype(float)
    table[rng.random(table.shape) < missing] = nan
    return table
