"""Hand rounding: numbers rounded as a person with a calculator rounds them.

A value is rounded to N decimal places, or to N significant digits where that keeps more digits
(0.0768 → 0.077 for N = 2), half away from zero on its decimal value (0.125 → 0.13).
"""

from __future__ import annotations

import bisect
import functools
import math
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal

import numpy as np


def decimals_for(value: float, n: int) -> int:
    """How many decimal places hand rounding to ``n`` keeps for ``value``."""
    if value == 0 or not math.isfinite(value):
        return n
    magnitude = math.floor(math.log10(abs(value)))  # 0.0768 → −2
    return max(n, n - 1 - magnitude)


def round_half_away(value: float, decimals: int) -> float:
    """``value`` rounded half away from zero to ``decimals`` places, on its shortest decimal form."""
    if not math.isfinite(value) or abs(value) >= 2.0**53:
        return value  # from 2**53 on every float is a whole number: nothing to round (and no 300-digit Decimal)

    # repr() gives the shortest decimal that reads back as the same float: the number the person sees.
    exact = Decimal(repr(float(value)))
    # The result has the digits before the point and ``decimals`` after it: 10^13 to 15 places is 29 digits,
    # more than the default context's 28, which would fail; give it all of them (and a few to spare).
    context = Context(prec=max(28, exact.adjusted() + decimals + 3), rounding=ROUND_HALF_UP)
    # A product such as 0.35 · 0.7 comes out of floating point as 0.24499999999999997, the float just below
    # 0.245's own, where a calculator shows the tie 0.245. A float within one unit in the last place of a tie's
    # float is the tie:
    # it rounds as on paper (0.25), not by the sign of the binary noise.
    tie = (abs(exact).scaleb(decimals).to_integral_value(rounding=ROUND_FLOOR) + Decimal("0.5")).scaleb(-decimals)
    if abs(abs(value) - float(tie)) <= math.ulp(value):  # the tie's own float, or the one next to it
        exact = tie.copy_sign(exact)
    rounded = float(exact.quantize(Decimal(1).scaleb(-decimals), context=context))
    return rounded + 0.0  # no −0.0


def hand_round_value(value: float, n: int) -> float:
    """One number hand-rounded to ``n``."""
    return round_half_away(value, decimals_for(value, n))


# The largest power of ten a double holds exactly (5^22 < 2^53): m / 10^d with both exact is the correctly
# rounded float of the decimal m·10^−d, as float(Decimal(...)) is.
_EXACT_POWER = 22
# The largest |value|·10^d the arrays are rounded in floating point: its float error (a unit in the last
# place or two, 2^−3 at most) stays far below the half that separates an integer from a tie.
_SCALED_LIMIT = 2.0**49
_HALF, _ZERO = np.array(0.5), np.array(0.0)  # 0-d arrays: an array with them is numpy's quickest mixed operation


def _magnitude_start(k: int) -> float:
    """The least float whose magnitude (``decimals_for``'s floor of log10) is ``k``: 10^k, or the float next
    to it where log10 rounds the other way."""
    start = float(f"1e{k}")
    while math.floor(math.log10(start)) < k:
        start = math.nextafter(start, math.inf)
    while math.floor(math.log10(math.nextafter(start, 0.0))) >= k:
        start = math.nextafter(start, 0.0)
    return start


