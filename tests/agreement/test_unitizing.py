"""Unitizing alpha (Krippendorff 2004) and character-level alpha over a continuum."""

from __future__ import annotations

import math

import numpy as np
import pytest

from annotator.agreement import character_alpha, krippendorff_alpha, unitizing_alpha
from annotator.agreement.unitizing import (
    _difference,
    _expected_disagreement,
    _observed_disagreement,
    _study,
)
from annotator.errors import AnnotatorError
from tests.agreement.data import UNITIZING_CONTINUUM, UNITIZING_SPANS


def test_krippendorff_2004_differences_between_segments():
    # Content Analysis (2004), p. 254: unit vs unit, and a unit inside the other coder's gap.
    assert _difference((225, 295, True), (220, 300, True)) == 50
    assert _difference((370, 400, True), (355, 375, True)) == 850
    assert _difference((400, 450, False), (400, 420, True)) == 400
    assert _difference((400, 420, True), (400, 450, False)) == 400
    assert _difference((370, 400, True), (375, 400, False)) == 0  # sticks out of the gap
    assert _difference((150, 225, False), (150, 220, False)) == 0


def test_krippendorff_2004_worked_example():
    study = _study(UNITIZING_SPANS, UNITIZING_CONTINUUM, None)
    # By hand: differences 50 + 850 + 400 over 2 coders and L = 300; expected from
    # unit lengths 70, 30, 80, 20, 20 and gap lengths 75, 75, 50, 70, 55, 25, 30.
    assert _observed_disagreement(study, "c") == pytest.approx(1300 / 90000, abs=1e-15)
    assert _expected_disagreement(study, "c") == pytest.approx(2 / 300 * 2767160 / 346620, abs=1e-15)
    # Published (to 4 decimals): D_o 0.0144, D_e 0.0532 and 0.0490, alpha_c 0.7286, alpha_k 1.
    assert round(_observed_disagreement(study, "c"), 4) == 0.0144
    assert round(_expected_disagreement(study, "c"), 4) == 0.0532
    assert round(_expected_disagreement(study, "k"), 4) == 0.0490
    assert round(unitizing_alpha(UNITIZING_SPANS, UNITIZING_CONTINUUM, "c"), 4) == 0.7286
    assert unitizing_alpha(UNITIZING_SPANS, UNITIZING_CONTINUUM, "k") == 1.0
    # Overall: 1 - 0.0144 / (0.0532 + 0.0490) = .8591 from the rounded values; .8587 exactly.
    overall = unitizing_alpha(UNITIZING_SPANS, UNITIZING_CONTINUUM)
    expected = 1 - _observed_disagreement(study, "c") / (
        _expected_disagreement(study, "c") + _expected_disagreement(study, "k")
    )
    assert overall == pytest.approx(expected, abs=1e-12)
    assert round(overall, 3) == 0.859


@pytest.mark.parametrize("category", [None, "c", "k"])
def test_identical_codings_give_one(category):
    one_coder = [span for span in UNITIZING_SPANS if span[0] == "i"]
    three = [(coder, *span[1:]) for coder in ("x", "y", "z") for span in one_coder]
    assert unitizing_alpha(three, UNITIZING_CONTINUUM, category) == 1.0


def test_alpha_falls_as_a_boundary_moves_away():
    values = [
        unitizing_alpha(
            [("a", 100, 200, "c"), ("b", 100 + shift, 200 + shift, "c"), ("a", 500, 600, "c"), ("b", 500, 600, "c")],
            (0, 1000),
        )
        for shift in (0, 10, 30, 60, 90)
    ]
    assert values[0] == 1.0
    assert all(later < earlier for earlier, later in zip(values, values[1:]))


