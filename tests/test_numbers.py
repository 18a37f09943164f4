"""How numbers are written (handout/numbers.py): a small non-zero value never reads as 0, an exact 0 stays
0, numbers of 10¹² or more are in powers of ten wherever they come from, and two different values are
never written alike where they are compared. Expected texts are built here with decimal and format()."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop_cli.engine.rounding import Rounding
from backprop_cli.model.numbers import NumberFormat

MINUS = "−"


def plain(text: str) -> float:
    """The value a shown number means (true minus signs back to '-')."""
    return float(text.replace(MINUS, "-"))


@pytest.mark.parametrize("value, precision, shown", [
    (-5.1e-12, 4, "−5.1000e−12"),       # a vanishing gradient, not the 0 of a dead ReLU
    (3.394e-10, 4, "3.3940e−10"),
    (0.00009, 4, "9.0000e−05"),         # below the last decimal shown
    (0.0001, 4, "0.0001"),
    (0.0, 4, "0.0000"),                 # an exact 0 stays 0
    (-0.0, 4, "0.0000"),
    (2.5e-7, 9, "0.000000250"),          # at precision 9 it has digits enough
    (1.5e20, 4, "1.5000e+20"),
])
def test_small_and_large_values_exactly(value, precision, shown):
    assert NumberFormat(precision).result(value) == shown


@pytest.mark.slow
@given(st.floats(min_value=-1e11, max_value=1e11, allow_nan=False).filter(lambda v: v != 0),
       st.integers(min_value=0, max_value=9))
def test_a_non_zero_result_is_never_shown_as_zero(value, precision):
    text = NumberFormat(precision).result(value)
    assert plain(text) != 0, text
    # and it is the value, to the digits shown: within half a unit of its last digit
    mantissa = text.replace(MINUS, "-").split("e")[0]
    digits = -Decimal(mantissa).as_tuple().exponent
    unit = Decimal(1).scaleb(-digits) * (Decimal(10) ** int(text.split("e")[1].replace(MINUS, "-"))
                                         if "e" in text else 1)
    assert abs(Decimal(value) - Decimal(text.replace(MINUS, "-"))) <= unit / 2, text


@pytest.mark.slow
@given(st.floats(min_value=1e-300, max_value=1e-5), st.integers(min_value=1, max_value=4))
def test_small_results_by_hand_keep_their_significant_digits(value, hand):
    text = NumberFormat(4, Rounding(hand)).result(value)
    assert "e−" in text and plain(text) != 0
    assert plain(text) == pytest.approx(float(f"{value:.{hand}e}"), rel=1e-12)


def test_parameters_follow_the_same_rule():
    assert NumberFormat(4).param(3.4e-11) == "3.4000e−11"
    assert NumberFormat(4, Rounding(2)).param(-1.4077) == "−1.4077"
    assert NumberFormat(4).param(0.0) == "0.0000"


@pytest.mark.parametrize("value, shown", [(1e12, "1e+12"), (-2.5e13, "−2.5e+13"), (999999999999.0, "999999999999"),
                                          (0.1, "0.1"), (1e-8, "1e−08"), (3.0, "3")])
def test_given_numbers_in_powers_of_ten_from_1e12_as_the_readme_says(value, shown):
    assert NumberFormat().given(value) == shown


@pytest.mark.slow
@given(st.lists(st.floats(min_value=-10, max_value=10, allow_nan=False), min_size=2, max_size=4),
       st.sampled_from([(4, None), (4, 2), (2, 2), (0, None)]))
def test_distinct_writes_different_values_differently_and_equal_ones_alike(values, rounding):
    texts = NumberFormat(rounding[0], Rounding(rounding[1])).distinct(values)
    for a, ta in zip(values, texts):
        for b, tb in zip(values, texts):
            if a == b:
                assert ta == tb
            elif abs(a - b) > 1e-14 * max(1.0, abs(a)):  # beyond what 15 decimals can tell
                assert ta != tb, (a, b, texts)


def test_distinct_keeps_the_usual_digits_where_they_differ():
    assert NumberFormat(4, Rounding(2)).distinct([0.4749, 0.4704]) == ["0.4749", "0.4704"]
    assert NumberFormat(4, Rounding(2)).distinct([0.47, 0.46]) == ["0.47", "0.46"]
    assert NumberFormat(4).distinct([0.25381, 0.25379]) == ["0.25381", "0.25379"]