@functools.cache
def _scales(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The bins of |value| that hand rounding to ``n`` scales alike, and 10^d for each (d the decimals kept):
    ``scales[searchsorted(bounds, |value|, "right")]``. 0 is a bin of its own (scale 1); a value too small
    for an exact 10^d, too large to scale below the limit, infinite or NaN gets NaN, which sends it to
    ``hand_round_value``."""
    lowest = n - 1 - _EXACT_POWER  # the least magnitude with d ≤ 22 decimals
    bounds = [5e-324, *(_magnitude_start(k) for k in range(lowest, 0)), _SCALED_LIMIT / 10.0**n]
    scales = [1.0, math.nan, *(float(f"1e{max(n, n - 1 - k)}") for k in range(lowest, 0)), math.nan]
    return np.array(bounds), np.array(scales)


@functools.cache
def _scale_lists(n: int) -> tuple[list[float], list[float]]:
    """``_scales(n)`` as lists, for numbers one at a time (``bisect`` on a list is quicker than numpy on one)."""
    bounds, scales = _scales(n)
    return bounds.tolist(), scales.tolist()


def _round_floats(values, n: int) -> list[float]:
    """``hand_round``'s arithmetic on Python floats, one number at a time."""
    bounds, scales = _scale_lists(n)
    out = []
    for value in values:
        size = abs(value)
        scale = scales[bisect.bisect_right(bounds, size)]
        if scale != scale:  # NaN: outside the range where the floats are exact (or not a finite number)
            out.append(hand_round_value(value, n))
            continue
        whole = math.floor(size * scale)
        if size >= math.nextafter((whole + 0.5) / scale, 0.0):
            whole += 1
        out.append(math.copysign(whole / scale, value) + 0.0)
    return out


def hand_round_number(value: float, n: int) -> float:
    """One number hand-rounded to ``n``: the number ``hand_round_value`` gives, in floating point (without
    its Decimal, which takes several times as long)."""
    return _round_floats((value,), n)[0]


# Up to this many numbers, rounding them one at a time in floating point is quicker than the dozen numpy
# operations on the array, each of which costs about as much as the arithmetic on one number: the arrays
# of a hand calculation (a layer's p for a few samples) are mostly this small.
SMALL = 12


def hand_round(values: np.ndarray, n: int | None) -> np.ndarray:
    """Every element of ``values`` hand-rounded to ``n``; unchanged when ``n`` is None.

    The same numbers as ``hand_round_value`` element by element, computed on the whole array in floating
    point. |value| is scaled by 10^d to s; the decimal result is m·10^−d with m = ⌊s⌋ or ⌊s⌋ + 1, up when
    |value| reaches the float of the tie (⌊s⌋ + ½)·10^−d, or lies within a unit in the last place below it
    (the tie a calculator shows, see ``round_half_away``); a float on either side of a tie's float has its
    shortest decimal form on the same side of the tie. m / 10^d is then the correctly rounded float of the
    decimal, as the Decimal rounding gives it. Elements outside the range where this is exact (very small,
    very large, infinite or NaN) are left to ``hand_round_value``. An array of at most ``SMALL`` numbers
    gets the same arithmetic one number at a time.
    """
    if n is None:
        return values
    array = np.asarray(values, dtype=float)
    flat = array.ravel()
    if flat.size <= SMALL:
        return np.array(_round_floats(flat.tolist(), n)).reshape(array.shape)
    bounds, scales = _scales(n)
    size = np.abs(flat)
    scale = scales.take(bounds.searchsorted(size, "right"))
    whole = np.floor(size * scale)  # ⌊s⌋ (operators and positional arguments: numpy's quickest calls)
    tie = whole + _HALF
    tie /= scale
    # Up where |value| + ulp(|value|) ≥ the tie, i.e. where |value| ≥ the float just below the tie.
    whole += size >= np.nextafter(tie, _ZERO)
    whole /= scale
    whole = np.copysign(whole, flat)
    whole += _ZERO  # no −0.0
    if math.isnan(whole.dot(whole)):  # NaN where the scale was: outside the range of the arrays, one by one
        for index in np.flatnonzero(np.isnan(whole)).tolist():
            whole[index] = hand_round_value(float(flat[index]), n)
    return whole.reshape(array.shape)


@dataclass(frozen=True)
class Rounding:
    """How a run rounds its results: exactly (``Rounding()``) or by hand to N (``Rounding(2)``).

    Calling it rounds a number or an array as the run does; an exact run gives the values back as they are.
    """

    digits: int | None = None

    @property
    def exact(self) -> bool:
        return self.digits is None

    def squared(self) -> Rounding:
        """The rounding of a quantity of the order of a squared result, such as an optimizer's running average
        of g²: twice the digits (at most 15), which the square of a number with N digits has. 0.077² is
        0.005929, and its root is 0.077 again, as on paper; to 2 digits it would be 0.0059, whose root is
        0.0768."""
        return self if self.digits is None else Rounding(min(2 * self.digits, 15))

    def __call__(self, values):
        if self.digits is None:
            return values
        if type(values) is np.ndarray and values.ndim:
            return hand_round(values, self.digits)
        if np.ndim(values) == 0:
            return hand_round_number(float(values), self.digits)
        return hand_round(np.asarray(values, dtype=float), self.digits)