def test_invariant_to_coder_names_span_order_and_shifting_the_continuum():
    expected = unitizing_alpha(UNITIZING_SPANS, UNITIZING_CONTINUUM, "c")
    renamed = [({"i": "j", "j": "i"}[coder], *rest) for coder, *rest in reversed(UNITIZING_SPANS)]
    shifted = [(coder, start + 1000, end + 1000, cat) for coder, start, end, cat in UNITIZING_SPANS]
    assert unitizing_alpha(renamed, UNITIZING_CONTINUUM, "c") == pytest.approx(expected, abs=1e-12)
    assert unitizing_alpha(shifted, (1150, 1450), "c") == pytest.approx(expected, abs=1e-12)


def test_a_named_coder_without_spans_counts_as_all_gap():
    with_silent = unitizing_alpha(UNITIZING_SPANS, UNITIZING_CONTINUUM, "c", coders=["i", "j", "silent"])
    assert with_silent < unitizing_alpha(UNITIZING_SPANS, UNITIZING_CONTINUUM, "c")
    with pytest.raises(AnnotatorError, match="coder 'j', who is not among the coders"):
        unitizing_alpha(UNITIZING_SPANS, UNITIZING_CONTINUUM, coders=["i"])


def test_other_categories_are_gaps_for_a_category():
    # Coder b marks the same stretch as "k" instead of "c": for "c" that is a missed unit.
    spans = [("a", 10, 20, "c"), ("b", 10, 20, "k"), ("a", 50, 60, "c"), ("b", 50, 60, "c")]
    assert unitizing_alpha(spans, (0, 100), "c") < 1.0
    assert unitizing_alpha(spans, (0, 100), "c") == pytest.approx(
        unitizing_alpha([s for s in spans if s[3] == "c"], (0, 100), "c", coders=["a", "b"]), abs=1e-12
    )


def test_undefined_values_are_nan():
    assert math.isnan(unitizing_alpha([("a", 0, 5, "c")], (0, 10)))  # one coder
    assert math.isnan(unitizing_alpha(UNITIZING_SPANS, UNITIZING_CONTINUUM, "absent"))
    assert math.isnan(unitizing_alpha([], (0, 10), coders=["a", "b"]))


def test_invalid_spans_are_reported():
    with pytest.raises(AnnotatorError, match="overlapping 'c' spans 0-10 and 5-15"):
        unitizing_alpha([("a", 0, 10, "c"), ("a", 5, 15, "c"), ("b", 0, 10, "c")], (0, 20))
    with pytest.raises(AnnotatorError, match="inside the continuum 0-20"):
        unitizing_alpha([("a", 15, 25, "c")], (0, 20))
    with pytest.raises(AnnotatorError, match="integer offsets"):
        unitizing_alpha([("a", 1.5, 3, "c")], (0, 20))
    with pytest.raises(AnnotatorError, match="begin < end"):
        unitizing_alpha([], (5, 5))
    # Different categories of one coder may overlap; adjacent units of one category too.
    unitizing_alpha([("a", 0, 10, "c"), ("a", 10, 15, "c"), ("a", 5, 15, "k"), ("b", 0, 10, "c")], (0, 20))


def test_character_alpha_is_nominal_alpha_over_positions():
    spans = [("a", 2, 6, "c"), ("b", 3, 6, "c"), ("a", 8, 10, "c"), ("b", 0, 2, "k")]
    table = np.zeros((10, 2))
    table[2:6, 0] = table[8:10, 0] = table[3:6, 1] = 1
    assert character_alpha(spans, (0, 10), "c") == pytest.approx(krippendorff_alpha(table), abs=1e-12)


def test_character_alpha_edge_cases():
    same = [("a", 2, 6, "c"), ("b", 2, 6, "c")]
    assert character_alpha(same, (0, 10), "c") == 1.0
    assert math.isnan(character_alpha(same, (0, 10), "k"))  # nobody marked k
    assert math.isnan(character_alpha([("a", 2, 6, "c")], (0, 10), "c"))  # one coder
    assert character_alpha(same, (0, 10), "c", coders=["a", "b", "c"]) < 1.0
